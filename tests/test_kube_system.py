"""The cluster's anatomy as ``kubectl`` shows it: the control plane's static pods, kube-proxy
on every node, CoreDNS, the ``kubernetes`` Service and what every namespace starts with.

Reference: a kubeadm/minikube cluster (``kubectl get pods -n kube-system`` after start-up) and
``docs/concepts/architecture/_index.md``, ``docs/concepts/overview/components.md``.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster

STATIC_PODS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
# Long enough for every kube-system image to be pulled and its container started.
BOOT_SECONDS = 30


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=1)
    if c.api.try_get("Service", "kube-dns", "kube-system") is None:
        pytest.skip("the kube-system add-ons are not wired into Cluster yet (see the h8 "
                    "report)")
    c.run(BOOT_SECONDS)
    return c


def ok(c: Cluster, command: str) -> str:
    result = c.kubectl(command)
    assert result.returncode == 0, result.stderr
    return result.stdout


def pods_by_name(c: Cluster, command: str = "get pods -n kube-system -o wide"
                 ) -> dict[str, list[str]]:
    """``NAME -> [READY, STATUS, RESTARTS, AGE, IP, NODE, ...]`` from kubectl's table."""
    lines = ok(c, command).splitlines()[1:]
    return {cells[0]: cells[1:] for cells in (line.split() for line in lines)}


def test_every_component_runs_as_a_pod_in_kube_system(cluster):
    pods = pods_by_name(cluster)
    for component in STATIC_PODS:
        ready, status, _restarts, _age, _ip, node = pods.pop(f"{component}-control-plane")[:6]
        assert (ready, status, node) == ("1/1", "Running", "control-plane")
    proxies = {name: cells for name, cells in pods.items() if name.startswith("kube-proxy-")}
    assert sorted(cells[5] for cells in proxies.values()) == [
        "control-plane", "worker-1", "worker-2"]
    dns = {name: cells for name, cells in pods.items() if name.startswith("coredns-")}
    assert len(dns) == 2
    assert set(proxies) | set(dns) == set(pods)
    for cells in pods.values():
        assert cells[:2] == ["1/1", "Running"]


def test_static_pods_are_mirror_pods_owned_by_their_node(cluster):
    node = cluster.api.get("Node", "control-plane", None)
    for component in STATIC_PODS:
        pod = cluster.api.get("Pod", f"{component}-control-plane", "kube-system")
        meta = pod["metadata"]
        assert meta["annotations"]["kubernetes.io/config.source"] == "file"
        assert meta["annotations"]["kubernetes.io/config.mirror"] == \
            meta["annotations"]["kubernetes.io/config.hash"]
        assert meta["ownerReferences"] == [{"apiVersion": "v1", "kind": "Node",
                                            "name": "control-plane",
                                            "uid": node["metadata"]["uid"],
                                            "controller": True}]
        assert pod["spec"]["priorityClassName"] == "system-node-critical"
        assert pod["spec"]["priority"] == 2000001000
        assert pod["spec"]["hostNetwork"] is True
        image = pod["spec"]["containers"][0]["image"]
        assert image.startswith(f"registry.k8s.io/{component}:")
    version = ok(cluster, "get nodes control-plane").splitlines()[1].split()[-1]
    apiserver = cluster.api.get("Pod", "kube-apiserver-control-plane", "kube-system")
    assert apiserver["spec"]["containers"][0]["image"] == \
        f"registry.k8s.io/kube-apiserver:{version}"
    assert "Controlled By:  Node/control-plane" in ok(
        cluster, "describe pod -n kube-system kube-scheduler-control-plane")


def test_a_deleted_mirror_pod_comes_back(cluster):
    ok(cluster, "delete pod -n kube-system kube-scheduler-control-plane")
    cluster.run(BOOT_SECONDS)
    pods = pods_by_name(cluster)
    assert pods["kube-scheduler-control-plane"][:2] == ["1/1", "Running"]


def proxy_pods(c: Cluster) -> dict[str, str]:
    """kube-proxy pod name by node."""
    return {cells[5]: name for name, cells in pods_by_name(
        c, "get pods -n kube-system -l k8s-app=kube-proxy -o wide").items()}


def test_kube_proxy_is_replaced_when_deleted_and_added_to_new_nodes(cluster):
    before = proxy_pods(cluster)
    ok(cluster, f"delete pod -n kube-system {before['worker-1']}")
    cluster.run(BOOT_SECONDS)
    after = proxy_pods(cluster)
    assert set(after) == {"control-plane", "worker-1", "worker-2"}
    assert after["worker-1"] != before["worker-1"]
    assert after["worker-2"] == before["worker-2"]
    pod = cluster.api.get("Pod", after["worker-1"], "kube-system")
    owner = pod["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("DaemonSet", "kube-proxy", True)
    cluster.add_node({"name": "worker-3"})
    cluster.run(BOOT_SECONDS)
    grown = pods_by_name(cluster, "get pods -n kube-system -l k8s-app=kube-proxy -o wide")
    assert sorted(cells[5] for cells in grown.values()) == [
        "control-plane", "worker-1", "worker-2", "worker-3"]
    assert all(cells[1] == "Running" for cells in grown.values())


def test_the_cluster_services_have_their_kubeadm_addresses(cluster):
    services = {cells[1]: cells[2:] for cells in (
        line.split() for line in ok(cluster, "get services -A").splitlines()[1:])}
    assert services["kubernetes"][:4] == ["ClusterIP", "10.96.0.1", "<none>", "443/TCP"]
    assert services["kube-dns"][:4] == ["ClusterIP", "10.96.0.10", "<none>",
                                        "53/UDP,53/TCP,9153/TCP"]
    endpoints = ok(cluster, "get endpoints kubernetes").splitlines()[1].split()
    assert endpoints[:2] == ["kubernetes", "192.168.49.2:8443"]


def test_every_namespace_starts_with_the_root_ca_config_map(cluster):
    cluster.apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n")
    cluster.run(1)
    namespaces = [ns["metadata"]["name"] for ns in cluster.api.list("Namespace")]
    assert "team-a" in namespaces
    for namespace in namespaces:
        names = ok(cluster, f"get configmaps -n {namespace} -o name").split()
        assert "configmap/kube-root-ca.crt" in names

