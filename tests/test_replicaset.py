"""ReplicaSets through a simulated cluster: pods from a template, adoption, replacement, status.

Sources: ``docs/concepts/workloads/controllers/replicaset.md`` (the frontend example, pods
acquired by a ReplicaSet, isolating pods by relabelling) and ``pkg/controller/replicaset``.
"""

from __future__ import annotations

import functools
import re

from hypothesis import given
from hypothesis import strategies as st

from k8skit import Cluster
from k8skit.api.errors import APIError
from k8skit.control_plane.controllers.controller_utils import slow_start_batch
from k8skit.control_plane.controllers.deletion_order import (
    DeletionCandidate,
    DeletionOrder,
    compare_for_deletion,
)

FRONTEND = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: nginx:1.25
"""

BARE_PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: pod1
  labels:
    tier: frontend
spec:
  containers:
  - name: hello1
    image: nginx:1.25
---
apiVersion: v1
kind: Pod
metadata:
  name: pod2
  labels:
    tier: frontend
spec:
  containers:
  - name: hello2
    image: nginx:1.25
"""



def created_pods(c: Cluster, owner: str) -> list[str]:
    """The pod names of the owner's SuccessfulCreate events, oldest first."""
    events = sorted((e for e in c.api.list("Event", namespace="default")
                     if e["involvedObject"]["name"] == owner
                     and e["reason"] == "SuccessfulCreate"),
                    key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [e["message"].removeprefix("Created pod: ") for e in events]


def owned_by(c: Cluster, owner: str) -> set[str]:
    return {p["metadata"]["name"] for p in c.api.list("Pod", namespace="default")
            if any(r["name"] == owner and r.get("controller")
                   for r in p["metadata"].get("ownerReferences", ()))
            and not p["metadata"].get("deletionTimestamp")}


def test_replica_set_creates_its_pods_and_reports_them():
    c = Cluster(nodes=2, seed=31)
    c.apply(FRONTEND)
    names = created_pods(c, "frontend")
    assert len(names) == 3
    assert all(re.fullmatch(r"frontend-[bcdfghjklmnpqrstvwxz2456789]{5}", n) for n in names)
    assert owned_by(c, "frontend") == set(names)
    c.run(30)
    rs = c.api.get("ReplicaSet", "frontend")
    assert rs["status"] == {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3,
                            "availableReplicas": 3, "observedGeneration": 1}
    assert c.kubectl("get rs").stdout.splitlines()[1].split()[:4] == ["frontend", "3", "3", "3"]


def test_replica_set_adopts_matching_bare_pods_before_creating_any():
    c = Cluster(nodes=2, seed=32)
    c.apply(BARE_PODS)
    c.apply(FRONTEND)
    assert len(created_pods(c, "frontend")) == 1
    assert {"pod1", "pod2"} <= owned_by(c, "frontend")
    assert len(owned_by(c, "frontend")) == 3


def test_matching_pods_created_later_are_acquired_and_terminated():
    c = Cluster(nodes=2, seed=33)
    c.apply(FRONTEND)
    c.run(30)
    c.apply(BARE_PODS)
    deleted = [e["message"] for e in c.api.list("Event", namespace="default")
               if e["reason"] == "SuccessfulDelete"]
    assert sorted(deleted) == ["Deleted pod: pod1", "Deleted pod: pod2"]
    assert len(owned_by(c, "frontend")) == 3


def test_relabelled_pod_is_released_and_replaced():
    c = Cluster(nodes=2, seed=34)
    c.apply(FRONTEND)
    c.run(30)
    pod = sorted(owned_by(c, "frontend"))[0]
    c.kubectl(f"label pod {pod} tier=debug --overwrite")
    assert "ownerReferences" not in c.api.get("Pod", pod)["metadata"]
    assert pod not in owned_by(c, "frontend")
    assert len(owned_by(c, "frontend")) == 3
    assert len(created_pods(c, "frontend")) == 4


def test_terminating_pods_do_not_count():
    c = Cluster(nodes=2, seed=35)
    # busybox's shell ignores SIGTERM: each pod takes its whole 30 s grace period to go.
    c.apply(FRONTEND.replace("image: nginx:1.25",
                             'image: busybox:1.36\n        command: ["sh", "-c", "sleep 3600"]'))
    c.run(30)
    c.kubectl("scale rs frontend --replicas=1")
    rs = c.api.get("ReplicaSet", "frontend")
    assert rs["status"]["replicas"] == 1
    terminating = [p for p in c.api.list("Pod", namespace="default")
                   if p["metadata"].get("deletionTimestamp")]
    assert len(terminating) == 2
    assert c.kubectl("get rs frontend").stdout.splitlines()[1].split()[1:3] == ["1", "1"]
    c.run(31)
    assert len(c.api.list("Pod", namespace="default")) == 1


def test_available_replicas_wait_for_min_ready_seconds():
    c = Cluster(nodes=2, seed=36)
    c.apply(FRONTEND.replace("replicas: 3", "replicas: 2\n  minReadySeconds: 20"))
    ready_at = None
    for _ in range(120):
        c.run(1)
        status = c.api.get("ReplicaSet", "frontend").get("status", {})
        if ready_at is None and status.get("readyReplicas") == 2:
            ready_at = c.now
            assert status.get("availableReplicas", 0) == 0
        if status.get("availableReplicas") == 2:
            break
    assert ready_at is not None
    assert 20 <= c.now - ready_at <= 23


def test_slow_start_stops_after_the_first_failing_batch():
    calls = []

    def create() -> None:
        calls.append(len(calls))
        if len(calls) == 4:
            raise APIError("quota exceeded")

    successes, error = slow_start_batch(10, 1, create)
    # Batches of 1, 2 and 4: the fourth call fails, its batch finishes, nothing more is tried.
    assert len(calls) == 7
    assert successes == 6
    assert error.message == "quota exceeded"
    assert slow_start_batch(5, 1, lambda: None) == (5, None)


# -- which pods a scale-down deletes (ActivePodsWithRanks in controller_utils.go) ----------------
def frontend(replicas: int, cpu: str | None = None) -> str:
    """The frontend ReplicaSet with ``replicas``, its container requesting ``cpu``."""
    manifest = FRONTEND.replace("replicas: 3", f"replicas: {replicas}")
    if cpu is not None:
        manifest += f"        resources:\n          requests:\n            cpu: {cpu}\n"
    return manifest


def pods_by_phase(c: Cluster, owner: str) -> dict[str, str]:
    return {name: c.api.get("Pod", name)["status"]["phase"] for name in owned_by(c, owner)}


def scale(c: Cluster, replicas: int) -> None:
    assert c.kubectl(f"scale rs/frontend --replicas={replicas}").ok
    c.run(1)


def test_scale_down_deletes_a_pending_pod_before_running_ones():
    c = Cluster(nodes=1, cpu="2", seed=41)
    c.apply(frontend(3, cpu="700m"))
    c.run(30)
    phases = pods_by_phase(c, "frontend")
    assert sorted(phases.values()) == ["Pending", "Running", "Running"]
    scale(c, 2)
    assert sorted(pods_by_phase(c, "frontend").values()) == ["Running", "Running"]


def test_scale_down_follows_the_pod_deletion_cost_annotation():
    c = Cluster(nodes=2, seed=42)
    c.apply(frontend(3))
    c.run(30)
    cheap, dear, plain = sorted(owned_by(c, "frontend"))
    annotate = "annotate pod {} controller.kubernetes.io/pod-deletion-cost={}"
    assert c.kubectl(annotate.format(cheap, -5)).ok
    assert c.kubectl(annotate.format(dear, 100)).ok
    scale(c, 2)
    assert owned_by(c, "frontend") == {dear, plain}
    scale(c, 1)
    assert owned_by(c, "frontend") == {dear}


def test_scale_down_first_thins_the_most_crowded_node():
    # A Deployment's ReplicaSet ranks its pods by how many of the family share their node; a
    # bare ReplicaSet has no family (getReplicaSetsWithSameController) and would rank none.
    c = Cluster(nodes=2, seed=43)
    assert c.kubectl("cordon worker-2").ok
    assert c.kubectl("create deployment web --image=nginx:1.25 --replicas=3").ok
    c.run(30)
    assert c.kubectl("uncordon worker-2").ok
    assert c.kubectl("scale deployment/web --replicas=4").ok
    c.run(30)

    def nodes() -> list[str]:
        return sorted(p["spec"]["nodeName"] for p in c.api.list("Pod", namespace="default")
                      if not p["metadata"].get("deletionTimestamp"))

    assert nodes() == ["worker-1"] * 3 + ["worker-2"]
    # The newest pod is the one on worker-2, yet worker-1's crowd goes first.
    assert c.kubectl("scale deployment/web --replicas=3").ok
    c.run(1)
    assert nodes() == ["worker-1"] * 2 + ["worker-2"]


def test_scale_down_deletes_the_newest_pods_first():
    c = Cluster(nodes=2, seed=44)
    c.apply(frontend(2))
    c.run(600)
    first = owned_by(c, "frontend")
    scale(c, 4)
    c.run(60)
    assert len(owned_by(c, "frontend")) == 4
    scale(c, 2)
    assert owned_by(c, "frontend") == first


# Ages a power of four apart never share LogarithmicScaleDown's power-of-two bucket, so the
# upstream order is a strict ranking of these pods and any correct selection agrees with it.
NOW = 10_000.0
AGES = [None, 1.0, 4.0, 16.0, 64.0, 256.0]


@st.composite
def candidates(draw) -> tuple[list[DeletionCandidate], dict[str, int]]:
    count = draw(st.integers(1, 30))
    found = []
    for index in range(count):
        node = draw(st.sampled_from(["", "worker-1", "worker-2", "worker-3"]))
        ready = draw(st.booleans())
        since, created = draw(st.sampled_from(AGES)), draw(st.sampled_from(AGES[1:]))
        found.append(DeletionCandidate(
            pod={"metadata": {"uid": f"pod-{index:02}"}}, unassigned=not node,
            phase=draw(st.sampled_from([0, 1, 2])), ready=ready,
            cost=draw(st.sampled_from([0, 0, 0, -5, 100])),
            ready_since=NOW - since if ready and since is not None else None,
            restarts=draw(st.sampled_from([0, 0, 1, 3])), created=NOW - created,
            uid=f"{draw(st.integers(0, 99)):02}-{index:02}", node=node))
    on_node = {node: draw(st.integers(0, 5)) for node in ("worker-1", "worker-2", "worker-3")}
    return found, on_node


@given(candidates(), st.data())
def test_deletion_order_picks_what_the_upstream_sort_picks(drawn, data):
    found, on_node = drawn
    order = DeletionOrder()
    for candidate in found:
        order.add(candidate)
    # Deleting them all, upstream skips the sort: "No need to sort pods if we are about to
    # delete all of them" (getPodsToDelete).
    assert order.first(len(found), on_node, NOW) == [c.pod for c in found]
    if len(found) == 1:
        return
    count = data.draw(st.integers(1, len(found) - 1))
    ranked = {c.pod["metadata"]["uid"]: (on_node.get(c.node, 0), c) for c in found}
    expected = sorted(ranked.values(),
                      key=functools.cmp_to_key(lambda a, b: compare_for_deletion(a, b, NOW)))
    picked = [ranked[pod["metadata"]["uid"]] for pod in order.first(count, on_node, NOW)]
    # Pods the order cannot tell apart may come in either order, as upstream's unstable sort.
    assert [compare_for_deletion(a, b, NOW) for a, b in zip(picked, expected[:count],
                                                            strict=True)] == [0] * count


def test_deletion_order_forgets_pods_that_leave():
    order = DeletionOrder()
    pods = [DeletionCandidate(pod={"metadata": {"uid": uid}}, unassigned=False, phase=2,
                              ready=True, cost=0, ready_since=NOW - 16, restarts=0,
                              created=NOW - 64, uid=uid, node=node)
            for uid, node in (("a", "worker-1"), ("b", "worker-1"), ("c", "worker-2"))]
    for pod in pods:
        order.add(pod)
    order.discard("a")
    order.discard("a")
    assert len(order) == 2
    assert order.first(1, {"worker-1": 1, "worker-2": 1}, NOW) == [{"metadata": {"uid": "b"}}]
    order.discard("b")
    assert order.first(1, {"worker-2": 1}, NOW) == [{"metadata": {"uid": "c"}}]
