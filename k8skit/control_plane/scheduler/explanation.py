""""Why this node?": a scheduling decision laid out node by node, for learners.

For every node the explanation says either which filter rejected it and why (the same words
as the FailedScheduling event), or what each score plugin gave it: the plugin's own points
(raw), the points after normalization to 0..100, the plugin's weight, and the weighted points
that add up to the node's total. It is read off the
:class:`~k8skit.control_plane.scheduler.schedule_one.CycleResult` of the decision itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from k8skit.control_plane.scheduler.schedule_one import CycleResult


@dataclass(frozen=True)
class ScoreLine:
    """One plugin's points for one node (``skipped`` when the plugin had nothing to say)."""

    plugin: str
    weight: int
    raw: int | None
    normalized: int | None
    weighted: int

    @property
    def skipped(self) -> bool:
        return self.raw is None


@dataclass(frozen=True)
class NodeExplanation:
    node: str
    evaluated: bool
    rejected_by: str | None          # the filter plugin that rejected the node
    reasons: tuple[str, ...]
    scores: tuple[ScoreLine, ...]    # empty unless the node was feasible and scored
    total: int | None

    @property
    def feasible(self) -> bool:
        return self.evaluated and self.rejected_by is None


@dataclass(frozen=True)
class Explanation:
    """The record of one decision (or of a what-if evaluation) for one pod."""

    pod: str
    chosen: str | None
    message: str                     # the FailedScheduling message when no node fits
    nodes: tuple[NodeExplanation, ...]
    time: float | None = None        # simulated time of the decision

    def node(self, name: str) -> NodeExplanation:
        for entry in self.nodes:
            if entry.node == name:
                return entry
        raise KeyError(f'no node named "{name}" in this explanation')

    def records(self) -> list[dict]:
        """One flat dict per node and plugin, ready for a pandas DataFrame or a figure."""
        rows = []
        for entry in self.nodes:
            base = {"node": entry.node, "chosen": entry.node == self.chosen,
                    "evaluated": entry.evaluated, "rejected_by": entry.rejected_by,
                    "reasons": ", ".join(entry.reasons), "total": entry.total}
            if not entry.scores:
                rows.append({**base, "plugin": None, "raw": None, "normalized": None,
                             "weight": None, "weighted": None})
            for line in entry.scores:
                rows.append({**base, "plugin": line.plugin, "raw": line.raw,
                             "normalized": line.normalized, "weight": line.weight,
                             "weighted": line.weighted})
        return rows

    def __str__(self) -> str:
        lines = [f"Pod {self.pod}: " + (f"scheduled to {self.chosen}" if self.chosen
                                         else f"not scheduled. {self.message}")]
        for entry in self.nodes:
            mark = "*" if entry.node == self.chosen else " "
            if not entry.evaluated:
                lines.append(f"{mark} {entry.node}: not evaluated (the scheduler had found "
                             "enough feasible nodes)")
            elif entry.rejected_by is not None:
                lines.append(f"{mark} {entry.node}: rejected by {entry.rejected_by}: "
                             f"{', '.join(entry.reasons)}")
            elif not entry.scores:
                lines.append(f"{mark} {entry.node}: feasible (the only feasible node: "
                             "not scored)")
            else:
                parts = ", ".join(
                    f"{s.plugin} skipped" if s.skipped else
                    f"{s.plugin} {s.normalized}x{s.weight}={s.weighted}" for s in entry.scores)
                lines.append(f"{mark} {entry.node}: total {entry.total} ({parts})")
        return "\n".join(lines)


def _at(values: np.ndarray | int | None, position: int) -> int | None:
    if values is None:
        return None
    return int(values) if np.ndim(values) == 0 else int(values[position])


def explain(result: CycleResult, time: float | None = None) -> Explanation:
    """Lay a cycle's result out node by node (in the cluster's node order)."""
    position = {int(row): i for i, row in enumerate(result.feasible)}
    seen = result.evaluated()
    entries = []
    for row, name in enumerate(result.names):
        evaluated = bool(seen[row])
        status = result.status_of(row) if evaluated else None
        scores: tuple[ScoreLine, ...] = ()
        total = None
        if status is None and row in position and result.totals is not None:
            i = position[row]
            scores = tuple(
                ScoreLine(s.plugin, s.weight, _at(s.raw, i), _at(s.normalized, i),
                          s.weight * (_at(s.normalized, i) or 0))
                for s in result.scores)
            total = int(result.totals[i])
        entries.append(NodeExplanation(
            node=name, evaluated=evaluated,
            rejected_by=status.plugin if status is not None else None,
            reasons=status.reasons if status is not None else (), scores=scores, total=total))
    return Explanation(result.pod.key, result.chosen, result.message, tuple(entries), time)
