"""``kubectl describe``: the detailed, human view of objects and their events.

``kubectl describe pods web`` describes the pod named ``web``; if there is none, it describes
every pod whose name *starts* with ``web`` (handy for pods with generated suffixes), and only
then reports NotFound. ``kubectl describe pods`` describes them all. Several descriptions are
separated by two blank lines. Source: ``staging/src/k8s.io/kubectl/pkg/cmd/describe/
describe.go``; the describers themselves are in :mod:`k8skit.kubectl.printers.describe`.
"""

from __future__ import annotations

from k8skit.api.errors import APIError
from k8skit.kubectl.command import Command, Context, Exit, UsageError, targets_of
from k8skit.kubectl.commands.get import ALL_NAMESPACES_FLAG, SELECTOR_FLAG
from k8skit.kubectl.flags import ParsedArgs
from k8skit.kubectl.printers.describers import describe
from k8skit.kubectl.resources import FILENAME_FLAG, targets_from_files


def run(ctx: Context, parsed: ParsedArgs) -> None:
    if parsed["filename"]:
        targets = targets_from_files(ctx, parsed["filename"])
    else:
        targets = targets_of(parsed.args)
    if not targets:
        ctx.warn('You must specify the type of resource to describe. Use "kubectl '
                 'api-resources" for a complete list of supported resources.\n')
        raise UsageError("Required resource not specified.")
    found: list[dict] = []
    errors: list[APIError] = []
    for target in targets:
        kind = target.kind
        namespace = None if parsed["all-namespaces"] or not kind.namespaced else (
            target.namespace or ctx.namespace)
        if target.names is None:
            found.extend(ctx.api.list(kind.kind, namespace=namespace,
                                      label_selector=parsed["selector"] or None))
            continue
        for name in target.names:
            try:
                found.append(ctx.api.get(kind.kind, name, namespace))
            except APIError as error:
                prefixed = [obj for obj in ctx.api.list(kind.kind, namespace=namespace)
                            if obj["metadata"]["name"].startswith(name)]
                if not prefixed:
                    errors.append(error)
                found.extend(prefixed)
    texts = [describe(ctx.api, obj, ctx.now) for obj in found]
    ctx.out.write("\n\n".join(texts))
    if not found and not errors:
        if all(t.kind.namespaced for t in targets) and not parsed["all-namespaces"]:
            ctx.warn(f"No resources found in {ctx.namespace} namespace.")
        else:
            ctx.warn("No resources found")
    for error in errors:
        ctx.report(error)
    if errors:
        raise Exit(1)


COMMAND = Command(
    name="describe",
    short="Show details of a specific resource or group of resources.",
    usage="kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]",
    run=run,
    examples="""  # Describe a node
  kubectl describe nodes worker-1

  # Describe a pod
  kubectl describe pods/nginx

  # Describe all pods managed by the 'frontend' replication controller
  kubectl describe pods frontend
""",
    flags=(FILENAME_FLAG, SELECTOR_FLAG, ALL_NAMESPACES_FLAG),
)
