"""``kubectl scale deployment/web --replicas=4``: set how many pods a workload wants.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/scale/scale.go`` and ``pkg/scale`` (the
``/scale`` subresource). Only ``spec.replicas`` changes; the Deployment (or ReplicaSet)
controller does the rest, so ``deployment.apps/web scaled`` is printed before any pod moves.
``--current-replicas`` and ``--resource-version`` are preconditions: the scale only happens if
the object still has that size or version, so two people scaling at once cannot silently
overwrite each other.
"""

from __future__ import annotations

import copy

from k8skit.api.errors import APIError
from k8skit.api.kinds import KINDS
from k8skit.kubectl.command import Command, CommandError, Context, Exit
from k8skit.kubectl.commands.get import SELECTOR_FLAG
from k8skit.kubectl.commands.mutation import (
    RECORD_DEPRECATION,
    RECORD_FLAG,
    objects_named,
    record_change_cause,
)
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.resources import FILENAME_FLAG

# The kinds with a /scale subresource that the simulated API server serves.
SCALABLE_KINDS = ("Deployment", "ReplicaSet")


def run(ctx: Context, parsed: ParsedArgs) -> None:
    if not parsed.given("replicas"):
        raise CommandError('required flag(s) "replicas" not set')
    if parsed["replicas"] < 0:
        raise CommandError("The --replicas=COUNT flag is required, and COUNT must be greater "
                           "than or equal to 0")
    if parsed["record"]:
        ctx.warn(RECORD_DEPRECATION)
    items, errors = objects_named(ctx, parsed.args, parsed)
    for error in errors:
        ctx.report(error)
    if not items and not errors:
        raise CommandError("no objects passed to scale")
    failed = bool(errors)
    for obj in items:
        try:
            _scale(ctx, obj, parsed)
        except (APIError, CommandError) as error:
            ctx.report(error)
            failed = True
    if failed:
        raise Exit(1)


def _scale(ctx: Context, obj: dict, parsed: ParsedArgs) -> None:
    meta = obj["metadata"]
    if obj["kind"] not in SCALABLE_KINDS:
        error = APIError("the server could not find the requested resource")
        error.reason, error.code = "NotFound", 404
        raise error
    current = obj["spec"].get("replicas", 1)
    if parsed["current-replicas"] >= 0 and parsed["current-replicas"] != current:
        raise CommandError(f"Expected replicas to be {parsed['current-replicas']}, "
                           f"was {current}")
    version = parsed["resource-version"]
    if version and version != meta.get("resourceVersion"):
        raise CommandError(f"Expected resource version to be {version}, "
                           f"was {meta.get('resourceVersion')}")
    scaled = copy.deepcopy(obj)
    scaled["spec"]["replicas"] = parsed["replicas"]
    record_change_cause(ctx, scaled, COMMAND, parsed)
    ctx.api.update(scaled)
    ctx.print(f"{KINDS[obj['kind']].resource}/{meta['name']} scaled")


COMMAND = Command(
    name="scale",
    short="Set a new size for a deployment, replica set, replication controller, or stateful "
          "set.",
    usage="kubectl scale [--resource-version=version] [--current-replicas=count] "
          "--replicas=COUNT (-f FILENAME | TYPE NAME) [options]",
    run=run,
    examples="""  # Scale a replica set named 'foo' to 3
  kubectl scale --replicas=3 rs/foo

  # If the deployment named mysql's current size is 2, scale mysql to 3
  kubectl scale --current-replicas=2 --replicas=3 deployment/mysql

  # Scale multiple replication controllers
  kubectl scale --replicas=5 rc/example1 rc/example2 rc/example3
""",
    flags=(
        Flag("replicas", kind="int", default=0, help="The new desired number of replicas. "
             "Required."),
        Flag("current-replicas", kind="int", default=-1, help="Precondition for current size. "
             "Requires that the current size of the resource match this value in order to "
             "scale. -1 (default) for no condition."),
        Flag("resource-version", help="Precondition for resource version. Requires that the "
             "current resource version match this value in order to scale."),
        Flag("all", kind="bool", help="Select all resources in the namespace of the specified "
             "resource types"),
        SELECTOR_FLAG, FILENAME_FLAG, RECORD_FLAG,
    ),
)
