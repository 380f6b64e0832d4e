"""How fast the whole simulated cluster advances time.

A 100-node cluster running 1,000 pods (10 Deployments of 100 nginx replicas) advances one
simulated hour: every lease renewal, node status and controller resync in that hour runs.
Prints the wall time of the set-up and of the hour. With ``--probes`` every pod also has a
readiness probe (an HTTP GET every 10 s: 360,000 probes an hour for 1,000 pods).

    python benchmarks/bench_cluster.py [--nodes 100] [--pods 1000] [--hours 1] [--probes]
"""

from __future__ import annotations

import argparse
import time

from k8skit import Cluster

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources:
          requests: {{cpu: 10m, memory: 16Mi}}
"""

PROBE = """
        readinessProbe:
          httpGet: {path: /, port: 80}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--probes", action="store_true", help="a readiness probe on every pod")
    args = parser.parse_args()
    manifest = DEPLOYMENT.rstrip("\n") + PROBE if args.probes else DEPLOYMENT

    started = time.perf_counter()
    cluster = Cluster(nodes=args.nodes, cpu="8", memory="32Gi", seed=0)
    per_deployment = 100
    for i in range(args.pods // per_deployment):
        cluster.apply(manifest.format(i=i, replicas=per_deployment))
    cluster.run(120)
    set_up = time.perf_counter() - started
    running = cluster.kubectl("get pods --field-selector status.phase=Running -o name")
    print(f"set-up: {args.nodes} nodes, {len(running.stdout.split())} pods Running "
          f"after 120 simulated s, in {set_up:.2f} s wall")

    started = time.perf_counter()
    cluster.run(args.hours * 3600)
    hour = time.perf_counter() - started
    probes = " (readiness probes on every pod)" if args.probes else ""
    print(f"advance {args.hours:g} simulated h with {args.pods} pods on {args.nodes} nodes"
          f"{probes}: {hour:.2f} s wall")


if __name__ == "__main__":
    main()
