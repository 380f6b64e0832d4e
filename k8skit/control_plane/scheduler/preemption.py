"""DefaultPreemption's verdict on a pod that fits nowhere (the PostFilter extension point).

Source: ``pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go`` and
``pkg/scheduler/framework/preemption/preemption.go``. When no node fits, upstream asks whether
evicting lower-priority pods would make room, and appends what it found to the
FailedScheduling message::

    preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,
    2 No preemption victims found for incoming pod.

A node rejected for a reason eviction cannot change (a taint, a selector, a request larger than
the whole node) is "not helpful"; a node that is only full has "no victims" when none of its pods
has a lower priority than the incoming pod.

The simulator does not evict pods to make room. When some full node does run lower-priority
pods, upstream would go on to preempt them; the simulator then reports no preemption verdict at
all rather than a wrong one, and the message ends after its first sentence.
"""

from __future__ import annotations

from collections import Counter

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import Code, Status
from k8skit.control_plane.scheduler.pod_info import PodInfo

NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."


def histogram_message(num_all_nodes: int, reasons: Counter) -> str:
    """``0/N nodes are available: <count> <reason>, ...`` sorted as strings, as FitError.Error
    sorts them (``pkg/scheduler/framework/types.go``): "10 x" sorts before "2 y"."""
    parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
    message = f"0/{num_all_nodes} nodes are available:"
    return f"{message} {', '.join(parts)}." if parts else message


def post_filter_message(pod: PodInfo, nodes: NodeTable,
                        statuses: dict[str, Status]) -> str:
    """The ``preemption: ...`` sentence for a pod that fits on none of ``statuses``' nodes,
    or "" when only actual preemption could tell (see the module's docstring)."""
    if pod.preemption_policy == "Never":
        return f"preemption: {NOT_ELIGIBLE_NEVER}"
    verdicts: Counter = Counter()
    for node_name, status in statuses.items():
        if status.code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE:
            verdicts[NOT_HELPFUL] += 1
        elif any(p.priority < pod.priority for p in nodes.pods_on(node_name)):
            return ""
        else:
            verdicts[NO_VICTIMS] += 1
    return "preemption: " + histogram_message(len(statuses), verdicts)
