"""Properties of Deployments that must hold whatever happens, checked with hypothesis.

1. During a rolling update the Deployment never runs more than ``replicas + maxSurge`` pods
   (Terminating ones excepted: they are on their way out) and never has fewer than
   ``replicas - maxUnavailable`` ready ones (``docs/concepts/workloads/controllers/
   deployment.md``, Max Surge / Max Unavailable; surge rounds up, unavailability down, and
   both zero means one unavailable).
2. After any sequence of pod deletions, node failures, restorations and scalings, once the
   machines are back the Deployment returns to ``replicas`` ready pods: the reconciliation loops
   converge when there is room.
"""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from k8skit import Cluster

WORKERS = ("worker-1", "worker-2", "worker-3")


def _yaml_value(value: int | str) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def manifest(replicas: int, surge: int | str, unavailable: int | str) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: {_yaml_value(surge)}, maxUnavailable: {_yaml_value(unavailable)}}}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - {{name: nginx, image: "nginx:1.25"}}
"""


def absolute(value: int | str, replicas: int, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    exact = int(value.rstrip("%")) * replicas / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def live_and_ready(c: Cluster) -> tuple[list[dict], list[dict]]:
    live = [p for p in c.api.list("Pod", namespace="default")
            if not p["metadata"].get("deletionTimestamp")]
    ready = [p for p in live if any(cond["type"] == "Ready" and cond["status"] == "True"
                                    for cond in p.get("status", {}).get("conditions", []))]
    return live, ready


@settings(max_examples=10, deadline=None)
@given(replicas=st.integers(1, 6), surge=st.sampled_from([0, 1, 2, "25%", "50%", "100%"]),
       unavailable=st.sampled_from([0, 1, "25%", "50%"]), seed=st.integers(0, 10_000))
def test_rolling_update_stays_within_surge_and_unavailability(replicas, surge, unavailable,
                                                               seed):
    assume(surge != 0 or unavailable != 0)  # the API server refuses both zero
    c = Cluster(nodes=3, seed=seed)
    c.apply(manifest(replicas, surge, unavailable))
    assert c.kubectl("rollout status deployment/web").ok
    most = replicas + absolute(surge, replicas, True)
    fewest_unavailable = absolute(unavailable, replicas, False)
    if most == replicas and fewest_unavailable == 0:
        fewest_unavailable = 1
    least = replicas - fewest_unavailable
    c.kubectl("set image deployment/web nginx=nginx:1.27")
    for _ in range(400):
        live, ready = live_and_ready(c)
        assert len(live) <= most
        assert len(ready) >= least
        status = c.api.get("Deployment", "web").get("status", {})
        if status.get("updatedReplicas") == replicas == status.get("availableReplicas") \
                and status.get("replicas") == replicas:
            break
        c.run(0.5)
    else:
        raise AssertionError("the rolling update did not finish in 200 simulated seconds")


class Disruptions(RuleBasedStateMachine):
    """Pods deleted, nodes failed and restored, the Deployment scaled, time passing."""

    @initialize(seed=st.integers(0, 10_000), replicas=st.integers(1, 5))
    def start(self, seed: int, replicas: int) -> None:
        self.cluster = Cluster(nodes=3, seed=seed)
        self.replicas = replicas
        self.down: set[str] = set()
        self.cluster.kubectl(f"create deployment web --image=nginx:1.25 --replicas={replicas}")
        self.cluster.run(30)

    @rule(index=st.integers(0, 10))
    def delete_a_pod(self, index: int) -> None:
        live, _ = live_and_ready(self.cluster)
        if live:
            pod = live[index % len(live)]["metadata"]["name"]
            self.cluster.kubectl(f"delete pod {pod} --wait=false")

    @rule(worker=st.sampled_from(WORKERS))
    def fail_a_node(self, worker: str) -> None:
        if worker not in self.down:
            self.cluster.fail_node(worker)
            self.down.add(worker)

    @rule(worker=st.sampled_from(WORKERS))
    def restore_a_node(self, worker: str) -> None:
        if worker in self.down:
            self.cluster.restore_node(worker)
            self.down.discard(worker)

    @rule(replicas=st.integers(0, 6))
    def scale(self, replicas: int) -> None:
        self.cluster.kubectl(f"scale deployment/web --replicas={replicas}")
        self.replicas = replicas

    @rule(seconds=st.sampled_from([1, 10, 60, 400]))
    def wait(self, seconds: int) -> None:
        self.cluster.run(seconds)

    @invariant()
    def never_more_pods_than_allowed(self) -> None:
        if hasattr(self, "cluster"):
            live, _ = live_and_ready(self.cluster)
            # The largest replicas ever asked for is 6, plus a 25 % surge of it.
            assert len(live) <= 6 + 2

    def teardown(self) -> None:
        if not hasattr(self, "cluster"):
            return
        for worker in sorted(self.down):
            self.cluster.restore_node(worker)
        self.cluster.run(400)
        live, ready = live_and_ready(self.cluster)
        assert len(live) == self.replicas
        assert len(ready) == self.replicas
        status = self.cluster.api.get("Deployment", "web")["status"]
        assert status.get("availableReplicas", 0) == self.replicas


Disruptions.TestCase.settings = settings(max_examples=8, stateful_step_count=8, deadline=None)
TestDisruptions = Disruptions.TestCase
