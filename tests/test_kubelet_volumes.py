"""Volumes as the kubelet mounts them (docs/concepts/storage/volumes.md)."""

import base64

import pytest

from k8skit.api.events import events_for
from k8skit.cluster import Cluster


@pytest.fixture
def cluster():
    return Cluster(nodes=2, seed=4)


def exec_in(cluster, pod, argv, container=None):
    node = cluster.api.get("Pod", pod)["spec"]["nodeName"]
    return cluster.api.node_proxy(node).exec("default", pod, container, argv)


def shell_pod(name, volumes, mounts, node=None, script="sleep 3600"):
    node_line = f"  nodeName: {node}\n" if node else ""
    return f"""
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
{node_line}  volumes:
{volumes}
  containers:
  - name: shell
    image: busybox:1.36
    command: ["sh", "-c", "{script}"]
    volumeMounts:
{mounts}
"""


CLAIM = """
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
spec:
  storageClassName: manual
  capacity:
    storage: 1Gi
  accessModes: ["ReadWriteOnce"]
  hostPath:
    path: "/mnt/data"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
"""


def test_data_on_a_persistent_volume_outlives_its_pod_and_follows_it_to_another_node(cluster):
    cluster.apply(CLAIM)
    cluster.run(10)
    volumes = "  - name: data\n    persistentVolumeClaim:\n      claimName: task-pv-claim"
    mounts = "    - name: data\n      mountPath: /data"
    cluster.apply(shell_pod("writer", volumes, mounts, node="worker-1",
                            script="echo kept > /data/note; sleep 3600"))
    cluster.run(30)
    cluster.api.delete("Pod", "writer")
    cluster.run(40)
    cluster.apply(shell_pod("reader", volumes, mounts, node="worker-2"))
    cluster.run(30)
    assert exec_in(cluster, "reader", ["cat", "/data/note"]).stdout == "kept\n"


def test_an_unbound_claim_keeps_the_pod_creating(cluster):
    cluster.apply("""
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: lonely
spec:
  storageClassName: nothing-provides-this
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
""")
    volumes = "  - name: data\n    persistentVolumeClaim:\n      claimName: lonely"
    cluster.apply(shell_pod("waiting", volumes, "    - name: data\n      mountPath: /data",
                            node="worker-1"))
    cluster.run(30)
    obj = cluster.api.get("Pod", "waiting")
    assert obj["status"]["containerStatuses"][0]["state"] == {
        "waiting": {"reason": "ContainerCreating"}}
    mount_errors = [e["message"] for e in events_for(cluster.api, obj)
                    if e["reason"] == "FailedMount"]
    assert mount_errors == [
        "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], "
        "failed to process volumes=[data]: error processing PVC default/lonely: "
        "PVC is not bound"]


def test_an_empty_dir_is_gone_with_its_pod_but_host_path_stays_on_the_node(cluster):
    volumes = ("  - name: scratch\n    emptyDir: {}\n"
               "  - name: host\n    hostPath:\n      path: /var/local/demo\n"
               "      type: DirectoryOrCreate")
    mounts = ("    - name: scratch\n      mountPath: /scratch\n"
              "    - name: host\n      mountPath: /host")
    script = "echo a > /scratch/f; echo b > /host/f; sleep 3600"
    cluster.apply(shell_pod("first", volumes, mounts, node="worker-1", script=script))
    cluster.run(30)
    cluster.api.delete("Pod", "first")
    cluster.run(40)
    cluster.apply(shell_pod("again", volumes, mounts, node="worker-1"))
    cluster.apply(shell_pod("elsewhere", volumes, mounts, node="worker-2"))
    cluster.run(30)
    assert exec_in(cluster, "again", ["cat", "/host/f"]).stdout == "b\n"
    assert exec_in(cluster, "again", ["ls", "/scratch"]).stdout == ""
    assert exec_in(cluster, "elsewhere", ["ls", "/host"]).stdout == ""


def test_secret_files_are_decoded_and_sub_paths_and_read_only_mounts_apply(cluster):
    password = base64.b64encode(b"39528$vdg7Jb").decode()
    cluster.apply(f"""
apiVersion: v1
kind: Secret
metadata:
  name: test-secret
data:
  password: {password}
""")
    volumes = ("  - name: secret-volume\n    secret:\n      secretName: test-secret\n"
               "  - name: shared\n    emptyDir: {}")
    mounts = ("    - name: secret-volume\n      mountPath: /etc/secret-volume\n"
              "    - name: shared\n      mountPath: /logs\n      subPath: app/logs\n"
              "    - name: shared\n      mountPath: /all\n      readOnly: true")
    cluster.apply(shell_pod("secret-test-pod", volumes, mounts,
                            script="echo line > /logs/out; sleep 3600"))
    cluster.run(30)
    assert exec_in(cluster, "secret-test-pod",
                   ["cat", "/etc/secret-volume/password"]).stdout == "39528$vdg7Jb"
    assert exec_in(cluster, "secret-test-pod", ["cat", "/all/app/logs/out"]).stdout == "line\n"
    refused = exec_in(cluster, "secret-test-pod", ["touch", "/all/x"])
    assert refused.exit_code != 0 and "Read-only file system" in refused.stderr


def test_downward_api_files(cluster):
    volumes = """  - name: podinfo
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
      - path: name
        fieldRef:
          fieldPath: metadata.name"""
    cluster.apply(shell_pod("kubernetes-downwardapi-volume-example", volumes,
                            "    - name: podinfo\n      mountPath: /etc/podinfo").replace(
        "metadata:\n  name: kubernetes-downwardapi-volume-example",
        "metadata:\n  name: kubernetes-downwardapi-volume-example\n  labels:\n"
        "    zone: us-est-coast\n    cluster: test-cluster1"))
    cluster.run(30)
    pod = "kubernetes-downwardapi-volume-example"
    assert exec_in(cluster, pod, ["cat", "/etc/podinfo/labels"]).stdout == (
        'cluster="test-cluster1"\nzone="us-est-coast"')
    assert exec_in(cluster, pod, ["cat", "/etc/podinfo/name"]).stdout == pod


def test_a_memory_backed_empty_dir_counts_as_the_pods_memory(cluster):
    volumes = "  - name: ram\n    emptyDir:\n      medium: Memory"
    script = "i=0; while [ $i -lt 200 ]; do echo 0123456789 >> /ram/f; i=$((i+1)); done; sleep 3600"
    cluster.apply(shell_pod("tmpfs", volumes, "    - name: ram\n      mountPath: /ram",
                            node="worker-1", script=script))
    cluster.run(30)
    summary = cluster.api.node_proxy("worker-1").summary()
    stats = next(p for p in summary["pods"] if p["podRef"]["name"] == "tmpfs")
    containers = sum(c["memory"]["workingSetBytes"] for c in stats["containers"])
    assert stats["memory"]["workingSetBytes"] == containers + 200 * 11
