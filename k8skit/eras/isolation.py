"""Run apps side by side under an era and record what each got: the isolation experiment.

Time advances in fixed steps. At every step, in every domain (a server's OS, or one VM):

1. memory first: every app's working set is checked against its own limit (a container over
   its memory limit is killed alone), then the domain's total against the domain's memory (the
   kernel's OOM killer kills the highest ``oom_badness`` until the rest fit);
2. then CPU: the live apps' demands, capped at their limits, are divided by CFS rules.

A killed app stays down for the rest of the run: restarting it is what an orchestrator adds
(chapter 2), and it would hide the moment of the kill. Users still need what a dead app served,
so its CPU *needed* goes on while its CPU *received* is zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from k8skit.eras import units
from k8skit.eras.kernel import CpuClaim, OomCandidate, choose_oom_victim, fair_share
from k8skit.eras.model import App, DeploymentModel, Domain, ModelError, Server

OVER_LIMIT = "over its memory limit"
OUT_OF_MEMORY = "out of memory"


@dataclass(frozen=True)
class Kill:
    """One OOM kill: who, when, holding how much, where, why, and whether it was leaking."""

    app: str
    at_s: float
    working_set_mib: float
    domain: str
    reason: str
    victim_was_leaking: bool

    def describe(self) -> str:
        """One line for a figure or a message, e.g. 'db killed at 118 s holding 7 GiB: ...'."""
        who = "" if self.victim_was_leaking else " (not the one leaking)"
        where = "" if self.reason == OVER_LIMIT else f" in {self.domain}"
        return (
            f"{self.app}{who} killed at {self.at_s:g} s holding "
            f"{units.memory(self.working_set_mib)}: {self.reason}{where}"
        )


@dataclass(frozen=True)
class AppTrace:
    """What one app needed and got at every step."""

    name: str
    cpu_needed: tuple[float, ...]
    cpu_received: tuple[float, ...]
    memory_mib: tuple[float, ...]
    killed: Kill | None


@dataclass(frozen=True)
class Timeline:
    """The result of ``run``: one trace per app on a shared time axis, and the kills in order."""

    era: DeploymentModel
    times: tuple[float, ...]
    apps: tuple[AppTrace, ...]
    kills: tuple[Kill, ...]

    def trace(self, name: str) -> AppTrace:
        for trace in self.apps:
            if trace.name == name:
                return trace
        raise KeyError(f"no app named {name!r} in this run; apps: {[t.name for t in self.apps]}")

    @property
    def victims(self) -> tuple[str, ...]:
        """Names of the apps killed, in the order they died."""
        return tuple(kill.app for kill in self.kills)


def run(
    era: DeploymentModel,
    server: Server,
    apps: Iterable[App],
    seconds: float = 300.0,
    step_s: float = 1.0,
) -> Timeline:
    """Run ``apps`` together on ``server`` under ``era`` for ``seconds``.

    Raises a ``ModelError`` (with the reason in words) when the era cannot host the apps there.
    """
    if step_s <= 0 or seconds < 0:
        raise ModelError(f"need a positive step and a duration, got step {step_s}, {seconds} s")
    apps = tuple(apps)
    domains = era.host(server, apps)
    steps = int(seconds / step_s + 1e-9) + 1
    times = tuple(round(i * step_s, 9) for i in range(steps))
    needed = {app.name: [] for app in apps}
    received = {app.name: [] for app in apps}
    memory = {app.name: [] for app in apps}
    killed: dict[str, Kill] = {}
    for t in times:
        for domain in domains:
            for kill in _enforce_memory(domain, t, killed):
                killed[kill.app] = kill
            for slot, cores in zip(domain.slots, _divide_cpu(domain, t, killed), strict=True):
                name = slot.app.name
                alive = name not in killed
                needed[name].append(slot.app.demand_at(t))
                received[name].append(cores)
                memory[name].append(slot.app.working_set_at(t) if alive else 0.0)
    traces = tuple(
        AppTrace(
            name=app.name,
            cpu_needed=tuple(needed[app.name]),
            cpu_received=tuple(received[app.name]),
            memory_mib=tuple(memory[app.name]),
            killed=killed.get(app.name),
        )
        for app in apps
    )
    kills = tuple(sorted(killed.values(), key=lambda kill: kill.at_s))
    return Timeline(era=era, times=times, apps=traces, kills=kills)


def _enforce_memory(domain: Domain, t: float, killed: dict[str, Kill]) -> list[Kill]:
    live = [slot for slot in domain.slots if slot.app.name not in killed]
    usage = {slot.app.name: slot.app.working_set_at(t) for slot in live}
    kills = []

    def kill(slot, reason):
        kills.append(
            Kill(
                slot.app.name,
                t,
                usage[slot.app.name],
                domain.name,
                reason,
                victim_was_leaking=slot.app.leak_mib_per_s > 0,
            )
        )
        live.remove(slot)

    for slot in list(live):
        if slot.memory_limit_mib is not None and usage[slot.app.name] > slot.memory_limit_mib:
            kill(slot, OVER_LIMIT)
    while sum(usage[slot.app.name] for slot in live) > domain.memory_mib:
        candidates = [
            OomCandidate(slot.app.name, usage[slot.app.name], slot.oom_score_adj) for slot in live
        ]
        victim = choose_oom_victim(candidates, domain.total_memory_mib)
        if victim is None:
            break
        kill(next(slot for slot in live if slot.app.name == victim), OUT_OF_MEMORY)
    return kills


def _divide_cpu(domain: Domain, t: float, killed: dict[str, Kill]) -> list[float]:
    claims = []
    for slot in domain.slots:
        if slot.app.name in killed:
            claims.append(CpuClaim(weight=0.0, wants=0.0))
            continue
        demand = slot.app.demand_at(t)
        wants = demand if slot.cpu_limit is None else min(demand, slot.cpu_limit)
        weight = demand if slot.cpu_weight is None else slot.cpu_weight
        claims.append(CpuClaim(weight=weight, wants=wants))
    return fair_share(domain.cpu_cores, claims)
