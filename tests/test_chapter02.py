"""What chapter 2 tells a learner about Kubernetes holds in the simulator.

The notebook's prose states behaviours ("the pod is replaced at once", "the rollout stops and
the old pods keep serving", "no worker has 3 CPUs left"); these tests keep those sentences true
if the simulator changes. The notebook's saved outputs are checked by nbval.
"""

import base64
import re
from pathlib import Path

import nbformat
import pytest

from k8skit import Cluster
from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.node.runtime.host import ContainerHost

REPOSITORY = Path(__file__).resolve().parent.parent
MANIFESTS = REPOSITORY / "assets" / "manifests" / "02"
NOTEBOOK = REPOSITORY / "notebooks" / "02_what_is_kubernetes.ipynb"
CRASHER = ["sh", "-c", "echo serving; sleep 20; echo giving up; exit 1"]


@pytest.fixture
def cluster():
    cluster = Cluster(nodes=3, cpu="4", memory="8Gi", seed=0)
    cluster.apply(MANIFESTS / "hello-deployment.yaml")
    cluster.run(30)
    return cluster


def pods(cluster, app):
    return [pod for pod in cluster.api.list("Pod", "default", label_selector={"app": app})
            if not pod["metadata"].get("deletionTimestamp")]


def test_every_manifest_the_notebook_uses_exists():
    sources = "\n".join(cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells)
    used = set(re.findall(r"\.\./assets/manifests/02/([\w.-]+\.yaml)", sources))
    used |= set(re.findall(r'show\("([\w.-]+\.yaml)"\)', sources))
    assert used
    assert all((MANIFESTS / name).is_file() for name in used), used


def test_a_lone_container_stays_dead_where_a_pod_is_restarted():
    host = ContainerHost()
    box = host.run("busybox:1.36", command=CRASHER)
    host.advance(120)
    assert host.exit_of(box) == (1, "Error")

    cluster = Cluster(nodes=1, seed=0)
    cluster.apply(MANIFESTS / "crasher-pod.yaml")
    cluster.run(120)
    status = cluster.api.get("Pod", "crasher")["status"]["containerStatuses"][0]
    assert status["restartCount"] >= 2


def test_a_deleted_pod_is_replaced_in_the_same_instant(cluster):
    before = {pod["metadata"]["name"] for pod in pods(cluster, "hello")}
    victim = sorted(before)[0]
    cluster.kubectl(f"delete pod {victim}")
    after = {pod["metadata"]["name"] for pod in pods(cluster, "hello")}
    assert len(after) == 3 and victim not in after and len(after - before) == 1


def test_a_tag_with_a_typo_stops_the_rollout_while_the_old_pods_serve(cluster):
    cluster.kubectl("set image deployment/hello hello=gcr.io/google-samples/hello-app:2.0")
    cluster.kubectl("rollout status deployment/hello")
    cluster.kubectl("set image deployment/hello hello=gcr.io/google-samples/hello-app:2.O")
    cluster.run(60)
    listed = cluster.kubectl("get pods -l app=hello").stdout
    assert listed.count("ImagePullBackOff") == 1 and listed.count("Running") == 3
    cluster.apply(MANIFESTS / "hello-service.yaml")
    cluster.kubectl("run client --image=busybox:1.36 -- sleep 3600")
    cluster.run(10)
    assert "Version: 2.0.0" in cluster.kubectl("exec client -- wget -qO- http://hello").stdout
    cluster.kubectl("rollout undo deployment/hello")
    history = cluster.kubectl("rollout history deployment/hello").stdout.split()
    assert [word for word in history if word.isdigit()] == ["1", "3", "4"]


def test_a_pod_needing_more_cpu_than_any_worker_has_left_waits_for_room(cluster):
    cluster.apply(MANIFESTS / "batch-deployment.yaml")
    cluster.run(20)
    assert sorted(pod["spec"]["nodeName"] for pod in pods(cluster, "batch")) == [
        "worker-1", "worker-2", "worker-3"]
    cluster.apply(MANIFESTS / "big-pod.yaml")
    cluster.run(5)
    events = cluster.kubectl("get events --field-selector involvedObject.name=big").stdout
    assert "3 Insufficient cpu" in events
    free = sum(4000 - sum(_millicores(p) for p in cluster.api.list("Pod", None)
                          if p["spec"].get("nodeName") == node)
               for node in ("worker-1", "worker-2", "worker-3"))
    assert free > 6000, "the notebook says the workers have more than 6 CPUs free together"
    cluster.kubectl("delete deployment batch")
    cluster.run(10)
    assert not cluster.api.get("Pod", "big")["spec"].get("nodeName"), "batch pods still stop"
    cluster.run(30)
    assert is_pod_ready(cluster.api.get("Pod", "big"))


def _millicores(pod) -> int:
    total = 0
    for container in pod["spec"]["containers"]:
        cpu = str(container.get("resources", {}).get("requests", {}).get("cpu", "0"))
        total += int(cpu[:-1]) if cpu.endswith("m") else int(float(cpu) * 1000)
    return total


def test_a_note_written_to_a_claim_outlives_its_pod():
    cluster = Cluster(nodes=3, seed=0)
    cluster.apply(MANIFESTS / "notes-storage.yaml")
    cluster.run(20)
    assert "Bound" in cluster.kubectl("get pvc notes").stdout
    cluster.kubectl('exec notes-writer -- sh -c "echo written by the first pod > /data/note.txt"')
    cluster.kubectl("delete pod notes-writer")
    cluster.apply(MANIFESTS / "notes-reader.yaml")
    cluster.run(20)
    assert cluster.kubectl("logs notes-reader").stdout == "written by the first pod\n"


def test_config_and_secret_reach_the_container_and_the_secret_is_only_base64():
    cluster = Cluster(nodes=1, seed=0)
    cluster.apply(MANIFESTS / "app-config.yaml")
    cluster.run(10)
    assert cluster.kubectl("logs shop").stdout == "Welcome to the shop (prices in EUR)\n"
    encoded = cluster.kubectl("get secret shop-db -o jsonpath={.data.password}").stdout
    assert encoded == base64.b64encode(b"s3cr3t-passw0rd").decode()
