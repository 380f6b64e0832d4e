"""``kubectl apply -f`` and ``kubectl create -f``: send manifests to the API server.

``create`` only creates, and fails with AlreadyExists if the object is there. ``apply`` is
declarative: it creates what is missing and otherwise *patches* the live object so that it
matches the manifest, without touching what others (controllers, defaulting, ``kubectl scale``)
set and the manifest never mentioned. To know which fields the manifest used to set, apply
keeps a copy of the last manifest in the ``kubectl.kubernetes.io/last-applied-configuration``
annotation and computes a *three-way merge* from

- the last applied manifest (what apply set last time),
- the new manifest (what it should set now),
- the live object (what is there now):

a field in the new manifest that differs from the live one is set; a field that was in the last
manifest and is gone from the new one is removed; anything else stays. Lists of named things
(containers, env, ports, volumes ...) merge item by item on their key, as strategic merge patch
does; other lists are replaced whole. When the patch changes nothing kubectl says
``unchanged``, otherwise ``configured``.

Sources: ``staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go`` and ``patcher.go``,
``staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go`` (the merge keys are the
``patchMergeKey`` tags of ``k8s.io/api/core/v1/types.go``), ``cmd/create/create.go``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from k8skit.api.errors import APIError, Invalid
from k8skit.api.kinds import KINDS, kind_for
from k8skit.api.manifests import Document, load_documents
from k8skit.kubectl.command import Command, CommandError, Context, Exit
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format, print_objects
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.printers.objects import resource_name
from k8skit.kubectl.resources import FILENAME_FLAG, namespace_of, read_documents

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# Lists whose items are matched by a key when patching (patchMergeKey in the API types).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "env": "name", "volumes": "name", "volumeMounts": "mountPath", "imagePullSecrets": "name",
    "ports": None,  # containerPort for containers, port for services: see _merge_key
    "conditions": "type", "hostAliases": "ip", "volumeDevices": "devicePath",
}


def _merge_key(field: str, items: list) -> str | None:
    if field == "ports":
        sample = next((item for item in items if isinstance(item, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return MERGE_KEYS.get(field)


class _Delete:
    """A patch entry that removes the field."""


DELETE = _Delete()


def three_way_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """What to change in ``current`` so that it matches ``modified``, and what to remove
    because ``original`` set it and ``modified`` no longer does."""
    patch: dict = {}
    for key, value in modified.items():
        live = current.get(key) if isinstance(current, dict) else None
        before = original.get(key) if isinstance(original, dict) else None
        if isinstance(value, dict) and isinstance(live, dict):
            sub = three_way_patch(before if isinstance(before, dict) else None, value, live)
            if sub:
                patch[key] = sub
        elif isinstance(value, list) and isinstance(live, list) and _merge_key(key, value) \
                and all(isinstance(item, dict) for item in value + live):
            merged = _merge_list(key, before if isinstance(before, list) else [], value, live)
            if merged != live:
                patch[key] = merged
        elif value != live or key not in current:
            patch[key] = copy.deepcopy(value)
    for key in original or {}:
        if key not in modified and key in current:
            patch[key] = DELETE
    return patch


def _merge_list(field: str, original: list, modified: list, current: list) -> list:
    """Items of ``current`` patched by key; items only the last manifest had are dropped."""
    key = _merge_key(field, modified)
    by_key = {item.get(key): item for item in current}
    before = {item.get(key): item for item in original if isinstance(item, dict)}
    result = []
    for item in modified:
        live = by_key.get(item.get(key))
        if live is None:
            result.append(copy.deepcopy(item))
        else:
            result.append(apply_patch(live, three_way_patch(before.get(item.get(key)), item,
                                                            live)))
    wanted = {item.get(key) for item in modified}
    for item in current:
        name = item.get(key)
        if name not in wanted and name not in before:
            result.append(copy.deepcopy(item))  # added by someone else: keep it
    return result


def apply_patch(current: dict, patch: dict) -> dict:
    result = copy.deepcopy(current)
    for key, value in patch.items():
        if value is DELETE:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = apply_patch(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def last_applied_of(obj: dict) -> dict | None:
    text = (obj["metadata"].get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def with_last_applied(obj: dict) -> dict:
    """The manifest with its own copy in the annotation, as kubectl sends it.

    The copy is compact JSON with sorted keys and a final newline, taken without the
    annotation itself (so an empty ``annotations: {}`` stays in it, as on a real cluster).
    """
    obj = copy.deepcopy(obj)
    annotations = obj.setdefault("metadata", {}).setdefault("annotations", {})
    annotations.pop(LAST_APPLIED, None)
    text = json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
    annotations[LAST_APPLIED] = text
    return obj


def _with_source(error: APIError, verb: str, source: str) -> APIError:
    """``error when creating "web.yaml": ...`` (cmdutil.AddSourceToErr); Invalid errors print
    their causes instead and are left as they are."""
    if isinstance(error, Invalid):
        return error
    wrapped = APIError(f'error when {verb} "{source}": {error.message}')
    wrapped.reason, wrapped.code = error.reason, error.code
    return wrapped


def apply_document(api, document: Document, namespace: str | None, dry_run: bool = False,
                   warn=None) -> str:
    """Apply one object; returns kubectl's line (``pod/web created``). Raises APIError."""
    obj = copy.deepcopy(document.object)
    kind = kind_for(obj["apiVersion"], obj["kind"])
    meta = obj.setdefault("metadata", {})
    if kind.namespaced:
        meta["namespace"] = namespace or meta.get("namespace") or "default"
    name = meta.get("name", "")
    modified = with_last_applied(obj)
    live = api.try_get(kind.kind, name, meta.get("namespace")) if name else None
    suffix = " (dry run)" if dry_run else ""
    if live is None:
        if not dry_run:
            try:
                api.create(modified)
            except APIError as error:
                raise _with_source(error, "creating", document.source) from None
        return f"{resource_name(obj)} created{suffix}"
    original = last_applied_of(live)
    if original is None and warn is not None:
        warn(f"Warning: resource {kind.plural}/{name} is missing the {LAST_APPLIED} "
             "annotation which is required by kubectl apply. kubectl apply should only be "
             "used on resources created declaratively by either kubectl create --save-config "
             "or kubectl apply. The missing annotation will be patched automatically.")
    patched = apply_patch(live, three_way_patch(original, modified, live))
    if patched == live:
        return f"{resource_name(obj)} unchanged{suffix}"
    if not dry_run:
        try:
            api.update(patched)
        except APIError as error:
            raise _with_source(error, "patching", document.source) from None
    return f"{resource_name(obj)} configured{suffix}"


