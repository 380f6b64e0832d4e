"""The side-by-side comparison of the three eras, computed from the model's own experiments.

Every cell comes from running the chapter's scenarios (``k8skit.eras.scenarios``), so changing a
default in ``k8skit.eras.defaults`` changes the table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from k8skit.eras import scenarios, units
from k8skit.eras.containers import Containerized
from k8skit.eras.isolation import run
from k8skit.eras.model import STRANDED, App, DeploymentModel, ModelError
from k8skit.eras.packing import Packing, pack
from k8skit.eras.traditional import Traditional
from k8skit.eras.virtualized import Virtualized

ERAS: tuple[DeploymentModel, ...] = (Traditional(), Virtualized(), Containerized())
"""The three eras with their default settings, in historical order."""

NOISY_CORES = 8.0
"""How hard the noisy neighbour pushes in the summary's experiment."""


@dataclass(frozen=True)
class Summary:
    """A table: one column per era, one row per aspect."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]

    def as_dict(self) -> dict[str, dict[str, str]]:
        """``{aspect: {era title: cell}}``."""
        return {aspect: dict(zip(self.columns, cells, strict=True)) for aspect, cells in self.rows}


def cpu_lost(era: DeploymentModel, victim: str = "web", noisy_cores: float = NOISY_CORES) -> float:
    """Fraction of the CPU ``victim`` received with a quiet batch that it loses to a noisy one."""
    quiet = run(era, scenarios.LAB_SERVER, scenarios.lab_apps(), scenarios.LAB_SECONDS)
    noisy = run(era, scenarios.LAB_SERVER, scenarios.lab_apps(noisy_cores), scenarios.LAB_SECONDS)
    before = sum(quiet.trace(victim).cpu_received)
    after = sum(noisy.trace(victim).cpu_received)
    return max(0.0, 1 - after / before) if before else 0.0


def _noisy_cell(era: DeploymentModel) -> str:
    if isinstance(era, Containerized) and era.limits:
        without = Containerized(limits=False)
        return f"with limits: {_effect(cpu_lost(era))}; without: {_effect(cpu_lost(without))}"
    return _effect(cpu_lost(era))


def _effect(lost: float) -> str:
    return f"web gets {lost:.0%} less CPU" if lost > 0.005 else "no effect on the others"


def _leak_cell(era: DeploymentModel) -> str:
    kills = run(era, scenarios.LAB_SERVER, scenarios.lab_apps(leak=True),
                scenarios.LAB_SECONDS).kills
    if not kills:
        return "nobody is killed"
    first, *rest = kills
    innocent = "" if first.victim_was_leaking else " (not the leaker)"
    then = f", then {', '.join(kill.app for kill in rest)}" if rest else " only"
    return f"kills {first.app}{innocent}{then}"


def _conflict_cell(era: DeploymentModel) -> str:
    try:
        era.host(scenarios.LAB_SERVER, (scenarios.web(), scenarios.legacy_shop()))
    except ModelError:
        return "cannot share a server"
    return "share a server"


def _density_cell(era: DeploymentModel, packing: Packing, fleet: tuple[App, ...]) -> str:
    servers = packing.server_count
    cell = f"{packing.apps_per_server:.3g} ({servers} server{'' if servers == 1 else 's'})"
    if isinstance(era, Traditional) and era.share_servers:
        dedicated = pack(replace(era, share_servers=False), packing.server, fleet)
        cell += f"; {dedicated.apps_per_server:.3g} with a server per app"
    return cell


def _stranded(by_category: dict[str, float], total: float) -> str:
    return f"{by_category.get(STRANDED, 0.0) / total:.0%}" if total else "0%"


def summary() -> Summary:
    """Compute the comparison table of the chapter."""
    fleet = scenarios.fleet(**scenarios.PACKING_FLEET)
    packings = [pack(era, scenarios.PACKING_SERVER, fleet) for era in ERAS]
    web = scenarios.web()
    rows = [
        (f"noisy neighbour (batch asks for {NOISY_CORES:g} cores)",
         [_noisy_cell(era) for era in ERAS]),
        ("memory leak in batch", [_leak_cell(era) for era in ERAS]),
        ("apps needing php 7.4 and php 8.2", [_conflict_cell(era) for era in ERAS]),
        ("overhead per app",
         [f"{units.memory(p.overhead_per_app.total_memory)}, "
          f"{units.cores(p.overhead_per_app.total_cpu)}" for p in packings]),
        (f"apps per server ({len(fleet)} small apps)",
         [_density_cell(era, p, fleet) for era, p in zip(ERAS, packings, strict=True)]),
        ("stranded capacity",
         [f"{_stranded(p.breakdown.cpu_cores, p.breakdown.total_cpu)} of CPU, "
          f"{_stranded(p.breakdown.memory_mib, p.breakdown.total_memory)} of memory"
          for p in packings]),
        ("new capacity ready in", [units.duration(era.new_capacity_s(web)) for era in ERAS]),
        ("what you ship",
         [f"{era.artifact(web).kind}, {units.memory(era.artifact(web).size_mib)}"
          for era in ERAS]),
        ("to run it elsewhere you need", [era.artifact(web).needs for era in ERAS]),
    ]
    return Summary(
        columns=tuple(era.title for era in ERAS),
        rows=tuple((aspect, tuple(cells)) for aspect, cells in rows),
    )
