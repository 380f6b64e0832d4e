"""The scheduler as a component: it watches the API server, binds pods, reports failures.

These tests drive a bare control plane (API server, clock, scheduler) with Node and Pod objects
written through the API, and read back what a learner would see: the pod's node, its
PodScheduled condition, the events, the explanation.
"""

import random

from hypothesis import given
from hypothesis import strategies as st

from k8skit.api.meta import get_condition
from k8skit.api.quantity import cpu_millis, memory_bytes
from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock
from k8skit.control_plane.scheduler import Scheduler
from k8skit.control_plane.scheduler.queue import (
    ACTIVE,
    UNSCHEDULABLE,
    QueuedPodInfo,
    SchedulingQueue,
)

CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def node(name, cpu="4", memory="8Gi", taints=(), labels=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name,
                         "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": list(taints)},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"},
                       "capacity": {"cpu": cpu, "memory": memory, "pods": "110"}}}


def pod(name, cpu="100m", memory="64Mi", owner=None, **spec):
    meta = {"name": name, "namespace": "default"}
    if owner is not None:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                    "name": owner["metadata"]["name"],
                                    "uid": owner["metadata"]["uid"], "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": "nginx", "resources": {
                "requests": {"cpu": cpu, "memory": memory}}}], **spec}}


class ControlPlane:
    """An API server, a clock and a scheduler: no kubelets, no controllers."""

    def __init__(self, *nodes, seed=0):
        self.clock = Clock()
        self.api = APIServer(ObjectStore(self.clock), self.clock, random.Random(seed))
        self.scheduler = Scheduler(self.api, self.clock, random.Random(f"{seed}/scheduler"))
        for n in nodes:
            self.api.create(n)
        self.clock.settle()

    def create(self, obj):
        created = self.api.create(obj)
        self.clock.settle()
        return created

    def node_of(self, name):
        return self.api.get("Pod", name)["spec"].get("nodeName")

    def events(self, name, reason):
        return [e for e in self.api.list("Event")
                if e["involvedObject"]["name"] == name and e["reason"] == reason]


def workers(count, **kwargs):
    return [node(f"worker-{i}", **kwargs) for i in range(1, count + 1)]


def test_a_pod_is_bound_with_a_condition_and_an_event():
    cp = ControlPlane(*workers(3))
    cp.create(pod("web"))
    chosen = cp.node_of("web")
    assert chosen in ("worker-1", "worker-2", "worker-3")
    condition = get_condition(cp.api.get("Pod", "web"), "PodScheduled")
    assert condition["status"] == "True"
    [event] = cp.events("web", "Scheduled")
    assert event["type"] == "Normal"
    assert event["message"] == f"Successfully assigned default/web to {chosen}"
    assert event["source"]["component"] == "default-scheduler"


def test_the_control_plane_taint_keeps_pods_off():
    cp = ControlPlane(node("control-plane", taints=[CONTROL_PLANE_TAINT]), *workers(2))
    for i in range(20):
        cp.create(pod(f"p{i}"))
    assert all(cp.node_of(f"p{i}") != "control-plane" for i in range(20))
    assert all(cp.node_of(f"p{i}") for i in range(20))


def test_replicas_of_one_owner_spread_over_the_nodes():
    cp = ControlPlane(*workers(3))
    owner = {"metadata": {"name": "web-5d4f8", "uid": "8c1e0b7a-replicaset"}}
    for i in range(6):
        cp.create(pod(f"web-{i}", owner=owner))
    placed = [cp.node_of(f"web-{i}") for i in range(6)]
    assert sorted(placed.count(w) for w in ("worker-1", "worker-2", "worker-3")) == [2, 2, 2]


def test_a_pod_that_fits_nowhere_stays_pending_with_upstreams_message():
    cp = ControlPlane(node("control-plane", taints=[CONTROL_PLANE_TAINT]), *workers(3))
    cp.create(pod("huge", memory="1000Gi"))
    expected = ("0/4 nodes are available: 1 node(s) had untolerated taint "
                "{node-role.kubernetes.io/control-plane: }, 3 Insufficient memory. "
                "preemption: 0/4 nodes are available: 4 Preemption is not helpful for "
                "scheduling.")
    assert cp.node_of("huge") is None
    [event] = cp.events("huge", "FailedScheduling")
    assert event["type"] == "Warning" and event["message"] == expected
    condition = get_condition(cp.api.get("Pod", "huge"), "PodScheduled")
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "False", "Unschedulable", expected)


