"""Pod admission: whether a pod bound to this node fits on it.

The scheduler only binds a pod to a node with room for its requests, but a pod can reach a node
without the scheduler (``spec.nodeName`` written by hand). The kubelet checks every new pod
again and rejects one that does not fit: the pod fails at once, with a reason such as
``OutOfcpu`` (which ``kubectl get pods`` shows as its STATUS) and the message
``Pod was rejected: Node didn't have enough resource: cpu, requested: 5000, used: 250,
capacity: 4000`` (millicores for cpu, bytes for memory).

Sources: ``pkg/kubelet/lifecycle/predicate.go`` (``generalFilter``, ``InsufficientResourceError``)
and ``rejectPod`` in ``pkg/kubelet/kubelet.go``.
"""

from __future__ import annotations

from k8skit.api.quantity import QuantityError, cpu_millis, memory_bytes

# The events' reason and the pod's status.reason for each resource (``OutOf`` + resource).
_RESOURCES = (("cpu", cpu_millis), ("memory", memory_bytes))


def pod_requests(spec: dict) -> dict[str, int]:
    """The cpu (millicores) and memory (bytes) a pod spec requests: its containers' sum, or
    its largest init container if that is more (init containers run one at a time)."""
    totals = {}
    for name, read in _RESOURCES:
        regular = sum(_request(c, name, read) for c in spec.get("containers") or [])
        init = max((_request(c, name, read) for c in spec.get("initContainers") or []),
                   default=0)
        totals[name] = max(regular, init)
    return totals


def rejection(spec: dict, admitted: list[dict], capacity: dict[str, str],
              max_pods: int) -> tuple[str, str] | None:
    """``(reason, message)`` if a pod with ``spec`` does not fit beside the ``admitted`` pods'
    specs, else None."""
    if len(admitted) + 1 > max_pods:
        return "OutOfpods", (f"Pod was rejected: Node didn't have enough resource: pods, "
                             f"requested: 1, used: {len(admitted)}, capacity: {max_pods}")
    wanted = pod_requests(spec)
    for name, read in _RESOURCES:
        if not wanted[name]:
            continue
        used = sum(pod_requests(other)[name] for other in admitted)
        total = read(capacity[name])
        if used + wanted[name] > total:
            return f"OutOf{name}", (f"Pod was rejected: Node didn't have enough resource: "
                                    f"{name}, requested: {wanted[name]}, used: {used}, "
                                    f"capacity: {total}")
    return None


def _request(container: dict, name: str, read) -> int:
    value = ((container.get("resources") or {}).get("requests") or {}).get(name)
    try:
        return read(value) if value is not None else 0
    except QuantityError:
        return 0
