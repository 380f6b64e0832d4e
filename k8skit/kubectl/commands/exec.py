"""``kubectl exec POD -- COMMAND [ARGS...]``: run a command in a running container.

The command runs through the pod's kubelet (``api.node_proxy(node).exec(...)``), which asks
the container runtime to start it inside the container. Its output comes back as it is, and a
non-zero exit status makes kubectl print ``command terminated with exit code N`` and exit with
that same code. ``-i`` and ``-t`` are accepted and ignored: the simulator has no terminal to
attach. Source: ``staging/src/k8s.io/kubectl/pkg/cmd/exec/exec.go``.
"""

from __future__ import annotations

from k8skit.api.errors import BadRequest
from k8skit.kubectl.command import Command, CommandError, Context, Exit, UsageError
from k8skit.kubectl.commands.pods import choose_container, node_of, pod_for
from k8skit.kubectl.flags import Flag, ParsedArgs


def run(ctx: Context, parsed: ParsedArgs) -> None:
    argv = parsed.after_dash
    before = parsed.args[:len(parsed.args) - len(argv)] if argv is not None else parsed.args
    if not before:
        raise UsageError("pod or type/name must be specified")
    if len(before) > 1:
        raise CommandError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- "
                           "[COMMAND] instead")
    if not argv:
        raise UsageError("you must specify at least one command for the container")
    pod = pod_for(ctx, before[0])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CommandError(f"cannot exec into a container in a completed pod; current phase "
                           f"is {phase}")
    container = choose_container(ctx, pod, parsed["container"])
    kubelet = ctx.api.node_proxy(node_of(pod))
    try:
        result = kubelet.exec(ctx.namespace, pod["metadata"]["name"], container, list(argv),
                              stdin=ctx.stdin if parsed["stdin"] else None)
    except BadRequest as error:
        # The streaming upgrade fails before any Status reaches kubectl, which prints the
        # plain error: `error: unable to upgrade connection: container not found ("web")`.
        if error.message.startswith("unable to upgrade connection"):
            raise CommandError(error.message) from None
        raise
    ctx.out.write(result.stdout)
    # The runtime's own error (an unknown command) ends its line on the terminal.
    ctx.err.write(result.stderr if not result.stderr or result.stderr.endswith("\n")
                  else result.stderr + "\n")
    if result.exit_code:
        ctx.warn(f"command terminated with exit code {result.exit_code}")
        raise Exit(result.exit_code)


COMMAND = Command(
    name="exec",
    short="Execute a command in a container.",
    usage="kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]",
    run=run,
    examples="""  # Get output from running the 'date' command from pod mypod (its first container)
  kubectl exec mypod -- date

  # Get output from running the 'date' command in ruby-container from pod mypod
  kubectl exec mypod -c ruby-container -- date

  # List the environment of a container
  kubectl exec mypod -- env
""",
    flags=(
        Flag("container", "c", help="Container name. If omitted, use the "
             "kubectl.kubernetes.io/default-container annotation for selecting the container to "
             "be attached or the first container in the pod will be chosen"),
        Flag("stdin", "i", "bool", help="Pass stdin to the container"),
        Flag("tty", "t", "bool", help="Stdin is a TTY (ignored: the simulator has no terminal)"),
        Flag("quiet", "q", "bool"),
    ),
)