def test_reasons_are_counted_and_sorted_as_strings():
    gpu = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    cp = ControlPlane(node("control-plane", taints=[CONTROL_PLANE_TAINT]),
                      node("gpu-1", taints=[gpu]), node("gpu-2", taints=[gpu]),
                      *workers(10, memory="1Gi"))
    cp.create(pod("big", memory="2Gi"))
    # "1 node(s)..." < "10 Insufficient..." < "2 node(s)...": Go's sort.Strings order.
    [event] = cp.events("big", "FailedScheduling")
    assert event["message"] == (
        "0/13 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 10 Insufficient memory, "
        "2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/13 nodes are "
        "available: 13 Preemption is not helpful for scheduling.")


def test_full_nodes_offer_no_preemption_victims_among_equal_priority_pods():
    cp = ControlPlane(*workers(2, memory="4Gi"))
    cp.create(pod("a", memory="3Gi"))
    cp.create(pod("b", memory="3Gi"))
    cp.create(pod("c", memory="2Gi"))
    [event] = cp.events("c", "FailedScheduling")
    assert event["message"] == (
        "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: "
        "2 No preemption victims found for incoming pod.")


def test_a_pending_pod_is_retried_when_room_frees_up():
    cp = ControlPlane(*workers(1, memory="4Gi"))
    cp.create(pod("first", memory="3Gi"))
    cp.create(pod("second", memory="3Gi"))
    assert cp.node_of("second") is None
    cp.api.delete("Pod", "first", grace_period_seconds=0)
    cp.clock.run(1)   # the second pod's back-off (1 s after its first attempt)
    assert cp.node_of("second") == "worker-1"


def test_a_pending_pod_is_retried_when_a_node_joins():
    cp = ControlPlane(*workers(1, memory="1Gi"))
    cp.create(pod("big", memory="2Gi"))
    assert cp.node_of("big") is None
    cp.create(node("worker-2", memory="4Gi"))
    cp.clock.run(1)
    assert cp.node_of("big") == "worker-2"


def test_cordon_and_uncordon_through_the_api():
    cp = ControlPlane(*workers(2))
    for name in ("worker-1", "worker-2"):
        live = cp.api.get("Node", name)   # the API server's own object, changed in place
        live["spec"]["unschedulable"] = True
        cp.api.update(live)
    cp.clock.settle()
    cp.create(pod("web"))
    [event] = cp.events("web", "FailedScheduling")
    assert event["message"].startswith("0/2 nodes are available: 2 node(s) were unschedulable.")
    live = cp.api.get("Node", "worker-2")
    live["spec"]["unschedulable"] = False
    cp.api.update(live)
    cp.clock.run(1)
    assert cp.node_of("web") == "worker-2"


def test_higher_priority_pods_are_tried_first():
    cp = ControlPlane(*workers(1, memory="4Gi"))
    cp.api.create(pod("early", memory="3Gi"))
    cp.api.create(pod("urgent", memory="3Gi", priority=1000))
    cp.clock.settle()
    assert cp.node_of("urgent") == "worker-1"
    assert cp.node_of("early") is None


def test_pods_for_another_scheduler_are_left_alone():
    cp = ControlPlane(*workers(1))
    cp.create(pod("custom", schedulerName="my-scheduler"))
    cp.clock.run(60)
    assert cp.node_of("custom") is None
    assert not cp.events("custom", "FailedScheduling")


def test_the_recorded_explanation_is_the_decision():
    cp = ControlPlane(node("control-plane", taints=[CONTROL_PLANE_TAINT]), *workers(3))
    cp.create(pod("web"))
    explanation = cp.scheduler.last_explanation("default", "web")
    assert explanation.chosen == cp.node_of("web")
    assert explanation.node("control-plane").rejected_by == "TaintToleration"
    best = max(n.total for n in explanation.nodes if n.feasible)
    assert explanation.node(explanation.chosen).total == best
    cp.create(pod("huge", memory="1000Gi"))
    failed = cp.scheduler.last_explanation("default", "huge")
    assert failed.chosen is None
    assert failed.message == cp.events("huge", "FailedScheduling")[0]["message"]
    assert {n.reasons for n in failed.nodes if n.rejected_by == "NodeResourcesFit"} == {
        ("Insufficient memory",)}


