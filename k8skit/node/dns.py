"""Cluster DNS: CoreDNS answering for ``cluster.local``, and each pod's search path.

Pods find Services by name. The kubelet writes into every pod's ``/etc/resolv.conf`` the
cluster's DNS server (the ``kube-dns`` Service, ``10.96.0.10`` on kubeadm) and a search path
built from the pod's namespace::

    nameserver 10.96.0.10
    search default.svc.cluster.local svc.cluster.local cluster.local
    options ndots:5

so that in namespace ``default`` the names ``web``, ``web.default``, ``web.default.svc`` and
``web.default.svc.cluster.local`` all reach the same Service. A name with fewer than five dots is
tried with each search domain first, then as it is (``ndots:5``).

CoreDNS's ``kubernetes`` plugin answers from the Services and EndpointSlices it watches
(``docs/concepts/services-networking/dns-pod-service.md`` and the DNS specification in
``kubernetes/dns/docs/specification.md``):

- ``<service>.<namespace>.svc.cluster.local``: the Service's cluster IP; for a **headless**
  Service (``clusterIP: None``) the IPs of its ready endpoints instead, in a shuffled order
  (the ``loadbalance`` plugin); for an **ExternalName** Service a CNAME to its
  ``externalName``;
- ``<hostname>.<service>.<namespace>.svc.cluster.local``: an endpoint of a headless Service
  whose pod sets ``hostname`` and ``subdomain``;
- ``10-244-1-5.<namespace>.pod.cluster.local``: the address written in the name (``pods
  insecure``, kubeadm's setting, does not check that such a pod exists).

Names outside the cluster domain would be forwarded to the node's upstream resolver; the
simulated cluster has no Internet, so they do not resolve. SRV and PTR records are not served.

CoreDNS runs as pods of the ``coredns`` Deployment behind the ``kube-dns`` Service: when that
Service exists, names resolve only while at least one of its endpoints is ready (scale CoreDNS
to zero and lookups fail). :func:`cluster_dns_objects` gives those kube-system objects as
kubeadm installs them.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field

from k8skit.api.allocators import DNS_SERVICE_IP
from k8skit.api.server import APIServer
from k8skit.api.store import WatchEvent
from k8skit.control_plane.controllers.informer import SharedInformerFactory

CLUSTER_DOMAIN = "cluster.local"
# The kubelet's resolv.conf option (pkg/kubelet/network/dns/dns.go: ndotsDNSOption).
DEFAULT_NDOTS = 5
DNS_NAMESPACE = "kube-system"
DNS_SERVICE_NAME = "kube-dns"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.0"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"

# kubeadm's Corefile (cmd/kubeadm/app/phases/addons/dns/manifests.go).
COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""


@dataclass
class DnsAnswer:
    """What a lookup found: the name that answered, any CNAMEs followed, and the addresses."""

    name: str
    addresses: list[str] = field(default_factory=list)
    cnames: list[str] = field(default_factory=list)

    @property
    def canonical(self) -> str:
        """The name the addresses belong to (the last CNAME target, or the name itself)."""
        return self.cnames[-1] if self.cnames else self.name


@dataclass(frozen=True)
class ResolverConfig:
    """A pod's ``/etc/resolv.conf``: nameservers, search domains and ``ndots``."""

    nameservers: tuple[str, ...]
    searches: tuple[str, ...]
    ndots: int = DEFAULT_NDOTS

    def text(self) -> str:
        lines = [f"search {' '.join(self.searches)}"] if self.searches else []
        lines += [f"nameserver {ns}" for ns in self.nameservers]
        return "\n".join(lines + [f"options ndots:{self.ndots}"]) + "\n"

    def candidates(self, name: str) -> list[str]:
        """The absolute names tried for ``name``, in the stub resolver's order."""
        if name.endswith("."):
            return [name[:-1]]
        expanded = [f"{name}.{domain}" for domain in self.searches]
        return [name, *expanded] if name.count(".") >= self.ndots else [*expanded, name]


