"""``kubectl create deployment NAME --image=IMAGE``: a Deployment from the command line.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/create/create_deployment.go``. The Deployment is
labelled ``app=NAME`` and selects ``app=NAME``; each ``--image`` becomes a container named after
the image's last path part without its tag or digest (``registry.k8s.io/echoserver:1.10`` ->
``echoserver``; a name with ``.`` or ``_`` has them turned into ``-`` and a random suffix added,
as upstream's ``sanitizeAndUniquify``); ``--port`` sets the first container's port, words after
``--`` its command. ``--dry-run=client -o yaml`` prints the manifest without creating it, the
usual way to start one.

This is the ``deployment`` subcommand of ``kubectl create``.
"""

from __future__ import annotations

import random

from k8skit.api.errors import APIError
from k8skit.api.meta import random_suffix
from k8skit.kubectl.command import Command, CommandError, Context, UsageError
from k8skit.kubectl.commands.creating import (
    check_dry_run,
    is_dry_run,
    print_created,
    server_message,
)
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format
from k8skit.kubectl.flags import Flag, ParsedArgs


def container_name(image: str, rng: random.Random) -> str:
    """The container name kubectl derives from an image reference (buildPodSpec)."""
    name = image.split("/")[-1].split(":")[0].split("@")[0]
    if "_" in name or "." in name:
        name = name.replace("_", "-").replace(".", "-") + "-" + random_suffix(rng)
    return name


def build_deployment(name: str, images: list[str], replicas: int, port: int,
                     command: list[str]) -> dict:
    """The Deployment ``kubectl create deployment`` sends, exactly what the flags say."""
    rng = random.Random(f"create deployment/{name}")
    containers = [{"image": image, "name": container_name(image, rng), "resources": {}}
                  for image in images]
    if command:
        containers[0]["command"] = list(command)
    if port >= 0:
        containers[0]["ports"] = [{"containerPort": port}]
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"creationTimestamp": None, "labels": dict(labels), "name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "strategy": {},
            "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                         "spec": {"containers": containers}},
        },
        "status": {},
    }


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    after = parsed.after_dash or []
    names = parsed.args[:len(parsed.args) - len(after)]
    if len(names) != 1:
        raise UsageError(f"exactly one NAME is required, got {len(names)}")
    if not parsed.given("image"):
        raise CommandError('required flag(s) "image" not set')
    images = parsed["image"]
    if len(images) > 1 and after:
        raise CommandError("cannot specify multiple --image options and command")
    if parsed["replicas"] < 0:
        raise CommandError(f"--replicas must be a non-negative number, got {parsed['replicas']}")
    dry_run = check_dry_run(parsed["dry-run"])
    deployment = build_deployment(names[0], images, parsed["replicas"], parsed["port"], after)
    resource = f"deployment.apps/{names[0]}"
    if is_dry_run(dry_run):
        print_created(ctx, deployment, output, dry_run, resource)
        return
    deployment["metadata"]["namespace"] = ctx.namespace
    del deployment["metadata"]["creationTimestamp"]
    del deployment["spec"]["template"]["metadata"]["creationTimestamp"]
    del deployment["status"]
    try:
        created = ctx.api.create(deployment)
    except APIError as error:
        raise CommandError(f"failed to create deployment: {server_message(error)}") from None
    print_created(ctx, created, output, dry_run, resource)


COMMAND = Command(
    name="create deployment",
    short="Create a deployment with the specified name.",
    usage="kubectl create deployment NAME --image=image -- [COMMAND] [args...] [options]",
    run=run,
    examples="""  # Create a deployment named my-dep that runs the busybox image
  kubectl create deployment my-dep --image=busybox

  # Create a deployment with a command
  kubectl create deployment my-dep --image=busybox -- date

  # Create a deployment named my-dep that runs the nginx image with 3 replicas
  kubectl create deployment my-dep --image=nginx --replicas=3

  # Create a deployment named my-dep that runs the busybox image and expose port 5701
  kubectl create deployment my-dep --image=busybox --port=5701
""",
    flags=(
        Flag("image", kind="strings", help="Image names to run. A deployment can have multiple "
             "images set for multi-container pod."),
        Flag("port", kind="int", default=-1, help="The containerPort that this deployment "
             "exposes."),
        Flag("replicas", "r", "int", default=1, help="Number of replicas to create. Default is "
             "1."),
        Flag("dry-run", optional_value="client", help='Must be "none", "server", or "client". '
             "If client strategy, only print the object that would be sent, without sending "
             "it."),
        Flag("save-config", kind="bool", help="If true, the configuration of current object "
             "will be saved in its annotation."),
        OUTPUT_FLAG,
    ),
)
