"""The rollout timeline shows each ReplicaSet's pods, and the Deployment's desired and available
pods, as they were at every moment, inside the maxSurge/maxUnavailable band."""

import bisect

import pytest

from k8skit import Cluster
from k8skit.history import record
from k8skit.viz.rollout import rollout_timeline

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}]
"""


@pytest.fixture(scope="module")
def rollout():
    """A rolling update then a bad image, looked at every simulated second."""
    cluster = Cluster(nodes=3, seed=11)
    history = record(cluster)
    cluster.apply(DEPLOYMENT)
    cluster.run(30)
    looks = {}
    changes = {1: "nginx=nginx:1.27", 80: "nginx=nginx:no-such-tag"}
    for step in range(150):
        if step in changes:  # between two looks, so that no look shares an instant with it
            cluster.run(0.5)
            cluster.kubectl(f"set image deployment/web {changes[step]}")
            cluster.run(0.5)
        else:
            cluster.run(1)
        deployment = cluster.api.get("Deployment", "web")
        looks[cluster.now] = {
            "replica_sets": {rs["metadata"]["name"]: rs.get("status", {}).get("replicas", 0)
                             for rs in cluster.api.list("ReplicaSet", namespace="default")},
            "desired": deployment["spec"]["replicas"],
            "available": deployment.get("status", {}).get("availableReplicas", 0),
        }
    return cluster, history, looks


def value_at(trace, time):
    """A step line's value at ``time`` (each point holds until the next)."""
    xs = list(trace.x)
    return trace.y[bisect.bisect_right(xs, time) - 1]


def traces_by_name(figure):
    return {trace.name.split(" (")[0]: trace for trace in figure.data}


def test_each_replica_sets_pods_match_what_it_had_at_every_moment(rollout):
    _, history, looks = rollout
    figure = rollout_timeline(history, "web")
    traces = traces_by_name(figure)
    replica_sets = {name for look in looks.values() for name in look["replica_sets"]}
    assert len(replica_sets) == 3
    for time, look in looks.items():
        for name, replicas in look["replica_sets"].items():
            assert value_at(traces[name], time) == replicas, (name, time)


def test_desired_and_available_match_the_deployment_at_every_moment(rollout):
    _, history, looks = rollout
    traces = traces_by_name(rollout_timeline(history, "web"))
    for time, look in looks.items():
        assert value_at(traces["desired"], time) == look["desired"]
        assert value_at(traces["available"], time) == look["available"]


def test_the_band_runs_from_replicas_minus_max_unavailable_to_replicas_plus_max_surge(rollout):
    _, history, _ = rollout
    figure = rollout_timeline(history, "web")
    lower, upper = figure.data[0], figure.data[1]
    assert set(lower.y) == {4 - 1}          # 25 % of 4, rounded down
    assert set(upper.y) == {4 + 1}
    assert "maxSurge 1, maxUnavailable 1" in figure.layout.title.subtitle.text


def test_the_legend_names_each_replica_sets_revision_and_image(rollout):
    cluster, history, _ = rollout
    names = [trace.name for trace in rollout_timeline(cluster, "web").data]
    for rs in cluster.api.list("ReplicaSet", namespace="default"):
        revision = rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        image = rs["spec"]["template"]["spec"]["containers"][0]["image"]
        assert f"{rs['metadata']['name']} (revision {revision}: {image})" in names


def test_a_deployment_that_was_not_recorded_is_a_plain_error(rollout):
    _, history, _ = rollout
    with pytest.raises(KeyError, match='no Deployment "shop"'):
        rollout_timeline(history, "shop")
