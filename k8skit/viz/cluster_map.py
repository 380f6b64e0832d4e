"""The cluster map: every node as a box with its CPU, memory and pods, and the scheduling queue.

What a learner would see if they could look at the whole cluster at once:

- each node (the control plane first, then the workers in name order) is a box, wrapped in a
  grid so that 1 to 50 nodes stay readable. Its header says what ``kubectl get nodes`` says
  (``Ready``, ``NotReady``, ``Ready,SchedulingDisabled``); a NotReady node is tinted and outlined
  in red, a cordoned one hatched;
- two bars per node fill with what its pods *request* of its allocatable CPU and memory (what the
  scheduler counts, ``pkg/scheduler/framework/types.go``), with a thinner bar inside for what the
  kubelet's stats summary says is *in use* (what ``kubectl top nodes`` shows);
- each pod is a small square in its app's colour (``color_for``; the app is the pod's ``app``
  label, or its owner's name; kube-system's own pods are grey), drawn by its state: filled when
  Running, open while starting, crossed when failing, faded while Terminating. The state is the
  STATUS column of ``kubectl get pods`` (``k8skit.kubectl.printers.tables.pod_status``), so the
  picture and the table agree;
- pods no node has taken yet wait in the scheduling queue, on the left.

Hovering a pod shows its ``kubectl get pods -o wide`` row and its requests; hovering a node's name
shows its ``kubectl get nodes -o wide`` facts and its allocated resources.

The figure has a fixed set of traces (one per pod state, one per kind of box), so it stays fast
for thousands of pods and a dashboard can redraw it in place with :func:`cluster_map_patch`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import plotly.graph_objects as go

from k8skit.api.errors import APIError
from k8skit.api.meta import seconds_of
from k8skit.api.quantity import format_bytes, format_cpu_millis
from k8skit.control_plane.scheduler.pod_info import pod_requests, quantity_millis, quantity_value
from k8skit.kubectl.printers.duration import human_duration
from k8skit.kubectl.printers.tables import node_roles, node_status, pod_summary, restarts_cell
from k8skit.viz import FigurePatch
from k8skit.viz.palette import (
    BLACK,
    BLUE,
    GREY,
    LIGHT_GREY,
    PALETTE,
    SKY_BLUE,
    VERMILLION,
    color_for,
    with_alpha,
)

# -- what a pod's STATUS means on the map ---------------------------------------------------------

RUNNING, STARTING, FAILING, TERMINATING, COMPLETED, UNKNOWN = (
    "Running", "Starting", "Failing", "Terminating", "Completed", "Unknown")

POD_STATES = (RUNNING, STARTING, FAILING, TERMINATING, COMPLETED, UNKNOWN)
"""How the map groups the STATUS column, in the order of its legend."""

STATE_DESCRIPTIONS = {
    RUNNING: "Running",
    STARTING: "starting (Pending, ContainerCreating, Init)",
    FAILING: "failing (CrashLoopBackOff, Error, ImagePullBackOff, ...)",
    TERMINATING: "Terminating",
    COMPLETED: "Completed",
    UNKNOWN: "Unknown (node lost)",
}

# Marker symbol, marker line and opacity of each state: shape, not colour, tells the state,
# so that colour is free to tell the app.
_STATE_STYLE = {
    RUNNING: dict(symbol="square", line=dict(color="white", width=1), opacity=1.0),
    STARTING: dict(symbol="square-open", line=dict(width=2), opacity=1.0),
    FAILING: dict(symbol="square-x", line=dict(color=BLACK, width=1.5), opacity=1.0),
    TERMINATING: dict(symbol="square", line=dict(color=GREY, width=1), opacity=0.35),
    COMPLETED: dict(symbol="square-open-dot", line=dict(width=1.5), opacity=0.8),
    UNKNOWN: dict(symbol="diamond-open", line=dict(width=2), opacity=1.0),
}

_STARTING_STATUSES = {"Pending", "ContainerCreating", "PodInitializing", "SchedulingGated"}


def state_of(status: str) -> str:
    """The map's state group of a ``kubectl get pods`` STATUS.

    >>> [state_of(s) for s in ("Running", "Init:0/2", "CrashLoopBackOff", "Completed")]
    ['Running', 'Starting', 'Failing', 'Completed']
    """
    if status == "Running":
        return RUNNING
    if status in _STARTING_STATUSES or re.fullmatch(r"Init:\d+/\d+", status):
        return STARTING
    if status == "Terminating":
        return TERMINATING
    if status in ("Completed", "Succeeded"):
        return COMPLETED
    if status == "Unknown":
        return UNKNOWN
    return FAILING


APP_LABELS = ("app", "app.kubernetes.io/name", "k8s-app", "component")
"""Labels that name a pod's app, in order: the docs' ``app``, the recommended
``app.kubernetes.io/name``, and the labels of kube-system's own pods (``k8s-app: kube-dns``,
``component: kube-scheduler``)."""

SYSTEM_NAMESPACE = "kube-system"


def app_of(pod: dict) -> str:
    """The app a pod belongs to: its first label of :data:`APP_LABELS`, else its controller's
    name, else its own name.

    A ReplicaSet made by a Deployment is named ``<deployment>-<pod-template-hash>``; the hash is
    dropped, so the old and the new pods of a rollout are the same app and share a colour.
    """
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    for key in APP_LABELS:
        if labels.get(key):
            return labels[key]
    for owner in meta.get("ownerReferences") or []:
        if owner.get("controller"):
            name = owner.get("name", "")
            template_hash = labels.get("pod-template-hash")
            if template_hash and name.endswith("-" + template_hash):
                name = name[: -len(template_hash) - 1]
            return name
    return meta.get("name", "")


def node_order(name: str) -> tuple:
    """Sort key for node names: ``worker-2`` before ``worker-10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


