"""The Node object a kubelet registers and keeps up to date, and its heartbeats.

At start-up the kubelet creates its Node (or takes over the existing one after a reboot): labels
that describe the machine, the taints it was told to register with, its pod CIDR, and a status
with capacity, conditions, addresses, versions and the images it holds. It then proves it is
alive in two ways (``docs/concepts/architecture/nodes.md#node-heartbeats``):

- it renews its Lease in ``kube-node-lease`` every 10 s (a quarter of the 40 s lease duration,
  ``nodeLeaseRenewIntervalFraction``), a tiny write the node lifecycle controller watches;
- it posts ``status`` when something changed and otherwise every 5 minutes
  (``nodeStatusReportFrequency``), refreshing each condition's ``lastHeartbeatTime``.

When it stops doing both for ``node-monitor-grace-period`` the node lifecycle controller marks the
node ``Unknown``. The simulated nodes never report MemoryPressure, DiskPressure or PIDPressure:
node-pressure eviction is not modelled (a container over its own memory limit is still
OOM-killed). Allocatable equals capacity here: upstream subtracts ``kube-reserved``,
``system-reserved`` and the hard eviction threshold (100Mi of memory by default), which this
simulator does not model, so every byte and millicore of a node can be requested.

Sources: ``pkg/kubelet/kubelet_node_status.go`` (registration, labels),
``pkg/kubelet/nodestatus/setters.go`` (conditions and their wording),
``pkg/kubelet/nodelease`` and ``staging/src/k8s.io/component-helpers/apimachinery/lease``.
"""

from __future__ import annotations

import copy
import functools
import random
import uuid

from k8skit.api.events import EventRecorder
from k8skit.api.meta import EPOCH, timestamp
from k8skit.api.quantity import canonical, memory_bytes
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.node.config import NodeConfig
from k8skit.node.kubelet import events, version

LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
# nodeLeaseRenewIntervalFraction (0.25) of the lease duration.
LEASE_RENEW_INTERVAL_SECONDS = LEASE_DURATION_SECONDS * 0.25
# nodeStatusUpdateFrequency: how often the kubelet computes its status.
NODE_STATUS_UPDATE_SECONDS = 10
# nodeStatusReportFrequency: how often it posts a status that did not change.
NODE_STATUS_REPORT_SECONDS = 300
# nodeStatusMaxImages: how many images status.images lists, biggest first.
NODE_STATUS_MAX_IMAGES = 50
# The kubelet's port, which the API server's node proxy reaches (daemonEndpoints).
KUBELET_PORT = 10250
# The simulated machines' root disk, reported as ephemeral-storage capacity.
EPHEMERAL_STORAGE_BYTES = 100 * 1024**3

# The condition types the kubelet owns, their healthy state and its wording (setters.go).
_HEALTHY_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available", "NodeHasSufficientMemory"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
     "NodeHasNoDiskPressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available",
     "NodeHasSufficientPID"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status", "NodeReady"),
)


def micro_time(seconds: float) -> str:
    """A ``metav1.MicroTime`` (``2026-01-01T00:00:10.000000Z``), the format of Lease times."""
    micros = int(round((seconds - int(seconds)) * 1e6)) % 1_000_000
    return f"{_whole_second(int(seconds))}.{micros:06d}Z"


@functools.lru_cache(maxsize=256)
def _whole_second(seconds: int) -> str:
    """The RFC 3339 second (without ``Z``); every node renews at the same few seconds."""
    return timestamp(seconds)[:-1]


def node_labels(config: NodeConfig) -> dict[str, str]:
    """The labels a kubelet (and kubeadm, for a control plane) put on a node."""
    labels = {
        "beta.kubernetes.io/arch": version.ARCHITECTURE,
        "beta.kubernetes.io/os": version.OPERATING_SYSTEM,
        "kubernetes.io/arch": version.ARCHITECTURE,
        "kubernetes.io/hostname": config.name,
        "kubernetes.io/os": version.OPERATING_SYSTEM,
    }
    if config.zone:
        labels["topology.kubernetes.io/zone"] = config.zone
    if config.control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    labels.update(config.labels)
    return labels


def node_capacity(config: NodeConfig) -> dict[str, str]:
    """What the machine has; memory in Ki as the kubelet reads it from /proc/meminfo."""
    return {
        "cpu": canonical(config.cpu),
        "ephemeral-storage": f"{EPHEMERAL_STORAGE_BYTES // 1024}Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{memory_bytes(config.memory) // 1024}Ki",
        "pods": str(config.pods),
    }


