"""The scale-out race: traffic surges and each era adds capacity as fast as it can.

Every era gets the same fast detector: ``reaction_s`` after the surge starts, enough new
instances are ordered to serve the peak. What differs is how long an instance takes to serve
(``DeploymentModel.new_capacity_s``): a bought server, a booted VM, or a started container.
Until then, requests above capacity go unserved.

Demand, capacity and served traffic are step functions, so the result holds only the
breakpoints: each value holds until the next time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from k8skit.eras import defaults
from k8skit.eras.model import App, DeploymentModel, ModelError


@dataclass(frozen=True)
class Surge:
    """Traffic at ``base_rps`` requests/s jumps to ``peak_rps`` at ``start_s`` for a while."""

    base_rps: float = 200.0
    peak_rps: float = 800.0
    start_s: float = 60.0
    duration_s: float = 120.0

    def __post_init__(self):
        if self.base_rps < 0 or self.peak_rps < 0 or self.start_s < 0 or self.duration_s < 0:
            raise ModelError(f"a surge needs non-negative numbers, got {self}")

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def demand_at(self, t: float) -> float:
        return self.peak_rps if self.start_s <= t < self.end_s else self.base_rps


@dataclass(frozen=True)
class ScaleOut:
    """How one era met a surge. ``ready_at_s`` is None when nothing had to be added."""

    era: DeploymentModel
    surge: Surge
    times: tuple[float, ...]
    demand_rps: tuple[float, ...]
    capacity_rps: tuple[float, ...]
    served_rps: tuple[float, ...]
    ordered_at_s: float | None
    ready_at_s: float | None
    unserved_requests: float

    @property
    def in_time(self) -> bool:
        """Did the new capacity arrive before the surge ended (or was none needed)?"""
        return self.ready_at_s is None or self.ready_at_s < self.surge.end_s


def scale_out(
    era: DeploymentModel,
    app: App,
    surge: Surge,
    instance_rps: float = 100.0,
    horizon_s: float = 600.0,
    reaction_s: float = defaults.SCALING_REACTION_S.value,
) -> ScaleOut:
    """Race ``era`` against ``surge`` for ``horizon_s`` seconds.

    The app starts with just enough instances (of ``instance_rps`` each) for the base traffic.
    """
    if instance_rps <= 0 or horizon_s <= 0:
        raise ModelError(f"need positive instance_rps and horizon_s, got {instance_rps}, "
                         f"{horizon_s}")
    capacity_before = math.ceil(surge.base_rps / instance_rps) * instance_rps
    capacity_after = max(capacity_before, math.ceil(surge.peak_rps / instance_rps) * instance_rps)
    ordered_at = ready_at = None
    if capacity_after > capacity_before and surge.duration_s > 0:
        ordered_at = surge.start_s + reaction_s
        ready_at = ordered_at + era.new_capacity_s(app)
    breakpoints = {0.0, surge.start_s, surge.end_s, horizon_s}
    if ready_at is not None:
        breakpoints.add(ready_at)
    times = tuple(sorted(t for t in breakpoints if t <= horizon_s))

    def capacity_at(t):
        return capacity_after if ready_at is not None and t >= ready_at else capacity_before

    demand = tuple(surge.demand_at(t) for t in times)
    capacity = tuple(capacity_at(t) for t in times)
    served = tuple(min(d, c) for d, c in zip(demand, capacity, strict=True))
    unserved = sum(
        (demand[i] - served[i]) * (times[i + 1] - times[i]) for i in range(len(times) - 1)
    )
    return ScaleOut(
        era=era,
        surge=surge,
        times=times,
        demand_rps=demand,
        capacity_rps=capacity,
        served_rps=served,
        ordered_at_s=ordered_at,
        ready_at_s=ready_at,
        unserved_requests=unserved,
    )
