"""Requests from outside the cluster and from pods: k8skit.traffic through a real cluster."""

from __future__ import annotations

import pytest

from k8skit import Cluster
from k8skit.traffic import curl, send_requests

APP = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  replicas: 2
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers:
      - {name: hello, image: "gcr.io/google-samples/hello-app:2.0", ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: hello}
spec:
  type: NodePort
  selector: {app: hello}
  ports: [{port: 80, targetPort: 8080, nodePort: 31000}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: client, image: busybox, command: [sleep, "3600"]}
"""


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=51)
    c.apply(APP)
    c.run(40)
    return c


def node_ip(c: Cluster, name: str = "worker-1") -> str:
    node = c.api.get("Node", name, None)
    return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")


def test_curl_from_outside_through_a_node_port_returns_the_body(cluster):
    body = curl(cluster, f"http://{node_ip(cluster)}:31000")
    assert body.startswith("Hello, world!\nVersion: 2.0.0\nHostname: hello-")


def test_send_requests_counts_the_pods_that_answered(cluster):
    result = send_requests(cluster, f"http://{node_ip(cluster)}:31000", n=100)
    assert len(result) == 100 and result.succeeded == 100
    pods = {p["metadata"]["name"] for p in cluster.api.list("Pod", namespace="default",
                                                              label_selector="app=hello")}
    assert set(result.counts) == pods
    assert sum(result.counts.values()) == 100
    shown = repr(result)
    assert shown.startswith(f"100 requests to http://{node_ip(cluster)}:31000 from outside: "
                            "100 answered")


def test_from_a_pod_the_service_name_works_but_not_from_outside(cluster):
    inside = send_requests(cluster, "http://hello", n=10, source="client")
    assert inside.succeeded == 10
    outside = send_requests(cluster, "http://hello", n=1)
    assert outside.errors == {"curl: (6) Could not resolve host: hello": 1}


def test_a_cluster_ip_is_unreachable_from_outside_and_curl_waits_for_the_timeout(cluster):
    ip = cluster.api.get("Service", "hello")["spec"]["clusterIP"]
    before = cluster.now
    answer = curl(cluster, f"http://{ip}")
    assert answer.startswith(f"curl: (7) Failed to connect to {ip} port 80 after ")
    assert cluster.now - before > 60


def test_an_interval_lets_simulated_time_pass_between_requests(cluster):
    before = cluster.now
    send_requests(cluster, "http://hello", n=5, source="client", interval=2)
    assert cluster.now - before == pytest.approx(8)


def test_an_unknown_source_pod_is_a_clear_error(cluster):
    with pytest.raises(ValueError, match='no pod "ghost" in namespace "default"'):
        send_requests(cluster, "http://hello", source="ghost")
