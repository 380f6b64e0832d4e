"""The ReplicaSet controller: keep ``spec.replicas`` pods matching the selector alive.

Source: ``pkg/controller/replicaset/replica_set.go`` and ``replica_set_utils.go``.

Each sync of a ReplicaSet:

1. claims its pods: adopts orphans of its namespace that match the selector and releases pods
   it owns that no longer match. Only *active* pods count (not finished, not being deleted: a
   Terminating pod is already on its way out, so its replacement is created at once);
2. compares their number with ``spec.replicas``: too few -> create pods from the template in
   slow-start batches (1, 2, 4, ...; at most 500 per sync), recording ``SuccessfulCreate``
   ``Created pod: web-7d4b9c-x2x9q``; too many -> delete the pods that cost least to lose
   (:mod:`~k8skit.control_plane.controllers.deletion_order`),
   recording ``SuccessfulDelete``;
3. writes ``status``: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
   (ready for longer than ``minReadySeconds``), observedGeneration, and a ReplicaFailure
   condition when creating or deleting pods failed. As upstream, the status counts the pods
   found at the start of the sync; pods it creates are counted by the next one.

Upstream recounts every pod of the ReplicaSet at each sync. Here the counts are kept as pod
events arrive (:class:`Tally`: one update per pod change), so a sync costs the same for 3 pods
or 3,000; the numbers are the ones a recount would give.
"""

from __future__ import annotations

import bisect
import copy
from dataclasses import dataclass, field

from k8skit.api.errors import APIError
from k8skit.api.events import EventRecorder
from k8skit.api.labels import Selector
from k8skit.api.meta import controller_of, timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.controller_utils import (
    BURST_REPLICAS,
    SLOW_START_INITIAL_BATCH_SIZE,
    PodControl,
    claim_objects,
    is_being_deleted,
    is_pod_active,
    replicas_of,
    slow_start_batch,
)
from k8skit.control_plane.controllers.deletion_order import DeletionCandidate, DeletionOrder
from k8skit.control_plane.controllers.informer import (
    BY_CONTROLLER_UID,
    ORPHAN,
    SharedInformerFactory,
)
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "replicaset-controller"


@dataclass(frozen=True)
class PodFacts:
    """What the controller needs to know of one pod, read when the pod last changed."""

    owner: str  # the uid of its ReplicaSet controller, "" if it has none
    mismatched: bool  # active and owned, but no longer matching: to be released
    fully_labeled: bool  # carries every label of the owner's pod template
    # Set when the pod is one of its owner's replicas (active and matching the selector): its
    # node, readiness and place in the scale-down order.
    replica: DeletionCandidate | None = None


@dataclass
class Tally:
    """A ReplicaSet's replica counts, kept up to date pod change by pod change."""

    replicas: int = 0
    fully_labeled: int = 0
    ready_since: list[float] = field(default_factory=list)  # sorted
    mismatched: set[str] = field(default_factory=set)  # pod uids
    on_node: dict[str, int] = field(default_factory=dict)  # replicas per node
    deletion_order: DeletionOrder = field(default_factory=DeletionOrder)

    def add(self, uid: str, facts: PodFacts, sign: int) -> None:
        if facts.mismatched:
            (self.mismatched.add if sign > 0 else self.mismatched.discard)(uid)
        replica = facts.replica
        if replica is None:
            return
        self.replicas += sign
        if sign > 0:
            self.deletion_order.add(replica)
        else:
            self.deletion_order.discard(uid)
        self.fully_labeled += sign * facts.fully_labeled
        self.on_node[replica.node] = self.on_node.get(replica.node, 0) + sign
        if replica.ready:
            # A Ready condition without a transition time counts from the cluster's start.
            since = replica.ready_since or 0.0
            if sign > 0:
                bisect.insort(self.ready_since, since)
            else:
                del self.ready_since[bisect.bisect_left(self.ready_since, since)]

    def available(self, min_ready_seconds: int, now: float) -> int:
        """Pods ready for longer than ``minReadySeconds`` (podutil.IsPodAvailable: strictly)."""
        if not min_ready_seconds:
            return len(self.ready_since)
        return bisect.bisect_left(self.ready_since, now - min_ready_seconds)

    def next_available_at(self, min_ready_seconds: int, now: float) -> float | None:
        """When the next ready-but-not-yet-available pod becomes available."""
        waiting = self.available(min_ready_seconds, now)
        if not min_ready_seconds or waiting == len(self.ready_since):
            return None
        return self.ready_since[waiting] + min_ready_seconds


