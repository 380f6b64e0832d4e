"""Events: the cluster's diary, as ``kubectl get events`` and ``kubectl describe`` show it.

Components record what they did or saw (``Scheduled``, ``Pulling``, ``BackOff`` ...) as core/v1
Event objects through the API server, like client-go's event recorder. A repeat of the same event
(same object, reason, message and source) does not make a new object: the recorder bumps
``count`` and ``lastTimestamp``, which is why describe shows ``x4 over 2m``. Events that differ
only in their message (a ReplicaSet's ``Created pod: web-1``, ``Created pod: web-2`` ...) are
recorded separately up to nine distinct messages; from the tenth within ten minutes on they fold
into one ``(combined from similar events): ...`` event whose count keeps rising.

Sources: ``staging/src/k8s.io/client-go/tools/record/events_cache.go`` (the correlator: the
EventAggregator and the eventLogger) and the API server's ``--event-ttl`` (default 1 h), after
which events disappear.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from k8skit.api.errors import APIError
from k8skit.api.meta import EPOCH, seconds_of, timestamp
from k8skit.api.server import APIServer

EVENT_TTL_SECONDS = 3600  # kube-apiserver --event-ttl default

# events_cache.go: defaultAggregateMaxEvents, defaultAggregateIntervalInSeconds, maxLruCacheEntries
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL_SECONDS = 600
AGGREGATE_CACHE_ENTRIES = 4096
# EventAggregatorByReasonMessageFunc's prefix of an aggregate event's message.
COMBINED_PREFIX = "(combined from similar events): "


@dataclass
class _SimilarEvents:
    """What the aggregator remembers of one group of similar events."""

    messages: set[str] = field(default_factory=set)
    last_seen: float = 0.0


class EventAggregator:
    """client-go's EventAggregator: groups events that differ only in their message.

    A group is keyed by EventAggregatorByReasonFunc's fields: source, involved object, type,
    reason and reporting controller/instance. While a group has seen fewer than
    ``AGGREGATE_MAX_EVENTS`` distinct messages, each event is recorded as itself; the event that
    would make the tenth distinct message is folded into the group's aggregate event instead.
    A group quiet for more than ``AGGREGATE_INTERVAL_SECONDS`` starts afresh. Upstream then drops
    an arbitrary message from the full set (``PopAny``); dropping the one just added keeps the
    first nine, so the outcome is the same on every run. Groups live in an LRU cache of
    ``AGGREGATE_CACHE_ENTRIES``, as upstream's does.
    """

    def __init__(self) -> None:
        self._groups: OrderedDict[tuple, _SimilarEvents] = OrderedDict()

    def is_aggregated(self, group_key: tuple, message: str, now: float) -> bool:
        """Whether an event of ``group_key`` with ``message`` goes into the group's aggregate."""
        group = self._groups.pop(group_key, None)
        if group is None or now - group.last_seen > AGGREGATE_INTERVAL_SECONDS:
            group = _SimilarEvents()
        group.last_seen = now
        self._groups[group_key] = group
        if len(self._groups) > AGGREGATE_CACHE_ENTRIES:
            self._groups.popitem(last=False)
        if message in group.messages or len(group.messages) < AGGREGATE_MAX_EVENTS - 1:
            group.messages.add(message)
            return False
        return True


class EventRecorder:
    """Records events on behalf of one component (``default-scheduler``, ``kubelet`` ...)."""

    def __init__(self, api: APIServer, component: str, host: str | None = None) -> None:
        self.api = api
        self.component = component
        self.host = host
        self._recent: dict[tuple, dict] = {}
        self._aggregator = EventAggregator()

    def event(self, obj: dict, type_: str, reason: str, message: str) -> dict | None:
        """Record ``reason``/``message`` about ``obj``; ``type_`` is "Normal" or "Warning"."""
        meta = obj["metadata"]
        namespace = meta.get("namespace", "default")
        now = self.api.clock.now
        # The recorder's own source and reporting fields are the same for all its events, so
        # the object, type and reason complete EventAggregatorByReasonFunc's key.
        group_key = (obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"],
                     meta.get("uid", ""), type_, reason)
        if self._aggregator.is_aggregated(group_key, message, now):
            # The aggregate is one event per group, carrying the latest message.
            signature = (group_key, None)
            message = COMBINED_PREFIX + message
        else:
            signature = (group_key, message)
        repeat = self._recent.get(signature)
        if repeat is not None and self.api.try_get("Event", repeat["metadata"]["name"],
                                                     namespace) is repeat:
            repeat["count"] += 1
            repeat["lastTimestamp"] = timestamp(now)
            repeat["message"] = message
            self.api.update_status(repeat, user=self.component)
            return repeat
        # Upstream names an event <object>.<unix nanoseconds in hex>; simulated time plus the
        # store's revision keeps names unique across recorders and the same on every run.
        nanos = int((EPOCH.timestamp() + now) * 1e9) + self.api.store.revision
        source = {"component": self.component, **({"host": self.host} if self.host else {})}
        involved = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": meta["name"],
                    "uid": meta.get("uid", "")}
        if "namespace" in meta:
            involved["namespace"] = meta["namespace"]
        manifest = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{meta['name']}.{nanos:x}", "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": timestamp(now),
            "lastTimestamp": timestamp(now),
            "count": 1,
            "type": type_,
            "reportingComponent": self.component,
            "reportingInstance": self.host or "",
        }
        try:
            event = self.api.create(manifest, user=self.component, handed_over=True)
        except APIError:
            # client-go drops an event the server rejects ("Server rejected event ... (will not
            # retry!)"), e.g. in a namespace that is being terminated.
            return None
        self._recent[signature] = event
        self.api.clock.call_later(EVENT_TTL_SECONDS, self._expire, namespace, signature, event)
        return event

    def _expire(self, namespace: str, signature: tuple, event: dict) -> None:
        """Drop an event an hour after it last happened, as the API server's TTL does."""
        name = event["metadata"]["name"]
        if self.api.try_get("Event", name, namespace) is not event:
            self._recent.pop(signature, None)
            return
        idle = self.api.clock.now - seconds_of(event["lastTimestamp"])
        if idle >= EVENT_TTL_SECONDS:
            self._recent.pop(signature, None)
            self.api.delete("Event", name, namespace, user=self.component)
        else:
            self.api.clock.call_later(EVENT_TTL_SECONDS - idle, self._expire, namespace,
                                      signature, event)


def events_for(api: APIServer, obj: dict, namespace: str | None = None) -> list[dict]:
    """The events about ``obj``, oldest first (what ``kubectl describe`` lists at its end)."""
    meta = obj["metadata"]
    ns = namespace or meta.get("namespace", "default")
    found = [e for e in api.list("Event", namespace=ns)
             if e["involvedObject"]["name"] == meta["name"]
             and e["involvedObject"]["kind"] == obj["kind"]]
    return sorted(found, key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
