"""Rapid and extreme input, as a restless learner gives it: every lab survives any order of its
controls, extreme values included, and keeps showing the cluster as kubectl sees it."""

import random

import pytest

from k8skit.widgets.rollout_lab import IMAGES, RolloutLab
from k8skit.widgets.scheduler_lab import LAB_LABEL, SchedulerLab
from k8skit.widgets.service_lab import ServiceLab


def restless(dashboard, actions, rng: random.Random, count: int = 80) -> None:
    for _ in range(count):
        rng.choice(actions)()
        assert "Traceback" not in dashboard.message_text
        assert not dashboard.message_text.startswith("Could not redraw")


@pytest.mark.parametrize("seed", [1, 2])
def test_the_scheduler_lab_survives_anything(seed):
    rng = random.Random(seed)
    lab = SchedulerLab(nodes=2, seed=seed)
    restless(lab, [
        lambda: setattr(lab.cpu, "value", rng.choice([lab.cpu.min, 100, 2500, lab.cpu.max])),
        lambda: setattr(lab.memory, "value", rng.choice([lab.memory.min, 512, lab.memory.max])),
        lambda: setattr(lab.count, "value", rng.choice([1, 10])),
        lambda: setattr(lab.strategy, "value", rng.choice(lab.strategy.options)),
        lab.add_button.click, lab.add_button.click, lab.remove_button.click,
    ], rng)
    on_map = {hover.split("</b>")[0].removeprefix("<b>")
              for trace in lab.map.data[8:] for hover in trace.hovertext or ()}
    listed = lab.cluster.kubectl(f"get pods -l {LAB_LABEL} --no-headers").stdout.splitlines()
    assert {name for name in on_map if name.startswith("pod-")} == {
        line.split()[0] for line in listed}


def test_the_service_lab_survives_anything():
    rng = random.Random(3)
    lab = ServiceLab(seed=4)
    restless(lab, [
        lambda: setattr(lab.pod, "value", rng.choice(lab.pod.options or (None,))),
        lab.kill_button.click, lab.unready_button.click, lab.ready_button.click,
        lambda: setattr(lab.mode, "value", rng.choice(lab.mode.options)),
        lambda: setattr(lab.requests, "value", rng.choice([1, 1000])),
        lab.send_button.click, lab.wait_button.click,
    ], rng)
    for _ in range(6):
        lab.wait_button.click()
    lab.requests.value = 300
    lab.send_button.click()
    ready = [name for name, state in lab.endpoint_states().items() if state == "ready"]
    answered = {label.split(": ")[0] for label in lab.figure.data[0].node.label[2:]
                if not label.startswith("failed")}
    assert answered == set(ready)


def test_the_rollout_lab_survives_anything():
    rng = random.Random(5)
    lab = RolloutLab(seed=6)
    restless(lab, [
        lambda: setattr(lab.max_surge, "value", rng.choice([0, 1, 4])),
        lambda: setattr(lab.max_unavailable, "value", rng.choice([0, 1, 4])),
        lambda: setattr(lab.image, "value", rng.choice([image for _, image in IMAGES])),
        lab.rollout_button.click, lab.step_button.click, lab.undo_button.click,
        lambda: setattr(lab.play, "value", lab.play.value + 1),
    ], rng, count=60)
    replica_sets = lab.cluster.api.list("ReplicaSet", "default")
    drawn = [trace for trace in lab.figure.data if trace.stackgroup == "replicasets"]
    assert len(drawn) == len(replica_sets)