@dataclass(frozen=True)
class _Owner:
    """The parts of a ReplicaSet that decide which pods count, parsed once."""

    selector_spec: dict | None
    selector: Selector
    template_labels: tuple[tuple[str, str], ...]


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
        self._facts: dict[str, PodFacts] = {}
        self._tallies: dict[str, Tally] = {}
        self._owners: dict[str, _Owner] = {}
        self.replica_sets.add_handler(self._replica_set_changed)
        self.pods.add_handler(self._pod_changed)

    # -- watch handlers: keep the tallies, queue keys -------------------------------------------
    def _replica_set_changed(self, event_type: str, rs: dict) -> None:
        uid = rs["metadata"]["uid"]
        if event_type == "DELETED":
            self._owners.pop(uid, None)
            return
        owner = self._owner(rs)
        if owner is not self._owners.get(uid):
            # New, or its selector or template labels changed: recount its pods.
            self._owners[uid] = owner
            for pod in self.pods.by_index(BY_CONTROLLER_UID, uid):
                self._refresh(pod)
        self.queue.add(_key(rs))

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        self._refresh(pod, removed=event_type == "DELETED")
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
            if self._owner(rs).selector.matches(labels):
                self.queue.add(_key(rs))

    def _owner(self, rs: dict) -> _Owner:
        spec = rs["spec"].get("selector")
        labels = tuple(sorted(((rs["spec"].get("template", {}).get("metadata") or {})
                               .get("labels") or {}).items()))
        cached = self._owners.get(rs["metadata"]["uid"])
        if cached is not None and cached.selector_spec == spec \
                and cached.template_labels == labels:
            return cached
        return _Owner(copy.deepcopy(spec), Selector.from_label_selector(spec), labels)

    def _refresh(self, pod: dict, removed: bool = False) -> None:
        """Move one pod's contribution in the tallies to what it is now."""
        uid = pod["metadata"]["uid"]
        old = self._facts.pop(uid, None)
        if old is not None:
            self._tallies[old.owner].add(uid, old, -1)
        if removed:
            return
        facts = self._facts_of(pod)
        self._facts[uid] = facts
        self._tallies.setdefault(facts.owner, Tally()).add(uid, facts, +1)

    def _facts_of(self, pod: dict) -> PodFacts:
        ref = controller_of(pod)
        owner_uid = ref.get("uid", "") if ref is not None and ref.get("kind") == "ReplicaSet" \
            else ""
        rs = self.replica_sets.by_uid(owner_uid) if owner_uid else None
        active = is_pod_active(pod)
        if rs is None or not active:
            return PodFacts(owner_uid, False, False)
        owner = self._owner(rs)
        labels = pod["metadata"].get("labels") or {}
        if not owner.selector.matches(labels):
            return PodFacts(owner_uid, True, False)
        return PodFacts(owner_uid, False,
                        all(labels.get(k) == v for k, v in owner.template_labels),
                        DeletionCandidate.of(pod))

    # -- the sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        namespace, name = key
        rs = self.api.try_get("ReplicaSet", name, namespace)
        if rs is None:
            return
        uid = rs["metadata"]["uid"]
        self._claim(rs)
        tally = self._tallies.setdefault(uid, Tally())
        counted = tally.replicas
        status = _counts(tally, rs, self.clock.now)
        error = None
        if not is_being_deleted(rs):
            error = self.manage_replicas(counted, rs)
        self._update_status(rs, status, error)
        min_ready = rs["spec"].get("minReadySeconds", 0)
        next_at = tally.next_available_at(min_ready, self.clock.now)
        if next_at is not None:
            # Nothing else would wake the controller when a pod has been ready long enough,
            # so upstream requeues minReadySeconds + 1 s after a pod turns ready.
            self.queue.add_after(key, next_at + 1 - self.clock.now)
        if error is not None:
            raise error

    def _claim(self, rs: dict) -> None:
        """Adopt matching orphans and release owned pods that no longer match (claimPods)."""
        uid = rs["metadata"]["uid"]
        namespace = rs["metadata"].get("namespace", "default")
        orphans = [p for p in self.pods.by_index(BY_CONTROLLER_UID, ORPHAN + namespace)
                   if is_pod_active(p)]
        to_release = self._tallies.get(uid, _NO_TALLY).mismatched
        mismatched = [p for p in self.pods.by_index(BY_CONTROLLER_UID, uid)
                      if p["metadata"]["uid"] in to_release] if to_release else []
        if not orphans and not mismatched:
            return
        claim_objects(self.api, rs, self._owner(rs).selector, orphans + mismatched, COMPONENT)
        for pod in orphans + mismatched:
            live = self.api.try_get("Pod", pod["metadata"]["name"], namespace)
            if live is not None:
                self.pods.record_write(live)
                self._refresh(live)

    def manage_replicas(self, counted: int, rs: dict) -> APIError | None:
        """Create or delete pods so that the count moves to ``spec.replicas``."""
        diff = counted - replicas_of(rs)
        if diff < 0:
            _, error = slow_start_batch(min(-diff, BURST_REPLICAS), SLOW_START_INITIAL_BATCH_SIZE,
                                        lambda: self._create_pod(rs))
            return error
        if diff > 0:
            order = self._tallies.get(rs["metadata"]["uid"], _NO_TALLY).deletion_order
            victims = order.first(min(diff, BURST_REPLICAS), self._family_on_node(rs),
                                  self.clock.now)
            first_error = None
            for pod in victims:
                try:
                    self.pod_control.delete_pod(pod, rs)
                except APIError as error:
                    first_error = first_error or error
                    continue
                self._forget_or_refresh(pod)
            return first_error
        return None

    def _create_pod(self, rs: dict) -> None:
        pod = self.pod_control.create_pod(rs["spec"]["template"], rs)
        self.pods.record_write(pod)
        self._refresh(pod)

    def _forget_or_refresh(self, pod: dict) -> None:
        """After deleting a pod: it is gone (never scheduled) or Terminating."""
        live = self.api.try_get("Pod", pod["metadata"]["name"], pod["metadata"]["namespace"])
        if live is None or live["metadata"]["uid"] != pod["metadata"]["uid"]:
            self.pods.record_removal(pod)
            self._refresh(pod, removed=True)
        else:
            self._refresh(live)

    def _family_on_node(self, rs: dict) -> dict[str, int]:
        """Replicas per node of every ReplicaSet with the same controller (upstream ranks by
        getIndirectlyRelatedPods): the old and new ReplicaSets of one Deployment count
        together. A ReplicaSet without a controller ranks nothing."""
        ref = controller_of(rs)
        if ref is None:
            return {}
        counts: dict[str, int] = {}
        for sibling in self.replica_sets.by_index(BY_CONTROLLER_UID, ref.get("uid", "")):
            for node, count in self._tallies.get(sibling["metadata"]["uid"],
                                                 _NO_TALLY).on_node.items():
                counts[node] = counts.get(node, 0) + count
        return counts

    # -- status ---------------------------------------------------------------------------------
    def _update_status(self, rs: dict, counts: dict, error: APIError | None) -> None:
        new_status = dict(counts)
        conditions = _failure_conditions(rs, counts["replicas"], error, self.clock.now)
        if conditions:
            new_status["conditions"] = conditions
        new_status["observedGeneration"] = rs["metadata"].get("generation", 1)
        if rs.get("status") == new_status:
            return
        rs["status"] = new_status
        self.api.update_status(rs, user=COMPONENT)


