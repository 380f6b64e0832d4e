"""The pod network: one flat address space in which every pod can reach every other pod.

Kubernetes asks one thing of a cluster network (docs/concepts/services-networking/_index.md,
"the Kubernetes network model"): every pod gets its own IP address, and pods reach each other
by those addresses without NAT, whichever node they are on. A CNI plugin builds it; on a kubeadm
or kind cluster each node owns a slice of the pod range (``spec.podCIDR``, 10.244.N.0/24 here)
and the plugin's IPAM hands out addresses from it. :class:`PodNetwork` plays the overlay and the
IPAM together: sandboxes :meth:`~PodNetwork.attach` their IP, and anything can then
:meth:`~PodNetwork.request` an HTTP URL or :meth:`~PodNetwork.tcp_connect` to an address.

Two hooks let later layers join in, as they do on a real node:

- ``network.resolvers``: callables ``(name, source_ip) -> ip | (fqdn, ip) | None``. Cluster DNS
  (CoreDNS) resolves Service names; ``source_ip`` tells it which pod asks, hence which
  namespace's search path applies. With no resolver there is no DNS server at all.
- ``network.virtual_ips``: callables ``(ip, port, source_ip) -> (ip, port) | REJECT | None``.
  kube-proxy turns a Service's ClusterIP:port (or a node's NodePort) into one backend pod's
  ip:targetPort, or returns :data:`REJECT` for a Service without ready endpoints (its
  iptables REJECT rule answers "connection refused").

Failures are worded like curl 8 words them, since that is what a learner reads: an unknown name
(``curl: (6) Could not resolve host: web``), a closed port (``curl: (7) Failed to connect to
10.244.1.5 port 80 after 0 ms: Couldn't connect to server``), an address nobody answers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

# A virtual-IP hook returns this for a Service that exists but has no ready endpoint:
# kube-proxy's iptables rule rejects the SYN with "port unreachable" (pkg/proxy/iptables,
# "has no endpoints" REJECT rule), so the client fails at once instead of timing out.
REJECT = ("REJECT", 0)

# How long a client waits before it gives up on an address nobody answers. Linux retries a SYN
# 6 times (net.ipv4.tcp_syn_retries) with doubling waits: 1+2+4+8+16+32+64 = 127 s.
SYN_TIMEOUT_SECONDS = 127.0
# An address inside a node's pod range with no pod behind it: the node's bridge gives up
# resolving the neighbour (ARP) after about 3 s and answers "no route to host".
NO_ROUTE_SECONDS = 3.0

DEFAULT_PORTS = {"http": 80, "https": 443}


class Endpoint(Protocol):
    """What a pod sandbox offers the network (``k8skit.node.runtime.Sandbox`` implements it)."""

    pod_name: str
    hostname: str

    def connect(self, port: int) -> bool: ...

    def http(self, port: int, method: str, path: str, headers: dict[str, str],
             client_ip: str | None = None) -> HttpResponse | None: ...

    def tcp(self, port: int, data: str, client_ip: str | None = None) -> str | None: ...


@dataclass
class HttpResponse:
    """One HTTP exchange as a client sees it.

    ``error`` is set (and ``status`` is 0) when no HTTP answer came back; it is curl's message,
    and ``curl_code`` curl's exit code (6 resolve, 7 connect, 28 timeout, 52 empty reply).
    ``failure`` names the cause for clients that word it their own way (busybox wget):
    "resolve", "refused", "no-route", "timeout" or "protocol". ``seconds`` is how long the
    client waited, ``address`` the ip:port it connected to (before kube-proxy's translation).
    """

    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    served_by: str | None = None
    error: str | None = None
    curl_code: int = 0
    failure: str | None = None
    seconds: float = 0.0
    address: tuple[str, int] | None = None

    @property
    def ok(self) -> bool:
        """An HTTP answer with a 2xx or 3xx status (what an httpGet probe counts as success)."""
        return self.error is None and 200 <= self.status < 400


@dataclass
class HttpRequest:
    """One HTTP request as a server program receives it."""

    method: str
    target: str  # the path with its query string, as on the request line
    headers: dict[str, str]
    client_ip: str | None
    port: int

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0] or "/"

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (the first value of each), like Go's ``r.FormValue``."""
        text = self.target.split("?", 1)[1] if "?" in self.target else ""
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default


@dataclass
class Connection:
    """The outcome of opening a TCP connection: the endpoint reached, or why not."""

    host: str
    port: int
    ip: str | None = None
    endpoint: Endpoint | None = None
    target: tuple[str, int] | None = None
    failure: str | None = None
    seconds: float = 0.0

    def error(self) -> HttpResponse:
        """The failed connection as curl reports it."""
        millis = int(self.seconds * 1000)
        if self.failure == "resolve":
            return HttpResponse(0, error=f"curl: (6) Could not resolve host: {self.host}",
                                curl_code=6, failure="resolve")
        prefix = f"Failed to connect to {self.host} port {self.port} after {millis} ms"
        return HttpResponse(0, error=f"curl: (7) {prefix}: Couldn't connect to server",
                            curl_code=7, failure=self.failure, seconds=self.seconds,
                            address=(self.ip or self.host, self.port))


class InvalidURL(ValueError):
    """Text that is no URL (curl: "URL rejected: Malformed input to a URL function")."""


def parse_url(url_or_host: str, port: int | None = None,
              path: str = "/") -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` of ``http://web:8080/x``, ``web``, ``10.244.1.5:80``."""
    text = url_or_host.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        parsed_port = parts.port
    except ValueError:
        raise InvalidURL(url_or_host) from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    target_path = parts.path or path or "/"
    if parts.query:
        target_path += "?" + parts.query
    chosen = port if port is not None else parsed_port
    return scheme, host, chosen if chosen is not None else DEFAULT_PORTS.get(scheme, 80), \
        target_path


class PodNetwork:
    """The cluster's pod network: addresses, reachability, and the DNS and Service hooks."""

    def __init__(self) -> None:
        self._endpoints: dict[str, Endpoint] = {}
        self._ranges: dict[str, _HostLocalRange] = {}
        self._range_of: dict[str, _HostLocalRange | None] = {}
        self.resolvers: list[Callable[[str, str | None], object]] = []
        self.virtual_ips: list[Callable[[str, int, str | None], tuple[str, int] | None]] = []

    # -- addresses (the CNI plugin's host-local IPAM) -------------------------------------------
    def allocate_ip(self, cidr: str) -> str:
        """The next free pod IP in a node's ``podCIDR``.

        Like the host-local IPAM plugin that kind and most CNI setups use
        (containernetworking/plugins, plugins/ipam/host-local): the gateway takes ``.1``, the
        first pod gets ``.2``, and each allocation continues after the last one handed out,
        wrapping around at the end. So a replaced pod gets a *new* address, not its
        predecessor's: pod IPs are not stable, which is why Services exist.
        """
        block = self._ranges.get(cidr)
        if block is None:
            block = self._ranges[cidr] = _HostLocalRange(cidr)
            # An address that belonged to no range may belong to this one.
            self._range_of = {ip: known for ip, known in self._range_of.items() if known}
        ip = block.allocate()
        self._range_of[ip] = block
        return ip

    def release_ip(self, ip: str) -> None:
        """Give a pod IP back to its node's range (the pod's sandbox is gone)."""
        block = self._range_containing(ip)
        if block is not None:
            block.release(ip)

    def _range_containing(self, ip: str) -> _HostLocalRange | None:
        """The node range an address belongs to (remembered: probes ask it constantly)."""
        if ip not in self._range_of:
            try:
                address = ipaddress.ip_address(ip)
            except ValueError:
                self._range_of[ip] = None
            else:
                self._range_of[ip] = next((block for block in self._ranges.values()
                                           if address in block.network), None)
        return self._range_of[ip]

    def gateway_of(self, ip: str) -> str | None:
        """The node's own address on the pod bridge (``10.244.N.1``) for a pod IP in its range.

        Traffic that comes from the node itself (the kubelet's probes, NodePort traffic after
        SNAT) reaches a pod from this address, which is what nginx writes in its access log.
        """
        block = self._range_containing(ip)
        return block.gateway if block is not None else None

    # -- reachability ---------------------------------------------------------------------------
    def attach(self, ip: str, endpoint: Endpoint) -> None:
        """A pod sandbox's network namespace comes up with ``ip``."""
        self._endpoints[ip] = endpoint

    def detach(self, ip: str) -> None:
        """The sandbox is gone; its address stops answering."""
        self._endpoints.pop(ip, None)

    def endpoint(self, ip: str) -> Endpoint | None:
        return self._endpoints.get(ip)

    def resolve(self, name: str, source_ip: str | None = None) -> tuple[str, str] | None:
        """``(canonical name, ip)`` for a host name or address literal, or None.

        Address literals and ``localhost`` need no DNS; a pod also knows its own host name
        (the kubelet writes it into the pod's /etc/hosts). Everything else asks the resolvers.
        """
        if not name:
            return None
        try:
            return name, str(ipaddress.ip_address(name))
        except ValueError:
            pass
        if name == "localhost":
            return name, "127.0.0.1"
        own = self._endpoints.get(source_ip) if source_ip else None
        if own is not None and name == own.hostname:
            return name, source_ip
        for resolver in self.resolvers:
            answer = resolver(name, source_ip)
            if isinstance(answer, tuple):
                return str(answer[0]), str(answer[1])
            if answer:
                return name, str(answer)
        return None

    @property
    def has_dns(self) -> bool:
        """Whether any DNS server (resolver) is registered."""
        return bool(self.resolvers)

    def connect(self, host: str, port: int, source_ip: str | None = None) -> Connection:
        """Open a TCP connection from ``source_ip`` (a pod, or None for outside the cluster)."""
        conn = Connection(host=host, port=port)
        resolved = self.resolve(host, source_ip)
        if resolved is None:
            conn.failure = "resolve"
            return conn
        conn.ip = ip = resolved[1]
        if ip.startswith("127."):
            # The pod's own loopback: containers of one pod share the sandbox's ports.
            endpoint = self._endpoints.get(source_ip) if source_ip else None
            return self._reach(conn, endpoint, port, unknown="refused")
        for hook in self.virtual_ips:
            translated = hook(ip, port, source_ip)
            if translated == REJECT:
                conn.failure = "refused"
                return conn
            if translated:
                ip, port = translated
                break
        conn.target = (ip, port)
        unknown = "no-route" if self._range_containing(ip) is not None else "timeout"
        return self._reach(conn, self._endpoints.get(ip), port, unknown=unknown)

    @staticmethod
    def _reach(conn: Connection, endpoint: Endpoint | None, port: int,
               unknown: str) -> Connection:
        if endpoint is None:
            conn.failure = unknown
            conn.seconds = {"no-route": NO_ROUTE_SECONDS,
                            "timeout": SYN_TIMEOUT_SECONDS}.get(unknown, 0.0)
        elif not endpoint.connect(port):
            conn.failure = "refused"
        else:
            conn.endpoint = endpoint
            conn.target = conn.target or (conn.ip, port)
        return conn

    def tcp_connect(self, host: str, port: int, source_ip: str | None = None) -> bool:
        """Whether a TCP connection to ``host:port`` succeeds (a tcpSocket probe's question)."""
        return self.connect(host, port, source_ip).endpoint is not None

    def request(self, url_or_host: str, port: int | None = None, path: str = "/",
                method: str = "GET", source_ip: str | None = None,
                headers: dict[str, str] | None = None) -> HttpResponse:
        """Send one HTTP request and return the answer, or curl's error for the failure."""
        try:
            _, host, port, target_path = parse_url(url_or_host, port, path)
        except InvalidURL:
            return HttpResponse(0, error="curl: (3) URL rejected: Malformed input to a URL "
                                         "function", curl_code=3, failure="url")
        conn = self.connect(host, port, source_ip)
        if conn.endpoint is None:
            return conn.error()
        sent = {"Host": host if port in DEFAULT_PORTS.values() else f"{host}:{port}",
                "User-Agent": "curl/8.5.0", "Accept": "*/*", **(headers or {})}
        if conn.ip.startswith("127."):
            client_ip = "127.0.0.1"
        else:
            client_ip = source_ip or self.gateway_of(conn.target[0])
        response = conn.endpoint.http(conn.target[1], method, target_path, sent,
                                      client_ip=client_ip)
        if response is None:
            return conn.error()
        response.address = (conn.ip, conn.port)
        return response


class _HostLocalRange:
    """One node's pod range, allocated the way the host-local IPAM plugin does."""

    def __init__(self, cidr: str) -> None:
        self.network = ipaddress.ip_network(cidr, strict=False)
        self.gateway = str(self.network.network_address + 1)
        # host-local's default range: from the address after the gateway to the one before
        # the broadcast address.
        self._first = int(self.network.network_address) + 2
        self._last = int(self.network.broadcast_address) - 1
        self._last_reserved = self._first - 1
        self._in_use: set[int] = set()

    def contains(self, ip: str) -> bool:
        try:
            return ipaddress.ip_address(ip) in self.network
        except ValueError:
            return False

    def allocate(self) -> str:
        size = self._last - self._first + 1
        for step in range(1, size + 1):
            candidate = self._first + (self._last_reserved - self._first + step) % size
            if candidate not in self._in_use:
                self._in_use.add(candidate)
                self._last_reserved = candidate
                return str(ipaddress.ip_address(candidate))
        raise RuntimeError(
            f"failed to allocate for range 0: no IP addresses available in range set: "
            f"{ipaddress.ip_address(self._first)}-{ipaddress.ip_address(self._last)}")

    def release(self, ip: str) -> bool:
        if not self.contains(ip):
            return False
        self._in_use.discard(int(ipaddress.ip_address(ip)))
        return True
