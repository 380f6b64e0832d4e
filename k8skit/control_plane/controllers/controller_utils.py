"""What the workload controllers share: pod predicates, pod creation, adoption, victim order.

Source: ``pkg/controller/controller_utils.go`` and ``controller_ref_manager.go``. The ReplicaSet
controller creates and deletes pods through :class:`PodControl` (which records the
``SuccessfulCreate`` / ``SuccessfulDelete`` events), claims pods with :func:`claim_objects`
(adopting orphans that match its selector, releasing pods that no longer match), and picks which
pods to delete on scale-down with :func:`compare_for_deletion`.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from k8skit.api.errors import APIError, NotFound
from k8skit.api.events import EventRecorder
from k8skit.api.labels import Selector
from k8skit.api.meta import controller_of, owner_reference, seconds_of
from k8skit.api.server import APIServer

# Pod creation starts with one pod and doubles each round (slowStartBatch), so that a controller
# whose pods all fail to create (a quota, a terminating namespace) fails after one request, not
# after hundreds; and at most BURST_REPLICAS pods are created or deleted per sync
# (cmd/kube-controller-manager: --replicaset-controller burstReplicas = 500).
SLOW_START_INITIAL_BATCH_SIZE = 1
BURST_REPLICAS = 500

# controller.kubernetes.io/pod-deletion-cost (PodDeletionCost, beta and on by default since 1.22):
# pods with a lower cost are deleted first on scale-down.
POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


# -- pod predicates (pkg/api/v1/pod/util.go, controller_utils.go)
def pod_condition(pod: dict, type_: str) -> dict | None:
    for cond in pod.get("status", {}).get("conditions") or ():
        if cond.get("type") == type_:
            return cond
    return None


def is_pod_ready(pod: dict) -> bool:
    """The pod's Ready condition is True (podutil.IsPodReady)."""
    cond = pod_condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def is_pod_active(pod: dict) -> bool:
    """Not finished and not being deleted (controller.IsPodActive): what counts as a replica."""
    return (pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
            and not pod["metadata"].get("deletionTimestamp"))


def is_being_deleted(obj: dict) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


def replicas_of(obj: dict) -> int:
    """``spec.replicas`` (the API server defaults it to 1)."""
    return int(obj.get("spec", {}).get("replicas", 1))


# -- ReplicaSet orderings (controller_utils.go)
def by_creation(obj: dict) -> tuple[str, str]:
    """ReplicaSetsByCreationTimestamp: oldest first, then by name."""
    return (obj["metadata"].get("creationTimestamp", ""), obj["metadata"]["name"])


def sorted_by_size_newer(replica_sets: Iterable[dict]) -> list[dict]:
    """ReplicaSetsBySizeNewer: largest first; between equals the newer first (scaling up)."""
    newest_first = sorted(replica_sets, key=by_creation, reverse=True)
    return sorted(newest_first, key=replicas_of, reverse=True)


def sorted_by_size_older(replica_sets: Iterable[dict]) -> list[dict]:
    """ReplicaSetsBySizeOlder: largest first; between equals the older first (scaling down)."""
    return sorted(sorted(replica_sets, key=by_creation), key=replicas_of, reverse=True)


def filter_active_replica_sets(replica_sets: Iterable[dict | None]) -> list[dict]:
    """The ReplicaSets that want at least one pod (FilterActiveReplicaSets)."""
    return [rs for rs in replica_sets if rs is not None and replicas_of(rs) > 0]


# -- which pod goes first on scale-down (ActivePodsWithRanks.Less)
@functools.lru_cache(maxsize=8192)
def time_of(ts: str) -> float:
    """Simulated seconds of an API timestamp; cached, as controllers read the same few often."""
    return seconds_of(ts)


