"""The scheduling framework: the plugin interfaces, statuses and per-cycle state.

kube-scheduler is a loop around a list of plugins (``pkg/scheduler/framework/interface.go``).
For each pod, *filter* plugins say which nodes can run it at all and *score* plugins rank the
nodes that are left; the node with the highest weighted sum wins. Each plugin is small and
answers one question (does the pod tolerate the node's taints? is there room for its
requests?), which is what makes the scheduler's decisions explainable one plugin at a time.

Upstream calls each plugin once per node. Here a plugin answers for every node at once: it reads
the columns of a :class:`~k8skit.control_plane.scheduler.cache.NodeTable` (numpy arrays of
allocatable and requested resources, taint and label codes) and returns a boolean mask (filters)
or an integer array (scores). The arithmetic is upstream's, node by node; only the loop moved
into numpy, so that a thousand nodes cost about as much as three.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from k8skit.control_plane.scheduler.cache import NodeTable
    from k8skit.control_plane.scheduler.pod_info import PodInfo

# The highest score a plugin gives a node (framework.MaxNodeScore).
MAX_NODE_SCORE = 100


class Code(enum.Enum):
    """A plugin's verdict (framework.Code). Only the codes the simulator's plugins use."""

    SUCCESS = "Success"
    # The pod does not fit this node now, but evicting lower-priority pods could make room.
    UNSCHEDULABLE = "Unschedulable"
    # The pod can never fit this node as it is (a taint, a selector): preemption cannot help.
    UNSCHEDULABLE_AND_UNRESOLVABLE = "UnschedulableAndUnresolvable"
    # A PreScore plugin has nothing to say about this pod; its Score is not run.
    SKIP = "Skip"


@dataclass(frozen=True)
class Status:
    """A plugin's answer: a code, the reasons shown to users, and the plugin that gave it."""

    code: Code
    reasons: tuple[str, ...] = ()
    plugin: str = ""

    @property
    def rejected(self) -> bool:
        return self.code in (Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE)

    def message(self) -> str:
        return ", ".join(self.reasons)


SKIP = Status(Code.SKIP)


class CycleState:
    """Data plugins share within one scheduling cycle (framework.CycleState).

    A PreFilter or PreScore step computes something once per pod (the pod's requests, the pod
    counts per topology domain) and the Filter and Score steps that follow read it.
    """

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    def write(self, key: str, value: Any) -> None:
        self._data[key] = value

    def read(self, key: str) -> Any:
        return self._data[key]


@dataclass(frozen=True)
class Verdict:
    """A filter plugin's answer for every node of the table.

    ``rejected[row]`` is True where the plugin turns the node down; the reason for such a node is
    ``statuses[status_index[row]]`` (``status_index`` may be one int for all nodes).
    """

    rejected: np.ndarray
    statuses: Sequence[Status]
    status_index: np.ndarray | int = 0

    def status_of(self, row: int) -> Status:
        index = self.status_index
        return self.statuses[index if isinstance(index, int) else int(index[row])]


class Plugin:
    """Every plugin has a name, used in explanations and in the scheduler's configuration."""

    name: str = ""


class FilterPlugin(Plugin):
    """Decides which nodes can run the pod (PreFilter + Filter extension points)."""

    def pre_filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Status | None:
        """Compute per-pod data once; a rejected status makes the pod fail on every node."""
        return None

    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        """The nodes this plugin rejects, or None when it rejects none."""
        raise NotImplementedError


class ScorePlugin(Plugin):
    """Ranks the feasible nodes (PreScore + Score + NormalizeScore extension points).

    ``feasible`` holds the table rows that passed every filter; the returned arrays are aligned
    with it. A score may be a plain int when every node gets the same points.
    """

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
                  feasible: np.ndarray) -> Status | None:
        """Prepare scoring; return :data:`SKIP` when the plugin has nothing to say."""
        return None

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        raise NotImplementedError

    def normalize_score(self, state: CycleState, pod: PodInfo,
                        scores: np.ndarray | int) -> np.ndarray | int:
        """Bring raw scores into 0..100 (most plugins' raw scores already are)."""
        return scores


def default_normalize_score(scores: np.ndarray | int, reverse: bool) -> np.ndarray | int:
    """Scale scores from 0..max to 0..100, optionally reversed (helper.DefaultNormalizeScore).

    Source: ``pkg/scheduler/framework/plugins/helper/normalize_score.go``: every score becomes
    ``100 * score // max``; when all scores are 0 they stay 0 (or all become 100 if reversed).
    """
    if isinstance(scores, int):
        # Every node has the same score: it is either the max or all are zero.
        if scores == 0:
            return MAX_NODE_SCORE if reverse else 0
        return 0 if reverse else MAX_NODE_SCORE
    highest = int(scores.max()) if scores.size else 0
    if highest == 0:
        return MAX_NODE_SCORE if reverse else 0
    normalized = MAX_NODE_SCORE * scores // highest
    return MAX_NODE_SCORE - normalized if reverse else normalized


@dataclass
class PluginScores:
    """One score plugin's points for the feasible nodes of one cycle (for explanations)."""

    plugin: str
    weight: int
    raw: np.ndarray | int | None = None         # None when the plugin skipped this pod
    normalized: np.ndarray | int | None = None

    @property
    def skipped(self) -> bool:
        return self.raw is None


@dataclass
class WeightedScorePlugin:
    """A score plugin with its weight in the profile (``default_plugins.go``)."""

    plugin: ScorePlugin
    weight: int


@dataclass
class Profile:
    """The plugins one scheduler profile runs, in order, with their score weights.

    ``percentage_of_nodes_to_score`` of 0 means upstream's adaptive default (see
    :func:`num_feasible_nodes_to_find`).
    """

    filters: list[FilterPlugin]
    scores: list[WeightedScorePlugin]
    percentage_of_nodes_to_score: int = 0
    scheduler_name: str = "default-scheduler"

    @property
    def filter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.filters)


# pkg/scheduler/schedule_one.go: below 100 nodes every node is checked; above, at least 5 %.
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int = 0) -> int:
    """How many feasible nodes the scheduler looks for before it stops filtering.

    Source: ``numFeasibleNodesToFind`` in ``pkg/scheduler/schedule_one.go``. In a big cluster
    checking every node for every pod costs more than it gains, so the scheduler stops once it
    has found enough candidates: ``50 - nodes/125`` percent (at least 5 %), and never fewer than
    100 nodes. With 1,000 nodes it scores 420 of them.
    """
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(num_all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)
