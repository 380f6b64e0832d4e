"""The scheduler lab: add pods with chosen requests and watch kube-scheduler place them.

A small cluster of equal workers. The sliders set the next pods' CPU and memory *requests* (what
the scheduler counts; limits play no part in placing a pod); *Add pods* creates them
(``kubectl apply``) and lets two seconds pass. Two figures show the result:

- the cluster map (``k8skit.viz.cluster_map``): every pod on its node, and each node's
  requested CPU and memory filling up;
- the scheduling explainer (``k8skit.viz.scheduling``): for the last pod added, the scheduler's
  own record of its decision, node by node; while the sliders move, what it *would* decide for
  the next pod now.

The toggle switches the scoring strategy of the NodeResourcesFit plugin, the part of a
KubeSchedulerConfiguration that says how full a node should be
(``pkg/scheduler/framework/plugins/noderesources``): ``LeastAllocated`` (the default) prefers the
emptiest node and spreads pods out; ``MostAllocated`` prefers the fullest node that still fits
and packs them, leaving whole nodes free (what a cluster autoscaler wants). Changing it is
restarting kube-scheduler with a new configuration: pods already placed stay where they are,
since the scheduler never moves a pod.

Requests beyond any node's room are allowed: such a pod stays Pending, the explainer names the
filter that turned each node down, and the message line says why in the words of the
``FailedScheduling`` event.
"""

from __future__ import annotations

import ipywidgets as widgets
import plotly.graph_objects as go
import yaml

from k8skit.api.quantity import cpu_millis, memory_bytes
from k8skit.cluster import Cluster
from k8skit.control_plane.scheduler.plugins import (
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
    NodeResourcesFit,
    default_profile,
)
from k8skit.viz.cluster_map import cluster_map, cluster_map_patch
from k8skit.viz.scheduling import (
    explanation_for,
    scheduling_explainer,
    scheduling_explainer_patch,
)
from k8skit.widgets.cluster_dashboard import RUN_IT, Dashboard

#: The label on every pod the lab adds, so that *Remove my pods* leaves the system's alone.
LAB_LABEL = "k8skit.io/lab"
LAB_NAME = "scheduler-lab"
#: A container that only holds its requests (kube-scheduler's own tests use it the same way).
IMAGE = "registry.k8s.io/pause:3.10"
#: Simulated seconds to let pass after adding pods: enough for the pause container to start.
SETTLE_SECONDS = 2
MIB = 1024 * 1024

_STYLE = {"description_width": "150px"}
_WIDE = widgets.Layout(width="520px")


