"""Why this node? One scheduling decision, node by node.

kube-scheduler places a pod in two steps (``pkg/scheduler/schedule_one.go``): every *filter*
plugin may reject a node (not enough CPU, a taint the pod does not tolerate, ...), then every
*score* plugin gives each remaining node 0 to 100 points, multiplied by the plugin's weight; the
node with the most points wins (ties broken at random). The figure shows exactly that, read off
the scheduler's own record of the decision (``Scheduler.last_explanation``):

- one row per node, in the cluster's order;
- a rejected node shows the filter that rejected it and its reason, in the words of the
  ``FailedScheduling`` event;
- a feasible node shows a bar per score plugin (weighted points, stacked) and its total;
- the chosen node is starred and framed.

A pod the scheduler has not tried yet (a manifest, or a pod created a moment ago) is explained as
it *would* be scheduled now (``Scheduler.explain``), which binds nothing.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from k8skit.control_plane.scheduler.explanation import Explanation, NodeExplanation
from k8skit.viz import FigurePatch
from k8skit.viz.palette import BLACK, GREY, LIGHT_GREY, VERMILLION, colors_for

_ROW_HEIGHT = 38
_FONT = dict(family="sans-serif", size=12)


def explanation_for(cluster, pod: dict | str) -> tuple[Explanation, bool]:
    """The scheduler's record of its last decision for ``pod`` (a name, ``namespace/name`` or a
    pod), or a what-if evaluation when it has none; the flag says which it is (True: recorded).
    """
    if isinstance(pod, str):
        namespace, _, name = pod.rpartition("/")
        found = cluster.api.try_get("Pod", name, namespace or "default")
        if found is None:
            raise LookupError(f'pods "{name}" not found in namespace "{namespace or "default"}"')
        pod = found
    meta = pod.get("metadata") or {}
    recorded = cluster.scheduler.last_explanation(meta.get("namespace", "default"),
                                                  meta.get("name", ""))
    if recorded is not None:
        return recorded, True
    return cluster.scheduler.explain(pod), False


def score_plugins(cluster) -> list[tuple[str, int]]:
    """(name, weight) of each score plugin of the cluster's scheduler profile, in order."""
    return [(weighted.plugin.name, weighted.weight)
            for weighted in cluster.scheduler.profile.scores]


def scheduling_explainer(cluster, pod: dict | str) -> go.Figure:
    """Every node's filter verdict and score plugins' points for ``pod``; the chosen node
    highlighted."""
    explanation, recorded = explanation_for(cluster, pod)
    plugins = score_plugins(cluster)
    colors = colors_for(name for name, _ in plugins)
    figure = go.Figure()
    figure.add_trace(go.Bar(
        name="filtered out", orientation="h", marker=dict(
            color=LIGHT_GREY, pattern=dict(shape="x", fgcolor="white", size=6)),
        textposition="inside", insidetextanchor="start", textfont=dict(color=BLACK),
        hoverinfo="text"))
    for name, weight in plugins:
        figure.add_trace(go.Bar(name=f"{name} (×{weight})", orientation="h",
                                marker=dict(color=colors[name], line=dict(width=0)),
                                hoverinfo="text"))
    figure.add_trace(go.Scatter(name="total", mode="text", textposition="middle right",
                                showlegend=False, hoverinfo="skip",
                                textfont=dict(color=BLACK)))
    figure.update_layout(
        barmode="stack", font=_FONT, plot_bgcolor="white", bargap=0.35,
        legend=dict(orientation="h", x=0, y=0, yref="container", yanchor="bottom",
                    traceorder="normal",
                    font=dict(size=10)),
        xaxis=dict(title=dict(text="points (score × weight, stacked)"), gridcolor=LIGHT_GREY,
                   rangemode="tozero"),
        yaxis=dict(autorange="reversed", showgrid=False),
    )
    _patch(explanation, plugins, recorded).apply_to(figure)
    return figure


def scheduling_explainer_patch(cluster, pod: dict | str) -> FigurePatch:
    """The data of :func:`scheduling_explainer` for ``pod`` (the same cluster's figure)."""
    explanation, recorded = explanation_for(cluster, pod)
    return _patch(explanation, score_plugins(cluster), recorded)


