"""What the scheduler reads from a Pod, parsed once (framework.PodInfo).

A pod is a nested dict; scheduling it a thousand times over a thousand nodes must not walk that
dict every time. :class:`PodInfo` reads it once: the requests summed as upstream sums them, the
tolerations, the node selector and affinity, the topology spread constraints, the owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from k8skit.api.meta import controller_of
from k8skit.api.quantity import parse_quantity

# Requests the scheduler assumes for a container that sets none when it *scores* nodes, so that
# pods without requests still spread out (pkg/scheduler/util/pod_resources.go:
# DefaultMilliCPURequest = 100m, DefaultMemoryRequest = 200Mi).
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

DEFAULT_SCHEDULER_NAME = "default-scheduler"


@lru_cache(maxsize=4096)
def quantity_millis(value: str | int | float) -> int:
    return parse_quantity(value).milli_value()


@lru_cache(maxsize=4096)
def quantity_value(value: str | int | float) -> int:
    return parse_quantity(value).value()


@dataclass
class Requests:
    """Requested cpu (millicores), memory and ephemeral-storage (bytes) of a pod."""

    cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0

    def add(self, other: Requests) -> None:
        self.cpu += other.cpu
        self.memory += other.memory
        self.ephemeral_storage += other.ephemeral_storage

    def max_with(self, other: Requests) -> None:
        self.cpu = max(self.cpu, other.cpu)
        self.memory = max(self.memory, other.memory)
        self.ephemeral_storage = max(self.ephemeral_storage, other.ephemeral_storage)

    @property
    def is_zero(self) -> bool:
        return self.cpu == 0 and self.memory == 0 and self.ephemeral_storage == 0


def _container_requests(container: dict, non_zero: bool) -> Requests:
    """One container's requests; with ``non_zero``, a missing cpu or memory request counts as
    100m / 200Mi (resourcehelper's NonMissingContainerRequests: only a *missing* key is
    replaced; an explicit ``cpu: 0`` stays 0)."""
    requests = (container.get("resources") or {}).get("requests") or {}
    cpu = requests.get("cpu")
    memory = requests.get("memory")
    storage = requests.get("ephemeral-storage")
    default_cpu, default_memory = (
        (DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST) if non_zero else (0, 0))
    return Requests(
        cpu=quantity_millis(cpu) if cpu is not None else default_cpu,
        memory=quantity_value(memory) if memory is not None else default_memory,
        ephemeral_storage=quantity_value(storage) if storage is not None else 0,
    )


def pod_requests(spec: dict, non_zero: bool = False) -> Requests:
    """A pod's effective requests, as ``resourcehelper.PodRequests`` computes them.

    Source: ``staging/src/k8s.io/component-helpers/resource/helpers.go``. The app containers run
    together, so their requests add up; init containers run one at a time before them, so the pod
    needs the largest of them, unless the app containers need more. Sidecars (init containers
    with ``restartPolicy: Always``) keep running, so they add to everything started after them.
    ``spec.overhead`` (the RuntimeClass's cost) comes on top.
    """
    total = Requests()
    for container in spec.get("containers") or ():
        total.add(_container_requests(container, non_zero))
    init_peak = Requests()
    sidecars = Requests()
    for container in spec.get("initContainers") or ():
        own = _container_requests(container, non_zero)
        if container.get("restartPolicy") == "Always":
            total.add(own)
            sidecars.add(own)
            running = Requests(sidecars.cpu, sidecars.memory, sidecars.ephemeral_storage)
        else:
            running = Requests(own.cpu, own.memory, own.ephemeral_storage)
            running.add(sidecars)
        init_peak.max_with(running)
    total.max_with(init_peak)
    overhead = spec.get("overhead") or {}
    if overhead:
        total.add(Requests(
            cpu=quantity_millis(overhead["cpu"]) if "cpu" in overhead else 0,
            memory=quantity_value(overhead["memory"]) if "memory" in overhead else 0,
            ephemeral_storage=(quantity_value(overhead["ephemeral-storage"])
                               if "ephemeral-storage" in overhead else 0)))
    return total


def normalized_image_name(name: str) -> str:
    """``nginx`` -> ``nginx:latest``: the name a node lists its images under.

    Source: ``normalizedImageName`` in ``framework/plugins/imagelocality/image_locality.go``.
    """
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


class PodInfo:
    """One pod as the scheduler sees it, parsed once per version of the pod."""

    __slots__ = (
        "pod", "uid", "namespace", "name", "labels", "priority", "scheduler_name",
        "node_name", "tolerations", "node_selector", "required_node_affinity",
        "preferred_node_affinity", "spread_constraints", "owner_uid", "images", "requests",
        "non_zero_requests", "preemption_policy", "terminating",
    )

    def __init__(self, pod: dict) -> None:
        meta = pod["metadata"]
        spec = pod.get("spec") or {}
        self.pod = pod
        self.namespace: str = meta.get("namespace") or "default"
        self.name: str = meta.get("name") or meta.get("generateName") or ""
        # A manifest not yet created has no uid; its namespace and name stand in for one.
        self.uid: str = meta.get("uid") or f"{self.namespace}/{self.name}"
        self.labels: dict[str, str] = meta.get("labels") or {}
        self.priority: int = spec.get("priority") or 0
        self.scheduler_name: str = spec.get("schedulerName") or DEFAULT_SCHEDULER_NAME
        self.node_name: str = spec.get("nodeName") or ""
        self.tolerations: tuple[dict, ...] = tuple(spec.get("tolerations") or ())
        self.node_selector: dict[str, str] = spec.get("nodeSelector") or {}
        node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        # None: no required affinity; a list (maybe empty): the ORed nodeSelectorTerms.
        self.required_node_affinity: list[dict] | None = (
            None if required is None else list(required.get("nodeSelectorTerms") or ()))
        self.preferred_node_affinity: list[dict] = list(
            node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or ())
        self.spread_constraints: list[dict] = list(spec.get("topologySpreadConstraints") or ())
        controller = controller_of(pod)
        self.owner_uid: str | None = controller.get("uid") if controller else None
        self.images: tuple[str, ...] = tuple(
            normalized_image_name(c["image"])
            for key in ("initContainers", "containers") for c in spec.get(key) or ()
            if c.get("image"))
        self.requests = pod_requests(spec)
        self.non_zero_requests = pod_requests(spec, non_zero=True)
        self.preemption_policy: str = spec.get("preemptionPolicy") or "PreemptLowerPriority"
        self.terminating: bool = "deletionTimestamp" in meta

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def __repr__(self) -> str:
        return f"<PodInfo {self.key}>"
