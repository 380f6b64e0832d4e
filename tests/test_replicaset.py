"""ReplicaSets through a simulated cluster: pods from a template, adoption, replacement, status.

Sources: ``docs/concepts/workloads/controllers/replicaset.md`` (the frontend example, pods
acquired by a ReplicaSet, isolating pods by relabelling) and ``pkg/controller/replicaset``.
"""

from __future__ import annotations

import re

from k8skit import Cluster
from k8skit.api.errors import APIError
from k8skit.control_plane.controllers.controller_utils import slow_start_batch

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
