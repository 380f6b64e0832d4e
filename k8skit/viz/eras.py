"""Chapter 1's figures: isolation over time, packing, the scale-out race, the summary table.

Each figure function takes results of ``k8skit.eras`` and returns a plotly Figure; the matching
``*_patch`` function returns the data that changes between two results, which the chapter's
widgets apply to their FigureWidget (see ``k8skit.viz.FigurePatch``).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from k8skit.eras import defaults, units
from k8skit.eras.defaults import MIB_PER_GIB
from k8skit.eras.isolation import Timeline
from k8skit.eras.model import (
    APPS,
    CATEGORIES,
    GUEST_OS,
    HOST_OS,
    HYPERVISOR,
    RUNTIME,
    STRANDED,
    App,
    DeploymentModel,
    Footprint,
)
from k8skit.eras.packing import Packing
from k8skit.eras.scaling import ScaleOut
from k8skit.eras.summary import Summary
from k8skit.viz import FigurePatch, Table
from k8skit.viz.palette import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    GREY,
    LIGHT_GREY,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    colors_for,
    with_alpha,
)

ERA_COLORS = {"traditional": ORANGE, "virtualized": REDDISH_PURPLE, "container": BLUE}
"""One colour per era, used wherever eras are compared."""

CATEGORY_COLORS = {
    APPS: BLUISH_GREEN,
    HOST_OS: BLUE,
    GUEST_OS: ORANGE,
    HYPERVISOR: REDDISH_PURPLE,
    RUNTIME: SKY_BLUE,
    STRANDED: LIGHT_GREY,
}
"""Where resources go: useful work in green, stranded capacity in grey."""

_FONT = dict(family="sans-serif", size=12)
_DIGITS = 4


# --- isolation ----------------------------------------------------------------------------


def isolation_figure(timeline: Timeline) -> go.Figure:
    """Each app's CPU needed vs received over time (one row per app), then memory and kills."""
    names = [trace.name for trace in timeline.apps]
    colors = colors_for(names)
    rows = len(names) + 1
    figure = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.035)
    for row, name in enumerate(names, start=1):
        color = colors[name]
        figure.add_trace(
            go.Scatter(name=f"{name}: needs", mode="lines", legendgroup=name,
                       line=dict(color=color, dash="dot", width=2)),
            row=row, col=1,
        )
        figure.add_trace(
            go.Scatter(name=f"{name}: gets", mode="lines", legendgroup=name,
                       line=dict(color=color, width=2), fill="tozeroy",
                       fillcolor=with_alpha(color, 0.25)),
            row=row, col=1,
        )
        figure.update_yaxes(title_text=f"{name}<br>CPU (cores)", rangemode="tozero",
                            row=row, col=1)
    for name in names:
        figure.add_trace(
            go.Scatter(name=f"{name}: memory", mode="lines", legendgroup=name, showlegend=False,
                       line=dict(color=colors[name], width=2)),
            row=rows, col=1,
        )
    figure.add_trace(
        go.Scatter(name="killed", mode="markers+text", textposition="top center",
                   marker=dict(symbol="x", size=12, color=BLACK), cliponaxis=False),
        row=rows, col=1,
    )
    figure.update_yaxes(title_text="memory (GiB)", rangemode="tozero", row=rows, col=1)
    figure.update_xaxes(title_text="time (s)", row=rows, col=1)
    figure.update_layout(
        height=140 * rows + 160,
        margin=dict(l=80, r=20, t=90, b=50),
        legend=dict(orientation="h", y=-0.12),
        font=_FONT,
    )
    isolation_patch(timeline).apply_to(figure)
    return figure


def isolation_patch(timeline: Timeline) -> FigurePatch:
    """The data of ``isolation_figure`` for ``timeline``."""
    times = timeline.times
    traces = []
    for app in timeline.apps:
        traces.append(_line(times, app.cpu_needed))
        traces.append(_line(times, app.cpu_received))
    for app in timeline.apps:
        traces.append(_line(times, [mib / MIB_PER_GIB for mib in app.memory_mib]))
    kills = timeline.kills
    traces.append(
        dict(
            x=[kill.at_s for kill in kills],
            y=[round(kill.working_set_mib / MIB_PER_GIB, _DIGITS) for kill in kills],
            text=[f"{kill.app} killed" for kill in kills],
        )
    )
    received = ", ".join(
        f"{app.name} {_share(app.cpu_received, app.cpu_needed):.0%}" for app in timeline.apps
    )
    killed = "; ".join(kill.describe() for kill in kills) or "nobody was killed"
    return FigurePatch(
        traces=traces,
        layout={
            "title.text": f"{timeline.era.title}: CPU each app got of what it needed: {received}",
            "title.subtitle.text": killed,
            "shapes": [_kill_line(kill.at_s) for kill in kills],
        },
    )


