"""A Deployment's rollout over time: its ReplicaSets' pods, and the band they must stay in.

A rolling update never touches pods itself: the Deployment controller grows the new ReplicaSet
and shrinks the old ones (``pkg/controller/deployment/rolling.go``), keeping

- all pods at most ``replicas + maxSurge``, and
- available pods at least ``replicas - maxUnavailable``

(percentages resolved as upstream does: maxSurge rounded up, maxUnavailable down). The figure
stacks each ReplicaSet's pods (``status.replicas``) over time, one colour per revision, and draws
the allowed band between those two bounds, the desired count, and the ready and available pods
of the whole Deployment. A rollout that holds shows the stack inside the band and the available
line never below it; a bad image shows the new ReplicaSet stuck at its surge while the old one
keeps serving.

The figure reads a :class:`~k8skit.history.ClusterHistory` (or the one recorded for a cluster),
sampled at every recorded change, so each step of the rollout is a step in the lines.
"""

from __future__ import annotations

import plotly.graph_objects as go

from k8skit.history import ClusterHistory, DeploymentLife, ReplicaSetLife, recorded
from k8skit.viz.palette import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    GREY,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    with_alpha,
)

REVISION_COLORS = (BLUE, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW)
"""ReplicaSet colours by revision, in turn (green is kept for the available pods)."""


def sample_times(history: ClusterHistory, deployment: DeploymentLife,
                 replica_sets: list[ReplicaSetLife]) -> list[float]:
    """Every instant at which the Deployment or one of its ReplicaSets changed, and now."""
    times = {sample.time for sample in deployment.samples}
    for rs in replica_sets:
        times.update(sample.time for sample in rs.samples)
        if rs.deleted is not None:
            times.add(rs.deleted)
    if deployment.deleted is not None:
        times.add(deployment.deleted)
    times.add(history.now)
    start = deployment.samples[0].time if deployment.samples else history.started
    return sorted(t for t in times if t >= start)


def rollout_timeline(history, deployment: str, namespace: str = "default") -> go.Figure:
    """ReplicaSets' pods, desired, ready and available pods of ``deployment`` over time, in the
    band ``replicas - maxUnavailable`` .. ``replicas + maxSurge``."""
    history = recorded(history)
    life = history.deployment(deployment, namespace)
    replica_sets = history.replica_sets_of(deployment, namespace)
    times = sample_times(history, life, replica_sets)
    samples = [life.at(t) for t in times]
    figure = go.Figure()
    lower = [s.desired - s.max_unavailable if s else None for s in samples]
    upper = [s.desired + s.max_surge if s else None for s in samples]
    figure.add_trace(go.Scatter(
        name="lowest available allowed", x=times, y=lower, mode="lines", showlegend=False,
        line=dict(color=GREY, width=0.5, shape="hv"), hoverinfo="skip"))
    figure.add_trace(go.Scatter(
        name="allowed: replicas − maxUnavailable … replicas + maxSurge", x=times, y=upper,
        mode="lines", fill="tonexty", fillcolor=with_alpha(GREY, 0.18),
        line=dict(color=GREY, width=0.5, shape="hv"), hoverinfo="skip"))
    for i, rs in enumerate(replica_sets):
        values = [rs.at(t) for t in times]
        figure.add_trace(go.Scatter(
            name=f"{rs.name} ({_revisions(rs)}: {', '.join(rs.images)})", x=times,
            y=[v.replicas if v else 0 for v in values], mode="lines", stackgroup="replicasets",
            line=dict(color=REVISION_COLORS[i % len(REVISION_COLORS)], width=1, shape="hv"),
            hovertext=[_rs_hover(rs, v, t) for v, t in zip(values, times, strict=True)],
            hoverinfo="text"))
    for name, field, style in (
            ("desired (spec.replicas)", "desired", dict(color=BLACK, dash="dash", width=2)),
            ("ready", "ready", dict(color=BLUISH_GREEN, dash="dot", width=2)),
            ("available", "available", dict(color=BLUISH_GREEN, width=3))):
        figure.add_trace(go.Scatter(
            name=name, x=times, y=[getattr(s, field) if s else None for s in samples],
            mode="lines", line=dict(shape="hv", **style),
            hovertemplate=f"{name}: %{{y}} at t = %{{x}} s<extra></extra>"))
    last = next((s for s in reversed(samples) if s), None)
    strategy = (f"{last.strategy}, maxSurge {last.max_surge}, maxUnavailable "
                f"{last.max_unavailable}" if last else "")
    figure.update_layout(
        title=dict(text=f"Rollout of deployment/{deployment}: pods of each ReplicaSet over time",
                   subtitle=dict(text=strategy)),
        height=460, plot_bgcolor="white", font=dict(family="sans-serif"),
        hovermode="closest", margin=dict(l=60, r=20, t=80, b=60),
        legend=dict(orientation="v", x=1.02, y=1, font=dict(size=10)),
        xaxis=dict(title=dict(text="time (s)"), gridcolor="#eeeeee"),
        yaxis=dict(title=dict(text="pods"), gridcolor="#eeeeee", rangemode="tozero",
                   dtick=1 if max(filter(None, upper), default=0) <= 12 else None),
    )
    return figure


def _revisions(rs: ReplicaSetLife) -> str:
    if len(rs.revisions) == 1:
        return f"revision {rs.revision}"
    return "revisions " + ", ".join(str(r) for r in rs.revisions)


def _rs_hover(rs: ReplicaSetLife, sample, time: float) -> str:
    if sample is None:
        return f"{rs.name}: not there at t = {time:g} s"
    return (f"<b>{rs.name}</b> ({_revisions(rs)}) at t = {time:g} s<br>"
            f"{sample.replicas} pods, {sample.ready} ready, {sample.available} available; "
            f"the Deployment asks it for {sample.desired}")
