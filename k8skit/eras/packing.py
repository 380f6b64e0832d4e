"""How many servers an era needs for a set of apps, and where their CPU and memory go.

Packing is first-fit decreasing: apps are taken largest first (memory, then CPU) and each goes
on the first server with room that the era lets it share; a new server is bought when none has
room. Whatever the servers have left after that is counted as stranded: paid for, used by
nobody (like the unused part of a VM rounded up to a whole size).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from k8skit.eras.model import (
    APPS,
    STRANDED,
    App,
    DeploymentModel,
    Footprint,
    ModelError,
    Server,
    total_footprint,
)

_EPSILON = 1e-9


@dataclass(frozen=True)
class Packing:
    """The servers an era needs for some apps and where their resources go."""

    era: DeploymentModel
    server: Server
    servers: tuple[tuple[str, ...], ...]
    unplaced: tuple[str, ...]
    breakdown: Footprint

    @property
    def server_count(self) -> int:
        return len(self.servers)

    @property
    def placed_count(self) -> int:
        return sum(len(names) for names in self.servers)

    @property
    def apps_per_server(self) -> float:
        """Placed apps per server (0 when nothing could be placed)."""
        return self.placed_count / self.server_count if self.servers else 0.0

    @property
    def overhead_per_app(self) -> Footprint:
        """CPU and memory spent per placed app on anything but apps and stranded capacity."""
        if not self.placed_count:
            return Footprint()
        skip = (APPS, STRANDED)
        return Footprint(
            {k: v for k, v in self.breakdown.cpu_cores.items() if k not in skip},
            {k: v for k, v in self.breakdown.memory_mib.items() if k not in skip},
        ).scaled(1 / self.placed_count)


@dataclass
class _OpenServer:
    apps: list[App]
    cpu: float = 0.0
    memory: float = 0.0


def pack(era: DeploymentModel, server: Server, apps: Iterable[App]) -> Packing:
    """Place ``apps`` on as few servers like ``server`` as first-fit decreasing finds.

    An app too big for an empty server is reported in ``unplaced`` rather than raised: a
    packing with some apps left over is still a useful answer.
    """
    overhead = era.server_overhead()
    room_cpu = server.cores - overhead.total_cpu
    room_memory = server.memory_mib - overhead.total_memory
    footprints = {}
    open_servers: list[_OpenServer] = []
    unplaced = []
    for app in sorted(apps, key=lambda a: (-a.memory_mib, -a.cpu_request, a.name)):
        footprint = footprints[app] = era.app_footprint(app)
        cpu, memory = footprint.total_cpu, footprint.total_memory
        if cpu > room_cpu + _EPSILON or memory > room_memory + _EPSILON:
            unplaced.append(app.name)
            continue
        target = next(
            (
                s
                for s in open_servers
                if s.cpu + cpu <= room_cpu + _EPSILON
                and s.memory + memory <= room_memory + _EPSILON
                and era.may_share(s.apps, app) is None
            ),
            None,
        )
        if target is None:
            target = _OpenServer(apps=[])
            open_servers.append(target)
        target.apps.append(app)
        target.cpu += cpu
        target.memory += memory
    count = len(open_servers)
    used = total_footprint(footprints[app] for s in open_servers for app in s.apps)
    left = Footprint(
        {STRANDED: sum(room_cpu - s.cpu for s in open_servers)},
        {STRANDED: sum(room_memory - s.memory for s in open_servers)},
    )
    return Packing(
        era=era,
        server=server,
        servers=tuple(tuple(app.name for app in s.apps) for s in open_servers),
        unplaced=tuple(unplaced),
        breakdown=overhead.scaled(count) + used + left,
    )


def copies_per_server(era: DeploymentModel, server: Server, app: App) -> int:
    """How many copies of ``app`` one ``server`` holds under ``era``."""
    overhead = era.server_overhead()
    footprint = era.app_footprint(app)
    room_cpu = server.cores - overhead.total_cpu
    room_memory = server.memory_mib - overhead.total_memory
    if footprint.total_cpu <= 0 and footprint.total_memory <= 0:
        raise ModelError(f"app {app.name!r} takes nothing: any number of copies would fit")
    placed: list[App] = []
    cpu = memory = 0.0
    while (
        cpu + footprint.total_cpu <= room_cpu + _EPSILON
        and memory + footprint.total_memory <= room_memory + _EPSILON
        and era.may_share(placed, app) is None
    ):
        placed.append(app)
        cpu += footprint.total_cpu
        memory += footprint.total_memory
    return len(placed)
