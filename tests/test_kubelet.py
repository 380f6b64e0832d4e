"""The kubelet's node-level work: registering the Node, heartbeats, and surviving a power cut
(docs/concepts/architecture/nodes.md)."""

import pytest

from k8skit.api.errors import APIError
from k8skit.api.events import events_for
from k8skit.api.meta import seconds_of
from k8skit.cluster import Cluster
from k8skit.node.kubelet.version import KUBELET_VERSION


@pytest.fixture
def cluster():
    return Cluster(nodes=2, cpu="2", memory="4Gi", seed=3, zones=["zone-a", "zone-b"])


#: An nginx pod bound to worker-1 by hand, so that failing worker-1 is sure to hit it.
WEB_ON_WORKER_1 = """
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: worker-1
  containers:
  - name: web
    image: nginx:1.25
"""


def lease_renewed(cluster, node):
    renew = cluster.api.get("Lease", node, "kube-node-lease")["spec"]["renewTime"]
    return seconds_of(renew.split(".")[0] + "Z")


def test_a_worker_registers_with_its_labels_capacity_and_versions(cluster):
    node = cluster.api.get("Node", "worker-1", None)
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "worker-1"
    assert labels["kubernetes.io/os"] == labels["beta.kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/arch"] == "amd64"
    assert labels["topology.kubernetes.io/zone"] == "zone-a"
    assert "node-role.kubernetes.io/control-plane" not in labels
    status = node["status"]
    assert status["capacity"]["cpu"] == "2"
    assert status["capacity"]["memory"] == f"{4 * 1024 * 1024}Ki"
    assert status["capacity"]["pods"] == "110"
    assert status["allocatable"] == status["capacity"]
    assert status["nodeInfo"]["kubeletVersion"] == KUBELET_VERSION
    assert status["nodeInfo"]["containerRuntimeVersion"].startswith("containerd://")
    assert {"type": "InternalIP", "address": "192.168.49.3"} in status["addresses"]
    assert {"type": "Hostname", "address": "worker-1"} in status["addresses"]
    assert node["spec"]["podCIDR"] == "10.244.1.0/24"


def test_node_conditions_are_worded_like_the_kubelet(cluster):
    conditions = {c["type"]: c for c in cluster.api.get("Node", "worker-1", None)["status"]
                  ["conditions"]}
    assert [(t, c["status"], c["reason"]) for t, c in conditions.items()] == [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"),
        ("Ready", "True", "KubeletReady"),
    ]
    assert conditions["Ready"]["message"] == "kubelet is posting ready status"


def test_the_control_plane_node_is_tainted_and_labelled(cluster):
    node = cluster.api.get("Node", "control-plane", None)
    assert "node-role.kubernetes.io/control-plane" in node["metadata"]["labels"]
    assert node["spec"]["taints"] == [
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]


def test_start_up_events_on_the_node(cluster):
    node = cluster.api.get("Node", "worker-1", None)
    assert [(e["reason"], e["message"]) for e in events_for(cluster.api, node)
            if e["source"]["component"] == "kubelet"] == [
        ("Starting", "Starting kubelet."),
        ("NodeHasSufficientMemory", "Node worker-1 status is now: NodeHasSufficientMemory"),
        ("NodeHasNoDiskPressure", "Node worker-1 status is now: NodeHasNoDiskPressure"),
        ("NodeHasSufficientPID", "Node worker-1 status is now: NodeHasSufficientPID"),
        ("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods"),
        ("NodeReady", "Node worker-1 status is now: NodeReady"),
    ]


def test_the_lease_is_renewed_every_ten_seconds(cluster):
    lease = cluster.api.get("Lease", "worker-1", "kube-node-lease")
    assert lease["spec"]["holderIdentity"] == "worker-1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    start = cluster.now
    cluster.run(35)
    assert start + 25 <= lease_renewed(cluster, "worker-1") <= start + 35


def test_an_unchanged_status_is_posted_every_five_minutes(cluster):
    def heartbeat():
        ready = next(c for c in cluster.api.get("Node", "worker-1", None)["status"]
                     ["conditions"] if c["type"] == "Ready")
        return seconds_of(ready["lastHeartbeatTime"])

    cluster.run(120)  # the node's first images have arrived; nothing changes any more
    posts = [heartbeat()]
    while len(posts) < 3:
        cluster.run(10)
        if heartbeat() != posts[-1]:
            posts.append(heartbeat())
    assert 300 <= posts[2] - posts[1] <= 310


def test_a_stopped_machine_reports_nothing(cluster):
    cluster.apply(WEB_ON_WORKER_1)
    cluster.run(60)
    running = cluster.api.get("Pod", "web")["status"]
    renewed = lease_renewed(cluster, "worker-1")
    ip = running["podIP"]
    cluster.fail_node("worker-1")
    cluster.run(120)
    assert lease_renewed(cluster, "worker-1") == renewed
    assert lease_renewed(cluster, "worker-2") > renewed + 100
    assert cluster.api.get("Pod", "web")["status"]["containerStatuses"] == \
        running["containerStatuses"]
    assert cluster.network.request(f"http://{ip}/").error