_NO_TALLY = Tally()


def _counts(tally: Tally, rs: dict, now: float) -> dict:
    """The counters of the ReplicaSet's status (calculateStatus); zero counts are left out, as
    the API's ``omitempty`` fields are."""
    counts = {"replicas": tally.replicas}
    for field_name, value in (
            ("fullyLabeledReplicas", tally.fully_labeled),
            ("readyReplicas", len(tally.ready_since)),
            ("availableReplicas", tally.available(rs["spec"].get("minReadySeconds", 0), now))):
        if value:
            counts[field_name] = value
    return counts


def _failure_conditions(rs: dict, counted: int, error: APIError | None,
                        now: float) -> list[dict]:
    """The status conditions with ReplicaFailure set while creating or deleting pods fails."""
    conditions = [dict(c) for c in rs.get("status", {}).get("conditions") or ()]
    failure = next((c for c in conditions if c["type"] == "ReplicaFailure"), None)
    if error is not None and failure is None:
        diff = counted - replicas_of(rs)
        condition = {"type": "ReplicaFailure", "status": "True",
                     "lastTransitionTime": timestamp(now), "message": error.message}
        if diff:
            condition["reason"] = "FailedCreate" if diff < 0 else "FailedDelete"
        conditions.append(condition)
    elif error is None and failure is not None:
        conditions.remove(failure)
    return conditions


def _key(rs: dict) -> tuple[str, str]:
    return (rs["metadata"].get("namespace", "default"), rs["metadata"]["name"])
