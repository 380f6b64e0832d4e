"""Endpoints and EndpointSlices through a real cluster: which pods stand behind a Service.

Upstream: pkg/controller/endpoint, pkg/controller/endpointslice and
pkg/controller/endpointslicemirroring; docs/concepts/services-networking/endpoint-slices.md.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - {name: http, containerPort: 80}
        readinessProbe:
          exec:
            command: [cat, /usr/share/nginx/html/index.html]
          periodSeconds: 2
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {tier: front}
spec:
  selector: {app: web}
  ports:
  - {port: 8080, targetPort: http}
"""


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=11)
    c.apply(WEB)
    c.run(40)
    return c


def pods(c: Cluster, label: str = "app=web") -> list[dict]:
    return c.api.list("Pod", namespace="default", label_selector=label)


def slices_of(c: Cluster, service: str, namespace: str = "default") -> list[dict]:
    return c.api.list("EndpointSlice", namespace=namespace,
                      label_selector=f"kubernetes.io/service-name={service}")


def test_ready_pods_are_the_addresses_with_the_named_target_port_resolved(cluster):
    endpoints = cluster.api.get("Endpoints", "web")
    (subset,) = endpoints["subsets"]
    assert sorted(a["ip"] for a in subset["addresses"]) == \
        sorted(p["status"]["podIP"] for p in pods(cluster))
    assert subset["ports"] == [{"port": 80, "protocol": "TCP"}]
    for address in subset["addresses"]:
        assert address["targetRef"]["kind"] == "Pod"
        assert address["nodeName"].startswith("worker-")
    assert endpoints["metadata"]["labels"] == {"tier": "front"}


def test_kubectl_get_endpoints_lists_ready_addresses(cluster):
    out = cluster.kubectl("get endpoints web").stdout
    ips = sorted(p["status"]["podIP"] for p in pods(cluster))
    header, row = out.splitlines()
    assert header.split() == ["NAME", "ENDPOINTS", "AGE"]
    assert row.split()[1] == ",".join(f"{ip}:80" for ip in sorted(ips))


def test_the_slice_names_the_service_and_each_pod_with_its_conditions(cluster):
    (slice_,) = slices_of(cluster, "web")
    meta = slice_["metadata"]
    assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
    assert meta["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslice-controller.k8s.io"
    assert meta["ownerReferences"][0]["kind"] == "Service"
    assert slice_["addressType"] == "IPv4"
    assert slice_["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}]
    names = {e["targetRef"]["name"] for e in slice_["endpoints"]}
    assert names == {p["metadata"]["name"] for p in pods(cluster)}
    for endpoint in slice_["endpoints"]:
        assert endpoint["conditions"] == {"ready": True, "serving": True, "terminating": False}


def test_a_pod_that_fails_readiness_moves_to_not_ready_addresses_without_a_restart():
    c = Cluster(nodes=2, seed=12)
    c.apply(WEB)
    c.run(40)
    victim = pods(c)[0]
    name, ip = victim["metadata"]["name"], victim["status"]["podIP"]
    c.kubectl(f"exec {name} -- rm /usr/share/nginx/html/index.html")
    c.run(6)
    (subset,) = c.api.get("Endpoints", "web")["subsets"]
    assert ip not in [a["ip"] for a in subset["addresses"]]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == [ip]
    (slice_,) = slices_of(c, "web")
    conditions = {e["addresses"][0]: e["conditions"] for e in slice_["endpoints"]}
    assert conditions[ip] == {"ready": False, "serving": False, "terminating": False}
    pod = c.api.get("Pod", name)
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
    assert pod["status"]["phase"] == "Running"


def test_a_terminating_pod_leaves_endpoints_but_stays_in_the_slice_as_terminating():
    c = Cluster(nodes=1, seed=13)
    c.apply("""
apiVersion: v1
kind: Service
metadata: {name: slow}
spec:
  selector: {app: slow}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: slow, labels: {app: slow}}
spec:
  terminationGracePeriodSeconds: 60
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "sleep 3600"]
""")
    c.run(20)
    ip = c.api.get("Pod", "slow")["status"]["podIP"]
    assert c.api.get("Endpoints", "slow")["subsets"][0]["addresses"][0]["ip"] == ip
    c.api.delete("Pod", "slow")  # sh as PID 1 ignores SIGTERM: it stays for the grace period
    c.run(3)
    assert "subsets" not in c.api.get("Endpoints", "slow")
    (slice_,) = slices_of(c, "slow")
    assert slice_["endpoints"][0]["addresses"] == [ip]
    assert slice_["endpoints"][0]["conditions"] == {"ready": False, "serving": True,
                                                    "terminating": True}


def test_a_headless_service_without_ports_lists_addresses_without_ports(cluster):
    cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
""")
    cluster.run(1)
    endpoints = cluster.api.get("Endpoints", "web-headless")
    (subset,) = endpoints["subsets"]
    assert "ports" not in subset and len(subset["addresses"]) == 3
    assert endpoints["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}
    (slice_,) = slices_of(cluster, "web-headless")
    assert "ports" not in slice_ and len(slice_["endpoints"]) == 3


def test_a_service_without_selector_keeps_its_hand_written_endpoints_and_gets_a_mirror(cluster):
    cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: external-db}
spec:
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: external-db}
subsets:
- addresses: [{ip: 192.168.10.5}]
  ports: [{port: 5432}]
""")
    cluster.run(2)
    endpoints = cluster.api.get("Endpoints", "external-db")
    assert endpoints["subsets"] == [{"addresses": [{"ip": "192.168.10.5"}],
                                     "ports": [{"port": 5432, "protocol": "TCP"}]}]
    (mirror,) = slices_of(cluster, "external-db")
    assert mirror["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslicemirroring-controller.k8s.io"
    assert mirror["endpoints"] == [{"addresses": ["192.168.10.5"],
                                    "conditions": {"ready": True}}]


def test_a_service_without_matching_pods_has_an_empty_placeholder_slice(cluster):
    cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  selector: {app: nobody}
  ports: [{port: 80}]
""")
    cluster.run(1)
    assert "subsets" not in cluster.api.get("Endpoints", "nobody")
    assert cluster.kubectl("get endpoints nobody").stdout.splitlines()[1].split()[1] == "<none>"
    (placeholder,) = slices_of(cluster, "nobody")
    assert not placeholder.get("endpoints") and "ports" not in placeholder


def test_deleting_the_service_removes_its_endpoints_and_slices(cluster):
    cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: short-lived}
spec:
  selector: {app: web}
  ports: [{port: 80}]
""")
    cluster.run(1)
    assert slices_of(cluster, "short-lived")
    cluster.kubectl("delete service short-lived")
    cluster.run(1)
    assert cluster.api.try_get("Endpoints", "short-lived") is None
    assert slices_of(cluster, "short-lived") == []


def test_relabelling_a_pod_takes_it_out_of_the_service(cluster):
    c = Cluster(nodes=1, seed=14)
    c.apply(WEB.replace("replicas: 3", "replicas: 2"))
    c.run(40)
    pod = pods(c)[0]
    c.kubectl(f"label pod {pod['metadata']['name']} app=debug --overwrite")
    c.run(2)
    (subset,) = c.api.get("Endpoints", "web")["subsets"]
    assert pod["status"]["podIP"] not in [a["ip"] for a in subset["addresses"]]
    # The ReplicaSet made a replacement, which joins the Service once ready.
    c.run(30)
    (subset,) = c.api.get("Endpoints", "web")["subsets"]
    assert len(subset["addresses"]) == 2
