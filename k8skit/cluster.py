"""A whole simulated cluster: one clock, one API server, the control plane and the nodes.

``Cluster`` is what a learner holds. It builds the same pieces a real cluster has and wires them
the same way: every component gets the API server and the shared clock, and from then on they
only talk through the API server's objects and watches. The cluster itself only starts them,
advances time and plays the part of the world outside (machines failing, a learner typing
``kubectl``).

>>> from k8skit import Cluster
>>> c = Cluster(nodes=3, cpu="4", memory="8Gi", seed=0)
>>> c.kubectl("get nodes")                                      # doctest: +SKIP
"""

from __future__ import annotations

import random
from pathlib import Path

from k8skit import traffic
from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock
from k8skit.control_plane.cloud import CloudControllerManager
from k8skit.control_plane.controllers import ControllerManager
from k8skit.control_plane.kube_system import KubeSystem
from k8skit.control_plane.provisioner import HostPathProvisioner, admit_default_storage_class
from k8skit.control_plane.scheduler import Scheduler
from k8skit.kubectl import Kubectl, KubectlResult, apply_manifests
from k8skit.node.config import CONTROL_PLANE_TAINT, NodeConfig
from k8skit.node.dns import CoreDNS
from k8skit.node.kube_proxy import IPTABLES, PROXY_MODES, KubeProxy
from k8skit.node.kubelet import Kubelet
from k8skit.node.network import PodNetwork
from k8skit.node.volumes import DiskStore

# Namespaces every kubeadm cluster starts with.
INITIAL_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")

# The cluster made (or selected) last, so that `%kubectl` knows which one a notebook means. Only
# that one is held here: the others live as long as the notebook keeps a name for them, so a
# notebook that makes cluster after cluster does not keep every one of them in memory.
_current: list[Cluster] = []


def current_cluster() -> Cluster:
    """The cluster ``%kubectl`` talks to: the one made or selected last."""
    if not _current:
        raise LookupError("no cluster yet: create one with Cluster()")
    return _current[-1]


