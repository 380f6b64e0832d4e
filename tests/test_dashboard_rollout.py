"""The rollout lab: a rolling update stays inside its maxSurge/maxUnavailable band step by step;
a bad image gets stuck while the old pods keep serving, and undo brings the old image back."""

import pytest

from k8skit.widgets.rollout_lab import (
    DEPLOYMENT,
    FIRST_IMAGE,
    IMAGES,
    STARTUP_SECONDS,
    RolloutLab,
)

GOOD, BAD = IMAGES[1][1], IMAGES[2][1]


def stacks(lab: RolloutLab):
    """(times, pods per ReplicaSet summed, lowest available allowed, most pods allowed,
    available) as the timeline draws them."""
    traces = {trace.name: trace for trace in lab.figure.data}
    lower = traces["lowest available allowed"]
    upper = next(t for t in lab.figure.data if t.name.startswith("allowed:"))
    replica_sets = [t for t in lab.figure.data if t.stackgroup == "replicasets"]
    times = list(lower.x)
    total = [sum(rs.y[i] for rs in replica_sets) for i in range(len(times))]
    return times, total, list(lower.y), list(upper.y), list(traces["available"].y)


def replica_sets(lab: RolloutLab) -> dict[str, int]:
    """image -> pods, from ``kubectl get rs -o wide``."""
    lines = lab.cluster.kubectl(f"get rs -l app={DEPLOYMENT} -o wide").stdout.splitlines()[1:]
    return {line.split()[6]: int(line.split()[2]) for line in lines}


def step_until_done(lab: RolloutLab, steps: int = 20) -> int:
    for taken in range(1, steps + 1):
        lab.step_button.click()
        if lab.rollout_status()[1]:
            return taken
    raise AssertionError(f"the rollout did not finish in {steps} steps: {lab.message_text}")


@pytest.fixture
def lab():
    return RolloutLab(seed=5)


def test_a_good_image_rolls_out_step_by_step_inside_the_band(lab):
    assert lab.rollout_status()[1] and lab.current_image() == FIRST_IMAGE
    lab.max_surge.value, lab.max_unavailable.value = 2, 0
    lab.image.value = GOOD
    lab.rollout_button.click()
    assert "deployment.apps/bootcamp configured" in lab.message_text
    taken = step_until_done(lab)
    assert taken >= 2    # several moves, each shown
    assert replica_sets(lab) == {FIRST_IMAGE: 0, GOOD: 4}
    times, total, lower, upper, available = stacks(lab)
    rollout = [i for i, t in enumerate(times) if t >= STARTUP_SECONDS]
    assert rollout
    for i in rollout:
        assert total[i] <= upper[i] == 6
        assert available[i] >= lower[i] == 4
    assert max(total[i] for i in rollout) == 6    # the surge was used
    assert len([t for t in lab.figure.data if t.stackgroup == "replicasets"]) == 2


def test_each_step_moves_the_rollout_and_says_where_it_is(lab):
    lab.image.value = GOOD
    lab.rollout_button.click()
    before = lab._progress()
    lab.step_button.click()
    assert lab._progress() != before
    assert lab.message_text.startswith("t = ")
    assert "rollout" in lab.message_text


def test_a_bad_image_gets_stuck_and_undo_brings_the_old_image_back(lab):
    lab.image.value = BAD
    lab.rollout_button.click()
    for _ in range(4):
        lab.step_button.click()
    assert "Nothing moved for 60 s" in lab.message_text
    assert "ImagePullBackOff" in lab.message_text or "ErrImagePull" in lab.message_text
    assert not lab.rollout_status()[1]
    old = replica_sets(lab)[FIRST_IMAGE]
    assert old >= 3                         # replicas - maxUnavailable keep serving
    times, total, lower, upper, available = stacks(lab)
    assert all(available[i] >= lower[i] for i, t in enumerate(times) if t >= STARTUP_SECONDS)
    lab.undo_button.click()
    assert "rolled back" in lab.message_text
    step_until_done(lab)
    assert lab.current_image() == FIRST_IMAGE
    assert replica_sets(lab)[FIRST_IMAGE] == 4 and replica_sets(lab)[BAD] == 0


def test_the_sliders_say_what_the_band_will_be(lab):
    lab.max_surge.value, lab.max_unavailable.value = 3, 2
    assert "at most <b>7</b> pods" in lab.plan.value
    assert "at least <b>2</b> available" in lab.plan.value


def test_maxsurge_and_maxunavailable_both_zero_is_refused_by_the_api_server(lab):
    lab.max_surge.value, lab.max_unavailable.value = 0, 0
    assert "cannot both be 0" in lab.plan.value
    lab.image.value = GOOD
    lab.rollout_button.click()
    assert lab.problem
    assert 'The Deployment "bootcamp" is invalid' in lab.message_text
    assert "may not be 0 when `maxSurge` is 0" in lab.message_text
    assert lab.current_image() == FIRST_IMAGE


def test_rolling_out_the_same_image_changes_only_the_strategy(lab):
    lab.image.value = FIRST_IMAGE
    lab.max_surge.value = 3
    lab.rollout_button.click()
    assert "nothing to roll out" in lab.message_text
    deployment = lab.cluster.api.get("Deployment", DEPLOYMENT)
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 3
    lab.step_button.click()
    assert "there is no step left" in lab.message_text


def test_play_steps_the_rollout(lab):
    lab.image.value = GOOD
    lab.rollout_button.click()
    for tick in range(1, 15):
        lab.play.value = tick
        if lab.rollout_status()[1]:
            break
    assert replica_sets(lab)[GOOD] == 4


def test_the_text_shown_without_widgets(lab):
    assert lab._repr_mimebundle_()["text/plain"] == (
        "RolloutLab: t = 30 s, deployment/bootcamp rolled out at kubernetes-bootcamp:v1; "
        "run it in JupyterLab")
