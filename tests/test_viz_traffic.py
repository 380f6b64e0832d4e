"""The traffic Sankey carries exactly the traffic result's counts: requests out of the client,
through the Service, into each pod that answered, and into each kind of failure."""

import pytest

from k8skit import Cluster
from k8skit.traffic import send_requests
from k8skit.viz.palette import GREY, VERMILLION, color_for
from k8skit.viz.traffic import service_for, traffic_sankey

APP = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  type: NodePort
  selector: {app: shop}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers: [{name: client, image: busybox, command: [sleep, "3600"]}]
"""


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(nodes=3, seed=21)
    cluster.apply(APP)
    cluster.run(40)
    return cluster


def flows(figure):
    """(source label, target label, value) of every link."""
    sankey = figure.data[0]
    labels = sankey.node.label
    return [(labels[s], labels[t], v) for s, t, v in
            zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)]


def test_the_links_carry_the_results_counts(cluster):
    result = send_requests(cluster, "http://shop", 300, source="client")
    links = flows(traffic_sankey(result, cluster))
    client, service = links[0][0], links[0][1]
    assert links[0][2] == 300 and client.startswith("pod client")
    assert service.startswith("service/shop")
    into_pods = {target.split(":")[0]: value for source, target, value in links[1:]}
    assert into_pods == result.counts
    assert len(into_pods) == 3


def test_pods_take_their_apps_colour(cluster):
    result = send_requests(cluster, "http://shop", 30, source="client")
    sankey = traffic_sankey(result, cluster).data[0]
    pod_colors = sankey.node.color[2:]
    assert set(pod_colors) == {color_for("shop")}
    assert set(traffic_sankey(result).data[0].node.color[2:]) == {GREY}


def test_a_node_port_from_outside_is_traced_to_its_service(cluster):
    node = cluster.api.get("Node", "worker-2", None)
    ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    url = f"http://{ip}:30080"
    assert service_for(cluster, url)["metadata"]["name"] == "shop"
    result = send_requests(cluster, url, 50)
    links = flows(traffic_sankey(result, cluster))
    assert links[0][0].startswith("outside the cluster")
    assert links[0][1].startswith("service/shop")
    assert sum(value for _, _, value in links[1:]) == 50


def test_failed_requests_flow_into_their_error(cluster):
    result = send_requests(cluster, "http://nothing-here", 20, source="client")
    figure = traffic_sankey(result, cluster)
    sankey = figure.data[0]
    links = flows(figure)
    (error, count), = result.errors.items()
    assert links[1][1] == f"failed: {error}: {count}" and links[1][2] == 20
    assert sankey.node.color[2] == VERMILLION
    assert "20 failed" in figure.layout.title.text
