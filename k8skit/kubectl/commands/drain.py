"""``kubectl drain NODE``: cordon a node, then evict its pods, for maintenance.

Sources: ``staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go`` (the command) and
``staging/src/k8s.io/kubectl/pkg/drain/`` (``filters.go``: which pods may go;
``drain.go``: evicting and waiting). Docs: ``tasks/administer-cluster/safely-drain-node.md``.

Drain first cordons the node (``node/worker-1 cordoned``), then looks at every pod on it:

- mirror pods (static pods the kubelet runs from files) are skipped: deleting them does nothing;
- DaemonSet pods would be recreated on the same node at once: drain refuses unless
  ``--ignore-daemonsets``, which leaves them running;
- pods with an ``emptyDir`` volume lose its data: refused unless ``--delete-emptydir-data``;
- pods no controller owns would be gone for good: refused unless ``--force``.

If any pod is refused, nothing is evicted and the node stays cordoned. Otherwise each pod is
evicted (``evicting pod default/web-x``), i.e. deleted gracefully, and drain waits until each is
gone (``pod/web-x evicted``) before printing ``node/worker-1 drained``. Waiting runs the
simulated clock, as ``kubectl delete`` does here; without ``--timeout`` it waits at most the
pods' grace period plus a minute, where real kubectl would wait until interrupted.

The simulated API server has no Eviction subresource and no PodDisruptionBudgets, so an
eviction is a graceful delete that is never refused.
"""

from __future__ import annotations

from k8skit.api.errors import NotFound
from k8skit.api.kinds import KINDS
from k8skit.api.labels import SelectorError
from k8skit.api.labels import parse as parse_selector
from k8skit.api.meta import controller_of
from k8skit.kubectl.command import Command, CommandError, Context, Exit, UsageError
from k8skit.kubectl.commands.cordon import run_cordon
from k8skit.kubectl.commands.get import SELECTOR_FLAG
from k8skit.kubectl.commands.mutation import format_duration, parse_duration
from k8skit.kubectl.flags import Flag, ParsedArgs

MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
DAEMON_SET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMON_SET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
DELETE_LOCAL_DATA_DEPRECATION = ("Flag --delete-local-data has been deprecated, This option is "
                                 "deprecated and will be deleted. Use --delete-emptydir-data.")
# How long past the longest grace period drain waits when no --timeout is given.
WAIT_MARGIN_SECONDS = 60.0

# A pod's fate: (delete it?, "Warning" or "Error" or "", message).
Verdict = tuple[bool, str, str]
_OKAY: Verdict = (True, "", "")


