"""Container deployment: applications in containers sharing the host's kernel.

kubernetes.io/docs/concepts/overview/ ("Going back in time"): "Containers are similar to VMs,
but they have relaxed isolation properties to share the Operating System (OS) among the
applications ... they are portable across clouds and OS distributions." What that means here,
with the knobs Kubernetes sets from a container's ``resources``:

- CPU: under contention, containers share CPU by their request (cgroup ``cpu.shares`` from
  ``requests.cpu``); with a limit, a CFS quota throttles the container at it even on an idle
  server. Without limits a container can take all idle CPU, so a busy neighbour slows anyone who
  needs more than their request: the noisy neighbour is back.
- Memory: with a limit, a container that goes over it is OOM-killed alone (``OOMKilled``).
  Without limits, a leak exhausts the server and the kernel's OOM killer chooses, with the
  ``oom_score_adj`` the kubelet set from each pod's QoS class.
- One kernel and one runtime per server; per container only a small shim process.
- Images carry their own libraries, so apps needing different package versions share a server.
- New capacity is a new container: pull the image if missing, start a process (seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from k8skit.eras import defaults
from k8skit.eras.kernel import cpu_shares, qos_oom_score_adj
from k8skit.eras.model import (
    APPS,
    HOST_OS,
    RUNTIME,
    App,
    Artifact,
    DeploymentModel,
    Domain,
    Footprint,
    Server,
    Slot,
)


@dataclass(frozen=True)
class Containerized(DeploymentModel):
    """Containers on one host OS with a container runtime.

    Every container has requests (its ``cpu_request`` and ``memory_mib``). ``limits`` True also
    sets limits (CPU at the app's ``cpu_peak``, memory at its ``memory_mib``); False leaves
    them unset.
    """

    limits: bool = True
    os_memory_mib: float = defaults.OS_MEMORY_MIB.value
    os_cpu_cores: float = defaults.OS_CPU_CORES.value
    runtime_memory_mib: float = defaults.RUNTIME_MEMORY_MIB.value
    runtime_cpu_cores: float = defaults.RUNTIME_CPU_CORES.value
    container_overhead_mib: float = defaults.CONTAINER_OVERHEAD_MIB.value
    container_start_s: float = defaults.CONTAINER_START_S.value
    base_image_mib: float = defaults.BASE_IMAGE_MIB.value
    image_pull_mib_per_s: float = defaults.IMAGE_PULL_MIB_PER_S.value

    key = "container"

    @property
    def title(self) -> str:
        return "Container" if self.limits else "Container (no limits)"

    def server_overhead(self) -> Footprint:
        return Footprint(
            {HOST_OS: self.os_cpu_cores, RUNTIME: self.runtime_cpu_cores},
            {HOST_OS: self.os_memory_mib, RUNTIME: self.runtime_memory_mib},
        )

    def app_footprint(self, app: App) -> Footprint:
        return Footprint(
            {APPS: app.cpu_request},
            {APPS: app.memory_mib, RUNTIME: self.container_overhead_mib},
        )

    def domains(self, server: Server, apps: tuple[App, ...]) -> tuple[Domain, ...]:
        shims = self.container_overhead_mib * len(apps)
        return (
            Domain(
                name="the server's OS",
                cpu_cores=server.cores - self.os_cpu_cores - self.runtime_cpu_cores,
                memory_mib=server.memory_mib - self.os_memory_mib - self.runtime_memory_mib
                - shims,
                total_memory_mib=server.memory_mib,
                slots=tuple(self._container(app, server) for app in apps),
            ),
        )

    def _container(self, app: App, server: Server) -> Slot:
        guaranteed = self.limits and app.cpu_peak == app.cpu_request
        return Slot(
            app,
            cpu_weight=cpu_shares(app.cpu_request),
            cpu_limit=app.cpu_peak if self.limits else None,
            memory_limit_mib=app.memory_mib if self.limits else None,
            oom_score_adj=qos_oom_score_adj(app.memory_mib, guaranteed, server.memory_mib),
        )

    def image_mib(self, app: App) -> float:
        """Size of the app's image: a base layer of user-space libraries plus the app."""
        return self.base_image_mib + app.files_mib

    def new_capacity_s(self, app: App) -> float:
        pull_s = self.image_mib(app) / self.image_pull_mib_per_s
        return pull_s + self.container_start_s + app.startup_s

    def artifact(self, app: App) -> Artifact:
        return Artifact(
            kind="container image (app + its libraries, no kernel)",
            size_mib=self.image_mib(app),
            needs="any Linux server or cloud with a container runtime (OCI image standard)",
        )
