"""``kubectl get``: list objects as tables, or print them whole (staging/.../cmd/get/get.go).

What a learner will notice, reproduced from ``GetOptions.Run``:

- several kinds at once (``get pods,services``, ``get all``) print one table per kind, separated
  by a blank line, and every name gets its kind in front (``pod/web``);
- ``-A`` adds a NAMESPACE column; ``-o wide`` adds the priority-1 columns;
- nothing to show prints ``No resources found in default namespace.`` on stderr and succeeds;
- a missing named object prints the server's NotFound line on stderr, after whatever was found;
- ``-o yaml``/``json`` print one named object as itself and anything else as a ``kind: List``.
"""

from __future__ import annotations

from k8skit.api.errors import APIError, BadRequest
from k8skit.api.kinds import KINDS
from k8skit.api.labels import SelectorError
from k8skit.kubectl.command import (
    Command,
    CommandError,
    Context,
    Exit,
    Target,
    UsageError,
    single_item_implied,
    targets_of,
)
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.printers import jsonpath, objects
from k8skit.kubectl.printers.tables import TableOptions, render_rows, table_rows
from k8skit.kubectl.resources import FILENAME_FLAG, targets_from_files

ALLOWED_FORMATS = ("custom-columns,custom-columns-file,go-template,go-template-file,json,"
                   "jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml")

OUTPUT_FLAG = Flag("output", "o", help="Output format. One of: (json, yaml, name, wide, "
                   "jsonpath=..., custom-columns=...).")
SELECTOR_FLAG = Flag("selector", "l", help="Selector (label query) to filter on, supports "
                     "'=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2).")
ALL_NAMESPACES_FLAG = Flag("all-namespaces", "A", "bool", help="If present, list the requested "
                           "object(s) across all namespaces.")


def check_output_format(output: str) -> None:
    name = output.split("=", 1)[0]
    if output and name not in ("wide", "yaml", "json", "name", "jsonpath", "custom-columns"):
        raise CommandError(f'unable to match a printer suitable for the output format '
                           f'"{output}", allowed formats are: {ALLOWED_FORMATS}')


def print_objects(ctx: Context, items: list[dict], output: str, single: bool,
                  no_headers: bool = False) -> None:
    """Whole objects in a non-table format (``-o yaml|json|name|jsonpath=|custom-columns=``)."""
    data = items[0] if single and len(items) == 1 else objects.as_list(items)
    if output == "name":
        for obj in items:
            ctx.print(objects.resource_name(obj))
    elif output == "yaml":
        ctx.out.write(objects.to_yaml(data))
    elif output == "json":
        ctx.out.write(objects.to_json(data))
    elif output.startswith("jsonpath="):
        try:
            ctx.out.write(objects.to_jsonpath(output[len("jsonpath="):], data))
        except jsonpath.JSONPathError as error:
            raise CommandError(f"error parsing jsonpath {output[len('jsonpath='):]}, "
                               f"{error}") from None
    elif output.startswith("custom-columns="):
        try:
            ctx.out.write(objects.to_custom_columns(output[len("custom-columns="):], items,
                                                    no_headers))
        except (objects.CustomColumnsError, jsonpath.JSONPathError) as error:
            raise CommandError(str(error)) from None


def _sort_key(value: object) -> tuple:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return (1, str(value))
    return (0, value)


def sort_items(items: list[dict], sort_by: str) -> list[dict]:
    """``--sort-by=.metadata.creationTimestamp``: a stable sort on one field."""
    try:
        nodes = jsonpath.parse(jsonpath.relaxed(sort_by))
    except jsonpath.JSONPathError as error:
        raise CommandError(str(error)) from None
    keyed = []
    for obj in items:
        found = jsonpath.values(nodes, obj)
        keyed.append((_sort_key(found[0]) if found else (-1, ""), obj))
    return [obj for _, obj in sorted(keyed, key=lambda pair: pair[0])]


def fetch(ctx: Context, targets: list[Target], all_namespaces: bool = False,
          selector: str = "", field_selector: str = "",
          ignore_not_found: bool = False) -> tuple[list[dict], list[APIError]]:
    """The objects the targets name (or all of their kinds), and the errors met on the way."""
    items: list[dict] = []
    errors: list[APIError] = []
    for kind in {target.kind.kind: target.kind for target in targets}.values():
        if kind.deprecation:
            ctx.warn(f"Warning: {kind.deprecation}")
    for target in targets:
        kind = target.kind
        namespace = None if all_namespaces or not kind.namespaced else (
            target.namespace or ctx.namespace)
        if target.names is not None:
            for name in target.names:
                try:
                    items.append(ctx.api.get(kind.kind, name, namespace))
                except APIError as error:
                    if not ignore_not_found or error.reason != "NotFound":
                        errors.append(error)
            continue
        try:
            items.extend(ctx.api.list(kind.kind, namespace=namespace,
                                      label_selector=selector or None,
                                      field_selector=field_selector or None))
        except SelectorError as error:
            resource = f"{kind.api_version}, Resource={kind.plural}"
            resource = resource if "/" in kind.api_version else "/" + resource
            raise BadRequest(f'Unable to find "{resource}" that match label selector '
                             f'"{selector}", field selector "{field_selector}": {error}') from None
    return items, errors


