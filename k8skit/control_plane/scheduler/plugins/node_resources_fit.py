"""NodeResourcesFit: does the pod's request fit in what the node has left? And how full is it?

Source: ``pkg/scheduler/framework/plugins/noderesources/fit.go``,
``least_allocated.go``, ``most_allocated.go``, ``requested_to_capacity_ratio.go``.

- Filter: compares the pod's **requests** (never its limits) with the node's **allocatable**
  minus the requests of the pods already there: ``Insufficient cpu``, ``Insufficient memory``,
  ``Insufficient ephemeral-storage``, and ``Too many pods`` past the node's pod limit (110 by
  default). A node keeps every reason that applies. When the pod asks for more than the whole
  node has, no eviction could help, so the status is UnschedulableAndUnresolvable.
- Score, by strategy (per resource, then averaged with the resource weights, cpu 1 and memory
  1 by default; integer arithmetic as upstream):

  - ``LeastAllocated`` (default): ``(allocatable - requested) * 100 / allocatable``, spreading
    pods onto the emptiest nodes;
  - ``MostAllocated``: ``requested * 100 / allocatable``, packing nodes full;
  - ``RequestedToCapacityRatio``: a piecewise-linear function of utilization.

  For scoring, a container with no cpu or memory request counts as 100m / 200Mi, so pods that
  request nothing still spread out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    MAX_NODE_SCORE,
    Code,
    CycleState,
    FilterPlugin,
    ScorePlugin,
    Status,
    Verdict,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
REQUESTED_TO_CAPACITY_RATIO = "RequestedToCapacityRatio"

# Resource weights of the default scoring strategy (apis/config/v1/defaults.go).
DEFAULT_RESOURCES = (("cpu", 1), ("memory", 1))
# RequestedToCapacityRatio's shape scores go up to 10 and are scaled to 100.
MAX_CUSTOM_PRIORITY_SCORE = 10

# Filter reasons, in the order upstream checks them; a node's status lists those that apply.
_REASONS = ("Too many pods", "Insufficient cpu", "Insufficient memory",
            "Insufficient ephemeral-storage")


def _status_table(name: str) -> tuple[Status, ...]:
    """Every combination of reasons (a 4-bit mask) x resolvable or not (bit 4)."""
    table = []
    for code in range(32):
        reasons = tuple(r for bit, r in enumerate(_REASONS) if code & (1 << bit))
        kind = Code.UNSCHEDULABLE_AND_UNRESOLVABLE if code & 16 else Code.UNSCHEDULABLE
        table.append(Status(kind, reasons, name))
    return tuple(table)


def _go_div(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Go's integer division, which truncates toward zero (Python's // floors)."""
    quotient = np.abs(numerator) // np.abs(denominator)
    return np.where((numerator < 0) != (denominator < 0), -quotient, quotient)


