"""A node that stops reporting: NotReady, tainted, its pods evicted and recreated elsewhere.

Sources: ``docs/concepts/architecture/nodes.md`` (heartbeats, node-monitor-grace-period),
``docs/concepts/scheduling-eviction/taint-and-toleration.md`` (taint based evictions, the
300 s default tolerations) and ``pkg/controller/nodelifecycle``.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster
from k8skit.control_plane.controllers.node_lifecycle import NODE_MONITOR_GRACE_PERIOD

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 6
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"""


def node_status(c: Cluster, name: str) -> str:
    for line in c.kubectl("get nodes").stdout.splitlines()[1:]:
        fields = line.split()
        if fields[0] == name:
            return fields[1]
    raise AssertionError(f"no node {name}")


def taints(c: Cluster, name: str) -> set[tuple[str, str]]:
    node = c.api.get("Node", name, None)
    return {(t["key"], t["effect"]) for t in node["spec"].get("taints") or ()}


def pods_on(c: Cluster, node: str) -> list[dict]:
    return [p for p in c.api.list("Pod", namespace="default") if p["spec"].get("nodeName") == node]


def ready(pod: dict) -> str:
    return next((cond["status"] for cond in pod["status"].get("conditions", [])
                 if cond["type"] == "Ready"), "")


def events(c: Cluster, reason: str, namespace: str | None = None) -> list[dict]:
    return [e for e in c.api.list("Event", namespace=namespace) if e["reason"] == reason]


@pytest.fixture()
def cluster() -> Cluster:
    c = Cluster(nodes=3, seed=11)
    c.apply(WEB)
    assert c.kubectl("rollout status deployment/web").returncode == 0
    return c


def test_silent_node_turns_not_ready_after_the_grace_period(cluster):
    victim = "worker-1"
    assert pods_on(cluster, victim), "the scheduler spread the replicas over every worker"
    cluster.fail_node(victim)
    cluster.run(NODE_MONITOR_GRACE_PERIOD - 15)
    assert node_status(cluster, victim) == "Ready"
    cluster.run(30)
    assert node_status(cluster, victim) == "NotReady"
    node = cluster.api.get("Node", victim, None)
    conditions = {c["type"]: c for c in node["status"]["conditions"]}
    for type_ in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
        assert conditions[type_]["status"] == "Unknown"
        assert conditions[type_]["reason"] == "NodeStatusUnknown"
        assert conditions[type_]["message"] == "Kubelet stopped posting node status."
    assert [e["message"] for e in events(cluster, "NodeNotReady")
            if e["involvedObject"]["kind"] == "Node"] == \
        [f"Node {victim} status is now: NodeNotReady"]
    assert {ready(p) for p in pods_on(cluster, victim)} == {"False"}
    cluster.run(10)
    assert taints(cluster, victim) == {("node.kubernetes.io/unreachable", "NoSchedule"),
                                       ("node.kubernetes.io/unreachable", "NoExecute")}


def test_pods_are_evicted_after_300_seconds_and_recreated_on_other_nodes(cluster):
    victim = "worker-2"
    stranded = {p["metadata"]["name"] for p in pods_on(cluster, victim)}
    assert stranded
    cluster.fail_node(victim)
    cluster.run(NODE_MONITOR_GRACE_PERIOD + 20)
    assert all(not p["metadata"].get("deletionTimestamp") for p in pods_on(cluster, victim))
    cluster.run(300)
    evictions = events(cluster, "TaintManagerEviction", "default")
    assert {e["involvedObject"]["name"] for e in evictions} == stranded
    messages = {e["message"] for e in evictions}
    assert messages == {f"Marking for deletion Pod default/{name}" for name in stranded}
    # The kubelet is down: nobody can confirm the containers stopped, so the pods stay
    # Terminating, while their ReplicaSet already runs replacements on the healthy nodes.
    assert {p["metadata"]["name"] for p in pods_on(cluster, victim)} == stranded
    assert all(p["metadata"].get("deletionTimestamp") for p in pods_on(cluster, victim))
    cluster.run(60)
    healthy = [p for p in cluster.api.list("Pod", namespace="default")
               if p["spec"].get("nodeName") not in (victim, None)
               and not p["metadata"].get("deletionTimestamp") and ready(p) == "True"]
    assert len(healthy) == 6
    assert "Terminating" in cluster.kubectl("get pods").stdout


