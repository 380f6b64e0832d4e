"""``kubectl create namespace NAME``: a namespace from the command line.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/create/create_namespace.go``. ``--dry-run=client
-o yaml`` prints the manifest without creating it. This is the ``namespace`` (``ns``)
subcommand of ``kubectl create``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, Context, UsageError
from k8skit.kubectl.commands.create_deployment import check_dry_run
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format, print_objects
from k8skit.kubectl.flags import Flag, ParsedArgs


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    if len(parsed.args) != 1:
        raise UsageError(f"exactly one NAME is required, got {len(parsed.args)}")
    name = parsed.args[0]
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    dry_run = check_dry_run(parsed["dry-run"])
    if dry_run in ("client", "server"):
        if output:
            print_objects(ctx, [{**namespace, "spec": {}, "status": {}}], output, single=True)
        else:
            ctx.print(f"namespace/{name} created (dry run)")
        return
    created = ctx.api.create(namespace)
    if output:
        print_objects(ctx, [created], output, single=True)
    else:
        ctx.print(f"namespace/{name} created")


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
