"""NodeAffinity: ``nodeSelector`` and node affinity, required and preferred.

Source: ``pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go``.

- Filter: the node's labels must match every ``nodeSelector`` entry and at least one of the
  required ``nodeSelectorTerms`` (within a term, every expression). Operators: ``In``, ``NotIn``,
  ``Exists``, ``DoesNotExist``, ``Gt``, ``Lt`` (the last two compare integers); ``NotIn`` and
  ``DoesNotExist`` also match nodes without the label.
- Score: the sum of the weights of the preferred terms the node matches, normalized so that the
  best node gets 100. Pods with no preferred terms skip this plugin.
"""

from __future__ import annotations

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    SKIP,
    Code,
    CycleState,
    FilterPlugin,
    ScorePlugin,
    Status,
    Verdict,
    default_normalize_score,
)
from k8skit.control_plane.scheduler.plugins.helpers import (
    node_selector_term_rows,
    required_node_affinity_rows,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo

ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"


class NodeAffinity(FilterPlugin, ScorePlugin):
    name = "NodeAffinity"

    _status = Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (ERR_REASON_POD,), name)

    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        matched = required_node_affinity_rows(nodes, pod)
        if matched is None or matched.all():
            return None
        return Verdict(~matched, (self._status,))

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
                  feasible: np.ndarray) -> Status | None:
        return None if pod.preferred_node_affinity else SKIP

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        total = np.zeros(len(feasible), dtype=np.int64)
        for preferred in pod.preferred_node_affinity:
            weight = int(preferred.get("weight") or 0)
            if weight:
                matched = node_selector_term_rows(nodes, preferred.get("preference") or {})
                total += weight * matched[feasible]
        return total

    def normalize_score(self, state: CycleState, pod: PodInfo,
                        scores: np.ndarray | int) -> np.ndarray | int:
        return default_normalize_score(scores, reverse=False)
