"""Chapter 2's exercises turn away the mistakes a learner is likely to make, saying why."""

import pytest

from k8skit import Cluster
from k8skit.cluster import current_cluster
from k8skit.exercises import Status
from k8skit.exercises.ch02 import Q5_BAD, Q5_FIRST, bad_release, q1, q2, q3, q4, q5

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {label}
  template:
    metadata:
      labels:
        app: {label}
    spec:
      containers:
      - name: nginx
        image: {image}
"""


def web(replicas=4, label="web", image="nginx:1.27"):
    return WEB.format(replicas=replicas, label=label, image=image)


BARE_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""

WRONG = [
    (q1, web(replicas=3), "asks for 3 replica(s)"),
    (q1, web(image="nginx:latest"), "not nginx:1.27"),
    (q1, web(label="nginx"), "not labelled `app: web`"),
    (q1, web().replace("image: nginx:1.27", "image: nginx:1.27\n        resources:\n"
                       "          requests:\n            cpu: '8'"),
     "0 of 4 pods are ready (4 Pending)"),
    (q1, BARE_POD, "bare Pod"),
    (q1, web().replace("  selector:\n    matchLabels:\n      app: web\n", ""),
     "kubectl apply refused it"),
    (q1, "web.yaml", "there is no file"),
    (q1, 42, "expected YAML text"),
    (q2, ["a", "c", "e", "g", "i", "j", "b"], "b is not Kubernetes' job"),
    (q2, ["a", "c"], "4 more task(s)"),
    (q2, ["a", "z"], "expected one of"),
    (q3, "docker", "dockershim"),
    (q3, "CRI-O", "not the one these nodes report"),
    (q3, "runc", "CONTAINER-RUNTIME"),
    (q3, 1, "expected the runtime's name"),
    (q4, 8, "as if a pod could use CPU from two nodes"),
    (q4, 10, "control-plane node is tainted"),
    (q4, 12, "more than fit"),
    (q4, 5.5, "whole number"),
    (q5, "rollout undo deployment/shop", "expected the cluster"),
]


@pytest.mark.parametrize("exercise, answer, says", WRONG)
def test_a_likely_mistake_is_not_yet_with_a_reason(exercise, answer, says):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.NOT_YET
    assert says in verdict.message


@pytest.mark.parametrize(
    "exercise, answer",
    [(q2, ("J", "i", "g", "e", "c", "a")), (q3, " containerd://1.7.27 "), (q3, "ContainerD"),
     (q4, "6")],
)
def test_right_answers_are_accepted_in_any_reasonable_shape(exercise, answer):
    assert exercise.evaluate(answer).status is Status.CORRECT


def test_a_manifest_may_be_given_as_the_path_of_a_file(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(web())
    assert q1.evaluate(str(path)).status is Status.CORRECT
    assert q1.evaluate(path).status is Status.CORRECT


def test_the_manifest_check_deletes_a_pod_and_sees_it_replaced():
    verdict = q1.evaluate(web())
    assert verdict.status is Status.CORRECT
    assert "The check deleted web-" in verdict.message and "created web-" in verdict.message


def test_a_check_leaves_kubectl_magics_on_the_learners_cluster():
    learners = Cluster(nodes=1, seed=5)
    q1.evaluate(web())
    assert current_cluster() is learners


def test_an_untouched_bad_release_is_still_stuck():
    stuck = bad_release()
    verdict = q5.evaluate(stuck)
    assert verdict.status is Status.NOT_YET
    assert Q5_BAD in verdict.message and "ImagePullBackOff" in verdict.message


def test_rolling_back_two_releases_is_not_the_last_good_one():
    cluster = bad_release()
    cluster.kubectl("rollout undo deployment/shop --to-revision=1")
    cluster.run(60)
    verdict = q5.evaluate(cluster)
    assert verdict.status is Status.NOT_YET
    assert Q5_FIRST in verdict.message and "goes back one" in verdict.message


def test_a_deployment_whose_rollout_has_not_finished_is_not_yet_repaired():
    cluster = bad_release()
    cluster.kubectl("rollout undo deployment/shop")
    for node in cluster.nodes:
        cluster.kubectl(f"cordon {node}")
    cluster.kubectl("scale deployment/shop --replicas=5")
    cluster.run(30)
    verdict = q5.evaluate(cluster)
    assert verdict.status is Status.NOT_YET
    assert "has not finished" in verdict.message


def test_setting_the_good_image_again_repairs_it_too():
    cluster = bad_release()
    cluster.kubectl("set image deployment/shop hello-app=gcr.io/google-samples/hello-app:2.0")
    cluster.run(60)
    assert q5.evaluate(cluster).status is Status.CORRECT
