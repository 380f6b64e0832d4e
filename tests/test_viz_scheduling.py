"""The scheduling explainer shows the decision the scheduler made: the chosen node is the one the
pod is bound to, it has the most points, and rejected nodes give the event's reasons."""

import re

import pytest

from k8skit import Cluster
from k8skit.viz.scheduling import scheduling_explainer

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: filler, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: "3"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: small, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: 200m, memory: 64Mi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: huge, labels: {app: db}}
spec:
  containers: [{name: c, image: redis, resources: {requests: {cpu: "4500m"}}}]
"""

WHAT_IF = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "maybe"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(nodes=3, cpu="4", seed=3)
    cluster.apply(PODS)
    cluster.run(20)
    return cluster


def rows(figure):
    """node -> (verdict text, total text, points per plugin trace)."""
    verdicts, *plugins, totals = figure.data
    names = [re.sub(r"<[^>]+>|★ ", "", label) for label in figure.layout.yaxis.ticktext]
    return {name: (verdicts.text[i], totals.text[i], [float(p.x[i]) for p in plugins])
            for i, name in enumerate(names)}


def test_the_chosen_node_is_where_the_pod_was_bound_and_has_the_most_points(cluster):
    node = cluster.api.get("Pod", "small")["spec"]["nodeName"]
    figure = scheduling_explainer(cluster, "small")
    by_node = rows(figure)
    starred = [label for label in figure.layout.yaxis.ticktext if "★" in label]
    assert starred == [f"<b>★ {node}</b>"]
    assert f"Why {node}?" in figure.layout.title.text
    feasible = {name: sum(points) for name, (verdict, _, points) in by_node.items()
                if not verdict}
    assert feasible[node] == max(feasible.values())     # ties are broken at random
    frame = figure.layout.shapes[0]
    assert frame.y0 < list(by_node).index(node) < frame.y1


def test_each_feasible_nodes_bars_add_up_to_its_total(cluster):
    for _, (verdict, total, points) in rows(scheduling_explainer(cluster, "small")).items():
        if not verdict:
            assert float(re.sub(r"<[^>]+>|★ ", "", total)) == sum(points)


def test_rejected_nodes_give_the_reasons_of_the_failed_scheduling_event(cluster):
    describe = cluster.kubectl("describe pod huge").stdout
    event = re.search(r"FailedScheduling .*? nodes are available: (.*?)\. preemption", describe)
    assert event, describe
    figure = scheduling_explainer(cluster, "huge")
    verdicts = [verdict for verdict, _, _ in rows(figure).values()]
    reasons = re.findall(r"(\d+) (.+?)(?:, (?=\d)|$)", event.group(1))
    assert len(reasons) == 2
    for count, reason in reasons:
        assert sum(1 for v in verdicts if v.endswith(reason)) == int(count), reason
    assert figure.layout.title.text.startswith("No node for default/huge")
    assert not any("★" in label for label in figure.layout.yaxis.ticktext)
    assert not figure.layout.shapes


def test_the_control_plane_is_filtered_out_by_its_taint(cluster):
    verdict = rows(scheduling_explainer(cluster, "default/small"))["control-plane"][0]
    assert verdict.startswith("✗ TaintToleration")
    assert "node-role.kubernetes.io/control-plane" in verdict


def test_a_manifest_is_explained_as_it_would_be_scheduled_now_without_binding_it(cluster):
    before = cluster.kubectl("get pods").stdout
    figure = scheduling_explainer(cluster, WHAT_IF)
    assert "if it were scheduled now" in figure.layout.title.text
    assert cluster.kubectl("get pods").stdout == before


def test_an_unknown_pod_is_a_plain_error(cluster):
    with pytest.raises(LookupError, match='pods "nope" not found in namespace "default"'):
        scheduling_explainer(cluster, "nope")