# -- what the map shows, read through the API server ----------------------------------------------


@dataclass(frozen=True)
class PodView:
    """One pod as the map draws it: its app, its STATUS and the map's state for it."""

    name: str
    namespace: str
    app: str
    status: str
    state: str
    node: str | None
    cpu_requested: int              # millicores
    memory_requested: int           # bytes
    finished: bool                  # phase Succeeded or Failed
    hover: str


@dataclass(frozen=True)
class NodeView:
    """One node as the map draws it: its status, its resources and its pods."""

    name: str
    status: str
    roles: tuple[str, ...]
    ready: bool
    cordoned: bool
    cpu_allocatable: int            # millicores
    memory_allocatable: int         # bytes
    cpu_requested: int
    memory_requested: int
    cpu_used: int | None            # None when the kubelet does not answer (node down)
    memory_used: int | None
    pods: tuple[PodView, ...]
    hover: str

    @property
    def control_plane(self) -> bool:
        return "control-plane" in self.roles


@dataclass(frozen=True)
class ClusterView:
    """The whole map's content at one instant."""

    time: float
    nodes: tuple[NodeView, ...]
    queue: tuple[PodView, ...]      # pods bound to no node (or to a node that no longer exists)

    @property
    def pods(self) -> list[PodView]:
        return [*self.queue, *(pod for node in self.nodes for pod in node.pods)]


def read_cluster(cluster) -> ClusterView:
    """Everything the map shows, read through the API server (and the kubelets' summaries)."""
    api, now = cluster.api, cluster.now
    nodes = sorted(api.list("Node"), key=lambda n: (not _is_control_plane(n),
                                                     node_order(n["metadata"]["name"])))
    names = {node["metadata"]["name"] for node in nodes}
    by_node: dict[str | None, list[dict]] = {}
    for pod in api.list("Pod"):
        node = pod.get("spec", {}).get("nodeName")
        by_node.setdefault(node if node in names else None, []).append(pod)
    views = tuple(_node_view(api, node, by_node.get(node["metadata"]["name"], []), now)
                  for node in nodes)
    queue = tuple(_pod_view(pod, now) for pod in by_node.get(None, []))
    return ClusterView(now, views, queue)


def _is_control_plane(node: dict) -> bool:
    return "control-plane" in node_roles(node)


def _pod_view(pod: dict, now: float) -> PodView:
    """A pod as the map shows it; its hover holds its ``kubectl get pods -o wide`` row."""
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    summary = pod_summary(pod)
    requests = pod_requests(spec)
    node = spec.get("nodeName") or None
    created = meta.get("creationTimestamp")
    age = human_duration(now - _seconds_of(created)) if created else "<unknown>"
    nominated = status.get("nominatedNodeName")
    hover = (f"<b>{meta['name']}</b>  ({meta.get('namespace', 'default')})<br>"
             f"STATUS {summary.reason}   READY {summary.ready}/{summary.total}   "
             f"RESTARTS {restarts_cell(summary.restarts, summary.last_restart, now)}   "
             f"AGE {age}<br>"
             f"IP {status.get('podIP') or '<none>'}   NODE {node or '<none>'}"
             + (f"   NOMINATED NODE {nominated}" if nominated else "") + "<br>"
             f"requests: cpu {format_cpu_millis(requests.cpu)}, "
             f"memory {format_bytes(requests.memory)}")
    return PodView(meta["name"], meta.get("namespace", "default"), app_of(pod), summary.reason,
                   state_of(summary.reason), node, requests.cpu, requests.memory,
                   status.get("phase") in ("Succeeded", "Failed"), hover)


