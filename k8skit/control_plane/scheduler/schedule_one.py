"""One scheduling decision: filter the nodes, score the feasible ones, pick the best.

Source: ``pkg/scheduler/schedule_one.go`` (``schedulePod``, ``findNodesThatPassFilters``,
``prioritizeNodes``, ``selectHost``). The result keeps every intermediate answer (which filter
rejected which node, every plugin's points), so the explanation a learner reads is the record of
the decision itself, not a second computation that could disagree with it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    Code,
    CycleState,
    PluginScores,
    Profile,
    Status,
    Verdict,
    num_feasible_nodes_to_find,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo
from k8skit.control_plane.scheduler.preemption import histogram_message, post_filter_message

# Returned when the cluster has no node at all (ErrNoNodesAvailable).
NO_NODES_AVAILABLE = "no nodes available to schedule pods"

PASSED = -1          # rejected_by value of a node that passed every filter


@dataclass
class CycleResult:
    """Everything one scheduling cycle found out about one pod."""

    pod: PodInfo
    names: tuple[str, ...]
    filter_names: tuple[str, ...]
    rejected_by: np.ndarray | None           # per row: filter index or PASSED; None: all passed
    verdicts: list[Verdict | None]
    walk: np.ndarray                         # rows in the order the cycle looked at them
    processed: int                           # how many of `walk` it looked at
    feasible: np.ndarray                     # rows, in the order they were found
    pre_filter_status: Status | None = None
    scores: list[PluginScores] = field(default_factory=list)
    totals: np.ndarray | None = None         # aligned with feasible; None when not scored
    chosen: str | None = None
    message: str = ""                        # the FailedScheduling message when none fits

    def evaluated(self) -> np.ndarray:
        """For each row, whether the cycle looked at the node at all."""
        seen = np.zeros(len(self.names), dtype=bool)
        seen[self.walk[:self.processed]] = True
        return seen

    def status_of(self, row: int) -> Status | None:
        """Why the node in ``row`` was rejected (None if it passed)."""
        if self.pre_filter_status is not None:
            return self.pre_filter_status
        if self.rejected_by is None or self.rejected_by[row] < 0:
            return None
        return self.verdicts[int(self.rejected_by[row])].status_of(row)

    def _rejected_rows(self) -> np.ndarray:
        """Rows the cycle looked at and found wanting."""
        if self.rejected_by is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero((self.rejected_by >= 0) & self.evaluated())

    def node_statuses(self) -> dict[str, Status]:
        """Node name -> the status of every evaluated node that was rejected."""
        rows = (range(len(self.names)) if self.pre_filter_status is not None
                else self._rejected_rows())
        return {self.names[row]: self.status_of(row) for row in rows}

    def reason_histogram(self) -> Counter:
        """How many nodes gave each reason (upstream's FitError counts reasons, not nodes)."""
        if self.pre_filter_status is not None:
            return Counter()
        counts: Counter = Counter()
        rejected = self._rejected_rows()
        for plugin, verdict in enumerate(self.verdicts):
            rows = rejected[self.rejected_by[rejected] == plugin]
            if verdict is None or not rows.size:
                continue
            index = verdict.status_index
            if isinstance(index, int):
                kinds, numbers = np.array([index]), np.array([rows.size])
            else:
                kinds, numbers = np.unique(index[rows], return_counts=True)
            for kind, number in zip(kinds, numbers, strict=True):
                for reason in verdict.statuses[int(kind)].reasons:
                    counts[reason] += int(number)
        return counts


def schedule_pod(profile: Profile, nodes: NodeTable, pod: PodInfo, start_index: int,
                 rng: random.Random, evaluate_all: bool = False) -> tuple[CycleResult, int]:
    """Decide where ``pod`` goes; returns the result and the next cycle's start index.

    The scheduler checks nodes starting where the previous cycle stopped (``nextStartNodeIndex``)
    so that, when it only checks part of a big cluster, every node gets its turn.
    ``evaluate_all`` checks every node (for explanations), whatever the cluster's size.
    """
    n = len(nodes)
    filter_names = profile.filter_names
    state = CycleState()
    nothing = np.zeros(0, dtype=np.int64)
    if n == 0:
        return CycleResult(pod, (), filter_names, None, [], nothing, 0, nothing,
                           message=NO_NODES_AVAILABLE), 0
    walk = nodes.walk_from(start_index % n)
    for plugin in profile.filters:
        status = plugin.pre_filter(state, pod, nodes)
        if status is not None and status.rejected:
            result = CycleResult(pod, nodes.names, filter_names, None, [], walk, n, nothing,
                                 pre_filter_status=status)
            result.message = f"0/{n} nodes are available: {status.message()}."
            return result, start_index

    # Filter: every plugin answers for every node; a node's reason is its first rejection.
    alive = rejected_by = None
    verdicts: list[Verdict | None] = []
    for index, plugin in enumerate(profile.filters):
        verdict = plugin.filter(state, pod, nodes) if alive is None or alive.any() else None
        verdicts.append(verdict)
        if verdict is not None:
            if alive is None:
                alive = np.ones(n, dtype=bool)
                rejected_by = np.full(n, PASSED, dtype=np.int64)
            rejected_by[verdict.rejected & alive] = index
            alive &= ~verdict.rejected

    # Walk the nodes from start_index until enough feasible ones are found; the nodes after
    # that point are never looked at.
    wanted = n if evaluate_all else num_feasible_nodes_to_find(
        n, profile.percentage_of_nodes_to_score)
    if alive is None:
        # Every node passed: the walk stops right after the first `wanted` nodes.
        processed = wanted
        feasible = walk[:wanted]
    else:
        found = np.flatnonzero(alive[walk])
        processed = int(found[wanted]) if found.size > wanted else n
        feasible = walk[found[:wanted]]
    next_start = (start_index % n + processed) % n
    result = CycleResult(pod, nodes.names, filter_names, rejected_by, verdicts, walk,
                         processed, feasible)

    if not feasible.size:
        message = histogram_message(n, result.reason_histogram())
        preemption = post_filter_message(pod, nodes, result.node_statuses())
        result.message = f"{message} {preemption}" if preemption else message
        return result, next_start
    if feasible.size == 1:
        # Only one node fits: upstream takes it without scoring.
        result.chosen = nodes.names[int(feasible[0])]
        return result, next_start

    totals = np.zeros(feasible.size, dtype=np.int64)
    for weighted in profile.scores:
        plugin, weight = weighted.plugin, weighted.weight
        entry = PluginScores(plugin.name, weight)
        result.scores.append(entry)
        status = plugin.pre_score(state, pod, nodes, feasible)
        if status is not None and status.code == Code.SKIP:
            continue
        entry.raw = plugin.score(state, pod, nodes, feasible)
        entry.normalized = plugin.normalize_score(state, pod, entry.raw)
        totals += entry.normalized if weight == 1 else weight * entry.normalized
    result.totals = totals
    result.chosen = nodes.names[int(feasible[select_host(totals, rng)])]
    return result, next_start


def select_host(totals: np.ndarray, rng: random.Random) -> int:
    """The index of the highest total; ties are broken uniformly at random.

    Upstream's selectHost does reservoir sampling over the top-scored nodes, which picks each of
    the k tied nodes with probability 1/k; one seeded draw among them does the same.
    """
    best = np.flatnonzero(totals == totals.max())
    return int(best[0]) if best.size == 1 else int(best[rng.randrange(best.size)])
