"""``kubectl cordon`` / ``uncordon``: stop (or resume) scheduling new pods onto a node.

Cordoning sets ``spec.unschedulable: true``; pods already there keep running, and ``kubectl get
nodes`` shows ``Ready,SchedulingDisabled``. (``drain`` also evicts the pods.) Source:
``staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go`` (cordon and uncordon live there).
"""

from __future__ import annotations

import copy

from k8skit.kubectl.command import Command, Context, UsageError
from k8skit.kubectl.commands.get import SELECTOR_FLAG
from k8skit.kubectl.flags import ParsedArgs


def _set_unschedulable(ctx: Context, parsed: ParsedArgs, unschedulable: bool) -> None:
    verb = "cordon" if unschedulable else "uncordon"
    if parsed["selector"]:
        nodes = ctx.api.list("Node", label_selector=parsed["selector"])
    elif len(parsed.args) == 1:
        nodes = [ctx.api.get("Node", parsed.args[0].removeprefix("node/"), None)]
    else:
        raise UsageError(f"USAGE: {verb} NODE [flags]")
    for node in nodes:
        name = node["metadata"]["name"]
        if bool((node.get("spec") or {}).get("unschedulable")) == unschedulable:
            ctx.print(f"node/{name} already {verb}ed")
            continue
        changed = copy.deepcopy(node)
        changed.setdefault("spec", {})
        if unschedulable:
            changed["spec"]["unschedulable"] = True
        else:
            changed["spec"].pop("unschedulable", None)
        ctx.api.update(changed)
        ctx.print(f"node/{name} {verb}ed")


def run_cordon(ctx: Context, parsed: ParsedArgs) -> None:
    _set_unschedulable(ctx, parsed, True)


def run_uncordon(ctx: Context, parsed: ParsedArgs) -> None:
    _set_unschedulable(ctx, parsed, False)


CORDON = Command(
    name="cordon",
    short="Mark node as unschedulable.",
    usage="kubectl cordon NODE [options]",
    run=run_cordon,
    examples="  # Mark node \"foo\" as unschedulable\n  kubectl cordon foo\n",
    flags=(SELECTOR_FLAG,),
)

UNCORDON = Command(
    name="uncordon",
    short="Mark node as schedulable.",
    usage="kubectl uncordon NODE [options]",
    run=run_uncordon,
    examples="  # Mark node \"foo\" as schedulable\n  kubectl uncordon foo\n",
    flags=(SELECTOR_FLAG,),
)
