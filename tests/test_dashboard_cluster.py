"""The cluster dashboard, driven as a learner drives it: every control, then the map, the event
log and the kubectl box must agree with what kubectl says about the cluster."""

import random
import re

import pytest

from k8skit import Cluster
from k8skit.viz.cluster_map import POD_STATES
from k8skit.widgets.cluster_dashboard import EVENT_LOG_LENGTH, MAX_REPLICAS, ClusterDashboard

HEADERS = 7
POD_TRACES = slice(8, 8 + len(POD_STATES))
NOT_READY_BOXES, CORDONED_BOXES = 2, 3


def map_pods(figure) -> dict[str, dict[str, str]]:
    """Every pod marker on the map: name -> its STATUS and NODE as its hover says."""
    pods = {}
    for trace in figure.data[POD_TRACES]:
        for hover in trace.hovertext or ():
            name = re.match(r"<b>([^<]+)</b>", hover).group(1)
            pods[name] = {"status": re.search(r"STATUS (\S+)", hover).group(1),
                          "node": re.search(r"NODE ([^\s<]+)", hover).group(1)}
    return pods


def node_header(figure, node: str) -> str:
    return next(text for text in figure.data[HEADERS].text if text.startswith(f"<b>{node}</b>"))


def kubectl_pods(cluster, selector: str = "app=web") -> dict[str, dict[str, str]]:
    lines = cluster.kubectl(f"get pods -l {selector} -o wide").stdout.splitlines()[1:]
    return {line.split()[0]: {"status": line.split()[2], "node": line.split()[6]}
            for line in lines}


