"""The anatomy of a cluster: its components, and the API server as the only door.

The picture of kubernetes.io's "Kubernetes Components" page (docs/concepts/overview/components),
drawn for a given cluster:

- the control plane: kube-apiserver, etcd behind it, kube-scheduler, kube-controller-manager and,
  on a cluster with a cloud, cloud-controller-manager;
- each worker node: kubelet, the container runtime it drives (through the CRI) and kube-proxy;
  past three workers, two are drawn and the others summed up in a third box (they are the same);
- an arrow from every component, and from the learner's kubectl, to kube-apiserver: no component
  talks to another directly, and only the API server talks to etcd.

``highlight`` names one or more components to light up (the request-journey dashboard lights
each in turn): a component's name (``"kube-scheduler"``, ``"kubelet"``: every node's), or a
node's own one (``"kubelet/worker-1"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go

from k8skit.kubectl.printers.tables import node_roles, node_status
from k8skit.viz import FigurePatch
from k8skit.viz.cluster_map import node_order
from k8skit.viz.palette import (
    BLACK,
    BLUE,
    GREY,
    LIGHT_GREY,
    ORANGE,
    VERMILLION,
    with_alpha,
)

KUBECTL = "kubectl"
API_SERVER = "kube-apiserver"
ETCD = "etcd"
SCHEDULER = "kube-scheduler"
CONTROLLER_MANAGER = "kube-controller-manager"
CLOUD_CONTROLLER_MANAGER = "cloud-controller-manager"
KUBELET = "kubelet"
RUNTIME = "container runtime"
KUBE_PROXY = "kube-proxy"

NODE_COMPONENTS = (KUBELET, KUBE_PROXY, RUNTIME)
COMPONENTS = (KUBECTL, API_SERVER, ETCD, SCHEDULER, CONTROLLER_MANAGER,
              CLOUD_CONTROLLER_MANAGER, *NODE_COMPONENTS)

ALIASES = {"apiserver": API_SERVER, "api server": API_SERVER, "scheduler": SCHEDULER,
           "controller-manager": CONTROLLER_MANAGER, "controller manager": CONTROLLER_MANAGER,
           "runtime": RUNTIME, "container-runtime": RUNTIME}

# What each component does, paraphrasing docs/concepts/overview/components.md.
ROLES = {
    KUBECTL: "you: every command is a request to the API server",
    API_SERVER: "the front end of the control plane: validates and stores objects; "
                "every component reads and writes through it",
    ETCD: "consistent key-value store of all cluster data; only the API server talks to it",
    SCHEDULER: "watches for pods with no node and picks one for each",
    CONTROLLER_MANAGER: "runs the controllers (ReplicaSet, Deployment, Node, Endpoints, ...) "
                        "that move the current state toward the desired state",
    CLOUD_CONTROLLER_MANAGER: "links the cluster to the cloud provider's API "
                              "(load balancers, node addresses)",
    KUBELET: "makes sure the containers of the pods bound to its node are running and healthy; "
             "reports node and pod status",
    RUNTIME: "pulls images and runs containers (containerd, CRI-O) for the kubelet, via the CRI",
    KUBE_PROXY: "maintains the node's network rules that send Service traffic to pods",
}

SHOWN_WORKERS = 3
"""Workers drawn one by one; with more, two are drawn and a third box stands for the rest."""

_HIGHLIGHT = ORANGE
_CONTROL_PLANE_FILL = with_alpha(BLUE, 0.12)
_NODE_FILL = with_alpha(LIGHT_GREY, 0.35)


@dataclass(frozen=True)
class Box:
    """A component drawn as a box: ``key`` is its name, or ``name/node`` on a node."""

    key: str
    component: str
    label: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Frame:
    """A machine drawn around its components: the control plane or a worker node."""

    title: str
    hover: str
    x0: float
    y0: float
    x1: float
    y1: float
    ready: bool
    control_plane: bool = False


@dataclass(frozen=True)
class _Layout:
    boxes: tuple[Box, ...]
    frames: tuple[Frame, ...]


def resolve_highlight(highlight: str | Iterable[str] | None) -> set[str]:
    """The component names (or ``name/node`` keys) to light up; a clear error for a typo."""
    if highlight is None:
        return set()
    names = [highlight] if isinstance(highlight, str) else list(highlight)
    resolved = set()
    for name in names:
        component, _, node = name.partition("/")
        component = ALIASES.get(component.strip().lower(), component.strip())
        if component not in COMPONENTS:
            raise ValueError(f'no component "{name}" to highlight; components are '
                             f'{", ".join(COMPONENTS)} (or e.g. "kubelet/worker-1")')
        if node and component not in NODE_COMPONENTS:
            raise ValueError(f'"{component}" runs on the control plane, not on a node: '
                             f'highlight "{component}"')
        resolved.add(f"{component}/{node}" if node else component)
    return resolved


def anatomy(cluster, highlight: str | Iterable[str] | None = None) -> go.Figure:
    """The cluster's components and who talks to whom (see the module's docstring)."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(name="components", mode="text", hoverinfo="text",
                                textfont=dict(size=11, color=BLACK)))
    figure.update_layout(
        height=560, margin=dict(l=10, r=10, t=70, b=10), plot_bgcolor="white",
        showlegend=False, font=dict(family="sans-serif", size=12),
        xaxis=dict(visible=False, range=[0, 100], fixedrange=True),
        yaxis=dict(visible=False, range=[0, 62], fixedrange=True),
        hoverlabel=dict(align="left"),
    )
    anatomy_patch(cluster, highlight).apply_to(figure)
    return figure


