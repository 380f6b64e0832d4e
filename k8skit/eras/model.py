"""The nouns of the deployment-history model: servers, applications and how an era hosts them.

An era (bare metal, VMs, containers) answers a few questions about the same applications on
the same server, and the rest of the model is built on those answers:

- ``host(server, apps)``: into which *domains* (one running kernel's worth of CPU and memory:
  the whole server, or one VM) does it put the apps, and with which knobs on each app (CPU
  weight and limit, memory limit, OOM score adjustment)? ``k8skit.eras.isolation`` runs apps in
  those domains over time.
- ``server_overhead()`` and ``app_footprint(app)``: what does a server cost before any app,
  and what does each app take from it (the app itself, a guest OS, hypervisor overhead, a VM's
  rounding)? ``k8skit.eras.packing`` counts servers with them.
- ``may_share(apps, app)``: may this app join a server that already runs those apps?
- ``new_capacity_s(app)``: how long until one more instance of the app serves?
- ``artifact(app)``: what do you ship to run the app somewhere else?
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from k8skit.eras import defaults
from k8skit.eras.defaults import MIB_PER_GIB

# Where a server's CPU and memory go (the categories of a Footprint).
APPS = "apps"
HOST_OS = "host OS"
GUEST_OS = "guest OSes"
HYPERVISOR = "hypervisor"
RUNTIME = "container runtime"
STRANDED = "stranded"
CATEGORIES = (APPS, HOST_OS, GUEST_OS, HYPERVISOR, RUNTIME, STRANDED)
"""Every category, in the order figures stack them (useful work first, waste last)."""

_EPSILON = 1e-9


class ModelError(ValueError):
    """A request the model cannot satisfy; the message says why in plain words."""


class DoesNotFit(ModelError):
    """The apps need more CPU or memory than the server has."""


class CannotShare(ModelError):
    """The era does not let these apps share a server (e.g. they need conflicting packages)."""


@dataclass(frozen=True)
class Server:
    """A physical server: its cores and memory."""

    cores: float
    memory_mib: float

    def __post_init__(self):
        if self.cores <= 0 or self.memory_mib <= 0:
            raise ModelError(
                f"a server needs some cores and memory, got {self.cores} cores and "
                f"{self.memory_mib} MiB"
            )


@dataclass(frozen=True)
class App:
    """An application: what it is sized for, what it does over time, what it needs installed.

    Sizing is what an operator reserves: ``cpu_request`` cores normally (what a scheduler packs
    by and what a container's CPU weight is set from), at most ``cpu_limit`` cores (the size of
    its VM, a container's CFS quota; defaults to the request) and ``memory_mib`` (its VM's share,
    a container's memory request and limit).

    Behaviour is what the app actually does: ``cpu_demand`` is a step function of
    ``(from_second, cores)`` pairs (defaults to asking for its request all the time); its
    working set starts at ``working_set_mib`` (defaults to ``memory_mib``) and grows by
    ``leak_mib_per_s``. ``packages`` are the OS packages it needs, as ``(name, version)`` pairs.
    """

    name: str
    cpu_request: float
    memory_mib: float
    cpu_limit: float | None = None
    cpu_demand: tuple[tuple[float, float], ...] = ()
    working_set_mib: float | None = None
    leak_mib_per_s: float = 0.0
    startup_s: float = defaults.APP_STARTUP_S.value
    packages: tuple[tuple[str, str], ...] = ()
    files_mib: float = defaults.APP_FILES_MIB.value

    def __post_init__(self):
        numbers = {
            "cpu_request": self.cpu_request,
            "memory_mib": self.memory_mib,
            "leak_mib_per_s": self.leak_mib_per_s,
            "startup_s": self.startup_s,
            "files_mib": self.files_mib,
        }
        negative = [name for name, value in numbers.items() if value < 0]
        if negative:
            raise ModelError(f"app {self.name!r}: {', '.join(negative)} cannot be negative")
        if self.cpu_limit is not None and self.cpu_limit < self.cpu_request:
            raise ModelError(
                f"app {self.name!r}: cpu_limit {self.cpu_limit} is below cpu_request "
                f"{self.cpu_request}"
            )

    @property
    def cpu_peak(self) -> float:
        """The most cores the app is sized for: its limit, or its request when it has none."""
        return self.cpu_request if self.cpu_limit is None else self.cpu_limit

    def demand_at(self, t: float) -> float:
        """Cores the app asks for at second ``t``."""
        cores = self.cpu_request
        for start, value in self.cpu_demand:
            if start > t:
                break
            cores = value
        return cores

    def working_set_at(self, t: float) -> float:
        """Memory (MiB) the app holds at second ``t``: its start, plus what leaked since."""
        start = self.memory_mib if self.working_set_mib is None else self.working_set_mib
        return start + self.leak_mib_per_s * t

    def conflicts_with(self, other: App) -> list[str]:
        """Packages both apps need in different versions (one OS installs one version)."""
        mine = dict(self.packages)
        return sorted(
            f"{self.name} needs {name} {mine[name]} but {other.name} needs {name} {version}"
            for name, version in other.packages
            if name in mine and mine[name] != version
        )


@dataclass(frozen=True)
class Footprint:
    """CPU cores and memory (MiB) by category (see ``CATEGORIES``)."""

    cpu_cores: Mapping[str, float] = field(default_factory=dict)
    memory_mib: Mapping[str, float] = field(default_factory=dict)

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu_cores.values())

    @property
    def total_memory(self) -> float:
        return sum(self.memory_mib.values())

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(
            _merge(self.cpu_cores, other.cpu_cores), _merge(self.memory_mib, other.memory_mib)
        )

    def scaled(self, factor: float) -> Footprint:
        return Footprint(
            {k: v * factor for k, v in self.cpu_cores.items()},
            {k: v * factor for k, v in self.memory_mib.items()},
        )


def total_footprint(footprints: Iterable[Footprint]) -> Footprint:
    """The sum of many footprints."""
    total = Footprint()
    for footprint in footprints:
        total = total + footprint
    return total


def _merge(a: Mapping[str, float], b: Mapping[str, float]) -> dict[str, float]:
    merged = dict(a)
    for key, value in b.items():
        merged[key] = merged.get(key, 0.0) + value
    return merged


@dataclass(frozen=True)
class Slot:
    """One app in a domain, with the knobs its era sets on it.

    ``cpu_weight`` None means the app's processes compete thread by thread, so its weight is
    its demand (plain processes under one OS). ``cpu_limit`` and ``memory_limit_mib`` None mean
    no cgroup limit.
    """

    app: App
    cpu_weight: float | None = None
    cpu_limit: float | None = None
    memory_limit_mib: float | None = None
    oom_score_adj: int = 0


@dataclass(frozen=True)
class Domain:
    """A pool of CPU and memory that the apps in it share: one running kernel's worth.

    ``total_memory_mib`` is the memory the kernel sizes OOM scores against (the whole machine
    or the whole VM); ``memory_mib`` is what is left for apps after the OS and runtime.
    """

    name: str
    cpu_cores: float
    memory_mib: float
    total_memory_mib: float
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Artifact:
    """What you ship to run an app somewhere else, its size, and what it needs there."""

    kind: str
    size_mib: float
    needs: str


class DeploymentModel(ABC):
    """One era of deployment (see the module docstring for the questions it answers)."""

    key: str
    title: str

    @abstractmethod
    def server_overhead(self) -> Footprint:
        """What a server spends before any app runs (host OS, hypervisor, runtime)."""

    @abstractmethod
    def app_footprint(self, app: App) -> Footprint:
        """What one app takes from a server, by category."""

    @abstractmethod
    def domains(self, server: Server, apps: tuple[App, ...]) -> tuple[Domain, ...]:
        """The domains the apps run in on ``server`` (after ``host`` checked they fit)."""

    @abstractmethod
    def new_capacity_s(self, app: App) -> float:
        """Seconds from ordering one more instance of ``app`` until it serves."""

    @abstractmethod
    def artifact(self, app: App) -> Artifact:
        """What you ship to run ``app`` on another server or cloud."""

    def may_share(self, apps: Iterable[App], app: App) -> str | None:
        """Why ``app`` may not join a server running ``apps``, or None if it may."""
        return None

    def host(self, server: Server, apps: Iterable[App]) -> tuple[Domain, ...]:
        """Put all ``apps`` on one ``server``; raise a ModelError saying why if they cannot."""
        apps = tuple(apps)
        names = [app.name for app in apps]
        if len(set(names)) != len(names):
            raise ModelError(f"app names must be unique, got {names}")
        for i, app in enumerate(apps):
            reason = self.may_share(apps[:i], app)
            if reason:
                raise CannotShare(f"{self.title}: {reason}")
        needed = self.server_overhead() + total_footprint(self.app_footprint(a) for a in apps)
        short = shortfall(server, needed)
        if short:
            raise DoesNotFit(f"{self.title}: these apps do not fit on the server: {short}")
        return self.domains(server, apps)


def shortfall(server: Server, needed: Footprint) -> str:
    """What ``needed`` lacks on ``server`` in words ('' when it fits)."""
    missing = []
    if needed.total_cpu > server.cores + _EPSILON:
        missing.append(f"they need {needed.total_cpu:.2f} cores of {server.cores:g}")
    if needed.total_memory > server.memory_mib + _EPSILON:
        missing.append(
            f"they need {needed.total_memory / MIB_PER_GIB:.1f} GiB of memory of "
            f"{server.memory_mib / MIB_PER_GIB:g} GiB"
        )
    return " and ".join(missing)


def round_up(value: float, step: float) -> float:
    """``value`` rounded up to a whole number of ``step`` (tolerating float noise)."""
    return math.ceil(value / step - _EPSILON) * step
