"""``kubectl drain``: cordon, refuse what would be lost, evict the rest and wait for it.

Sources: ``staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go``,
``staging/src/k8s.io/kubectl/pkg/drain/filters.go`` and
``docs/tasks/administer-cluster/safely-drain-node.md``.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster


def workload_pods(c: Cluster, node: str) -> list[dict]:
    return [p for p in c.api.list("Pod", namespace="default")
            if p["spec"].get("nodeName") == node]


def evictable_pods(c: Cluster, node: str) -> list[str]:
    """``namespace/name`` of the pods on the node that drain may evict (not DaemonSet's)."""
    return sorted(f"{p['metadata']['namespace']}/{p['metadata']['name']}"
                  for p in c.api.pods_on_node(node)
                  if not any(r.get("kind") == "DaemonSet"
                             for r in p["metadata"].get("ownerReferences", ())))


@pytest.fixture()
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=13)
    c.kubectl("create deployment web --image=nginx:1.25 --replicas=4")
    c.kubectl("rollout status deployment/web")
    return c


def test_drain_refuses_a_pod_without_controller_and_leaves_the_node_cordoned(cluster):
    cluster.kubectl("run lonely --image=nginx:1.25")
    cluster.run(20)
    node = cluster.api.get("Pod", "lonely")["spec"]["nodeName"]
    before = {p["metadata"]["name"] for p in workload_pods(cluster, node)}
    result = cluster.kubectl(f"drain {node} --ignore-daemonsets")
    assert result.returncode == 1
    assert result.stdout == f"node/{node} cordoned\n"
    error = "cannot delete Pods that declare no controller (use --force to override): " \
            "default/lonely"
    assert result.stderr == (
        f'error: unable to drain node "{node}" due to error: {error}, continuing command...\n'
        f"There are pending nodes to be drained:\n {node}\n{error}\n")
    assert {p["metadata"]["name"] for p in workload_pods(cluster, node)} == before
    assert cluster.api.get("Node", node, None)["spec"]["unschedulable"] is True


def test_daemon_set_pods_block_a_drain_until_ignored(cluster):
    result = cluster.kubectl("drain worker-1")
    assert result.returncode == 1
    assert "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): " \
           "kube-system/kube-proxy-" in result.stderr
    assert "evicting" not in result.stdout


def test_drain_evicts_managed_pods_which_come_back_elsewhere(cluster):
    node = "worker-1"
    evicted = evictable_pods(cluster, node)
    assert any(name.startswith("default/web-") for name in evicted)
    result = cluster.kubectl(f"drain {node} --ignore-daemonsets")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Warning: ignoring DaemonSet-managed Pods: "
                                    "kube-system/kube-proxy-")
    lines = result.stdout.splitlines()
    assert lines[0] == f"node/{node} cordoned"
    assert lines[-1] == f"node/{node} drained"
    assert sorted(line.removeprefix("evicting pod ") for line in lines
                  if line.startswith("evicting pod ")) == evicted
    assert sorted(line.removeprefix("pod/").removesuffix(" evicted") for line in lines
                  if line.endswith(" evicted")) == sorted(n.split("/")[1] for n in evicted)
    assert workload_pods(cluster, node) == []
    cluster.kubectl("rollout status deployment/web")
    assert len(workload_pods(cluster, "worker-2")) == 4
    assert "Ready,SchedulingDisabled" in cluster.kubectl("get nodes").stdout


def test_drain_force_deletes_unmanaged_pods_with_a_warning(cluster):
    cluster.kubectl("run lonely --image=nginx:1.25")
    cluster.run(20)
    node = cluster.api.get("Pod", "lonely")["spec"]["nodeName"]
    result = cluster.kubectl(f"drain {node} --force --ignore-daemonsets")
    assert result.returncode == 0
    assert "Warning: deleting Pods that declare no controller: default/lonely" in result.stderr
    assert "pod/lonely evicted" in result.stdout.splitlines()
    assert cluster.api.try_get("Pod", "lonely") is None


def test_drain_refuses_emptydir_pods_without_the_flag():
    c = Cluster(nodes=1, seed=17)
    c.apply("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache}
spec:
  replicas: 1
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.25", volumeMounts: [{name: scratch, mountPath: /cache}]}
      volumes: [{name: scratch, emptyDir: {}}]
""")
    c.kubectl("rollout status deployment/cache")
    refused = c.kubectl("drain worker-1 --ignore-daemonsets")
    assert refused.returncode == 1
    assert "cannot delete Pods with local storage (use --delete-emptydir-data to override): " \
           "default/cache-" in refused.stderr
    allowed = c.kubectl("drain worker-1 --ignore-daemonsets --delete-emptydir-data")
    assert allowed.returncode == 0
    assert allowed.stdout.splitlines()[0] == "node/worker-1 already cordoned"
    assert allowed.stdout.splitlines()[-1] == "node/worker-1 drained"
    # Upstream's later filters overwrite the local-storage warning of a managed pod (a TODO in
    # filters.go), so kubectl does not print it.
    assert "local storage" not in allowed.stderr
