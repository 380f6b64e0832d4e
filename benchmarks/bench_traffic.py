"""How fast requests go through a Service: 10,000 requests, one core.

A 3-worker cluster runs a Deployment of 10 ``hello-app`` pods behind a NodePort Service. Four
figures, each the time to send 10,000 HTTP requests with :func:`k8skit.traffic.send_requests`
and get every answer back (DNS, kube-proxy's choice of a pod, the pod's answer):

- from a pod, to the Service's name (cluster DNS, then the cluster IP), iptables mode;
- from outside, to a node's ``InternalIP:NodePort``, iptables mode;
- the same two in IPVS mode.

Times are the process's own CPU time (``time.process_time``), the best of ``--repeat`` runs.
The target is under 0.5 s for 10,000 requests.

Run: ``python benchmarks/bench_traffic.py [--requests 10000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import time

from k8skit import Cluster
from k8skit.traffic import send_requests

APP = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  replicas: 10
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers:
      - {name: hello, image: "gcr.io/google-samples/hello-app:1.0", ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: hello}
spec:
  type: NodePort
  selector: {app: hello}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: client, image: busybox, command: [sleep, "3600"]}
"""


def cluster(mode: str) -> Cluster:
    c = Cluster(nodes=3, seed=0, proxy_mode=mode)
    c.apply(APP)
    c.run(60)
    return c


def node_url(c: Cluster) -> str:
    node = c.api.get("Node", "worker-1", None)
    ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    return f"http://{ip}:30080"


def measure(c: Cluster, url: str, source: str, requests: int, repeat: int) -> tuple[float, int]:
    best = float("inf")
    pods = 0
    for _ in range(repeat):
        start = time.process_time()
        result = send_requests(c, url, n=requests, source=source)
        best = min(best, time.process_time() - start)
        if result.succeeded != requests:
            raise SystemExit(f"only {result.succeeded} of {requests} requests were answered: "
                             f"{result.errors}")
        pods = len(result.counts)
    return best, pods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.requests:,} requests through a Service of 10 pods (CPU seconds, best of "
          f"{args.repeat}; target < 0.5 s)")
    for mode in ("iptables", "ipvs"):
        c = cluster(mode)
        for label, url, source in (("pod -> http://hello (DNS + cluster IP)", "http://hello",
                                    "client"),
                                   ("outside -> node IP:NodePort", node_url(c), "outside")):
            seconds, pods = measure(c, url, source, args.requests, args.repeat)
            rate = args.requests / seconds if seconds else float("inf")
            print(f"  {mode:<8}  {label:<40} {seconds:6.3f} s  "
                  f"({rate:,.0f} requests/s, {pods} pods answered)")


if __name__ == "__main__":
    main()