@dataclass(frozen=True)
class DeletionCandidate:
    """What the scale-down order compares about one pod, read once when the pod changes."""

    pod: dict
    unassigned: bool
    phase: int
    ready: bool
    cost: int
    ready_since: float | None
    restarts: int
    created: float | None
    uid: str
    node: str
    # Criteria 1-4 of compare_for_deletion as one sortable key: they depend on the pod alone,
    # unlike the rank (its neighbours) and the ages (the time of the sync).
    standing: tuple[bool, int, bool, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "standing",
                           (not self.unassigned, self.phase, self.ready, self.cost))

    @classmethod
    def of(cls, pod: dict) -> DeletionCandidate:
        meta, status = pod["metadata"], pod.get("status") or {}
        ready = is_pod_ready(pod)
        since = pod_condition(pod, "Ready").get("lastTransitionTime") if ready else None
        try:
            cost = int((meta.get("annotations") or {}).get(POD_DELETION_COST, "0"))
        except ValueError:
            cost = 0
        restarts = 0
        for container in status.get("containerStatuses") or ():
            restarts = max(restarts, container.get("restartCount", 0))
        created = meta.get("creationTimestamp")
        node = pod["spec"].get("nodeName") or ""
        return cls(pod, not node, _PHASE_ORDINAL.get(status.get("phase", ""), 0), ready, cost,
                   time_of(since) if since else None, restarts,
                   time_of(created) if created else None, meta.get("uid", ""), node)


# A candidate with its rank: how many active pods of its owner's family share its node.
Ranked = tuple[int, DeletionCandidate]


def _log2_age(moment: float, now: float) -> int:
    """LogarithmicScaleDown: an age's power of two, in nanoseconds as upstream, so pods of about
    the same age count as equal and the tie is broken at random (by UID)."""
    age = (now - moment) * 1e9
    return int(math.log2(age)) if age > 0 else -1


def ready_age_class(ready_since: float | None, now: float) -> int:
    """Criterion 6 of :func:`compare_for_deletion` as a key, for ready pods equal in 1-5: the
    power-of-two bucket of how long a pod has been ready (no ready time counts as the newest).
    Pods of one class are then told apart by the full comparison."""
    return -2 if ready_since is None else _log2_age(ready_since, now)


def compare_for_deletion(ranked_a: Ranked, ranked_b: Ranked, now: float) -> int:
    """-1 when the first pod should be deleted before the second.

    The order of ``ActivePodsWithRanks.Less`` (controller_utils.go), with the PodDeletionCost
    and LogarithmicScaleDown features on as in v1.33:

    1. unassigned before assigned; 2. Pending < Unknown < Running; 3. not ready before ready;
    4. lower ``pod-deletion-cost`` first; 5. more pods of the same owner on the same node
    (the rank) first; 6. ready for less time first; 7. more restarts first; 8. newer first.
    """
    rank_a, a = ranked_a
    rank_b, b = ranked_b
    if a.unassigned != b.unassigned:
        return -1 if a.unassigned else 1
    if a.phase != b.phase:
        return -1 if a.phase < b.phase else 1
    if a.ready != b.ready:
        return -1 if not a.ready else 1
    if a.cost != b.cost:
        return -1 if a.cost < b.cost else 1
    if rank_a != rank_b:
        return -1 if rank_a > rank_b else 1
    if a.ready and b.ready and a.ready_since != b.ready_since:
        return _newer_first(a.ready_since, b.ready_since, a, b, now)
    if a.restarts != b.restarts:
        return -1 if a.restarts > b.restarts else 1
    if a.created != b.created:
        return _newer_first(a.created, b.created, a, b, now)
    return 0


def _newer_first(t_a: float | None, t_b: float | None, a: DeletionCandidate,
                 b: DeletionCandidate, now: float) -> int:
    if t_a is None or t_b is None:
        # afterOrZero: an unset time counts as the newest.
        return -1 if t_a is None else 1
    diff = _log2_age(t_a, now) - _log2_age(t_b, now)
    if diff == 0:
        return -1 if a.uid < b.uid else 1
    return -1 if diff < 0 else 1


