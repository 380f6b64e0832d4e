"""A simulated cloud: the cloud-controller-manager's service controller and its load balancers.

Kubernetes does not build load balancers. For a Service of ``type: LoadBalancer`` it allocates
node ports like a NodePort Service and then waits for a *cloud provider* to put a load balancer
in front of the nodes. On a cloud, the cloud-controller-manager's service controller
(``staging/src/k8s.io/cloud-provider/controllers/service/controller.go``) asks the provider's
API for one, and when it exists writes its address into ``status.loadBalancer.ingress``;
``kubectl get services`` then shows it under EXTERNAL-IP. Until then, and forever on a cluster
with no cloud (minikube, kind, bare metal without MetalLB), EXTERNAL-IP stays ``<pending>``.

:class:`CloudControllerManager` plays both parts: after ``provisioning_seconds`` it gives each
LoadBalancer Service an address from its pool (TEST-NET-3, ``203.0.113.0/24``, by default: an
address range reserved for documentation, RFC 5737) and records the upstream events
(``EnsuringLoadBalancer``, ``EnsuredLoadBalancer``). It also runs the load balancers' data
path: a connection from outside the cluster to ``<address>:<port>`` is sent to
``<node IP>:<nodePort>`` of one of the nodes in turn, where kube-proxy takes over. Like a cloud
load balancer's health check, it passes over nodes that do not answer (the machine is down)
and, for ``externalTrafficPolicy: Local``, nodes without a local endpoint. Control-plane nodes
labelled ``node.kubernetes.io/exclude-from-external-load-balancers`` (kubeadm does) are not
targets. The cleanup finalizer a real service controller adds is left out.
"""

from __future__ import annotations

import ipaddress

from k8skit.api.events import EventRecorder
from k8skit.api.server import APIServer
from k8skit.clock import Clock, Timer
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue
from k8skit.node.kube_proxy import DROP
from k8skit.node.network import PodNetwork

COMPONENT = "service-controller"
# TEST-NET-3 (RFC 5737): addresses for examples, never routed on the Internet.
DEFAULT_ADDRESS_POOL = "203.0.113.0/24"
# How long the simulated cloud takes to build a load balancer.
DEFAULT_PROVISIONING_SECONDS = 5.0
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


