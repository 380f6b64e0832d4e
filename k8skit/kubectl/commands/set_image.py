"""``kubectl set image deployment/web nginx=nginx:1.16.1``: change containers' images.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/set/set_image.go``. Arguments are first the
objects, then ``CONTAINER=IMAGE`` pairs (``*=IMAGE`` for every container). On a Deployment this
changes the pod template, which starts a rollout; on a bare pod the kubelet restarts the
container with the new image. An object that would not change is left alone and nothing is
printed for it, as upstream skips empty patches.

This is the ``image`` subcommand of ``kubectl set``; :data:`SET` is the parent command.
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
    available_commands,
    objects_named,
    record_change_cause,
)
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.resources import FILENAME_FLAG

# The kinds whose pod spec `set image` can reach (polymorphichelpers.updatePodSpecForObject),
# among those the simulator serves.
_POD_SPEC_PATHS = {"Pod": ("spec",), "Deployment": ("spec", "template", "spec"),
                   "ReplicaSet": ("spec", "template", "spec")}


def split_arguments(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """Objects first, then ``NAME=IMAGE`` pairs (GetResourcesAndPairs + ParsePairs)."""
    resources: list[str] = []
    images: dict[str, str] = {}
    for arg in args:
        if "=" not in arg:
            if images:
                raise CommandError(f"all resources must be specified before image changes: {arg}")
            resources.append(arg)
            continue
        name, _, image = arg.partition("=")
        if not name or not image:
            raise CommandError(f'invalid image format: "{arg}"')
        images[name] = image
    return resources, images


def _pod_spec(obj: dict) -> dict | None:
    path = _POD_SPEC_PATHS.get(obj["kind"])
    if path is None:
        return None
    spec: dict = obj
    for part in path:
        spec = spec.setdefault(part, {})
    return spec


def run(ctx: Context, parsed: ParsedArgs) -> None:
    resources, images = split_arguments(parsed.args)
    problems = []
    if not resources and not parsed["filename"]:
        problems.append("one or more resources must be specified as <resource> <name> or "
                        "<resource>/<name>")
    if not images:
        problems.append("at least one image update is required")
    if problems:
        raise CommandError(problems[0] if len(problems) == 1
                           else "[" + ", ".join(problems) + "]")
    if parsed["record"]:
        ctx.warn(RECORD_DEPRECATION)
    items, errors = objects_named(ctx, resources, parsed)
    for error in errors:
        ctx.report(error)
    failed = bool(errors)
    for obj in items:
        try:
            _set_images(ctx, obj, images, parsed)
        except (APIError, CommandError) as error:
            ctx.report(error)
            failed = True
    if failed:
        raise Exit(1)


def _set_images(ctx: Context, obj: dict, images: dict[str, str], parsed: ParsedArgs) -> None:
    changed = copy.deepcopy(obj)
    spec = _pod_spec(changed)
    resource = f"{KINDS[obj['kind']].resource}/{obj['metadata']['name']}"
    if spec is None:
        raise CommandError(f"{resource} the object is not a pod or does not have a pod template")
    for name, image in images.items():
        found = False
        for field in ("initContainers", "containers"):
            for container in spec.get(field) or ():
                if name in ("*", container.get("name")):
                    container["image"] = image
                    found = True
        if not found:
            raise CommandError(f'unable to find container named "{name}"')
    if changed == obj:
        return
    record_change_cause(ctx, changed, COMMAND, parsed)
    ctx.api.update(changed)
    ctx.print(f"{resource} image updated")


COMMAND = Command(
    name="set image",
    short="Update the image of a pod template.",
    usage="kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... "
          "CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]",
    run=run,
    examples="""  # Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox
  # container image to 'busybox'
  kubectl set image deployment/nginx busybox=busybox nginx=nginx:1.9.1

  # Update image of all containers of deployment frontend to 'nginx:1.9.1'
  kubectl set image deployment frontend *=nginx:1.9.1
""",
    flags=(
        Flag("all", kind="bool", help="Select all resources, in the namespace of the specified "
             "resource types"),
        SELECTOR_FLAG, FILENAME_FLAG, RECORD_FLAG,
    ),
)


def _run_set(ctx: Context, parsed: ParsedArgs) -> None:
    if parsed.args:
        raise CommandError(f'unknown command "{parsed.args[0]}" for "kubectl set"')
    ctx.out.write(SET.help() + available_commands(SUBCOMMANDS))


SUBCOMMANDS = {"image": COMMAND}

SET = Command(
    name="set",
    short="Configure application resources.",
    usage="kubectl set SUBCOMMAND [options]",
    run=_run_set,
)
