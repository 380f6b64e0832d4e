"""Finding the pod and container that ``logs`` and ``exec`` talk to.

Both accept ``POD``, ``pod/POD`` or an object that selects pods (``deployment/web``,
``rs/web-7d4b9c``, ``service/web``): kubectl then picks the pod best worth reading, first by
``podutils.ByLogging`` (staging/src/k8s.io/kubectl/pkg/util/podutils), and says which
(``Found 3 pods, using pod/web-7d4b9c-x2x9q``). Without ``-c`` a pod with several
containers uses the one named by the ``kubectl.kubernetes.io/default-container`` annotation,
else its first container, and says so on stderr (``Defaulted container "a" out of: a, b``),
as kubectl has done since v1.21 (``staging/src/k8s.io/kubectl/pkg/cmd/util/podcmd``).
"""

from __future__ import annotations

from k8skit.api.errors import BadRequest
from k8skit.api.kinds import resolve_resource
from k8skit.api.meta import get_condition, seconds_of
from k8skit.kubectl.command import CommandError, Context

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


# Kinds whose pods kubectl can pick from, and where each keeps its selector.
_SELECTOR_OF = {
    "Deployment": lambda obj: obj["spec"].get("selector"),
    "ReplicaSet": lambda obj: obj["spec"].get("selector"),
    "Service": lambda obj: obj["spec"].get("selector") or None,
}
# ByLogging's phase order: Running, then Unknown, then Pending (other phases count as Running).
_PHASE_RANK = {"Unknown": 1, "Pending": 2}


def pod_for(ctx: Context, argument: str) -> dict:
    """The pod ``argument`` names: ``POD``, ``pod/POD``, or one picked from ``TYPE/NAME``."""
    type_, sep, name = argument.partition("/")
    if not sep:
        return ctx.api.get("Pod", argument, ctx.namespace)
    kind = resolve_resource(type_)
    if kind is None:
        raise CommandError(f'the server doesn\'t have a resource type "{type_}"')
    if kind.kind == "Pod":
        return ctx.api.get("Pod", name, ctx.namespace)
    if kind.kind not in _SELECTOR_OF:
        raise CommandError(f"cannot attach to {kind.kind}: selector for {kind.kind} not "
                           "implemented")
    owner = ctx.api.get(kind.kind, name, ctx.namespace)
    selector = _SELECTOR_OF[kind.kind](owner)
    if selector is None:
        raise CommandError(f"cannot attach to {kind.kind}: it selects no pods")
    pods = sorted(ctx.api.list("Pod", namespace=ctx.namespace, label_selector=selector),
                  key=lambda pod: _by_logging(pod, ctx.now))
    if not pods:
        raise CommandError("timed out waiting for the condition")
    if len(pods) > 1:
        ctx.warn(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}")
    return pods[0]


def _by_logging(pod: dict, now: float) -> tuple:
    """Sort key of ``podutils.ByLogging``: assigned, running, ready (for longer), more
    restarts, older first."""
    status = pod.get("status") or {}
    ready = get_condition(pod, "Ready")
    is_ready = bool(ready and ready["status"] == "True")
    ready_since = seconds_of(ready["lastTransitionTime"]) if is_ready else now
    restarts = max((c.get("restartCount", 0) for c in status.get("containerStatuses") or ()),
                   default=0)
    return (not pod["spec"].get("nodeName"), _PHASE_RANK.get(status.get("phase"), 0),
            not is_ready, ready_since, -restarts,
            pod["metadata"].get("creationTimestamp", ""), pod["metadata"]["name"])


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
