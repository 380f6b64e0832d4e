"""Benchmark: a rolling update of a 1,000-replica Deployment on 100 nodes.

Run: ``python benchmarks/bench_rollout.py``. In each of three fresh clusters, prints the wall
time of building the cluster, of the first rollout and of the rolling update to a new image
(``kubectl set image`` then ``kubectl rollout status`` until ``successfully rolled out``) with
the simulated time each took; then the median update, and where the time of a second, profiled
update goes, by component: cProfile's own time of each function, summed by the package it lives
in, with time spent in the Python library (``copy``, ``heapq``, ``re`` ...) charged to the
component that called it. The target is an update in under 2 s of wall time.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import statistics
import time
from collections import defaultdict

from k8skit import Cluster

REPLICAS = 1000
NODES = 100
# Each trial builds a fresh cluster, so every measured update pulls its new image on each node
# (a second update back to the first image would find it there already).
TRIALS = 3

DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {REPLICAS}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"""

# Package prefixes, most specific first, and the component each one is.
COMPONENTS = (
    ("k8skit/control_plane/controllers", "controllers"),
    ("k8skit/control_plane/scheduler", "scheduler"),
    ("k8skit/node/kubelet", "kubelet"),
    ("k8skit/node/runtime", "container runtime"),
    ("k8skit/node", "node (network, volumes)"),
    ("k8skit/api", "API server (validation, defaulting, store, events)"),
    ("k8skit/kubectl", "kubectl"),
    ("k8skit/clock.py", "clock"),
    ("k8skit", "k8skit (other)"),
)


def component_of(filename: str) -> str:
    for prefix, name in COMPONENTS:
        if prefix in filename:
            return name
    return "Python library"


def by_component(stats: pstats.Stats) -> dict[str, float]:
    """Own time per component; library functions are charged to their callers, in proportion
    to the time each caller spent in them (followed up through library-to-library calls)."""
    totals: dict[str, float] = defaultdict(float)

    def charge(func: tuple, seconds: float, depth: int) -> None:
        name = component_of(func[0])
        callers = stats.stats[func][4] if func in stats.stats else {}
        if not name.startswith("Python library") or depth > 20 or not callers:
            totals[name] += seconds
            return
        spent = {caller: timing[2] for caller, timing in callers.items() if caller != func}
        whole = sum(spent.values())
        if not whole:
            totals[name] += seconds
            return
        for caller, share in spent.items():
            charge(caller, seconds * share / whole, depth + 1)

    for func, (_, _, own_time, _, _) in stats.stats.items():
        charge(func, own_time, 0)
    return totals


def timed_update() -> tuple[Cluster, float]:
    """A fresh cluster, its first rollout, then the measured update: (cluster, wall seconds)."""
    gc.collect()  # the previous trial's cluster goes now, not in the middle of this one
    started = time.perf_counter()
    cluster = Cluster(nodes=NODES, cpu="16", memory="64Gi", seed=0)
    built = time.perf_counter()
    print(f"  cluster of {NODES} workers built in {built - started:.2f} s")

    sim_start = cluster.now
    cluster.apply(DEPLOYMENT)
    status = cluster.kubectl("rollout status deployment/web")
    assert status.ok, status.stderr
    first = time.perf_counter()
    print(f"  first rollout of {REPLICAS} replicas: {first - built:.2f} s wall, "
          f"{cluster.now - sim_start:.0f} s simulated")

    sim_start = cluster.now
    update_started = time.perf_counter()
    assert cluster.kubectl("set image deployment/web nginx=nginx:1.27").ok
    status = cluster.kubectl("rollout status deployment/web")
    update_wall = time.perf_counter() - update_started
    assert status.ok, status.stderr
    assert status.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    print(f"  rolling update of {REPLICAS} replicas on {NODES} nodes: {update_wall:.2f} s wall, "
          f"{cluster.now - sim_start:.0f} s simulated")
    return cluster, update_wall


def main() -> None:
    walls = []
    for trial in range(1, TRIALS + 1):
        print(f"trial {trial} of {TRIALS}")
        cluster, wall = timed_update()
        walls.append(wall)
    print(f"rolling update of {REPLICAS} replicas on {NODES} nodes, each to an image the nodes "
          f"must pull: median {statistics.median(walls):.2f} s wall over {TRIALS} fresh "
          f"clusters (fastest {min(walls):.2f}, slowest {max(walls):.2f}; target < 2 s)")
    events = len(cluster.api.list("Event"))
    print(f"objects then: {len(cluster.api.list('Pod'))} pods, {events} events, "
          f"{len(cluster.api.audit)} API writes in the audit log")

    profile = cProfile.Profile()
    profile.enable()
    assert cluster.kubectl("set image deployment/web nginx=nginx:1.25").ok
    assert cluster.kubectl("rollout status deployment/web").ok
    profile.disable()
    totals = by_component(pstats.Stats(profile))
    whole = sum(totals.values()) or 1.0
    print("where a second update's time goes (profiled, so slower; own time, library time "
          "charged to its callers):")
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {name:<52} {seconds:6.2f} s  {100 * seconds / whole:5.1f} %")

if __name__ == "__main__":
    main()