def test_after_a_reboot_the_containers_are_started_again(cluster):
    cluster.apply(WEB_ON_WORKER_1)
    cluster.run(60)
    cluster.fail_node("worker-1")
    cluster.run(60)
    cluster.restore_node("worker-1")
    cluster.run(30)
    web = cluster.api.get("Pod", "web")["status"]["containerStatuses"][0]
    assert web["restartCount"] == 1
    assert "running" in web["state"]
    assert (web["lastState"]["terminated"]["exitCode"],
            web["lastState"]["terminated"]["reason"]) == (255, "Unknown")
    node = cluster.api.get("Node", "worker-1", None)
    rebooted = [e["message"] for e in events_for(cluster.api, node) if e["reason"] == "Rebooted"]
    assert len(rebooted) == 1 and rebooted[0].startswith("Node worker-1 has been rebooted")
    assert cluster.network.request(
        f"http://{cluster.api.get('Pod', 'web')['status']['podIP']}/").status == 200


def test_a_pod_deleted_while_its_node_was_down_is_finished_when_it_returns(cluster):
    cluster.apply(WEB_ON_WORKER_1)
    cluster.run(60)
    cluster.fail_node("worker-1")
    cluster.api.delete("Pod", "web")
    cluster.run(600)
    assert cluster.api.get("Pod", "web")["metadata"]["deletionTimestamp"]
    cluster.restore_node("worker-1")
    cluster.run(5)
    assert cluster.api.try_get("Pod", "web") is None


def test_an_empty_dir_survives_a_reboot_but_a_memory_backed_one_does_not(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: worker-1
  volumes:
  - name: disk
    emptyDir: {}
  - name: ram
    emptyDir:
      medium: Memory
  containers:
  - name: web
    image: busybox:1.36
    command: ["sh", "-c", "echo boot >> /disk/log; echo boot >> /ram/log; sleep 3600"]
    volumeMounts:
    - {name: disk, mountPath: /disk}
    - {name: ram, mountPath: /ram}
""")
    cluster.run(30)
    cluster.fail_node("worker-1")
    cluster.run(30)
    cluster.restore_node("worker-1")
    cluster.run(30)
    kubelet = cluster.api.node_proxy("worker-1")
    assert kubelet.exec("default", "web", None, ["cat", "/disk/log"]).stdout == "boot\nboot\n"
    assert kubelet.exec("default", "web", None, ["cat", "/ram/log"]).stdout == "boot\n"


def test_a_pod_placed_by_hand_on_a_node_too_small_is_rejected(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: greedy
spec:
  nodeName: worker-1
  containers:
  - name: app
    image: nginx:1.25
    resources:
      requests:
        cpu: "3"
""")
    cluster.run(5)
    status = cluster.api.get("Pod", "greedy")["status"]
    assert status["phase"] == "Failed"
    assert status["reason"] == "OutOfcpu"
    assert status["message"].startswith(
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: ")
    assert status["message"].endswith(", capacity: 2000")
    assert "containerStatuses" not in status
    assert cluster.kubectl("get pod greedy").stdout.split("\n")[1].split()[2] == "OutOfcpu"


def test_a_stopped_kubelet_does_not_answer_the_api_servers_proxy(cluster):
    cluster.apply(WEB_ON_WORKER_1)
    cluster.run(60)
    cluster.fail_node("worker-1")
    kubelet = cluster.api.node_proxy("worker-1")
    with pytest.raises(APIError) as logs:
        kubelet.logs("default", "web")
    assert str(logs.value) == (
        'Error from server: Get "https://192.168.49.3:10250/containerLogs/default/web/": '
        "dial tcp 192.168.49.3:10250: connect: no route to host")
    with pytest.raises(APIError) as exec_:
        kubelet.exec("default", "web", None, ["ls"])
    assert str(exec_.value) == ("Error from server: error dialing backend: dial tcp "
                                "192.168.49.3:10250: connect: no route to host")
    with pytest.raises(APIError):
        kubelet.summary()


def test_a_deleted_node_object_stays_gone_until_the_kubelet_restarts(cluster):
    cluster.api.delete("Node", "worker-2", None)
    cluster.run(60)
    assert cluster.api.try_get("Node", "worker-2", None) is None
    cluster.fail_node("worker-2")
    cluster.restore_node("worker-2")
    cluster.run(1)
    assert cluster.api.get("Node", "worker-2", None)["status"]["conditions"][-1]["status"] == \
        "True"


def test_the_same_seed_replays_the_same_history():
    def history():
        c = Cluster(nodes=2, seed=5)
        c.apply("""
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: c, image: busybox, command: [sh, -c, "exit 1"]}
---
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - {name: c, image: "nginx:nope"}
""")
        c.run(300)
        return c.api.list("Pod"), c.api.list("Event"), c.api.list("Node")

    assert history() == history()
