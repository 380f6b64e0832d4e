"""Finding the pod and container that ``logs`` and ``exec`` talk to.

Both accept ``POD`` or ``pod/POD`` and ``-c CONTAINER``. Without ``-c`` a pod with several
containers uses the one named by the ``kubectl.kubernetes.io/default-container`` annotation,
else its first container, and says so on stderr (``Defaulted container "a" out of: a, b``),
as kubectl has done since v1.21 (``staging/src/k8s.io/kubectl/pkg/cmd/util/podcmd``).
"""

from __future__ import annotations

from k8skit.api.errors import BadRequest
from k8skit.kubectl.command import CommandError, Context

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def pod_name_of(argument: str) -> str:
    type_, sep, name = argument.partition("/")
    if not sep:
        return argument
    if type_ not in ("pod", "pods", "po"):
        raise CommandError(f"cannot attach to {type_}/{name}: only pods are supported here")
    return name


def choose_container(ctx: Context, pod: dict, requested: str) -> str:
    containers = [c["name"] for c in pod["spec"].get("containers") or []]
    init = [c["name"] for c in pod["spec"].get("initContainers") or []]
    if requested:
        if requested not in containers + init:
            raise BadRequest(f'container {requested} is not valid for pod '
                             f'{pod["metadata"]["name"]}')
        return requested
    annotated = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if annotated in containers:
        return annotated
    if len(containers) + len(init) > 1:
        listed = ", ".join(containers + [f"{name} (init)" for name in init])
        ctx.warn(f'Defaulted container "{containers[0]}" out of: {listed}')
    return containers[0]


def node_of(pod: dict) -> str:
    node = pod["spec"].get("nodeName")
    if not node:
        raise BadRequest(f"pod {pod['metadata']['name']} does not have a host assigned")
    return node
