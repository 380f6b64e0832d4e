"""TaintToleration: a node's taints repel pods that do not tolerate them.

Source: ``pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go``.

- Filter: a ``NoSchedule`` or ``NoExecute`` taint the pod does not tolerate rules the node out,
  with the first such taint in the reason: ``node(s) had untolerated taint {key: value}``. This is
  what keeps ordinary pods off the control-plane node (kubeadm's
  ``node-role.kubernetes.io/control-plane:NoSchedule``).
- Score: each ``PreferNoSchedule`` taint the pod does not tolerate counts against the node; the
  counts are normalized reversed, so the node with the fewest gets 100.
"""

from __future__ import annotations

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    Code,
    CycleState,
    FilterPlugin,
    ScorePlugin,
    Status,
    Verdict,
    default_normalize_score,
)
from k8skit.control_plane.scheduler.plugins.helpers import first_untolerated_taint, tolerated
from k8skit.control_plane.scheduler.pod_info import PodInfo


class TaintToleration(FilterPlugin, ScorePlugin):
    name = "TaintToleration"

    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        if not nodes.taint_set.any():
            return None
        statuses: list[Status] = []
        status_of_set = np.full(len(nodes.taint_sets), -1, dtype=np.int64)
        for set_id, taints in enumerate(nodes.taint_sets):
            taint = first_untolerated_taint(taints, pod.tolerations)
            if taint is not None:
                reason = (f"node(s) had untolerated taint "
                          f"{{{taint.get('key', '')}: {taint.get('value', '')}}}")
                status_of_set[set_id] = len(statuses)
                statuses.append(Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (reason,), self.name))
        if not statuses:
            return None
        status_index = status_of_set[nodes.taint_set]
        return Verdict(status_index >= 0, statuses, status_index)

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        if not nodes.taint_set.any():
            return 0
        # Tolerations with effect PreferNoSchedule, or with no effect (which means all).
        tolerations = tuple(t for t in pod.tolerations
                            if (t.get("effect") or "PreferNoSchedule") == "PreferNoSchedule")
        per_set = np.fromiter(
            (sum(1 for taint in taints if taint.get("effect") == "PreferNoSchedule"
                 and not tolerated(tolerations, taint)) for taints in nodes.taint_sets),
            dtype=np.int64, count=len(nodes.taint_sets))
        return per_set[nodes.taint_set[feasible]]

    def normalize_score(self, state: CycleState, pod: PodInfo,
                        scores: np.ndarray | int) -> np.ndarray | int:
        return default_normalize_score(scores, reverse=True)