def _share(received: Sequence[float], needed: Sequence[float]) -> float:
    total = sum(needed)
    return sum(received) / total if total else 1.0


def _kill_line(at_s: float) -> dict:
    return dict(type="line", xref="x", yref="paper", x0=at_s, x1=at_s, y0=0, y1=1,
                line=dict(color=BLACK, width=1, dash="dash"))


# --- packing ------------------------------------------------------------------------------


def packing_figure(packings: Sequence[Packing]) -> go.Figure:
    """Servers needed per era, and stacked bars of where the servers' memory and CPU go."""
    figure = make_subplots(
        rows=1, cols=3, horizontal_spacing=0.09,
        subplot_titles=("servers needed", "where the servers' memory goes",
                        "where the servers' CPU goes"),
    )
    figure.add_trace(
        go.Bar(name="servers", showlegend=False, textposition="outside", cliponaxis=False),
        row=1, col=1,
    )
    for category in CATEGORIES:
        color = CATEGORY_COLORS[category]
        figure.add_trace(go.Bar(name=category, legendgroup=category, marker_color=color),
                         row=1, col=2)
        figure.add_trace(go.Bar(name=category, legendgroup=category, marker_color=color,
                                showlegend=False),
                         row=1, col=3)
    figure.update_yaxes(title_text="servers", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text="memory (GiB)", row=1, col=2)
    figure.update_yaxes(title_text="CPU (cores)", row=1, col=3)
    figure.update_xaxes(title_text="era")
    figure.update_layout(
        barmode="stack",
        height=460,
        margin=dict(l=70, r=20, t=110, b=60),
        legend=dict(orientation="h", y=-0.22),
        font=_FONT,
    )
    packing_patch(packings).apply_to(figure)
    return figure


def packing_patch(packings: Sequence[Packing]) -> FigurePatch:
    """The data of ``packing_figure`` for ``packings`` (one per era)."""
    labels = [packing.era.key for packing in packings]
    counts = [packing.server_count for packing in packings]
    traces = [
        dict(x=labels, y=counts, text=counts,
             marker=dict(color=[ERA_COLORS.get(p.era.key, GREY) for p in packings]))
    ]
    for category in CATEGORIES:
        traces.append(dict(x=labels, y=[
            round(p.breakdown.memory_mib.get(category, 0.0) / MIB_PER_GIB, _DIGITS)
            for p in packings]))
        traces.append(dict(x=labels, y=[
            round(p.breakdown.cpu_cores.get(category, 0.0), _DIGITS) for p in packings]))
    first = packings[0]
    apps = first.placed_count + len(first.unplaced)
    title = (f"{apps} apps on servers of {first.server.cores:g} cores and "
             f"{units.memory(first.server.memory_mib)}")
    per_server = ", ".join(f"{p.era.key} {p.apps_per_server:.3g}" for p in packings)
    subtitle = f"apps per server: {per_server}"
    unplaced = max(len(p.unplaced) for p in packings)
    if unplaced:
        subtitle += f"; {unplaced} apps are too big for one server and were left out"
    return FigurePatch(traces=traces,
                       layout={"title.text": title, "title.subtitle.text": subtitle})


# --- scale-out ----------------------------------------------------------------------------


def scale_out_figure(results: Sequence[ScaleOut]) -> go.Figure:
    """For each era, traffic demanded vs capacity and traffic served during a surge."""
    figure = make_subplots(rows=len(results), cols=1, shared_xaxes=True,
                           vertical_spacing=0.09,
                           subplot_titles=[result.era.title for result in results])
    for row, result in enumerate(results, start=1):
        color = ERA_COLORS.get(result.era.key, GREY)
        figure.add_trace(
            go.Scatter(name="demand", legendgroup="demand", showlegend=row == 1, mode="lines",
                       line=dict(color=BLACK, dash="dot", shape="hv", width=2)),
            row=row, col=1,
        )
        figure.add_trace(
            go.Scatter(name="capacity", legendgroup="capacity", showlegend=row == 1,
                       mode="lines", line=dict(color=GREY, dash="dash", shape="hv", width=2)),
            row=row, col=1,
        )
        figure.add_trace(
            go.Scatter(name=f"served: {result.era.key}", mode="lines",
                       line=dict(color=color, shape="hv", width=2), fill="tozeroy",
                       fillcolor=with_alpha(color, 0.3)),
            row=row, col=1,
        )
        figure.update_yaxes(title_text="requests/s", rangemode="tozero", row=row, col=1)
    figure.update_xaxes(title_text="time (s)", row=len(results), col=1)
    figure.update_layout(
        height=230 * len(results) + 140,
        margin=dict(l=70, r=20, t=120, b=50),
        legend=dict(orientation="h", y=-0.1),
        font=_FONT,
    )
    scale_out_patch(results).apply_to(figure)
    return figure


