"""The ReplicaSet controller: keep ``spec.replicas`` pods matching the selector alive.

Source: ``pkg/controller/replicaset/replica_set.go`` and ``replica_set_utils.go``.

Each sync of a ReplicaSet:

1. gathers the pods it controls plus the orphans of its namespace, keeps the *active* ones
   (not finished, not being deleted: a Terminating pod is already on its way out, so its
   replacement is created at once), adopts orphans that match the selector and releases pods
   that no longer match;
2. compares their number with ``spec.replicas``: too few -> create pods from the template in
   slow-start batches (1, 2, 4, ...; at most 500 per sync), recording ``SuccessfulCreate``
   ``Created pod: web-7d4b9c-x2x9q``; too many -> delete the pods that cost least to lose
   (:func:`~k8skit.control_plane.controllers.controller_utils.compare_pods_for_deletion`),
   recording ``SuccessfulDelete``;
3. writes ``status``: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
   (ready for longer than ``minReadySeconds``), observedGeneration, and a ReplicaFailure
   condition when creating or deleting pods failed.
"""

from __future__ import annotations

import functools

from k8skit.api.errors import APIError
from k8skit.api.events import EventRecorder
from k8skit.api.labels import Selector
from k8skit.api.meta import controller_of, seconds_of, timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.controller_utils import (
    BURST_REPLICAS,
    SLOW_START_INITIAL_BATCH_SIZE,
    PodControl,
    claim_objects,
    compare_pods_for_deletion,
    is_being_deleted,
    is_pod_active,
    is_pod_available,
    is_pod_ready,
    pod_condition,
    replicas_of,
    slow_start_batch,
)
from k8skit.control_plane.controllers.informer import (
    BY_CONTROLLER_UID,
    ORPHAN,
    SharedInformerFactory,
)
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "replicaset-controller"


