"""The Linux mechanisms every era relies on: how CPU is divided and whom the OOM killer picks.

All three eras run Linux somewhere. What differs is how many kernels there are and which knobs
are set on them, so the rules live here once:

- CPU: the Completely Fair Scheduler gives runnable entities CPU in proportion to their weight
  and never more than they ask for; whatever one does not use goes to the others
  (kernel ``Documentation/scheduler/sched-design-CFS.rst``). A CFS bandwidth quota caps a cgroup
  at its limit even when the CPU is idle (``Documentation/scheduler/sched-bwc.rst``).
- Memory: when a kernel runs out of memory, ``mm/oom_kill.c`` scores every killable process with
  ``oom_badness()`` (its resident memory, plus ``oom_score_adj`` scaled to the machine's size)
  and kills the highest score. It does not know which process is leaking.
- Kubernetes sets those knobs from a container's requests and limits: CPU shares from the
  request and a CFS quota from the limit (``pkg/kubelet/cm/helpers_linux.go``), and an
  ``oom_score_adj`` from the pod's QoS class (kubernetes.io "Node-pressure Eviction", section
  "Node out of memory behavior").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# pkg/kubelet/cm/helpers_linux.go: cpu.shares per CPU and the bounds the kernel accepts.
SHARES_PER_CPU = 1024
MIN_SHARES = 2
MAX_SHARES = 262144

# kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/ (Node out of memory
# behavior): the oom_score_adj the kubelet gives containers of each QoS class.
GUARANTEED_OOM_SCORE_ADJ = -997
BEST_EFFORT_OOM_SCORE_ADJ = 1000
# include/uapi/linux/oom.h: a process with this adjustment is never chosen.
OOM_SCORE_ADJ_MIN = -1000

_EPSILON = 1e-9


@dataclass(frozen=True)
class CpuClaim:
    """What one runnable entity asks of a CPU pool.

    ``weight`` is its CFS weight (nice level or cgroup shares); ``wants`` is how many cores it
    would use if nothing stopped it, already capped at its CFS quota if it has one.
    """

    weight: float
    wants: float


def fair_share(capacity: float, claims: Sequence[CpuClaim]) -> list[float]:
    """Divide ``capacity`` cores among ``claims`` as CFS does: weighted max-min fairness.

    Every claim is entitled to ``capacity * weight / total weight``. A claim that wants less
    than that gets what it wants, and what it leaves is shared again among the rest, until the
    remaining claims all want more than their share and split what is left by weight.
    """
    given = [0.0] * len(claims)
    waiting = [i for i, claim in enumerate(claims) if claim.wants > 0 and claim.weight > 0]
    left = max(capacity, 0.0)
    while waiting:
        per_weight = left / sum(claims[i].weight for i in waiting)
        satisfied = [i for i in waiting if claims[i].wants <= per_weight * claims[i].weight]
        if not satisfied:
            for i in waiting:
                given[i] = per_weight * claims[i].weight
            break
        for i in satisfied:
            given[i] = claims[i].wants
            left -= claims[i].wants
        waiting = [i for i in waiting if i not in satisfied]
    return given


def cpu_shares(request_cores: float) -> int:
    """The cgroup ``cpu.shares`` the kubelet sets for a CPU request (MilliCPUToShares)."""
    millicpu = round(request_cores * 1000)
    if millicpu == 0:
        return MIN_SHARES
    return min(max(millicpu * SHARES_PER_CPU // 1000, MIN_SHARES), MAX_SHARES)


def qos_oom_score_adj(
    memory_request_mib: float | None,
    guaranteed: bool,
    machine_memory_mib: float,
) -> int:
    """The ``oom_score_adj`` the kubelet gives a container, from its pod's QoS class.

    Guaranteed pods get -997 and BestEffort pods (no requests, no limits) get 1000. Burstable
    pods get ``1000 - 1000 * request / machine memory``, kept within 2..999, so a container
    that asked for a large share of the machine is protected in proportion.
    """
    if guaranteed:
        return GUARANTEED_OOM_SCORE_ADJ
    if not memory_request_mib:
        return BEST_EFFORT_OOM_SCORE_ADJ
    adjust = 1000 - int(1000 * memory_request_mib // machine_memory_mib)
    return min(max(2, adjust), 999)


def oom_badness(resident_mib: float, oom_score_adj: int, total_mib: float) -> float | None:
    """``oom_badness()`` of mm/oom_kill.c, in MiB instead of pages (the order is the same).

    The score is the resident memory plus ``oom_score_adj`` thousandths of the machine's
    memory. ``None`` means "never kill" (``oom_score_adj`` of -1000).
    """
    if oom_score_adj <= OOM_SCORE_ADJ_MIN:
        return None
    return resident_mib + oom_score_adj * total_mib / 1000


@dataclass(frozen=True)
class OomCandidate:
    """A process the OOM killer may consider: its name, resident memory and adjustment."""

    name: str
    resident_mib: float
    oom_score_adj: int = 0


def choose_oom_victim(candidates: Sequence[OomCandidate], total_mib: float) -> str | None:
    """The process the OOM killer kills: the highest ``oom_badness``.

    As in ``oom_evaluate_task()``, a later task with an equal score replaces the one chosen
    so far. Returns ``None`` when nothing is killable.
    """
    chosen, chosen_points = None, None
    for candidate in candidates:
        points = oom_badness(candidate.resident_mib, candidate.oom_score_adj, total_mib)
        if points is None:
            continue
        if chosen_points is None or points >= chosen_points - _EPSILON:
            chosen, chosen_points = candidate.name, points
    return chosen