def _patch(explanation: Explanation, plugins: list[tuple[str, int]],
           recorded: bool) -> FigurePatch:
    nodes = explanation.nodes
    rows = list(range(len(nodes)))
    totals = [entry.total or 0 for entry in nodes]
    width = max([*totals, 100]) * 1.2
    verdicts = [_verdict(entry) for entry in nodes]
    traces = [dict(
        y=rows, x=[0 if entry.feasible else width for entry in nodes],
        text=verdicts, hovertext=[f"<b>{entry.node}</b><br>{text}"
                                  for entry, text in zip(nodes, verdicts, strict=True)])]
    for name, weight in plugins:
        lines = [_line(entry, name) for entry in nodes]
        traces.append(dict(
            y=rows, x=[line.weighted if line else 0 for line in lines],
            hovertext=[_score_hover(entry.node, name, weight, line)
                       for entry, line in zip(nodes, lines, strict=True)]))
    traces.append(dict(
        y=rows, x=totals,
        text=[("<b>★ " if entry.node == explanation.chosen else "")
              + (f"{entry.total}" if entry.total is not None else "")
              + ("</b>" if entry.node == explanation.chosen else "")
              for entry in nodes]))
    chosen = next((i for i, entry in enumerate(nodes) if entry.node == explanation.chosen), None)
    shapes = [] if chosen is None else [dict(
        type="rect", xref="paper", yref="y", x0=-0.005, x1=1.0, y0=chosen - 0.48,
        y1=chosen + 0.48, line=dict(color=BLACK, width=2), fillcolor="rgba(0,0,0,0)")]
    subtitle = _subtitle(explanation)
    return FigurePatch(traces=traces, layout={
        "title.text": _title(explanation, recorded),
        "title.subtitle.text": subtitle,
        "margin": dict(l=150, r=30, t=84 + 16 * subtitle.count("<br>"), b=130),
        "xaxis.range": [0, width],
        "yaxis.tickvals": rows,
        "yaxis.ticktext": [(f"<b>★ {entry.node}</b>" if entry.node == explanation.chosen
                            else entry.node) for entry in nodes],
        "height": 250 + 16 * subtitle.count("<br>") + _ROW_HEIGHT * max(len(nodes), 2),
        "shapes": shapes,
    })


def _line(entry: NodeExplanation, plugin: str):
    return next((line for line in entry.scores if line.plugin == plugin), None)


def _verdict(entry: NodeExplanation) -> str:
    if not entry.evaluated:
        return "not evaluated: the scheduler had found enough feasible nodes"
    if entry.rejected_by is not None:
        return f"✗ {entry.rejected_by}: {', '.join(entry.reasons)}"
    if not entry.scores:
        return "the only feasible node: not scored"
    return ""


def _score_hover(node: str, plugin: str, weight: int, line) -> str:
    if line is None:
        return f"<b>{node}</b><br>{plugin}: not scored"
    if line.skipped:
        return f"<b>{node}</b><br>{plugin}: nothing to score (skipped)"
    return (f"<b>{node}</b><br>{plugin}: raw {line.raw}, normalized {line.normalized} "
            f"× weight {weight} = {line.weighted} points")


def _title(explanation: Explanation, recorded: bool) -> str:
    when = (f" at t = {explanation.time:g} s" if recorded and explanation.time is not None
            else " if it were scheduled now")
    if explanation.chosen:
        return f"Why {explanation.chosen}? Scheduling {explanation.pod}{when}"
    return f"No node for {explanation.pod}{when}"


def _subtitle(explanation: Explanation) -> str:
    if not explanation.chosen:
        message = "<br>".join(textwrap.wrap(explanation.message, 110))
        return f"<span style='color:{VERMILLION}'>{message}</span>"
    feasible = sum(1 for entry in explanation.nodes if entry.feasible)
    return (f"<span style='color:{GREY}'>{feasible} of {len(explanation.nodes)} nodes passed "
            "every filter; the most points wins</span>")
