"""The pod timeline draws each pod's life as kubectl showed it over time: its STATUS at every
moment, its restarts and its deletion, under the node it ran on."""

import pytest

from k8skit import Cluster
from k8skit.history import record
from k8skit.kubectl.printers.tables import pod_summary
from k8skit.viz.cluster_map import POD_STATES, state_of
from k8skit.viz.timeline import pod_timeline

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher, labels: {app: batch}}
spec:
  containers: [{name: c, image: busybox, command: [sh, -c, "sleep 5; exit 1"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: once, labels: {app: report}}
spec:
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: [sh, -c, "sleep 20"]}]
"""


@pytest.fixture(scope="module")
def story():
    """A cluster run for 150 s in 5 s steps, with kubectl's STATUS of each pod at each step."""
    cluster = Cluster(nodes=2, seed=7)
    history = record(cluster)
    cluster.apply(PODS)
    seen = {}
    for step in range(30):
        if step == 12:  # between two looks, so that no look shares an instant with it
            cluster.run(2.5)
            cluster.kubectl("delete pod web --wait=false")
            cluster.run(2.5)
        else:
            cluster.run(5)
        seen[cluster.now] = {pod["metadata"]["name"]: pod_summary(pod).reason
                             for pod in cluster.api.list("Pod")}
    return cluster, history, seen


def bar_at(figure, row, time):
    """The state trace of the bar covering ``time`` in ``row``."""
    found = []
    for state, trace in zip(POD_STATES, figure.data[:len(POD_STATES)], strict=True):
        for y, base, width in zip(trace.y, trace.base, trace.x, strict=True):
            if y == row and base <= time < base + width:
                found.append(state)
    return found


def test_each_pod_is_drawn_as_kubectl_showed_it_at_every_moment(story):
    cluster, history, seen = story
    figure = pod_timeline(history)
    rows = list(figure.layout.yaxis.ticktext)
    checked = 0
    for time, statuses in seen.items():
        if time == cluster.now:
            continue  # the last step has no bar after it
        for name, status in statuses.items():
            assert bar_at(figure, rows.index(name), time) == [state_of(status)], (name, time)
            checked += 1
    assert checked > 60


def test_restarts_are_marked_as_often_as_kubectl_counts_them(story):
    cluster, history, _ = story
    figure = pod_timeline(history)
    restart_marks = figure.data[len(POD_STATES)]
    rows = list(figure.layout.yaxis.ticktext)
    crasher = pod_summary(cluster.api.get("Pod", "crasher")).restarts
    assert crasher >= 3
    assert sum(1 for y in restart_marks.y if y == rows.index("crasher")) == crasher
    assert f"{crasher} restarts" in figure.layout.title.text


def test_a_deleted_pod_ends_with_a_cross_and_its_row_stays(story):
    cluster, history, _ = story
    assert cluster.api.try_get("Pod", "web") is None
    figure = pod_timeline(history)
    deleted = figure.data[len(POD_STATES) + 2]
    rows = list(figure.layout.yaxis.ticktext)
    assert list(deleted.y) == [rows.index("web")]
    assert 62.5 <= deleted.x[0] < cluster.now


def test_pods_are_grouped_under_the_node_they_ran_on(story):
    cluster, history, _ = story
    figure = pod_timeline(history)
    rows = list(figure.layout.yaxis.ticktext)
    labels = {a.text.strip("<b>/"): a.y for a in figure.layout.annotations}
    for pod in cluster.api.list("Pod"):
        node = pod["spec"]["nodeName"]
        members = [i for i, name in enumerate(rows) if history_node(history, name) == node]
        assert rows.index(pod["metadata"]["name"]) in members
        assert min(members) <= labels[node] <= max(members)


def history_node(history, name):
    return next(life.node for life in history.pods.values() if life.name == name)


def test_a_cluster_without_a_recorder_says_how_to_start_one():
    with pytest.raises(ValueError, match=r"record\(cluster\)"):
        pod_timeline(Cluster(nodes=1, seed=0))
