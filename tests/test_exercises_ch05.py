"""Chapter 5's exercises turn away the mistakes a learner is likely to make, saying why."""

import pytest

from k8skit.exercises import Status
from k8skit.exercises.ch05 import q1, q2, q3, q4, q5

SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: {type}
  selector: {selector}
  ports:
  - port: {port}
{target}"""


def service(name="api", kind="ClusterIP", selector="{app: api}", port=80, target=8080,
            node_port=None):
    target_line = f"    targetPort: {target}\n" if target is not None else ""
    if node_port is not None:
        target_line += f"    nodePort: {node_port}\n"
    return SERVICE.format(name=name, type=kind, selector=selector, port=port, target=target_line)


def public(**changes):
    return service(**{"name": "api-public", "kind": "NodePort", "node_port": 30080, **changes})


CART = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  replicas: 3
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
        ports:
        - containerPort: 80
{probes}"""

READINESS = """        readinessProbe:
          httpGet: {path: /, port: 80}
          periodSeconds: 5
"""
LIVENESS = READINESS.replace("readinessProbe", "livenessProbe")


def cart(label="cart", image="nginx:1.27", probes=READINESS):
    return CART.format(label=label, image=image, probes=probes)


WRONG = [
    (q1, service(selector="{tier: backend}"), "also picks admin-"),
    (q1, service(selector="{app: web}"), "matches no pod. The api pods carry `app: api`"),
    (q1, service(target=None), "failed: `curl: (7) Failed to connect"),
    (q1, service(target=8080).replace("  selector: {app: api}\n", ""), "has no `selector`"),
    (q1, service(port=8080), "does not listen on port 80"),
    (q1, service(name="api-svc"), "no Service named `api`"),
    (q1, service().replace("port: 80", "port: eighty"), "kubectl apply refused it"),
    (q2, public(node_port=8080), "provided port is not in the valid range"),
    (q2, public(node_port=None), "without `nodePort` the API server picks one at random"),
    (q2, public(kind="ClusterIP", node_port=None), "is of type ClusterIP"),
    (q2, public(selector="{tier: backend}"), "also picks admin-"),
    (q2, public(target=80), "from outside the cluster"),
    (q3, cart(probes=""), "requests to http://cart got HTTP 403 from cart-"),
    (q3, cart(probes=LIVENESS), "that is a liveness probe's doing"),
    (q3, cart(label="shop"), "only 0 pod(s) labelled `app: cart` are ready"),
    (q3, cart(image="httpd:2.4"), "0 pod(s)"),
    (q3, cart(image="gcr.io/google-samples/hello-app:1.0", probes=""),
     "could not break"),
    (q4, "db", "no such Service in `default`"),
    (q4, "db.shop", "not the fully qualified name"),
    (q4, "db.default.svc.cluster.local", "does not resolve"),
    (q4, "kubernetes.default.svc.cluster.local", "not to the cluster IP of `db`"),
    (q4, "db; cat /etc/passwd", "expected a DNS name"),
    (q5, "REDIS-PRIMARY_SERVICE_HOST", "turns the `-`"),
    (q5, "redis_primary_service_host", "case-sensitive"),
    (q5, "REDIS_PRIMARY_SERVICE_PORT", "holds `6379`"),
    (q5, "REDIS_PRIMARY_PORT", "holds `tcp://"),
    (q5, "REDIS_SERVICE_HOST", "has no `REDIS_SERVICE_HOST`"),
    (q5, 42, "expected the name of an environment variable"),
]


@pytest.mark.parametrize("exercise, answer, says", WRONG)
def test_a_likely_mistake_is_not_yet_with_a_reason(exercise, answer, says):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.NOT_YET, verdict.message
    assert says in verdict.message


@pytest.mark.parametrize(
    "exercise, answer",
    [(q1, service(selector="{app: api, tier: backend}")),
     (q1, service(kind="NodePort")),
     (q2, public(port=8080)),
     (q3, cart(probes=READINESS.replace("periodSeconds: 5", "periodSeconds: 2"))),
     (q4, " DB.Shop.svc.cluster.local. ")],
)
def test_right_answers_are_accepted_in_any_reasonable_shape(exercise, answer):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.CORRECT, verdict.message