def run_for(dashboard: ClusterDashboard, seconds: int) -> None:
    """Let ``seconds`` pass the way play does: the play widget counting up, one step a tick."""
    dashboard.speed.value = 10
    for _ in range(seconds // 10):
        dashboard.play.value += 1


@pytest.fixture
def dashboard():
    cluster = Cluster(nodes=3, seed=11)
    cluster.kubectl("create deployment web --image=nginx --replicas=3")
    cluster.run(20)
    return ClusterDashboard(cluster)


def test_the_map_shows_the_pods_kubectl_lists_on_their_nodes(dashboard):
    assert {name: pod for name, pod in map_pods(dashboard.figure).items()
            if name.startswith("web-")} == kubectl_pods(dashboard.cluster)
    assert dashboard.deployment.value == "web"
    assert dashboard.node.options == ("worker-1", "worker-2", "worker-3", "control-plane")
    assert (dashboard.replicas.value, dashboard.image.value) == (3, "nginx")


def test_scaling_to_five_puts_five_pods_of_the_app_on_the_map(dashboard):
    dashboard.replicas.value = 5
    dashboard.scale_button.click()
    assert not dashboard.problem
    assert "kubectl scale deployment/web --replicas=5" in dashboard.message_text
    assert "deployment.apps/web scaled" in dashboard.message_text
    assert "Scaled up replica set web-" in dashboard.events.value
    run_for(dashboard, 30)
    shown = {name: pod for name, pod in map_pods(dashboard.figure).items()
             if name.startswith("web-")}
    assert len(shown) == 5
    assert shown == kubectl_pods(dashboard.cluster)
    assert all(pod["status"] == "Running" for pod in shown.values())


def test_a_failed_node_is_marked_not_ready_after_a_minute_and_back_when_restored(dashboard):
    dashboard.node.value = "worker-2"
    dashboard.fail_node_button.click()
    assert not dashboard.problem
    assert dashboard.figure.data[NOT_READY_BOXES].x is None or \
        len(dashboard.figure.data[NOT_READY_BOXES].x) == 0
    run_for(dashboard, 60)
    assert "NotReady" in node_header(dashboard.figure, "worker-2")
    assert "NotReady" not in node_header(dashboard.figure, "worker-1")
    assert len(dashboard.figure.data[NOT_READY_BOXES].x) == 6    # one rectangle
    assert "worker-2        NotReady" in dashboard.cluster.kubectl("get nodes").stdout
    assert "t = 80 s" in dashboard.clock_line.value
    dashboard.restore_node_button.click()
    run_for(dashboard, 20)
    assert "NotReady" not in node_header(dashboard.figure, "worker-2")
    assert len(dashboard.figure.data[NOT_READY_BOXES].x) == 0


def test_deleting_a_pod_replaces_it(dashboard):
    victim = dashboard.pod.options[0]
    dashboard.pod.value = victim
    dashboard.delete_pod_button.click()
    assert f'pod "{victim}" deleted' in dashboard.message_text
    assert "SuccessfulCreate" in dashboard.events.value
    run_for(dashboard, 20)
    shown = map_pods(dashboard.figure)
    assert victim not in shown and victim not in dashboard.pod.options
    assert len([name for name in shown if name.startswith("web-")]) == 3


def test_cordon_hatches_the_node_and_uncordon_clears_it(dashboard):
    dashboard.node.value = "worker-1"
    dashboard.cordon_button.click()
    assert "node/worker-1 cordoned" in dashboard.message_text
    assert "Ready,SchedulingDisabled" in node_header(dashboard.figure, "worker-1")
    assert len(dashboard.figure.data[CORDONED_BOXES].x) == 6
    dashboard.uncordon_button.click()
    assert "SchedulingDisabled" not in node_header(dashboard.figure, "worker-1")
    assert len(dashboard.figure.data[CORDONED_BOXES].x) == 0


def test_rolling_out_an_image_and_undoing_it(dashboard):
    dashboard.image.value = "nginx:1.27"
    dashboard.set_image_button.click()
    assert "deployment.apps/web image updated" in dashboard.message_text
    run_for(dashboard, 40)
    images = dashboard.cluster.kubectl(
        "get pods -l app=web -o jsonpath={.items[*].spec.containers[0].image}").stdout.split()
    assert images == ["nginx:1.27"] * 3
    assert set(map_pods(dashboard.figure)) >= set(kubectl_pods(dashboard.cluster))
    dashboard.undo_button.click()
    assert "rolled back" in dashboard.message_text
    run_for(dashboard, 40)
    images = dashboard.cluster.kubectl(
        "get pods -l app=web -o jsonpath={.items[*].spec.containers[0].image}").stdout.split()
    assert images == ["nginx"] * 3


def test_the_event_log_shows_the_latest_events_as_kubectl_prints_them(dashboard):
    def cells(line: str) -> tuple[str, ...]:
        return tuple(re.split(r"\s{2,}", line.strip()))

    log = dashboard.event_log().splitlines()
    assert cells(log[0]) == ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")
    assert len(log) == EVENT_LOG_LENGTH + 1
    printed = {cells(line) for line in dashboard.cluster.kubectl("get events").stdout.splitlines()}
    assert {cells(line) for line in log[1:]} <= printed
    # The newest: no event left out was seen more recently than the oldest one shown (all
    # within the cluster's first minute, so every age is in seconds).
    ages = sorted(int(row[0].removesuffix("s")) for row in printed if row[0] != "LAST SEEN")
    oldest_shown = max(int(cells(line)[0].removesuffix("s")) for line in log[1:])
    assert oldest_shown == ages[EVENT_LOG_LENGTH - 1]


def test_the_kubectl_box_runs_any_command_and_shows_its_output(dashboard):
    dashboard.command.value = "kubectl get nodes"
    dashboard.run_button.click()
    assert "$ kubectl get nodes" in dashboard.output.value
    assert "worker-3" in dashboard.output.value
    dashboard.command.value = "get podz"
    dashboard.run_button.click()
    assert "error" in dashboard.output.value and not dashboard.problem
    dashboard.command.value = "scale deployment web --replicas=1"
    dashboard._on_text_message(dashboard.command, {"event": "submit"}, [])   # Enter
    assert "deployment.apps/web scaled" in dashboard.output.value
    assert dashboard.cluster.api.get("Deployment", "web")["spec"]["replicas"] == 1


@pytest.mark.parametrize(("setup", "button", "says"), [
    (lambda d: setattr(d.replicas, "value", -1), "scale_button", "greater than or equal to 0"),
    (lambda d: setattr(d.replicas, "value", MAX_REPLICAS + 1), "scale_button",
     f"at most {MAX_REPLICAS}"),
    (lambda d: setattr(d.image, "value", "   "), "set_image_button", "Type the image"),
    (lambda d: setattr(d.image, "value", "nginx 1.27"), "set_image_button", "no spaces"),
    (lambda d: setattr(d.command, "value", "  "), "run_button", "Type a kubectl command"),
    (lambda d: setattr(d.node, "value", "worker-1"), "restore_node_button", "already running"),
])
def test_silly_input_gives_one_plain_message(dashboard, setup, button, says):
    before = dashboard.cluster.api.get("Deployment", "web")["spec"]["replicas"]
    setup(dashboard)
    getattr(dashboard, button).click()
    assert dashboard.problem
    assert says in dashboard.message_text
    assert "Traceback" not in dashboard.message_text
    assert dashboard.cluster.api.get("Deployment", "web")["spec"]["replicas"] == before


def test_actions_without_anything_to_act_on_say_so():
    dashboard = ClusterDashboard(Cluster(nodes=1, seed=3))
    for button in (dashboard.scale_button, dashboard.set_image_button, dashboard.undo_button,
                   dashboard.delete_pod_button):
        button.click()
        assert dashboard.problem
        assert "There is no" in dashboard.message_text
    dashboard.node.value = "worker-1"
    dashboard.fail_node_button.click()
    dashboard.fail_node_button.click()
    assert dashboard.message_text == "worker-1 is already off: restore it first."


def test_stopping_play_lets_no_time_pass(dashboard):
    dashboard.play.value = 3
    now = dashboard.cluster.now
    dashboard.play.value = 0     # the stop button
    assert dashboard.cluster.now == now


def test_the_speed_slider_sets_how_much_time_a_step_lets_pass(dashboard):
    start = dashboard.cluster.now
    dashboard.speed.value = 30
    assert "30 s of cluster time" in dashboard.clock_line.value
    dashboard.step_button.click()
    assert dashboard.cluster.now == start + 30
    assert f"t = {start + 30:g} s" in dashboard.clock_line.value


def test_rapid_and_extreme_input_survives_and_the_map_keeps_agreeing_with_kubectl(dashboard):
    rng = random.Random(5)
    actions = [
        lambda: setattr(dashboard.replicas, "value", rng.choice([-5, 0, 1, 7, 10**9])),
        dashboard.scale_button.click,
        lambda: setattr(dashboard.image, "value", rng.choice(["", "nginx:1.27", "x y", "busybox",
                                                              "nginx:no-such-tag"])),
        dashboard.set_image_button.click, dashboard.undo_button.click,
        lambda: setattr(dashboard.pod, "value", rng.choice(dashboard.pod.options or (None,))),
        dashboard.delete_pod_button.click,
        lambda: setattr(dashboard.node, "value", rng.choice(dashboard.node.options)),
        dashboard.fail_node_button.click, dashboard.restore_node_button.click,
        dashboard.cordon_button.click, dashboard.uncordon_button.click,
        dashboard.step_button.click,
        lambda: setattr(dashboard.speed, "value", rng.choice([1, 60])),
        lambda: setattr(dashboard.play, "value", dashboard.play.value + 1),
        lambda: setattr(dashboard.command, "value", rng.choice(
            ["get pods", "delete node worker-3", "apply -f -", "'", "get pods -o yaml"])),
        dashboard.run_button.click,
    ]
    for _ in range(150):
        rng.choice(actions)()
        assert "Traceback" not in dashboard.message_text
        assert not dashboard.message_text.startswith("Could not redraw")
    shown = {name for name in map_pods(dashboard.figure)}
    assert shown == {pod["metadata"]["name"] for pod in dashboard.cluster.api.list("Pod")}


def test_the_text_shown_without_widgets_describes_the_cluster_in_full(dashboard):
    text = dashboard._repr_mimebundle_()["text/plain"]    # what a saved notebook keeps
    assert text == "ClusterDashboard: t = 20 s, 4 nodes, 3 pods in default; run it in JupyterLab"
    dashboard.node.value = "worker-3"
    dashboard.fail_node_button.click()
    run_for(dashboard, 60)
    assert dashboard._repr_mimebundle_()["text/plain"] == (
        "ClusterDashboard: t = 80 s, 4 nodes (1 NotReady), 3 pods in default; run it in JupyterLab")
