"""NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory fill up evenly.

Source: ``pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go``. A node with
90 % of its memory and 10 % of its cpu requested strands cpu no pod can use; this plugin favours
the node where the fractions stay close:

    score = (1 - std) * 100,   std = |f_cpu - f_mem| / 2,   f = requested / allocatable (max 1)

counting the pod being placed. Unlike NodeResourcesFit's score it uses the real requests (no
100m / 200Mi stand-ins), and it skips pods that request neither cpu nor memory, which would
otherwise all pile onto the same node (kubernetes/kubernetes#129138).
"""

from __future__ import annotations

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    CycleState,
    ScorePlugin,
    Status,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo


class NodeResourcesBalancedAllocation(ScorePlugin):
    name = "NodeResourcesBalancedAllocation"

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
                  feasible: np.ndarray) -> Status | None:
        if pod.requests.cpu == 0 and pod.requests.memory == 0:
            return SKIP
        return None

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        fractions = []
        both_present: np.ndarray | bool = True
        for resource, allocatable, requested, wanted in (
                ("cpu", nodes.alloc_cpu, nodes.req_cpu, pod.requests.cpu),
                ("memory", nodes.alloc_memory, nodes.req_memory, pod.requests.memory)):
            allocatable = allocatable[feasible]
            if not nodes.all_allocatable[resource] and allocatable.min() <= 0:
                both_present = both_present & (allocatable > 0)
                allocatable = np.maximum(allocatable, 1)
            fractions.append(np.minimum((requested[feasible] + wanted) / allocatable, 1.0))
        f_cpu, f_mem = fractions
        std = np.abs((f_cpu - f_mem) / 2)
        if both_present is not True:
            # With one resource (the other has no allocatable) the deviation is zero.
            std = np.where(both_present, std, 0.0)
        return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
