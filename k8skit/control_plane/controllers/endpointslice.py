"""The EndpointSlice controllers: a Service's endpoints as ``discovery.k8s.io/v1`` slices.

EndpointSlices replaced Endpoints as what kube-proxy and CoreDNS read (Endpoints are deprecated
since v1.33). Two controllers write them:

- the **EndpointSlice controller** (``pkg/controller/endpointslice``, the reconciler in
  ``staging/src/k8s.io/endpointslice``) for every Service with a selector. Each selected pod
  with an IP becomes an endpoint with three conditions: ``ready`` (the pod is Ready and not
  terminating), ``serving`` (the pod is Ready, even while terminating) and ``terminating``.
  Unlike Endpoints, terminating pods stay listed (with ``ready: false``), so that a proxy can
  still use them when nothing else is left. Endpoints with the same ports share a slice of at
  most 100 (``--max-endpoints-per-slice``); a Service with no endpoints keeps one empty
  placeholder slice. Slices are named ``<service>-<5 random characters>``, labelled
  ``kubernetes.io/service-name`` and owned by the Service, so the garbage collector removes them
  with it.
- the **EndpointSlice mirroring controller** (``pkg/controller/endpointslicemirroring``) for
  Services *without* a selector: it mirrors the Endpoints someone wrote by hand into slices, so
  that kube-proxy routes to them too. Endpoints labelled
  ``endpointslice.kubernetes.io/skip-mirror: "true"`` (the API server's own ``kubernetes``
  Endpoints) are not mirrored.

Within a slice, endpoints are sorted by IP as text; upstream keeps them in the order it added
them.
"""

from __future__ import annotations

from k8skit.api.meta import owner_reference, timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.control_plane.controllers.endpoints import (
    HEADLESS_LABEL,
    LAST_CHANGE_TRIGGER_TIME,
    ServiceKey,
    ServiceMembership,
    find_port,
    is_headless,
    object_key,
    should_pod_be_in_endpoints,
    should_set_hostname,
)
from k8skit.control_plane.controllers.informer import Informer, SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
MIRRORING_CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io"
ZONE_LABEL = "topology.kubernetes.io/zone"
# kube-controller-manager --max-endpoints-per-slice default.
MAX_ENDPOINTS_PER_SLICE = 100

COMPONENT = "endpointslice-controller"
MIRRORING_COMPONENT = "endpointslice-mirroring-controller"


