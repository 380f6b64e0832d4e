"""``kubectl delete``: remove objects, and wait until they are really gone.

A pod is not removed at once: the API server marks it for deletion (``deletionTimestamp``,
STATUS ``Terminating``) and its kubelet stops the containers, giving them
``terminationGracePeriodSeconds`` (30 s by default) to exit, before the pod goes for good.
Real kubectl waits for that (``--wait=true`` is the default), which is why ``kubectl delete pod
web`` takes a few seconds in a terminal. Here waiting means running the simulated clock until
the object is gone, at most its grace period plus a margin; so after ``kubectl delete pod web``
the pod is gone, exactly as in a terminal session, and the cluster's clock has moved on by
that much. ``--wait=false`` returns at once and leaves the pod Terminating.

``--grace-period=0 --force`` removes the object immediately, with kubectl's warning;
``--now`` is ``--grace-period=1``. Source: ``staging/src/k8s.io/kubectl/pkg/cmd/delete/
delete.go`` and ``delete_flags.go``. The message is ``pod "web" deleted``: kubectl v1.33, the
version this simulator shows, does not yet add ``from <namespace> namespace`` (v1.34 does).
"""

from __future__ import annotations

from k8skit.api.errors import APIError
from k8skit.api.kinds import KINDS
from k8skit.kubectl.command import Command, CommandError, Context, Exit, UsageError, targets_of
from k8skit.kubectl.commands.get import ALL_NAMESPACES_FLAG, SELECTOR_FLAG, fetch
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.resources import FILENAME_FLAG, targets_from_files

FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running "
                 "resource has been terminated. The resource may continue to run on the cluster "
                 "indefinitely.")
# How much simulated time beyond an object's grace period kubectl waits for it to go.
WAIT_MARGIN_SECONDS = 60


def _wait_until_gone(ctx: Context, kind: str, name: str, namespace: str | None,
                     uid: str, limit: float) -> None:
    """Run the clock until the object with ``uid`` no longer exists, or ``limit`` is reached."""
    clock = ctx.api.clock
    deadline = clock.now + limit

    def present() -> bool:
        obj = ctx.api.try_get(kind, name, namespace)
        return obj is not None and obj["metadata"].get("uid") == uid

    clock.settle()
    while present() and clock.now < deadline:
        upcoming = clock.next_time()
        if upcoming is None or upcoming > deadline:
            clock.run_until(deadline)
            break
        clock.run_until(upcoming)


# --cascade's values and the propagation policy each asks the API server for
# (kubectl/pkg/cmd/util: GetCascadingStrategy); the deprecated booleans still work, with a warning.
_CASCADE = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}
_DEPRECATED_CASCADE = {"true": "background", "false": "orphan"}


def _propagation_policy(ctx: Context, cascade: str) -> str:
    if cascade in _DEPRECATED_CASCADE:
        replacement = _DEPRECATED_CASCADE[cascade]
        ctx.warn(f"warning: --cascade={cascade} is deprecated (boolean value) and can be "
                 f"replaced with --cascade={replacement}.")
        cascade = replacement
    if cascade not in _CASCADE:
        raise CommandError(f'invalid cascade value ({cascade}). Must be "background", '
                           '"foreground", or "orphan".')
    return _CASCADE[cascade]


def run(ctx: Context, parsed: ParsedArgs) -> None:
    grace = parsed["grace-period"]
    if parsed["now"]:
        if grace != -1:
            raise CommandError("--now and --grace-period cannot be specified together")
        grace = 1
    if parsed["force"] and grace > 0:
        raise CommandError("--force and --grace-period greater than 0 cannot be specified "
                           "together")
    if parsed["force"]:
        grace = 0
    propagation = _propagation_policy(ctx, parsed["cascade"])
    if grace == 0 and not parsed["force"]:
        # Upstream: a zero grace period without --force means "as soon as possible" (1 s).
        grace = 1
    if parsed["filename"]:
        if parsed.args:
            raise CommandError("there is no need to specify a resource type as a separate "
                               "argument when passing arguments in resource/name form")
        targets = targets_from_files(ctx, parsed["filename"])
    else:
        targets = targets_of(parsed.args)
    if not targets:
        raise UsageError("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                         "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    named = any(t.names is not None for t in targets)
    if not named and not parsed["all"] and not parsed["selector"] \
            and not parsed["field-selector"]:
        raise CommandError("resource(s) were provided, but no name, label selector, or --all "
                           "flag specified")
    if named and (parsed["all"] or parsed["selector"]):
        raise CommandError("name cannot be provided when a selector is specified")
    items, errors = fetch(ctx, targets, parsed["all-namespaces"], parsed["selector"],
                          parsed["field-selector"], parsed["ignore-not-found"])
    if parsed["force"] and items:
        ctx.warn(FORCE_WARNING)
    waiting = []
    for obj in items:
        meta = obj["metadata"]
        kind, name, namespace = obj["kind"], meta["name"], meta.get("namespace")
        try:
            ctx.api.delete(kind, name, namespace,
                           grace_period_seconds=None if grace < 0 else grace,
                           propagation_policy=propagation)
        except APIError as error:
            errors.append(error)
            continue
        resource = KINDS[kind].resource
        ctx.print(f'{resource} "{name}" {"force deleted" if grace == 0 else "deleted"}')
        if parsed["wait"]:
            spec_grace = (obj.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
            limit = (grace if grace >= 0 else spec_grace or 0) + WAIT_MARGIN_SECONDS
            waiting.append((kind, name, namespace, meta.get("uid", ""), limit))
    for kind, name, namespace, uid, limit in waiting:
        _wait_until_gone(ctx, kind, name, namespace, uid, limit)
    if not items and not errors and not parsed["ignore-not-found"]:
        ctx.warn("No resources found")
    for error in errors:
        ctx.report(error)
    if errors:
        raise Exit(1)


COMMAND = Command(
    name="delete",
    short="Delete resources by file names, stdin, resources and names, or by resources and "
          "label selector.",
    usage="kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [options]",
    run=run,
    examples="""  # Delete a pod using the type and name specified in pod.yaml
  kubectl delete -f ./pod.yaml

  # Delete pods and services with same names "baz" and "foo"
  kubectl delete pod,service baz foo

  # Delete pods and services with label name=myLabel
  kubectl delete pods,services -l name=myLabel

  # Delete a pod with minimal delay
  kubectl delete pod foo --now

  # Force delete a pod on a dead node
  kubectl delete pod foo --force
""",
    flags=(
        FILENAME_FLAG, SELECTOR_FLAG, ALL_NAMESPACES_FLAG,
        Flag("all", kind="bool", help="Delete all resources, in the namespace of the specified "
             "resource types."),
        Flag("field-selector", help="Selector (field query) to filter on."),
        Flag("cascade", default="background", optional_value="background",
             help='Must be "background", "orphan", or "foreground". Selects the deletion '
             "cascading strategy for the dependents (e.g. Pods created by a ReplicationController)."
             ' Defaults to background.'),
        Flag("grace-period", kind="int", default=-1, help="Period of time in seconds given to "
             "the resource to terminate gracefully. Ignored if negative."),
        Flag("force", kind="bool", help="If true, immediately remove resources from API and "
             "bypass graceful deletion."),
        Flag("now", kind="bool", help="If true, resources are signaled for immediate shutdown "
             "(same as --grace-period=1)."),
        Flag("wait", kind="bool", default=True, help="If true, wait for resources to be gone "
             "before returning. This waits for finalizers."),
        Flag("ignore-not-found", kind="bool", help="Treat \"resource not found\" as a "
             "successful delete."),
    ),
)
