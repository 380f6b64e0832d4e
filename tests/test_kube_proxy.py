"""kube-proxy through a real cluster: which pod a connection to a Service reaches, and the
rules a node shows (pkg/proxy/iptables, pkg/proxy/ipvs, docs/reference/networking/virtual-ips.md).
"""

from __future__ import annotations

import re

import pytest

from k8skit import Cluster
from k8skit.traffic import send_requests

HELLO = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 3
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: gcr.io/google-samples/hello-app:1.0
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  type: NodePort
  selector: {app: hello}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"""

CLIENT = """
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: client, image: busybox, command: [sleep, "3600"]}
"""


def ready_cluster(mode: str = "iptables", seed: int = 21, manifest: str = HELLO,
                  nodes: int = 2) -> Cluster:
    c = Cluster(nodes=nodes, seed=seed, proxy_mode=mode)
    c.apply(manifest)
    c.apply(CLIENT)
    c.run(40)
    return c


def pod_names(c: Cluster, label: str = "app=hello") -> set[str]:
    return {p["metadata"]["name"] for p in c.api.list("Pod", namespace="default",
                                                          label_selector=label)}


def node_ip(c: Cluster, name: str) -> str:
    node = c.api.get("Node", name, None)
    return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")


@pytest.fixture(scope="module")
def iptables() -> Cluster:
    return ready_cluster()


def test_iptables_mode_spreads_connections_evenly_at_random(iptables):
    result = send_requests(iptables, "http://hello", n=3000, source="client")
    assert set(result.counts) == pod_names(iptables)
    for count in result.counts.values():
        assert 850 < count < 1150  # 1000 expected; 5 standard deviations is about 130


def test_the_service_chain_has_one_rule_per_endpoint_with_falling_probabilities(iptables):
    rules = iptables.kube_proxies["worker-1"].rules("default/hello")
    chain_rules = [line for line in rules.splitlines()
                   if line.startswith("-A KUBE-SVC-") and "->" in line]
    assert len(chain_rules) == 3
    assert "--probability 0.33333333349" in chain_rules[0]
    assert "--probability 0.50000000000" in chain_rules[1]
    assert "--probability" not in chain_rules[2]
    ips = sorted(p["status"]["podIP"] for p in iptables.api.list(
        "Pod", namespace="default", label_selector="app=hello"))
    dnat = re.findall(r"-j DNAT --to-destination (\S+)", rules)
    assert sorted(dnat) == [f"{ip}:8080" for ip in ips]
    service = iptables.api.get("Service", "hello")
    assert (f'-A KUBE-SERVICES -d {service["spec"]["clusterIP"]}/32 -p tcp -m comment '
            f'--comment "default/hello cluster IP" -m tcp --dport 80 -j KUBE-SVC-') in rules
    assert '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/hello" -m tcp --dport 30080' \
        in rules


def test_chain_names_are_upstreams_hashes(iptables):
    # The API server's own Service has this chain on every kubeadm cluster.
    rules = iptables.kube_proxies["worker-1"].rules("default/kubernetes")
    assert '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment ' \
           '"default/kubernetes:https cluster IP" -m tcp --dport 443 ' \
           "-j KUBE-SVC-NPX46M4PTMTKRN6Y" in rules


def test_a_node_port_works_on_every_node_even_without_a_local_pod(iptables):
    for node in ("worker-1", "worker-2", "control-plane"):
        body = iptables.curl(f"http://{node_ip(iptables, node)}:30080")
        assert body.startswith("Hello, world!")


def test_ipvs_mode_takes_the_endpoints_in_turn():
    c = ready_cluster(mode="ipvs", seed=22)
    result = send_requests(c, "http://hello", n=9, source="client")
    order = [r.served_by for r in result.responses]
    assert order[:3] == order[3:6] == order[6:9]
    assert set(order) == pod_names(c)
    table = c.kube_proxies["worker-1"].rules("default/hello")
    service = c.api.get("Service", "hello")
    assert f"TCP  {service['spec']['clusterIP']}:80 rr" in table
    assert f"TCP  {node_ip(c, 'worker-1')}:30080 rr" in table
    assert table.count("Masq    1") == 6  # three real servers for each virtual server


def test_switching_the_proxy_mode_edits_the_config_map_and_restarts_kube_proxy():
    c = ready_cluster(seed=24)
    c.fail_node("worker-2")
    c.set_proxy_mode("ipvs")
    config = c.api.get("ConfigMap", "kube-proxy", "kube-system")["data"]["config.conf"]
    assert 'mode: "ipvs"' in config
    order = [r.served_by for r in send_requests(c, "http://hello", n=6,
                                                source="client").responses]
    assert order[:len(order) // 2] == order[len(order) // 2:]  # in turn, not at random
    assert "rr" in c.kube_proxies["worker-1"].rules("default/hello")
    # A machine that was off comes back in the new mode.
    assert not c.kube_proxies["worker-2"].running
    c.restore_node("worker-2")
    assert c.kube_proxies["worker-2"].mode == "ipvs"
    c.set_proxy_mode("iptables")
    config = c.api.get("ConfigMap", "kube-proxy", "kube-system")["data"]["config.conf"]
    assert 'mode: ""' in config  # kubeadm's way of saying the default, iptables
    assert "KUBE-SVC-" in c.kube_proxies["worker-1"].rules("default/hello")
    with pytest.raises(ValueError, match='unknown proxy mode "nftable"; choose one of'):
        c.set_proxy_mode("nftable")


def test_client_ip_affinity_keeps_a_client_on_one_pod_until_the_timeout():
    c = ready_cluster(seed=23, manifest=HELLO.replace(
        "  selector: {app: hello}\n  ports",
        "  selector: {app: hello}\n  sessionAffinity: ClientIP\n"
        "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n  ports"))
    first = send_requests(c, "http://hello", n=50, source="client")
    assert len(first.counts) == 1
    rules = c.kube_proxies["worker-1"].rules("default/hello")
    assert "-m recent --rcheck --seconds 60 --reap" in rules
    later = set()
    for _ in range(10):
        c.run(61)  # idle longer than the timeout: the next connection is balanced again
        later.update(send_requests(c, "http://hello", n=1, source="client").counts)
    assert len(later) > 1


def test_a_service_without_ready_endpoints_refuses_connections_at_once(iptables):
    iptables.apply("""
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: nothing-here}
  ports: [{port: 80, nodePort: 30081}]
