"""Pods over time, node by node: how a cluster heals itself and evicts.

Each pod is a row, under the node it was bound to (pods never move: when a node fails its pods
are deleted and their controller creates new ones elsewhere). Along the row, the pod's life from
creation to deletion, drawn by the state ``kubectl get pods`` showed at each moment (the same
states and shapes as the cluster map): solid while Running, dotted while starting, crossed while
failing, faded while Terminating. Marks show restarts (a circle), evictions (a red triangle: the
taint manager's ``DeletionByTaintManager`` or the kubelet's ``Evicted``) and the moment a pod
was deleted (a cross). Shaded bands show when each node was NotReady.

The figure reads a :class:`~k8skit.history.ClusterHistory`: only what happened after the
recorder started is known.
"""

from __future__ import annotations

import plotly.graph_objects as go

from k8skit.history import ClusterHistory, PodLife, recorded
from k8skit.viz import FigurePatch
from k8skit.viz.cluster_map import (
    COMPLETED,
    FAILING,
    POD_STATES,
    RUNNING,
    STARTING,
    STATE_DESCRIPTIONS,
    TERMINATING,
    UNKNOWN,
    app_of,
    node_order,
    pod_color,
    state_of,
)
from k8skit.viz.palette import BLACK, GREY, VERMILLION, with_alpha

NO_NODE = "(no node)"

# Bar look per state: shape, not colour (colour is the app's).
_STATE_BARS = {
    RUNNING: dict(opacity=1.0, pattern=""),
    STARTING: dict(opacity=0.45, pattern="."),
    FAILING: dict(opacity=0.9, pattern="x"),
    TERMINATING: dict(opacity=0.3, pattern="/"),
    COMPLETED: dict(opacity=0.5, pattern="+"),
    UNKNOWN: dict(opacity=0.5, pattern="-"),
}
_EVENTS = (
    ("restart", dict(symbol="circle-open", size=9, color=BLACK, line=dict(width=2))),
    ("evicted", dict(symbol="triangle-down", size=11, color=VERMILLION)),
    ("deleted", dict(symbol="x-thin-open", size=10, color=BLACK, line=dict(width=2))),
)
_ROW = 18


def pod_timeline(history, namespace: str | None = None) -> go.Figure:
    """Every recorded pod's life on its node over time (all namespaces, or ``namespace``)."""
    figure = go.Figure()
    for state in POD_STATES:
        look = _STATE_BARS[state]
        figure.add_trace(go.Bar(
            name=STATE_DESCRIPTIONS[state], orientation="h", opacity=look["opacity"],
            width=0.7,  # in rows: plotly would size a trace's bars by its own rows' spacing
            marker=dict(line=dict(width=0),
                        pattern=dict(shape=look["pattern"], fgcolor="white", size=5)),
            hoverinfo="text"))
    for name, marker in _EVENTS:
        figure.add_trace(go.Scatter(name=name, mode="markers", marker=marker, hoverinfo="text"))
    figure.update_layout(
        barmode="overlay", bargap=0.25, plot_bgcolor="white", font=dict(family="sans-serif"),
        margin=dict(l=170, r=110, t=80, b=50), hoverlabel=dict(align="left"),
        legend=dict(orientation="h", x=0, y=0, yref="container", yanchor="bottom",
                    font=dict(size=10)),
        xaxis=dict(title=dict(text="time (s)"), gridcolor="#eeeeee", zeroline=False),
        yaxis=dict(autorange="reversed", showgrid=False, tickfont=dict(size=10)),
    )
    pod_timeline_patch(history, namespace).apply_to(figure)
    return figure


