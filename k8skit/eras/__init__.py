"""The model behind chapter 1: how bare metal, VMs and containers host the same applications.

It follows the history in kubernetes.io/docs/concepts/overview/ ("Going back in time") and
lets a learner check its claims instead of reading them:

>>> from k8skit.eras import Containerized, Traditional, Virtualized, run, scenarios
>>> noisy = scenarios.lab_apps(noisy_cores=8)
>>> run(Traditional(), scenarios.LAB_SERVER, noisy).trace("web").cpu_received[160] < 3.5
True
>>> run(Virtualized(), scenarios.LAB_SERVER, noisy).trace("web").cpu_received[160]
3.5

Modules: ``model`` (servers, apps, what an era must answer), ``traditional``, ``virtualized``
and ``containers`` (the three eras), ``kernel`` (the Linux rules they share: CFS and the OOM
killer), ``isolation`` (apps running side by side over time), ``packing`` (servers needed and
where resources go), ``scaling`` (the race against a traffic surge), ``summary`` (the
side-by-side table), ``scenarios`` (the chapter's standard experiments) and ``defaults``
(every default number with its source).

Everything is a pure function of its inputs: no randomness, no clock, no plotting.
"""

from k8skit.eras import defaults, scenarios, units
from k8skit.eras.containers import Containerized
from k8skit.eras.isolation import Kill, Timeline, run
from k8skit.eras.model import (
    App,
    CannotShare,
    DeploymentModel,
    DoesNotFit,
    Footprint,
    ModelError,
    Server,
)
from k8skit.eras.packing import Packing, copies_per_server, pack
from k8skit.eras.scaling import ScaleOut, Surge, scale_out
from k8skit.eras.summary import ERAS, Summary, summary
from k8skit.eras.traditional import Traditional
from k8skit.eras.virtualized import Virtualized

__all__ = [
    "ERAS",
    "App",
    "CannotShare",
    "Containerized",
    "DeploymentModel",
    "DoesNotFit",
    "Footprint",
    "Kill",
    "ModelError",
    "Packing",
    "ScaleOut",
    "Server",
    "Summary",
    "Surge",
    "Timeline",
    "Traditional",
    "Virtualized",
    "copies_per_server",
    "defaults",
    "pack",
    "run",
    "scale_out",
    "scenarios",
    "summary",
    "units",
]
