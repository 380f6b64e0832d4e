"""The Endpoints controller: which pods stand behind each Service, as a ``v1/Endpoints`` object.

Source: ``pkg/controller/endpoint/endpoints_controller.go`` and the shared rules of
``pkg/controller/util/endpoint`` and ``pkg/api/v1/endpoints``.

For every Service with a selector the controller keeps an Endpoints object of the same name:

- each pod that matches the selector and has an IP becomes an address, with its node and a
  ``targetRef`` naming the pod;
- **ready** pods go into ``addresses``, the others into ``notReadyAddresses``: only the first
  receive traffic, which is how a failing readiness probe takes a pod out of a Service without
  restarting it; ``publishNotReadyAddresses: true`` lists every pod as ready;
- pods being deleted (``Terminating``) and pods that finished leave the object;
- the port of each address is the Service port's ``targetPort``: a number, or the **name** of a
  container port, looked up in each pod (so pods may even listen on different numbers);
- a headless Service without ports gets addresses without ports.

A Service *without* a selector is left alone: its Endpoints are whatever its owner writes (how a
Service points at something outside the cluster). When a Service is deleted, its Endpoints go.

Addresses are sorted by IP as text, then by pod UID (``LessEndpointAddress``), and addresses
with the same ports share one subset (``RepackSubsets``). Upstream orders the ports of a subset
by a hash of their fields; here they are ordered by name and number.

The helpers at the end of this module are shared with the EndpointSlice controller, as upstream
shares ``pkg/controller/util/endpoint``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from k8skit.api.meta import timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "endpoint-controller"

# Annotation with the time of the change that triggered the last update (endpoints_controller.go;
# used to measure how long Service changes take to reach the proxies).
LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
# Label on the Endpoints and EndpointSlices of headless Services (kube-proxy ignores them).
HEADLESS_LABEL = "service.kubernetes.io/headless"

ServiceKey = tuple[str, str]


class EndpointsController:
    """Keeps one Endpoints object per Service with a selector."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.queue = WorkQueue(clock, self.sync)
        self.members = ServiceMembership(informers, self.queue.add)
        informers.informer("Endpoints").add_handler(self._endpoints_changed)

    def _endpoints_changed(self, event_type: str, endpoints: dict) -> None:
        # Someone removed the Endpoints of a Service with a selector: write them again
        # (upstream watches Endpoints for deletions only).
        if event_type == "DELETED":
            self.queue.add(object_key(endpoints))

    def sync(self, key: ServiceKey) -> None:
        namespace, name = key
        service = self.api.try_get("Service", name, namespace)
        current = self.api.try_get("Endpoints", name, namespace)
        if service is None:
            self.members.forget(key)
            if current is not None:
                self.api.delete("Endpoints", name, namespace, user=COMPONENT)
            return
        selector = (service.get("spec") or {}).get("selector")
        if selector is None or service["spec"].get("type") == "ExternalName":
            self.members.forget(key)
            return
        pods = self.members.select(service)
        subsets = endpoint_subsets(service, pods)
        labels = dict(service["metadata"].get("labels") or {})
        if is_headless(service):
            labels[HEADLESS_LABEL] = ""
        if current is not None and (current.get("subsets") or []) == subsets \
                and (current["metadata"].get("labels") or {}) == labels:
            return
        meta = {"name": name, "namespace": namespace, "labels": labels,
                "annotations": {LAST_CHANGE_TRIGGER_TIME: timestamp(self.clock.now)}}
        if not labels:
            del meta["labels"]
        endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta}
        if subsets:
            endpoints["subsets"] = subsets
        if current is None:
            self.api.create(endpoints, user=COMPONENT)
        else:
            if labels:
                current["metadata"]["labels"] = labels
            else:
                current["metadata"].pop("labels", None)
            current["metadata"].setdefault("annotations", {}).update(meta["annotations"])
            if subsets:
                current["subsets"] = subsets
            else:
                current.pop("subsets", None)
            self.api.update(current, user=COMPONENT)


def endpoint_subsets(service: dict, pods: list[dict]) -> list[dict]:
    """The subsets of a Service's Endpoints for its selected pods (``syncService``)."""
    spec = service.get("spec") or {}
    tolerate_unready = bool(spec.get("publishNotReadyAddresses"))
    service_ports = spec.get("ports") or []
    groups: dict[tuple, dict] = {}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, include_terminating=tolerate_unready):
            continue
        address = endpoint_address(pod, service)
        ready = tolerate_unready or is_pod_ready(pod)
        if not service_ports:
            if is_headless(service):
                _add(groups, (), address, ready)
            continue
        ports = []
        for service_port in service_ports:
            number = find_port(pod, service_port)
            if number is None:
                continue
            port = {"port": number, "protocol": service_port.get("protocol", "TCP")}
            if service_port.get("name"):
                port = {"name": service_port["name"], **port}
            if service_port.get("appProtocol"):
                port["appProtocol"] = service_port["appProtocol"]
            ports.append(port)
        if ports:
            key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
            _add(groups, key, address, ready, ports)
    subsets = []
    for key in sorted(groups):
        group = groups[key]
        subset: dict = {}
        if group["addresses"]:
            subset["addresses"] = sorted(group["addresses"], key=_address_order)
        if group["notReadyAddresses"]:
            subset["notReadyAddresses"] = sorted(group["notReadyAddresses"], key=_address_order)
        if group["ports"]:
            subset["ports"] = sorted(group["ports"],
                                     key=lambda p: (p.get("name", ""), p["port"], p["protocol"]))
        subsets.append(subset)
    return subsets