@lru_cache(maxsize=4096)
def _seconds_of(timestamp: str) -> float:
    # Pods made together share a creation second: parse each timestamp once.
    return seconds_of(timestamp)


def _node_view(api, node: dict, pods: list[dict], now: float) -> NodeView:
    name = node["metadata"]["name"]
    status = node_status(node)
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    cpu_allocatable = quantity_millis(allocatable.get("cpu", "0"))
    memory_allocatable = quantity_value(allocatable.get("memory", "0"))
    views = tuple(_pod_view(pod, now) for pod in pods)
    # Finished pods hold nothing (the scheduler's cache drops them).
    cpu_requested = sum(pod.cpu_requested for pod in views if not pod.finished)
    memory_requested = sum(pod.memory_requested for pod in views if not pod.finished)
    cpu_used, memory_used = _usage(api, name)
    roles = tuple(node_roles(node))
    addresses = {a.get("type"): a.get("address") for a in node["status"].get("addresses") or []}
    version = node["status"].get("nodeInfo", {}).get("kubeletVersion", "")
    hover = (f"<b>{name}</b>  {status}<br>"
             f"ROLES {','.join(roles) or '<none>'}   VERSION {version}   "
             f"INTERNAL-IP {addresses.get('InternalIP', '<none>')}<br>"
             f"pods: {len(pods)}<br>"
             f"cpu requests {format_cpu_millis(cpu_requested)} of "
             f"{format_cpu_millis(cpu_allocatable)} ({_percent(cpu_requested, cpu_allocatable)})"
             f", in use {_used(cpu_used, cpu_allocatable, format_cpu_millis)}<br>"
             f"memory requests {format_bytes(memory_requested)} of "
             f"{format_bytes(memory_allocatable)} "
             f"({_percent(memory_requested, memory_allocatable)}), "
             f"in use {_used(memory_used, memory_allocatable, format_bytes)}")
    return NodeView(
        name=name, status=status, roles=roles, ready=status.split(",")[0] == "Ready",
        cordoned=bool(node.get("spec", {}).get("unschedulable")),
        cpu_allocatable=cpu_allocatable, memory_allocatable=memory_allocatable,
        cpu_requested=cpu_requested, memory_requested=memory_requested,
        cpu_used=cpu_used, memory_used=memory_used,
        pods=views, hover=hover)


