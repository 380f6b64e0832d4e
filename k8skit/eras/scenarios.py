"""The chapter's standard experiments: one server, a small shop's three apps, a fleet, a surge.

The isolation lab runs three apps on an 8-core, 16 GiB server:

- ``web``, the shop's front end: bursty. It requests half a core, may burst to 4 cores, and
  does so twice (a sale at 40 s, another at 150 s).
- ``db``, the database: the biggest in memory (7 GiB working set), steady on CPU.
- ``batch``, a report job: small, quiet, and the suspect. From 60 s to 240 s it can be made to
  ask for many cores (the noisy neighbour), and it can leak memory.

The numbers are chosen so that every era hosts the three apps on the same server (the VMs just
fit) and so that the eras' different rules decide what happens.
"""

from __future__ import annotations

from k8skit.eras.defaults import MIB_PER_GIB
from k8skit.eras.model import App, Server
from k8skit.eras.scaling import Surge

LAB_SERVER = Server(cores=8, memory_mib=16 * MIB_PER_GIB)
LAB_SECONDS = 300.0
NOISY_WINDOW_S = (60.0, 240.0)
"""When the report job runs: the noisy neighbour's demand applies in this window."""
QUIET_BATCH_CORES = 0.5
LEAK_MIB_PER_S = 50.0


def web() -> App:
    return App(
        "web",
        cpu_request=0.5,
        cpu_limit=4.0,
        memory_mib=2 * MIB_PER_GIB,
        working_set_mib=1.5 * MIB_PER_GIB,
        cpu_demand=((0, 0.5), (40, 3.5), (80, 0.5), (150, 3.5), (210, 0.5)),
        packages=(("php", "8.2"),),
    )


def db() -> App:
    return App(
        "db",
        cpu_request=1.0,
        cpu_limit=2.0,
        memory_mib=8 * MIB_PER_GIB,
        working_set_mib=7 * MIB_PER_GIB,
        cpu_demand=((0, 0.8), (100, 1.6), (140, 0.8)),
        packages=(("libssl", "3"),),
    )


def batch(noisy_cores: float = QUIET_BATCH_CORES, leak: bool = False) -> App:
    """The report job; ``noisy_cores`` is what it asks for while it runs, ``leak`` turns on
    a leak of ``LEAK_MIB_PER_S``."""
    start, end = NOISY_WINDOW_S
    return App(
        "batch",
        cpu_request=1.0,
        memory_mib=1 * MIB_PER_GIB,
        working_set_mib=0.75 * MIB_PER_GIB,
        cpu_demand=((0, QUIET_BATCH_CORES), (start, noisy_cores), (end, QUIET_BATCH_CORES)),
        leak_mib_per_s=LEAK_MIB_PER_S if leak else 0.0,
        packages=(("python3", "3.11"),),
    )


def lab_apps(noisy_cores: float = QUIET_BATCH_CORES, leak: bool = False) -> tuple[App, ...]:
    """The isolation lab's three apps."""
    return (web(), db(), batch(noisy_cores, leak))


def legacy_shop() -> App:
    """An old version of the shop that needs an old PHP: it cannot share an OS with ``web``."""
    return App("legacy-shop", cpu_request=0.5, memory_mib=1 * MIB_PER_GIB,
               packages=(("php", "7.4"),))


def fleet(count: int, cpu_cores: float, memory_mib: float) -> tuple[App, ...]:
    """``count`` identical-sized apps; every other one needs the older PHP (for packing)."""
    return tuple(
        App(
            f"app-{i:03d}",
            cpu_request=cpu_cores,
            memory_mib=memory_mib,
            packages=(("php", "7.4" if i % 2 else "8.2"),),
        )
        for i in range(1, count + 1)
    )


PACKING_SERVER = Server(cores=32, memory_mib=128 * MIB_PER_GIB)
"""A typical two-socket rack server (the packing lab's starting point)."""
PACKING_FLEET = dict(count=60, cpu_cores=0.5, memory_mib=2 * MIB_PER_GIB)
"""The packing lab's starting fleet: sixty small services."""

SURGE = Surge(base_rps=200.0, peak_rps=800.0, start_s=60.0, duration_s=120.0)
"""The scale-out race's starting surge: four times the traffic for two minutes."""
