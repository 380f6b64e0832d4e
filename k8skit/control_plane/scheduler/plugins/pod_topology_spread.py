"""PodTopologySpread: spread related pods over nodes and zones.

Source: ``pkg/scheduler/framework/plugins/podtopologyspread/`` (``filtering.go``,
``scoring.go``, ``common.go``). A constraint names a topology key (a node label such as
``kubernetes.io/hostname`` or ``topology.kubernetes.io/zone``), a selector for the pods to
count, and ``maxSkew``, the largest allowed difference between the most and the least loaded
domain.

- ``whenUnsatisfiable: DoNotSchedule`` constraints filter: a node is rejected when placing the
  pod there would make ``pods in its domain + 1 - pods in the emptiest domain`` exceed maxSkew.
- ``ScheduleAnyway`` constraints score: each node gets ``count * log(domains + 2) + maxSkew - 1``
  per constraint, and the scores are inverted so that the emptiest domain wins.

A pod without constraints of its own gets the cluster's **system defaults**: hostname with
maxSkew 3 and zone with maxSkew 5, both ScheduleAnyway. This is why the replicas of a Deployment
land on different nodes without anyone asking. Upstream counts the pods matched by the
selectors of the Services, ReplicaSets and StatefulSets that select the pod; the simulator counts
the pods that share the pod's controller (the same ``ownerReference`` uid), which for a
ReplicaSet or StatefulSet is the same set of pods. A pod with no controller gets no default
spreading, as upstream when nothing selects it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from k8skit.api import labels
from k8skit.control_plane.scheduler.cache import (
    LABEL_HOSTNAME,
    LABEL_ZONE,
    LabelColumn,
    NodeTable,
)
from k8skit.control_plane.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    Code,
    CycleState,
    FilterPlugin,
    ScorePlugin,
    Status,
    Verdict,
)
from k8skit.control_plane.scheduler.plugins.helpers import (
    required_node_affinity_rows,
    untolerated_rows,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo

DO_NOT_SCHEDULE = "DoNotSchedule"
SCHEDULE_ANYWAY = "ScheduleAnyway"

ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"

# apis/config/v1/defaults.go: the cluster-level default constraints.
SYSTEM_DEFAULT_CONSTRAINTS = (
    {"topologyKey": LABEL_HOSTNAME, "maxSkew": 3, "whenUnsatisfiable": SCHEDULE_ANYWAY},
    {"topologyKey": LABEL_ZONE, "maxSkew": 5, "whenUnsatisfiable": SCHEDULE_ANYWAY},
)

_PRE_FILTER_KEY = "PreFilterPodTopologySpread"
_PRE_SCORE_KEY = "PreScorePodTopologySpread"


@dataclass
class Constraint:
    """One spread constraint, with the way to count the pods it is about."""

    topology_key: str
    max_skew: int
    min_domains: int | None
    honor_node_affinity: bool
    honor_node_taints: bool
    selector: labels.Selector | None   # None means "pods of the same controller"

    def counts_per_node(self, pod: PodInfo, nodes: NodeTable) -> np.ndarray:
        """How many matching, non-terminating pods of the pod's namespace each node runs."""
        if self.selector is None:
            counts = nodes.owner_counts.get(pod.owner_uid)
            return counts if counts is not None else np.zeros(len(nodes), dtype=np.int64)
        counts = np.zeros(len(nodes), dtype=np.int64)
        for row, pods in enumerate(nodes.pods_by_row):
            counts[row] = sum(1 for p in pods.values()
                              if p.namespace == pod.namespace and not p.terminating
                              and self.selector.matches(p.labels))
        return counts

    def matches_itself(self, pod: PodInfo) -> bool:
        return self.selector is None or self.selector.matches(pod.labels)


