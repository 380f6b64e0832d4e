"""``kubectl describe`` for Services and Endpoints.

Source: ``staging/src/k8s.io/kubectl/pkg/describe/describe.go`` — ``describeService`` (which
reads the Service's EndpointSlices since v1.33), ``formatEndpointSlices``,
``buildIngressString`` and ``describeEndpoints``. The building blocks (labels, annotations,
events) are the pod describer's, from :mod:`k8skit.kubectl.printers.describe`.

A Service's description is where to check that it found its pods: ``Endpoints`` lists the
ready ones (at most three, then ``+ N more...``); an empty value means pods match but none is
ready, ``<none>`` that nothing matches at all::

    Port:                     <unset>  8080/TCP
    TargetPort:               8080/TCP
    NodePort:                 <unset>  31526/TCP
    Endpoints:                10.244.1.2:8080,10.244.2.2:8080
"""

from __future__ import annotations

from k8skit.kubectl.printers.describe import (
    PrefixWriter,
    events_about,
    write_annotations,
    write_events,
    write_multiline_map,
)

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
# formatEndpointSlices lists this many addresses, then "+ N more...".
MAX_LISTED = 3


def _join_host_port(ip: str, port: object) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def format_endpoint_slices(slices: list[dict], port_name: str) -> str:
    """The ready endpoints of ``port_name`` across ``slices`` (``formatEndpointSlices``).

    Like upstream, "more" is decided before a not-ready endpoint is skipped, so a fourth
    endpoint that is not ready still adds ``+ 0 more...``.
    """
    if not slices:
        return "<none>"
    listed: list[str] = []
    more = False
    count = 0
    for slice_ in slices:
        endpoints = slice_.get("endpoints") or []
        ports = slice_.get("ports") or []
        if not ports:
            pairs = [(endpoint, None) for endpoint in endpoints]
        else:
            pairs = [(endpoint, port["port"]) for port in ports
                     if (port.get("name") or "") == port_name for endpoint in endpoints]
        for endpoint, port in pairs:
            if len(listed) == MAX_LISTED:
                more = True
            if (endpoint.get("conditions") or {}).get("ready") is False:
                continue
            if not more:
                address = endpoint["addresses"][0]
                listed.append(address if port is None else _join_host_port(address, port))
            count += 1
    text = ",".join(listed)
    return f"{text} + {count - MAX_LISTED} more..." if more else text


def _ingress(service: dict) -> str:
    """``buildIngressString``: each ingress point's IP, or its host name."""
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return ", ".join(i.get("ip") or i.get("hostname") or "" for i in ingress)


def describe_service(api, service: dict, now: float) -> str:
    """``describeService``."""
    meta, spec = service["metadata"], service.get("spec") or {}
    namespace = meta.get("namespace", "default")
    slices = [s for s in api.list("EndpointSlice", namespace=namespace)
              if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == meta["name"]]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{namespace}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    w.write(0, f"Selector:\t{selector or '<none>'}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    if _ingress(service):
        w.write(0, f"LoadBalancer Ingress:\t{_ingress(service)}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port.get('port')}/{protocol}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort', port.get('port'))}/{protocol}\n")
        if port.get("appProtocol"):
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    write_events(w, events_about(api, service), now)
    return w.text()


def describe_endpoints(api, endpoints: dict, now: float) -> str:
    """``describeEndpoints``: each subset's ready and not-ready addresses and its ports."""
    meta = endpoints["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', 'default')}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in endpoints.get("subsets") or []:
        ready = ",".join(a["ip"] for a in subset.get("addresses") or [])
        not_ready = ",".join(a["ip"] for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(2, f"{port.get('name') or '<unset>'}\t{port.get('port')}\t"
                           f"{port.get('protocol', 'TCP')}\n")
        w.write(0, "\n")
    write_events(w, events_about(api, endpoints), now)
    return w.text()