# -- creating and deleting pods (RealPodControl)
def pod_from_template(template: dict, owner: dict) -> dict:
    """The pod a controller creates from its template (GetPodFromTemplate).

    Labels, annotations and finalizers come from the template, the name is generated by the API
    server from ``<owner>-`` and the owner becomes the pod's controller.
    """
    meta = template.get("metadata") or {}
    pod_meta: dict = {"generateName": owner["metadata"]["name"] + "-",
                      "namespace": owner["metadata"].get("namespace", "default"),
                      "labels": dict(meta.get("labels") or {}),
                      "ownerReferences": [owner_reference(owner)]}
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    if meta.get("finalizers"):
        pod_meta["finalizers"] = list(meta["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


class PodControl:
    """Creates and deletes a controller's pods and records what it did as events."""

    def __init__(self, api: APIServer, recorder: EventRecorder) -> None:
        self.api = api
        self.recorder = recorder

    def create_pod(self, template: dict, owner: dict) -> dict:
        pod = pod_from_template(template, owner)
        if not pod["metadata"]["labels"]:
            raise APIError("unable to create pods, no labels")
        try:
            # A fresh pod built from the stored (already decoded) template: handed over.
            created = self.api.create(pod, user=self.recorder.component, handed_over=True)
        except APIError as error:
            self.recorder.event(owner, "Warning", "FailedCreate",
                                f"Error creating: {error.message}")
            raise
        self.recorder.event(owner, "Normal", "SuccessfulCreate",
                            f"Created pod: {created['metadata']['name']}")
        return created

    def delete_pod(self, pod: dict, owner: dict) -> dict | None:
        """Delete gracefully; None when the pod was already gone."""
        name = pod["metadata"]["name"]
        try:
            deleted = self.api.delete("Pod", name, pod["metadata"].get("namespace", "default"),
                                      user=self.recorder.component)
        except NotFound:
            return None
        except APIError as error:
            self.recorder.event(owner, "Warning", "FailedDelete",
                                f"Error deleting: {error.message}")
            raise
        self.recorder.event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")
        return deleted


def slow_start_batch(count: int, initial_batch_size: int,
                     create: Callable[[], None]) -> tuple[int, APIError | None]:
    """Call ``create`` ``count`` times in batches of 1, 2, 4, ...; stop after a failing batch.

    Returns how many calls succeeded and the first error of the failing batch, if any
    (slowStartBatch in replica_set.go: a batch always runs to its end).
    """
    remaining, successes = count, 0
    batch = min(remaining, initial_batch_size)
    while batch > 0:
        first_error: APIError | None = None
        for _ in range(batch):
            try:
                create()
                successes += 1
            except APIError as error:
                first_error = first_error or error
        if first_error is not None:
            return successes, first_error
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None


# -- adoption and release (controller_ref_manager.go)
def claim_objects(api: APIServer, controller: dict, selector: Selector, candidates: list[dict],
                  user: str) -> list[dict]:
    """The candidates ``controller`` owns after adopting matching orphans and releasing owned
    objects that no longer match its selector (BaseControllerRefManager.ClaimObject)."""
    uid = controller["metadata"]["uid"]
    being_deleted = is_being_deleted(controller)
    claimed = []
    for obj in candidates:
        ref = controller_of(obj)
        matches = selector.matches(obj["metadata"].get("labels"))
        if ref is not None:
            if ref.get("uid") != uid:
                continue
            if matches:
                claimed.append(obj)
            elif not being_deleted:
                _release(api, obj, uid, user)
            continue
        if being_deleted or not matches or is_being_deleted(obj):
            continue
        if obj["metadata"].get("namespace") != controller["metadata"].get("namespace"):
            continue
        if _adopt(api, obj, controller, user):
            claimed.append(obj)
    return claimed


def _adopt(api: APIServer, obj: dict, controller: dict, user: str) -> bool:
    live = api.try_get(obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
    if live is None or controller_of(live) is not None:
        return False
    refs = live["metadata"].setdefault("ownerReferences", [])
    refs.append(owner_reference(controller))
    api.update(live, user=user)
    return True


def _release(api: APIServer, obj: dict, uid: str, user: str) -> None:
    live = api.try_get(obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
    if live is None:
        return
    refs = [r for r in live["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
    if refs:
        live["metadata"]["ownerReferences"] = refs
    else:
        live["metadata"].pop("ownerReferences", None)
    api.update(live, user=user)
