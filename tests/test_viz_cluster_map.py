"""The cluster map shows what kubectl shows: every pod, in its STATUS, on its node, in its app's
colour; the scheduling queue; node states; requests; and a patch that redraws it in place."""

import json
import math
import re

import pytest

from k8skit import Cluster
from k8skit.api.quantity import cpu_millis, memory_bytes
from k8skit.viz import palette
from k8skit.viz.cluster_map import (
    FIGURE_WIDTH,
    POD_COLORS,
    POD_STATES,
    app_of,
    cluster_map,
    cluster_map_patch,
    grid_columns,
    node_order,
    state_of,
)

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: 500m, memory: 256Mi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: 700m, memory: 1Gi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher, labels: {app: batch}}
spec:
  containers: [{name: c, image: busybox, command: [sh, -c, "sleep 5; exit 1"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: huge, labels: {app: db}}
spec:
  containers: [{name: c, image: redis, resources: {requests: {cpu: "64"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: typo, labels: {app: cache}}
spec:
  containers: [{name: c, image: "nginx:no-such-tag"}]
"""

POD_TRACES = slice(8, 8 + len(POD_STATES))


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(nodes=3, seed=4)
    cluster.apply(PODS)
    cluster.run(60)
    return cluster


def kubectl_rows(cluster, command="get pods -A -o wide"):
    """``kubectl get`` as dicts by column header."""
    lines = cluster.kubectl(command).stdout.splitlines()
    # A column starts after two spaces or more (a header may hold one: "NOMINATED NODE").
    starts = [0] + [match.end() for match in re.finditer(r" {2,}", lines[0])]
    bounds = list(zip(starts, starts[1:] + [None], strict=True))
    headers = [lines[0][a:b].strip() for a, b in bounds]
    return [{h: line[a:b].strip() for h, (a, b) in zip(headers, bounds, strict=True)}
            for line in lines[1:]]


def pod_markers(figure):
    """(state, name, hover, x, y, colour) of every pod marker (``POD_COLORS`` by index)."""
    markers = []
    for state, trace in zip(POD_STATES, figure.data[POD_TRACES], strict=True):
        colors = trace.marker.color if trace.marker.color is not None else []
        for hover, x, y, color in zip(trace.hovertext or (), trace.x, trace.y, colors,
                                      strict=True):
            name = hover.split("</b>")[0].removeprefix("<b>")
            markers.append((state, name, hover, x, y, POD_COLORS[int(color)]))
    return markers


def polygons(trace):
    """The rectangles of a polygon trace, as (left, top, right, bottom)."""
    xs, ys = list(trace.x), list(trace.y)
    found = []
    for i in range(0, len(xs), 6):
        corners_x, corners_y = xs[i:i + 5], ys[i:i + 5]
        found.append((min(corners_x), max(corners_y), max(corners_x), min(corners_y)))
    return found


def test_one_marker_per_row_of_kubectl_get_pods(cluster):
    markers = pod_markers(cluster_map(cluster))
    rows = kubectl_rows(cluster)
    assert sorted(m[1] for m in markers) == sorted(row["NAME"] for row in rows)


def test_each_pod_is_drawn_in_its_kubectl_status(cluster):
    statuses = {row["NAME"]: row["STATUS"] for row in kubectl_rows(cluster)}
    assert {state_of(status) for status in statuses.values()} >= {"Running", "Starting",
                                                                  "Failing"}
    for state, name, hover, *_ in pod_markers(cluster_map(cluster)):
        assert state == state_of(statuses[name])
        assert f"STATUS {statuses[name]}" in hover


def test_the_hover_holds_the_wide_row(cluster):
    rows = {row["NAME"]: row for row in kubectl_rows(cluster)}
    for _, name, hover, *_ in pod_markers(cluster_map(cluster)):
        assert f"IP {rows[name]['IP']}" in hover
        assert f"NODE {rows[name]['NODE']}" in hover
        assert f"READY {rows[name]['READY']}" in hover


def test_pods_take_their_apps_colour_and_the_clusters_own_pods_are_grey(cluster):
    pods = {pod["metadata"]["name"]: pod for pod in cluster.api.list("Pod")}
    system = 0
    for _, name, _, _, _, color in pod_markers(cluster_map(cluster)):
        pod = pods[name]
        if pod["metadata"]["namespace"] == "kube-system":
            assert color == palette.GREY
            system += 1
        else:
            assert color == palette.color_for(pod["metadata"]["labels"]["app"])
    assert system >= 5     # the control plane's static pods, kube-proxy, CoreDNS


def test_the_key_names_every_app_in_its_colour(cluster):
    keys = {a.text.removeprefix("<b>■</b> "): a.font.color
            for a in cluster_map(cluster).layout.annotations[1:]}
    assert keys == {"web": palette.color_for("web"), "batch": palette.color_for("batch"),
                    "db": palette.color_for("db"), "cache": palette.color_for("cache"),
                    "kube-system (the cluster's own pods)": palette.GREY}


def test_unscheduled_pods_wait_in_the_queue_and_bound_pods_sit_in_their_node(cluster):
    figure = cluster_map(cluster)
    queue = polygons(figure.data[0])[0]
    boxes = polygons(figure.data[1])
    node_names = [n["metadata"]["name"] for n in cluster.api.list("Node")]
    node_names.sort(key=lambda name: (name != "control-plane", node_order(name)))
    rows = {row["NAME"]: row for row in kubectl_rows(cluster)}
    for _, name, _, x, y, _ in pod_markers(figure):
        node = rows[name]["NODE"]
        left, top, right, bottom = queue if node == "<none>" else \
            boxes[node_names.index(node)]
        assert left < x < right and bottom < y < top, name
    assert rows["huge"]["NODE"] == "<none>"


def test_request_bars_fill_with_what_the_nodes_pods_request(cluster):
    figure = cluster_map(cluster)
    allocatable_bars = polygons(figure.data[4])
    requested_bars = polygons(figure.data[5])
    order = sorted((n for n in cluster.api.list("Node")),
                   key=lambda n: (n["metadata"]["name"] != "control-plane",
                                  node_order(n["metadata"]["name"])))
    for i, node in enumerate(order):
        pods = cluster.api.pods_on_node(node["metadata"]["name"])
        requests = [c.get("resources", {}).get("requests", {})
                    for pod in pods for c in pod["spec"]["containers"]]
        cpu = sum(cpu_millis(r["cpu"]) for r in requests if "cpu" in r)
        memory = sum(memory_bytes(r["memory"]) for r in requests if "memory" in r)
        allocatable = node["status"]["allocatable"]
        for row, (used, whole) in enumerate(((cpu, cpu_millis(allocatable["cpu"])),
                                             (memory, memory_bytes(allocatable["memory"])))):
            full = allocatable_bars[2 * i + row]
            filled = requested_bars[2 * i + row]
            fraction = (filled[2] - filled[0]) / (full[2] - full[0])
            assert fraction == pytest.approx(used / whole, abs=1e-9)


def test_a_cordoned_node_is_hatched_and_says_so():
    cluster = Cluster(nodes=2, seed=1)
    assert cluster.kubectl("cordon worker-2").returncode == 0
    figure = cluster_map(cluster)
    assert len(polygons(figure.data[3])) == 1      # the hatched overlay
    assert "worker-2</b><br>Ready,SchedulingDisabled" in "".join(figure.data[7].text)
    assert not figure.data[2].x                    # nothing is NotReady


def test_a_node_that_stopped_reporting_is_marked_not_ready():
    cluster = Cluster(nodes=2, seed=1)
    cluster.fail_node("worker-1")
    cluster.run(60)
    assert "NotReady" in cluster.kubectl("get node worker-1").stdout
    figure = cluster_map(cluster)
    not_ready = polygons(figure.data[2])
    boxes = polygons(figure.data[1])
    assert not_ready == [boxes[1]]                 # control-plane, worker-1, worker-2
    assert "(1 NotReady)" in figure.layout.title.text
    # Its kubelet no longer answers, so, as for `kubectl top nodes`, its usage is unknown.
    assert "<unknown>" in cluster.kubectl("top nodes").stdout
    assert len(polygons(figure.data[6])) == 2 * 2  # cpu and memory in use, of 2 nodes of 3
    worker_1 = next(h for h in figure.data[7].hovertext if h.startswith("<b>worker-1</b>"))
    assert "in use unknown" in worker_1


def test_the_app_is_the_label_or_the_controllers_name_without_the_template_hash():
    owned = {"metadata": {"name": "web-7d9c5-x2x4q", "labels": {"pod-template-hash": "7d9c5"},
                          "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7d9c5",
                                               "controller": True}]}}
    assert app_of(owned) == "web"
    assert app_of({"metadata": {"name": "solo", "labels": {"app": "shop"}}}) == "shop"
    assert app_of({"metadata": {"name": "solo"}}) == "solo"
    static = {"metadata": {"name": "etcd-control-plane", "labels": {"component": "etcd"},
                           "ownerReferences": [{"kind": "Node", "name": "control-plane",
                                                "controller": True}]}}
    assert app_of(static) == "etcd"


@pytest.mark.parametrize("count", [1, 3, 4, 7, 12, 13, 50])
def test_the_grid_wraps_so_every_node_fits_the_width(count):
    cluster = Cluster(nodes=count - 1, seed=0)
    figure = cluster_map(cluster)
    boxes = polygons(figure.data[1])
    assert len(boxes) == count
    columns = grid_columns(count)
    assert len({box[1] for box in boxes}) == math.ceil(count / columns)
    plot_width = FIGURE_WIDTH - figure.layout.margin.l - figure.layout.margin.r
    assert max(box[2] for box in boxes) <= plot_width + 1e-6
    assert figure.layout.height >= -min(box[3] for box in boxes)


def test_the_patch_redraws_an_older_figure_into_the_new_one():
    cluster = Cluster(nodes=2, seed=2)
    figure = cluster_map(cluster)
    cluster.apply(PODS)
    cluster.run(30)
    cluster_map_patch(cluster).apply_to(figure)
    assert json.loads(figure.to_json()) == json.loads(cluster_map(cluster).to_json())


def test_the_title_counts_what_kubectl_counts(cluster):
    title = cluster_map(cluster).layout.title.text
    rows = kubectl_rows(cluster)
    pending = sum(1 for row in rows if row["NODE"] == "<none>")
    assert f"{len(rows)} pods" in title
    assert f"{pending} unscheduled" in title
    assert f"t = {cluster.now:g} s" in title
