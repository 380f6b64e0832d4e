"""Chapter 4's exercises turn away the mistakes a learner is likely to make, saying why."""

from pathlib import Path

import pytest
import yaml

from k8skit.exercises import Status
from k8skit.exercises.ch04 import (
    CRASHER,
    MEMORY_HOG,
    REPORT,
    crasher_restarts,
    pending_report,
    q1,
    q2,
    q3,
    q4,
    q5,
)

MANIFESTS = Path(__file__).resolve().parent.parent / "assets" / "manifests" / "04"
SHOP = (MANIFESTS / "shop.yaml").read_text()

WEB = """
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: nginx
    image: {image}
    ports:
    - containerPort: 80
{probe}"""

HTTP_PROBE = """    readinessProbe:
      httpGet:
        path: /
        port: {port}
      periodSeconds: 5
"""


def web(name="web", image="nginx:1.27", port=80, probe=HTTP_PROBE):
    return WEB.format(name=name, image=image, probe=probe.format(port=port))


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""

EXEC_PROBE = """    readinessProbe:
      exec:
        command: ["true"]
"""


def shop(web_resources, sidecar_resources=""):
    """shop.yaml with the resources of its two containers replaced."""
    document = yaml.safe_load(SHOP)
    web_container, sidecar = document["spec"]["containers"]
    web_container["resources"] = yaml.safe_load(web_resources)
    if sidecar_resources:
        sidecar["resources"] = yaml.safe_load(sidecar_resources)
    return yaml.safe_dump(document)


EQUAL_WEB = "{requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: 500m, memory: 256Mi}}"
SIDECAR_LIMITS = "{limits: {cpu: 100m, memory: 64Mi}}"

WRONG = [
    (q1, web(probe=""), "no container of `web` has a `readinessProbe`"),
    (q1, web(port=8080), "Readiness probe failed"),
    (q1, web(image="ngnix:1.27"), "runs ngnix:1.27"),
    (q1, web(image="nginx:1.27.9"), "ImagePullBackOff"),
    (q1, web(probe=EXEC_PROBE), "`httpGet` probe"),
    (q1, web(name="nginx"), "no Pod named `web`"),
    (q1, DEPLOYMENT, "that is a Deployment"),
    (q1, web().replace("    image: nginx:1.27\n", ""), "kubectl apply refused it"),
    (q1, 3, "expected YAML text"),
    (q2, SHOP, "`sidecar` has no cpu limit"),
    (q2, shop(EQUAL_WEB), "`shop` is Burstable: `sidecar` has no cpu limit"),
    (q2, shop("{requests: {cpu: 500m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}",
              SIDECAR_LIMITS), "`web` requests memory 128Mi but its limit is 256Mi"),
    (q2, shop("{limits: {cpu: '8', memory: 256Mi}}", SIDECAR_LIMITS),
     "Guaranteed but not running"),
    (q2, shop(EQUAL_WEB).replace("name: sidecar", "name: helper"), "keep its two containers"),
    (q3, 18, "at the pace of its first 10 minutes"),
    (q3, 7, "too few"),
    (q3, 2.5, "whole number"),
    (q3, "ten", "expected a whole number"),
    (q4, REPORT, "expected the cluster"),
    (q5, 9, "9 is the signal"),
    (q5, 1, "reason Error"),
    (q5, 143, "SIGTERM"),
    (q5, "OOMKilled", "the question asks for the Exit Code"),
    (q5, 0, "is not it"),
]


@pytest.mark.parametrize("exercise, answer, says", WRONG)
def test_a_likely_mistake_is_not_yet_with_a_reason(exercise, answer, says):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.NOT_YET, verdict.message
    assert says in verdict.message


@pytest.mark.parametrize(
    "exercise, answer",
    [(q1, web(image="docker.io/library/nginx:1.27")),
     (q2, shop("{limits: {cpu: 500m, memory: 256Mi}}", SIDECAR_LIMITS)),
     (q5, " 137 "), (q5, 137.0)],
)
def test_right_answers_are_accepted_in_any_reasonable_shape(exercise, answer):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.CORRECT, verdict.message


def test_the_prediction_is_judged_against_a_half_hour_run_within_one_restart():
    at_10m, at_30m = crasher_restarts()[600], crasher_restarts()[1800]
    assert at_30m > at_10m  # it kept crashing and restarting
    for near in (at_30m - 1, at_30m, at_30m + 1):
        assert q3.evaluate(near).status is Status.CORRECT
    assert q3.evaluate(at_30m + 2).status is Status.NOT_YET


def test_after_the_cap_the_restarts_come_about_five_minutes_apart():
    # What the correct answer's message tells the learner, seen in the simulator itself.
    at_10m, at_30m = crasher_restarts()[600], crasher_restarts()[1800]
    assert 3 <= at_30m - at_10m <= 4


def test_an_untouched_pending_report_is_still_pending():
    verdict = q4.evaluate(pending_report())
    assert verdict.status is Status.NOT_YET
    assert "0 of 3 report pods are ready (3 Pending)" in verdict.message
    assert "Insufficient memory" in verdict.message


def test_removing_the_memory_request_is_not_a_fix():
    cluster = pending_report()
    unrequested = REPORT.replace("            memory: 20Gi\n", "")
    assert cluster.kubectl("apply -f -", stdin=unrequested).returncode == 0
    cluster.run(30)
    verdict = q4.evaluate(cluster)
    assert verdict.status is Status.NOT_YET
    assert "requests no memory" in verdict.message


def test_scaling_the_report_down_is_not_a_fix():
    cluster = pending_report()
    cluster.kubectl("scale deployment/report --replicas=0")
    cluster.run(30)
    assert "asks for 0 replica(s)" in q4.evaluate(cluster).message


def test_a_fix_whose_pods_have_not_started_yet_is_not_yet_repaired():
    cluster = pending_report()
    cluster.kubectl("apply -f -", stdin=REPORT.replace("memory: 20Gi", "memory: 2Gi"))
    verdict = q4.evaluate(cluster)
    assert verdict.status is Status.NOT_YET
    assert "of 3 report pods are ready" in verdict.message


def test_a_request_that_fits_two_pods_per_node_is_accepted_too():
    cluster = pending_report()
    cluster.kubectl("apply -f -", stdin=REPORT.replace("memory: 20Gi", "memory: 3Gi"))
    cluster.run(30)
    assert q4.evaluate(cluster).status is Status.CORRECT


@pytest.mark.parametrize("name, text", [("crasher.yaml", CRASHER), ("report.yaml", REPORT),
                                        ("memory-demo-2.yaml", MEMORY_HOG)])
def test_the_checks_run_the_manifests_the_chapter_ships(name, text):
    assert yaml.safe_load(text) == yaml.safe_load((MANIFESTS / name).read_text())
