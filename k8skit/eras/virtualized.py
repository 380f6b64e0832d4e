"""Virtualized deployment: each application in a virtual machine with its own OS.

kubernetes.io/docs/concepts/overview/ ("Going back in time"): "Virtualization allows
applications to be isolated between VMs ... Each VM is a full machine running all the
components, including its own operating system, on top of the virtualized hardware." What that
means here:

- Every VM has fixed vCPUs and memory, sized for its app's peak and rounded up to whole vCPUs
  and whole memory steps. The app cannot use more (a noisy app is capped inside its VM) and
  nobody else can use what it leaves (static sizing strands capacity).
- vCPUs are not overcommitted: the VMs' vCPUs plus the hypervisor fit in the server's cores, so
  one VM's load never takes CPU from another. (Overcommitted hosts do share CPU between VMs and
  show it as "steal time"; the model leaves that out.)
- Every VM runs a guest OS (memory, CPU, disk, boot time) and costs the hypervisor some memory
  and CPU of its own.
- A leak exhausts only its VM's memory: the guest kernel's OOM killer can only pick the app
  inside it.
- New capacity is a new VM: provision, boot a guest OS, start the app (about a minute).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from k8skit.eras import defaults
from k8skit.eras.model import (
    APPS,
    GUEST_OS,
    HYPERVISOR,
    STRANDED,
    App,
    Artifact,
    DeploymentModel,
    Domain,
    Footprint,
    Server,
    Slot,
    round_up,
)


@dataclass(frozen=True)
class VmSize:
    """The fixed size of one VM."""

    vcpus: int
    memory_mib: float


@dataclass(frozen=True)
class Virtualized(DeploymentModel):
    """One VM per app on a hypervisor; every number defaults to ``k8skit.eras.defaults``."""

    guest_os_memory_mib: float = defaults.OS_MEMORY_MIB.value
    guest_os_cpu_cores: float = defaults.OS_CPU_CORES.value
    guest_os_disk_mib: float = defaults.OS_DISK_MIB.value
    os_boot_s: float = defaults.OS_BOOT_S.value
    host_memory_mib: float = defaults.OS_MEMORY_MIB.value
    host_cpu_cores: float = defaults.OS_CPU_CORES.value
    vm_overhead_memory_mib: float = defaults.VM_OVERHEAD_MEMORY_MIB.value
    vm_overhead_cpu_cores: float = defaults.VM_OVERHEAD_CPU_CORES.value
    vm_memory_step_mib: float = defaults.VM_MEMORY_STEP_MIB.value
    vm_provision_s: float = defaults.VM_PROVISION_S.value

    key = "virtualized"
    title = "Virtualized (VMs)"

    def vm_size(self, app: App) -> VmSize:
        """The VM an app gets: whole vCPUs for its peak, memory for it plus a guest OS."""
        return VmSize(
            vcpus=max(1, math.ceil(round(app.cpu_peak, 9))),
            memory_mib=round_up(app.memory_mib + self.guest_os_memory_mib,
                                self.vm_memory_step_mib),
        )

    def server_overhead(self) -> Footprint:
        return Footprint({HYPERVISOR: self.host_cpu_cores}, {HYPERVISOR: self.host_memory_mib})

    def app_footprint(self, app: App) -> Footprint:
        size = self.vm_size(app)
        app_cpu = min(app.cpu_request, size.vcpus - self.guest_os_cpu_cores)
        app_memory = min(app.memory_mib, size.memory_mib - self.guest_os_memory_mib)
        return Footprint(
            {
                APPS: app_cpu,
                GUEST_OS: self.guest_os_cpu_cores,
                HYPERVISOR: self.vm_overhead_cpu_cores,
                STRANDED: size.vcpus - self.guest_os_cpu_cores - app_cpu,
            },
            {
                APPS: app_memory,
                GUEST_OS: self.guest_os_memory_mib,
                HYPERVISOR: self.vm_overhead_memory_mib,
                STRANDED: size.memory_mib - self.guest_os_memory_mib - app_memory,
            },
        )

    def domains(self, server: Server, apps: tuple[App, ...]) -> tuple[Domain, ...]:
        return tuple(self._vm(app) for app in apps)

    def _vm(self, app: App) -> Domain:
        size = self.vm_size(app)
        return Domain(
            name=f"VM {app.name}",
            cpu_cores=size.vcpus - self.guest_os_cpu_cores,
            memory_mib=size.memory_mib - self.guest_os_memory_mib,
            total_memory_mib=size.memory_mib,
            slots=(Slot(app, cpu_weight=1.0),),
        )

    def new_capacity_s(self, app: App) -> float:
        return self.vm_provision_s + self.os_boot_s + app.startup_s

    def artifact(self, app: App) -> Artifact:
        return Artifact(
            kind="VM disk image (guest OS + app)",
            size_mib=self.guest_os_disk_mib + app.files_mib,
            needs="a hypervisor that reads its image format (VMDK, VHD, qcow2 need converting)",
        )
