"""``kubectl version``: the client and server versions.

The simulator shows Kubernetes v1.33: its defaults, messages and table columns are those of
that release. Source: ``staging/src/k8s.io/kubectl/pkg/cmd/version/version.go``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, Context
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format, print_objects
from k8skit.kubectl.flags import Flag, ParsedArgs

KUBERNETES_VERSION = "v1.33.4"  # the version the simulated kubelets report
KUSTOMIZE_VERSION = "v5.6.0"  # the kustomize built into kubectl v1.33


def _info(version: str) -> dict:
    major, minor, _ = version.lstrip("v").split(".")
    return {"major": major, "minor": minor, "gitVersion": version, "platform": "linux/amd64"}


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    if output in ("json", "yaml"):
        data = {"clientVersion": _info(KUBERNETES_VERSION), "kustomizeVersion": KUSTOMIZE_VERSION}
        if not parsed["client"]:
            data["serverVersion"] = _info(KUBERNETES_VERSION)
        print_objects(ctx, [data], output, single=True)
        return
    ctx.print(f"Client Version: {KUBERNETES_VERSION}")
    ctx.print(f"Kustomize Version: {KUSTOMIZE_VERSION}")
    if not parsed["client"]:
        ctx.print(f"Server Version: {KUBERNETES_VERSION}")


COMMAND = Command(
    name="version",
    short="Print the client and server version information.",
    usage="kubectl version [flags] [options]",
    run=run,
    flags=(Flag("client", kind="bool", help="If true, shows client version only (no server "
                "required)."), OUTPUT_FLAG),
)
