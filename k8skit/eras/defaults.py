"""Every default number of the deployment-history model, with where it comes from.

A number the model uses but nobody can measure for "all servers" (how much memory an OS takes,
how long a VM boots) is marked *illustrative*: it is a plausible round value chosen so that the
comparison between eras is fair, and the source field says why it was chosen. Numbers taken from
a document or from upstream code say which one.

One rule keeps the comparison honest: an operating system costs the same wherever it runs. The
bare-metal OS, the hypervisor's host OS and every guest OS inside a VM use the same
``OS_MEMORY_MIB`` and ``OS_CPU_CORES``; the eras differ only in how many copies of it they run.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB_PER_GIB = 1024
SECONDS_PER_DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Default:
    """One default of the model: its value, unit, meaning and source."""

    name: str
    value: float
    unit: str
    meaning: str
    source: str
    illustrative: bool


OS_MEMORY_MIB = Default(
    "OS_MEMORY_MIB", 1024, "MiB",
    "memory one server operating system keeps for itself (kernel, page tables, daemons)",
    "A general-purpose Linux server with its usual daemons; distribution installers ask for "
    "about 1 GiB of RAM or more. Used alike for bare-metal, host and guest OSes.",
    illustrative=True,
)
OS_CPU_CORES = Default(
    "OS_CPU_CORES", 0.05, "cores",
    "CPU an idle operating system's background work uses",
    "Cron, logging, monitoring agents and the kernel's own threads on an idle server.",
    illustrative=True,
)
OS_DISK_MIB = Default(
    "OS_DISK_MIB", 2048, "MiB",
    "disk a minimal server OS install takes (what every VM image carries)",
    "A minimal server install of a Linux distribution is a few GiB.",
    illustrative=True,
)
OS_BOOT_S = Default(
    "OS_BOOT_S", 30, "s",
    "time for an operating system to boot until it can start an application",
    "Firmware, kernel and init of a server OS take tens of seconds.",
    illustrative=True,
)
VM_OVERHEAD_MEMORY_MIB = Default(
    "VM_OVERHEAD_MEMORY_MIB", 64, "MiB",
    "memory the hypervisor needs per VM besides the VM's own memory (device emulation, "
    "page tables, the VM's process on the host)",
    "In the range VMware's 'vSphere Resource Management' guide tabulates as "
    "'overhead memory on virtual machines' for small VMs (tens of MB).",
    illustrative=True,
)
VM_OVERHEAD_CPU_CORES = Default(
    "VM_OVERHEAD_CPU_CORES", 0.05, "cores",
    "host CPU the hypervisor spends per running VM (exits, interrupts, emulated I/O)",
    "Felter et al., 'An Updated Performance Comparison of Virtual Machines and "
    "Linux Containers' (IEEE ISPASS 2015) measured small CPU overheads for KVM and larger ones "
    "for I/O.",
    illustrative=True,
)
VM_MEMORY_STEP_MIB = Default(
    "VM_MEMORY_STEP_MIB", 1024, "MiB",
    "VM memory sizes come in whole steps of this size",
    "VM templates and cloud instance types offer whole GiB (and whole vCPUs), so a "
    "VM is rounded up to the next size and the rest of it is stranded.",
    illustrative=True,
)
VM_PROVISION_S = Default(
    "VM_PROVISION_S", 30, "s",
    "time to place a new VM and clone its disk image, before it boots",
    "Mao and Humphrey, 'A Performance Study on the VM Startup Time in the Cloud' "
    "(IEEE CLOUD 2012) measured VM start-up in public clouds in the order of a minute or two.",
    illustrative=True,
)
RUNTIME_MEMORY_MIB = Default(
    "RUNTIME_MEMORY_MIB", 128, "MiB",
    "memory the container runtime daemon and node agent take on each server",
    "Containerd and an agent such as the kubelet are ordinary processes of tens "
    "to a few hundred MiB.",
    illustrative=True,
)
RUNTIME_CPU_CORES = Default(
    "RUNTIME_CPU_CORES", 0.1, "cores",
    "CPU the container runtime daemon and node agent use on each server",
    "Periodic housekeeping (status, metrics, log shipping).",
    illustrative=True,
)
CONTAINER_OVERHEAD_MIB = Default(
    "CONTAINER_OVERHEAD_MIB", 8, "MiB",
    "memory per running container outside the app (the runtime's shim process)",
    "Containerd starts one small shim process per container.",
    illustrative=True,
)
CONTAINER_START_S = Default(
    "CONTAINER_START_S", 1, "s",
    "time to create a container's namespaces and cgroup and exec its process (image present)",
    "No OS boots; the kernel is already running.",
    illustrative=True,
)
BASE_IMAGE_MIB = Default(
    "BASE_IMAGE_MIB", 30, "MiB",
    "size of the base layer (user-space libraries, no kernel) a container image is built on",
    "Slim distribution base images are a few to tens of MB; Docker Hub describes "
    "the alpine image as about 5 MB.",
    illustrative=True,
)
IMAGE_PULL_MIB_PER_S = Default(
    "IMAGE_PULL_MIB_PER_S", 50, "MiB/s",
    "speed at which a server downloads and unpacks a container image it does not have",
    "A data-centre network to a nearby registry.",
    illustrative=True,
)
SERVER_LEAD_TIME_S = Default(
    "SERVER_LEAD_TIME_S", 14 * SECONDS_PER_DAY, "s",
    "time to order, receive, rack and install a new physical server",
    "AWS whitepaper 'Overview of Amazon Web Services', section 'Six advantages of cloud "
    "computing': provisioning your own hardware takes weeks; the model uses two weeks.",
    illustrative=False,
)
SCALING_REACTION_S = Default(
    "SCALING_REACTION_S", 15, "s",
    "time until load is noticed and more capacity is ordered (the same in every era)",
    "The Kubernetes HorizontalPodAutoscaler checks metrics every 15 s by default "
    "(kube-controller-manager --horizontal-pod-autoscaler-sync-period; "
    "kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/). Every era gets "
    "this fast detector so that only provisioning differs.",
    illustrative=False,
)
APP_STARTUP_S = Default(
    "APP_STARTUP_S", 10, "s",
    "time an application takes from exec to serving (warm-up, connection pools)",
    "A typical web application server.",
    illustrative=True,
)
APP_FILES_MIB = Default(
    "APP_FILES_MIB", 50, "MiB",
    "size of an application's own files and libraries",
    "An interpreter or runtime plus the application code.",
    illustrative=True,
)

DEFAULTS: tuple[Default, ...] = (
    OS_MEMORY_MIB,
    OS_CPU_CORES,
    OS_DISK_MIB,
    OS_BOOT_S,
    VM_OVERHEAD_MEMORY_MIB,
    VM_OVERHEAD_CPU_CORES,
    VM_MEMORY_STEP_MIB,
    VM_PROVISION_S,
    RUNTIME_MEMORY_MIB,
    RUNTIME_CPU_CORES,
    CONTAINER_OVERHEAD_MIB,
    CONTAINER_START_S,
    BASE_IMAGE_MIB,
    IMAGE_PULL_MIB_PER_S,
    SERVER_LEAD_TIME_S,
    SCALING_REACTION_S,
    APP_STARTUP_S,
    APP_FILES_MIB,
)
"""All defaults, in the order the chapter meets them (the notebook prints this table)."""
