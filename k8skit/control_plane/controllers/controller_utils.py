"""What the workload controllers share: pod predicates, pod creation, adoption, victim order.

Source: ``pkg/controller/controller_utils.go`` and ``controller_ref_manager.go``. The ReplicaSet
controller creates and deletes pods through :class:`PodControl` (which records the
``SuccessfulCreate`` / ``SuccessfulDelete`` events), claims pods with :func:`claim_objects`
(adopting orphans that match its selector, releasing pods that no longer match), and picks which
pods to delete on scale-down with :func:`compare_pods_for_deletion`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

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


def is_pod_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    """Ready for more than ``minReadySeconds`` (podutil.IsPodAvailable).

    The comparison is strict (``LastTransitionTime + minReadySeconds`` must be *before* now),
    and transition times have whole-second resolution, as in the API.
    """
    if not is_pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = pod_condition(pod, "Ready").get("lastTransitionTime")
    return bool(since) and seconds_of(since) + min_ready_seconds < now


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
def _max_restarts(pod: dict) -> int:
    statuses = pod.get("status", {}).get("containerStatuses") or ()
    return max((s.get("restartCount", 0) for s in statuses), default=0)


def _deletion_cost(pod: dict) -> int:
    value = (pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST, "0")
    try:
        return int(value)
    except ValueError:
        return 0


def _log_rank_diff(t1: float, t2: float, now: float) -> int:
    """LogarithmicScaleDown: compare ages by their power of two (in nanoseconds, as upstream),
    so pods of about the same age count as equal and the tie is broken at random (by UID)."""
    d1, d2 = (now - t1) * 1e9, (now - t2) * 1e9
    r1 = int(math.log2(d1)) if d1 > 0 else -1
    r2 = int(math.log2(d2)) if d2 > 0 else -1
    return r1 - r2


def compare_pods_for_deletion(a: tuple[dict, int], b: tuple[dict, int], now: float) -> int:
    """-1 when pod ``a`` should be deleted before pod ``b`` (each given with its rank).

    The order of ``ActivePodsWithRanks.Less`` (controller_utils.go), with the PodDeletionCost
    and LogarithmicScaleDown features on as in v1.33:

    1. unassigned before assigned; 2. Pending < Unknown < Running; 3. not ready before ready;
    4. lower ``pod-deletion-cost`` first; 5. more pods of the same owner on the same node
    (the rank) first; 6. ready for less time first; 7. more restarts first; 8. newer first.
    """
    pa, rank_a = a
    pb, rank_b = b
    node_a, node_b = pa["spec"].get("nodeName") or "", pb["spec"].get("nodeName") or ""
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    phase_a = _PHASE_ORDINAL.get(pa.get("status", {}).get("phase", ""), 0)
    phase_b = _PHASE_ORDINAL.get(pb.get("status", {}).get("phase", ""), 0)
    if phase_a != phase_b:
        return -1 if phase_a < phase_b else 1
    ready_a, ready_b = is_pod_ready(pa), is_pod_ready(pb)
    if ready_a != ready_b:
        return -1 if not ready_a else 1
    cost_a, cost_b = _deletion_cost(pa), _deletion_cost(pb)
    if cost_a != cost_b:
        return -1 if cost_a < cost_b else 1
    if rank_a != rank_b:
        return -1 if rank_a > rank_b else 1
    if ready_a and ready_b:
        since_a = pod_condition(pa, "Ready").get("lastTransitionTime") or ""
        since_b = pod_condition(pb, "Ready").get("lastTransitionTime") or ""
        if since_a != since_b:
            return _newer_first(since_a, since_b, pa, pb, now)
    restarts_a, restarts_b = _max_restarts(pa), _max_restarts(pb)
    if restarts_a != restarts_b:
        return -1 if restarts_a > restarts_b else 1
    created_a = pa["metadata"].get("creationTimestamp") or ""
    created_b = pb["metadata"].get("creationTimestamp") or ""
    if created_a != created_b:
        return _newer_first(created_a, created_b, pa, pb, now)
    return 0


def _newer_first(ts_a: str, ts_b: str, pa: dict, pb: dict, now: float) -> int:
    if not ts_a or not ts_b:
        # afterOrZero: an unset time counts as the newest.
        return -1 if not ts_a else 1
    diff = _log_rank_diff(seconds_of(ts_a), seconds_of(ts_b), now)
    if diff == 0:
        return -1 if pa["metadata"].get("uid", "") < pb["metadata"].get("uid", "") else 1
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
            created = self.api.create(pod, user=self.recorder.component)
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
