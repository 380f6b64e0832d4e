"""Chapter 3's exercises turn away the mistakes a learner is likely to make, saying why."""

from pathlib import Path

import pytest

from k8skit.exercises import Status, ____
from k8skit.exercises.ch03 import JOBS, component_of, failure_delays, q1, q2, q3, q4

SINGLE = (Path(__file__).resolve().parent.parent / "assets" / "manifests" / "03"
          / "web-single.yaml")

RIGHT_JOBS = dict(zip(JOBS, ["kube-scheduler", "etcd", "kube-apiserver",
                             "kube-controller-manager", "kubelet", "container runtime",
                             "kube-proxy"], strict=True))


def jobs(**changes):
    answer = dict(RIGHT_JOBS)
    for index, value in changes.items():
        answer[list(JOBS)[int(index[1:])]] = value
    return answer


def pinned(replicas: int, node: str) -> str:
    return SINGLE.read_text().replace("replicas: 1", f"replicas: {replicas}").replace(
        "    spec:\n      containers:",
        f"    spec:\n      nodeSelector:\n        kubernetes.io/hostname: {node}\n"
        "      containers:")


WRONG = [
    (q1, jobs(j0="kubelet"), "1 of 7 are not right yet: 'picks a node for each new pod'"),
    (q1, jobs(j1="kube-apiserver", j2="etcd"), "2 of 7 are not right yet"),
    (q1, jobs(j3=____), "1 job(s) still have ____"),
    (q1, jobs(j0="docker"), "'docker' is not a component"),
    (q1, {"picks a node": "kube-scheduler"}, "is missing from the dictionary"),
    (q1, ["kube-scheduler"], "expected the dictionary"),
    (q2, ["kube-scheduler", "kube-controller-manager", "kubelet", "container runtime"],
     "step 1 is not kube-scheduler"),
    (q2, ["kube-controller-manager", "kube-scheduler", "container runtime", "kubelet"],
     "step 3 is not container runtime"),
    (q2, ["kube-controller-manager", "kube-scheduler", "kubelet"], "exactly once"),
    (q2, "kubelet", "expected a list"),
    (q3, 50, "when the node shows NotReady"),
    (q3, 300, "counted from the moment the node is tainted"),
    (q3, 20, "too early"),
    (q3, 900, "too late"),
    (q3, "six minutes", "expected a number of seconds"),
    (q4, SINGLE.read_text(), "Every ready pod was on the node that failed"),
    (q4, str(SINGLE), "0 of 20 requests were answered"),
    (q4, pinned(3, "worker-2"), "3 on worker-2. The check powered off worker-2"),
    (q4, SINGLE.read_text().split("---")[0].replace("replicas: 1", "replicas: 3"),
     "keep the Service `web` of type NodePort"),
    (q4, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
     "kubectl apply refused it"),
]


@pytest.mark.parametrize("exercise, answer, says", WRONG)
def test_a_likely_mistake_is_not_yet_with_a_reason(exercise, answer, says):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.NOT_YET
    assert says in verdict.message


def test_the_untouched_dictionary_is_not_attempted():
    verdict = q1.evaluate(dict.fromkeys(JOBS, ____))
    assert verdict.status is Status.NOT_ATTEMPTED


@pytest.mark.parametrize(
    "exercise, answer",
    [(q1, jobs(j0="Scheduler", j2="API server", j3="controller manager", j5="containerd",
               j6="kube_proxy")),
     (q2, ("controller-manager", "scheduler", "kubelet", "runtime")),
     (q4, SINGLE.read_text().replace("replicas: 1", "replicas: 2"))],
)
def test_right_answers_are_accepted_in_any_reasonable_shape(exercise, answer):
    assert exercise.evaluate(answer).status is Status.CORRECT


def test_a_failed_node_shows_notready_within_a_minute_and_its_pods_return_after_five_more():
    not_ready, replaced = failure_delays()
    assert 40 <= not_ready <= 60
    assert 300 <= replaced - not_ready <= 320
    assert q3.evaluate(replaced + 20).status is Status.CORRECT


@pytest.mark.parametrize("user, component", [
    ("system:node:worker-2", "kubelet"),
    ("system:kube-scheduler", "kube-scheduler"),
    ("system:serviceaccount:kube-system:replicaset-controller", "kube-controller-manager"),
    ("kubernetes-admin", "kubectl"),
    ("system:anonymous", None),
])
def test_audit_log_users_name_their_component(user, component):
    assert component_of(user) == component
