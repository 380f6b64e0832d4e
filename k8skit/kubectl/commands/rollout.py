"""``kubectl rollout status|history|undo|restart|pause|resume``: manage a Deployment's rollouts.

Sources: ``staging/src/k8s.io/kubectl/pkg/cmd/rollout/`` (one file per subcommand) and
``staging/src/k8s.io/kubectl/pkg/polymorphichelpers/`` (``rollout_status.go``,
``history.go``, ``rollback.go``, ``objectpauser.go``, ``objectresumer.go``,
``objectrestarter.go``).

- ``status`` watches the Deployment and prints where its rollout stands until it is done. Here
  watching means running the simulated clock, so the command returns with the cluster's time
  moved on by however long the rollout took. A line is printed each time it changes (real
  kubectl prints one per change of the Deployment's status, so it may repeat a line). Without
  ``--timeout`` it gives up after an hour of simulated time, where real kubectl would wait
  until interrupted; a rollout that stops moving ends sooner, when its progress deadline passes.
- ``history`` lists the revisions kept in the Deployment's ReplicaSets, with their
  ``kubernetes.io/change-cause``; ``--revision N`` prints that revision's pod template.
- ``undo`` is done by kubectl itself, not by the server: it copies an old ReplicaSet's template
  back into the Deployment, which the controller then rolls out as the *newest* revision
  (undoing to revision 2 of 3 makes revision 4; 2 disappears from the history).
- ``restart`` stamps the template with ``kubectl.kubernetes.io/restartedAt``, a template change
  that rolls every pod; ``pause``/``resume`` set ``spec.paused``.
"""

from __future__ import annotations

import copy
import weakref

from k8skit.api.errors import APIError, NotFound
from k8skit.api.kinds import KINDS
from k8skit.api.meta import timestamp
from k8skit.api.store import WatchEvent
from k8skit.control_plane.controllers import deployment_util as util
from k8skit.control_plane.controllers.controller_utils import replicas_of
from k8skit.kubectl.command import Command, CommandError, Context, Exit
from k8skit.kubectl.commands.get import SELECTOR_FLAG
from k8skit.kubectl.commands.mutation import available_commands, objects_named, parse_duration
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.printers.describe_workloads import write_pod_template
from k8skit.kubectl.printers.tabwriter import TabWriter
from k8skit.kubectl.resources import FILENAME_FLAG

RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
# How long `rollout status` without --timeout watches the simulated cluster before giving up.
MAX_WATCH_SECONDS = 3600.0

def _resource(obj: dict) -> str:
    return f"{KINDS[obj['kind']].resource}/{obj['metadata']['name']}"


def _group_kind(obj: dict) -> str:
    kind = KINDS[obj["kind"]]
    return f"{kind.kind}.{kind.group}" if kind.group else kind.kind


def _for_each(ctx: Context, parsed: ParsedArgs, act, single: bool = False) -> None:
    """Apply ``act(obj)`` to every named object, reporting errors as kubectl does (every
    object is tried; the exit code is 1 if any failed). A type alone means all of its
    objects; ``single`` commands refuse more than one."""
    items, errors = objects_named(ctx, parsed.args, parsed, whole_kind=True)
    if single and len(items) > 1:
        raise CommandError("rollout status is only supported on individual resources and "
                           f"resource collections, but {len(items)} resources were found")
    for error in errors:
        ctx.report(error)
    failed = bool(errors)
    for obj in items:
        try:
            act(obj)
        except (APIError, CommandError) as error:
            ctx.report(error)
            failed = True
    if failed:
        raise Exit(1)


# -- status ------------------------------------------------------------------------------------
def deployment_status(deployment: dict, revision: int = 0) -> tuple[str, bool]:
    """The line ``rollout status`` prints for a Deployment and whether the rollout is done
    (DeploymentStatusViewer.Status); raises when the progress deadline was exceeded."""
    name = deployment["metadata"]["name"]
    if revision > 0:
        running = util.revision(deployment)
        if revision != running:
            raise CommandError(f"desired revision ({revision}) is different from the running "
                               f"revision ({running})")
    status = deployment.get("status") or {}
    if deployment["metadata"].get("generation", 1) > status.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed...\n", False
    condition = util.get_condition(status, "Progressing")
    if condition is not None and condition.get("reason") == util.TIMED_OUT_REASON:
        raise CommandError(f'deployment "{name}" exceeded its progress deadline')
    wanted = replicas_of(deployment)
    updated = status.get("updatedReplicas", 0)
    if updated < wanted:
        return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {wanted} '
                "new replicas have been updated...\n", False)
    total = status.get("replicas", 0)
    if total > updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {total - updated} old '
                "replicas are pending termination...\n", False)
    available = status.get("availableReplicas", 0)
    if available < updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} '
                "updated replicas are available...\n", False)
    return f'deployment "{name}" successfully rolled out\n', True


