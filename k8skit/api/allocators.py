"""The API server's Service allocators: cluster IPs and node ports.

A Service gets its virtual IP and its node ports from the API server, not from defaulting and
not from a controller: the Service REST storage reserves them while it stores the object
(``pkg/registry/core/service/storage/alloc.go``) and gives them back when the Service goes. Each
is a bitmap over a range:

- **cluster IPs** from ``--service-cluster-ip-range`` (kubeadm: ``10.96.0.0/12``). The first
  address, ``10.96.0.1``, belongs to the ``kubernetes`` Service (the API server itself) and
  kubeadm gives CoreDNS's ``kube-dns`` the tenth, ``10.96.0.10``.
- **node ports** from ``--service-node-port-range`` (``30000-32767``), one per Service port of a
  NodePort or LoadBalancer Service, the same number on every node.

Both ranges are split in two (KEP-3070 and KEP-3668): a small *static* band at the start, kept
for addresses and ports people choose themselves, and the rest, from which automatic allocation
picks **at random** (``randomScanStrategyWithOffset`` in
``pkg/registry/core/service/allocator/bitmap.go``). That is why a new Service gets an address
like ``10.104.183.21`` and a node port like ``31526``, and why asking for ``10.96.0.20`` or
``30080`` rarely collides with an automatic choice. The randomness here is seeded.

A value that is taken (or outside the range) makes the create fail with the API server's
message, for example::

    The Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port
    is already allocated

The API server calls :class:`ServiceAllocators`: :meth:`~ServiceAllocators.on_create` after
validating a new Service, :meth:`~ServiceAllocators.prepare_update` before validating a change
and :meth:`~ServiceAllocators.on_update` after, :meth:`~ServiceAllocators.on_delete` when a
Service is removed.
"""

from __future__ import annotations

import ipaddress
import random

from k8skit.api.errors import APIError, Invalid
from k8skit.api.validation import NODE_PORT_RANGE, Path, invalid, invalid_go

# kubeadm's defaults (cmd/kubeadm/app/constants: DefaultServicesSubnet; the DNS address is the
# tenth of that range, GetDNSIP).
SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/12"
KUBERNETES_SERVICE_IP = "10.96.0.1"
DNS_SERVICE_IP = "10.96.0.10"


class AllocationError(Exception):
    """A value the allocator cannot hand out; the message is the allocator's."""


class RangeAllocator:
    """A bitmap over ``size`` consecutive values with a static band of ``offset`` at its start.

    :meth:`allocate_next` first picks a random free value above the static band, scanning
    upwards from a random start, and only falls back to the static band when the rest is full
    (``randomScanStrategyWithOffset.AllocateBit``).
    """

    def __init__(self, size: int, offset: int, rng: random.Random) -> None:
        self.size = size
        self.offset = offset
        self._rng = rng
        self._used: set[int] = set()

    def allocate(self, index: int) -> bool:
        """Reserve ``index``; False when it is already taken."""
        if index in self._used:
            return False
        self._used.add(index)
        return True

    def allocate_next(self) -> int | None:
        """A free index chosen as the API server chooses, or None when the range is full."""
        if len(self._used) >= self.size:
            return None
        for low, high in ((self.offset, self.size), (0, self.offset)):
            width = high - low
            if width <= 0:
                continue
            start = self._rng.randrange(width)
            for step in range(width):
                index = low + (start + step) % width
                if index not in self._used:
                    self._used.add(index)
                    return index
        return None

    def release(self, index: int) -> None:
        self._used.discard(index)

    def __contains__(self, index: int) -> bool:
        return index in self._used


