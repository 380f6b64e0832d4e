"""The in-tree plugins and the default profile that enables them.

Source: ``pkg/scheduler/apis/config/v1/default_plugins.go``. Filters run in this order and a
node's reported reason is the first filter that rejects it; score weights are upstream's:
TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, NodeResourcesFit 1,
NodeResourcesBalancedAllocation 1, ImageLocality 1.

Default plugins the simulator leaves out, because nothing in it uses what they check:
SchedulingGates, NodePorts (hostPort), the volume plugins (VolumeRestrictions,
NodeVolumeLimits, VolumeBinding, VolumeZone), InterPodAffinity (pod affinity and anti-affinity)
and DynamicResources. NodeAffinity's PreFilter shortcut for ``matchFields: metadata.name``
(which DaemonSet pods use) is left out too: such terms are evaluated by the filter, so the
nodes they exclude report the node affinity reason rather than upstream's
``node(s) didn't satisfy plugin(s) [NodeAffinity]``.
"""

from __future__ import annotations

from k8skit.control_plane.scheduler.framework import Profile, WeightedScorePlugin
from k8skit.control_plane.scheduler.plugins.balanced_allocation import (
    NodeResourcesBalancedAllocation,
)
from k8skit.control_plane.scheduler.plugins.image_locality import ImageLocality
from k8skit.control_plane.scheduler.plugins.node_affinity import NodeAffinity
from k8skit.control_plane.scheduler.plugins.node_name import NodeName
from k8skit.control_plane.scheduler.plugins.node_resources_fit import (
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
    REQUESTED_TO_CAPACITY_RATIO,
    NodeResourcesFit,
)
from k8skit.control_plane.scheduler.plugins.node_unschedulable import NodeUnschedulable
from k8skit.control_plane.scheduler.plugins.pod_topology_spread import PodTopologySpread
from k8skit.control_plane.scheduler.plugins.taint_toleration import TaintToleration

__all__ = [
    "LEAST_ALLOCATED", "MOST_ALLOCATED", "REQUESTED_TO_CAPACITY_RATIO", "ImageLocality",
    "NodeAffinity", "NodeName", "NodeResourcesBalancedAllocation", "NodeResourcesFit",
    "NodeUnschedulable", "PodTopologySpread", "TaintToleration", "default_profile",
]


def default_profile(fit: NodeResourcesFit | None = None,
                    percentage_of_nodes_to_score: int = 0) -> Profile:
    """The ``default-scheduler`` profile; pass ``fit=NodeResourcesFit(MOST_ALLOCATED)`` to pack
    nodes instead of spreading."""
    taints = TaintToleration()
    affinity = NodeAffinity()
    fit = fit or NodeResourcesFit()
    spread = PodTopologySpread()
    return Profile(
        filters=[NodeUnschedulable(), NodeName(), taints, affinity, fit, spread],
        scores=[
            WeightedScorePlugin(taints, 3),
            WeightedScorePlugin(affinity, 2),
            WeightedScorePlugin(fit, 1),
            WeightedScorePlugin(spread, 2),
            WeightedScorePlugin(NodeResourcesBalancedAllocation(), 1),
            WeightedScorePlugin(ImageLocality(), 1),
        ],
        percentage_of_nodes_to_score=percentage_of_nodes_to_score,
    )
