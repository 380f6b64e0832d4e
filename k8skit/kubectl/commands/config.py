"""``kubectl config``: the kubeconfig of the simulated cluster.

There is one cluster, one user and one context, all named ``k8skit``. The useful part for a
learner is the context's namespace: ``kubectl config set-context --current --namespace=dev``
makes ``dev`` the namespace of every later command without ``-n``. Source:
``staging/src/k8s.io/kubectl/pkg/cmd/config/``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, CommandError, Context, UsageError
from k8skit.kubectl.commands.cluster_info import api_server_url
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.printers.objects import to_yaml
from k8skit.kubectl.printers.tables import render_rows

SUBCOMMANDS = ("current-context", "get-contexts", "set-context", "use-context", "view")


def run(ctx: Context, parsed: ParsedArgs) -> None:
    if not parsed.args:
        raise UsageError("a config subcommand is required: " + ", ".join(SUBCOMMANDS))
    sub, rest = parsed.args[0], parsed.args[1:]
    config = ctx.config
    if sub == "current-context":
        ctx.print(config.name)
    elif sub == "get-contexts":
        if rest and rest[0] != config.name:
            raise CommandError(f'context {rest[0]} not found')
        rows = [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"],
                ["*", config.name, config.name, config.name, config.namespace]]
        ctx.out.write(render_rows(rows))
    elif sub == "use-context":
        if rest != [config.name]:
            raise CommandError(f'no context exists with the name: "{" ".join(rest)}"')
        ctx.print(f'Switched to context "{config.name}".')
    elif sub == "set-context":
        if not parsed["current"] and rest != [config.name]:
            raise CommandError("you must specify a current context or --current")
        if parsed.given("namespace"):
            config.namespace = parsed["namespace"]
        ctx.print(f'Context "{config.name}" modified.')
    elif sub == "view":
        context = {"cluster": config.name, "user": config.name}
        if config.namespace:
            context["namespace"] = config.namespace
        ctx.out.write(to_yaml({
            "apiVersion": "v1",
            "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED",
                                      "server": api_server_url(ctx.api)}, "name": config.name}],
            "contexts": [{"context": context, "name": config.name}],
            "current-context": config.name,
            "kind": "Config",
            "preferences": {},
            "users": [{"name": config.name, "user": {"client-certificate-data": "DATA+OMITTED",
                                                     "client-key-data": "DATA+OMITTED"}}],
        }))
    else:
        raise CommandError(f'unknown command "{sub}" for "kubectl config"')


COMMAND = Command(
    name="config",
    short="Modify kubeconfig files.",
    usage="kubectl config SUBCOMMAND [options]",
    run=run,
    examples="""  # Display the current context
  kubectl config current-context

  # Make "dev" the namespace of the current context
  kubectl config set-context --current --namespace=dev
""",
    flags=(Flag("current", kind="bool", help="Modify the current context"),),
)
