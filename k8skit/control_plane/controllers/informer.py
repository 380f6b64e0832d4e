"""Shared informers: each controller's local, indexed copy of the objects it watches.

A controller in kube-controller-manager never lists the API server on every decision. It reads
from an *informer* (``client-go/tools/cache``): one LIST at start, then a WATCH that keeps a
local store current, with *indexes* so that questions such as "which pods does ReplicaSet X
control?" cost a dictionary lookup instead of a scan. Informers are *shared*
(``SharedInformerFactory``): the ReplicaSet, Deployment, garbage-collector and taint-eviction
controllers all read the same pod informer, so each pod event is stored once.

Here an informer holds the API server's live objects, so reading a pod's status from it is always
current; what can lag, for a moment inside one simulated instant, is *membership* (an object
created or removed whose watch event is still queued). Controllers that act on membership (the
ReplicaSet controller counting its pods) therefore tell the informer about their own writes at
once with :meth:`Informer.record_write` and :meth:`Informer.record_removal`, the role client-go's
"expectations" play upstream (``pkg/controller/controller_utils.go``: ControllerExpectations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from k8skit.api.kinds import KINDS
from k8skit.api.meta import controller_of
from k8skit.api.server import APIServer
from k8skit.api.store import ObjectKey, WatchEvent

IndexFunc = Callable[[dict], Iterable[str]]
EventHandler = Callable[[str, dict], None]

# Index names every informer keeps (client-go's cache.NamespaceIndex and friends).
BY_NAMESPACE = "namespace"
BY_CONTROLLER_UID = "controllerUID"  # pkg/controller/controller_utils.go: controllerUIDIndex
BY_OWNER_UID = "ownerUID"  # every ownerReference, controller or not (the GC's dependents graph)
BY_UID = "uid"

# The value BY_CONTROLLER_UID gives an object without a controller: "orphans of namespace x".
ORPHAN = "orphan/"


def _namespace(obj: dict) -> Iterable[str]:
    return (obj["metadata"].get("namespace") or "",)


def _controller_uid(obj: dict) -> Iterable[str]:
    ref = controller_of(obj)
    if ref is None:
        return (ORPHAN + (obj["metadata"].get("namespace") or ""),)
    return (ref.get("uid", ""),)


def _owner_uids(obj: dict) -> Iterable[str]:
    return tuple(ref.get("uid", "") for ref in obj["metadata"].get("ownerReferences") or ())


def _uid(obj: dict) -> Iterable[str]:
    return (obj["metadata"].get("uid", ""),)


_STANDARD_INDEXES: dict[str, IndexFunc] = {
    BY_NAMESPACE: _namespace,
    BY_CONTROLLER_UID: _controller_uid,
    BY_OWNER_UID: _owner_uids,
    BY_UID: _uid,
}


def object_key(obj: dict) -> ObjectKey:
    meta = obj["metadata"]
    if not KINDS[obj["kind"]].namespaced:
        return (None, meta["name"])
    return (meta.get("namespace") or "default", meta["name"])


class Informer:
    """The local copy of one kind, its indexes, and the handlers told of each change."""

    def __init__(self, api: APIServer, kind: str, field_selector: str | None = None) -> None:
        self.api = api
        self.kind = kind
        self.field_selector = field_selector
        self._objects: dict[ObjectKey, dict] = {}
        self._indexers: dict[str, IndexFunc] = dict(_STANDARD_INDEXES)
        self._indexes: dict[str, dict[str, dict[ObjectKey, dict]]] = {
            name: {} for name in self._indexers}
        self._indexed_values: dict[ObjectKey, dict[str, tuple[str, ...]]] = {}
        self._handlers: list[EventHandler] = []
        self.started = False

    # -- wiring ---------------------------------------------------------------------------------
    def add_handler(self, handler: EventHandler) -> None:
        """Call ``handler(event_type, obj)`` after each change is stored (ADDED/MODIFIED/DELETED).

        Handlers added before :meth:`start` also receive an ADDED for every object that already
        exists, as a client-go handler does after the informer's initial LIST.
        """
        self._handlers.append(handler)

    def start(self) -> None:
        """LIST what exists, then WATCH for changes."""
        if self.started:
            return
        self.started = True
        existing = self.api.list(self.kind, field_selector=self.field_selector)
        for obj in existing:
            self._store(obj)
        self.api.watch(self.kind, self._on_event, field_selector=self.field_selector)
        for obj in existing:
            self._notify("ADDED", obj)

    # -- reading --------------------------------------------------------------------------------
    def get(self, name: str, namespace: str | None = "default") -> dict | None:
        kind = KINDS[self.kind]
        key = (namespace or "default", name) if kind.namespaced else (None, name)
        return self._objects.get(key)

    def list(self, namespace: str | None = None) -> list[dict]:
        if namespace is None:
            return list(self._objects.values())
        return self.by_index(BY_NAMESPACE, namespace)

    def by_index(self, index: str, value: str) -> list[dict]:
        return list(self._indexes[index].get(value, {}).values())

    def by_uid(self, uid: str) -> dict | None:
        found = self._indexes[BY_UID].get(uid)
        return next(iter(found.values())) if found else None

    def __len__(self) -> int:
        return len(self._objects)

    # -- the controller's own writes ------------------------------------------------------------
    def record_write(self, obj: dict) -> None:
        """Store an object this controller just created, before its watch event arrives."""
        self._store(obj)

    def record_removal(self, obj: dict) -> None:
        """Forget an object this controller just removed, before its watch event arrives."""
        self._forget(object_key(obj), obj["metadata"].get("uid"))

    # -- the watch ------------------------------------------------------------------------------
    def _on_event(self, event: WatchEvent) -> None:
        obj = event.object
        if event.type == "DELETED":
            self._forget(object_key(obj), obj["metadata"].get("uid"))
        else:
            current = self.api.try_get(self.kind, obj["metadata"]["name"],
                                       obj["metadata"].get("namespace"))
            if current is None or current["metadata"].get("uid") != obj["metadata"].get("uid"):
                # The event is older than the object's removal: a DELETED event follows.
                return
            self._store(current)
        self._notify(event.type, obj)

    def _notify(self, event_type: str, obj: dict) -> None:
        for handler in self._handlers:
            handler(event_type, obj)

    def _store(self, obj: dict) -> None:
        key = object_key(obj)
        values = {name: tuple(fn(obj)) for name, fn in self._indexers.items()}
        if self._objects.get(key) is obj and self._indexed_values.get(key) == values:
            return  # a status change: the same object under the same index values
        self._unindex(key)
        self._objects[key] = obj
        self._indexed_values[key] = values
        for name, keys in values.items():
            index = self._indexes[name]
            for value in keys:
                index.setdefault(value, {})[key] = obj

    def _forget(self, key: ObjectKey, uid: str | None) -> None:
        stored = self._objects.get(key)
        if stored is None or stored["metadata"].get("uid") != uid:
            return
        self._unindex(key)
        del self._objects[key]

    def _unindex(self, key: ObjectKey) -> None:
        for name, keys in self._indexed_values.pop(key, {}).items():
            index = self._indexes[name]
            for value in keys:
                bucket = index.get(value)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del index[value]


class SharedInformerFactory:
    """One informer per kind (and field selector), shared by every controller that asks."""

    def __init__(self, api: APIServer) -> None:
        self.api = api
        self._informers: dict[tuple[str, str | None], Informer] = {}

    def informer(self, kind: str, field_selector: str | None = None) -> Informer:
        """The informer of ``kind``; ``field_selector`` (``metadata.name=worker-1``) narrows it
        to the objects one component cares about, as kube-proxy watches only its own Node."""
        key = (kind, field_selector)
        if key not in self._informers:
            self._informers[key] = Informer(self.api, kind, field_selector)
        return self._informers[key]

    def start(self) -> None:
        for informer in list(self._informers.values()):
            informer.start()
