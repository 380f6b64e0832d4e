"""Cluster DNS through a real cluster: Service and pod names as a pod resolves them
(docs/concepts/services-networking/dns-pod-service.md)."""

from __future__ import annotations

import pytest

from k8skit import Cluster

APPS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.25"}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: search-alias}
spec:
  type: ExternalName
  externalName: web.default.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata: {name: payments}
spec:
  type: ExternalName
  externalName: payments.example.com
---
apiVersion: v1
kind: Pod
metadata: {name: tools}
spec:
  containers:
  - {name: tools, image: busybox, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: host-dns}
spec:
  dnsPolicy: Default
  containers:
  - {name: tools, image: busybox, command: [sleep, "3600"]}
"""


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=31)
    c.apply(APPS)
    c.run(40)
    return c


def ip_of(c: Cluster, pod: str) -> str:
    return c.api.get("Pod", pod)["status"]["podIP"]


def cluster_ip(c: Cluster, name: str, namespace: str = "default") -> str:
    return c.api.get("Service", name, namespace)["spec"]["clusterIP"]


@pytest.mark.parametrize("name", ["web", "web.default", "web.default.svc",
                                  "web.default.svc.cluster.local",
                                  "web.default.svc.cluster.local."])
def test_every_form_of_a_service_name_reaches_its_cluster_ip(cluster, name):
    answer = cluster.dns.resolve(name, ip_of(cluster, "tools"))
    assert answer.name == "web.default.svc.cluster.local"
    assert answer.addresses == [cluster_ip(cluster, "web")]


def test_a_short_name_only_works_in_the_pods_own_namespace(cluster):
    tools = ip_of(cluster, "tools")
    assert cluster.dns.resolve("cart", tools) is None
    assert cluster.dns.resolve("cart.shop", tools).addresses == [cluster_ip(cluster, "cart",
                                                                            "shop")]


def test_nslookup_in_a_busybox_pod_prints_the_service(cluster):
    result = cluster.kubectl("exec tools -- nslookup web")
    assert result.returncode == 0
    assert "Name:\tweb.default.svc.cluster.local" in result.stdout
    assert f"Address: {cluster_ip(cluster, 'web')}" in result.stdout
    missing = cluster.kubectl("exec tools -- nslookup nosuchservice")
    assert missing.returncode != 0
    assert "** server can't find nosuchservice: NXDOMAIN" in missing.stdout


def test_a_headless_service_resolves_to_its_ready_pods(cluster):
    answer = cluster.dns.resolve("web-headless", ip_of(cluster, "tools"))
    pods = cluster.api.list("Pod", namespace="default", label_selector="app=web")
    assert sorted(answer.addresses) == sorted(p["status"]["podIP"] for p in pods)


def test_an_external_name_service_is_a_cname(cluster):
    tools = ip_of(cluster, "tools")
    alias = cluster.dns.resolve("search-alias", tools)
    assert alias.cnames == ["web.default.svc.cluster.local"]
    assert alias.addresses == [cluster_ip(cluster, "web")]
    outside = cluster.dns.resolve("payments", tools)
    assert outside.cnames == ["payments.example.com"]
    assert outside.addresses == []  # the simulated cluster has no Internet to ask


def test_curl_by_service_name_from_a_pod_reaches_nginx(cluster):
    result = cluster.kubectl("exec tools -- wget -qO- http://web")
    assert "Welcome to nginx!" in result.stdout


def test_pod_a_records_are_the_dashed_address(cluster):
    web_pod = cluster.api.list("Pod", namespace="default", label_selector="app=web")[0]
    ip = web_pod["status"]["podIP"]
    name = f"{ip.replace('.', '-')}.default.pod.cluster.local"
    assert cluster.dns.resolve(name, ip_of(cluster, "tools")).addresses == [ip]


def test_a_pod_with_dns_policy_default_does_not_use_cluster_dns(cluster):
    assert cluster.dns.resolve("web", ip_of(cluster, "host-dns")) is None
    result = cluster.kubectl("exec host-dns -- nslookup web")
    assert result.returncode != 0


def test_the_resolv_conf_search_path_follows_the_namespace(cluster):
    config = cluster.dns.resolver_config(ip_of(cluster, "tools"))
    assert config.text() == ("search default.svc.cluster.local svc.cluster.local cluster.local\n"
                             "nameserver 10.96.0.10\noptions ndots:5\n")


def test_names_stop_resolving_when_coredns_has_no_ready_pod():
    c = Cluster(nodes=1, seed=32)
    c.apply(APPS)
    c.run(40)
    tools = ip_of(c, "tools")
    assert c.dns.resolve("web", tools) is not None
    c.kubectl("scale deployment coredns -n kube-system --replicas=0")
    c.run(40)
    assert c.dns.resolve("web", tools) is None
    c.kubectl("scale deployment coredns -n kube-system --replicas=2")
    c.run(40)
    assert c.dns.resolve("web", tools) is not None
