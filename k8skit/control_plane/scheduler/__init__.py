"""kube-scheduler, simulated: the framework, the default plugins, the queue and the component.

Layout, as upstream's ``pkg/scheduler``:

- ``framework.py``: plugin interfaces, Status, CycleState, the profile;
- ``plugins/``: one file per plugin (NodeUnschedulable, NodeName, TaintToleration,
  NodeAffinity, NodeResourcesFit, NodeResourcesBalancedAllocation, PodTopologySpread,
  ImageLocality) and the default profile with upstream's weights;
- ``cache.py``: the node table fed by watch events; ``queue.py``: the scheduling queue;
- ``schedule_one.py``: one decision; ``preemption.py``: the PostFilter verdict;
- ``explanation.py``: "why this node", per node and plugin;
- ``scheduler.py``: the component that watches, schedules, binds and records events.
"""

from k8skit.control_plane.scheduler.explanation import Explanation, NodeExplanation, ScoreLine
from k8skit.control_plane.scheduler.plugins import default_profile
from k8skit.control_plane.scheduler.scheduler import Scheduler

__all__ = ["Explanation", "NodeExplanation", "ScoreLine", "Scheduler", "default_profile"]