def run_status(ctx: Context, parsed: ParsedArgs) -> None:
    timeout = parse_duration(parsed["timeout"])

    def watch(obj: dict) -> None:
        if obj["kind"] != "Deployment":
            raise CommandError(f"no status viewer has been implemented for {_group_kind(obj)}")
        _watch_rollout(ctx, obj["metadata"]["name"], obj["metadata"].get("namespace"),
                       parsed["revision"], parsed["watch"], timeout)

    _for_each(ctx, parsed, watch, single=True)


class _DeploymentWatch:
    """The stream of Deployment changes of one API server, shared by every ``rollout status``
    run against it: like kubectl's watch, a status is read at each change, so short-lived
    stages (old replicas pending termination) are seen even when they last no time at all."""

    def __init__(self, api) -> None:
        self._listeners: list = []
        api.watch("Deployment", self._deliver)

    def _deliver(self, event: WatchEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def listen(self, listener) -> None:
        self._listeners.append(listener)

    def stop(self, listener) -> None:
        self._listeners.remove(listener)


_WATCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _deployment_watch(api) -> _DeploymentWatch:
    if api not in _WATCHES:
        _WATCHES[api] = _DeploymentWatch(api)
    return _WATCHES[api]


def _watch_rollout(ctx: Context, name: str, namespace: str | None, revision: int,
                   watch: bool, timeout: float) -> None:
    """Print the status of the Deployment now and at each change until it is rolled out."""
    api, clock = ctx.api, ctx.api.clock
    deadline = clock.now + (timeout if timeout > 0 else MAX_WATCH_SECONDS)
    state: dict = {"last": None, "done": False, "error": None}

    def observe(deployment: dict) -> None:
        if state["done"] or state["error"]:
            return
        try:
            line, state["done"] = deployment_status(deployment, revision)
        except CommandError as error:
            state["error"] = error
            return
        if line != state["last"]:
            ctx.out.write(line)
            state["last"] = line

    def on_change(event: WatchEvent) -> None:
        meta = event.object["metadata"]
        if meta["name"] != name or meta.get("namespace") != namespace:
            return
        if event.type == "DELETED":
            state["error"] = state["error"] or NotFound("Deployment", name)
        else:
            observe(event.object)

    clock.settle()
    observe(api.get("Deployment", name, namespace))
    stream = _deployment_watch(api)
    stream.listen(on_change)
    try:
        while watch and not state["done"] and not state["error"]:
            if clock.now >= deadline:
                raise CommandError("timed out waiting for the condition")
            upcoming = clock.next_time()
            clock.run_until(deadline if upcoming is None else min(upcoming, deadline))
    finally:
        stream.stop(on_change)
    if state["error"]:
        raise state["error"]


# -- history -----------------------------------------------------------------------------------
class _PlainWriter:
    """describe's PrefixWriter without the tabwriter: history prints a pod template with its
    raw tabs (printTemplate writes straight into a buffer)."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._parts.append("  " * level + text)

    def line(self, text: str = "") -> None:
        self._parts.append(text + "\n")

    def flush(self) -> None:
        """Nothing is buffered for alignment."""

    def text(self) -> str:
        return "".join(self._parts)


def owned_replica_sets(ctx: Context, deployment: dict) -> list[dict]:
    namespace = deployment["metadata"].get("namespace", "default")
    return util.owned_replica_sets(deployment, ctx.api.list("ReplicaSet", namespace=namespace))


def history_text(ctx: Context, deployment: dict, revision: int) -> str:
    """DeploymentHistoryViewer.ViewHistory: the revision table, or one revision's template."""
    by_revision = {util.revision(rs): rs for rs in owned_replica_sets(ctx, deployment)}
    if not by_revision:
        return "No rollout history found."
    if revision > 0:
        if revision not in by_revision:
            raise CommandError("unable to find the specified revision")
        w = _PlainWriter()
        write_pod_template(w, by_revision[revision]["spec"]["template"])
        return w.text()
    table = TabWriter(0, 8, 2)
    table.write("REVISION\tCHANGE-CAUSE\n")
    for number in sorted(by_revision):
        cause = util.annotations_of(by_revision[number]).get(util.CHANGE_CAUSE_ANNOTATION)
        table.write(f"{number}\t{cause or '<none>'}\n")
    return table.flush()


def run_history(ctx: Context, parsed: ParsedArgs) -> None:
    revision = parsed["revision"]

    def show(obj: dict) -> None:
        if obj["kind"] != "Deployment":
            raise CommandError(f'no history viewer has been implemented for "{_group_kind(obj)}"')
        text = history_text(ctx, obj, revision)
        heading = f"with revision #{revision}" if revision > 0 else ""
        ctx.out.write(f"{_resource(obj)} {heading}\n{text}\n")

    _for_each(ctx, parsed, show)


# -- undo (rollback.go: DeploymentRollbacker) --------------------------------------------------
def rollback(ctx: Context, deployment: dict, to_revision: int) -> str:
    """Put an old revision's template back into the Deployment; returns kubectl's word for the
    result (``rolled back``, or ``skipped rollback (...)``)."""
    if to_revision < 0:
        raise CommandError(f"unable to find specified revision {to_revision} in history")
    if deployment["spec"].get("paused"):
        raise CommandError("you cannot rollback a paused deployment; resume it first with "
                           "'kubectl rollout resume' and try again")
    target = _revision_to_roll_back_to(ctx, deployment, to_revision)
    if util.equal_ignore_hash(target["spec"]["template"], deployment["spec"]["template"]):
        return f"skipped rollback (current template already matches revision {to_revision})"
    changed = copy.deepcopy(deployment)
    changed["spec"]["template"] = copy.deepcopy(
        util.template_without_hash(target["spec"]["template"]))
    annotations = {k: v for k, v in util.annotations_of(deployment).items()
                   if k in util.ANNOTATIONS_TO_SKIP}
    annotations.update({k: v for k, v in util.annotations_of(target).items()
                        if k not in util.ANNOTATIONS_TO_SKIP})
    changed["metadata"]["annotations"] = annotations
    ctx.api.update(changed)
    return "rolled back"


def _revision_to_roll_back_to(ctx: Context, deployment: dict, to_revision: int) -> dict:
    """The ReplicaSet of ``to_revision``, or of the one before the latest when it is 0."""
    by_revision = sorted(((util.revision(rs), rs) for rs in owned_replica_sets(ctx, deployment)),
                         key=lambda pair: pair[0])
    if to_revision > 0:
        for number, rs in by_revision:
            if number == to_revision:
                return rs
        raise CommandError(f"unable to find specified revision {to_revision} in history")
    if len(by_revision) < 2:
        raise CommandError(f'no rollout history found for deployment '
                           f'"{deployment["metadata"]["name"]}"')
    return by_revision[-2][1]


def run_undo(ctx: Context, parsed: ParsedArgs) -> None:
    def undo(obj: dict) -> None:
        if obj["kind"] != "Deployment":
            raise CommandError(f'no rollbacker has been implemented for "{_group_kind(obj)}"')
        ctx.print(f"{_resource(obj)} {rollback(ctx, obj, parsed['to-revision'])}")

    _for_each(ctx, parsed, undo)


# -- restart, pause, resume --------------------------------------------------------------------
def _patch_each(ctx: Context, parsed: ParsedArgs, verb: str, done: str, change) -> None:
    """Change each Deployment with ``change(copy)`` (returning an error text or None), then
    print ``deployment.apps/web <done>`` as the patching rollout subcommands do."""
    def patch(obj: dict) -> None:
        plural = KINDS[obj["kind"]].plural_resource
        name = obj["metadata"]["name"]
        if obj["kind"] != "Deployment":
            raise CommandError(f'{plural} "{name}" {verb} is not supported')
        changed = copy.deepcopy(obj)
        problem = change(changed)
        if problem:
            raise CommandError(f'{plural} "{name}" {problem}')
        ctx.api.update(changed)
        ctx.print(f"{_resource(obj)} {done}")

    _for_each(ctx, parsed, patch)


def run_pause(ctx: Context, parsed: ParsedArgs) -> None:
    def pause(d: dict) -> str | None:
        if d["spec"].get("paused"):
            return "is already paused"
        d["spec"]["paused"] = True
        return None

    _patch_each(ctx, parsed, "pausing", "paused", pause)


def run_resume(ctx: Context, parsed: ParsedArgs) -> None:
    def resume(d: dict) -> str | None:
        if not d["spec"].get("paused"):
            return "is not paused"
        d["spec"].pop("paused")
        return None

    _patch_each(ctx, parsed, "resuming", "resumed", resume)


def run_restart(ctx: Context, parsed: ParsedArgs) -> None:
    now = timestamp(ctx.now)

    def restart(d: dict) -> str | None:
        if d["spec"].get("paused"):
            return "can't restart paused deployment (run rollout resume first)"
        annotations = d["spec"]["template"].setdefault("metadata", {}).setdefault(
            "annotations", {})
        if annotations.get(RESTARTED_AT_ANNOTATION) == now:
            raise CommandError(
                f"failed to create patch for {d['metadata']['name']}: if restart has already "
                "been triggered within the past second, please wait before attempting to "
                "trigger another")
        annotations[RESTARTED_AT_ANNOTATION] = now
        return None

    _patch_each(ctx, parsed, "restarting", "restarted", restart)


# -- the commands ------------------------------------------------------------------------------
_TARGET_FLAGS = (FILENAME_FLAG, SELECTOR_FLAG)

STATUS = Command(
    name="rollout status",
    short="Show the status of the rollout.",
    usage="kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]",
    run=run_status,
    examples="""  # Watch the rollout status of a deployment
  kubectl rollout status deployment/nginx
""",
    flags=(
        Flag("watch", "w", "bool", default=True, help="Watch the status of the rollout until "
             "it's done."),
        Flag("timeout", default="0s", help="The length of time to wait before ending watch, "
             "zero means never. Any other values should contain a corresponding time unit (e.g. "
             "1s, 2m, 3h)."),
        Flag("revision", kind="int", help="Pin to a specific revision for showing its status. "
             "Defaults to 0 (last revision)."),
        *_TARGET_FLAGS,
    ),
)

HISTORY = Command(
    name="rollout history",
    short="View rollout history.",
    usage="kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
    run=run_history,
    examples="""  # View the rollout history of a deployment
  kubectl rollout history deployment/abc

  # View the details of daemonset revision 3
  kubectl rollout history daemonset/abc --revision=3
""",
    flags=(Flag("revision", kind="int", help="See the details, including podTemplate of the "
                "revision specified"), *_TARGET_FLAGS),
)

UNDO = Command(
    name="rollout undo",
    short="Undo a previous rollout.",
    usage="kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]",
    run=run_undo,
    examples="""  # Roll back to the previous deployment
  kubectl rollout undo deployment/abc

  # Roll back to daemonset revision 3
  kubectl rollout undo daemonset/abc --to-revision=3
""",
    flags=(Flag("to-revision", kind="int", help="The revision to rollback to. Default to 0 "
                "(last revision)."), *_TARGET_FLAGS),
)

RESTART = Command(
    name="rollout restart",
    short="Restart a resource.",
    usage="kubectl rollout restart RESOURCE [options]",
    run=run_restart,
    examples="""  # Restart all deployments in the test-namespace namespace
  kubectl rollout restart deployment -n test-namespace

  # Restart a deployment
  kubectl rollout restart deployment/nginx
""",
    flags=_TARGET_FLAGS,
)

PAUSE = Command(
    name="rollout pause",
    short="Mark the provided resource as paused.",
    usage="kubectl rollout pause RESOURCE [options]",
    run=run_pause,
    examples="""  # Mark the nginx deployment as paused
  # Any current state of the deployment will continue its function; new updates
  # to the deployment will not have an effect as long as the deployment is paused
  kubectl rollout pause deployment/nginx
""",
    flags=_TARGET_FLAGS,
)

RESUME = Command(
    name="rollout resume",
    short="Resume a paused resource.",
    usage="kubectl rollout resume RESOURCE [options]",
    run=run_resume,
    examples="""  # Resume an already paused deployment
  kubectl rollout resume deployment/nginx
""",
    flags=_TARGET_FLAGS,
)

SUBCOMMANDS = {"history": HISTORY, "pause": PAUSE, "restart": RESTART, "resume": RESUME,
               "status": STATUS, "undo": UNDO}


def _run_rollout(ctx: Context, parsed: ParsedArgs) -> None:
    if parsed.args:
        raise CommandError(f'unknown command "{parsed.args[0]}" for "kubectl rollout"')
    ctx.out.write(ROLLOUT.help() + available_commands(SUBCOMMANDS))


ROLLOUT = Command(
    name="rollout",
    short="Manage the rollout of one or many resources.",
    usage="kubectl rollout SUBCOMMAND [options]",
    run=_run_rollout,
    examples="""  # Roll back to the previous deployment
  kubectl rollout undo deployment/abc

  # Check the rollout status of a deployment
  kubectl rollout status deployment/abc

  # Restart a deployment
  kubectl rollout restart deployment/abc

  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx
""",
)