def ip_range_offset(size: int) -> int:
    """The static band of a Service CIDR: ``min(max(16, size/16), 256)`` addresses
    (``calculateRangeOffset`` in ``pkg/registry/core/service/ipallocator/bitmap.go``)."""
    if size <= 16:
        return 0
    return min(max(16, size // 16), 256)


def port_range_offset(size: int) -> int:
    """The static band of the node port range: ``min(max(16, size/32), 128)`` ports
    (``calculateRangeOffset`` in ``pkg/registry/core/service/portallocator/allocator.go``)."""
    if size <= 16:
        return 0
    return min(max(16, size // 32), 128)


class ClusterIPAllocator:
    """Addresses of the Service CIDR, without its network and broadcast addresses."""

    def __init__(self, cidr: str, rng: random.Random) -> None:
        self.cidr = ipaddress.ip_network(cidr, strict=False)
        self._base = int(self.cidr.network_address) + 1
        size = self.cidr.num_addresses - 2
        self._bitmap = RangeAllocator(size, ip_range_offset(self.cidr.num_addresses), rng)

    def allocate(self, ip: str) -> None:
        """Reserve one chosen address; raises :class:`AllocationError` with upstream's words."""
        index = self._index(ip)
        if index is None:
            raise AllocationError(f"the provided IP ({ip}) is not in the valid range. "
                                  f"The range of valid IPs is {self.cidr}")
        if not self._bitmap.allocate(index):
            raise AllocationError("provided IP is already allocated")

    def allocate_next(self) -> str:
        index = self._bitmap.allocate_next()
        if index is None:
            raise AllocationError("range is full")
        return str(ipaddress.ip_address(self._base + index))

    def release(self, ip: str) -> None:
        index = self._index(ip)
        if index is not None:
            self._bitmap.release(index)

    def is_allocated(self, ip: str) -> bool:
        index = self._index(ip)
        return index is not None and index in self._bitmap

    def _index(self, ip: str) -> int | None:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        index = int(address) - self._base
        if address.version != self.cidr.version or not 0 <= index < self._bitmap.size:
            return None
        return index


class NodePortAllocator:
    """Ports of ``--service-node-port-range``; one allocator for every protocol."""

    def __init__(self, low: int, high: int, rng: random.Random) -> None:
        self.low, self.high = low, high
        size = high - low + 1
        self._bitmap = RangeAllocator(size, port_range_offset(size), rng)

    def allocate(self, port: int) -> None:
        if not self.low <= port <= self.high:
            raise AllocationError("provided port is not in the valid range. The range of "
                                  f"valid ports is {self.low}-{self.high}")
        if not self._bitmap.allocate(port - self.low):
            raise AllocationError("provided port is already allocated")

    def allocate_next(self) -> int:
        index = self._bitmap.allocate_next()
        if index is None:
            raise AllocationError("range is full")
        return self.low + index

    def release(self, port: int) -> None:
        if self.low <= port <= self.high:
            self._bitmap.release(port - self.low)

    def is_allocated(self, port: int) -> bool:
        return self.low <= port <= self.high and (port - self.low) in self._bitmap


# -- what a Service needs ------------------------------------------------------------------------
def needs_cluster_ip(service: dict) -> bool:
    """Every type but ExternalName has a cluster IP, unless it is headless (``None``)."""
    spec = service.get("spec") or {}
    return spec.get("type", "ClusterIP") != "ExternalName" and spec.get("clusterIP") != "None"


def needs_node_ports(service: dict) -> bool:
    """NodePort Services, and LoadBalancers unless ``allocateLoadBalancerNodePorts: false``."""
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    return kind == "NodePort" or (
        kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True) is not False)


def needs_health_check_node_port(service: dict) -> bool:
    """A LoadBalancer with ``externalTrafficPolicy: Local`` gets a port on which kube-proxy
    tells the cloud's load balancer whether the node has a local endpoint."""
    spec = service.get("spec") or {}
    return (spec.get("type") == "LoadBalancer"
            and spec.get("externalTrafficPolicy") == "Local")


def _externally_accessible(service: dict) -> bool:
    """Services an ``externalTrafficPolicy`` applies to (``ExternallyAccessible``)."""
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    return kind in ("NodePort", "LoadBalancer") or (kind == "ClusterIP"
                                                     and bool(spec.get("externalIPs")))


def _ports(service: dict) -> list[dict]:
    return [p for p in (service.get("spec") or {}).get("ports") or [] if isinstance(p, dict)]


class ServiceAllocators:
    """The cluster IP and node port allocators of one API server, as the Service storage uses
    them. Every method either completes or changes nothing and raises an
    :class:`~k8skit.api.errors.APIError`: ``Invalid`` for a chosen value that is taken or out
    of range, ``InternalError`` when a range is full."""

    def __init__(self, rng: random.Random, service_cidr: str = SERVICE_CLUSTER_IP_RANGE,
                 node_port_range: tuple[int, int] = NODE_PORT_RANGE) -> None:
        self.cluster_ips = ClusterIPAllocator(service_cidr, rng)
        self.node_ports = NodePortAllocator(*node_port_range, rng)

    # -- the storage's hooks --------------------------------------------------------------------
    def on_create(self, service: dict) -> None:
        """Give a new, validated Service its cluster IP and node ports (fills them in)."""
        taken_ips: list[str] = []
        taken_ports: list[int] = []
        try:
            if needs_cluster_ip(service):
                taken_ips += self._allocate_cluster_ip(service)
            if needs_node_ports(service):
                taken_ports += self._allocate_node_ports(service, old_ports={})
            if needs_health_check_node_port(service):
                taken_ports += self._allocate_health_check_port(service)
        except Invalid:
            self._undo(taken_ips, taken_ports)
            raise
        except AllocationError as error:
            self._undo(taken_ips, taken_ports)
            raise APIError(f"Internal error occurred: {error}") from None

    def prepare_update(self, old: dict, new: dict) -> None:
        """Before validating a change: keep the values the client left out, and drop the ones
        the new type no longer uses (``patchAllocatedValues`` and ``dropTypeDependentFields``
        in the Service storage).

        ``kubectl apply`` of a manifest without ``clusterIP`` or ``nodePort`` sends none, yet
        the Service keeps them; changing ``type: NodePort`` back to ``ClusterIP`` clears the
        node ports (and the external traffic policy) the user did not touch instead of
        failing validation.
        """
        old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
        if needs_cluster_ip(old) and needs_cluster_ip(new) and not new_spec.get("clusterIP"):
            for field in ("clusterIP", "clusterIPs"):
                if field in old_spec:
                    new_spec[field] = old_spec[field]
        if needs_node_ports(old) and needs_node_ports(new):
            still_used = ({p.get("nodePort") for p in _ports(old)}
                          & {p.get("nodePort") for p in _ports(new)})
            by_name = {p.get("name", ""): p.get("nodePort") for p in _ports(old)}
            for port in _ports(new):
                previous = by_name.get(port.get("name", ""))
                if not port.get("nodePort") and previous and previous not in still_used:
                    port["nodePort"] = previous
        if needs_health_check_node_port(old) and needs_health_check_node_port(new) \
                and not new_spec.get("healthCheckNodePort"):
            new_spec["healthCheckNodePort"] = old_spec.get("healthCheckNodePort")
        if needs_node_ports(old) and not needs_node_ports(new):
            old_by_key = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                          for p in _ports(old)}
            for port in _ports(new):
                key = (port.get("port"), port.get("protocol"))
                if port.get("nodePort") and port["nodePort"] == old_by_key.get(key):
                    del port["nodePort"]
        if needs_health_check_node_port(old) and not needs_health_check_node_port(new) \
                and new_spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort"):
            new_spec.pop("healthCheckNodePort", None)
        if needs_cluster_ip(old) and new_spec.get("type") == "ExternalName":
            for field in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if new_spec.get(field) == old_spec.get(field):
                    new_spec.pop(field, None)
        if _externally_accessible(old) and not _externally_accessible(new) \
                and new_spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
            new_spec.pop("externalTrafficPolicy", None)
        if old_spec.get("type") == "LoadBalancer" and new_spec.get("type") != "LoadBalancer":
            for field in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
                if new_spec.get(field) == old_spec.get(field):
                    new_spec.pop(field, None)

    def on_update(self, old: dict, new: dict) -> None:
        """After validating a change: reserve what the new spec needs, release what it dropped."""
        taken_ips: list[str] = []
        taken_ports: list[int] = []
        try:
            if needs_cluster_ip(new) and not needs_cluster_ip(old):
                taken_ips += self._allocate_cluster_ip(new)
            if needs_node_ports(new):
                old_ports = {p["nodePort"] for p in _ports(old) if p.get("nodePort")} \
                    if needs_node_ports(old) else set()
                taken_ports += self._allocate_node_ports(new, old_ports)
            if needs_health_check_node_port(new):
                old_port = (old.get("spec") or {}).get("healthCheckNodePort")
                if not needs_health_check_node_port(old) or \
                        (new.get("spec") or {}).get("healthCheckNodePort") != old_port:
                    taken_ports += self._allocate_health_check_port(new)
        except Invalid:
            self._undo(taken_ips, taken_ports)
            raise
        except AllocationError as error:
            self._undo(taken_ips, taken_ports)
            raise APIError(f"Internal error occurred: {error}") from None
        kept_ips = set(_cluster_ips(new)) if needs_cluster_ip(new) else set()
        for ip in _cluster_ips(old):
            if ip not in kept_ips:
                self.cluster_ips.release(ip)
        kept_ports = set(_node_ports(new))
        for port in _node_ports(old):
            if port not in kept_ports:
                self.node_ports.release(port)

    def on_delete(self, service: dict) -> None:
        """A Service is gone: its addresses and ports are free again."""
        for ip in _cluster_ips(service):
            self.cluster_ips.release(ip)
        for port in _node_ports(service):
            self.node_ports.release(port)

    # -- the pieces -----------------------------------------------------------------------------
    def _allocate_cluster_ip(self, service: dict) -> list[str]:
        spec = service["spec"]
        chosen = spec.get("clusterIP") or (spec.get("clusterIPs") or [""])[0]
        if chosen:
            try:
                self.cluster_ips.allocate(chosen)
            except AllocationError as error:
                shown = "[]string{" + f'"{chosen}"' + "}"
                raise Invalid("Service", service["metadata"].get("name", ""), [invalid_go(
                    Path("spec").child("clusterIPs"), shown,
                    f"failed to allocate IP {chosen}: {error}")]) from None
        else:
            try:
                chosen = self.cluster_ips.allocate_next()
            except AllocationError as error:
                raise AllocationError(f"failed to allocate a serviceIP: {error}") from None
        spec["clusterIP"] = chosen
        spec["clusterIPs"] = [chosen]
        return [chosen]

    def _allocate_node_ports(self, service: dict, old_ports: set[int]) -> list[int]:
        """Each port without a node port gets one; ports that share a number (53/TCP and
        53/UDP) share a node port, as ``initNodePorts`` does."""
        taken: list[int] = []
        by_service_port: dict[int, int] = {}
        name = service["metadata"].get("name", "")
        try:
            for i, port in enumerate(_ports(service)):
                wanted = port.get("nodePort")
                if wanted:
                    if wanted in old_ports or wanted in taken:
                        continue
                    try:
                        self.node_ports.allocate(wanted)
                    except AllocationError as error:
                        at = Path("spec").child("ports").index(i).child("nodePort")
                        raise Invalid("Service", name, [invalid(at, wanted, str(error))]) \
                            from None
                    taken.append(wanted)
                    by_service_port.setdefault(port.get("port"), wanted)
                    continue
                shared = by_service_port.get(port.get("port"))
                if shared is not None:
                    port["nodePort"] = shared
                    continue
                try:
                    chosen = self.node_ports.allocate_next()
                except AllocationError as error:
                    raise AllocationError(f"failed to allocate a nodePort: {error}") from None
                taken.append(chosen)
                port["nodePort"] = chosen
                by_service_port[port.get("port")] = chosen
        except (Invalid, AllocationError):
            for port in taken:
                self.node_ports.release(port)
            raise
        return taken

    def _allocate_health_check_port(self, service: dict) -> list[int]:
        spec = service["spec"]
        wanted = spec.get("healthCheckNodePort")
        if wanted:
            try:
                self.node_ports.allocate(wanted)
            except AllocationError as error:
                raise AllocationError("failed to allocate requested HealthCheck NodePort "
                                      f"{wanted}: {error}") from None
            return [wanted]
        spec["healthCheckNodePort"] = self.node_ports.allocate_next()
        return [spec["healthCheckNodePort"]]

    def _undo(self, ips: list[str], ports: list[int]) -> None:
        for ip in ips:
            self.cluster_ips.release(ip)
        for port in ports:
            self.node_ports.release(port)


def _cluster_ips(service: dict) -> list[str]:
    spec = service.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [ip for ip in ips if ip and ip != "None"]


def _node_ports(service: dict) -> list[int]:
    spec = service.get("spec") or {}
    ports = [p["nodePort"] for p in _ports(service) if p.get("nodePort")]
    if spec.get("healthCheckNodePort"):
        ports.append(spec["healthCheckNodePort"])
    return ports


def kubernetes_service_objects(advertise_address: str, secure_port: int) -> list[dict]:
    """The ``default/kubernetes`` Service and its endpoints, as the API server keeps them.

    Every cluster has this Service: it is how pods reach the API server
    (``https://kubernetes.default.svc``). The API server creates it at start-up with the first
    address of the Service range (``pkg/controlplane/controller/kubernetesservice``) and, having
    no selector, writes its Endpoints and EndpointSlice itself with its own address
    (``pkg/controlplane/reconcilers``). The Endpoints carry ``skip-mirror`` so that the
    EndpointSlice mirroring controller leaves them alone.
    """
    port = {"name": "https", "port": secure_port, "protocol": "TCP"}
    return [
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"component": "apiserver", "provider": "kubernetes"}},
         "spec": {"type": "ClusterIP", "clusterIP": KUBERNETES_SERVICE_IP,
                  "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                             "targetPort": secure_port}]}},
        {"apiVersion": "v1", "kind": "Endpoints",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
         "subsets": [{"addresses": [{"ip": advertise_address}], "ports": [dict(port)]}]},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"kubernetes.io/service-name": "kubernetes"}},
         "addressType": "IPv4",
         "endpoints": [{"addresses": [advertise_address], "conditions": {"ready": True}}],
         "ports": [dict(port)]},
    ]
