"""NodeUnschedulable: keep new pods off cordoned nodes.

Source: ``pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go``.
``kubectl cordon`` sets ``spec.unschedulable: true``; such a node takes no new pod unless the
pod tolerates the ``node.kubernetes.io/unschedulable:NoSchedule`` taint (DaemonSet pods do).
Pods already running there stay.
"""

from __future__ import annotations

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    Code,
    CycleState,
    FilterPlugin,
    Status,
    Verdict,
)
from k8skit.control_plane.scheduler.plugins.helpers import tolerated
from k8skit.control_plane.scheduler.pod_info import PodInfo

UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"


class NodeUnschedulable(FilterPlugin):
    name = "NodeUnschedulable"

    _status = Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (ERR_REASON_UNSCHEDULABLE,), name)

    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        if not nodes.unschedulable.any() or tolerated(pod.tolerations, UNSCHEDULABLE_TAINT):
            return None
        return Verdict(nodes.unschedulable, (self._status,))
