"""Traditional deployment: applications installed side by side on one OS on a physical server.

kubernetes.io/docs/concepts/overview/ ("Going back in time"): "There was no way to define
resource boundaries for applications in a physical server, and this caused resource allocation
issues." What that means here:

- CPU: all processes are scheduled by one kernel, thread by thread, so an app gets CPU in
  proportion to how much it asks for. An app that asks for more slows everyone (the noisy
  neighbour).
- Memory: there is one pool. When it runs out, the kernel's OOM killer kills the process with
  the highest ``oom_badness``: the largest resident set, which may be an innocent big app and
  not the one leaking.
- Packages: one OS installs one version of each package, so two apps that need different
  versions of the same package cannot share a server.
- More capacity means buying a server.

"A solution for this would be to run each application on a different physical server. But this
did not scale as resources were underutilized": ``share_servers=False`` packs that way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from k8skit.eras import defaults
from k8skit.eras.model import (
    APPS,
    HOST_OS,
    App,
    Artifact,
    DeploymentModel,
    Domain,
    Footprint,
    Server,
    Slot,
)


@dataclass(frozen=True)
class Traditional(DeploymentModel):
    """Bare metal: one OS per physical server, apps installed into it.

    ``share_servers`` False gives every app its own server when packing (the era's answer to
    noisy neighbours and package conflicts).
    """

    share_servers: bool = True
    os_memory_mib: float = defaults.OS_MEMORY_MIB.value
    os_cpu_cores: float = defaults.OS_CPU_CORES.value
    os_boot_s: float = defaults.OS_BOOT_S.value
    server_lead_time_s: float = defaults.SERVER_LEAD_TIME_S.value

    key = "traditional"
    title = "Traditional (bare metal)"

    def server_overhead(self) -> Footprint:
        return Footprint({HOST_OS: self.os_cpu_cores}, {HOST_OS: self.os_memory_mib})

    def app_footprint(self, app: App) -> Footprint:
        return Footprint({APPS: app.cpu_request}, {APPS: app.memory_mib})

    def may_share(self, apps: Iterable[App], app: App) -> str | None:
        apps = list(apps)
        if apps and not self.share_servers:
            return f"{app.name} gets a server of its own (share_servers=False)"
        conflicts = [line for other in apps for line in other.conflicts_with(app)]
        if conflicts:
            return "; ".join(conflicts) + ": one OS installs one version of each package"
        return None

    def domains(self, server: Server, apps: tuple[App, ...]) -> tuple[Domain, ...]:
        slots = tuple(Slot(app) for app in apps)
        return (
            Domain(
                name="the server's OS",
                cpu_cores=server.cores - self.os_cpu_cores,
                memory_mib=server.memory_mib - self.os_memory_mib,
                total_memory_mib=server.memory_mib,
                slots=slots,
            ),
        )

    def new_capacity_s(self, app: App) -> float:
        return self.server_lead_time_s + self.os_boot_s + app.startup_s

    def artifact(self, app: App) -> Artifact:
        return Artifact(
            kind="packages and files installed into the server's OS",
            size_mib=app.files_mib,
            needs="the same OS release and package versions, set up on the new server",
        )