class CoreDNS:
    """The cluster's DNS server and the pods' stub resolvers, as one network resolver hook.

    Register it on the pod network (``network.resolvers.append(coredns)``): it is called with
    ``(name, source_ip)`` and answers ``(canonical name, ip)`` or None.
    """

    def __init__(self, api: APIServer, rng: random.Random, domain: str = CLUSTER_DOMAIN,
                 nameserver: str = DNS_SERVICE_IP) -> None:
        self.api = api
        self.domain = domain
        self.nameserver = nameserver
        self._rng = rng
        informers = SharedInformerFactory(api)
        self._services = informers.informer("Service")
        self._slices = informers.informer("EndpointSlice")
        self._slices.add_handler(self._slice_changed)
        self._informers = informers
        self._slices_by_service: dict[tuple[str, str], list[dict]] | None = None
        self._pod_by_ip: dict[str, dict] = {}
        self._ip_of_pod: dict[tuple[str, str], str] = {}

    def start(self) -> None:
        self._informers.start()
        # Pods matter only as the askers (their namespace and DNS policy): a plain watch keeps
        # them by IP, without the indexes of an informer.
        for pod in self.api.list("Pod"):
            self._pod_changed("ADDED", pod)
        self.api.watch("Pod", self._pod_event)

    # -- watching -------------------------------------------------------------------------------
    def _slice_changed(self, event_type: str, slice_: dict) -> None:
        self._slices_by_service = None

    def _pod_event(self, event: WatchEvent) -> None:
        self._pod_changed(event.type, event.object)

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        """Keep the pods by IP: the server sees which pod asks, hence its namespace."""
        key = _pod_key(pod)
        old_ip = self._ip_of_pod.pop(key, None)
        if old_ip is not None and _pod_key(self._pod_by_ip.get(old_ip)) == key:
            del self._pod_by_ip[old_ip]
        ip = (pod.get("status") or {}).get("podIP")
        if event_type != "DELETED" and ip:
            self._pod_by_ip[ip] = pod
            self._ip_of_pod[key] = ip

    # -- the stub resolver in each pod ----------------------------------------------------------
    def __call__(self, name: str, source_ip: str | None) -> tuple[str, str] | None:
        answer = self.resolve(name, source_ip)
        if answer is None or not answer.addresses:
            return None
        return answer.canonical, answer.addresses[0]

    def resolver_config(self, source_ip: str | None) -> ResolverConfig | None:
        """The resolv.conf of the pod with ``source_ip``, or None when it does not use cluster
        DNS (outside the cluster, the node itself, ``dnsPolicy: Default``, host network)."""
        pod = self._pod_by_ip.get(source_ip) if source_ip else None
        if pod is None:
            return None
        spec = pod.get("spec") or {}
        policy = spec.get("dnsPolicy", "ClusterFirst")
        dns_config = spec.get("dnsConfig") or {}
        ndots = DEFAULT_NDOTS
        for option in dns_config.get("options") or []:
            if option.get("name") == "ndots" and str(option.get("value", "")).isdigit():
                ndots = int(option["value"])
        extra = tuple(dns_config.get("searches") or ())
        if policy == "None":
            servers = tuple(dns_config.get("nameservers") or ())
            return ResolverConfig(servers, extra, ndots) if self.nameserver in servers else None
        if policy == "Default" or (spec.get("hostNetwork") and policy != "ClusterFirstWithHostNet"):
            return None
        namespace = pod["metadata"].get("namespace") or "default"
        searches = (f"{namespace}.svc.{self.domain}", f"svc.{self.domain}", self.domain)
        return ResolverConfig((self.nameserver,), searches + extra, ndots)

    def resolve(self, name: str, source_ip: str | None = None) -> DnsAnswer | None:
        """Look ``name`` up as the pod with ``source_ip`` would: through its search path."""
        config = self.resolver_config(source_ip)
        if config is None or not name or not self.serving():
            return None
        for candidate in config.candidates(name.lower()):
            answer = self.query(candidate)
            if answer is not None:
                return answer
        return None

    # -- the server -----------------------------------------------------------------------------
    def serving(self) -> bool:
        """Whether a CoreDNS pod is ready to answer (always, when CoreDNS does not run as
        pods of a ``kube-dns`` Service in this cluster)."""
        if self._services.get(DNS_SERVICE_NAME, DNS_NAMESPACE) is None:
            return True
        return any(ep for ep in self._endpoints_of(DNS_NAMESPACE, DNS_SERVICE_NAME)
                   if (ep.get("conditions") or {}).get("ready") is not False)

    def query(self, fqdn: str, depth: int = 0) -> DnsAnswer | None:
        """The authoritative answer for one absolute name, or None (NXDOMAIN)."""
        fqdn = fqdn.lower().rstrip(".")
        suffix = "." + self.domain
        if not fqdn.endswith(suffix):
            return None  # forwarded upstream: the simulated cluster has no Internet
        labels = fqdn[:-len(suffix)].split(".")
        if len(labels) == 3 and labels[2] == "pod":
            return self._pod_record(fqdn, labels[0])
        if len(labels) == 3 and labels[2] == "svc":
            return self._service_record(fqdn, labels[1], labels[0], depth)
        if len(labels) == 4 and labels[3] == "svc":
            return self._hostname_record(fqdn, labels[2], labels[1], labels[0])
        return None

    def _pod_record(self, fqdn: str, dashed: str) -> DnsAnswer | None:
        try:
            ip = str(ipaddress.IPv4Address(dashed.replace("-", ".")))
        except ValueError:
            return None
        return DnsAnswer(fqdn, [ip])

    def _service_record(self, fqdn: str, namespace: str, name: str,
                        depth: int) -> DnsAnswer | None:
        service = self._services.get(name, namespace)
        if service is None:
            return None
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName":
            target = (spec.get("externalName") or "").lower().rstrip(".")
            answer = DnsAnswer(fqdn, cnames=[target])
            followed = self.query(target, depth + 1) if depth < 8 else None
            if followed is not None:
                answer.cnames += followed.cnames
                answer.addresses = followed.addresses
            return answer
        if spec.get("clusterIP") and spec["clusterIP"] != "None":
            return DnsAnswer(fqdn, [spec["clusterIP"]])
        every = bool(spec.get("publishNotReadyAddresses"))
        addresses = sorted({ep["addresses"][0] for ep in self._endpoints_of(namespace, name)
                            if every or (ep.get("conditions") or {}).get("ready") is not False})
        if not addresses:
            return None
        self._rng.shuffle(addresses)
        return DnsAnswer(fqdn, addresses)

    def _hostname_record(self, fqdn: str, namespace: str, service: str,
                         hostname: str) -> DnsAnswer | None:
        found = self._services.get(service, namespace)
        if found is None or (found.get("spec") or {}).get("clusterIP") != "None":
            return None
        for endpoint in self._endpoints_of(namespace, service):
            if endpoint.get("hostname") == hostname:
                return DnsAnswer(fqdn, [endpoint["addresses"][0]])
        return None

    def _endpoints_of(self, namespace: str, service: str) -> list[dict]:
        if self._slices_by_service is None:
            index: dict[tuple[str, str], list[dict]] = {}
            for slice_ in self._slices.list():
                owner = (slice_["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
                if owner:
                    key = (slice_["metadata"].get("namespace") or "default", owner)
                    index.setdefault(key, []).extend(slice_.get("endpoints") or [])
            self._slices_by_service = index
        return self._slices_by_service.get((namespace, service), [])


def _pod_key(pod: dict | None) -> tuple[str, str] | None:
    if pod is None:
        return None
    return (pod["metadata"].get("namespace") or "default", pod["metadata"]["name"])


def cluster_dns_objects(replicas: int = 2, cluster_ip: str = DNS_SERVICE_IP,
                        image: str = COREDNS_IMAGE) -> list[dict]:
    """CoreDNS as kubeadm installs it in ``kube-system``: the ``coredns`` ConfigMap (the
    Corefile), the ``coredns`` Deployment and the ``kube-dns`` Service
    (``cmd/kubeadm/app/phases/addons/dns/manifests.go``). RBAC objects are left out."""
    labels = {"k8s-app": "kube-dns"}
    config_map = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "coredns", "namespace": DNS_NAMESPACE},
        "data": {"Corefile": COREFILE},
    }
    container = {
        "name": "coredns",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "args": ["-conf", "/etc/coredns/Corefile"],
        "resources": {"limits": {"memory": "170Mi"},
                      "requests": {"cpu": "100m", "memory": "70Mi"}},
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns",
                          "readOnly": True}],
        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                  {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                  {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": DNS_NAMESPACE, "labels": dict(labels)},
        "spec": {
            "replicas": replicas,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane",
                         "effect": "NoSchedule"}],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [container],
                    "dnsPolicy": "Default",
                    "volumes": [{"name": "config-volume", "configMap": {
                        "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": DNS_SERVICE_NAME, "namespace": DNS_NAMESPACE,
                     "labels": {**labels, "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "CoreDNS"},
                     "annotations": {"prometheus.io/port": "9153",
                                     "prometheus.io/scrape": "true"}},
        "spec": {"selector": dict(labels), "clusterIP": cluster_ip,
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                           {"name": "metrics", "port": 9153, "protocol": "TCP"}]},
    }
    return [config_map, deployment, service]
