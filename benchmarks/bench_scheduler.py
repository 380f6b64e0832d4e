"""How fast the simulated kube-scheduler places pods: 1,000 nodes, 10,000 pods, one core.

Two figures:

1. **scheduling cycle**: the scheduler's own loop, queue -> filter -> score -> select ->
   assume into its cache, with the default plugins; the pods and nodes are already known to
   it (as after its informers' first list), and the bindings wait on the clock.
2. **end to end**: pods created through the API server, delivered to the scheduler by watch
   events, scheduled, bound through the API server, with their ``Scheduled`` events.

The pods belong to 1,000 ReplicaSets of 10 replicas (so topology spreading has work to do);
the nodes have 32 cpu / 128Gi each and sit in three zones.

Rates are pods per second of the process's own CPU time (``time.process_time``): the target is
a rate on one core, and on a shared machine the wall clock also counts the time other
programs held the CPU. Each figure is the best of ``--repeat`` runs (3 by default), as
``timeit`` reports, with the slowest run and the wall-clock rate beside it.

Run: ``python benchmarks/bench_scheduler.py [--nodes 1000] [--pods 10000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import random
import time

from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock
from k8skit.control_plane.scheduler import Scheduler

ZONES = ("zone-a", "zone-b", "zone-c")


def make_node(i: int) -> dict:
    name = f"node-{i:04d}"
    resources = {"cpu": "32", "memory": "128Gi", "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {
                "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": ZONES[i % 3]}},
            "spec": {},
            "status": {"allocatable": dict(resources), "capacity": dict(resources)}}


def make_pod(i: int, replicas_per_owner: int = 10) -> dict:
    owner = i // replicas_per_owner
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"web-{owner}-{i % replicas_per_owner}", "namespace": "default",
                         "labels": {"app": f"web-{owner}"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": f"web-{owner}",
                                              "uid": f"replicaset-{owner}", "controller": True}]},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"}}}]}}


def control_plane() -> tuple[Clock, APIServer]:
    clock = Clock()
    return clock, APIServer(ObjectStore(clock), clock, random.Random(0))


class Stopwatch:
    """CPU seconds and wall-clock seconds of a block."""

    def __enter__(self) -> Stopwatch:
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self.cpu
        self.wall = time.perf_counter() - self.wall


def bench_cycle(nodes: int, pods: int) -> tuple[Stopwatch, int]:
    clock, api = control_plane()
    for i in range(nodes):
        api.create(make_node(i))
    for i in range(pods):
        api.create(make_pod(i))
    scheduler = Scheduler(api, clock, random.Random("0/scheduler"))  # lists nodes and pods
    scheduled = 0
    with Stopwatch() as watch:
        while (result := scheduler.schedule_one()) is not None:
            scheduled += result.chosen is not None
    return watch, scheduled


def bench_end_to_end(nodes: int, pods: int) -> tuple[Stopwatch, int]:
    clock, api = control_plane()
    for i in range(nodes):
        api.create(make_node(i))
    scheduler = Scheduler(api, clock, random.Random("0/scheduler"))
    clock.settle()
    with Stopwatch() as watch:
        for i in range(pods):
            api.create(make_pod(i))
        clock.settle()
    bound = sum(1 for p in api.list("Pod") if p["spec"].get("nodeName"))
    assert not len(scheduler.queue), "every pod should have been scheduled"
    return watch, bound


def report(label: str, runs: list[tuple[Stopwatch, int]]) -> None:
    runs = sorted(runs, key=lambda run: run[1] / run[0].cpu)
    (slow, _), (best, count) = runs[0], runs[-1]
    print(f"  {label}: {count} pods in {best.cpu:.2f} CPU s = {count / best.cpu:,.0f} pods/s "
          f"(slowest of {len(runs)} runs: {count / slow.cpu:,.0f}; wall clock: "
          f"{count / best.wall:,.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"kube-scheduler (simulated), default plugins: {args.nodes} nodes, {args.pods} pods")
    report("scheduling cycle", [bench_cycle(args.nodes, args.pods) for _ in range(args.repeat)])
    report("end to end (API)", [bench_end_to_end(args.nodes, args.pods)
                                for _ in range(args.repeat)])


if __name__ == "__main__":
    main()
