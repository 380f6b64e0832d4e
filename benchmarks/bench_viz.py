"""How long the cluster figures take to build.

The cluster map is redrawn by the dashboards after every action, so it must stay well under the
200 ms a learner starts to notice, even for a cluster far bigger than the course uses: 100 nodes
and 2,000 pods. For a 10-node cluster with 100 pods, and a 100-node one with 2,000 pods (pods of
10 apps, a Deployment rolled out to a new image once while recorded, a Service), prints the best
and median wall time of:

- ``cluster_map`` (a new figure) and ``cluster_map_patch`` (the data a dashboard applies);
- ``scheduling_explainer`` for one pod, ``anatomy`` with a highlight;
- ``pod_timeline`` and ``rollout_timeline`` over the recorded history;
- ``traffic_sankey`` of 1,000 requests.

Each is timed after one warm-up call (the first figure of a session also loads plotly's
validators), in the process's own CPU time (``time.process_time``), which other work on a shared
machine does not inflate, and in wall time.

    python benchmarks/bench_viz.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

from k8skit import Cluster
from k8skit.history import record
from k8skit.traffic import send_requests
from k8skit.viz.anatomy import anatomy
from k8skit.viz.cluster_map import cluster_map, cluster_map_patch
from k8skit.viz.rollout import rollout_timeline
from k8skit.viz.scheduling import scheduling_explainer
from k8skit.viz.timeline import pod_timeline
from k8skit.viz.traffic import traffic_sankey

APPS = 10

POD = """
apiVersion: v1
kind: Pod
metadata: {{name: app-{app}-{i}, labels: {{app: app-{app}}}}}
spec:
  containers:
  - {{name: web, image: "nginx:1.25", resources: {{requests: {{cpu: 50m, memory: 32Mi}}}}}}
"""

# A Deployment to roll out and a Service in front of app-1's pods.
WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 10
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.25", resources: {requests: {cpu: 50m, memory: 32Mi}}}
---
apiVersion: v1
kind: Service
metadata: {name: app-1}
spec:
  selector: {app: app-1}
  ports: [{port: 80}]
"""


def build(nodes: int, pods: int) -> tuple[Cluster, float]:
    """A recorded cluster with ``pods`` pods of 10 apps, and a Deployment rolled out once.

    The apps' pods are plain Pods: the figures draw pods, whatever made them, and a cluster of
    Pods is set up in seconds where as many Deployment replicas take minutes.
    """
    started = time.perf_counter()
    cluster = Cluster(nodes=nodes, cpu="8", memory="32Gi", seed=0)
    record(cluster)
    cluster.apply(WEB)
    cluster.apply("\n---\n".join(POD.format(app=i % APPS, i=i) for i in range(pods - 10)))
    cluster.run(60)
    cluster.kubectl("set image deployment/web web=nginx:1.27")
    cluster.run(120)
    return cluster, time.perf_counter() - started


def timed(function, repeat: int) -> tuple[float, float, float]:
    """(best CPU, median CPU, best wall) seconds of ``function()``."""
    function()
    cpu, wall = [], []
    for _ in range(repeat):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        function()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    return min(cpu), statistics.median(cpu), min(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    for nodes, pods in ((10, 100), (100, 2000)):
        cluster, set_up = build(nodes, pods)
        pod = cluster.api.list("Pod", namespace="default")[0]["metadata"]["name"]
        traffic = send_requests(cluster, "http://app-1", 1000, source=pod)
        print(f"{nodes} nodes, {cluster.store.count('Pod')} pods "
              f"(set-up and 180 simulated s: {set_up:.1f} s wall)")
        figures = {
            "cluster_map": partial(cluster_map, cluster),
            "cluster_map_patch": partial(cluster_map_patch, cluster),
            "scheduling_explainer": partial(scheduling_explainer, cluster, pod),
            "anatomy": partial(anatomy, cluster, highlight="kube-scheduler"),
            "pod_timeline": partial(pod_timeline, cluster),
            "rollout_timeline": partial(rollout_timeline, cluster, "web"),
            "traffic_sankey": partial(traffic_sankey, traffic, cluster),
        }
        for name, function in figures.items():
            best, median, wall = timed(function, args.repeat)
            print(f"  {name:<22} CPU best {best * 1000:6.1f} ms, median {median * 1000:6.1f} ms"
                  f"   (wall best {wall * 1000:6.1f} ms)")


if __name__ == "__main__":
    main()