def test_explain_changes_nothing():
    cp = ControlPlane(*workers(3))
    cp.create(pod("web"))
    revision, state = cp.api.store.revision, cp.scheduler.rng.getstate()
    explanation = cp.scheduler.explain(pod("what-if", memory="1Gi"))
    assert explanation.chosen is not None
    assert all(n.evaluated and n.feasible for n in explanation.nodes)
    assert (cp.api.store.revision, cp.scheduler.rng.getstate()) == (revision, state)
    # A bound pod is judged as the pending pod it was: its own requests are not counted twice.
    again = cp.scheduler.explain(cp.api.get("Pod", "web"))
    assert again.node(cp.node_of("web")).feasible


def test_back_off_doubles_from_one_second_to_ten():
    clock = Clock()
    queued = QueuedPodInfo(info=None, timestamp=0.0)
    delays = []
    for attempts in range(1, 7):
        queued.attempts = attempts
        delays.append(queued.backoff_expiry() - queued.timestamp)
    assert delays == [1, 2, 4, 8, 10, 10]
    assert clock.now == 0


def test_unschedulable_pods_are_retried_after_five_minutes_without_any_change():
    cp = ControlPlane(*workers(1, memory="1Gi"))
    cp.create(pod("big", memory="2Gi"))
    uid = cp.api.get("Pod", "big")["metadata"]["uid"]
    queue: SchedulingQueue = cp.scheduler.queue
    assert queue.where(uid) == UNSCHEDULABLE
    cp.clock.run(299)
    assert queue.where(uid) == UNSCHEDULABLE
    assert len(cp.events("big", "FailedScheduling")) == 1
    cp.clock.run(2)
    # It was tried again at 300 s, failed again, and the same event was counted once more.
    [event] = cp.events("big", "FailedScheduling")
    assert event["count"] == 2
    assert queue.where(uid) in (UNSCHEDULABLE, ACTIVE)


_sizes = st.sampled_from(["0", "250m", "500m", "1", "2"])
_memories = st.sampled_from(["0", "256Mi", "512Mi", "1Gi", "3Gi"])


@given(node_sizes=st.lists(st.tuples(st.sampled_from(["1", "2", "4"]),
                                     st.sampled_from(["1Gi", "2Gi", "4Gi"])),
                           min_size=1, max_size=4),
       pods=st.lists(st.tuples(_sizes, _memories), min_size=1, max_size=25),
       deletions=st.lists(st.integers(min_value=0, max_value=24), max_size=5))
def test_property_requests_fit_and_no_pod_is_both_bound_and_pending(node_sizes, pods,
                                                                     deletions):
    cp = ControlPlane(*(node(f"n{i}", cpu=c, memory=m) for i, (c, m) in enumerate(node_sizes)))
    for i, (cpu, memory) in enumerate(pods):
        cp.create(pod(f"p{i}", cpu=cpu, memory=memory))
    for i in deletions:
        if i < len(pods) and cp.api.try_get("Pod", f"p{i}") is not None:
            cp.api.delete("Pod", f"p{i}", grace_period_seconds=0)
    cp.clock.run(30)
    used = {f"n{i}": [0, 0] for i in range(len(node_sizes))}
    for p in cp.api.list("Pod"):
        uid = p["metadata"]["uid"]
        requests = p["spec"]["containers"][0]["resources"]["requests"]
        bound = p["spec"].get("nodeName")
        assert bool(bound) != (uid in cp.scheduler.queue)
        condition = get_condition(p, "PodScheduled")
        if bound:
            used[bound][0] += cpu_millis(requests["cpu"])
            used[bound][1] += memory_bytes(requests["memory"])
            assert condition["status"] == "True"
        else:
            assert condition["status"] == "False"
    for i, (cpu, memory) in enumerate(node_sizes):
        assert used[f"n{i}"][0] <= cpu_millis(cpu)
        assert used[f"n{i}"][1] <= memory_bytes(memory)