def anatomy_patch(cluster, highlight: str | Iterable[str] | None = None) -> FigurePatch:
    """The data of :func:`anatomy` for ``cluster`` with ``highlight`` lit."""
    lit = resolve_highlight(highlight)
    layout = _layout(cluster, lit)
    shapes, annotations = [], []
    for frame in layout.frames:
        shapes.append(dict(
            type="rect", x0=frame.x0, y0=frame.y0, x1=frame.x1, y1=frame.y1, layer="below",
            line=dict(color=GREY if frame.ready else VERMILLION, width=1.5,
                      dash="solid" if frame.ready else "dash"),
            fillcolor=_CONTROL_PLANE_FILL if frame.control_plane else _NODE_FILL))
        color = BLACK if frame.ready else VERMILLION
        annotations.append(dict(text=f"<b>{frame.title}</b>", x=frame.x0 + 1, y=frame.y1 - 0.6,
                                xanchor="left", yanchor="top", showarrow=False,
                                font=dict(size=11, color=color)))
    for box in layout.boxes:
        on = _is_lit(box, lit)
        shapes.append(dict(
            type="rect", x0=box.x0, y0=box.y0, x1=box.x1, y1=box.y1, layer="below",
            line=dict(color=BLACK if on else GREY, width=3 if on else 1),
            fillcolor=_HIGHLIGHT if on else "white"))
    annotations += _arrows(layout.boxes, lit)
    texts = [(f"<b>{box.label}</b>" if _is_lit(box, lit) else box.label) for box in layout.boxes]
    hovers = [f"<b>{box.label}</b><br>{ROLES[box.component]}" for box in layout.boxes]
    # An empty text at each frame's title carries the frame's hover.
    texts += [""] * len(layout.frames)
    hovers += [frame.hover for frame in layout.frames]
    xs = [box.centre[0] for box in layout.boxes] + [f.x0 + 4 for f in layout.frames]
    ys = [box.centre[1] for box in layout.boxes] + [f.y1 - 1.5 for f in layout.frames]
    title = "Cluster anatomy: every component talks only to the API server"
    if lit:
        title += f" · now: {', '.join(sorted(lit))}"
    return FigurePatch(
        traces=[dict(x=xs, y=ys, text=texts, hovertext=hovers)],
        layout={"shapes": shapes, "annotations": annotations, "title.text": title})


def _is_lit(box: Box, lit: set[str]) -> bool:
    return box.key in lit or box.component in lit


def _layout(cluster, lit: set[str]) -> _Layout:
    nodes = cluster.api.list("Node")
    control_planes = [n for n in nodes if "control-plane" in node_roles(n)]
    workers = sorted((n for n in nodes if n not in control_planes),
                     key=lambda n: node_order(n["metadata"]["name"]))
    boxes = [Box(KUBECTL, KUBECTL, "kubectl<br>(you)", 1, 46, 13, 53)]
    frames = []
    plane = control_planes[0]["metadata"]["name"] if control_planes else "control plane"
    frames.append(Frame(f"control plane ({plane})", "the control plane: decides and records "
                        "what should run where", 17, 31, 99, 61,
                        all(_ready(n) for n in control_planes), control_plane=True))
    boxes += [Box(API_SERVER, API_SERVER, "kube-apiserver", 47, 40, 66, 50),
              Box(ETCD, ETCD, "etcd", 80, 40, 96, 50),
              Box(SCHEDULER, SCHEDULER, "kube-scheduler", 20, 53, 37, 58),
              Box(CONTROLLER_MANAGER, CONTROLLER_MANAGER, "kube-controller-<br>manager",
                  20, 40, 37, 46)]
    if has_cloud(cluster):
        boxes.append(Box(CLOUD_CONTROLLER_MANAGER, CLOUD_CONTROLLER_MANAGER,
                         "cloud-controller-<br>manager", 20, 32.5, 37, 38.5))
    shown, hidden = _shown_workers(workers, lit)
    slots = len(shown) + (1 if hidden else 0)
    width = (99 - 17 - 2 * (slots - 1)) / max(slots, 1)
    for i, node in enumerate(shown):
        name = node["metadata"]["name"]
        x0 = 17 + i * (width + 2)
        status = node_status(node)
        pods = len(cluster.api.pods_on_node(name))
        frames.append(Frame(f"{name} · {status}", f"worker node {name}: {status}, {pods} pods",
                            x0, 1, x0 + width, 27, _ready(node)))
        # kubelet and kube-proxy side by side under the API server; the runtime below the
        # kubelet that drives it.
        middle = x0 + width / 2
        boxes += [Box(f"{KUBELET}/{name}", KUBELET, KUBELET, x0 + 1.5, 16, middle - 0.75, 22),
                  Box(f"{KUBE_PROXY}/{name}", KUBE_PROXY, KUBE_PROXY, middle + 0.75, 16,
                      x0 + width - 1.5, 22),
                  Box(f"{RUNTIME}/{name}", RUNTIME, "container<br>runtime", x0 + 1.5, 3,
                      middle - 0.75, 10)]
    if hidden:
        x0 = 17 + len(shown) * (width + 2)
        down = sum(1 for n in hidden if not _ready(n))
        frames.append(Frame(f"… {len(hidden)} more workers" + (f" ({down} NotReady)" if down
                                                                else ""),
                            "each worker runs the same three "
                            "components: " + ", ".join(n["metadata"]["name"] for n in hidden),
                            x0, 1, x0 + width, 27, all(_ready(n) for n in hidden)))
    return _Layout(tuple(boxes), tuple(frames))


