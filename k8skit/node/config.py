"""What a machine brings to the cluster: its size, labels, taints and addresses.

On a real cluster this comes from the machine itself and the kubelet's flags (``--node-labels``,
``--register-with-taints``); the kubelet reads it at start-up and registers a Node object with
the API server. Here :class:`NodeConfig` plays the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The taint kubeadm puts on control-plane nodes so ordinary pods stay off them
# (cmd/kubeadm/app/constants: ControlPlaneTaint).
CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}

# The kubelet's default --max-pods (pkg/kubelet/apis/config/v1beta1/defaults.go).
DEFAULT_MAX_PODS = 110


@dataclass
class NodeConfig:
    """One machine: ``NodeConfig("worker-1", cpu="4", memory="8Gi", zone="zone-a")``."""

    name: str
    cpu: str = "4"
    memory: str = "8Gi"
    pods: int = DEFAULT_MAX_PODS
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict] = field(default_factory=list)
    zone: str | None = None
    control_plane: bool = False
    internal_ip: str = ""
    pod_cidr: str = ""

    @classmethod
    def from_value(cls, value: NodeConfig | dict, index: int) -> NodeConfig:
        """Accept a NodeConfig or a plain dict such as ``{"cpu": "2", "zone": "zone-b"}``."""
        if isinstance(value, NodeConfig):
            return value
        if not isinstance(value, dict):
            raise TypeError(f"a node is described by a dict or a NodeConfig, not {value!r}")
        unknown = set(value) - set(cls.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown node setting(s): {', '.join(sorted(unknown))}")
        return cls(**{"name": f"worker-{index}", **value})