def _constraints(pod: PodInfo, action: str) -> list[Constraint]:
    """The pod's own constraints with ``whenUnsatisfiable == action``, or the system defaults
    (ScheduleAnyway only) for a pod that has a controller and no constraints of its own."""
    if not pod.spread_constraints:
        if action != SCHEDULE_ANYWAY or pod.owner_uid is None:
            return []
        return _SYSTEM_DEFAULTS
    found = []
    for c in pod.spread_constraints:
        if c.get("whenUnsatisfiable", DO_NOT_SCHEDULE) != action:
            continue
        given = c.get("labelSelector")
        selector_dict = dict(given or {})
        # matchLabelKeys: also require the pod's own values of these labels (e.g. the
        # pod-template-hash, to spread each ReplicaSet of a rollout on its own).
        extra = [{"key": key, "operator": "In", "values": [pod.labels[key]]}
                 for key in c.get("matchLabelKeys") or () if key in pod.labels]
        if extra:
            selector_dict["matchExpressions"] = [
                *(selector_dict.get("matchExpressions") or ()), *extra]
        # No labelSelector at all selects nothing (metav1.LabelSelectorAsSelector(nil)).
        selector = (labels.Selector.from_label_selector(selector_dict)
                    if given is not None or extra else labels.Selector.nothing())
        found.append(Constraint(
            c["topologyKey"], int(c.get("maxSkew", 1)), c.get("minDomains"),
            c.get("nodeAffinityPolicy", "Honor") == "Honor",
            c.get("nodeTaintsPolicy", "Ignore") == "Honor", selector))
    return found


_SYSTEM_DEFAULTS = [Constraint(c["topologyKey"], c["maxSkew"], None, True, False, None)
                    for c in SYSTEM_DEFAULT_CONSTRAINTS]


def _has_all_keys(nodes: NodeTable, constraints: list[Constraint]) -> np.ndarray:
    present = np.ones(len(nodes), dtype=bool)
    for c in constraints:
        present &= nodes.label_column(c.topology_key).codes >= 0
    return present


def _eligible(nodes: NodeTable, pod: PodInfo, constraint: Constraint,
              affinity: np.ndarray | None, with_keys: np.ndarray | None) -> np.ndarray | None:
    """Nodes whose pods count for ``constraint``: those with every topology key (for a pod's
    own constraints), matching the pod's node affinity (nodeAffinityPolicy: Honor, the default)
    and, with nodeTaintsPolicy: Honor, whose taints the pod tolerates. None means all nodes."""
    eligible = with_keys
    if constraint.honor_node_affinity and affinity is not None:
        eligible = affinity if eligible is None else eligible & affinity
    if constraint.honor_node_taints:
        tolerated_ = ~untolerated_rows(nodes, pod.tolerations)
        eligible = tolerated_ if eligible is None else eligible & tolerated_
    return eligible


def _domains(column: LabelColumn) -> np.ndarray:
    """Each node's domain code; a node without the label is in the "" domain, as upstream's
    map lookup ``node.Labels[key]`` gives "" (code -1 unless some node has the value "")."""
    empty = column.values.get("", -1)
    return column.codes if empty < 0 else np.where(column.codes < 0, empty, column.codes)