def print_tables(ctx: Context, items: list[dict], options: TableOptions) -> None:
    """One table per run of objects of the same kind, separated by blank lines."""
    kinds = {obj["kind"] for obj in items}
    groups: list[list[dict]] = []
    for obj in items:
        if groups and groups[-1][0]["kind"] == obj["kind"]:
            groups[-1].append(obj)
        else:
            groups.append([obj])
    written = False
    for group in groups:
        kind = KINDS[group[0]["kind"]]
        group_options = TableOptions(
            wide=options.wide,
            with_namespace=options.with_namespace and kind.namespaced,
            kind_prefix=kind.resource if len(kinds) > 1 else "",
            show_labels=options.show_labels, label_columns=options.label_columns,
            no_headers=options.no_headers)
        text = render_rows(table_rows(kind.kind, group, ctx.now, group_options))
        if written and not options.no_headers:
            ctx.out.write("\n")
        ctx.out.write(text)
        written = True


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    if parsed["watch"] or parsed["watch-only"]:
        raise CommandError("watching is not possible in the simulator: the cluster only moves "
                           "when its clock runs. Run the clock (cluster.run(seconds)) and get "
                           "again.")
    if parsed["show-labels"] and output not in ("", "wide"):
        raise CommandError(f"--show-labels option cannot be used with {output} printer")
    all_namespaces = parsed["all-namespaces"]
    if parsed["filename"]:
        targets = targets_from_files(ctx, parsed["filename"])
        single = False
    else:
        targets = targets_of(parsed.args)
        single = single_item_implied(parsed.args)
    if not targets:
        ctx.warn('You must specify the type of resource to get. Use "kubectl api-resources" '
                 'for a complete list of supported resources.\n')
        raise UsageError('Required resource not specified.\nUse "kubectl explain <resource>" '
                         'for a detailed description of that resource (e.g. kubectl explain '
                         'pods).')
    named = any(t.names is not None for t in targets)
    if named and parsed["selector"]:
        raise CommandError("name cannot be provided when a selector is specified")
    if named and all_namespaces and not parsed["filename"]:
        raise CommandError("a resource cannot be retrieved by name across all namespaces")
    items, errors = fetch(ctx, targets, all_namespaces, parsed["selector"],
                          parsed["field-selector"], parsed["ignore-not-found"])
    if parsed["sort-by"]:
        items = sort_items(items, parsed["sort-by"])
    if output in ("", "wide"):
        if items:
            print_tables(ctx, items, TableOptions(
                wide=output == "wide", with_namespace=all_namespaces,
                show_labels=parsed["show-labels"],
                label_columns=tuple(parsed["label-columns"]),
                no_headers=parsed["no-headers"]))
        elif not errors and not parsed["ignore-not-found"]:
            if all(t.kind.namespaced for t in targets) and not all_namespaces:
                ctx.warn(f"No resources found in {ctx.namespace} namespace.")
            else:
                ctx.warn("No resources found")
    elif items or not single:
        print_objects(ctx, items, output, single and not errors, parsed["no-headers"])
    for error in errors:
        ctx.report(error)
    if errors:
        raise Exit(1)


COMMAND = Command(
    name="get",
    short="Display one or many resources.",
    usage="kubectl get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] "
          "(TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) "
          "[flags] [options]",
    run=run,
    examples="""  # List all pods in ps output format
  kubectl get pods

  # List all pods in ps output format with more information (such as node name)
  kubectl get pods -o wide

  # List a single pod in JSON output format
  kubectl get -o json pod web

  # List all replication controllers and services together in ps output format
  kubectl get rc,services

  # Return only the phase value of the specified pod
  kubectl get -o jsonpath='{.status.phase}' pod web
""",
    flags=(
        OUTPUT_FLAG, SELECTOR_FLAG, ALL_NAMESPACES_FLAG,
        Flag("field-selector", help="Selector (field query) to filter on, supports '=', '==', "
             "and '!='.(e.g. --field-selector key1=value1,key2=value2)."),
        Flag("show-labels", kind="bool", help="When printing, show all labels as the last "
             "column (default hide labels column)."),
        Flag("label-columns", "L", "strings", help="Accepts a comma separated list of labels "
             "that are going to be presented as columns."),
        Flag("no-headers", kind="bool", help="When using the default or custom-column output "
             "format, don't print headers (default print headers)."),
        Flag("sort-by", help="If non-empty, sort list types using this field specification."),
        Flag("ignore-not-found", kind="bool", help="If set to true, suppresses NotFound error "
             "for specific objects that do not exist."),
        Flag("watch", "w", "bool", help="After listing/getting the requested object, watch for "
             "changes (not possible in the simulator)."),
        Flag("watch-only", kind="bool"),
        FILENAME_FLAG,
    ),
)
