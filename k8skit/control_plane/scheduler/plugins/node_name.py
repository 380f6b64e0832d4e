"""NodeName: a pod that names its node can only go there.

Source: ``pkg/scheduler/framework/plugins/nodename/node_name.go``. A pod created with
``spec.nodeName`` already set skips the scheduler entirely (the kubelet of that node just runs
it); this filter matters when the scheduler evaluates such a pod anyway, as
:meth:`Scheduler.explain <k8skit.control_plane.scheduler.scheduler.Scheduler.explain>` does.
"""

from __future__ import annotations

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import (
    Code,
    CycleState,
    FilterPlugin,
    Status,
    Verdict,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo

ERR_REASON = "node(s) didn't match the requested node name"


class NodeName(FilterPlugin):
    name = "NodeName"

    _status = Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (ERR_REASON,), name)

    def filter(self, state: CycleState, pod: PodInfo, nodes: NodeTable) -> Verdict | None:
        if not pod.node_name:
            return None
        rejected = np.ones(len(nodes), dtype=bool)
        row = nodes.rows.get(pod.node_name)
        if row is not None:
            rejected[row] = False
        return Verdict(rejected, (self._status,))
