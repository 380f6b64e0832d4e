"""Quality of Service classes: Guaranteed, Burstable, BestEffort.

The API server stamps every pod with ``status.qosClass`` when it is created, and it never changes.
The kubelet uses it to decide whom to evict first when a node runs short of memory (BestEffort,
then Burstable, then Guaranteed) and to set the kernel's OOM score of each container.

The rules, from ``docs/concepts/workloads/pods/pod-qos.md``:

- **Guaranteed**: every container (init containers included) has a CPU *and* a memory limit,
  and its request of each equals the limit;
- **BestEffort**: no container has any CPU or memory request or limit;
- **Burstable**: everything in between.

A container that sets a limit but no request gets the limit as its request (the API server's
defaulting does this, see ``pkg/apis/core/v1/defaults.go``), so ``limits: {cpu: 1, memory: 1Gi}``
alone is Guaranteed. Only ``cpu`` and ``memory`` count; a zero quantity counts as not set.

The computation follows ``ComputePodQOS`` in ``pkg/apis/core/v1/helper/qos/qos.go``: requests and
limits are summed per resource over all containers, and the pod is Guaranteed only if every
container limits both resources and the sums of requests equal the sums of limits. Pod-level
``spec.resources`` (feature gate PodLevelResources, alpha in v1.33 and off by default) is not
considered, as on a default v1.33 cluster.
"""

from __future__ import annotations

from k8skit.api.quantity import Quantity, QuantityError, parse_quantity

GUARANTEED = "Guaranteed"
BURSTABLE = "Burstable"
BEST_EFFORT = "BestEffort"

# The compute resources that decide the class (supportedQoSComputeResources in qos.go).
_QOS_RESOURCES = ("cpu", "memory")


def qos_class(pod: dict) -> str:
    """The QoS class of ``pod``: ``"Guaranteed"``, ``"Burstable"`` or ``"BestEffort"``."""
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    requests: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        container_limits = _positive(resources.get("limits"))
        # Defaulting copies a limit into a missing request; doing it here as well makes the
        # answer the same whether or not the pod went through defaulting yet.
        container_requests = {**container_limits, **_positive(resources.get("requests"))}
        for name, amount in container_requests.items():
            requests[name] = requests.get(name, Quantity(0)) + amount
        for name, amount in container_limits.items():
            limits[name] = limits.get(name, Quantity(0)) + amount
        if not all(name in container_limits for name in _QOS_RESOURCES):
            guaranteed = False
    if not requests and not limits:
        return BEST_EFFORT
    if guaranteed and requests.keys() == limits.keys() and all(
        limits[name] == amount for name, amount in requests.items()
    ):
        return GUARANTEED
    return BURSTABLE


def _positive(resource_list: dict | None) -> dict[str, Quantity]:
    """The cpu and memory entries of a requests/limits map that are greater than zero.

    An unreadable quantity is skipped: validation rejects such a pod before it is stored,
    and this function must not be the one to raise.
    """
    found = {}
    for name in _QOS_RESOURCES:
        value = (resource_list or {}).get(name)
        if value is None:
            continue
        try:
            amount = parse_quantity(value)
        except QuantityError:
            continue
        if amount.sign() > 0:
            found[name] = amount
    return found
