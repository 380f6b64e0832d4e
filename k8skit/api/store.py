"""The object store: the simulator's etcd.

etcd keeps every object of the cluster under a key such as ``/registry/pods/default/web`` and a
single, ever-growing revision number. Each write gets the next revision, which the API server
shows as ``metadata.resourceVersion``; watchers are told of each write in revision order. That is
all this class does: it stores, numbers and announces. Defaulting, validation and everything else
an API server adds on top live in :mod:`k8skit.api.server`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from k8skit.clock import Clock

ObjectKey = tuple[str | None, str]  # (namespace, name); namespace None for cluster-scoped kinds


class WatchEvent(NamedTuple):
    """One change, as a watch stream delivers it: ADDED, MODIFIED or DELETED."""

    type: str
    object: dict


WatchHandler = Callable[[WatchEvent], None]


class ObjectStore:
    """Objects by kind and (namespace, name), a revision counter and watchers.

    Watch events are delivered on the clock (``call_soon``), never inside the write that caused
    them: as with a real watch, a component hears of a change a moment after it happened and may
    freely write to the store from its handler.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.revision = 0
        self._objects: dict[str, dict[ObjectKey, dict]] = {}
        self._watchers: dict[str, list[WatchHandler]] = {}
        # Watches narrowed to one value of one field (the kubelet's spec.nodeName=<node>):
        # kind -> field path -> value -> handlers, so a write reaches only the watchers it
        # concerns instead of every kubelet of the cluster.
        self._field_watchers: dict[str, dict[tuple[str, ...], dict[str, list[WatchHandler]]]] = {}

    def next_revision(self) -> str:
        self.revision += 1
        return str(self.revision)

    def get(self, kind: str, key: ObjectKey) -> dict | None:
        return self._objects.get(kind, {}).get(key)

    def put(self, kind: str, key: ObjectKey, obj: dict, event_type: str) -> None:
        """Store ``obj`` with the next revision and tell watchers (ADDED or MODIFIED)."""
        obj["metadata"]["resourceVersion"] = self.next_revision()
        self._objects.setdefault(kind, {})[key] = obj
        self._announce(kind, WatchEvent(event_type, obj))

    def remove(self, kind: str, key: ObjectKey) -> dict | None:
        obj = self._objects.get(kind, {}).pop(key, None)
        if obj is not None:
            obj["metadata"]["resourceVersion"] = self.next_revision()
            self._announce(kind, WatchEvent("DELETED", obj))
        return obj

    def items(self, kind: str) -> Iterator[tuple[ObjectKey, dict]]:
        return iter(self._objects.get(kind, {}).items())

    def count(self, kind: str) -> int:
        return len(self._objects.get(kind, {}))

    def watch(self, kind: str, handler: WatchHandler,
              field: tuple[str, str] | None = None) -> None:
        """Call ``handler`` with every change to ``kind``; with ``field=("spec.nodeName",
        "worker-1")`` only with changes to objects whose field has that value."""
        if field is None:
            self._watchers.setdefault(kind, []).append(handler)
            return
        path, value = tuple(field[0].split(".")), field[1]
        by_path = self._field_watchers.setdefault(kind, {})
        by_path.setdefault(path, {}).setdefault(value, []).append(handler)

    def unwatch(self, kind: str, handler: WatchHandler,
                field: tuple[str, str] | None = None) -> None:
        """Stop a watch started with the same arguments (a closed watch stream)."""
        if field is None:
            handlers = self._watchers.get(kind, [])
        else:
            path = tuple(field[0].split("."))
            handlers = self._field_watchers.get(kind, {}).get(path, {}).get(field[1], [])
        if handler in handlers:
            handlers.remove(handler)

    def _announce(self, kind: str, event: WatchEvent) -> None:
        call_soon = self.clock.call_soon
        for handler in self._watchers.get(kind, ()):
            call_soon(handler, event)
        for path, by_value in self._field_watchers.get(kind, {}).items():
            for handler in by_value.get(_field_value(event.object, path), ()):
                call_soon(handler, event)


def _field_value(obj: dict, path: tuple[str, ...]) -> str:
    """The value of a dotted field as a field selector compares it (missing: "")."""
    current: object = obj
    for part in path:
        current = current.get(part) if isinstance(current, dict) else None
    return "" if current is None else str(current)
