"""The anatomy picture: every component of the cluster, the API server as the only door, etcd
behind it, workers collapsed past three, and highlights for the request journey."""

import pytest

from k8skit import Cluster
from k8skit.viz.anatomy import (
    API_SERVER,
    ETCD,
    SHOWN_WORKERS,
    anatomy,
    resolve_highlight,
)
from k8skit.viz.palette import ORANGE


def boxes(figure):
    """label text -> shape of each component box (the shapes with a white or lit fill)."""
    labels = [text.replace("<b>", "").replace("</b>", "").replace("<br>", " ")
              for text in figure.data[0].text if text]
    shapes = [s for s in figure.layout.shapes if s.fillcolor in ("white", ORANGE)]
    assert len(labels) == len(shapes)
    return list(zip(labels, shapes, strict=True))


def arrows(figure):
    return [a for a in figure.layout.annotations if a.showarrow]


def inside(x, y, shape):
    return shape.x0 <= x <= shape.x1 and shape.y0 <= y <= shape.y1


def test_every_control_plane_and_node_component_is_drawn():
    figure = anatomy(Cluster(nodes=2, seed=0))
    labels = [label for label, _ in boxes(figure)]
    for component in ("kubectl (you)", "kube-apiserver", "etcd", "kube-scheduler",
                      "kube-controller- manager", "cloud-controller- manager"):
        assert labels.count(component) == 1
    for component in ("kubelet", "kube-proxy", "container runtime"):
        assert labels.count(component) == 2


@pytest.mark.parametrize("cloud", [True, False])
def test_every_component_talks_only_to_the_api_server_and_only_it_to_etcd(cloud):
    figure = anatomy(Cluster(nodes=3, seed=0, cloud=cloud))
    shapes = dict(boxes(figure))
    assert ("cloud-controller- manager" in shapes) == cloud
    api, etcd = shapes["kube-apiserver"], shapes["etcd"]
    ends = [(a.x, a.y, a.ax, a.ay) for a in arrows(figure)]
    into_api = [end for end in ends if inside(end[0], end[1], api)]
    # kubectl, scheduler, controller managers, and each worker's kubelet and kube-proxy.
    assert len(into_api) == 3 + cloud + 2 * 3
    touching_etcd = [end for end in ends if inside(end[0], end[1], etcd)
                     or inside(end[2], end[3], etcd)]
    assert len(touching_etcd) == 1 and inside(touching_etcd[0][2], touching_etcd[0][3], api)


def test_past_three_workers_two_are_drawn_and_the_rest_summed_up():
    figure = anatomy(Cluster(nodes=6, seed=0))
    labels = [label for label, _ in boxes(figure)]
    assert labels.count("kubelet") == SHOWN_WORKERS - 1
    titles = [a.text for a in figure.layout.annotations if not a.showarrow]
    assert "<b>… 4 more workers</b>" in titles


def test_a_highlighted_component_is_lit_and_the_rest_are_not():
    figure = anatomy(Cluster(nodes=2, seed=0), highlight="kube-scheduler")
    lit = [label for label, shape in boxes(figure) if shape.fillcolor == ORANGE]
    assert lit == ["kube-scheduler"]
    assert "now: kube-scheduler" in figure.layout.title.text


def test_a_nodes_own_component_can_be_lit_and_is_then_drawn_even_if_collapsed():
    figure = anatomy(Cluster(nodes=6, seed=0), highlight=["kubelet/worker-5", ETCD])
    titles = [a.text for a in figure.layout.annotations if not a.showarrow]
    assert any("worker-5" in title for title in titles)
    lit = [label for label, shape in boxes(figure) if shape.fillcolor == ORANGE]
    assert sorted(lit) == ["etcd", "kubelet"]


def test_highlighting_a_component_by_its_short_name():
    assert resolve_highlight(["apiserver", "scheduler"]) == {API_SERVER, "kube-scheduler"}


@pytest.mark.parametrize("name", ["kubelett", "etcd/worker-1"])
def test_an_unknown_component_is_a_plain_error(name):
    with pytest.raises(ValueError, match="highlight"):
        anatomy(Cluster(nodes=1, seed=0), highlight=name)


def test_a_node_frame_says_what_kubectl_get_nodes_says():
    cluster = Cluster(nodes=2, seed=0)
    cluster.kubectl("cordon worker-1")
    titles = [a.text for a in anatomy(cluster).layout.annotations if not a.showarrow]
    assert "<b>worker-1 · Ready,SchedulingDisabled</b>" in titles
    assert "<b>worker-2 · Ready</b>" in titles
