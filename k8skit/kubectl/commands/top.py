"""``kubectl top nodes`` / ``kubectl top pods``: how much CPU and memory is in use now.

On a real cluster the numbers come from metrics-server, which scrapes every kubelet's stats
summary (``/stats/summary``) and serves the Metrics API; without it kubectl says ``error:
Metrics API not available``. Here kubectl reads the same summary from each kubelet through
the API server's node proxy (``summary()``), in the Summary API's shape: ``{"node": {"cpu":
{"usageNanoCores"}, "memory": {"workingSetBytes"}}, "pods": [{"podRef": {...}, "containers":
[...]}]}``. CPU prints in millicores (``250m``), memory in whole mebibytes (``64Mi``), and a
node's share of its allocatable as ``CPU(%)``/``MEMORY(%)`` (the header kubectl uses since
v1.29). A node that reports nothing (it is down) shows ``<unknown>``. Source:
``staging/src/k8s.io/kubectl/pkg/cmd/top/`` and ``pkg/metricsutil/metrics_printer.go``.
"""

from __future__ import annotations

from k8skit.api.errors import APIError
from k8skit.api.labels import as_selector
from k8skit.api.quantity import cpu_millis, format_bytes, format_cpu_millis, memory_bytes
from k8skit.kubectl.command import Command, CommandError, Context, UsageError
from k8skit.kubectl.commands.get import ALL_NAMESPACES_FLAG, SELECTOR_FLAG
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.printers.tables import render_rows

UNAVAILABLE = "Metrics API not available"


def _summaries(ctx: Context) -> dict[str, dict]:
    """Each reachable node's stats summary, by node name."""
    summaries = {}
    for node in ctx.api.list("Node"):
        name = node["metadata"]["name"]
        try:
            summary = ctx.api.node_proxy(name).summary()
        except APIError:
            continue
        if summary:
            summaries[name] = summary
    if not summaries:
        raise CommandError(UNAVAILABLE)
    return summaries


def _usage(stats: dict) -> tuple[int, int]:
    """(millicores, bytes) of one summary entry."""
    cpu = (stats.get("cpu") or {}).get("usageNanoCores", 0) // 1_000_000
    memory = (stats.get("memory") or {}).get("workingSetBytes", 0)
    return cpu, memory


def _pod_usage(pod_stats: dict) -> tuple[int, int]:
    if pod_stats.get("cpu") or pod_stats.get("memory"):
        return _usage(pod_stats)
    usages = [_usage(c) for c in pod_stats.get("containers") or []]
    return sum(u[0] for u in usages), sum(u[1] for u in usages)


def _sort(rows: list[tuple], sort_by: str, cpu_index: int, memory_index: int) -> list[tuple]:
    if sort_by == "cpu":
        return sorted(rows, key=lambda r: -r[cpu_index])
    if sort_by == "memory":
        return sorted(rows, key=lambda r: -r[memory_index])
    if sort_by:
        raise CommandError("--sort-by accepts only cpu or memory")
    return rows