class ReplicaSetController:
    """Reconciles every ReplicaSet's pods with its ``spec.replicas``."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.recorder = EventRecorder(api, COMPONENT)
        self.pod_control = PodControl(api, self.recorder)
        self.pods = informers.informer("Pod")
        self.replica_sets = informers.informer("ReplicaSet")
        self.queue = WorkQueue(clock, self.sync)
        self.replica_sets.add_handler(self._replica_set_changed)
        self.pods.add_handler(self._pod_changed)

    # -- watch handlers: they only queue keys ---------------------------------------------------
    def _replica_set_changed(self, event_type: str, rs: dict) -> None:
        if event_type != "DELETED":
            self.queue.add(_key(rs))

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        ref = controller_of(pod)
        if ref is not None:
            if ref.get("kind") == "ReplicaSet":
                owner = self.replica_sets.by_uid(ref.get("uid", ""))
                if owner is not None:
                    self.queue.add(_key(owner))
            return
        if event_type == "DELETED":
            return
        # An orphan: every ReplicaSet whose selector matches may want to adopt it.
        labels = pod["metadata"].get("labels")
        for rs in self.replica_sets.list(pod["metadata"].get("namespace", "default")):
            if Selector.from_label_selector(rs["spec"].get("selector")).matches(labels):
                self.queue.add(_key(rs))

    # -- the sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        namespace, name = key
        rs = self.api.try_get("ReplicaSet", name, namespace)
        if rs is None:
            return
        selector = Selector.from_label_selector(rs["spec"].get("selector"))
        candidates = (self.pods.by_index(BY_CONTROLLER_UID, rs["metadata"]["uid"])
                      + self.pods.by_index(BY_CONTROLLER_UID, ORPHAN + namespace))
        active = [pod for pod in candidates if is_pod_active(pod)]
        pods = claim_objects(self.api, rs, selector, active, COMPONENT)
        error = None
        if not is_being_deleted(rs):
            error = self.manage_replicas(pods, rs)
        self._update_status(rs, pods, error)
        self._requeue_for_availability(rs, pods)
        if error is not None:
            raise error

    def manage_replicas(self, pods: list[dict], rs: dict) -> APIError | None:
        """Create or delete pods so that ``len(pods)`` moves to ``spec.replicas``."""
        diff = len(pods) - replicas_of(rs)
        if diff < 0:
            _, error = slow_start_batch(min(-diff, BURST_REPLICAS), SLOW_START_INITIAL_BATCH_SIZE,
                                        lambda: self._create_pod(rs))
            return error
        if diff > 0:
            victims = pods_to_delete(pods, self._related_pods(rs), min(diff, BURST_REPLICAS),
                                     self.clock.now)
            first_error = None
            for pod in victims:
                try:
                    deleted = self.pod_control.delete_pod(pod, rs)
                except APIError as error:
                    first_error = first_error or error
                    continue
                if deleted is not None and self.api.try_get(
                        "Pod", pod["metadata"]["name"], pod["metadata"]["namespace"]) is None:
                    self.pods.record_removal(deleted)
            return first_error
        return None

    def _create_pod(self, rs: dict) -> None:
        self.pods.record_write(self.pod_control.create_pod(rs["spec"]["template"], rs))

    def _related_pods(self, rs: dict) -> list[dict]:
        """Pods of every ReplicaSet with the same controller (getIndirectlyRelatedPods): the
        old and new ReplicaSets of one Deployment count together when ranking victims."""
        ref = controller_of(rs)
        if ref is None:
            return []
        seen: dict[str, dict] = {}
        for sibling in self.replica_sets.by_index(BY_CONTROLLER_UID, ref.get("uid", "")):
            for pod in self.pods.by_index(BY_CONTROLLER_UID, sibling["metadata"]["uid"]):
                seen.setdefault(pod["metadata"]["uid"], pod)
        return list(seen.values())

    # -- status ---------------------------------------------------------------------------------
    def _update_status(self, rs: dict, pods: list[dict], error: APIError | None) -> None:
        new_status = calculate_status(rs, pods, error, self.clock.now)
        generation = rs["metadata"].get("generation", 1)
        new_status["observedGeneration"] = generation
        if rs.get("status") == new_status:
            return
        rs["status"] = new_status
        self.api.update_status(rs, user=COMPONENT)

    def _requeue_for_availability(self, rs: dict, pods: list[dict]) -> None:
        """Sync again when the next ready pod has been ready for ``minReadySeconds``.

        Nothing else would wake the controller then (no object changes), so upstream requeues
        the ReplicaSet ``minReadySeconds`` + 1 s after a pod turns ready.
        """
        min_ready = rs["spec"].get("minReadySeconds", 0)
        if not min_ready:
            return
        now = self.clock.now
        waiting = [seconds_of(pod_condition(pod, "Ready")["lastTransitionTime"]) + min_ready
                   for pod in pods
                   if is_pod_ready(pod) and not is_pod_available(pod, min_ready, now)]
        if waiting:
            self.queue.add_after(_key(rs), min(waiting) + 1 - now)


def pods_to_delete(pods: list[dict], related: list[dict], count: int, now: float) -> list[dict]:
    """The ``count`` pods to delete first (getPodsToDelete).

    Each pod is ranked by how many active pods of its owner's family run on its node, so that
    scaling down also spreads the survivors; then ordered by
    :func:`~k8skit.control_plane.controllers.controller_utils.compare_pods_for_deletion`.
    """
    if count >= len(pods):
        return list(pods)
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod["spec"].get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    ranked = [(pod, on_node.get(pod["spec"].get("nodeName") or "", 0)) for pod in pods]
    ranked.sort(key=functools.cmp_to_key(lambda a, b: compare_pods_for_deletion(a, b, now)))
    return [pod for pod, _ in ranked[:count]]


def calculate_status(rs: dict, pods: list[dict], error: APIError | None, now: float) -> dict:
    """The ReplicaSet's new status from its active pods (calculateStatus).

    Zero counts are left out, as the API's ``omitempty`` fields are.
    """
    template_labels = (rs["spec"].get("template", {}).get("metadata") or {}).get("labels") or {}
    min_ready = rs["spec"].get("minReadySeconds", 0)
    fully_labeled = ready = available = 0
    for pod in pods:
        labels = pod["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in template_labels.items()):
            fully_labeled += 1
        if is_pod_ready(pod):
            ready += 1
            if is_pod_available(pod, min_ready, now):
                available += 1
    status: dict = {"replicas": len(pods)}
    for field, value in (("fullyLabeledReplicas", fully_labeled), ("readyReplicas", ready),
                         ("availableReplicas", available)):
        if value:
            status[field] = value
    conditions = [dict(c) for c in rs.get("status", {}).get("conditions") or ()]
    failure = next((c for c in conditions if c["type"] == "ReplicaFailure"), None)
    if error is not None and failure is None:
        diff = len(pods) - replicas_of(rs)
        reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
        condition = {"type": "ReplicaFailure", "status": "True",
                     "lastTransitionTime": timestamp(now), "message": error.message}
        if reason:
            condition["reason"] = reason
        conditions.append(condition)
    elif error is None and failure is not None:
        conditions.remove(failure)
    if conditions:
        status["conditions"] = conditions
    return status


def _key(rs: dict) -> tuple[str, str]:
    return (rs["metadata"].get("namespace", "default"), rs["metadata"]["name"])