class CloudControllerManager:
    """Load balancers for the cluster's LoadBalancer Services, from a simulated cloud."""

    def __init__(self, api: APIServer, clock: Clock, network: PodNetwork,
                 address_pool: str = DEFAULT_ADDRESS_POOL,
                 provisioning_seconds: float = DEFAULT_PROVISIONING_SECONDS) -> None:
        self.api = api
        self.clock = clock
        self.network = network
        self.provisioning_seconds = provisioning_seconds
        self.pool = ipaddress.ip_network(address_pool, strict=False)
        self.recorder = EventRecorder(api, COMPONENT)
        informers = SharedInformerFactory(api)
        self._services = informers.informer("Service")
        self._nodes = informers.informer("Node")
        self._services.add_handler(self._service_changed)
        self._informers = informers
        self.queue = WorkQueue(clock, self.sync)
        self.addresses: dict[tuple[str, str], str] = {}  # service -> its load balancer's IP
        self._by_address: dict[str, tuple[str, str]] = {}
        self._building: dict[tuple[str, str], Timer] = {}
        self._next_target: dict[str, int] = {}

    def start(self) -> None:
        self._informers.start()
        self.network.virtual_ips.append(self.forward)

    def _service_changed(self, event_type: str, service: dict) -> None:
        self.queue.add((service["metadata"].get("namespace") or "default",
                        service["metadata"]["name"]))

    # -- the service controller -----------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        namespace, name = key
        service = self.api.try_get("Service", name, namespace)
        wanted = service is not None and service["spec"].get("type") == "LoadBalancer"
        if not wanted:
            building = self._building.pop(key, None)
            if building is not None:
                building.cancel()
            if key in self.addresses:
                self._delete(key, service)
            return
        if key in self.addresses:
            self._publish(service, self.addresses[key])
        elif key not in self._building:
            self.recorder.event(service, "Normal", "EnsuringLoadBalancer",
                                "Ensuring load balancer")
            self._building[key] = self.clock.call_later(self.provisioning_seconds,
                                                        self._built, key)

    def _built(self, key: tuple[str, str]) -> None:
        self._building.pop(key, None)
        service = self.api.try_get("Service", key[1], key[0])
        if service is None or service["spec"].get("type") != "LoadBalancer":
            return
        address = self._free_address(service["spec"].get("loadBalancerIP"))
        if address is None:
            self.recorder.event(service, "Warning", "SyncLoadBalancerFailed",
                                "Error syncing load balancer: failed to ensure load balancer: "
                                f"no free address in {self.pool}")
            return
        self.addresses[key] = address
        self._by_address[address] = key
        self._publish(service, address)
        self.recorder.event(service, "Normal", "EnsuredLoadBalancer", "Ensured load balancer")

    def _publish(self, service: dict, address: str) -> None:
        wanted = {"ingress": [{"ip": address, "ipMode": "VIP"}]}
        status = service.setdefault("status", {})
        if status.get("loadBalancer") != wanted:
            status["loadBalancer"] = wanted
            self.api.update_status(service, user=COMPONENT)

    def _delete(self, key: tuple[str, str], service: dict | None) -> None:
        address = self.addresses.pop(key)
        self._by_address.pop(address, None)
        if service is None:
            return
        self.recorder.event(service, "Normal", "DeletingLoadBalancer", "Deleting load balancer")
        status = service.setdefault("status", {})
        if status.get("loadBalancer"):
            status["loadBalancer"] = {}
            self.api.update_status(service, user=COMPONENT)
        self.recorder.event(service, "Normal", "DeletedLoadBalancer", "Deleted load balancer")

    def _free_address(self, requested: str | None) -> str | None:
        """The address asked for in ``spec.loadBalancerIP`` if it is in the pool and free,
        else the lowest free one."""
        if requested and requested not in self._by_address:
            try:
                if ipaddress.ip_address(requested) in self.pool:
                    return requested
            except ValueError:
                pass
        for host in self.pool.hosts():
            if str(host) not in self._by_address:
                return str(host)
        return None

    # -- the load balancers ---------------------------------------------------------------------
    def forward(self, ip: str, port: int, source_ip: str | None):
        """The network hook of the load balancers: a connection from outside the cluster to a
        load balancer's ``ip:port`` goes to a healthy node's node port. Traffic from inside the
        cluster never reaches the cloud: kube-proxy short-circuits it."""
        key = self._by_address.get(ip)
        if key is None or source_ip is not None:
            return None
        service = self._services.get(key[1], key[0])
        node_port = next((p.get("nodePort") for p in (service or {}).get("spec", {})
                          .get("ports") or [] if p.get("port") == port), None)
        if not node_port:
            return None
        targets = self.target_addresses()
        start = self._next_target.get(ip, 0)
        for step in range(len(targets)):
            node_ip = targets[(start + step) % len(targets)]
            answer = self._deliver(node_ip, node_port)
            if answer is None or answer == DROP:
                continue  # the health check fails for this node
            self._next_target[ip] = (start + step + 1) % len(targets)
            return answer
        return DROP

    def _deliver(self, node_ip: str, node_port: int):
        for hook in self.network.virtual_ips:
            if hook == self.forward:
                continue
            answer = hook(node_ip, node_port, None)
            if answer:
                return answer
        return None

    def target_addresses(self) -> list[str]:
        """The InternalIPs of the nodes behind every load balancer, in name order."""
        found = []
        for node in sorted(self._nodes.list(), key=lambda n: n["metadata"]["name"]):
            if EXCLUDE_LABEL in (node["metadata"].get("labels") or {}):
                continue
            for address in (node.get("status") or {}).get("addresses") or []:
                if address.get("type") == "InternalIP":
                    found.append(address["address"])
        return found

