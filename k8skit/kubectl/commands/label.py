"""``kubectl label`` and ``kubectl annotate``: add, change or remove metadata on objects.

``key=value`` sets, ``key-`` removes. Changing a key that already has a value needs
``--overwrite`` (``error: 'app' already has a value (web), and --overwrite is false``): labels
select objects, so silently changing one could move a pod out of its Service. The result line
says ``labeled``, ``unlabeled`` (only removals) or ``not labeled`` (nothing changed), and
``annotated`` for annotations. Sources: ``staging/src/k8s.io/kubectl/pkg/cmd/label/label.go``
and ``annotate/annotate.go``.
"""

from __future__ import annotations

import copy

from k8skit.api.errors import APIError
from k8skit.api.kinds import KINDS
from k8skit.kubectl.command import Command, CommandError, Context, Exit, UsageError, targets_of
from k8skit.kubectl.commands.get import ALL_NAMESPACES_FLAG, SELECTOR_FLAG, fetch
from k8skit.kubectl.flags import Flag, ParsedArgs


def parse_changes(args: list[str], what: str) -> tuple[list[str], dict[str, str], list[str]]:
    """Split arguments into resources, ``key=value`` changes and ``key-`` removals."""
    resources, new, removed = [], {}, []
    for arg in args:
        if "=" in arg:
            key, _, value = arg.partition("=")
            if not key or key in new:
                raise CommandError(f"invalid {what} spec: {arg}")
            new[key] = value
        elif arg.endswith("-") and len(arg) > 1 and (new or removed or resources):
            removed.append(arg[:-1])
        else:
            resources.append(arg)
    for key in removed:
        if key in new:
            raise CommandError(f"can not both modify and remove {what}s in the same command")
    return resources, new, removed


def _run(ctx: Context, parsed: ParsedArgs, field: str) -> None:
    what = "label" if field == "labels" else "annotation"
    resources, new, removed = parse_changes(parsed.args, what)
    if not new and not removed and not parsed["list"]:
        raise UsageError(f"at least one {what} update is required")
    targets = targets_of(resources)
    if not targets:
        raise UsageError("one or more resources must be specified as <resource> <name> or "
                         "<resource>/<name>")
    if not any(t.names is not None for t in targets) and not parsed["all"] \
            and not parsed["selector"]:
        raise CommandError("resource(s) were provided, but no name was specified")
    items, errors = fetch(ctx, targets, parsed["all-namespaces"], parsed["selector"])
    for obj in items:
        meta = obj["metadata"]
        resource = f"{KINDS[obj['kind']].resource}/{meta['name']}"
        if parsed["list"]:
            for key, value in sorted((meta.get(field) or {}).items()):
                ctx.print(f"{key}={value}")
            continue
        current = dict(meta.get(field) or {})
        try:
            for key, value in new.items():
                if key in current and current[key] != value and not parsed["overwrite"]:
                    raise CommandError(f"'{key}' already has a value ({current[key]}), and "
                                       "--overwrite is false")
            updated = dict(current)
            for key in removed:
                if key not in updated:
                    ctx.print(f'{what} "{key}" not found.')
                updated.pop(key, None)
            updated.update(new)
        except CommandError as error:
            ctx.report(error)
            raise Exit(1) from None
        if field == "labels":
            if updated == current:
                message = "not labeled"
            elif not parsed["overwrite"] and len(updated) < len(current):
                message = "unlabeled"
            else:
                message = "labeled"
        else:
            message = "annotated"
        if updated != current:
            changed = copy.deepcopy(obj)
            if updated:
                changed["metadata"][field] = updated
            else:
                changed["metadata"].pop(field, None)
            try:
                ctx.api.update(changed)
            except APIError as error:
                errors.append(error)
                continue
        ctx.print(f"{resource} {message}")
    for error in errors:
        ctx.report(error)
    if errors:
        raise Exit(1)


def run_label(ctx: Context, parsed: ParsedArgs) -> None:
    _run(ctx, parsed, "labels")


def run_annotate(ctx: Context, parsed: ParsedArgs) -> None:
    _run(ctx, parsed, "annotations")


def _flags(what: str) -> tuple[Flag, ...]:
    return (
        Flag("overwrite", kind="bool", help=f"If true, allow {what}s to be overwritten, "
             f"otherwise reject {what} updates that overwrite existing {what}s."),
        Flag("all", kind="bool", help="Select all resources, in the namespace of the specified "
             "resource types"),
        Flag("list", kind="bool", help=f"If true, display the {what}s for a given resource."),
        SELECTOR_FLAG, ALL_NAMESPACES_FLAG,
    )


LABEL = Command(
    name="label",
    short="Update the labels on a resource.",
    usage="kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N "
          "[--resource-version=version] [options]",
    run=run_label,
    examples="""  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
  kubectl label pods foo unhealthy=true

  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting
  # any existing value
  kubectl label --overwrite pods foo status=unhealthy

  # Update pod 'foo' by removing a label named 'bar' if it exists
  kubectl label pods foo bar-
""",
    flags=_flags("label"),
)

ANNOTATE = Command(
    name="annotate",
    short="Update the annotations on a resource.",
    usage="kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N "
          "[--resource-version=version] [options]",
    run=run_annotate,
    examples="""  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  kubectl annotate pods foo description='my frontend'

  # Update pod 'foo' by removing an annotation named 'description' if it exists
  kubectl annotate pods foo description-
""",
    flags=_flags("annotation"),
)
