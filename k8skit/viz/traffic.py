"""Where requests went: clients → Service → pods, as a Sankey diagram.

A Service is a stable address in front of pods that come and go; kube-proxy's rules on every
node pick one ready pod per connection (``iptables`` mode at random, ``ipvs`` mode in turn). The
figure shows one batch of requests from :func:`k8skit.traffic.send_requests`: how many left the
client, how many each pod answered, and how many failed (with curl's error line, such as
``Connection refused`` when the Service has no ready endpoint). The widths are the request
counts, so an even spread is seen at a glance.

Given the cluster too, the figure names the Service the URL reached and colours each pod by its
app (``color_for``), as every other figure does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import plotly.graph_objects as go

from k8skit.traffic import OUTSIDE, TrafficResult
from k8skit.viz.cluster_map import app_of, pod_color
from k8skit.viz.palette import BLACK, GREY, LIGHT_GREY, VERMILLION, with_alpha


def service_for(cluster, url: str) -> dict | None:
    """The Service a URL reaches: by name (``web``, ``web.default.svc.cluster.local``), by
    cluster IP and port, by load balancer address, or by a node's IP and a node port."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host, port = parts.hostname or "", parts.port or 80
    node_ips = {address.get("address") for node in cluster.api.list("Node")
                for address in node.get("status", {}).get("addresses") or []}
    for service in cluster.api.list("Service"):
        meta, spec = service["metadata"], service.get("spec") or {}
        ports = spec.get("ports") or []
        name = f"{meta['name']}.{meta.get('namespace', 'default')}"
        if host == meta["name"] or host.startswith(name + ".") or host == name:
            return service
        if host in (spec.get("clusterIPs") or [spec.get("clusterIP")]) and \
                any(p.get("port") == port for p in ports):
            return service
        ingress = (service.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
        if host in {i.get("ip") for i in ingress} and any(p.get("port") == port for p in ports):
            return service
        if host in node_ips and any(p.get("nodePort") == port for p in ports):
            return service
    return None


def traffic_sankey(result: TrafficResult, cluster=None) -> go.Figure:
    """``result``'s requests from their client through the Service to the pods that answered."""
    service = service_for(cluster, result.url) if cluster is not None else None
    client = "outside the cluster" if result.source == OUTSIDE else f"pod {result.source}"
    middle = (f"service/{service['metadata']['name']}<br>{result.url}" if service
              else result.url)
    counts, errors = result.counts, result.errors
    apps = _apps(cluster, counts) if cluster is not None else {}
    labels = [f"{client}<br>{len(result)} requests", middle]
    colors = [GREY, BLACK]
    sources, targets, values, link_colors = [0], [1], [len(result)], [with_alpha(GREY, 0.35)]
    for pod, count in counts.items():
        color = apps.get(pod, GREY)
        labels.append(f"{pod}: {count}")
        colors.append(color)
        sources.append(1)
        targets.append(len(labels) - 1)
        values.append(count)
        link_colors.append(with_alpha(color, 0.45))
    for error, count in errors.items():
        labels.append(f"failed: {error}: {count}")
        colors.append(VERMILLION)
        sources.append(1)
        targets.append(len(labels) - 1)
        values.append(count)
        link_colors.append(with_alpha(VERMILLION, 0.45))
    unanswered = len(result) - sum(counts.values()) - sum(errors.values())
    if unanswered > 0:
        # An HTTP answer from no pod (a load balancer's own error page, say).
        labels.append(f"answered by no pod: {unanswered}")
        colors.append(LIGHT_GREY)
        sources.append(1)
        targets.append(len(labels) - 1)
        values.append(unanswered)
        link_colors.append(with_alpha(LIGHT_GREY, 0.6))
    figure = go.Figure(go.Sankey(
        arrangement="snap", valueformat="d", valuesuffix=" requests",
        node=dict(label=labels, color=colors, pad=14, thickness=16,
                  line=dict(color="white", width=0.5)),
        link=dict(source=sources, target=targets, value=values, color=link_colors),
    ))
    answered = len(counts)
    figure.update_layout(
        title=dict(text=f"{len(result)} requests to {result.url} from {client}: "
                        f"{result.succeeded} answered by {answered} pod"
                        f"{'' if answered == 1 else 's'}"
                        + (f", {sum(errors.values())} failed" if errors else "")),
        height=max(320, 60 + 34 * (len(labels) - 2)), font=dict(family="sans-serif", size=12),
        margin=dict(l=20, r=20, t=60, b=20),
    )
    return figure


def _apps(cluster, pod_names) -> dict[str, str]:
    """The colour of each named pod that still exists (pod names are unique across the pods a
    Service selects, which live in its namespace)."""
    wanted = set(pod_names)
    return {pod["metadata"]["name"]: pod_color(pod["metadata"]["namespace"], app_of(pod))
            for pod in cluster.api.list("Pod") if pod["metadata"]["name"] in wanted}