def _ready(node: dict) -> bool:
    return node_status(node).split(",")[0] == "Ready"


def _shown_workers(workers: list[dict], lit: set[str]) -> tuple[list[dict], list[dict]]:
    """The workers drawn one by one (a highlighted one among them) and the ones summed up."""
    if len(workers) <= SHOWN_WORKERS:
        return workers, []
    wanted = {key.partition("/")[2] for key in lit if "/" in key}
    shown = [n for n in workers if n["metadata"]["name"] in wanted][: SHOWN_WORKERS - 1]
    for node in workers:
        if len(shown) == SHOWN_WORKERS - 1:
            break
        if node not in shown:
            shown.append(node)
    shown.sort(key=lambda n: node_order(n["metadata"]["name"]))
    return shown, [n for n in workers if n not in shown]


def _arrows(boxes: tuple[Box, ...], lit: set[str]) -> list[dict]:
    """An arrow from every component to the API server, one from the API server to etcd, and
    one from each kubelet to its container runtime (the CRI)."""
    by_key = {box.key: box for box in boxes}
    api = by_key[API_SERVER]
    callers = [box for box in boxes if box.component not in (API_SERVER, ETCD, RUNTIME)]
    # Arrows from the left enter the API server's left side, arrows from the nodes its bottom,
    # each at its own point, in the order of their starts, so that no two overlap.
    left = sorted((box for box in callers if box.y1 > api.y0), key=lambda b: -b.centre[1])
    below = sorted((box for box in callers if box.y1 <= api.y0), key=lambda b: b.centre[0])
    arrows = []
    for i, box in enumerate(left):
        entry = api.y1 - (i + 1) * (api.y1 - api.y0) / (len(left) + 1)
        arrows.append(_arrow((box.x1, box.centre[1]), (api.x0, entry),
                             _is_lit(box, lit) or API_SERVER in lit))
    for i, box in enumerate(below):
        entry = api.x0 + (i + 1) * (api.x1 - api.x0) / (len(below) + 1)
        arrows.append(_arrow((box.centre[0], box.y1), (entry, api.y0),
                             _is_lit(box, lit) or API_SERVER in lit))
    etcd = by_key[ETCD]
    arrows.append(_arrow((api.x1, api.centre[1]), (etcd.x0, etcd.centre[1]),
                         ETCD in lit or API_SERVER in lit, both_ways=True))
    for box in boxes:
        if box.component == KUBELET:
            runtime = by_key[box.key.replace(KUBELET, RUNTIME, 1)]
            arrows.append(_arrow((box.centre[0], box.y0), (runtime.centre[0], runtime.y1),
                                 _is_lit(box, lit) or _is_lit(runtime, lit)))
    return arrows


def _arrow(start: tuple[float, float], end: tuple[float, float], on: bool,
           both_ways: bool = False) -> dict:
    return dict(x=end[0], y=end[1], ax=start[0], ay=start[1], xref="x", yref="y", axref="x",
                ayref="y", text="", showarrow=True, arrowhead=2, arrowsize=1,
                arrowwidth=2.5 if on else 1, arrowcolor=BLACK if on else GREY,
                arrowside="end+start" if both_ways else "end", standoff=1, startstandoff=1)


def has_cloud(cluster) -> bool:
    """Whether the cluster runs a cloud-controller-manager (a simulated cloud)."""
    return getattr(cluster, "cloud", None) is not None
