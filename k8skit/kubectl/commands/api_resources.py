"""``kubectl api-resources``: the kinds this cluster serves, from the API's discovery.

Columns NAME SHORTNAMES APIVERSION NAMESPACED KIND, sorted by group then name as upstream
(``staging/src/k8s.io/kubectl/pkg/cmd/apiresources/apiresources.go``). The simulator serves
only the kinds in :mod:`k8skit.api.kinds`.
"""

from __future__ import annotations

from k8skit.api.kinds import KINDS
from k8skit.kubectl.command import Command, Context
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.printers.tables import render_rows


def run(ctx: Context, parsed: ParsedArgs) -> None:
    kinds = sorted(KINDS.values(), key=lambda k: (k.group, k.plural))
    if parsed.given("namespaced"):
        wanted = parsed["namespaced"] == "true"
        kinds = [k for k in kinds if k.namespaced == wanted]
    if parsed["output"] == "name":
        for kind in kinds:
            ctx.print(kind.plural_resource)
        return
    rows = [] if parsed["no-headers"] else [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED",
                                             "KIND"]]
    for kind in kinds:
        rows.append([kind.plural, ",".join(kind.short_names), kind.api_version,
                     "true" if kind.namespaced else "false", kind.kind])
    ctx.out.write(render_rows(rows))


COMMAND = Command(
    name="api-resources",
    short="Print the supported API resources on the server.",
    usage="kubectl api-resources [flags] [options]",
    run=run,
    examples="""  # Print the supported API resources
  kubectl api-resources

  # Print the supported namespaced resources
  kubectl api-resources --namespaced=true
""",
    flags=(
        Flag("namespaced", default="", help="If false, non-namespaced resources will be "
             "returned, otherwise returning namespaced resources by default."),
        Flag("output", "o", help="Output format. One of: (wide, name)."),
        Flag("no-headers", kind="bool", help="When using the default or custom-column output "
             "format, don't print headers (default print headers)."),
    ),
)