def _finished(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


class PodFilters:
    """The checks of ``drain.Helper.makeFilters``, in upstream's order."""

    def __init__(self, ctx: Context, parsed: ParsedArgs) -> None:
        self.ctx = ctx
        self.force = parsed["force"]
        self.ignore_daemonsets = parsed["ignore-daemonsets"]
        self.delete_emptydir_data = parsed["delete-emptydir-data"] or parsed["delete-local-data"]

    def verdict(self, pod: dict) -> Verdict:
        """The last filter's verdict, or the first one that keeps the pod."""
        verdict = _OKAY
        for check in (self.daemon_set, self.mirror, self.local_storage, self.unreplicated):
            verdict = check(pod)
            if not verdict[0]:
                break
        return verdict

    def daemon_set(self, pod: dict) -> Verdict:
        ref = controller_of(pod)
        if ref is None or ref.get("kind") != "DaemonSet" or _finished(pod):
            return _OKAY
        if "DaemonSet" in KINDS:
            namespace = pod["metadata"].get("namespace")
            if self.ctx.api.try_get("DaemonSet", ref.get("name", ""), namespace) is None:
                message = NotFound("DaemonSet", ref.get("name", "")).message
                return (True, "Warning", message) if self.force else (False, "Error", message)
        if not self.ignore_daemonsets:
            return (False, "Error", DAEMON_SET_FATAL)
        return (False, "Warning", DAEMON_SET_WARNING)

    @staticmethod
    def mirror(pod: dict) -> Verdict:
        if MIRROR_POD_ANNOTATION in (pod["metadata"].get("annotations") or {}):
            return (False, "", "")
        return _OKAY

    def local_storage(self, pod: dict) -> Verdict:
        volumes = (pod.get("spec") or {}).get("volumes") or ()
        if not any("emptyDir" in volume for volume in volumes) or _finished(pod):
            return _OKAY
        if not self.delete_emptydir_data:
            return (False, "Error", LOCAL_STORAGE_FATAL)
        return (True, "Warning", LOCAL_STORAGE_WARNING)

    def unreplicated(self, pod: dict) -> Verdict:
        if _finished(pod) or controller_of(pod) is not None:
            return _OKAY
        if self.force:
            return (True, "Warning", UNMANAGED_WARNING)
        return (False, "Error", UNMANAGED_FATAL)


def _grouped(judged: list[tuple[dict, Verdict]], kind: str) -> dict[str, list[str]]:
    """Pods by message, for the verdicts of one kind (PodDeleteList.errors / .Warnings)."""
    groups: dict[str, list[str]] = {}
    for pod, (_, reason, message) in judged:
        if reason == kind:
            meta = pod["metadata"]
            groups.setdefault(message or "unexpected error", []).append(
                f"{meta.get('namespace', 'default')}/{meta['name']}")
    return groups


def pods_to_evict(ctx: Context, node: str, parsed: ParsedArgs) -> tuple[list[dict], list[str],
                                                                         str]:
    """(pods to evict, errors, warnings) for one node (Helper.GetPodsForDeletion)."""
    pods = ctx.api.pods_on_node(node)
    if parsed["pod-selector"]:
        try:
            selector = parse_selector(parsed["pod-selector"])
        except SelectorError as error:
            raise CommandError(str(error)) from None
        pods = [p for p in pods if selector.matches(p["metadata"].get("labels"))]
    pods.sort(key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    filters = PodFilters(ctx, parsed)
    judged = [(pod, filters.verdict(pod)) for pod in pods]
    errors = [f"{message}: {', '.join(names)}" if message.lower().startswith("cannot delete")
              else f"cannot delete {message}: {', '.join(names)}"
              for message, names in _grouped(judged, "Error").items()]
    warnings = "; ".join(f"{message}: {', '.join(names)}"
                         for message, names in _grouped(judged, "Warning").items())
    return [pod for pod, verdict in judged if verdict[0]], errors, warnings


def _evict_and_wait(ctx: Context, node: str, pods: list[dict], grace: int,
                    timeout: float) -> None:
    """Delete each pod gracefully, then run the clock until all are gone."""
    api, clock = ctx.api, ctx.api.clock
    waiting = []
    for pod in pods:
        meta = pod["metadata"]
        ctx.print(f"evicting pod {meta.get('namespace', 'default')}/{meta['name']}")
        try:
            api.delete("Pod", meta["name"], meta.get("namespace"),
                       grace_period_seconds=grace if grace >= 0 else None)
        except NotFound:
            continue
        waiting.append((meta["name"], meta.get("namespace"), meta.get("uid")))
    longest = max((p["metadata"].get("deletionGracePeriodSeconds", 0) for p in pods), default=0)
    limit = timeout if timeout > 0 else longest + WAIT_MARGIN_SECONDS
    deadline = clock.now + limit
    clock.settle()
    while True:
        still = []
        for name, namespace, uid in waiting:
            live = api.try_get("Pod", name, namespace)
            if live is not None and live["metadata"].get("uid") == uid:
                still.append((name, namespace, uid))
            else:
                ctx.print(f"pod/{name} evicted")
        waiting = still
        if not waiting:
            return
        if clock.now >= deadline:
            break
        upcoming = clock.next_time()
        clock.run_until(deadline if upcoming is None else min(upcoming, deadline))
    message = f"drain did not complete within {format_duration(limit)}"
    ctx.warn(f'There are pending pods in node "{node}" when an error occurred: {message}')
    for name, _, _ in waiting:
        ctx.warn(f"pod/{name}")
    raise _DrainFailed(message)


class _DrainFailed(Exception):
    """Why one node could not be drained; the message kubectl repeats three times."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]")
        self.lines = lines


def run(ctx: Context, parsed: ParsedArgs) -> None:
    if len(parsed.args) != 1 and not (not parsed.args and parsed["selector"]):
        raise UsageError("USAGE: drain NODE [flags]")
    if parsed["delete-local-data"]:
        ctx.warn(DELETE_LOCAL_DATA_DEPRECATION)
    timeout = parse_duration(parsed["timeout"])
    if parsed["selector"]:
        nodes = [n["metadata"]["name"]
                 for n in ctx.api.list("Node", label_selector=parsed["selector"])]
    else:
        nodes = [ctx.api.get("Node", parsed.args[0].removeprefix("node/"), None)["metadata"]
                 ["name"]]
    run_cordon(ctx, parsed)
    for node in nodes:
        try:
            pods, errors, warnings = pods_to_evict(ctx, node, parsed)
            if errors:
                raise _DrainFailed(*errors)
            if warnings:
                ctx.warn(f"Warning: {warnings}")
            _evict_and_wait(ctx, node, pods, parsed["grace-period"], timeout)
        except _DrainFailed as failure:
            ctx.warn(f'error: unable to drain node "{node}" due to error: {failure}, '
                     "continuing command...")
            ctx.warn("There are pending nodes to be drained:")
            for pending in nodes[nodes.index(node):]:
                ctx.warn(f" {pending}")
            for line in failure.lines:
                ctx.warn(line)
            raise Exit(1) from None
        ctx.print(f"node/{node} drained")


COMMAND = Command(
    name="drain",
    short="Drain node in preparation for maintenance.",
    usage="kubectl drain NODE [options]",
    run=run,
    examples="""  # Drain node "foo", even if there are pods not managed by a replication
  # controller, replica set, job, daemon set, or stateful set on it
  kubectl drain foo --force

  # As above, but abort if there are pods not managed by a replication controller,
  # replica set, job, daemon set, or stateful set, and use a grace period of 15 minutes
  kubectl drain foo --grace-period=900
""",
    flags=(
        Flag("force", kind="bool", help="Continue even if there are pods that do not declare a "
             "controller."),
        Flag("ignore-daemonsets", kind="bool", help="Ignore DaemonSet-managed pods."),
        Flag("delete-emptydir-data", kind="bool", help="Continue even if there are pods using "
             "emptyDir (local data that will be deleted when the node is drained)."),
        Flag("delete-local-data", kind="bool"),
        Flag("grace-period", kind="int", default=-1, help="Period of time in seconds given to "
             "each pod to terminate gracefully. If negative, the default value specified in the "
             "pod will be used."),
        Flag("timeout", default="0s", help="The length of time to wait before giving up, zero "
             "means infinite"),
        Flag("pod-selector", help="Label selector to filter pods on the node"),
        Flag("disable-eviction", kind="bool", help="Force drain to use delete, even if eviction "
             "is supported. This will bypass checking PodDisruptionBudgets, use with caution."),
        SELECTOR_FLAG,
    ),
)