def apply_manifests(api, text_or_path: str | Path) -> list[str]:
    """The Python side of ``kubectl apply -f``: apply YAML text, a file or a folder.

    Returns kubectl's lines; raises ManifestError for a manifest kubectl would refuse and
    APIError for one the API server refuses (stopping at the first).
    """
    return [apply_document(api, document, None) for document in load_documents(text_or_path)]


def create_document(api, document: Document, namespace: str | None, save_config: bool,
                    dry_run: bool = False) -> str:
    obj = copy.deepcopy(document.object)
    kind = kind_for(obj["apiVersion"], obj["kind"])
    if kind.namespaced:
        obj.setdefault("metadata", {})["namespace"] = namespace or "default"
    if save_config:
        obj = with_last_applied(obj)
    if not dry_run:
        try:
            api.create(obj)
        except APIError as error:
            raise _with_source(error, "creating", document.source) from None
    return f"{resource_name(obj)} created{' (dry run)' if dry_run else ''}"


def _dry_run(parsed: ParsedArgs) -> bool:
    value = parsed["dry-run"]
    if value not in ("", "none", "client", "server"):
        raise CommandError(f'Invalid dry-run value ({value}). Must be "none", "server", or '
                           '"client".')
    return value in ("client", "server")


def _run(ctx: Context, parsed: ParsedArgs, verb: str) -> None:
    output = parsed["output"]
    check_output_format(output)
    if not parsed["filename"]:
        if verb == "create" and parsed.args:
            raise CommandError(f'creating "{parsed.args[0]}" from the command line is not '
                               "part of the simulator; write a manifest and use "
                               "kubectl create -f")
        raise CommandError("must specify one of -f and -k")
    if parsed.args:
        raise CommandError(f"Unexpected args: {parsed.args}\nSee 'kubectl {verb} -h' for "
                           "help and examples")
    dry_run = _dry_run(parsed)
    documents = read_documents(ctx, parsed["filename"], parsed["recursive"])
    if not documents:
        raise CommandError("no objects passed to " + verb)
    failed = False
    shown: list[dict] = []
    for document in documents:
        try:
            namespace = namespace_of(ctx, document)
            if verb == "apply":
                line = apply_document(ctx.api, document, namespace, dry_run, ctx.warn)
            else:
                line = create_document(ctx.api, document, namespace, parsed["save-config"],
                                       dry_run)
        except (APIError, CommandError) as error:
            ctx.report(error)
            failed = True
            continue
        if output:
            obj = document.object
            kind = KINDS[kind_for(obj["apiVersion"], obj["kind"]).kind]
            live = ctx.api.try_get(kind.kind, obj["metadata"].get("name", ""),
                                   namespace) if not dry_run else None
            shown.append(live or obj)
        else:
            ctx.print(line)
    if shown:
        print_objects(ctx, shown, output, single=len(shown) == 1)
    if failed:
        raise Exit(1)


def run_apply(ctx: Context, parsed: ParsedArgs) -> None:
    _run(ctx, parsed, "apply")


def run_create(ctx: Context, parsed: ParsedArgs) -> None:
    _run(ctx, parsed, "create")


_COMMON_FLAGS = (
    FILENAME_FLAG, OUTPUT_FLAG,
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename "
         "recursively."),
    Flag("dry-run", optional_value="client", help='Must be "none", "server", or "client". If '
         "client strategy, only print the object that would be sent, without sending it."),
    Flag("validate", default="strict", optional_value="strict"),
)

APPLY = Command(
    name="apply",
    short="Apply a configuration to a resource by file name or stdin.",
    usage="kubectl apply (-f FILENAME | -k DIRECTORY) [options]",
    run=run_apply,
    examples="""  # Apply the configuration in pod.yaml to a pod
  kubectl apply -f ./pod.yaml

  # Apply the YAML passed into stdin to a pod
  cat pod.yaml | kubectl apply -f -
""",
    flags=_COMMON_FLAGS,
)

CREATE = Command(
    name="create",
    short="Create a resource from a file or from stdin.",
    usage="kubectl create -f FILENAME [options]",
    run=run_create,
    examples="""  # Create a pod using the data in pod.yaml
  kubectl create -f ./pod.yaml
""",
    flags=(*_COMMON_FLAGS, Flag("save-config", kind="bool", help="If true, the configuration "
                                "of current object will be saved in its annotation.")),
)
