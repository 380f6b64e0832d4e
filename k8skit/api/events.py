"""Events: the cluster's diary, as ``kubectl get events`` and ``kubectl describe`` show it.

Components record what they did or saw (``Scheduled``, ``Pulling``, ``BackOff`` ...) as core/v1
Event objects through the API server, like client-go's event recorder. A repeat of the same event
(same object, reason, message and source) does not make a new object: the recorder bumps
``count`` and ``lastTimestamp``, which is why describe shows ``x4 over 2m``.

Sources: ``staging/src/k8s.io/client-go/tools/record/events_cache.go`` (the correlator) and the
API server's ``--event-ttl`` (default 1 h), after which events disappear.
"""

from __future__ import annotations

from k8skit.api.errors import APIError
from k8skit.api.meta import EPOCH, seconds_of, timestamp
from k8skit.api.server import APIServer

EVENT_TTL_SECONDS = 3600  # kube-apiserver --event-ttl default


class EventRecorder:
    """Records events on behalf of one component (``default-scheduler``, ``kubelet`` ...)."""

    def __init__(self, api: APIServer, component: str, host: str | None = None) -> None:
        self.api = api
        self.component = component
        self.host = host
        self._recent: dict[tuple, dict] = {}

    def event(self, obj: dict, type_: str, reason: str, message: str) -> dict | None:
        """Record ``reason``/``message`` about ``obj``; ``type_`` is "Normal" or "Warning"."""
        meta = obj["metadata"]
        namespace = meta.get("namespace", "default")
        now = self.api.clock.now
        signature = (meta.get("uid", ""), meta["name"], obj["kind"], type_, reason, message)
        repeat = self._recent.get(signature)
        if repeat is not None and self.api.try_get("Event", repeat["metadata"]["name"],
                                                     namespace) is repeat:
            repeat["count"] += 1
            repeat["lastTimestamp"] = timestamp(now)
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
            event = self.api.create(manifest, user=self.component)
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
