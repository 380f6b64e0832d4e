"""What several plugins share: toleration matching and node selector matching.

Sources: ``staging/src/k8s.io/api/core/v1/toleration.go`` (``ToleratesTaint``) and
``staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.pod_info import PodInfo

# The taint effects that keep new pods off a node (helper.DoNotScheduleTaintsFilterFunc);
# PreferNoSchedule only lowers the node's score.
DO_NOT_SCHEDULE_EFFECTS = ("NoSchedule", "NoExecute")

_GO_INT = re.compile(r"[+-]?[0-9]+")


def tolerates(toleration: dict, taint: dict) -> bool:
    """Whether one toleration tolerates one taint.

    An empty effect matches every effect; an empty key with ``operator: Exists`` matches every
    taint; ``Equal`` (the default operator) also compares the value.
    """
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return operator == "Exists"


def tolerated(tolerations: Iterable[dict], taint: dict) -> bool:
    return any(tolerates(t, taint) for t in tolerations)


def first_untolerated_taint(taints: Iterable[dict], tolerations: tuple[dict, ...],
                            effects: tuple[str, ...] = DO_NOT_SCHEDULE_EFFECTS) -> dict | None:
    """The first of ``taints`` with one of ``effects`` that no toleration tolerates
    (v1helper.FindMatchingUntoleratedTaint)."""
    for taint in taints:
        if taint.get("effect") in effects and not tolerated(tolerations, taint):
            return taint
    return None


def untolerated_rows(nodes: NodeTable, tolerations: tuple[dict, ...]) -> np.ndarray:
    """For each node, True when it has a NoSchedule/NoExecute taint the pod does not tolerate.

    Answered once per distinct taint list, then spread over the rows by taint-set id.
    """
    per_set = np.fromiter(
        (first_untolerated_taint(taints, tolerations) is not None for taints in nodes.taint_sets),
        dtype=bool, count=len(nodes.taint_sets))
    return per_set[nodes.taint_set]


def _go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``: digits with an optional sign, nothing else."""
    return int(text) if _GO_INT.fullmatch(text) else None


def _requirement_rows(nodes: NodeTable, requirement: dict) -> np.ndarray:
    """The nodes whose labels satisfy one NodeSelectorRequirement (key, operator, values)."""
    key = requirement.get("key", "")
    operator = requirement.get("operator", "")
    values = requirement.get("values") or []
    codes, vocab, _ = nodes.label_column(key)
    if operator in ("In", "NotIn"):
        wanted = [vocab[v] for v in values if v in vocab]
        matched = np.isin(codes, wanted)
        return matched if operator == "In" else ~matched
    if operator == "Exists":
        return codes >= 0
    if operator == "DoesNotExist":
        return codes < 0
    if operator in ("Gt", "Lt") and len(values) == 1 and _go_int(values[0]) is not None:
        bound = _go_int(values[0])
        by_code = [_go_int(v) for v in vocab]  # vocab keys in code order
        ok = np.array([n is not None and (n > bound if operator == "Gt" else n < bound)
                       for n in by_code] + [False], dtype=bool)
        return ok[codes]  # code -1 (no label) reads the trailing False
    return np.zeros(len(nodes), dtype=bool)


def _field_rows(nodes: NodeTable, requirement: dict) -> np.ndarray:
    """``matchFields``: only ``metadata.name`` with In / NotIn exists (validation enforces it)."""
    selected = np.zeros(len(nodes), dtype=bool)
    if requirement.get("key") != "metadata.name":
        return selected
    rows = [nodes.rows[n] for n in requirement.get("values") or () if n in nodes.rows]
    selected[rows] = True
    operator = requirement.get("operator")
    if operator == "NotIn":
        return ~selected
    return selected if operator == "In" else np.zeros(len(nodes), dtype=bool)


def node_selector_term_rows(nodes: NodeTable, term: dict) -> np.ndarray:
    """The nodes matching one NodeSelectorTerm: all its expressions and fields (ANDed).
    A term with neither matches no node."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return np.zeros(len(nodes), dtype=bool)
    matched = np.ones(len(nodes), dtype=bool)
    for requirement in expressions:
        matched &= _requirement_rows(nodes, requirement)
    for requirement in fields:
        matched &= _field_rows(nodes, requirement)
    return matched


def required_node_affinity_rows(nodes: NodeTable, pod: PodInfo) -> np.ndarray | None:
    """The nodes matching the pod's ``nodeSelector`` AND its required node affinity (whose
    terms are ORed), or None when the pod sets neither (every node matches).

    Source: ``nodeaffinity.GetRequiredNodeAffinity``; used by NodeAffinity's filter and by
    PodTopologySpread (nodeAffinityPolicy: Honor).
    """
    if not pod.node_selector and pod.required_node_affinity is None:
        return None
    matched = np.ones(len(nodes), dtype=bool)
    for key, value in pod.node_selector.items():
        column = nodes.label_column(key)
        matched &= column.codes == column.values.get(value, -2)
    if pod.required_node_affinity is not None:
        any_term = np.zeros(len(nodes), dtype=bool)
        for term in pod.required_node_affinity:
            any_term |= node_selector_term_rows(nodes, term)
        matched &= any_term
    return matched
