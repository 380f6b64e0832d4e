"""Which describer prints which kind, as kubectl's ``DescriberFor`` table maps them.

Each group of kinds has its describers in its own module (pods and nodes in
:mod:`~k8skit.kubectl.printers.describe`, workloads, networking, configuration and storage in
the others); any kind without one gets the generic describer.
"""

from __future__ import annotations

from k8skit.kubectl.printers import describe_config, describe_network, describe_workloads
from k8skit.kubectl.printers.describe import DESCRIBERS as CORE_DESCRIBERS
from k8skit.kubectl.printers.describe import describe_generic

DESCRIBERS = {
    **CORE_DESCRIBERS,
    **describe_config.DESCRIBERS,
    "Deployment": describe_workloads.describe_deployment,
    "ReplicaSet": describe_workloads.describe_replica_set,
    "Service": describe_network.describe_service,
    "Endpoints": describe_network.describe_endpoints,
}


def describe(api, obj: dict, now: float) -> str:
    """The describe text of any object, by its kind's describer."""
    return DESCRIBERS.get(obj["kind"], describe_generic)(api, obj, now)