def test_restored_node_is_ready_untainted_and_finishes_its_terminating_pods(cluster):
    victim = "worker-3"
    cluster.fail_node(victim)
    cluster.run(NODE_MONITOR_GRACE_PERIOD + 320)
    assert pods_on(cluster, victim)
    cluster.restore_node(victim)
    cluster.run(60)
    assert node_status(cluster, victim) == "Ready"
    assert not {key for key, _ in taints(cluster, victim)} & {
        "node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"}
    assert pods_on(cluster, victim) == []


def test_force_delete_removes_a_pod_stuck_on_an_unreachable_node(cluster):
    victim = "worker-1"
    pod = pods_on(cluster, victim)[0]["metadata"]["name"]
    cluster.fail_node(victim)
    cluster.run(NODE_MONITOR_GRACE_PERIOD + 10)
    cluster.kubectl(f"delete pod {pod} --wait=false")
    cluster.run(120)
    assert cluster.api.try_get("Pod", pod) is not None
    cluster.kubectl(f"delete pod {pod} --grace-period=0 --force")
    assert cluster.api.try_get("Pod", pod) is None


def test_no_evictions_when_most_of_a_small_zone_is_down():
    c = Cluster(nodes=3, seed=2)
    c.apply(WEB)
    c.kubectl("rollout status deployment/web")
    for worker in ("worker-1", "worker-2", "worker-3"):
        c.fail_node(worker)
    c.run(NODE_MONITOR_GRACE_PERIOD + 400)
    # 3 of 4 nodes NotReady is at least 55 % of a zone of at most 50 nodes: upstream assumes a
    # partition rather than dead machines and stops NoExecute tainting, so nothing is evicted.
    assert events(c, "TaintManagerEviction") == []
    for worker in ("worker-1", "worker-2", "worker-3"):
        assert node_status(c, worker) == "NotReady"
        assert ("node.kubernetes.io/unreachable", "NoExecute") not in taints(c, worker)


def test_cordoned_node_gets_the_unschedulable_taint(cluster):
    cluster.kubectl("cordon worker-1")
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in taints(cluster, "worker-1")
    cluster.kubectl("uncordon worker-1")
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") not in taints(cluster, "worker-1")


def test_every_node_is_registered_with_the_controller(cluster):
    assert sorted(e["message"] for e in events(cluster, "RegisteredNode")) == [
        f"Node {n} event: Registered Node {n} in Controller"
        for n in ("control-plane", "worker-1", "worker-2", "worker-3")]


def test_pods_of_a_deleted_node_are_collected_after_the_quarantine_and_replaced():
    cluster = Cluster(nodes=2, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.25 --replicas=4")
    cluster.run(30)
    doomed = {p["metadata"]["name"] for p in cluster.api.pods_on_node("worker-1")
              if p["metadata"]["namespace"] == "default"}
    assert doomed
    cluster.fail_node("worker-1")
    assert cluster.kubectl("delete node worker-1").ok
    cluster.run(30)
    names = {p["metadata"]["name"] for p in cluster.api.list("Pod", namespace="default")}
    assert doomed <= names, "the quarantine (40 s) has not passed yet"
    cluster.run(30)
    pods = cluster.api.list("Pod", namespace="default")
    assert not doomed & {p["metadata"]["name"] for p in pods}
    assert len(pods) == 4 and all(p["spec"]["nodeName"] == "worker-2" for p in pods)
