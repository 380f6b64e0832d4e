"""kube-scheduler: watch pending pods, pick a node for each, bind it.

Source: ``pkg/scheduler/scheduler.go``, ``schedule_one.go``, ``eventhandlers.go``. The scheduler
watches Pods and Nodes through the API server like any other client:

- nodes, and pods already on nodes, go into its cache (:class:`NodeTable`);
- pods with no ``spec.nodeName`` whose ``spec.schedulerName`` is ``default-scheduler`` go into
  its queue.

It then takes one pod per cycle: filter, score, pick the best node, *assume* the pod onto it in
the cache (so the next cycle already sees the room taken), and bind it: the API server's copy
gets ``spec.nodeName`` and the condition ``PodScheduled=True``, and an event ``Scheduled``
says ``Successfully assigned default/web-abc to worker-1``. The kubelet of that node, watching
for pods bound to it, takes over from there. A pod that fits nowhere stays Pending with
``PodScheduled=False`` (reason ``Unschedulable``) and a ``FailedScheduling`` warning that names
the reasons, and waits in the queue for the cluster to change.
"""

from __future__ import annotations

import random

from k8skit.api.errors import APIError
from k8skit.api.events import EventRecorder
from k8skit.api.meta import condition, set_condition
from k8skit.api.server import APIServer
from k8skit.api.store import WatchEvent
from k8skit.clock import Clock, Timer
from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.explanation import Explanation, explain
from k8skit.control_plane.scheduler.framework import Profile
from k8skit.control_plane.scheduler.plugins import default_profile
from k8skit.control_plane.scheduler.pod_info import DEFAULT_SCHEDULER_NAME, PodInfo
from k8skit.control_plane.scheduler.queue import QueuedPodInfo, SchedulingQueue
from k8skit.control_plane.scheduler.schedule_one import CycleResult, schedule_pod

# How many past decisions :meth:`Scheduler.last_explanation` keeps (the most recent pods).
EXPLANATION_HISTORY = 1000

_FINISHED_PHASES = ("Succeeded", "Failed")


def _fingerprint(pod: dict) -> str:
    """What of a pending pod can change whether it fits: everything but its status."""
    meta = pod["metadata"]
    return repr((pod.get("spec"), meta.get("labels"), meta.get("annotations")))


