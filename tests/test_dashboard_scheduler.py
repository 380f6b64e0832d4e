"""The scheduler lab: pods added with the sliders' requests land where kube-scheduler's scoring
strategy sends them, and the explainer shows the scheduler's own record of the decision."""

import re

import pytest

from k8skit.control_plane.scheduler.plugins import LEAST_ALLOCATED, MOST_ALLOCATED
from k8skit.viz.cluster_map import POD_STATES
from k8skit.widgets.scheduler_lab import LAB_LABEL, SchedulerLab

POD_TRACES = slice(8, 8 + len(POD_STATES))


def placements(lab: SchedulerLab) -> dict[str, str]:
    """pod -> node of the lab's pods, as the cluster map shows them."""
    found = {}
    for trace in lab.map.data[POD_TRACES]:
        for hover in trace.hovertext or ():
            name = re.match(r"<b>([^<]+)</b>", hover).group(1)
            if name.startswith("pod-"):
                found[name] = re.search(r"NODE ([^\s<]+)", hover).group(1)
    return found


def kubectl_placements(lab: SchedulerLab) -> dict[str, str]:
    lines = lab.cluster.kubectl(f"get pods -l {LAB_LABEL} -o wide").stdout.splitlines()[1:]
    return {line.split()[0]: line.split()[6] for line in lines}


def add(lab: SchedulerLab, count: int, cpu: int, memory: int = 256) -> None:
    lab.cpu.value, lab.memory.value, lab.count.value = cpu, memory, count
    lab.add_button.click()


@pytest.fixture
def lab():
    return SchedulerLab(seed=2)


def test_least_allocated_spreads_pods_over_the_workers(lab):
    add(lab, 3, 1000)
    assert not lab.problem
    shown = placements(lab)
    assert shown == kubectl_placements(lab)
    assert len(set(shown.values())) == 3


def test_most_allocated_packs_pods_onto_one_worker(lab):
    lab.strategy.value = MOST_ALLOCATED
    assert lab.scoring_strategy == MOST_ALLOCATED
    assert "MostAllocated" in lab.message_text
    add(lab, 3, 1000)
    shown = placements(lab)
    assert shown == kubectl_placements(lab)
    assert len(set(shown.values())) == 1


def test_switching_strategy_moves_no_pod_already_placed(lab):
    add(lab, 3, 1000)
    before = kubectl_placements(lab)
    lab.strategy.value = MOST_ALLOCATED
    lab.strategy.value = LEAST_ALLOCATED
    assert kubectl_placements(lab) == before


def test_the_explainer_shows_the_last_pods_recorded_decision(lab):
    add(lab, 2, 1500)
    node = kubectl_placements(lab)["pod-2"]
    title = lab.explainer.layout.title.text
    assert title.startswith(f"Why {node}? Scheduling default/pod-2 at t = ")
    chosen = [text for text in lab.explainer.layout.yaxis.ticktext if text.startswith("<b>★")]
    assert chosen == [f"<b>★ {node}</b>"]


def test_moving_a_slider_previews_the_next_pod_as_it_would_be_placed_now(lab):
    lab.cpu.value = 3000
    assert lab.explainer.layout.title.text.endswith("pod-1 if it were scheduled now")
    assert "cpu <b>3000m</b>" in lab.plan.value
    lab.cpu.value = 8000      # more than any worker has
    assert lab.explainer.layout.title.text == "No node for default/pod-1 if it were scheduled now"
    lab.count.value = 4
    assert "pod-1 … pod-4" in lab.plan.value


def test_a_pod_too_big_for_every_node_stays_pending_and_says_why(lab):
    add(lab, 1, 8000)
    assert lab.problem
    assert lab.message_text.startswith("pod-1 fits on no node and stays Pending: 0/4 nodes "
                                       "are available:")
    assert "3 Insufficient cpu" in lab.message_text
    assert "<b>queue</b><br>1 unscheduled" in lab.map.data[7].text
    assert "Pending" in lab.cluster.kubectl("get pod pod-1").stdout
    assert lab.explainer.layout.title.text.startswith("No node for default/pod-1 at t = ")


def test_removing_the_lab_pods_leaves_the_systems_own(lab):
    add(lab, 5, 200)
    system = {p["metadata"]["name"] for p in lab.cluster.api.list("Pod", "kube-system")}
    lab.remove_button.click()
    assert not lab.problem
    assert placements(lab) == {}
    assert {p["metadata"]["name"] for p in lab.cluster.api.list("Pod", "kube-system")} == system
    add(lab, 1, 100)
    assert set(placements(lab)) == {"pod-6"}


def test_the_text_shown_without_widgets(lab):
    add(lab, 2, 100)
    assert lab._repr_mimebundle_()["text/plain"] == (
        "SchedulerLab: 3 workers, 2 pods added, scoring LeastAllocated; run it in JupyterLab")
