"""``kubectl taint nodes NAME key=value:Effect``: keep pods off a node unless they tolerate it.

A taint is ``key[=value]:Effect`` with Effect ``NoSchedule`` (the scheduler places no new pod
there), ``PreferNoSchedule`` (it avoids the node) or ``NoExecute`` (running pods are evicted
too). ``key:Effect-`` removes one taint and ``key-`` every taint with that key. Re-adding a
key with the same effect needs ``--overwrite``. Source: ``staging/src/k8s.io/kubectl/pkg/cmd/
taint/taint.go`` and ``utils.go`` (``ParseTaints``).
"""

from __future__ import annotations

import copy

from k8skit.api.labels import is_qualified_name, is_valid_label_value
from k8skit.kubectl.command import Command, CommandError, Context, UsageError, targets_of
from k8skit.kubectl.commands.get import SELECTOR_FLAG, fetch
from k8skit.kubectl.flags import Flag, ParsedArgs

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def parse_taint(spec: str) -> dict:
    """``key=value:Effect`` (or ``key:Effect``) as a taint."""
    key_value, sep, effect = spec.rpartition(":")
    if not sep:
        raise CommandError(f"invalid taint spec: {spec}, unsupported taint effect")
    if effect not in EFFECTS:
        raise CommandError(f"invalid taint effect: {effect}, unsupported taint effect")
    key, _, value = key_value.partition("=")
    problems = is_qualified_name(key) + (is_valid_label_value(value) if value else [])
    if problems:
        raise CommandError(f"invalid taint spec: {spec}, {'; '.join(problems)}")
    taint = {"key": key, "effect": effect}
    if value:
        taint["value"] = value
    return taint


def parse_removal(spec: str) -> tuple[str, str]:
    """``key:Effect-`` or ``key-`` -> (key, effect or "")."""
    body = spec[:-1]
    key, _, effect = body.partition(":")
    if effect and effect not in EFFECTS:
        raise CommandError(f"invalid taint effect: {effect}, unsupported taint effect")
    return key, effect


def _describe(key: str, effect: str) -> str:
    return f"{key}:{effect}" if effect else key


def run(ctx: Context, parsed: ParsedArgs) -> None:
    # Names cannot contain "=" or ":" or end in "-"; taint specs always do.
    specs = [a for a in parsed.args if "=" in a or ":" in a or a.endswith("-")]
    resources = [a for a in parsed.args if a not in specs]
    if not specs:
        raise UsageError("at least one taint update is required")
    targets = targets_of(resources)
    if not targets or any(t.kind.kind != "Node" for t in targets):
        raise UsageError("invalid resource type: taints apply to nodes (kubectl taint nodes "
                         "NAME key=value:Effect)")
    additions = [parse_taint(s) for s in specs if not s.endswith("-")]
    removals = [parse_removal(s) for s in specs if s.endswith("-")]
    if not parsed["all"] and not parsed["selector"] and all(t.names is None for t in targets):
        raise CommandError("resource(s) were provided, but no name was specified")
    items, errors = fetch(ctx, targets, selector=parsed["selector"])
    if errors:
        raise errors[0]
    for node in items:
        taints = copy.deepcopy((node.get("spec") or {}).get("taints") or [])
        replaced = False
        for key, effect in removals:
            kept = [t for t in taints if not (t["key"] == key and effect in ("", t["effect"]))]
            if len(kept) == len(taints):
                raise CommandError(f'taint "{_describe(key, effect)}" not found')
            taints = kept
        for taint in additions:
            same = [t for t in taints if t["key"] == taint["key"]
                    and t["effect"] == taint["effect"]]
            if same and not parsed["overwrite"]:
                raise CommandError(f"node {node['metadata']['name']} already has "
                                   f"{taint['key']} taint(s) with same effect(s) and "
                                   "--overwrite is false")
            replaced = replaced or bool(same)
            taints = [t for t in taints if t not in same] + [taint]
        changed = copy.deepcopy(node)
        changed.setdefault("spec", {})
        if taints:
            changed["spec"]["taints"] = taints
        else:
            changed["spec"].pop("taints", None)
        if changed["spec"] != node.get("spec"):
            ctx.api.update(changed)
        verb = "untainted" if removals and not additions else (
            "modified" if replaced else "tainted")
        ctx.print(f"node/{node['metadata']['name']} {verb}")


COMMAND = Command(
    name="taint",
    short="Update the taints on one or more nodes.",
    usage="kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N "
          "[options]",
    run=run,
    examples="""  # Update node 'foo' with a taint with key 'dedicated' and value 'special-user'
  # and effect 'NoSchedule'
  # If a taint with that key and effect already exists, its value is replaced as specified
  kubectl taint nodes foo dedicated=special-user:NoSchedule

  # Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists
  kubectl taint nodes foo dedicated:NoSchedule-

  # Remove from node 'foo' all the taints with key 'dedicated'
  kubectl taint nodes foo dedicated-
""",
    flags=(
        Flag("overwrite", kind="bool", help="If true, allow taints to be overwritten, otherwise "
             "reject taint updates that overwrite existing taints."),
        Flag("all", kind="bool", help="Select all nodes in the cluster"),
        SELECTOR_FLAG,
    ),
)
