"""Which pods a ReplicaSet deletes first when it scales down.

Source: ``pkg/controller/controller_utils.go`` (``ActivePodsWithRanks.Less``) and
``pkg/controller/replicaset/replica_set.go`` (``getPodsToDelete``,
``getPodsRankedByRelatedPodsOnSameNode``). The order, with the PodDeletionCost and
LogarithmicScaleDown features on as in v1.33, is :func:`compare_for_deletion`: pods that cost
least to lose go first (unscheduled, pending, not ready, cheap by annotation, crowded onto one
node with their siblings, newly ready, restarting, young).

Upstream sorts every replica at each sync. A rolling update of hundreds of pods deletes one or
two old pods per sync, hundreds of times, so :class:`DeletionOrder` keeps a ReplicaSet's
replicas grouped by the criteria that do not depend on the moment (criteria 1-4) and by node
(criterion 5's rank is per node): picking the next victims looks at the nodes of the first
group and the pods of the most crowded ones, and compares only those in full. The pods chosen,
and their order, are the ones the full sort would give (pods the order cannot tell apart may
come in either order, as with upstream's unstable sort).
"""

from __future__ import annotations

import functools
import heapq
import math
from dataclasses import dataclass, field

from k8skit.api.meta import seconds_of
from k8skit.control_plane.controllers.controller_utils import is_pod_ready, pod_condition

# controller.kubernetes.io/pod-deletion-cost (PodDeletionCost, beta and on by default since 1.22):
# pods with a lower cost are deleted first on scale-down.
POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


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
                   seconds_of(since) if since else None, restarts,
                   seconds_of(created) if created else None, meta.get("uid", ""), node)


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


class DeletionOrder:
    """One ReplicaSet's replicas in the shape the scale-down order needs them."""

    def __init__(self) -> None:
        self._all: dict[str, DeletionCandidate] = {}  # by pod uid, in the order they came
        # standing -> node -> pod uid -> candidate
        self._groups: dict[tuple, dict[str, dict[str, DeletionCandidate]]] = {}

    def __len__(self) -> int:
        return len(self._all)

    def add(self, candidate: DeletionCandidate) -> None:
        self.discard(candidate.uid)
        self._all[candidate.uid] = candidate
        by_node = self._groups.setdefault(candidate.standing, {})
        by_node.setdefault(candidate.node, {})[candidate.uid] = candidate

    def discard(self, uid: str) -> None:
        candidate = self._all.pop(uid, None)
        if candidate is None:
            return
        by_node = self._groups[candidate.standing]
        members = by_node[candidate.node]
        del members[uid]
        if not members:
            del by_node[candidate.node]
            if not by_node:
                del self._groups[candidate.standing]

    def first(self, count: int, on_node: dict[str, int], now: float) -> list[dict]:
        """The ``count`` pods to delete first, in the order they go (getPodsToDelete).

        ``on_node`` counts the active pods of the ReplicaSet's whole family (every ReplicaSet
        of its Deployment) per node: a pod's rank.
        """
        if count >= len(self._all):
            # "No need to sort pods if we are about to delete all of them."
            return [c.pod for c in self._all.values()]
        certain, tied = self._narrow(count, on_node)
        wanted = count - len(certain)
        if len(tied) > wanted and tied[0].ready:
            # Criterion 6 for ready pods: the age class. Pods made ready in the same second
            # share a time, so each class is worked out once.
            classes = {t: ready_age_class(t, now) for t in {c.ready_since for c in tied}}
            keys = [classes[c.ready_since] for c in tied]
            boundary = heapq.nsmallest(wanted, keys)[-1]
            certain += [c for c, key in zip(tied, keys, strict=True) if key < boundary]
            tied = [c for c, key in zip(tied, keys, strict=True) if key == boundary]
        order = functools.cmp_to_key(lambda a, b: compare_for_deletion(a, b, now))
        chosen = (sorted([(on_node.get(c.node, 0), c) for c in certain], key=order)
                  + heapq.nsmallest(count - len(certain),
                                    [(on_node.get(c.node, 0), c) for c in tied], key=order))
        return [c.pod for _, c in chosen]

    def _narrow(self, count: int, on_node: dict[str, int]
                ) -> tuple[list[DeletionCandidate], list[DeletionCandidate]]:
        """Criteria 1-5: the pods that surely go, and those tied for the remaining places."""
        certain: list[DeletionCandidate] = []
        for standing in sorted(self._groups):
            by_rank: dict[int, list[dict[str, DeletionCandidate]]] = {}
            for node, members in self._groups[standing].items():
                by_rank.setdefault(on_node.get(node, 0), []).append(members)
            for rank in sorted(by_rank, reverse=True):
                group = [c for members in by_rank[rank] for c in members.values()]
                if len(certain) + len(group) > count:
                    return certain, group
                certain += group
                if len(certain) == count:
                    return certain, []
        return certain, []