class Scheduler:
    """The ``default-scheduler``: ``Scheduler(api, clock, rng)``."""

    def __init__(self, api: APIServer, clock: Clock, rng: random.Random,
                 profile: Profile | None = None) -> None:
        self.api = api
        self.clock = clock
        self.rng = rng
        self.profile = profile or default_profile()
        self.name = self.profile.scheduler_name
        self.nodes = NodeTable()
        self.queue = SchedulingQueue(clock, self._wake)
        self.recorder = EventRecorder(api, self.name)
        self._next_start_node_index = 0
        self._pump: Timer | None = None
        self._fingerprints: dict[str, str] = {}
        # (namespace, name) -> the last decision's result and its time, most recent last.
        self._history: dict[tuple[str, str], tuple[CycleResult, float]] = {}
        # The informers: list what exists, then watch for changes.
        for node in api.list("Node"):
            self._node_changed(node)
        for pod in api.list("Pod"):
            self._pod_changed(pod)
        api.watch("Node", self._on_node_event)
        api.watch("Pod", self._on_pod_event)

    # -- informers ----------------------------------------------------------------------------
    def _on_node_event(self, event: WatchEvent) -> None:
        if event.type == "DELETED":
            self.nodes.remove_node(event.object["metadata"]["name"])
        else:
            self._node_changed(event.object)

    def _node_changed(self, node: dict) -> None:
        generation = self.nodes.generation
        self.nodes.set_node(node)
        if self.nodes.generation != generation:
            # A new node, or new labels, taints, allocatable or images: worth a retry.
            self.queue.move_all_to_active_or_backoff()

    def _on_pod_event(self, event: WatchEvent) -> None:
        if event.type == "DELETED":
            self._pod_gone(event.object["metadata"].get("uid", ""))
        else:
            self._pod_changed(event.object)

    def _pod_gone(self, uid: str) -> None:
        self.queue.delete(uid)
        self._fingerprints.pop(uid, None)
        if self.nodes.remove_pod(uid) is not None:
            # The room it took is free again.
            self.queue.move_all_to_active_or_backoff()

    def _pod_changed(self, pod: dict) -> None:
        uid = pod["metadata"].get("uid", "")
        if (pod.get("status") or {}).get("phase") in _FINISHED_PHASES:
            # The scheduler's informer ignores finished pods: their requests no longer count.
            self._pod_gone(uid)
            return
        cached = self.nodes.pods.get(uid)
        if (pod.get("spec") or {}).get("nodeName"):
            if cached is not None and cached.still_describes(pod):
                if cached.assumed:
                    # Our own binding has arrived: the assumption holds.
                    cached.assumed = False
                    self.queue.delete(uid)
                    self._fingerprints.pop(uid, None)
                return
            self.queue.delete(uid)
            self._fingerprints.pop(uid, None)
            self.nodes.set_pod(PodInfo(pod))
            return
        if cached is not None and cached.assumed:
            return  # our own binding is on its way
        if ((pod.get("spec") or {}).get("schedulerName") or DEFAULT_SCHEDULER_NAME) != self.name:
            return
        if "deletionTimestamp" in pod["metadata"]:
            self.queue.delete(uid)
            return
        fingerprint = _fingerprint(pod)
        changed = self._fingerprints.get(uid) != fingerprint
        self._fingerprints[uid] = fingerprint
        if uid not in self.queue:
            self.queue.add(PodInfo(pod))
        elif changed:
            self.queue.update(PodInfo(pod), changed=True)

    # -- the scheduling loop ------------------------------------------------------------------
    def _wake(self) -> None:
        if self._pump is None:
            self._pump = self.clock.call_soon(self._run)

    def _run(self) -> None:
        """One cycle per clock callback, so watch events can interleave between cycles."""
        self._pump = None
        self.schedule_one()
        if self.queue.has_active():
            self._wake()

    def schedule_one(self) -> CycleResult | None:
        """Take the next pending pod and decide where it goes (the scheduling cycle).

        The binding, or the report of a failure, is written to the API server a moment later
        on the clock, as upstream's binding cycle runs beside the next scheduling cycle.
        """
        queued = self.queue.pop()
        if queued is None:
            return None
        info = queued.info
        result, self._next_start_node_index = schedule_pod(
            self.profile, self.nodes, info, self._next_start_node_index, self.rng)
        self._remember(info, result)
        if result.chosen is None:
            self.queue.add_unschedulable(queued)
            self.clock.call_soon(self._report_failure, info, result.message)
            return result
        self.nodes.assume(info, result.chosen)
        self.queue.done(info.uid)
        self.clock.call_soon(self._bind, queued, result.chosen)
        return result

    def _bind(self, queued: QueuedPodInfo, node_name: str) -> None:
        """DefaultBinder: write the decision to the API server (the pods/binding call)."""
        info = queued.info
        pod = self.api.try_get("Pod", info.name, info.namespace)
        if (pod is None or pod["metadata"].get("uid") != info.uid
                or "deletionTimestamp" in pod["metadata"]):
            self.nodes.remove_pod(info.uid)   # the pod went away meanwhile
            return
        if pod["spec"].get("nodeName"):
            return
        pod["spec"]["nodeName"] = node_name
        set_condition(pod, condition("PodScheduled", "True", self.clock.now))
        try:
            self.api.update(pod, user=f"system:{self.name}")
        except APIError:
            pod["spec"].pop("nodeName", None)
            self.nodes.remove_pod(info.uid)
            self.queue.requeue_after_error(queued)
            return
        self.recorder.event(pod, "Normal", "Scheduled",
                            f"Successfully assigned {info.namespace}/{info.name} to {node_name}")

    def _report_failure(self, info: PodInfo, message: str) -> None:
        """FailedScheduling event, and PodScheduled=False on the pod (handleSchedulingFailure)."""
        pod = self.api.try_get("Pod", info.name, info.namespace)
        if pod is None or pod["metadata"].get("uid") != info.uid or pod["spec"].get("nodeName"):
            return
        self.recorder.event(pod, "Warning", "FailedScheduling", message)
        if set_condition(pod, condition("PodScheduled", "False", self.clock.now,
                                        reason="Unschedulable", message=message)):
            self.api.update_status(pod, user=f"system:{self.name}")

    # -- explanations -------------------------------------------------------------------------
    def _remember(self, info: PodInfo, result: CycleResult) -> None:
        key = (info.namespace, info.name)
        self._history.pop(key, None)
        self._history[key] = (result, self.clock.now)
        if len(self._history) > EXPLANATION_HISTORY:
            del self._history[next(iter(self._history))]

    def last_explanation(self, namespace: str, name: str) -> Explanation | None:
        """Why the scheduler put (or could not put) this pod where it did, the last time it
        tried: per node, the filter that rejected it or every score plugin's points."""
        found = self._history.get((namespace, name))
        if found is None:
            return None
        result, time = found
        return explain(result, time)

    def explain(self, pod: dict) -> Explanation:
        """Where would this pod go if it were scheduled now? Every node is evaluated.

        Nothing changes: no binding, no event, and the scheduler's own random draws and node
        rotation are untouched. A pod already on a node is taken off it for the evaluation and
        judged as the pending pod it was; a manifest that sets ``spec.nodeName`` itself is
        judged with that node name (the NodeName filter).
        """
        info = PodInfo(pod)
        placed = self.nodes.remove_pod(info.uid)
        if placed is not None:
            info.node_name = ""  # judge it as the pending pod it once was
        try:
            result, _ = schedule_pod(self.profile, self.nodes, info, 0,
                                     random.Random(info.uid), evaluate_all=True)
        finally:
            if placed is not None:
                self.nodes.restore_pod(placed)
        return explain(result, self.clock.now)