class PodTopologySpread(FilterPlugin, ScorePlugin):
    name = "PodTopologySpread"

    _label_missing = Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                            (ERR_REASON_NODE_LABEL_NOT_MATCH,), name)
    _too_skewed = Status(Code.UNSCHEDULABLE, (ERR_REASON_CONSTRAINTS_NOT_MATCH,), name)

    # -- hard constraints (filter) ------------------------------------------------------------
    def pre_filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Status | None:
        constraints = _constraints(pod, DO_NOT_SCHEDULE)
        state.write(_PRE_FILTER_KEY, constraints)
        return None

    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        constraints = state.read(_PRE_FILTER_KEY)
        if not constraints:
            return None
        affinity = required_node_affinity_rows(nodes, pod)
        with_keys = _has_all_keys(nodes, constraints)
        status_index = np.full(len(nodes), -1, dtype=np.int64)
        for c in constraints:
            codes = nodes.label_column(c.topology_key).codes
            counted = _eligible(nodes, pod, c, affinity, with_keys)
            per_domain = np.bincount(codes[counted], weights=c.counts_per_node(pod, nodes)[counted],
                                     minlength=codes.max(initial=-1) + 1).astype(np.int64)
            seen = np.zeros(len(per_domain), dtype=bool)
            seen[codes[counted]] = True
            domain_counts = per_domain[seen]
            min_match = int(domain_counts.min()) if domain_counts.size else math.inf
            if c.min_domains is not None and domain_counts.size < c.min_domains:
                min_match = 0
            match_num = np.where(codes >= 0, per_domain[np.maximum(codes, 0)]
                                 if per_domain.size else 0, 0)
            skew = match_num + int(c.matches_itself(pod)) - min_match
            # Constraints are checked in order; within one, a missing label comes first.
            status_index = np.where((status_index < 0) & (codes < 0), 0, status_index)
            status_index = np.where((status_index < 0) & (skew > c.max_skew), 1, status_index)
        if not (status_index >= 0).any():
            return None
        return Verdict(status_index >= 0, (self._label_missing, self._too_skewed), status_index)

    # -- soft constraints (score) -------------------------------------------------------------
    def pre_score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
                  feasible: np.ndarray) -> Status | None:
        constraints = _constraints(pod, SCHEDULE_ANYWAY)
        if not constraints:
            return SKIP
        # Only a pod's own constraints need every key; with the system defaults a node without
        # a zone label still spreads by hostname. Ignored nodes score 0.
        with_keys = _has_all_keys(nodes, constraints) if pod.spread_constraints else None
        ignored = None if with_keys is None else ~with_keys[feasible]
        state.write(_PRE_SCORE_KEY, (constraints, with_keys, ignored))
        return None

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        constraints, with_keys, ignored = state.read(_PRE_SCORE_KEY)
        considered = feasible if ignored is None else feasible[~ignored]
        affinity = required_node_affinity_rows(nodes, pod)
        score: np.ndarray | float = 0.0
        for c in constraints:
            column = nodes.label_column(c.topology_key)
            if not column.values:
                continue  # no node has the label: no node gets points for it
            counts = c.counts_per_node(pod, nodes)
            if c.topology_key == LABEL_HOSTNAME:
                size = len(considered)
                count = counts[feasible]
            else:
                # Domain codes shifted by one, so that bincount can take "no label" (-1).
                domains = _domains(column) + 1
                size = np.count_nonzero(np.bincount(domains[considered]))
                counted = _eligible(nodes, pod, c, affinity, with_keys)
                if counted is not None:
                    counts = np.where(counted, counts, 0)
                count = np.bincount(domains, weights=counts)[domains[feasible]]
            # scoreForCount: cnt * log(size + 2) + (maxSkew - 1), where the node has the label.
            points = count * math.log(size + 2) + (c.max_skew - 1)
            if not column.everywhere:
                points = np.where(column.codes[feasible] >= 0, points, 0.0)
            score = score + points
        # math.Round rounds halves away from zero; every score here is positive.
        raw = np.floor(score + 0.5).astype(np.int64)
        if np.ndim(raw) == 0:
            raw = np.full(len(feasible), int(raw), dtype=np.int64)
        return raw if ignored is None else np.where(ignored, 0, raw)

    def normalize_score(self, state: CycleState, pod: PodInfo,
                        scores: np.ndarray | int) -> np.ndarray | int:
        """The fewer matching pods, the higher the score: ``100 * (max + min - s) / max``;
        nodes missing a required topology label get 0."""
        ignored = state.read(_PRE_SCORE_KEY)[2]
        valid = scores if ignored is None else scores[~ignored]
        if not valid.size:
            return np.zeros(len(scores), dtype=np.int64)
        lowest, highest = int(valid.min()), int(valid.max())
        if highest == 0:
            normalized = np.full(len(scores), MAX_NODE_SCORE, dtype=np.int64)
        else:
            normalized = MAX_NODE_SCORE * (highest + lowest - scores) // highest
        return normalized if ignored is None else np.where(ignored, 0, normalized)
