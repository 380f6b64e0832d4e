"""kube-proxy: the node agent that makes Service addresses work.

A Service's cluster IP belongs to no machine and no network card. On every node, kube-proxy
watches Services and EndpointSlices through the API server and programs the node's kernel so
that a packet sent to ``ClusterIP:port`` (or to ``<node IP>:NodePort``, or to a load balancer's
address) is rewritten, before it leaves the node, to go to one ready pod: ``podIP:targetPort``.
There is no proxy process in the data path; the kernel does it, on the node where the packet
starts. Sources: ``pkg/proxy/iptables/proxier.go``, ``pkg/proxy/ipvs/proxier.go``,
``pkg/proxy/topology.go`` and ``docs/reference/networking/virtual-ips.md``.

Here each node's :class:`KubeProxy` registers a virtual-IP hook on the pod network
(:meth:`KubeProxy.translate`): the network asks every hook about each new connection, and the
kube-proxy of the node the connection starts on answers with the backend it picked.

How a backend is picked depends on the mode, chosen per cluster:

- **iptables** (the default): a Service's chain holds one rule per endpoint; rule *i* of *n*
  matches with probability ``1/(n-i)`` (``-m statistic --mode random``) and the last one always,
  so each endpoint gets ``1/n`` of the connections, at random. The probabilities are stored as
  the kernel stores them (31-bit fractions), which is why ``iptables-save`` shows
  ``0.33333333349`` for one third.
- **ipvs**: the kernel's IP Virtual Server balances with round robin (``rr``).

Either way, with ``sessionAffinity: ClientIP`` a client keeps its endpoint for
``timeoutSeconds`` (10800 s by default) after its last connection (the ``recent`` match).

Which endpoints count:

- only **ready** endpoints receive traffic; if none is ready, endpoints that are terminating but
  still serving are used (``ProxyTerminatingEndpoints``); if there are none at all, the Service's
  rule **rejects** the connection, so clients see "connection refused" at once instead of a
  timeout;
- ``internalTrafficPolicy: Local`` sends in-cluster traffic only to endpoints on the client's
  own node, ``externalTrafficPolicy: Local`` sends traffic from outside (NodePort, load balancer)
  only to endpoints on the node it arrived at; without one the packet is **dropped** (the client
  times out), and a cloud load balancer's health check keeps away from such nodes.

Traffic from pods to a load balancer's address never leaves the cluster: kube-proxy programs
that address too and short-circuits it like the cluster IP.

kube-proxy batches changes: it rewrites the rules at most once per ``--iptables-min-sync-period``
(1 s since v1.28; ``--ipvs-min-sync-period`` is 0), so an endpoint change reaches the data path
up to a second later. :meth:`KubeProxy.rules` shows what is programmed, as
``iptables-save`` or ``ipvsadm -Ln`` would print it on the node (only kube-proxy's own chains).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import random
from dataclasses import dataclass, field
from datetime import timedelta

from k8skit.api.meta import EPOCH
from k8skit.api.server import APIServer
from k8skit.clock import Clock, Timer
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.node.network import REJECT, PodNetwork

# A packet a rule drops: nobody answers and the client waits until it gives up. The network
# treats any address it does not know this way.
DROP = ("DROP", 0)

IPTABLES = "iptables"
IPVS = "ipvs"
PROXY_MODES = (IPTABLES, IPVS)

# kube-proxy's --iptables-min-sync-period (1 s since v1.28) and --ipvs-min-sync-period (0).
MIN_SYNC_PERIOD = {IPTABLES: 1.0, IPVS: 0.0}
# kubeadm's pod network (--pod-network-cidr in the kubeadm docs' flannel example), which
# kube-proxy's --cluster-cidr names to tell pod traffic from outside traffic.
DEFAULT_CLUSTER_CIDR = "10.244.0.0/16"
# The xt_statistic match keeps a probability as a 31-bit fraction (libxt_statistic.c).
STATISTIC_SCALE = 0x80000000
# Labels of services and slices kube-proxy does not handle (cmd/kube-proxy/app/server.go).
SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name"
HEADLESS_LABEL = "service.kubernetes.io/headless"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
# Who a connection from outside the cluster counts as for ClientIP affinity.
OUTSIDE_CLIENT = "outside"


def _hash(text: str) -> str:
    """The 16 base32 characters of a chain name (``portProtoHash``)."""
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:16]


def statistic_probability(n: int) -> int:
    """What the kernel stores for kube-proxy's ``--probability`` ``1/n``, written as
    ``%0.10f`` (``computeProbability``) and parsed by iptables into a 31-bit fraction."""
    written = float(f"{1.0 / n:0.10f}")
    return int(written * STATISTIC_SCALE + 0.5)


@dataclass
class Backend:
    """One endpoint of a Service port, as kube-proxy sees it in the EndpointSlices."""

    ip: str
    port: int
    node_name: str | None
    ready: bool
    serving: bool
    terminating: bool

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass
class ServicePortInfo:
    """One port of one Service, with the endpoints it sends to (``ServicePort`` upstream)."""

    namespace: str
    name: str
    port_name: str
    protocol: str
    cluster_ip: str
    port: int
    node_port: int = 0
    load_balancer_ips: list[str] = field(default_factory=list)
    external_ips: list[str] = field(default_factory=list)
    affinity_seconds: int = 0
    external_local: bool = False
    internal_local: bool = False
    backends: list[Backend] = field(default_factory=list)
    # Filled by KubeProxy._categorize for this node.
    cluster_backends: list[Backend] = field(default_factory=list)
    local_backends: list[Backend] = field(default_factory=list)
    next_rr: int = 0

    @property
    def key(self) -> str:
        """``namespace/name`` or ``namespace/name:port`` (``ServicePortName.String``)."""
        return f"{self.namespace}/{self.name}" + (f":{self.port_name}" if self.port_name else "")

    @property
    def proto(self) -> str:
        return self.protocol.lower()

    @property
    def svc_chain(self) -> str:
        return "KUBE-SVC-" + _hash(self.key + self.proto)

    @property
    def ext_chain(self) -> str:
        return "KUBE-EXT-" + _hash(self.key + self.proto)

    @property
    def local_chain(self) -> str:
        return "KUBE-SVL-" + _hash(self.key + self.proto)

    def sep_chain(self, backend: Backend) -> str:
        return "KUBE-SEP-" + _hash(self.key + self.proto + backend.address)


class KubeProxy:
    """kube-proxy on one node (``mode`` ``iptables`` or ``ipvs``)."""

    def __init__(self, api: APIServer, clock: Clock, node_name: str, network: PodNetwork,
                 rng: random.Random, mode: str = IPTABLES,
                 cluster_cidr: str = DEFAULT_CLUSTER_CIDR) -> None:
        if mode not in PROXY_MODES:
            raise ValueError(f'unknown proxy mode "{mode}"; choose one of {", ".join(PROXY_MODES)}')
        self.api = api
        self.clock = clock
        self.node_name = node_name
        self.network = network
        self.mode = mode
        self.cluster_cidr = cluster_cidr
        self._cluster_network = ipaddress.ip_network(cluster_cidr, strict=False)
        self._rng = rng
        self.running = False
        self.node_ip: str | None = None
        self._pod_network: ipaddress.IPv4Network | None = None
        informers = SharedInformerFactory(api)
        self._services = informers.informer("Service")
        self._slices = informers.informer("EndpointSlice")
        # Like the real kube-proxy, watch only this machine's own Node.
        self._nodes = informers.informer("Node", field_selector=f"metadata.name={node_name}")
        for informer in (self._services, self._slices):
            informer.add_handler(self._changed)
        self._nodes.add_handler(self._node_changed)
        self._informers = informers
        self._sync_timer: Timer | None = None
        self._last_sync = float("-inf")
        self.service_ports: list[ServicePortInfo] = []
        self._by_cluster_ip: dict[tuple[str, int], ServicePortInfo] = {}
        self._by_external_ip: dict[tuple[str, int], ServicePortInfo] = {}
        self._by_node_port: dict[int, ServicePortInfo] = {}
        self._local_sources: dict[str, bool] = {}
        self._affinity: dict[tuple[str, str], tuple[Backend, float]] = {}
        self._probabilities: dict[int, list[int]] = {}
        network.virtual_ips.append(self.translate)

    # -- the process ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or restart after the machine came back): list, watch and program the rules."""
        if self.running:
            return
        self.running = True
        self._informers.start()
        self._schedule_sync()

    def stop(self) -> None:
        """The machine is off: nothing on it answers or forwards any more."""
        self.running = False
        if self._sync_timer is not None:
            self._sync_timer.cancel()
            self._sync_timer = None

    def _changed(self, event_type: str, obj: dict) -> None:
        if self.running:
            self._schedule_sync()

    def _node_changed(self, event_type: str, node: dict) -> None:
        """Only this node's own object matters (kube-proxy watches it by name) and only for
        its address and pod range, not for every heartbeat."""
        if self.running and node["metadata"]["name"] == self.node_name \
                and (_internal_ip(node), (node.get("spec") or {}).get("podCIDR")) \
                != (self.node_ip, str(self._pod_network) if self._pod_network else None):
            self._schedule_sync()

    def _schedule_sync(self) -> None:
        if self._sync_timer is not None:
            return
        delay = max(0.0, self._last_sync + MIN_SYNC_PERIOD[self.mode] - self.clock.now)
        self._sync_timer = self.clock.call_later(delay, self.sync)

    def sync(self) -> None:
        """Rebuild the node's rules from the Services and EndpointSlices (``syncProxyRules``)."""
        self._sync_timer = None
        if not self.running:
            return
        self._last_sync = self.clock.now
        self._read_node()
        backends = self._backends_by_service_port()
        ports: list[ServicePortInfo] = []
        for service in sorted(self._services.list(), key=_service_order):
            ports.extend(self._service_ports(service, backends))
        self.service_ports = ports
        self._by_cluster_ip = {}
        self._by_external_ip = {}
        self._by_node_port = {}
        for info in ports:
            self._categorize(info)
            if info.protocol != "TCP":
                continue  # the simulated network carries TCP only
            self._by_cluster_ip[(info.cluster_ip, info.port)] = info
            for ip in info.load_balancer_ips + info.external_ips:
                self._by_external_ip[(ip, info.port)] = info
            if info.node_port:
                self._by_node_port[info.node_port] = info
        live = {(info.key, b.address) for info in ports for b in info.backends}
        self._affinity = {k: v for k, v in self._affinity.items()
                          if (k[0], v[0].address) in live}

    def _read_node(self) -> None:
        node = self._nodes.get(self.node_name, None)
        if node is None:
            return
        self.node_ip = _internal_ip(node) or self.node_ip
        cidr = (node.get("spec") or {}).get("podCIDR")
        network = ipaddress.ip_network(cidr, strict=False) if cidr else None
        if network != self._pod_network:
            self._pod_network = network
            self._local_sources.clear()

    def _backends_by_service_port(self) -> dict[tuple[str, str, str, str], list[Backend]]:
        """Every endpoint of every slice, by (namespace, service, port name, protocol)."""
        found: dict[tuple[str, str, str, str], dict[str, Backend]] = {}
        for slice_ in self._slices.list():
            labels = slice_["metadata"].get("labels") or {}
            service_name = labels.get(SERVICE_NAME_LABEL)
            if not service_name or HEADLESS_LABEL in labels \
                    or SERVICE_PROXY_NAME_LABEL in labels:
                continue
            namespace = slice_["metadata"].get("namespace") or "default"
            for port in slice_.get("ports") or []:
                if port.get("port") is None:
                    continue
                key = (namespace, service_name, port.get("name") or "",
                       port.get("protocol", "TCP"))
                bucket = found.setdefault(key, {})
                for endpoint in slice_.get("endpoints") or []:
                    conditions = endpoint.get("conditions") or {}
                    ready = conditions.get("ready") is not False
                    backend = Backend(
                        ip=endpoint["addresses"][0], port=port["port"],
                        node_name=endpoint.get("nodeName"), ready=ready,
                        serving=conditions.get("serving", ready) is not False,
                        terminating=bool(conditions.get("terminating")))
                    bucket.setdefault(backend.address, backend)
        return {key: sorted(bucket.values(), key=lambda b: b.address)
                for key, bucket in found.items()}

    @staticmethod
    def _service_ports(service: dict, backends: dict) -> list[ServicePortInfo]:
        spec = service.get("spec") or {}
        labels = service["metadata"].get("labels") or {}
        cluster_ip = spec.get("clusterIP")
        if not cluster_ip or cluster_ip == "None" or spec.get("type") == "ExternalName" \
                or SERVICE_PROXY_NAME_LABEL in labels:
            return []
        namespace = service["metadata"].get("namespace") or "default"
        name = service["metadata"]["name"]
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        affinity = 0
        if spec.get("sessionAffinity") == "ClientIP":
            affinity = (((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {})
                        .get("timeoutSeconds") or 10800)
        infos = []
        for port in spec.get("ports") or []:
            protocol = port.get("protocol", "TCP")
            port_name = port.get("name") or ""
            infos.append(ServicePortInfo(
                namespace=namespace, name=name, port_name=port_name, protocol=protocol,
                cluster_ip=cluster_ip, port=port["port"], node_port=port.get("nodePort") or 0,
                load_balancer_ips=[i["ip"] for i in ingress if i.get("ip")],
                external_ips=list(spec.get("externalIPs") or []),
                affinity_seconds=affinity,
                external_local=spec.get("externalTrafficPolicy") == "Local",
                internal_local=spec.get("internalTrafficPolicy") == "Local",
                backends=list(backends.get((namespace, name, port_name, protocol), []))))
        return infos

    def _categorize(self, info: ServicePortInfo) -> None:
        """The endpoints usable cluster-wide and on this node (``CategorizeEndpoints``): ready
        ones, else the serving ones among the terminating."""
        def usable(candidates: list[Backend]) -> list[Backend]:
            ready = [b for b in candidates if b.ready]
            return ready or [b for b in candidates if b.serving and b.terminating]

        info.cluster_backends = usable(info.backends)
        info.local_backends = usable([b for b in info.backends
                                      if b.node_name == self.node_name])
        info.next_rr %= max(1, len(info.cluster_backends))

    # -- the data path --------------------------------------------------------------------------
    def translate(self, ip: str, port: int, source_ip: str | None):
        """The network's virtual-IP hook: where a new connection to ``ip:port`` goes.

        Returns ``(pod IP, port)``, :data:`~k8skit.node.network.REJECT` (no endpoints),
        :data:`DROP` (no local endpoint under a Local traffic policy), or None when the
        connection does not pass through this node's rules.
        """
        if not self.running:
            return None
        from_here = source_ip is not None and self._is_local_source(source_ip)
        if from_here:
            info = self._by_cluster_ip.get((ip, port))
            if info is not None:
                return self._pick(info, source_ip, local=info.internal_local)
            info = self._by_external_ip.get((ip, port))
            if info is not None:
                return self._pick(info, source_ip, local=False)
        if ip == self.node_ip and ip is not None:
            info = self._by_node_port.get(port)
            if info is not None:
                # Pods and the node itself are not "external" clients: the Local policy only
                # applies to traffic from outside ("pod traffic for ... external destinations").
                external = not from_here and not self._is_pod_source(source_ip)
                return self._pick(info, source_ip, local=info.external_local and external)
        return None

    def _is_local_source(self, source_ip: str) -> bool:
        """A pod on this node, or the node itself."""
        known = self._local_sources.get(source_ip)
        if known is None:
            known = source_ip == self.node_ip
            if not known and self._pod_network is not None:
                try:
                    known = ipaddress.ip_address(source_ip) in self._pod_network
                except ValueError:
                    known = False
            self._local_sources[source_ip] = known
        return known

    def _is_pod_source(self, source_ip: str | None) -> bool:
        """A pod anywhere in the cluster (``-s <cluster CIDR>``)."""
        if source_ip is None:
            return False
        try:
            return ipaddress.ip_address(source_ip) in self._cluster_network
        except ValueError:
            return False

    def _pick(self, info: ServicePortInfo, client: str | None, local: bool):
        candidates = info.local_backends if local else info.cluster_backends
        if not candidates:
            if local and info.cluster_backends:
                return DROP
            return REJECT
        client = client or OUTSIDE_CLIENT
        if info.affinity_seconds:
            remembered = self._affinity.get((info.key, client))
            if remembered is not None:
                backend, last_seen = remembered
                if self.clock.now - last_seen <= info.affinity_seconds and backend in candidates:
                    self._affinity[(info.key, client)] = (backend, self.clock.now)
                    return backend.ip, backend.port
        if self.mode == IPVS:
            backend = candidates[info.next_rr % len(candidates)]
            info.next_rr = (info.next_rr + 1) % len(candidates)
        else:
            backend = candidates[self._walk_statistic_rules(len(candidates))]
        if info.affinity_seconds:
            self._affinity[(info.key, client)] = (backend, self.clock.now)
        return backend.ip, backend.port

    def _walk_statistic_rules(self, n: int) -> int:
        """Which of ``n`` endpoint rules matches: rule i with probability ``1/(n-i)``, each
        tried in turn as the kernel does (``prandom_u32() & 0x7FFFFFFF < probability``)."""
        thresholds = self._probabilities.get(n)
        if thresholds is None:
            thresholds = [statistic_probability(n - i) for i in range(n - 1)]
            self._probabilities[n] = thresholds
        for i, threshold in enumerate(thresholds):
            if self._rng.getrandbits(31) < threshold:
                return i
        return n - 1

    # -- what a learner can inspect -------------------------------------------------------------
    def rules(self, service: str | None = None) -> str:
        """The programmed rules, as ``iptables-save`` (iptables mode) or ``ipvsadm -Ln`` (ipvs
        mode) prints them on this node. ``service`` (``"default/web"``) keeps only its lines."""
        if self.mode == IPVS:
            return self._ipvsadm(service)
        return self._iptables_save(service)

    def _iptables_save(self, only: str | None) -> str:
        nat: list[str] = []
        filter_rules: list[str] = []
        nat_chains: set[str] = set()
        for info in self.service_ports:
            if only is None or f"{info.namespace}/{info.name}" == only:
                self._iptables_service(info, nat, nat_chains, filter_rules)
        filter_chains = {"KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES"} if only is None else \
            {rule.split(" ", 2)[1] for rule in filter_rules}
        if only is None:
            nat_chains |= {"KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING",
                           "KUBE-MARK-MASQ"}
            nat += _STATIC_NAT_RULES
            filter_rules += _STATIC_FILTER_RULES
        moment = EPOCH + timedelta(seconds=int(self.clock.now))
        stamp = moment.strftime("%a %b ") + f"{moment.day:2d}" + moment.strftime(" %H:%M:%S %Y")
        lines = []
        for table, builtin, chains, rules in (
                ("filter", ["INPUT", "FORWARD", "OUTPUT"], filter_chains, filter_rules),
                ("nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"], nat_chains, nat)):
            lines += [f"# Generated by iptables-save v1.8.9 (nf_tables) on {stamp}", f"*{table}"]
            lines += [f":{chain} ACCEPT [0:0]" for chain in builtin]
            lines += [f":{chain} - [0:0]" for chain in sorted(chains)]
            lines += _by_chain(rules, builtin)
            lines += ["COMMIT", f"# Completed on {stamp}"]
        return "\n".join(lines) + "\n"

    def _iptables_service(self, info: ServicePortInfo, nat: list[str], chains: set[str],
                          filter_rules: list[str]) -> None:
        """The rules of one Service port (``syncProxyRules``, one iteration of its loop)."""
        key, proto = info.key, info.proto
        match = f"-p {proto} -m comment --comment"
        dport = f"-m {proto} --dport"
        externally = bool(info.node_port or info.load_balancer_ips or info.external_ips)
        if not info.cluster_backends:
            reject = "-j REJECT --reject-with icmp-port-unreachable"
            filter_rules.append(f'-A KUBE-SERVICES -d {info.cluster_ip}/32 {match} '
                                f'"{key} has no endpoints" {dport} {info.port} {reject}')
            for ip in info.load_balancer_ips + info.external_ips:
                filter_rules.append(f'-A KUBE-EXTERNAL-SERVICES -d {ip}/32 {match} '
                                    f'"{key} has no endpoints" {dport} {info.port} {reject}')
            if info.node_port:
                filter_rules.append(f'-A KUBE-EXTERNAL-SERVICES {match} "{key} has no '
                                    f'endpoints" -m addrtype --dst-type LOCAL {dport} '
                                    f"{info.node_port} {reject}")
            return
        svc, ext, svl = info.svc_chain, info.ext_chain, info.local_chain
        internal_target = svl if info.internal_local else svc
        chains.update({svc, *([ext] if externally else []),
                       *([svl] if info.internal_local or info.external_local else [])})
        nat.append(f'-A KUBE-SERVICES -d {info.cluster_ip}/32 {match} "{key} cluster IP" '
                   f"{dport} {info.port} -j {internal_target}")
        for ip in info.load_balancer_ips:
            nat.append(f'-A KUBE-SERVICES -d {ip}/32 {match} "{key} loadbalancer IP" '
                       f"{dport} {info.port} -j {ext}")
        for ip in info.external_ips:
            nat.append(f'-A KUBE-SERVICES -d {ip}/32 {match} "{key} external IP" '
                       f"{dport} {info.port} -j {ext}")
        if info.node_port:
            nat.append(f'-A KUBE-NODEPORTS {match} "{key}" {dport} {info.node_port} -j {ext}')
        nat.append(f'-A {svc} ! -s {self.cluster_cidr} -d {info.cluster_ip}/32 {match} '
                   f'"{key} cluster IP" {dport} {info.port} -j KUBE-MARK-MASQ')
        if externally:
            if info.external_local:
                nat.append(f'-A {ext} -s {self.cluster_cidr} -m comment --comment "pod '
                           f'traffic for {key} external destinations" -j {svc}')
                nat.append(f'-A {ext} -m comment --comment "masquerade LOCAL traffic for {key} '
                           'external destinations" -m addrtype --src-type LOCAL '
                           "-j KUBE-MARK-MASQ")
                nat.append(f'-A {ext} -m comment --comment "route LOCAL traffic for {key} '
                           f'external destinations" -m addrtype --src-type LOCAL -j {svc}')
                nat.append(f"-A {ext} -j {svl}")
                if not info.local_backends:
                    drop = f'{match} "{key} has no local endpoints"'
                    for ip in info.load_balancer_ips + info.external_ips:
                        filter_rules.append(f"-A KUBE-EXTERNAL-SERVICES -d {ip}/32 {drop} "
                                            f"{dport} {info.port} -j DROP")
                    if info.node_port:
                        filter_rules.append(f"-A KUBE-EXTERNAL-SERVICES {drop} -m addrtype "
                                            f"--dst-type LOCAL {dport} {info.node_port} -j DROP")
            else:
                nat.append(f'-A {ext} -m comment --comment "masquerade traffic for {key} '
                           f'external destinations" -j KUBE-MARK-MASQ')
                nat.append(f"-A {ext} -j {svc}")
        self._endpoint_rules(info, svc, info.cluster_backends, nat, chains)
        if info.internal_local or info.external_local:
            self._endpoint_rules(info, svl, info.local_backends, nat, chains)

    def _endpoint_rules(self, info: ServicePortInfo, chain: str, backends: list[Backend],
                        nat: list[str], chains: set[str]) -> None:
        key, proto = info.key, info.proto
        if info.affinity_seconds:
            for backend in backends:
                sep = info.sep_chain(backend)
                nat.append(f'-A {chain} -m comment --comment "{key} -> {backend.address}" '
                           f"-m recent --rcheck --seconds {info.affinity_seconds} --reap "
                           f"--name {sep} --mask 255.255.255.255 --rsource -j {sep}")
        n = len(backends)
        for i, backend in enumerate(backends):
            sep = info.sep_chain(backend)
            rule = f'-A {chain} -m comment --comment "{key} -> {backend.address}"'
            if i < n - 1:
                probability = statistic_probability(n - i) / STATISTIC_SCALE
                rule += f" -m statistic --mode random --probability {probability:.11f}"
            nat.append(f"{rule} -j {sep}")
            if sep in chains:
                continue
            chains.add(sep)
            nat.append(f'-A {sep} -s {backend.ip}/32 -m comment --comment "{key}" '
                       "-j KUBE-MARK-MASQ")
            recent = (f" -m recent --set --name {sep} --mask 255.255.255.255 --rsource"
                      if info.affinity_seconds else "")
            nat.append(f'-A {sep} -p {proto} -m comment --comment "{key}"{recent} -m {proto} '
                       f"-j DNAT --to-destination {backend.address}")

    def _ipvsadm(self, only: str | None) -> str:
        lines = ["IP Virtual Server version 1.2.1 (size=4096)",
                 "Prot LocalAddress:Port Scheduler Flags",
                 "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"]
        virtual: list[tuple[str, int, ServicePortInfo, bool]] = []
        for info in self.service_ports:
            if only is not None and f"{info.namespace}/{info.name}" != only:
                continue
            virtual.append((info.cluster_ip, info.port, info, info.internal_local))
            for ip in info.load_balancer_ips + info.external_ips:
                virtual.append((ip, info.port, info, info.external_local))
            if info.node_port and self.node_ip:
                virtual.append((self.node_ip, info.node_port, info, info.external_local))
        for ip, port, info, local in sorted(virtual, key=lambda v: (_ip_order(v[0]), v[1])):
            flags = f" persistent {info.affinity_seconds}" if info.affinity_seconds else ""
            lines.append(f"{info.protocol}  {ip}:{port} rr{flags}")
            for backend in info.local_backends if local else info.cluster_backends:
                lines.append(f"  -> {backend.address:<28} Masq    1      0          0")
        return "\n".join(lines) + "\n"


# The rules kube-proxy writes once, whatever the Services (setupIptables / syncProxyRules).
_STATIC_FILTER_RULES = [
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible '
    'service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" '
    "-j KUBE-SERVICES",
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible '
    'service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" '
    "-j KUBE-SERVICES",
]
_STATIC_NAT_RULES = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
    "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
    "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" '
    "-j MASQUERADE --random-fully",
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be '
    'the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
]


def _by_chain(rules: list[str], builtin: list[str]) -> list[str]:
    """Rules grouped as iptables-save lists them: built-in chains first, then user chains in
    name order, each chain's rules in the order they were added."""
    def chain_of(rule: str) -> str:
        return rule.split(" ", 2)[1]

    order = {name: i for i, name in enumerate(builtin)}
    return sorted(rules, key=lambda r: (order.get(chain_of(r), len(order)), chain_of(r)))


def _internal_ip(node: dict) -> str | None:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return address["address"]
    return None


def _service_order(service: dict) -> tuple[str, str]:
    return (service["metadata"].get("namespace") or "", service["metadata"]["name"])


def _ip_order(ip: str) -> tuple[int, int]:
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, 0)
