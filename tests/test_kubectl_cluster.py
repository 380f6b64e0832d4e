"""kubectl end to end through a whole simulated Cluster: scheduler, kubelets and all."""

import re

import pytest

from k8skit import Cluster


@pytest.fixture
def cluster():
    return Cluster(nodes=2, seed=0)


def test_run_schedules_and_starts_a_pod(cluster):
    assert cluster.kubectl("run nginx --image=nginx").stdout == "pod/nginx created\n"
    cluster.run(60)
    header, row = cluster.kubectl("get pods -o wide").lines
    cells = row.split()
    assert cells[:3] == ["nginx", "1/1", "Running"]
    assert cells[5].startswith("10.244.")  # IP from the node's pod CIDR
    assert cells[6] in cluster.nodes


def test_describe_shows_the_pods_story(cluster):
    cluster.kubectl("run nginx --image=nginx")
    cluster.run(60)
    text = cluster.kubectl("describe pod nginx").stdout
    reasons = [line.split()[1] for line in text.split("Events:")[1].splitlines()[3:]]
    assert reasons[:5] == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    assert re.search(r"^Status:\s+Running$", text, re.MULTILINE)


def test_logs_and_exec(cluster):
    cluster.kubectl("run hello --image=busybox --restart=Never -- sh -c 'echo hi there'")
    cluster.run(60)
    assert cluster.kubectl("logs hello").stdout == "hi there\n"
    cluster.kubectl("run web --image=nginx --env=MODE=demo")
    cluster.run(60)
    env = cluster.kubectl("exec web -- env")
    assert "MODE=demo" in env.lines
    failed = cluster.kubectl("exec web -- sh -c 'exit 3'")
    assert failed.returncode == 3
    assert failed.stderr.endswith("command terminated with exit code 3\n")


def test_delete_waits_for_termination(cluster):
    cluster.kubectl("run web --image=nginx")
    cluster.run(60)
    before = cluster.now
    assert cluster.kubectl("delete pod web").stdout == 'pod "web" deleted\n'
    assert cluster.api.try_get("Pod", "web") is None
    assert cluster.now > before  # the clock ran while kubectl waited
    assert cluster.kubectl("get pods").stderr == "No resources found in default namespace.\n"


def test_top_reads_the_kubelets_summaries(cluster):
    cluster.kubectl("run web --image=nginx")
    cluster.run(60)
    header = cluster.kubectl("top nodes").lines[0].split()
    assert header == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    pods = cluster.kubectl("top pods").lines
    assert pods[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert pods[1].split()[0] == "web"


def test_logs_and_exec_pick_a_pod_of_a_deployment_as_kubectl_does():
    cluster = Cluster(nodes=2, seed=0)
    cluster.kubectl("create deployment hello --image=gcr.io/google-samples/hello-app:1.0 "
                    "--replicas=3")
    cluster.run(30)
    pods = [pod["metadata"]["name"] for pod in cluster.api.list("Pod", namespace="default")]
    logs = cluster.kubectl("logs deployment/hello")
    chosen = logs.stderr.removeprefix("Found 3 pods, using pod/").strip()
    assert chosen in pods
    assert "Server listening on port 8080" in logs.stdout
    assert cluster.kubectl("exec deploy/hello -- hostname").stdout == chosen + "\n"
    unknown = cluster.kubectl("logs deployment/nope")
    assert unknown.stderr == ('Error from server (NotFound): deployments.apps "nope" '
                              "not found\n")


def test_exec_into_a_container_that_never_started_is_kubectls_plain_error():
    cluster = Cluster(nodes=1, seed=0)
    cluster.kubectl("run web --image=nginx:nope")
    cluster.run(20)
    result = cluster.kubectl("exec web -- ls")
    assert result.returncode == 1
    assert result.stderr == 'error: unable to upgrade connection: container not found ("web")\n'


def test_create_namespace_and_a_failed_exec_as_a_terminal_shows_them():
    cluster = Cluster(nodes=1, seed=0)
    assert cluster.kubectl("create namespace shop").stdout == "namespace/shop created\n"
    again = cluster.kubectl("create ns shop")
    assert again.stderr == 'Error from server (AlreadyExists): namespaces "shop" already exists\n'
    cluster.kubectl("run box --image=busybox:1.36 -- sleep 3600")
    cluster.run(20)
    failed = cluster.kubectl("exec box -- nosuchtool")
    assert failed.returncode == 127
    assert failed.stderr.splitlines()[-1] == "command terminated with exit code 127"
    assert failed.stderr.splitlines()[0].endswith("executable file not found in $PATH: unknown")