def scale_out_patch(results: Sequence[ScaleOut]) -> FigurePatch:
    """The data of ``scale_out_figure`` for ``results`` (one per era, same surge)."""
    traces = []
    layout = {}
    for i, result in enumerate(results):
        x = list(result.times)
        traces.append(dict(x=x, y=list(result.demand_rps)))
        traces.append(dict(x=x, y=list(result.capacity_rps)))
        traces.append(dict(x=x, y=list(result.served_rps)))
        layout[f"annotations[{i}].text"] = _race_title(result)
    surge = results[0].surge
    layout["title.text"] = (
        f"Traffic jumps from {surge.base_rps:g} to {surge.peak_rps:g} requests/s at "
        f"{surge.start_s:g} s for {units.duration(surge.duration_s)}"
    )
    layout["title.subtitle.text"] = (
        "every era orders more capacity "
        f"{units.duration(defaults.SCALING_REACTION_S.value)} after the surge starts"
    )
    layout["xaxis.range"] = [0, results[0].times[-1]]
    return FigurePatch(traces=traces, layout=layout)


def _race_title(result: ScaleOut) -> str:
    unserved = f"{result.unserved_requests:,.0f} requests unserved"
    if result.ready_at_s is None:
        return f"{result.era.title}: no new capacity needed; {unserved}"
    wait = units.duration(result.ready_at_s - result.surge.start_s)
    verdict = "in time" if result.in_time else "too late"
    return f"{result.era.title}: more capacity {wait} after the surge began ({verdict}); {unserved}"


# --- tables -------------------------------------------------------------------------------


def apps_table(apps: Sequence[App]) -> Table:
    """What each app is sized for and what it needs installed."""
    return Table(
        columns=("app", "CPU request", "CPU limit", "memory", "working set at start",
                 "leaks", "packages"),
        rows=[
            (app.name, units.cores(app.cpu_request), units.cores(app.cpu_peak),
             units.memory(app.memory_mib), units.memory(app.working_set_at(0)),
             f"{app.leak_mib_per_s:g} MiB/s" if app.leak_mib_per_s else "no",
             ", ".join(f"{name} {version}" for name, version in app.packages) or "-")
            for app in apps
        ],
    )


def footprint_table(era: DeploymentModel, apps: Sequence[App]) -> Table:
    """What each app takes from a server under ``era``, by category, then the server's own
    overhead."""
    overhead = era.server_overhead()
    footprints = [era.app_footprint(app) for app in apps] + [overhead]
    used = [c for c in CATEGORIES
            if any(_amounts(footprint, c) != "-" for footprint in footprints)]
    rows = [
        (app.name, *(_amounts(era.app_footprint(app), c) for c in used))
        for app in apps
    ]
    rows.append(("(each server)", *(_amounts(overhead, c) for c in used)))
    return Table(columns=("", *used), rows=rows, caption=era.title)


def _amounts(footprint: Footprint, category: str) -> str:
    cpu = footprint.cpu_cores.get(category, 0.0)
    memory = footprint.memory_mib.get(category, 0.0)
    parts = ([units.cores(cpu)] if cpu else []) + ([units.memory(memory)] if memory else [])
    return ", ".join(parts) or "-"


def summary_table(summary: Summary) -> Table:
    """The side-by-side comparison as a table (aspects down, eras across)."""
    return Table(columns=("", *summary.columns), rows=[(a, *cells) for a, cells in summary.rows])


def defaults_table() -> Table:
    """Every default number of the model with its source."""
    return Table(
        columns=("default", "value", "meaning", "source"),
        rows=[
            (d.name, f"{d.value:g} {d.unit}",
             d.meaning, ("illustrative: " if d.illustrative else "") + d.source)
            for d in defaults.DEFAULTS
        ],
    )


# --- helpers ------------------------------------------------------------------------------


def _line(xs: Sequence[float], ys: Sequence[float]) -> dict:
    """x and y of a line, without the points that lie on the straight line of their neighbours
    (steps and steady leaks need only their corners), rounded for a small saved notebook."""
    keep_x, keep_y = [], []
    last = len(xs) - 1
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if 0 < i < last and _collinear(xs[i - 1], ys[i - 1], x, y, xs[i + 1], ys[i + 1]):
            continue
        keep_x.append(x)
        keep_y.append(round(y, _DIGITS))
    return dict(x=keep_x, y=keep_y)


def _collinear(x0, y0, x1, y1, x2, y2) -> bool:
    return abs((y1 - y0) * (x2 - x1) - (y2 - y1) * (x1 - x0)) < 1e-9