class EndpointSliceController:
    """Keeps the EndpointSlices of every Service with a selector."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.queue = WorkQueue(clock, self.sync)
        self.members = ServiceMembership(informers, self.queue.add)
        self.nodes = informers.informer("Node")
        self.slices = informers.informer("EndpointSlice")
        self.slices.add_handler(self._slice_changed)

    def _slice_changed(self, event_type: str, slice_: dict) -> None:
        labels = slice_["metadata"].get("labels") or {}
        if labels.get(MANAGED_BY_LABEL) == CONTROLLER_NAME and SERVICE_NAME_LABEL in labels:
            self.queue.add((slice_["metadata"].get("namespace") or "default",
                            labels[SERVICE_NAME_LABEL]))

    def sync(self, key: ServiceKey) -> None:
        namespace, name = key
        service = self.api.try_get("Service", name, namespace)
        if service is None:
            # The garbage collector removes the slices with their owner.
            self.members.forget(key)
            return
        spec = service.get("spec") or {}
        if spec.get("selector") is None or spec.get("type") == "ExternalName":
            self.members.forget(key)
            return
        groups: dict[tuple, tuple[list[dict], list[dict]]] = {}
        for pod in self.members.select(service):
            if not should_pod_be_in_endpoints(pod, include_terminating=True):
                continue
            ports = endpoint_ports(service, pod)
            if spec.get("ports") and not ports:
                continue
            group = groups.setdefault(_ports_key(ports), (ports, []))
            group[1].append(self._endpoint(pod, service))
        labels = {k: v for k, v in (service["metadata"].get("labels") or {}).items()
                  if k not in (SERVICE_NAME_LABEL, MANAGED_BY_LABEL)}
        labels[SERVICE_NAME_LABEL] = name
        labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
        if is_headless(service):
            labels[HEADLESS_LABEL] = ""
        reconcile_slices(self.api, self.slices, service, labels, list(groups.values()),
                         self.clock.now, COMPONENT)

    def _endpoint(self, pod: dict, service: dict) -> dict:
        """``podToEndpoint``: address, conditions, hostname, node, zone and the pod."""
        tolerate_unready = bool(service["spec"].get("publishNotReadyAddresses"))
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        serving = tolerate_unready or is_pod_ready(pod)
        endpoint: dict = {"addresses": [pod["status"]["podIP"]],
                          "conditions": {"ready": serving and not terminating,
                                         "serving": serving, "terminating": terminating}}
        if should_set_hostname(pod, service):
            endpoint["hostname"] = pod["spec"]["hostname"]
        node_name = pod["spec"].get("nodeName")
        if node_name:
            endpoint["nodeName"] = node_name
        meta = pod["metadata"]
        endpoint["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", "default"),
                                 "name": meta["name"], "uid": meta.get("uid", "")}
        node = self.nodes.get(node_name, None) if node_name else None
        zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE_LABEL)
        if zone:
            endpoint["zone"] = zone
        return endpoint


class EndpointSliceMirroringController:
    """Mirrors the hand-written Endpoints of Services without a selector into slices."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.queue = WorkQueue(clock, self.sync)
        self.slices = informers.informer("EndpointSlice")
        informers.informer("Endpoints").add_handler(self._changed)
        informers.informer("Service").add_handler(self._changed)

    def _changed(self, event_type: str, obj: dict) -> None:
        self.queue.add(object_key(obj))

    def sync(self, key: ServiceKey) -> None:
        namespace, name = key
        service = self.api.try_get("Service", name, namespace)
        endpoints = self.api.try_get("Endpoints", name, namespace)
        mirrored = [s for s in _slices_of(self.slices, namespace, name)
                    if s["metadata"]["labels"].get(MANAGED_BY_LABEL) == MIRRORING_CONTROLLER_NAME]
        wanted = (service is not None and endpoints is not None
                  and (service.get("spec") or {}).get("selector") is None
                  and (endpoints["metadata"].get("labels") or {}).get(SKIP_MIRROR_LABEL)
                  != "true")
        if not wanted:
            for slice_ in mirrored:
                self.api.delete("EndpointSlice", slice_["metadata"]["name"], namespace,
                                user=MIRRORING_COMPONENT)
                self.slices.record_removal(slice_)
            return
        groups = []
        for subset in endpoints.get("subsets") or []:
            ports = [{"name": p.get("name", ""), "port": p.get("port"),
                      "protocol": p.get("protocol", "TCP")} for p in subset.get("ports") or []]
            members = [_mirrored_endpoint(a, True) for a in subset.get("addresses") or []]
            members += [_mirrored_endpoint(a, False)
                        for a in subset.get("notReadyAddresses") or []]
            if members:
                groups.append((ports, members))
        labels = {k: v for k, v in (endpoints["metadata"].get("labels") or {}).items()
                  if k not in (SERVICE_NAME_LABEL, MANAGED_BY_LABEL)}
        labels[SERVICE_NAME_LABEL] = name
        labels[MANAGED_BY_LABEL] = MIRRORING_CONTROLLER_NAME
        reconcile_slices(self.api, self.slices, endpoints, labels, groups, self.clock.now,
                         MIRRORING_COMPONENT, placeholder=False)


def _mirrored_endpoint(address: dict, ready: bool) -> dict:
    endpoint: dict = {"addresses": [address["ip"]], "conditions": {"ready": ready}}
    for field in ("hostname", "nodeName", "targetRef"):
        if address.get(field):
            endpoint[field] = address[field]
    return endpoint