class Cluster:
    """A simulated Kubernetes cluster: one control-plane node plus ``nodes`` workers.

    ``nodes`` is a count of identical workers (each with ``cpu`` and ``memory``) or a list of
    node descriptions (dicts or :class:`NodeConfig`) for a mixed cluster. ``zones`` spreads
    identical workers over zones. ``proxy_mode`` is kube-proxy's ``iptables`` (a random backend
    per connection) or ``ipvs`` (round robin). ``cloud`` gives LoadBalancer Services an external
    IP, as a cloud provider would; without it they stay ``<pending>``, as on bare metal. The
    same ``seed`` and the same calls always give the same history.
    """

    def __init__(self, nodes: int | list = 3, cpu: str = "4", memory: str = "8Gi",
                 seed: int = 0, zones: list[str] | None = None, proxy_mode: str = IPTABLES,
                 cloud: bool = True) -> None:
        self.seed = seed
        self.proxy_mode = proxy_mode
        self.clock = Clock()
        self.store = ObjectStore(self.clock)
        self.api = APIServer(self.store, self.clock, self._rng("apiserver"))
        self.api.admission.append(admit_default_storage_class)
        for namespace in INITIAL_NAMESPACES:
            self.api.create({"apiVersion": "v1", "kind": "Namespace",
                             "metadata": {"name": namespace}})
        # The world outside the API: the pod network joining the machines and the disks that
        # outlive them (what a cloud provider's network and block storage are to a real cluster).
        self.network = PodNetwork()
        self.disks = DiskStore()
        # The control plane: scheduler, kube-controller-manager, the cloud's controllers, the
        # volume provisioner and the cluster DNS.
        self.scheduler = Scheduler(self.api, self.clock, self._rng("scheduler"))
        self.controller_manager = ControllerManager(self.api, self.clock,
                                                    self._rng("controller-manager"))
        self.cloud = CloudControllerManager(self.api, self.clock, self.network) if cloud else None
        self.provisioner = HostPathProvisioner(self.api, self.clock, self.disks,
                                               self._rng("provisioner"))
        self.dns = CoreDNS(self.api, self._rng("coredns"))
        self.network.resolvers.append(self.dns)
        self.kube_system = KubeSystem(self.api, self.clock, self._rng("kube-system"),
                                      proxy_mode=proxy_mode)
        # The machines, each with its kubelet and kube-proxy.
        self.kubelets: dict[str, Kubelet] = {}
        self.kube_proxies: dict[str, KubeProxy] = {}
        for config in self._node_configs(nodes, cpu, memory, zones):
            self.add_node(config)
        for component in (self.controller_manager, self.cloud, self.provisioner, self.dns,
                          self.kube_system):
            if component is not None:
                component.start()
        self._kubectl = Kubectl(self.api)
        self.clock.settle()
        _current[:] = [self]

    # -- the learner's side -------------------------------------------------------------------
    @property
    def now(self) -> float:
        """Simulated seconds since the cluster started."""
        return self.clock.now

    def run(self, seconds: float) -> Cluster:
        """Advance simulated time by ``seconds``; everything due meanwhile happens in order."""
        self.clock.run(seconds)
        return self

    def apply(self, manifest: str | Path) -> list[str]:
        """Apply YAML text (one or more documents) or a file or folder path, like ``kubectl
        apply -f``. Returns kubectl's lines (``deployment.apps/web created``); raises a typed
        error (:class:`~k8skit.api.errors.APIError`, ``ManifestError``) for bad input."""
        lines = apply_manifests(self.api, manifest)
        self.clock.settle()
        return lines

    def kubectl(self, command: str, stdin: str | None = None) -> KubectlResult:
        """Run one kubectl command line; never raises for a user mistake (see ``returncode``)."""
        result = self._kubectl.run(command, stdin=stdin)
        self.clock.settle()
        return result

    def curl(self, url: str) -> str:
        """``curl URL`` from a machine outside the cluster (a node's IP and NodePort, or a
        LoadBalancer's IP): the response body, or curl's error line."""
        return traffic.curl(self, url)

    def send_requests(self, url: str, n: int = 100, source: str = traffic.OUTSIDE,
                      interval: float = 0.0) -> traffic.TrafficResult:
        """Send ``n`` requests to ``url`` (from outside, or from the pod named ``source``) and
        count which pods answered."""
        return traffic.send_requests(self, url, n, source=source, interval=interval)

    def select(self) -> Cluster:
        """Make this the cluster that ``%kubectl`` talks to."""
        _current[:] = [self]
        return self

    # -- the machines -------------------------------------------------------------------------
    def add_node(self, config: NodeConfig | dict) -> Kubelet:
        """Boot a machine and start its kubelet, which registers the Node with the API server."""
        config = NodeConfig.from_value(config, index=len(self.kubelets))
        if config.name in self.kubelets:
            raise ValueError(f'a node named "{config.name}" already exists')
        index = len(self.kubelets)
        config.internal_ip = config.internal_ip or f"192.168.49.{index + 2}"
        config.pod_cidr = config.pod_cidr or f"10.244.{index}.0/24"
        kubelet = Kubelet(self.api, self.clock, config, self._rng(f"kubelet/{config.name}"),
                          self.network, self.disks)
        self.kubelets[config.name] = kubelet
        self.api.register_node_proxy(config.name, kubelet)
        self.kube_proxies[config.name] = KubeProxy(
            self.api, self.clock, config.name, self.network, self._rng(f"kube-proxy/{config.name}"),
            mode=self.proxy_mode)
        kubelet.start()
        self.kube_proxies[config.name].start()
        return kubelet

    def fail_node(self, name: str) -> None:
        """Power a machine off: its kubelet, kube-proxy and containers stop, and it stops
        reporting. The API keeps showing its last status until the node lifecycle controller
        notices the silence (about 50 s)."""
        self._kubelet(name).stop()
        self.kube_proxies[name].stop()

    def restore_node(self, name: str) -> None:
        """Power a machine back on: its kubelet starts again and reports Ready."""
        self._kubelet(name).start()
        self.kube_proxies[name].start()

    def set_proxy_mode(self, mode: str) -> None:
        """Switch kube-proxy on every node to ``mode``: ``iptables`` (a random backend per
        connection) or ``ipvs`` (round robin).

        As on a kubeadm cluster: the mode goes into the ``kube-proxy`` ConfigMap in
        kube-system, then kube-proxy restarts on every machine that is on (the DaemonSet's pods
        are deleted and come back), since it reads its configuration only when it starts. A
        machine that is off starts in the new mode when it comes back.
        """
        if mode not in PROXY_MODES:
            raise ValueError(f'unknown proxy mode "{mode}"; choose one of '
                             f'{", ".join(PROXY_MODES)}')
        self.kube_system.write_proxy_mode(mode)
        for proxy in self.kube_proxies.values():
            running = proxy.running
            proxy.stop()
            proxy.mode = mode
            if running:
                proxy.start()
        self.proxy_mode = mode
        self.clock.settle()

    @property
    def nodes(self) -> list[str]:
        return list(self.kubelets)

    # -- wiring -------------------------------------------------------------------------------
    def _rng(self, component: str) -> random.Random:
        """Each component's own seeded stream, so adding a component changes no other's draws."""
        return random.Random(f"{self.seed}/{component}")

    def _kubelet(self, name: str) -> Kubelet:
        if name not in self.kubelets:
            raise KeyError(f'no node named "{name}"; nodes are {", ".join(self.kubelets)}')
        return self.kubelets[name]

    @staticmethod
    def _node_configs(nodes: int | list, cpu: str, memory: str,
                      zones: list[str] | None) -> list[NodeConfig]:
        control_plane = NodeConfig(
            "control-plane", cpu=cpu, memory=memory, control_plane=True,
            # kubeadm also keeps cloud load balancers from sending traffic to the control plane.
            labels={"node-role.kubernetes.io/control-plane": "",
                    "node.kubernetes.io/exclude-from-external-load-balancers": ""},
            taints=[dict(CONTROL_PLANE_TAINT)])
        if isinstance(nodes, int):
            if nodes < 0:
                raise ValueError(f"nodes must be 0 or more, not {nodes}")
            workers = [NodeConfig(f"worker-{i}", cpu=cpu, memory=memory,
                                  zone=zones[(i - 1) % len(zones)] if zones else None)
                       for i in range(1, nodes + 1)]
        else:
            workers = [NodeConfig.from_value(n, i) for i, n in enumerate(nodes, start=1)]
        return [control_plane, *workers]

    def __repr__(self) -> str:
        return (f"<Cluster: {len(self.kubelets)} nodes, {self.store.count('Pod')} pods, "
                f"t={self.clock.now:g}s, seed={self.seed}>")
