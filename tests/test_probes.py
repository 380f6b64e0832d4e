"""Probes, as docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes.md
shows them."""

import pytest

from k8skit.api.events import events_for
from k8skit.api.meta import seconds_of
from k8skit.cluster import Cluster


@pytest.fixture
def cluster():
    return Cluster(nodes=1, seed=2)


def status_of(cluster, name):
    return cluster.api.get("Pod", name)["status"]["containerStatuses"][0]


def kubelet_events(cluster, name, reason):
    return [e for e in events_for(cluster.api, cluster.api.get("Pod", name))
            if e["reason"] == reason]


LIVENESS_EXEC = """
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
"""


def test_liveness_exec_restarts_the_container_after_three_failures(cluster):
    cluster.apply(LIVENESS_EXEC)
    cluster.run(30)
    assert kubelet_events(cluster, "liveness-exec", "Unhealthy") == []
    started = seconds_of(status_of(cluster, "liveness-exec")["state"]["running"]["startedAt"])
    cluster.run(20)
    unhealthy = kubelet_events(cluster, "liveness-exec", "Unhealthy")
    assert unhealthy, "the probe fails once the file is gone"
    assert unhealthy[0]["message"] == ("Liveness probe failed: cat: can't open '/tmp/healthy': "
                                       "No such file or directory")
    first_failure = seconds_of(unhealthy[0]["firstTimestamp"])
    assert 30 <= first_failure - started <= 36
    cluster.run(60)
    killing = kubelet_events(cluster, "liveness-exec", "Killing")
    assert killing[0]["message"] == "Container liveness failed liveness probe, will be restarted"
    # The third failure in a row, five seconds apart, triggers the kill.
    assert seconds_of(killing[0]["firstTimestamp"]) - first_failure == 10
    assert kubelet_events(cluster, "liveness-exec", "Unhealthy")[0]["count"] >= 3
    ctr = status_of(cluster, "liveness-exec")
    assert ctr["restartCount"] == 1
    last = ctr["lastState"]["terminated"]
    # sh ignores SIGTERM as PID 1: SIGKILL after the 30 s grace period.
    assert (last["exitCode"], last["reason"]) == (137, "Error")
    assert seconds_of(last["finishedAt"]) - seconds_of(killing[0]["firstTimestamp"]) == 30
    assert "running" in ctr["state"]


def test_liveness_http_against_agnhost(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
""")
    cluster.run(60)
    unhealthy = kubelet_events(cluster, "liveness-http", "Unhealthy")
    assert unhealthy[0]["message"] == (
        "Liveness probe failed: HTTP probe failed with statuscode: 500")
    assert status_of(cluster, "liveness-http")["restartCount"] >= 1


def test_readiness_failure_makes_the_pod_unready_without_restarts(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: goproxy
spec:
  containers:
  - name: goproxy
    image: nginx:1.25
    ports:
    - containerPort: 80
    readinessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 5
      periodSeconds: 10
""")
    cluster.run(90)
    obj = cluster.api.get("Pod", "goproxy")
    ctr = obj["status"]["containerStatuses"][0]
    assert "running" in ctr["state"] and ctr["ready"] is False
    assert ctr["restartCount"] == 0
    assert obj["status"]["phase"] == "Running"
    ready = next(c for c in obj["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False"
    message = kubelet_events(cluster, "goproxy", "Unhealthy")[0]["message"]
    ip = obj["status"]["podIP"]
    assert message == f"Readiness probe failed: dial tcp {ip}:8080: connect: connection refused"


def test_readiness_success_makes_the_pod_ready(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: goproxy
spec:
  containers:
  - name: goproxy
    image: nginx:1.25
    readinessProbe:
      tcpSocket:
        port: 80
      initialDelaySeconds: 15
      periodSeconds: 10
""")
    cluster.run(1)
    for _ in range(40):
        if status_of(cluster, "goproxy").get("started"):
            break
        cluster.run(0.5)
    started = seconds_of(status_of(cluster, "goproxy")["state"]["running"]["startedAt"])
    cluster.run(started + 14 - cluster.now)
    assert status_of(cluster, "goproxy")["ready"] is False
    cluster.run(12)
    assert status_of(cluster, "goproxy")["ready"] is True


def test_a_startup_probe_holds_the_liveness_probe_back(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: slow
spec:
  containers:
  - name: slow
    image: busybox:1.36
    command: ["sh", "-c", "sleep 40; touch /tmp/up; sleep 3600"]
    startupProbe:
      exec:
        command: ["cat", "/tmp/up"]
      failureThreshold: 30
      periodSeconds: 2
    livenessProbe:
      exec:
        command: ["cat", "/tmp/up"]
      periodSeconds: 5
""")
    cluster.run(30)
    ctr = status_of(cluster, "slow")
    assert ctr["started"] is False and ctr["ready"] is False
    assert all(e["message"].startswith("Startup probe failed: ")
               for e in kubelet_events(cluster, "slow", "Unhealthy"))
    cluster.run(40)
    ctr = status_of(cluster, "slow")
    assert ctr["started"] is True and ctr["ready"] is True
    assert ctr["restartCount"] == 0


def test_a_failed_startup_probe_restarts_the_container(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: never-up
spec:
  containers:
  - name: never-up
    image: nginx:1.25
    startupProbe:
      httpGet:
        path: /healthz
        port: 80
      failureThreshold: 3
      periodSeconds: 5
""")
    cluster.run(60)
    killing = kubelet_events(cluster, "never-up", "Killing")
    assert killing[0]["message"] == "Container never-up failed startup probe, will be restarted"
    assert status_of(cluster, "never-up")["restartCount"] >= 1
    unhealthy = kubelet_events(cluster, "never-up", "Unhealthy")[0]["message"]
    assert unhealthy == "Startup probe failed: HTTP probe failed with statuscode: 404"
