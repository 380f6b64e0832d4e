"""The taint-eviction controller: evict pods from nodes with NoExecute taints they don't tolerate.

Source: ``pkg/controller/tainteviction/taint_eviction.go`` (the NoExecuteTaintManager, a
controller of its own since v1.29) and ``docs/concepts/scheduling-eviction/
taint-and-toleration.md`` (Taint based evictions).

A ``NoExecute`` taint evicts the pods already running on a node:

- a pod that does not tolerate the taint is deleted at once;
- a pod that tolerates it with ``tolerationSeconds`` stays that long, then is deleted (the API
  server gives every pod ``node.kubernetes.io/not-ready`` and ``.../unreachable`` tolerations of
  300 s, which is why pods leave a failed node about five minutes after it went NotReady);
- a pod that tolerates it without ``tolerationSeconds`` stays for good.

If the taint goes before the time is up, the eviction is cancelled. Each eviction is recorded
on the pod (``TaintManagerEviction``: ``Marking for deletion Pod default/web-x``), the pod gets
a ``DisruptionTarget`` condition and is deleted gracefully; on an unreachable node it then stays
Terminating until its kubelet comes back or someone force-deletes it, while its ReplicaSet has
already made a replacement elsewhere.
"""

from __future__ import annotations

import contextlib

from k8skit.api.errors import NotFound
from k8skit.api.events import EventRecorder
from k8skit.api.meta import timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock, Timer
from k8skit.control_plane.controllers.controller_utils import pod_condition
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.scheduler.plugins.helpers import tolerates

COMPONENT = "taint-eviction-controller"


def matching_tolerations(taints: list[dict], tolerations: list[dict]) -> list[dict] | None:
    """For each taint the first toleration that tolerates it; None if one is not tolerated
    (v1helper.GetMatchingTolerations)."""
    used = []
    for taint in taints:
        toleration = next((t for t in tolerations if tolerates(t, taint)), None)
        if toleration is None:
            return None
        used.append(toleration)
    return used


def min_toleration_seconds(tolerations: list[dict]) -> float | None:
    """How long the pod may stay: the smallest ``tolerationSeconds`` (0 if some is <= 0);
    None means forever (no toleration sets a limit)."""
    if not tolerations:
        return 0.0
    limits = [t["tolerationSeconds"] for t in tolerations if t.get("tolerationSeconds") is not None]
    if not limits:
        return None
    return float(max(min(limits), 0))


class TaintEvictionController:
    """Schedules and carries out the eviction of pods from NoExecute-tainted nodes."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.recorder = EventRecorder(api, COMPONENT)
        self._tainted: dict[str, list[dict]] = {}
        self._scheduled: dict[tuple[str, str], Timer] = {}
        informers.informer("Node").add_handler(self._node_changed)
        informers.informer("Pod").add_handler(self._pod_changed)

    # -- handlers ---------------------------------------------------------------------------------
    def _node_changed(self, event_type: str, node: dict) -> None:
        name = node["metadata"]["name"]
        taints = [] if event_type == "DELETED" else [
            t for t in node["spec"].get("taints") or () if t.get("effect") == "NoExecute"]
        if taints == self._tainted.get(name, []):
            return
        if taints:
            self._tainted[name] = taints
        else:
            self._tainted.pop(name, None)
        if event_type == "DELETED":
            return
        now = self.clock.now
        for pod in self.api.pods_on_node(name):
            if taints:
                self._process_pod(pod, taints, now)
            else:
                self._cancel(_key(pod))

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        key = _key(pod)
        node = pod["spec"].get("nodeName")
        if event_type == "DELETED" or not node:
            self._cancel(key, quietly=event_type == "DELETED")
            return
        taints = self._tainted.get(node)
        if taints:
            self._process_pod(pod, taints, self.clock.now)
        else:
            self._cancel(key)

    # -- processPodOnNode -------------------------------------------------------------------------
    def _process_pod(self, pod: dict, taints: list[dict], now: float) -> None:
        key = _key(pod)
        used = matching_tolerations(taints, pod["spec"].get("tolerations") or [])
        if used is None:
            self._cancel(key)
            self._schedule(key, now)
            return
        seconds = min_toleration_seconds(used)
        if seconds is None:
            self._cancel(key)
            return
        if key in self._scheduled:
            # Already counting down: the clock started when the pod first met the taint.
            return
        self._schedule(key, now + seconds)

    def _schedule(self, key: tuple[str, str], fire_at: float) -> None:
        self._scheduled[key] = self.clock.call_at(fire_at, self._evict, key)

    def _cancel(self, key: tuple[str, str], quietly: bool = False) -> None:
        scheduled = self._scheduled.pop(key, None)
        if scheduled is None:
            return
        scheduled.cancel()
        if not quietly:
            pod = self.api.try_get("Pod", key[1], key[0])
            if pod is not None:
                self.recorder.event(pod, "Normal", "TaintManagerEviction",
                                    f"Cancelling deletion of Pod {key[0]}/{key[1]}")

    def _evict(self, key: tuple[str, str]) -> None:
        """Record the eviction, mark the pod DisruptionTarget and delete it gracefully."""
        self._scheduled.pop(key, None)
        namespace, name = key
        pod = self.api.try_get("Pod", name, namespace)
        if pod is None:
            return
        self.recorder.event(pod, "Normal", "TaintManagerEviction",
                            f"Marking for deletion Pod {namespace}/{name}")
        target = pod_condition(pod, "DisruptionTarget")
        if target is None or target.get("status") != "True":
            conditions = [c for c in pod.setdefault("status", {}).get("conditions") or ()
                          if c.get("type") != "DisruptionTarget"]
            conditions.append({"type": "DisruptionTarget", "status": "True",
                               "lastTransitionTime": timestamp(self.clock.now),
                               "reason": "DeletionByTaintManager",
                               "message": "Taint manager: deleting due to NoExecute taint"})
            pod["status"]["conditions"] = conditions
            self.api.update_status(pod, user=COMPONENT)
        with contextlib.suppress(NotFound):
            self.api.delete("Pod", name, namespace, user=COMPONENT)


def _key(pod: dict) -> tuple[str, str]:
    return (pod["metadata"].get("namespace", "default"), pod["metadata"]["name"])