class NodeStatusReporter:
    """Registers the Node, renews its Lease and posts its status, for one kubelet boot."""

    def __init__(self, api: APIServer, clock: Clock, config: NodeConfig, rng: random.Random,
                 recorder: EventRecorder, images) -> None:
        self.api = api
        self.clock = clock
        self.config = config
        self.recorder = recorder
        self._user = f"system:node:{config.name}"
        self._images = images
        self.boot_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self._last_posted: dict | None = None
        self._last_report = -NODE_STATUS_REPORT_SECONDS
        self._changed = True
        self._static = self._static_status()
        self.node_ref = {"apiVersion": "v1", "kind": "Node",
                         "metadata": {"name": config.name, "uid": config.name}}

    # -- registration ---------------------------------------------------------------------
    def register(self) -> None:
        """Create the Node, or take over the one a previous boot registered."""
        self.recorder.event(self.node_ref, "Normal", events.STARTING_KUBELET, "Starting kubelet.")
        node = self.api.try_get("Node", self.config.name, None)
        if node is None:
            self.api.create({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": self.config.name,
                    "labels": node_labels(self.config),
                    "annotations": {
                        "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
                },
                "spec": self._spec(),
            }, user=self._user)
            previous_boot = ""
        else:
            node["metadata"].setdefault("labels", {}).update(node_labels(self.config))
            node["spec"].update({k: v for k, v in self._spec().items() if k != "taints"})
            self.api.update(node, user=self._user)
            previous_boot = node.get("status", {}).get("nodeInfo", {}).get("bootID", "")
        if previous_boot and previous_boot != self.boot_id:
            self.recorder.event(self.node_ref, "Warning", events.NODE_REBOOTED,
                                f"Node {self.config.name} has been rebooted, boot id: "
                                f"{self.boot_id}")
        self.post_status()
        self.renew_lease()

    def _spec(self) -> dict:
        spec: dict = {"podCIDR": self.config.pod_cidr, "podCIDRs": [self.config.pod_cidr]}
        if self.config.taints:
            spec["taints"] = [dict(t) for t in self.config.taints]
        return spec

    # -- heartbeats -----------------------------------------------------------------------
    def heartbeat(self) -> None:
        """One tick of the status loop: renew the lease, post the status if it is due.

        If someone deleted the Node object, the kubelet only logs its failed updates (it
        registers once, at start-up): the node stays gone until the kubelet restarts.
        """
        if self.api.try_get("Node", self.config.name, None) is None:
            return
        self.renew_lease()
        self.post_status()

    def renew_lease(self) -> None:
        now = self.clock.now
        lease = self.api.try_get("Lease", self.config.name, LEASE_NAMESPACE)
        spec = {"holderIdentity": self.config.name,
                "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                "renewTime": micro_time(now)}
        if lease is None:
            node = self.api.get("Node", self.config.name, None)
            self.api.create({
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {
                    "name": self.config.name,
                    "namespace": LEASE_NAMESPACE,
                    "ownerReferences": [{"apiVersion": "v1", "kind": "Node",
                                         "name": self.config.name,
                                         "uid": node["metadata"]["uid"]}],
                },
                "spec": spec,
            }, user=self._user)
        else:
            lease["spec"] = spec
            self.api.update(lease, user=self._user)

    def changed(self) -> None:
        """Something the status shows changed (an image arrived): post it at the next tick."""
        self._changed = True

    def post_status(self) -> None:
        """Post the node status if it changed or the last report is 5 minutes old."""
        now = self.clock.now
        if not self._changed and now - self._last_report < NODE_STATUS_REPORT_SECONDS:
            return
        self._changed = False
        node = self.api.get("Node", self.config.name, None)
        wanted = self._status()
        if wanted == self._last_posted and now - self._last_report < NODE_STATUS_REPORT_SECONDS:
            return
        old = node.get("status") or {}
        old_conditions = {c["type"]: c for c in old.get("conditions") or []}
        conditions = []
        for cond_type, status, reason, message, event_reason in _HEALTHY_CONDITIONS:
            previous = old_conditions.get(cond_type)
            mine = (self._last_posted or {}).get("conditions", {}).get(cond_type)
            transition = (previous["lastTransitionTime"]
                          if previous and previous["status"] == status else timestamp(now))
            conditions.append({"type": cond_type, "status": status,
                               "lastHeartbeatTime": timestamp(now),
                               "lastTransitionTime": transition,
                               "reason": reason, "message": message})
            if cond_type == "Ready" and self._last_posted is None:
                # The container manager enforces allocatable before the node reports Ready.
                self.recorder.event(self.node_ref, "Normal", events.NODE_ALLOCATABLE_ENFORCED,
                                    "Updated Node Allocatable limit across pods")
            if mine != status:
                self.recorder.event(self.node_ref, "Normal", event_reason,
                                    f"Node {self.config.name} status is now: {event_reason}")
        node["status"] = copy.deepcopy({**{k: v for k, v in wanted.items()
                                           if k != "conditions"}, "conditions": conditions})
        self.api.update_status(node, user=self._user)
        self._last_posted = wanted
        self._last_report = now

    def _status(self) -> dict:
        """The status this kubelet means to report, without heartbeat times."""
        images = sorted(self._images(), key=lambda image: -image["sizeBytes"])
        return {**self._static, "images": images[:NODE_STATUS_MAX_IMAGES]}

    def _static_status(self) -> dict:
        """The parts of the status that stay the same for the whole boot."""
        capacity = node_capacity(self.config)
        # /etc/machine-id is fixed per machine, so it survives reboots (unlike the boot id).
        machine_id = uuid.uuid5(uuid.NAMESPACE_OID, f"{EPOCH.year}/{self.config.name}").hex
        return {
            "addresses": [{"address": self.config.internal_ip, "type": "InternalIP"},
                          {"address": self.config.name, "type": "Hostname"}],
            "allocatable": dict(capacity),
            "capacity": capacity,
            "conditions": {cond[0]: cond[1] for cond in _HEALTHY_CONDITIONS},
            "daemonEndpoints": {"kubeletEndpoint": {"Port": KUBELET_PORT}},
            "nodeInfo": {
                "architecture": version.ARCHITECTURE,
                "bootID": self.boot_id,
                "containerRuntimeVersion": version.CONTAINER_RUNTIME_VERSION,
                "kernelVersion": version.KERNEL_VERSION,
                "kubeletVersion": version.KUBELET_VERSION,
                "machineID": machine_id,
                "operatingSystem": version.OPERATING_SYSTEM,
                "osImage": version.OS_IMAGE,
                "systemUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, self.config.name)),
            },
        }