class SchedulerLab(Dashboard):
    """``nodes`` workers of ``cpu`` and ``memory`` each; pods added with the sliders' requests."""

    def __init__(self, nodes: int = 3, cpu: str = "4", memory: str = "8Gi",
                 strategy: str = LEAST_ALLOCATED, seed: int = 0) -> None:
        super().__init__(Cluster(nodes=nodes, cpu=cpu, memory=memory, seed=seed))
        self.added = 0
        self.last_pod: str | None = None
        # Up to twice a node's size, so that a pod that fits nowhere is one drag away.
        self.cpu = widgets.IntSlider(value=500, min=0, max=2 * cpu_millis(cpu), step=100,
                                     description="cpu request (m)", continuous_update=False,
                                     style=_STYLE, layout=_WIDE)
        self.memory = widgets.IntSlider(value=512, min=0, max=2 * memory_bytes(memory) // MIB,
                                        step=128, description="memory request (Mi)",
                                        continuous_update=False, style=_STYLE, layout=_WIDE)
        self.count = widgets.IntSlider(value=1, min=1, max=10, description="pods to add",
                                       continuous_update=False, style=_STYLE, layout=_WIDE)
        self.strategy = widgets.ToggleButtons(
            options=(LEAST_ALLOCATED, MOST_ALLOCATED), value=strategy,
            description="scoring strategy", style=_STYLE,
            tooltips=["prefer the emptiest node: spread", "prefer the fullest node: pack"])
        self.add_button = self.button("Add pods", self.add_pods,
                                      "kubectl apply pods with these requests", "primary")
        self.remove_button = self.button("Remove my pods", self.remove_pods,
                                         f"kubectl delete pods -l {LAB_LABEL}={LAB_NAME}")
        self.plan = widgets.HTML()
        self._use_strategy(strategy)
        self.map = go.FigureWidget(cluster_map(self.cluster))
        self.explainer = go.FigureWidget(scheduling_explainer(self.cluster, self.next_pod()))
        for slider in (self.cpu, self.memory, self.count):
            self.on_change(slider, self.preview)
        self.on_change(self.strategy, self.switch_strategy)
        self.children = (
            self.cpu, self.memory, self.count, self.strategy,
            widgets.HBox([self.add_button, self.remove_button]), self.plan,
            self.message, self.map, self.explainer,
        )
        self.redraw()

    # -- pods ----------------------------------------------------------------------------------
    def next_pod(self, number: int | None = None) -> dict:
        """The manifest of the next pod the lab would add, with the sliders' requests."""
        name = f"pod-{number or self.added + 1}"
        return {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": name, LAB_LABEL: LAB_NAME}},
            "spec": {"containers": [{"name": "app", "image": IMAGE, "resources": {"requests": {
                "cpu": f"{self.cpu.value}m", "memory": f"{self.memory.value}Mi"}}}]},
        }

    def add_pods(self) -> None:
        """``kubectl apply`` the next pods, then let them be scheduled and start."""
        pods = [self.next_pod(self.added + i) for i in range(1, self.count.value + 1)]
        if not self.kubectl("apply -f -", stdin=yaml.safe_dump_all(pods, sort_keys=False)):
            return
        self.added += len(pods)
        self.last_pod = pods[-1]["metadata"]["name"]
        self.cluster.run(SETTLE_SECONDS)
        pending = [pod["metadata"]["name"] for pod in pods
                   if not self.cluster.api.get("Pod", pod["metadata"]["name"])["spec"].get(
                       "nodeName")]
        if pending:
            explanation, _ = explanation_for(self.cluster, pending[-1])
            verbs = "fits on no node and stays" if len(pending) == 1 else "fit on no node and stay"
            self.warn(f"{', '.join(pending)} {verbs} Pending: {explanation.message}")
        self.show_last_decision()

    def remove_pods(self) -> None:
        """Delete every pod the lab added (the system's own pods stay)."""
        self.kubectl(f"delete pods -l {LAB_LABEL}={LAB_NAME}")
        self.last_pod = None
        self.preview()

    # -- the scheduler -------------------------------------------------------------------------
    def switch_strategy(self) -> None:
        """Restart kube-scheduler with the chosen NodeResourcesFit scoring strategy.

        In a KubeSchedulerConfiguration this is ``pluginConfig: - name: NodeResourcesFit,
        args: {scoringStrategy: {type: MostAllocated}}``; the rest of the default profile
        stays as it is.
        """
        strategy = self.strategy.value
        self._use_strategy(strategy)
        how = ("the emptiest node: pods spread out" if strategy == LEAST_ALLOCATED
               else "the fullest node that still fits: pods pack together")
        self.tell(f"kube-scheduler now scores with {strategy}: it prefers {how}. Pods already "
                  "placed stay where they are.")
        self.preview()

    def _use_strategy(self, strategy: str) -> None:
        self.cluster.scheduler.profile = default_profile(fit=NodeResourcesFit(strategy))

    @property
    def scoring_strategy(self) -> str:
        """The strategy the cluster's scheduler scores with now."""
        return next(weighted.plugin.strategy for weighted in self.cluster.scheduler.profile.scores
                    if isinstance(weighted.plugin, NodeResourcesFit))

    def preview(self) -> None:
        """The explainer for the next pod, as the scheduler would place it now."""
        scheduling_explainer_patch(self.cluster, self.next_pod()).apply_to(self.explainer)

    def show_last_decision(self) -> None:
        """The explainer for the last pod added: the scheduler's record of its decision."""
        if self.last_pod is not None:
            scheduling_explainer_patch(self.cluster, self.last_pod).apply_to(self.explainer)

    def redraw(self) -> None:
        cluster_map_patch(self.cluster).apply_to(self.map)
        self.describe()

    def describe(self) -> None:
        """What *Add pods* will create, and the strategy it will be scored with."""
        first, count = self.added + 1, self.count.value
        names = f"pod-{first}" if count == 1 else f"pod-{first} … pod-{first + count - 1}"
        self.plan.value = (f"<i>Add pods</i> creates {names}, each requesting cpu "
                           f"<b>{self.cpu.value}m</b> and memory <b>{self.memory.value}Mi</b>; "
                           f"kube-scheduler scores with <b>{self.scoring_strategy}</b>.")

    def __repr__(self) -> str:
        return (f"SchedulerLab: {len(self.cluster.nodes) - 1} workers, {self.added} pods added, "
                f"scoring {self.scoring_strategy}; {RUN_IT}")