""")
    iptables.run(2)
    (error,) = send_requests(iptables, "http://web", n=1, source="client").errors
    assert error.startswith("curl: (7) Failed to connect to web port 80 after 0 ms")
    before = iptables.now
    assert iptables.curl(f"http://{node_ip(iptables, 'worker-1')}:30081").startswith(
        "curl: (7) Failed to connect to")
    assert iptables.now == before  # refused, not a timeout
    rules = iptables.kube_proxies["worker-1"].rules("default/web")
    assert '"default/web has no endpoints"' in rules
    assert "-j REJECT --reject-with icmp-port-unreachable" in rules


def test_external_traffic_policy_local_only_uses_the_nodes_own_pods():
    c = ready_cluster(seed=24, manifest=HELLO.replace("replicas: 3", "replicas: 1").replace(
        "  type: NodePort", "  type: NodePort\n  externalTrafficPolicy: Local"))
    (pod,) = c.api.list("Pod", namespace="default", label_selector="app=hello")
    home = pod["spec"]["nodeName"]
    other = next(n for n in ("worker-1", "worker-2") if n != home)
    assert c.curl(f"http://{node_ip(c, home)}:30080").startswith("Hello, world!")
    before = c.now
    answer = c.curl(f"http://{node_ip(c, other)}:30080")
    assert answer.startswith("curl: (7)")  # dropped: the client waits, then gives up
    assert c.now > before
    # Pods are not "external": from inside the cluster the node port reaches the pod anyway.
    inside = send_requests(c, f"http://{node_ip(c, other)}:30080", n=1, source="client")
    assert inside.succeeded == 1


def test_internal_traffic_policy_local_drops_traffic_from_nodes_without_a_local_pod():
    c = ready_cluster(seed=25, manifest=HELLO.replace("replicas: 3", "replicas: 1").replace(
        "    spec:\n      containers:", "    spec:\n      nodeName: worker-1\n      containers:")
        .replace("  type: NodePort", "  type: NodePort\n  internalTrafficPolicy: Local"))
    c.apply(CLIENT.replace("name: client}", "name: neighbour}").replace(
        "spec:\n", "spec:\n  nodeName: worker-1\n"))
    c.apply(CLIENT.replace("name: client}", "name: stranger}").replace(
        "spec:\n", "spec:\n  nodeName: worker-2\n"))
    c.run(20)
    assert send_requests(c, "http://hello", n=1, source="neighbour").succeeded == 1
    dropped = send_requests(c, "http://hello", n=1, source="stranger").responses[0]
    assert dropped.error is not None and dropped.seconds > 0  # a timeout, not a refusal


def test_a_pod_failing_readiness_gets_no_more_traffic_and_is_not_restarted():
    c = ready_cluster(seed=26, manifest="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        readinessProbe:
          exec: {command: [cat, /usr/share/nginx/html/index.html]}
          periodSeconds: 2
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
""")
    names = sorted(pod_names(c, "app=web"))
    assert len(send_requests(c, "http://web", n=300, source="client").counts) == 3
    c.kubectl(f"exec {names[0]} -- rm /usr/share/nginx/html/index.html")
    c.run(5)
    result = send_requests(c, "http://web", n=300, source="client")
    assert set(result.counts) == set(names[1:]) and result.succeeded == 300
    pod = c.api.get("Pod", names[0])
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0


def test_a_failed_nodes_pods_leave_the_service_after_the_grace_period():
    c = ready_cluster(seed=27, nodes=3, manifest=HELLO.replace("replicas: 3", "replicas: 6"))
    c.apply(CLIENT.replace("name: client}", "name: watcher}").replace(
        "spec:\n", "spec:\n  nodeName: worker-2\n"))
    c.run(20)
    on_worker_1 = {p["metadata"]["name"] for p in c.api.list("Pod", namespace="default",
                                                              label_selector="app=hello")
                   if p["spec"]["nodeName"] == "worker-1"}
    assert on_worker_1  # the scheduler spreads a Deployment's pods over the nodes
    c.fail_node("worker-1")
    c.run(60)  # node-monitor-grace-period, then the node's pods are marked not ready
    result = send_requests(c, "http://hello", n=200, source="watcher")
    assert result.succeeded == 200
    assert not set(result.counts) & on_worker_1


def test_rules_follow_endpoint_changes_within_the_minimum_sync_period(iptables):
    iptables.kubectl("scale deployment hello --replicas=4")
    iptables.run(30)
    rules = iptables.kube_proxies["worker-2"].rules("default/hello")
    assert "--probability 0.25000000000" in rules
    result = send_requests(iptables, "http://hello", n=400, source="client")
    assert len(result.counts) == 4