def top_nodes(ctx: Context, parsed: ParsedArgs, names: list[str]) -> None:
    summaries = _summaries(ctx)
    if names:
        nodes = [ctx.api.get("Node", name, None) for name in names]
    else:
        nodes = ctx.api.list("Node", label_selector=parsed["selector"] or None)
    measured, missing = [], []
    for node in nodes:
        name = node["metadata"]["name"]
        if name not in summaries:
            missing.append(name)
            continue
        cpu, memory = _usage(summaries[name].get("node") or {})
        allocatable = node.get("status", {}).get("allocatable") or {}
        cpu_total = cpu_millis(allocatable.get("cpu", "0")) or 1
        memory_total = memory_bytes(allocatable.get("memory", "0")) or 1
        measured.append((name, cpu, int(cpu / cpu_total * 100), memory,
                         int(memory / memory_total * 100)))
    rows = [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    if parsed["no-headers"]:
        rows = []
    for name, cpu, cpu_pct, memory, memory_pct in _sort(measured, parsed["sort-by"], 1, 3):
        rows.append([name, format_cpu_millis(cpu), f"{cpu_pct}%", format_bytes(memory),
                     f"{memory_pct}%"])
    rows += [[name, *["<unknown>"] * 4] for name in missing]
    ctx.out.write(render_rows(rows))


def top_pods(ctx: Context, parsed: ParsedArgs, names: list[str]) -> None:
    summaries = _summaries(ctx)
    all_namespaces = parsed["all-namespaces"]
    selector = as_selector(parsed["selector"]) if parsed["selector"] else None
    pods = {}
    for summary in summaries.values():
        for pod_stats in summary.get("pods") or []:
            ref = pod_stats.get("podRef") or {}
            key = (ref.get("namespace", ""), ref.get("name", ""))
            pods[key] = pod_stats
    found = []
    for (namespace, name), pod_stats in sorted(pods.items()):
        if not all_namespaces and namespace != ctx.namespace:
            continue
        if names and name not in names:
            continue
        if selector is not None:
            pod = ctx.api.try_get("Pod", name, namespace)
            if pod is None or not selector.matches(pod["metadata"].get("labels")):
                continue
        found.append((namespace, name, pod_stats))
    for name in names:
        if not any(f[1] == name for f in found):
            ctx.api.get("Pod", name, ctx.namespace)  # NotFound if it does not exist at all
            raise CommandError(f"Metrics not available for pod {ctx.namespace}/{name}")
    if not found:
        ctx.warn(f"No resources found in {ctx.namespace} namespace." if not all_namespaces
                 else "No resources found")
        return
    header = (["NAMESPACE"] if all_namespaces else []) + (
        ["POD", "NAME"] if parsed["containers"] else ["NAME"]) + ["CPU(cores)", "MEMORY(bytes)"]
    measured = []
    for namespace, name, pod_stats in found:
        prefix = [namespace] if all_namespaces else []
        if parsed["containers"]:
            for container in pod_stats.get("containers") or []:
                cpu, memory = _usage(container)
                measured.append((*prefix, name, container.get("name", ""), cpu, memory))
        else:
            cpu, memory = _pod_usage(pod_stats)
            measured.append((*prefix, name, cpu, memory))
    rows = [] if parsed["no-headers"] else [header]
    for row in _sort(measured, parsed["sort-by"], -2, -1):
        rows.append([*row[:-2], format_cpu_millis(row[-2]), format_bytes(row[-1])])
    ctx.out.write(render_rows(rows))


def run(ctx: Context, parsed: ParsedArgs) -> None:
    if not parsed.args:
        raise UsageError("you must specify a resource: nodes or pods (kubectl top nodes, "
                         "kubectl top pods)")
    what, names = parsed.args[0], parsed.args[1:]
    if what in ("node", "nodes", "no"):
        top_nodes(ctx, parsed, names)
    elif what in ("pod", "pods", "po"):
        top_pods(ctx, parsed, names)
    else:
        raise CommandError(f'unknown command "{what}" for "kubectl top"')


COMMAND = Command(
    name="top",
    short="Display resource (CPU/memory) usage.",
    usage="kubectl top (node | pod) [NAME | -l label] [options]",
    run=run,
    examples="""  # Show metrics for all nodes
  kubectl top node

  # Show metrics for all pods in the default namespace
  kubectl top pod

  # Show metrics for the containers of every pod, across all namespaces
  kubectl top pod --containers -A
""",
    flags=(
        SELECTOR_FLAG, ALL_NAMESPACES_FLAG,
        Flag("containers", kind="bool", help="If present, print usage of containers within a "
             "pod."),
        Flag("sort-by", help="If non-empty, sort the list using specified field. The field can "
             "be either 'cpu' or 'memory'."),
        Flag("no-headers", kind="bool", help="If present, print output without headers."),
    ),
)
