"""Sending requests into the simulated cluster, as a learner's ``curl`` or a load generator.

Two ways in, both through the pod network (so DNS, kube-proxy's rules and the cloud's load
balancers all take part, exactly as they would for real traffic):

- :func:`curl` — one request **from outside the cluster** (the learner's laptop), to a node's
  ``InternalIP:NodePort`` or a load balancer's address, as the Kubernetes Basics tutorial does
  with ``curl http://$(minikube ip):$NODE_PORT``. It returns what curl prints: the body, or
  curl's error line. A Service name or cluster IP does not work from outside, as on a real
  cluster.
- :func:`send_requests` — many requests from outside or **from a pod** (by name, which then
  also may use Service names and cluster IPs), returning a :class:`TrafficResult` that counts
  which pod answered each one: how the course shows load balancing.

Neither advances the simulated clock unless asked: all requests happen at the same instant,
except that :func:`curl` waits, as a terminal would, for a connection that times out, and
``send_requests(..., interval=s)`` lets ``s`` simulated seconds pass between requests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8skit.node.network import HttpResponse

if TYPE_CHECKING:
    from k8skit.cluster import Cluster

OUTSIDE = "outside"


@dataclass
class TrafficResult:
    """The outcome of :func:`send_requests`: every response, and which pod served each."""

    url: str
    source: str
    responses: list[HttpResponse] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Requests answered per pod name, most first (ties by name)."""
        counted = Counter(r.served_by for r in self.responses if r.served_by)
        return dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))

    @property
    def errors(self) -> dict[str, int]:
        """curl's error lines, with how many requests failed that way."""
        return dict(Counter(r.error for r in self.responses if r.error))

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.responses if r.ok)

    def __len__(self) -> int:
        return len(self.responses)

    def __repr__(self) -> str:
        lines = [f"{len(self.responses)} requests to {self.url} from {self.source}: "
                 f"{self.succeeded} answered"]
        width = max((len(name) for name in self.counts), default=0)
        lines += [f"  {name:<{width}}  {count}" for name, count in self.counts.items()]
        lines += [f"  {error}  (x{count})" for error, count in self.errors.items()]
        return "\n".join(lines)


def source_address(cluster: Cluster, source: str) -> str | None:
    """The IP requests come from: None for ``"outside"``, else the pod named ``source``
    (``name`` in ``default`` or ``namespace/name``), which must be running with an IP."""
    if source == OUTSIDE:
        return None
    namespace, _, name = source.rpartition("/")
    pod = cluster.api.try_get("Pod", name, namespace or "default")
    if pod is None:
        raise ValueError(f'no pod "{name}" in namespace "{namespace or "default"}" to send '
                         f'requests from (use source="{OUTSIDE}" for outside the cluster)')
    ip = (pod.get("status") or {}).get("podIP")
    if not ip:
        raise ValueError(f'pod "{name}" has no IP yet: let it start first (cluster.run(...))')
    return ip


def send_requests(cluster: Cluster, url: str, n: int = 100, source: str = OUTSIDE,
                  interval: float = 0.0) -> TrafficResult:
    """Send ``n`` GET requests to ``url`` from ``source`` and collect the answers.

    ``source`` is ``"outside"`` (a client outside the cluster) or a pod's name. ``interval``
    simulated seconds pass between two requests (0: all at once).
    """
    if n < 0:
        raise ValueError(f"the number of requests must be 0 or more, not {n}")
    if interval < 0:
        raise ValueError(f"the interval must be 0 or more seconds, not {interval}")
    source_ip = source_address(cluster, source)
    result = TrafficResult(url, source)
    request = cluster.network.request
    for i in range(n):
        if i and interval:
            cluster.run(interval)
        result.responses.append(request(url, source_ip=source_ip))
    return result


def curl(cluster: Cluster, url: str) -> str:
    """``curl URL`` from outside the cluster: the body, or curl's error line.

    A connection nobody answers takes as long as curl would wait for it, in simulated time.
    """
    response = cluster.network.request(url)
    if response.seconds:
        cluster.run(response.seconds)
    return response.error if response.error else response.body