def endpoint_ports(service: dict, pod: dict) -> list[dict]:
    """The slice ports of one pod: each Service port resolved in the pod (``getEndpointPorts``);
    a port the pod does not have is left out."""
    ports = []
    for service_port in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, service_port)
        if number is None:
            continue
        port = {"name": service_port.get("name", ""), "port": number,
                "protocol": service_port.get("protocol", "TCP")}
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        ports.append(port)
    return ports


def _ports_key(ports: list[dict]) -> tuple:
    return tuple(sorted((p["name"], p["port"], p["protocol"]) for p in ports))


def _slices_of(slices: Informer, namespace: str, service_name: str) -> list[dict]:
    return [s for s in slices.list(namespace)
            if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == service_name]


def reconcile_slices(api: APIServer, slices: Informer, owner: dict, labels: dict,
                     groups: list[tuple[list[dict], list[dict]]], now: float, user: str,
                     placeholder: bool = True) -> None:
    """Make the slices ``labels[managed-by]`` owns for ``owner`` hold exactly ``groups``.

    Each group (its ports and endpoints) fills slices of at most 100 endpoints. Existing slices
    with the same ports are reused and only rewritten when their content differs, so an
    unchanged Service causes no writes; slices left over are deleted and missing ones created.
    """
    namespace = owner["metadata"].get("namespace") or "default"
    service_name = labels[SERVICE_NAME_LABEL]
    managed_by = labels[MANAGED_BY_LABEL]
    existing = sorted((s for s in _slices_of(slices, namespace, service_name)
                       if s["metadata"]["labels"].get(MANAGED_BY_LABEL) == managed_by),
                      key=lambda s: s["metadata"]["name"])
    wanted: list[tuple[list[dict] | None, list[dict] | None]] = []
    for ports, endpoints in groups:
        members = sorted(endpoints, key=lambda e: (e["addresses"][0],
                                                   (e.get("targetRef") or {}).get("uid", "")))
        for start in range(0, len(members), MAX_ENDPOINTS_PER_SLICE):
            wanted.append((ports, members[start:start + MAX_ENDPOINTS_PER_SLICE]))
    if not wanted and placeholder:
        wanted.append((None, None))
    unused = list(existing)
    for ports, endpoints in wanted:
        same_ports = next((s for s in unused if _ports_key(s.get("ports") or [])
                           == _ports_key(ports or [])), None)
        if same_ports is not None:
            unused.remove(same_ports)
            _update_slice(api, same_ports, labels, ports, endpoints, now, user)
            continue
        slice_: dict = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"generateName": f"{service_name}-", "namespace": namespace,
                         "labels": dict(labels),
                         "annotations": {LAST_CHANGE_TRIGGER_TIME: timestamp(now)},
                         "ownerReferences": [owner_reference(owner)]},
            "addressType": "IPv4",
            "endpoints": endpoints,
        }
        if ports:
            slice_["ports"] = ports
        slices.record_write(api.create(slice_, user=user))
    for slice_ in unused:
        api.delete("EndpointSlice", slice_["metadata"]["name"], namespace, user=user)
        slices.record_removal(slice_)


def _update_slice(api: APIServer, slice_: dict, labels: dict, ports: list[dict] | None,
                  endpoints: list[dict] | None, now: float, user: str) -> None:
    if (slice_.get("endpoints") == endpoints and (slice_.get("ports") or None) == (ports or None)
            and slice_["metadata"].get("labels") == labels):
        return
    slice_["metadata"]["labels"] = dict(labels)
    slice_["metadata"].setdefault("annotations", {})[LAST_CHANGE_TRIGGER_TIME] = timestamp(now)
    slice_["endpoints"] = endpoints
    if ports:
        slice_["ports"] = ports
    else:
        slice_.pop("ports", None)
    api.update(slice_, user=user)