def _usage(api, node_name: str) -> tuple[int | None, int | None]:
    """(millicores, bytes) in use from the kubelet's stats summary, as metrics-server reads it;
    (None, None) when the kubelet cannot be reached."""
    try:
        summary = api.node_proxy(node_name).summary()
    except APIError:
        return None, None
    stats = (summary or {}).get("node")
    if not stats:
        return None, None
    return (stats["cpu"]["usageNanoCores"] // 1_000_000, stats["memory"]["workingSetBytes"])


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else "-"


def _used(amount: int | None, whole: int, formatted) -> str:
    return "unknown" if amount is None else f"{formatted(amount)} ({_percent(amount, whole)})"


# -- colours -------------------------------------------------------------------------------------

POD_COLORS = (*PALETTE, GREY)
"""The colours a pod can have: its app's, or grey for the cluster's own pods (kube-system), which
leaves the palette to the learner's apps."""


def pod_color(namespace: str, app: str) -> str:
    """The colour of a pod of ``app`` in ``namespace``, the same in every figure."""
    return GREY if namespace == SYSTEM_NAMESPACE else color_for(app)


# The map colours pods through a stepped colour scale over POD_COLORS, by index: plotly parses
# each colour name of a list, but only checks that numbers are numbers (2,000 pods: 20 ms less).
POD_COLORSCALE = [[bound, color] for i, color in enumerate(POD_COLORS)
                  for bound in (i / len(POD_COLORS), (i + 1) / len(POD_COLORS))]


# -- layout, in pixels ----------------------------------------------------------------------------
# The axes run in pixels (one data unit = one pixel), so pod squares, drawn as markers whose size
# is in pixels, line up with the boxes drawn in data units.

FIGURE_WIDTH = 900
_MARGIN_SIDE = 8
_MARGIN_BOTTOM = 8
_PLOT_WIDTH = FIGURE_WIDTH - 2 * _MARGIN_SIDE
_GAP = 10                 # between boxes
_QUEUE_WIDTH = 82         # the scheduling queue's column
_PAD = 6                  # inside a box
_HEADER = 30              # node name and status
_BAR_HEIGHT = 8
_BAR_LABEL = 30           # room for "cpu" / "mem" left of the bars
_POD_STEP = 14            # a pod square and its gap
_POD_SIZE = 11
_POD_TOP = _HEADER + 2 * (_BAR_HEIGHT + 4) + 10   # from a box's top to its first row of pods
_QUEUE_PODS_PER_ROW = int((_QUEUE_WIDTH - 2 * _PAD) // _POD_STEP)
_WIDE_BOX = 170           # room for "name · control plane" and "status · N pods"


def grid_columns(node_count: int) -> int:
    """How many node boxes side by side: up to 4, or 6 from 13 nodes on."""
    return max(1, min(node_count, 4 if node_count <= 12 else 6))


@dataclass(frozen=True)
class _Grid:
    columns: int
    cell_width: float
    cell_height: float
    pods_per_row: int
    height: float          # of the plotting area

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner of box ``index`` (y grows upward, so boxes go down from 0)."""
        row, column = divmod(index, self.columns)
        return (_QUEUE_WIDTH + _GAP + column * (self.cell_width + _GAP),
                -row * (self.cell_height + _GAP))


def _grid(view: ClusterView) -> _Grid:
    columns = grid_columns(len(view.nodes))
    cell_width = (_PLOT_WIDTH - _QUEUE_WIDTH - _GAP * columns) / columns
    pods_per_row = max(1, int((cell_width - 2 * _PAD) // _POD_STEP))
    most_pods = max((len(node.pods) for node in view.nodes), default=0)
    pod_rows = max(1, math.ceil(most_pods / pods_per_row))
    cell_height = _POD_TOP + pod_rows * _POD_STEP + _PAD
    rows = math.ceil(len(view.nodes) / columns) if view.nodes else 0
    queue_height = (_HEADER + 4 + math.ceil(len(view.queue) / _QUEUE_PODS_PER_ROW) * _POD_STEP
                    + _PAD)
    height = max(rows * (cell_height + _GAP) - _GAP, queue_height, cell_height)
    return _Grid(columns, cell_width, cell_height, pods_per_row, height)


# -- the figure -----------------------------------------------------------------------------------

# Traces, in order: the boxes (all boxes of one look in one trace, as polygons), the bars, the
# headers, then one trace per pod state. The keys are annotations in the top margin rather than a
# legend, which would take room from the plot and break its one-pixel-per-unit scale.
_BOX_TRACES = ("queue", "nodes", "NotReady", "cordoned")
_BAR_TRACES = ("allocatable", "requested", "in use")
_SYMBOLS = {RUNNING: "■", STARTING: "□", FAILING: "⊠", TERMINATING: "▫", COMPLETED: "⊡",
            UNKNOWN: "◇"}
_KEY = ("pods: " + "  ".join(f"{_SYMBOLS[s]} {s}" for s in POD_STATES)
        + f"  ·  <span style='color:{VERMILLION}'>red box: NotReady</span>  ·  hatched: cordoned"
        + f"  ·  bars: <span style='color:{SKY_BLUE}'>requested</span>,"
        + f" <span style='color:{BLUE}'>in use</span>")
_TITLE_ROOM = 46          # above the keys
_KEY_LINE = 16


def cluster_map(cluster, title: str | None = None) -> go.Figure:
    """The whole cluster at this instant (see the module's docstring)."""
    figure = go.Figure()
    figure.add_trace(_polygons("scheduling queue", fillcolor=with_alpha(LIGHT_GREY, 0.35),
                               line=dict(color=GREY, width=1, dash="dot")))
    figure.add_trace(_polygons("node", fillcolor="white", line=dict(color=GREY, width=1)))
    figure.add_trace(_polygons("NotReady node", fillcolor=with_alpha(VERMILLION, 0.1),
                               line=dict(color=VERMILLION, width=2, dash="dash")))
    figure.add_trace(_polygons("cordoned node", fillcolor="rgba(0,0,0,0)", line=dict(width=0),
                               fillpattern=dict(shape="/", fgcolor=LIGHT_GREY, size=10)))
    figure.add_trace(_polygons("allocatable", fillcolor=with_alpha(LIGHT_GREY, 0.6),
                               line=dict(width=0)))
    figure.add_trace(_polygons("requested", fillcolor=SKY_BLUE, line=dict(width=0)))
    figure.add_trace(_polygons("in use", fillcolor=BLUE, line=dict(width=0)))
    figure.add_trace(go.Scatter(name="headers", mode="text", textposition="middle right",
                                textfont=dict(size=11), hoverinfo="text"))
    for state in POD_STATES:
        style = _STATE_STYLE[state]
        figure.add_trace(go.Scatter(
            name=state, mode="markers", opacity=style["opacity"], hoverinfo="text",
            marker=dict(symbol=style["symbol"], size=_POD_SIZE, line=style["line"],
                        colorscale=POD_COLORSCALE, cmin=-0.5, cmax=len(POD_COLORS) - 0.5,
                        showscale=False)))
    figure.update_layout(
        width=FIGURE_WIDTH, plot_bgcolor="white", paper_bgcolor="white", showlegend=False,
        font=dict(family="sans-serif", size=12), hoverlabel=dict(align="left"),
        title=dict(x=0, xanchor="left", y=1, yanchor="top", pad=dict(t=12, l=8)),
        xaxis=dict(visible=False, fixedrange=True, range=[0, _PLOT_WIDTH]),
        yaxis=dict(visible=False, fixedrange=True),
    )
    cluster_map_patch(cluster, title).apply_to(figure)
    return figure


def _polygons(name: str, **style) -> go.Scatter:
    return go.Scatter(name=name, mode="lines", fill="toself", hoverinfo="skip", **style)


def cluster_map_patch(cluster, title: str | None = None) -> FigurePatch:
    """The data of :func:`cluster_map` for the cluster as it is now."""
    view = read_cluster(cluster)
    grid = _grid(view)
    boxes: dict[str, list[list[float | None]]] = {name: [[], []] for name in _BOX_TRACES}
    bars: dict[str, list[list[float | None]]] = {name: [[], []] for name in _BAR_TRACES}
    headers: dict[str, list] = {"x": [], "y": [], "text": [], "hovertext": []}
    pods: dict[str, dict[str, list]] = {
        state: {"x": [], "y": [], "color": [], "hovertext": []} for state in POD_STATES}

    _rectangle(boxes["queue"], 0, 0, _QUEUE_WIDTH, grid.height)
    headers["x"].append(_PAD)
    headers["y"].append(-_HEADER / 2)
    headers["text"].append(f"<b>queue</b><br>{len(view.queue)} unscheduled")
    headers["hovertext"].append("pods no node has taken yet: the scheduler's queue")
    _place_pods(pods, view.queue, _PAD, -_HEADER - 4, _QUEUE_PODS_PER_ROW)

    for index, node in enumerate(view.nodes):
        left, top = grid.origin(index)
        _rectangle(boxes["nodes"], left, top, grid.cell_width, grid.cell_height)
        if not node.ready:
            _rectangle(boxes["NotReady"], left, top, grid.cell_width, grid.cell_height)
        if node.cordoned:
            _rectangle(boxes["cordoned"], left, top, grid.cell_width, grid.cell_height)
        headers["x"].append(left + _PAD)
        headers["y"].append(top - _HEADER / 2)
        # A narrow box (6 columns) has room for the name and kubectl's status only.
        wide = grid.cell_width >= _WIDE_BOX
        role = " · control plane" if node.control_plane and wide else ""
        count = f" · {len(node.pods)} pods" if wide else ""
        status = (node.status if node.ready else
                  f"<span style='color:{VERMILLION}'><b>{node.status}</b></span>")
        headers["text"].append(f"<b>{node.name}</b>{role}<br>{status}{count}")
        headers["hovertext"].append(node.hover)
        bar_left, bar_width = left + _PAD + _BAR_LABEL, grid.cell_width - 2 * _PAD - _BAR_LABEL
        for row, (requested, used, allocatable, label) in enumerate((
                (node.cpu_requested, node.cpu_used, node.cpu_allocatable, "cpu"),
                (node.memory_requested, node.memory_used, node.memory_allocatable, "mem"))):
            bar_top = top - _HEADER - row * (_BAR_HEIGHT + 4)
            _rectangle(bars["allocatable"], bar_left, bar_top, bar_width, _BAR_HEIGHT)
            _rectangle(bars["requested"], bar_left, bar_top,
                       bar_width * _fraction(requested, allocatable), _BAR_HEIGHT)
            if used is not None:
                _rectangle(bars["in use"], bar_left, bar_top - _BAR_HEIGHT / 4,
                           bar_width * _fraction(used, allocatable), _BAR_HEIGHT / 2)
            headers["x"].append(left + _PAD)
            headers["y"].append(bar_top - _BAR_HEIGHT / 2)
            headers["text"].append(f"<span style='font-size:9px'>{label}</span>")
            headers["hovertext"].append(node.hover)
        _place_pods(pods, node.pods, left + _PAD, top - _POD_TOP, grid.pods_per_row)

    # Plain lists, not numpy arrays: a FigureWidget fails on a numpy array when the browser
    # reports the trace's defaults back (plotly's BaseFigureWidget._remove_overlapping_props).
    traces: list[dict] = [dict(x=xs, y=ys) for xs, ys in boxes.values()]
    traces += [dict(x=xs, y=ys) for xs, ys in bars.values()]
    traces.append(headers)
    for state in POD_STATES:
        placed = pods[state]
        traces.append(dict(x=placed["x"], y=placed["y"],
                           hovertext=placed["hovertext"],
                           marker=dict(color=placed["color"])))
    keys = _keys(view)
    top_margin = _TITLE_ROOM + _KEY_LINE * len({key["yshift"] for key in keys})
    return FigurePatch(traces=traces, layout={
        "height": grid.height + top_margin + _MARGIN_BOTTOM,
        "margin": dict(l=_MARGIN_SIDE, r=_MARGIN_SIDE, t=top_margin, b=_MARGIN_BOTTOM),
        "yaxis.range": [-grid.height - 1, 1],
        "title.text": title or _title(view),
        "annotations": keys,
    })


def _title(view: ClusterView) -> str:
    not_ready = sum(1 for node in view.nodes if not node.ready)
    pods = view.pods
    failing = sum(1 for pod in pods if pod.state == FAILING)
    parts = [f"{len(view.nodes)} nodes" + (f" ({not_ready} NotReady)" if not_ready else ""),
             f"{len(pods)} pods", f"{len(view.queue)} unscheduled"]
    if failing:
        parts.append(f"{failing} failing")
    return f"The cluster at t = {view.time:g} s: " + ", ".join(parts)


def _keys(view: ClusterView) -> list[dict]:
    """The symbol key, then one coloured label per app (the pods' colours), wrapped in lines."""
    placed = [(_KEY, 0.0, 0, GREY)]
    x, line = 0.0, 1
    names = sorted({pod.app for pod in view.pods if pod.namespace != SYSTEM_NAMESPACE})
    colors = [color_for(app) for app in names]
    if any(pod.namespace == SYSTEM_NAMESPACE for pod in view.pods):
        names.append(f"{SYSTEM_NAMESPACE} (the cluster's own pods)")
        colors.append(GREY)
    for name, color in zip(names, colors, strict=True):
        width = (len(name) + 4) * 7.5
        if x and x + width > _PLOT_WIDTH:
            x, line = 0.0, line + 1
        placed.append((f"<b>■</b> {name}", x / _PLOT_WIDTH, line, color))
        x += width
    return [dict(text=text, x=x, y=1, xref="paper", yref="paper", xanchor="left",
                 yanchor="bottom", yshift=4 + _KEY_LINE * (line - number), showarrow=False,
                 font=dict(size=10 if number == 0 else 11, color=color))
            for text, x, number, color in placed]


def _fraction(part: int, whole: int) -> float:
    return min(part / whole, 1.0) if whole else 0.0


def _rectangle(target: list[list[float | None]], left: float, top: float, width: float,
               height: float) -> None:
    xs, ys = target
    right, bottom = left + width, top - height
    xs += [left, right, right, left, left, None]  # a gap ends the polygon
    ys += [top, top, bottom, bottom, top, None]


def _place_pods(pods: dict[str, dict[str, list]], views: Sequence[PodView], left: float,
                top: float, per_row: int) -> None:
    for i, pod in enumerate(views):
        row, column = divmod(i, per_row)
        placed = pods[pod.state]
        placed["x"].append(left + column * _POD_STEP + _POD_STEP / 2)
        placed["y"].append(top - row * _POD_STEP - _POD_STEP / 2)
        placed["color"].append(POD_COLORS.index(pod_color(pod.namespace, pod.app)))
        placed["hovertext"].append(pod.hover)
