"""What chapter 3 tells a learner about a cluster's anatomy and a node failure holds.

The notebook's prose states behaviours (the system pods on the node's network, the NodePort on
every node, one connection in three to each of three pods, the one-worker app down until its
node returns, the three-worker app whole again once the node is NotReady); these tests keep
those sentences true if the simulator changes.
"""

import re
from pathlib import Path

import nbformat
import pytest

from k8skit import Cluster

REPOSITORY = Path(__file__).resolve().parent.parent
MANIFESTS = REPOSITORY / "assets" / "manifests" / "03"
NOTEBOOK = REPOSITORY / "notebooks" / "03_cluster_anatomy.ipynb"
CONTROL_PLANE_URL = "http://192.168.49.2:30080/"


def cluster_with_web(workers: int) -> Cluster:
    cluster = Cluster(nodes=workers, cpu="4", memory="8Gi", seed=0)
    cluster.apply(MANIFESTS / "web.yaml")
    cluster.run(60)
    return cluster


def answered(cluster: Cluster) -> int:
    return cluster.send_requests(CONTROL_PLANE_URL, n=20).succeeded


def test_every_manifest_the_notebook_uses_exists():
    sources = "\n".join(cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells)
    used = set(re.findall(r"\.\./assets/manifests/03/([\w.-]+\.yaml)", sources))
    assert used == {"web.yaml", "web-single.yaml"}
    assert all((MANIFESTS / name).is_file() for name in used)


def test_the_control_plane_is_tainted_and_runs_its_components_on_the_nodes_network():
    cluster = Cluster(nodes=3, seed=0)
    cluster.run(30)
    taints = cluster.api.get("Node", "control-plane", None)["spec"]["taints"]
    assert {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"} in taints
    system = cluster.api.list("Pod", "kube-system")
    node_ips = {f"192.168.49.{n}" for n in range(2, 6)}
    for pod in system:
        name, ip = pod["metadata"]["name"], pod["status"].get("podIP")
        if name.startswith(("etcd-", "kube-")):
            assert ip in node_ips, name
        else:
            assert ip.startswith("10.244."), name


def test_kube_proxy_gives_each_of_three_pods_a_third_and_answers_on_every_node():
    cluster = cluster_with_web(3)
    rules = cluster.kube_proxies["worker-1"].rules("default/web")
    probabilities = re.findall(r"--probability (\S+)", rules)
    assert [round(float(p), 3) for p in probabilities] == [0.333, 0.5]
    assert "--dport 30080" in rules
    pods_on_control_plane = [pod for pod in cluster.api.list("Pod", "default")
                             if pod["spec"].get("nodeName") == "control-plane"]
    assert not pods_on_control_plane
    assert cluster.curl(CONTROL_PLANE_URL).startswith("Hello, world!")


@pytest.fixture(scope="module")
def failure():
    """Both clusters of the experiment, worker-1 powered off; what the client saw, per 10 s."""
    clusters = {"one": cluster_with_web(1), "three": cluster_with_web(3)}
    seen = {name: [] for name in clusters}
    for cluster in clusters.values():
        cluster.fail_node("worker-1")
    for second in range(0, 600, 10):
        if second == 480:
            for cluster in clusters.values():
                cluster.restore_node("worker-1")
        for name, cluster in clusters.items():
            seen[name].append((second, answered(cluster)))
            cluster.run(10)
    return seen


def test_with_one_worker_nothing_answers_until_the_node_returns(failure):
    down = [count for second, count in failure["one"] if second < 480]
    back = [count for second, count in failure["one"] if second >= 500]
    assert set(down) == {0}
    assert set(back) == {20}


def test_with_three_workers_some_connections_fail_only_until_the_node_is_notready(failure):
    first_minute = [count for second, count in failure["three"] if second < 50]
    afterwards = [count for second, count in failure["three"] if second >= 70]
    assert all(0 < count < 20 for count in first_minute)
    assert set(afterwards) == {20}
