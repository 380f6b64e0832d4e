"""``kubectl create namespace NAME``: a namespace from the command line.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/create/create_namespace.go``. ``--dry-run=client
-o yaml`` prints the manifest without creating it. This is the ``namespace`` (``ns``)
subcommand of ``kubectl create``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, Context, UsageError
from k8skit.kubectl.commands.creating import check_dry_run, is_dry_run, print_created
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format
from k8skit.kubectl.flags import Flag, ParsedArgs


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    if len(parsed.args) != 1:
        raise UsageError(f"exactly one NAME is required, got {len(parsed.args)}")
    name = parsed.args[0]
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    dry_run = check_dry_run(parsed["dry-run"])
    if is_dry_run(dry_run):
        shown = {**namespace, "spec": {}, "status": {}}
        print_created(ctx, shown, output, dry_run, f"namespace/{name}")
        return
    print_created(ctx, ctx.api.create(namespace), output, dry_run, f"namespace/{name}")


COMMAND = Command(
    name="create namespace",
    short="Create a namespace with the specified name.",
    usage="kubectl create namespace NAME [--dry-run=server|client|none] [options]",
    run=run,
    examples="""  # Create a new namespace named my-namespace
  kubectl create namespace my-namespace
""",
    flags=(
        Flag("dry-run", optional_value="client", help='Must be "none", "server", or "client".'),
        OUTPUT_FLAG,
    ),
    aliases=("ns",),
)