class NodeResourcesFit(FilterPlugin, ScorePlugin):
    name = "NodeResourcesFit"

    def __init__(self, strategy: str = LEAST_ALLOCATED,
                 resources: Sequence[tuple[str, int]] = DEFAULT_RESOURCES,
                 shape: Sequence[tuple[int, int]] = ((0, 10), (100, 0))) -> None:
        if strategy not in (LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO):
            raise ValueError(f"unknown scoring strategy {strategy!r}")
        self.strategy = strategy
        self.resources = tuple(resources)
        # (utilization %, score 0..10) points, scaled to the scheduler's 0..100.
        self.shape = tuple((u, s * (MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE))
                           for u, s in shape)
        self._statuses = _status_table(self.name)

    # -- filter -------------------------------------------------------------------------------
    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        request = pod.requests
        # free_* = allocatable minus the requests of the pods already on the node.
        checks = [(1, nodes.free_pods < 1, None)]
        if not request.is_zero:
            for bit, wanted, free, allocatable in (
                    (2, request.cpu, nodes.free_cpu, nodes.alloc_cpu),
                    (4, request.memory, nodes.free_memory, nodes.alloc_memory),
                    (8, request.ephemeral_storage, nodes.free_storage, nodes.alloc_storage)):
                if wanted > 0:
                    checks.append((bit, wanted > free, (wanted, allocatable)))
        rejected = checks[0][1]
        for _, short, _ in checks[1:]:
            rejected = rejected | short
        if not rejected.any():
            return None
        # Which reasons apply to each node, and whether the pod exceeds the whole node.
        code = np.zeros(len(nodes), dtype=np.int64)
        for bit, short, whole in checks:
            code |= short * bit
            if whole is not None:
                wanted, allocatable = whole
                code |= (wanted > allocatable) * 16
        return Verdict(rejected, self._statuses, code)

    # -- score --------------------------------------------------------------------------------
    @staticmethod
    def _columns(pod: PodInfo, nodes: NodeTable, resource: str, feasible: np.ndarray):
        """(allocatable, requested incl. the pod) of one resource on the feasible nodes; cpu
        and memory count the non-zero defaults (resource_allocation.go, useRequested=false)."""
        if resource == "cpu":
            return nodes.alloc_cpu[feasible], nodes.nz_cpu[feasible] + pod.non_zero_requests.cpu
        if resource == "memory":
            return (nodes.alloc_memory[feasible],
                    nodes.nz_memory[feasible] + pod.non_zero_requests.memory)
        if resource == "ephemeral-storage":
            return (nodes.alloc_storage[feasible],
                    nodes.req_storage[feasible] + pod.requests.ephemeral_storage)
        raise ValueError(f"the simulator does not score resource {resource!r}")

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        node_score: np.ndarray | int = 0
        weight_sum: np.ndarray | int = 0
        for resource, weight in self.resources:
            allocatable, requested = self._columns(pod, nodes, resource, feasible)
            if nodes.all_allocatable[resource] or allocatable.min() > 0:
                score = self._resource_score(requested, allocatable)
                if self.strategy == REQUESTED_TO_CAPACITY_RATIO:
                    present = score > 0  # zero scores do not count toward the average
                    node_score = node_score + np.where(present, score * weight, 0)
                    weight_sum = weight_sum + present * weight
                else:
                    node_score = node_score + (score if weight == 1 else score * weight)
                    weight_sum = weight_sum + weight
            else:
                # A node without this resource leaves it out of its average.
                present = allocatable > 0
                score = self._resource_score(requested, np.maximum(allocatable, 1))
                if self.strategy == REQUESTED_TO_CAPACITY_RATIO:
                    present &= score > 0
                node_score = node_score + np.where(present, score * weight, 0)
                weight_sum = weight_sum + present * weight
        if self.strategy == REQUESTED_TO_CAPACITY_RATIO:
            # math.Round(float64(nodeScore) / float64(weightSum)): halves away from zero.
            mean = node_score / np.maximum(weight_sum, 1)
            return np.where(weight_sum > 0, np.floor(mean + 0.5), 0).astype(np.int64)
        if isinstance(weight_sum, int):
            return node_score // weight_sum if weight_sum else 0
        return np.where(weight_sum > 0, node_score // np.maximum(weight_sum, 1), 0)

    def _resource_score(self, requested: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """One resource's 0..100 score on nodes with a positive ``capacity``."""
        if self.strategy == LEAST_ALLOCATED:
            # (capacity - requested) * 100 / capacity, and 0 once requested exceeds capacity.
            return np.maximum(capacity - requested, 0) * MAX_NODE_SCORE // capacity
        if self.strategy == MOST_ALLOCATED:
            # requested * 100 / capacity, with requested capped at capacity.
            return np.minimum(requested, capacity) * MAX_NODE_SCORE // capacity
        utilization = np.minimum(requested, capacity) * 100 // capacity
        return self._broken_linear(utilization)

    def _broken_linear(self, utilization: np.ndarray) -> np.ndarray:
        """helper.BuildBrokenLinearFunction: straight lines between the shape's points."""
        shape = self.shape
        result = np.full(utilization.shape, shape[-1][1], dtype=np.int64)
        done = np.zeros(utilization.shape, dtype=bool)
        for i, (point, score) in enumerate(shape):
            here = ~done & (utilization <= point)
            if i == 0:
                value = np.full(utilization.shape, score, dtype=np.int64)
            else:
                prev_point, prev_score = shape[i - 1]
                value = prev_score + _go_div((score - prev_score) * (utilization - prev_point),
                                             np.full(utilization.shape, point - prev_point))
            result = np.where(here, value, result)
            done |= here
        return result
