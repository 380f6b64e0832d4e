"""``kubectl logs POD``: what a container wrote to stdout and stderr.

kubectl asks the API server, which asks the pod's kubelet through its node proxy
(``api.node_proxy(node).logs(...)``); the kubelet reads the container runtime's log file.
``--previous`` shows the last terminated instance (after a restart), ``--tail N`` the last N
lines. ``-f`` streams in a terminal; a simulated cluster only moves when its clock runs, so
here it cannot stream: run the clock and ask again. Source: ``staging/src/k8s.io/kubectl/pkg/
cmd/logs/logs.go``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, CommandError, Context, UsageError
from k8skit.kubectl.commands.pods import choose_container, pod_for
from k8skit.kubectl.flags import Flag, ParsedArgs


def run(ctx: Context, parsed: ParsedArgs) -> None:
    if parsed["follow"]:
        raise CommandError("following logs (-f) is not possible in the simulator: the cluster "
                           "only moves when its clock runs. Run the clock and call kubectl logs "
                           "again.")
    if not parsed.args:
        raise UsageError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or "
                         "TYPE/NAME is a required argument for the logs command")
    if len(parsed.args) > 2:
        raise UsageError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")
    pod = pod_for(ctx, parsed.args[0])
    requested = parsed["container"] or (parsed.args[1] if len(parsed.args) == 2 else "")
    container = choose_container(ctx, pod, requested)
    if not pod["spec"].get("nodeName"):
        # The API server has no kubelet to ask yet and answers with an empty log
        # (LogLocation in pkg/registry/core/pod/strategy.go).
        return
    kubelet = ctx.api.node_proxy(pod["spec"]["nodeName"])
    tail = parsed["tail"] if parsed["tail"] >= 0 else None
    text = kubelet.logs(ctx.namespace, pod["metadata"]["name"], container=container,
                        previous=parsed["previous"], tail=tail)
    ctx.out.write(text)


COMMAND = Command(
    name="logs",
    short="Print the logs for a container in a pod.",
    usage="kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]",
    run=run,
    examples="""  # Return snapshot logs from pod nginx with only one container
  kubectl logs nginx

  # Return snapshot of previous terminated ruby container logs from pod web-1
  kubectl logs -p -c ruby web-1

  # Display only the most recent 20 lines of output in pod nginx
  kubectl logs --tail=20 nginx
""",
    flags=(
        Flag("container", "c", help="Print the logs of this container"),
        Flag("previous", "p", "bool", help="If true, print the logs for the previous instance "
             "of the container in a pod if it exists."),
        Flag("tail", kind="int", default=-1, help="Lines of recent log file to display. "
             "Defaults to -1, showing all log lines."),
        Flag("follow", "f", "bool", help="Specify if the logs should be streamed (not possible "
             "in the simulator)."),
        Flag("timestamps", kind="bool"),
    ),
)