def pod_timeline_patch(history, namespace: str | None = None) -> FigurePatch:
    """The data of :func:`pod_timeline` for the history as it is now."""
    history = recorded(history)
    now = history.now
    lives = [life for life in history.pods.values()
             if namespace is None or life.namespace == namespace]
    groups = _by_node(lives)
    bars = {state: {"y": [], "base": [], "x": [], "color": [], "hovertext": []}
            for state in POD_STATES}
    events = {name: {"x": [], "y": [], "hovertext": []} for name, _ in _EVENTS}
    ticktext, shapes, annotations = [], [], []
    row = 0
    for node, members in groups:
        first = row
        for life in members:
            ticktext.append(life.name)
            _draw_life(life, row, now, bars, events)
            row += 1
        shapes += _node_bands(history, node, first, row, now)
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=row - 0.5,
                           y1=row - 0.5, line=dict(color=GREY, width=1)))
        annotations.append(dict(text=f"<b>{node}</b>", xref="paper", x=1.01, xanchor="left",
                                yref="y", y=(first + row - 1) / 2, showarrow=False,
                                font=dict(size=11)))
    traces = [dict(y=b["y"], base=b["base"], x=b["x"], hovertext=b["hovertext"],
                   marker=dict(color=b["color"])) for b in bars.values()]
    traces += [dict(x=e["x"], y=e["y"], hovertext=e["hovertext"]) for e in events.values()]
    restarts = len(events["restart"]["x"])
    return FigurePatch(traces=traces, layout={
        "title.text": (f"Pods over time, by node: {len(lives)} pods, {restarts} restarts, "
                       f"{len(events['evicted']['x'])} evicted, "
                       f"{len(events['deleted']['x'])} deleted"),
        "title.subtitle.text": (f"recorded from t = {history.started:g} s to t = {now:g} s; "
                                "shaded: node NotReady"),
        "xaxis.range": [history.started, max(now, history.started + 1)],
        "yaxis.tickvals": list(range(row)),
        "yaxis.ticktext": ticktext,
        "yaxis.range": [row - 0.5, -0.5],
        "height": 190 + _ROW * max(row, 3),
        "shapes": shapes,
        "annotations": annotations,
    })


def _by_node(lives: list[PodLife]) -> list[tuple[str, list[PodLife]]]:
    groups: dict[str, list[PodLife]] = {}
    for life in lives:
        groups.setdefault(life.node or NO_NODE, []).append(life)
    order = sorted(groups, key=lambda node: (node == NO_NODE, node_order(node)))
    return [(node, sorted(groups[node], key=lambda life: (life.created, life.name)))
            for node in order]


def _draw_life(life: PodLife, row: int, now: float, bars: dict, events: dict) -> None:
    end_of_life = life.deleted if life.deleted is not None else now
    color = pod_color(life.namespace, app_of({"metadata": life.metadata}))
    restarts = 0
    evicted = False
    for i, state in enumerate(life.states):
        start = state.time
        end = life.states[i + 1].time if i + 1 < len(life.states) else end_of_life
        if end > start:
            bar = bars[state_of(state.status)]
            bar["y"].append(row)
            bar["base"].append(start)
            bar["x"].append(end - start)
            bar["color"].append(color)
            bar["hovertext"].append(
                f"<b>{life.name}</b> on {state.node or NO_NODE}<br>{state.status} "
                f"({'ready' if state.ready else 'not ready'}), restarts {state.restarts}<br>"
                f"t = {start:g} s to {end:g} s")
        if state.restarts > restarts:
            _mark(events["restart"], state.time, row,
                  f"{life.name}: restarted (restart #{state.restarts}) at t = {state.time:g} s")
        restarts = max(restarts, state.restarts)
        reason = state.disruption or ("Evicted" if state.status == "Evicted" else None)
        if reason and not evicted:
            evicted = True
            _mark(events["evicted"], state.time, row,
                  f"{life.name}: evicted ({reason}) at t = {state.time:g} s")
    if life.deleted is not None:
        _mark(events["deleted"], life.deleted, row,
              f"{life.name}: deleted at t = {life.deleted:g} s")


def _mark(target: dict, time: float, row: int, text: str) -> None:
    target["x"].append(time)
    target["y"].append(row)
    target["hovertext"].append(text)


def _node_bands(history: ClusterHistory, node: str, first: int, last: int,
                now: float) -> list[dict]:
    """A shaded band over the node's rows for each span of time it was not Ready."""
    bands = []
    changes = history.nodes.get(node, [])
    for i, (time, status) in enumerate(changes):
        if status.split(",")[0] == "Ready":
            continue
        end = changes[i + 1][0] if i + 1 < len(changes) else now
        bands.append(dict(type="rect", xref="x", yref="y", x0=time, x1=end, y0=first - 0.5,
                          y1=last - 0.5, fillcolor=with_alpha(VERMILLION, 0.12), line=dict(
                              width=0), layer="below"))
    return bands