def _add(groups: dict, key: tuple, address: dict, ready: bool, ports: list | None = None) -> None:
    group = groups.setdefault(key, {"addresses": [], "notReadyAddresses": [],
                                    "ports": ports or []})
    group["addresses" if ready else "notReadyAddresses"].append(address)


def _address_order(address: dict) -> tuple[str, str]:
    """``LessEndpointAddress``: the IP compared as text, then the pod's UID."""
    return (address["ip"], (address.get("targetRef") or {}).get("uid", ""))


def endpoint_address(pod: dict, service: dict) -> dict:
    """The ``EndpointAddress`` of a pod (``podToEndpointAddressForService``)."""
    meta = pod["metadata"]
    address: dict = {"ip": pod["status"]["podIP"]}
    if should_set_hostname(pod, service):
        address["hostname"] = pod["spec"]["hostname"]
    if pod["spec"].get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    address["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", "default"),
                            "name": meta["name"], "uid": meta.get("uid", "")}
    return address


# -- what both endpoint controllers share (pkg/controller/util/endpoint) -------------------------
def object_key(obj: dict) -> ServiceKey:
    return (obj["metadata"].get("namespace") or "default", obj["metadata"]["name"])


def is_headless(service: dict) -> bool:
    return (service.get("spec") or {}).get("clusterIP") == "None"


def selector_matches(selector: dict, labels: dict | None) -> bool:
    """A Service selector is an equality map; an empty one selects every pod."""
    labels = labels or {}
    return all(labels.get(key) == value for key, value in selector.items())


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """Pods that finished, pods without an IP and (unless asked) pods being deleted are out
    (``ShouldPodBeInEndpoints``)."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def should_set_hostname(pod: dict, service: dict) -> bool:
    """A pod with ``hostname`` whose ``subdomain`` names this Service gets a DNS name under it
    (``ShouldSetHostname``)."""
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == service["metadata"]["name"] \
        and pod["metadata"].get("namespace") == service["metadata"].get("namespace")


def find_port(pod: dict, service_port: dict) -> int | None:
    """The pod's port for a Service port's ``targetPort`` (``podutil.FindPort``).

    A number is used as it is; a name is looked up among the pod's container ports with the
    same protocol (sidecar init containers included). None when the pod has no such port,
    which leaves the pod out for that port.
    """
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    protocol = service_port.get("protocol", "TCP")
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or [])
    containers += [c for c in spec.get("initContainers") or []
                   if c.get("restartPolicy") == "Always"]
    for container in containers:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return port.get("containerPort")
    return None


class ServiceMembership:
    """Which Services select which pods, so that a pod's change wakes exactly its Services.

    Upstream's ``getPodServiceMemberships`` compares a pod's old and new labels; an informer
    here hands over only the new object, so the membership found at each sync is remembered
    instead: a pod that stops matching still wakes the Service that listed it.
    """

    def __init__(self, informers: SharedInformerFactory,
                 enqueue: Callable[[ServiceKey], None]) -> None:
        self.services = informers.informer("Service")
        self.pods = informers.informer("Pod")
        self._enqueue = enqueue
        self._listed: dict[ServiceKey, set[ServiceKey]] = {}  # pod -> services that listed it
        self._selected: dict[ServiceKey, set[ServiceKey]] = {}  # service -> pods it listed
        self.services.add_handler(self._service_changed)
        self.pods.add_handler(self._pod_changed)

    def _service_changed(self, event_type: str, service: dict) -> None:
        self._enqueue(object_key(service))

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        key = object_key(pod)
        wake = set(self._listed.get(key, ()))
        if event_type != "DELETED":
            wake.update(self.services_selecting(pod))
        for service_key in sorted(wake):
            self._enqueue(service_key)

    def services_selecting(self, pod: dict) -> Iterable[ServiceKey]:
        labels = pod["metadata"].get("labels")
        for service in self.services.list(pod["metadata"].get("namespace") or "default"):
            selector = (service.get("spec") or {}).get("selector")
            if selector is not None and selector_matches(selector, labels):
                yield object_key(service)

    def select(self, service: dict) -> list[dict]:
        """The pods ``service`` selects now, remembered for the next pod events."""
        key = object_key(service)
        selector = service["spec"].get("selector") or {}
        pods = [pod for pod in self.pods.list(key[0])
                if selector_matches(selector, pod["metadata"].get("labels"))]
        self._remember(key, {object_key(pod) for pod in pods})
        return pods

    def forget(self, service_key: ServiceKey) -> None:
        self._remember(service_key, set())

    def _remember(self, service_key: ServiceKey, pod_keys: set[ServiceKey]) -> None:
        for pod_key in self._selected.get(service_key, set()) - pod_keys:
            listed = self._listed.get(pod_key)
            if listed is not None:
                listed.discard(service_key)
                if not listed:
                    del self._listed[pod_key]
        for pod_key in pod_keys:
            self._listed.setdefault(pod_key, set()).add(service_key)
        if pod_keys:
            self._selected[service_key] = pod_keys
        else:
            self._selected.pop(service_key, None)
