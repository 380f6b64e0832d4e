"""``kubectl run NAME --image=IMAGE``: create one pod from the command line.

The pod is labelled ``run=NAME`` (unless ``--labels`` says otherwise) and has one container
named after it. ``--restart`` sets the pod's restartPolicy (Always by default), ``--port`` a
containerPort, ``--env`` environment variables; words after ``--`` become the container's
``args``, or its ``command`` with ``--command``. ``--dry-run=client -o yaml`` prints the pod
without creating it, the usual way to start a manifest.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/run/run.go`` and the pod generator
``staging/src/k8s.io/kubectl/pkg/generate/versioned/run.go`` (``BasicPod``).
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, CommandError, Context, UsageError
from k8skit.kubectl.commands.creating import check_dry_run, is_dry_run, print_created
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format
from k8skit.kubectl.flags import Flag, ParsedArgs

RESTART_POLICIES = ("Always", "OnFailure", "Never")


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise CommandError(f"invalid {what}: {value}")
        pairs[key] = rest
    return pairs


def build_pod(name: str, parsed: ParsedArgs) -> dict:
    """The pod ``kubectl run`` sends (BasicPod): what the flags say, nothing more."""
    container: dict = {"image": parsed["image"], "name": name, "resources": {}}
    after = parsed.after_dash or []
    extra = [a for a in parsed.args[1:] if a not in after]
    words = extra + after
    if words:
        container["command" if parsed["command"] else "args"] = words
    if parsed["env"]:
        container["env"] = [{"name": k, "value": v}
                            for k, v in _pairs(parsed["env"], "env").items()]
    if parsed["port"]:
        try:
            container["ports"] = [{"containerPort": int(parsed["port"])}]
        except ValueError:
            raise CommandError(f'invalid port "{parsed["port"]}"') from None
    if parsed["image-pull-policy"]:
        container["imagePullPolicy"] = parsed["image-pull-policy"]
    labels = _pairs(parsed["labels"], "label spec") if parsed["labels"] else {"run": name}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"creationTimestamp": None, "labels": labels, "name": name},
        "spec": {"containers": [container], "dnsPolicy": "ClusterFirst",
                 "restartPolicy": parsed["restart"] or "Always"},
        "status": {},
    }
    if parsed["annotations"]:
        pod["metadata"]["annotations"] = _pairs(parsed["annotations"], "annotation")
    return pod


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    if not parsed.args or (parsed.after_dash is not None
                           and len(parsed.args) == len(parsed.after_dash)):
        raise UsageError("NAME is required for run")
    name = parsed.args[0]
    if not parsed["image"]:
        raise CommandError('required flag(s) "image" not set')
    if parsed["restart"] and parsed["restart"] not in RESTART_POLICIES:
        raise CommandError(f"invalid restart policy: {parsed['restart']}")
    if parsed["stdin"] or parsed["tty"] or parsed["rm"] or parsed["attach"]:
        raise CommandError("attaching to a container is not possible in the simulator; run "
                           "the pod, then use kubectl logs and kubectl exec")
    pod = build_pod(name, parsed)
    dry_run = check_dry_run(parsed["dry-run"])
    if is_dry_run(dry_run):
        print_created(ctx, pod, output, dry_run, f"pod/{name}")
        return
    pod["metadata"]["namespace"] = ctx.namespace
    del pod["metadata"]["creationTimestamp"]
    del pod["status"]
    print_created(ctx, ctx.api.create(pod), output, dry_run, f"pod/{name}")


COMMAND = Command(
    name="run",
    short="Run a particular image on the cluster.",
    usage="kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] "
          "[--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] "
          "[args...] [options]",
    run=run,
    examples="""  # Start a nginx pod
  kubectl run nginx --image=nginx

  # Start a hazelcast pod and let the container expose port 5701
  kubectl run hazelcast --image=hazelcast/hazelcast --port=5701

  # Start a busybox pod that runs a command instead of its image's default
  kubectl run busybox --image=busybox --restart=Never --command -- sh -c "echo hi; sleep 3600"

  # Dry run: print the pod's manifest without creating it
  kubectl run nginx --image=nginx --dry-run=client -o yaml
""",
    flags=(
        Flag("image", help="The image for the container to run."),
        Flag("restart", help="The restart policy for this Pod. Legal values [Always, OnFailure, "
             "Never]."),
        Flag("port", help="The port that this container exposes."),
        Flag("labels", "l", "strings", help="Comma separated labels to apply to the pod. Will "
             "override previous values."),
        Flag("env", kind="strings", help="Environment variables to set in the container."),
        Flag("annotations", kind="strings", help="Annotations to apply to the pod."),
        Flag("command", kind="bool", help="If true and extra arguments are present, use them as "
             "the 'command' field in the container, rather than the 'args' field which is the "
             "default."),
        Flag("image-pull-policy", help="The image pull policy for the container."),
        Flag("dry-run", optional_value="client", help='Must be "none", "server", or "client".'),
        OUTPUT_FLAG,
        Flag("stdin", "i", "bool"), Flag("tty", "t", "bool"), Flag("rm", kind="bool"),
        Flag("attach", kind="bool"),
    ),
)
