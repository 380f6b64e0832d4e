"""How long each dashboard control takes, from the click to the updated figure.

The budget is 50 ms for a cluster of 10 workers running 100 pods: below that a control feels
immediate. Each control is driven as a learner drives it (a button's click handler, a slider's
value), on a FigureWidget without a browser, so what is measured is the kernel's share: the
simulator's work, reading the cluster and patching the figure. Each control runs ``--repeat``
times (alternating where it must, e.g. cordon then uncordon); the script prints the median and
the 95th percentile of the CPU time the process spent on it: on a shared two-core machine the
wall clock also counts everybody else's work, which the CPU time of this process does not (the
kernel does all of a control's work in this one thread). A run during which Python's garbage
collector swept the oldest generation (a pause of 100 ms or more with a simulated cluster in
memory) is counted and named: it says nothing about the control. It asserts nothing.

Usage::

    python -m benchmarks.bench_dashboards [--repeat 20]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from k8skit import Cluster
from k8skit.widgets.cluster_dashboard import ClusterDashboard
from k8skit.widgets.request_journey import RequestJourney
from k8skit.widgets.rollout_lab import RolloutLab
from k8skit.widgets.scheduler_lab import SchedulerLab
from k8skit.widgets.service_lab import ServiceLab

NODES = 10
PODS = 100
BUDGET_MS = 50.0

JOURNEY_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: shop, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80}]
"""


class Timings(list):
    """CPU milliseconds of each run, and how many runs a full garbage collection fell in."""

    swept = 0


def timed(action: Callable[[], None], repeat: int) -> Timings:
    """CPU milliseconds of each of ``repeat`` runs of ``action``."""
    times = Timings()
    full_collections = []

    def count(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full_collections.append(1)

    gc.callbacks.append(count)
    try:
        for _ in range(repeat):
            before = len(full_collections)
            start = time.process_time()
            action()
            times.append((time.process_time() - start) * 1000)
            times.swept += len(full_collections) > before
    finally:
        gc.callbacks.remove(count)
    return times


def report(name: str, times: Timings) -> None:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    flag = "" if p95 < BUDGET_MS else "  over budget"
    swept = (f"  ({times.swept} of {len(times)} runs with a full garbage collection)"
             if times.swept else "")
    print(f"  {name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms{flag}{swept}")


def alternating(*actions: Callable[[], None]) -> Callable[[], None]:
    """One action per call, in turn (so a repeated toggle always does something)."""
    state = {"next": 0}

    def run() -> None:
        actions[state["next"] % len(actions)]()
        state["next"] += 1

    return run


def bench_cluster_dashboard(repeat: int) -> None:
    cluster = Cluster(nodes=NODES, seed=1)
    cluster.kubectl(f"create deployment web --image=nginx --replicas={PODS}")
    cluster.run(60)
    dashboard = ClusterDashboard(cluster, speed=1)
    redraws = timed(dashboard.redraw, repeat)
    print(f"ClusterDashboard: {NODES} workers, {len(cluster.api.list('Pod'))} pods "
          f"(redraw alone: median {statistics.median(redraws):.1f} ms)")

    def set_value(control, *values):
        return alternating(*(lambda v=v: setattr(control, "value", v) for v in values))

    def scale_to(replicas: int) -> Callable[[], None]:
        def scale() -> None:
            dashboard.replicas.value = replicas
            dashboard.scale_button.click()
        return scale

    def delete_a_pod() -> None:
        dashboard.pod.value = dashboard.pod.options[-1]
        dashboard.delete_pod_button.click()

    dashboard.node.value = "worker-3"
    controls = {
        "step (1 s)": dashboard.step_button.click,
        "play tick (1 s)": lambda: setattr(dashboard.play, "value", dashboard.play.value + 1),
        "speed slider": set_value(dashboard.speed, 2, 1),
        "scale 101 / 100": alternating(scale_to(PODS + 1), scale_to(PODS)),
        "delete pod": delete_a_pod,
        "cordon / uncordon": alternating(dashboard.cordon_button.click,
                                         dashboard.uncordon_button.click),
        "fail / restore node": alternating(dashboard.fail_node_button.click,
                                           dashboard.restore_node_button.click),
        "kubectl box: get pods": lambda: (setattr(dashboard.command, "value", "get pods"),
                                          dashboard.run_button.click()),
    }
    for name, action in controls.items():
        report(name, timed(action, repeat))
    dashboard.image.value = "nginx:1.27"
    report("roll out image / undo (100 pods)",
           timed(alternating(dashboard.set_image_button.click, dashboard.undo_button.click),
                 max(2, repeat // 4)))


def bench_labs(repeat: int) -> None:
    print("SchedulerLab (3 workers)")
    lab = SchedulerLab()
    report("cpu slider (what-if explainer)",
           timed(alternating(lambda: setattr(lab.cpu, "value", 700),
                             lambda: setattr(lab.cpu, "value", 500)), repeat))
    report("strategy toggle", timed(alternating(
        lambda: setattr(lab.strategy, "value", "MostAllocated"),
        lambda: setattr(lab.strategy, "value", "LeastAllocated")), repeat))
    lab.cpu.value = 100
    report("add pod", timed(lab.add_button.click, repeat))

    print("ServiceLab (3 workers, 3 pods)")
    service = ServiceLab()
    report("send 100 requests", timed(service.send_button.click, repeat))
    report("requests slider", timed(alternating(
        lambda: setattr(service.requests, "value", 200),
        lambda: setattr(service.requests, "value", 100)), repeat))
    report("let 5 s pass", timed(service.wait_button.click, repeat))
    report("kube-proxy mode ipvs / iptables", timed(alternating(
        lambda: setattr(service.mode, "value", "ipvs"),
        lambda: setattr(service.mode, "value", "iptables")), repeat))

    print("RolloutLab (4 replicas)")
    rollout = RolloutLab()
    report("maxSurge slider", timed(alternating(
        lambda: setattr(rollout.max_surge, "value", 2),
        lambda: setattr(rollout.max_surge, "value", 1)), repeat))
    steps = Timings()
    for image in (rollout.image.options[1][1], rollout.image.options[0][1]):
        rollout.image.value = image
        rollout.rollout_button.click()
        for _ in range(6):
            step = timed(rollout.step_button.click, 1)
            steps += step
            steps.swept += step.swept
    report("next step", steps)

    print("RequestJourney (a Deployment of 3 and a Service on 3 workers)")
    start = time.process_time()
    journey = RequestJourney(Cluster(nodes=3, seed=2), JOURNEY_MANIFEST)
    print(f"  {'record the journey (30 s)':<34} {1000 * (time.process_time() - start):.0f} ms, "
          f"{len(journey.journey.steps)} steps")
    report("next / previous", timed(alternating(journey.next_button.click,
                                                journey.previous_button.click), repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    bench_cluster_dashboard(args.repeat)
    bench_labs(args.repeat)


if __name__ == "__main__":
    main()
