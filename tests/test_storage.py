"""Storage orchestration through a whole cluster: claims, the default StorageClass, dynamic
provisioning, data that outlives pods, and reclaiming.

Scenarios from ``docs/concepts/storage/persistent-volumes.md``,
``docs/concepts/storage/dynamic-provisioning.md``, ``docs/concepts/storage/storage-classes.md``
and ``docs/tasks/configure-pod-container/configure-persistent-volume-storage.md``.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {name}
spec:
{class_line}  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: {size}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  nodeName: {node}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "{script}"]
    volumeMounts:
    - name: data
      mountPath: /data
    - name: scratch
      mountPath: /scratch
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: {claim}
  - name: scratch
    emptyDir: {{}}
"""


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=11)
    if c.api.try_get("StorageClass", "standard", None) is None:
        pytest.skip("the storage controllers and kube-system add-ons are not wired into "
                    "Cluster yet (see the h8 report)")
    return c


def ok(c: Cluster, command: str) -> str:
    result = c.kubectl(command)
    assert result.returncode == 0, result.stderr
    return result.stdout


def claim(c: Cluster, name: str, size: str = "1Gi", storage_class: str | None = None) -> None:
    class_line = "" if storage_class is None else f'  storageClassName: "{storage_class}"\n'
    c.apply(CLAIM.format(name=name, size=size, class_line=class_line))


def pod(c: Cluster, name: str, node: str, claim_name: str = "data",
        script: str = "sleep 3600") -> None:
    c.apply(POD.format(name=name, node=node, claim=claim_name, script=script))


def row(c: Cluster, command: str) -> list[str]:
    lines = ok(c, command).splitlines()
    assert len(lines) == 2, lines
    return lines[1].split()


def reasons(c: Cluster, kind: str, name: str) -> list[str]:
    return [e["reason"] for e in sorted(c.api.list("Event", "default"),
                                        key=lambda e: e["metadata"]["name"])
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name]


def test_the_default_class_is_minikubes_standard(cluster):
    lines = ok(cluster, "get storageclass").splitlines()
    assert lines[0].split() == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                                "ALLOWVOLUMEEXPANSION", "AGE"]
    assert lines[1].split()[:6] == ["standard", "(default)", "k8s.io/minikube-hostpath",
                                    "Delete", "Immediate", "false"]


def test_a_claim_without_class_is_provisioned_by_the_default_class(cluster):
    claim(cluster, "data")
    header = ok(cluster, "get pvc").splitlines()[0]
    assert header.split() == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES",
                              "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"]
    assert row(cluster, "get pvc data")[:3] == ["data", "Pending", "standard"]
    cluster.run(3)
    uid = cluster.api.get("PersistentVolumeClaim", "data")["metadata"]["uid"]
    volume = f"pvc-{uid}"
    assert row(cluster, "get pvc data")[:7] == ["data", "Bound", volume, "1Gi", "RWO",
                                                "standard", "<unset>"]
    assert row(cluster, "get pv")[:8] == [volume, "1Gi", "RWO", "Delete", "Bound",
                                          "default/data", "standard", "<unset>"]
    assert reasons(cluster, "PersistentVolumeClaim", "data")[-3:] == [
        "ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]
    description = ok(cluster, f"describe pv {volume}")
    assert "    Path:          /tmp/hostpath-provisioner/default/data\n" in description
    assert "pv.kubernetes.io/provisioned-by: k8s.io/minikube-hostpath" in description


def test_data_on_a_claim_outlives_its_pod_and_follows_the_next_one_to_another_node(cluster):
    claim(cluster, "data")
    pod(cluster, "writer", "worker-1",
        script="echo hello > /data/hello.txt; echo temp > /scratch/temp.txt; sleep 3600")
    cluster.run(30)
    assert ok(cluster, "exec writer -- cat /data/hello.txt /scratch/temp.txt") == \
        "hello\ntemp\n"
    ok(cluster, "delete pod writer")
    cluster.run(40)
    pod(cluster, "reader", "worker-2")
    cluster.run(30)
    assert row(cluster, "get pod reader -o wide")[6] == "worker-2"
    assert ok(cluster, "exec reader -- cat /data/hello.txt") == "hello\n"
    # The emptyDir of the first pod went with it: the new pod's is empty.
    assert ok(cluster, "exec reader -- ls /scratch") == ""
    assert "Used By:       reader\n" in ok(cluster, "describe pvc data")


def test_deleting_the_claim_deletes_a_provisioned_volume_and_its_data(cluster):
    claim(cluster, "data")
    cluster.run(3)
    volume = cluster.api.get("PersistentVolumeClaim", "data")["spec"]["volumeName"]
    pod(cluster, "writer", "worker-1", script="echo gone > /data/file; sleep 3600")
    cluster.run(30)
    assert volume in cluster.disks
    ok(cluster, "delete pod writer --grace-period=0 --force")
    ok(cluster, "delete pvc data")
    cluster.run(2)
    assert cluster.api.try_get("PersistentVolume", volume, None) is None
    assert volume not in cluster.disks
    assert ok(cluster, "get pv") == ""


STATIC_VOLUME = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
"""


def test_a_hand_made_volume_is_bound_then_released_and_kept(cluster):
    """``configure-persistent-volume-storage.md``: a PV with class ``manual``."""
    cluster.apply(STATIC_VOLUME)
    assert row(cluster, "get pv task-pv-volume")[:5] == [
        "task-pv-volume", "10Gi", "RWO", "Retain", "Available"]
    claim(cluster, "task-pv-claim", size="3Gi", storage_class="manual")
    cluster.run(1)
    assert row(cluster, "get pv task-pv-volume")[4:6] == ["Bound", "default/task-pv-claim"]
    assert row(cluster, "get pvc task-pv-claim")[:4] == [
        "task-pv-claim", "Bound", "task-pv-volume", "10Gi"]
    ok(cluster, "delete pvc task-pv-claim")
    cluster.run(1)
    assert row(cluster, "get pv task-pv-volume")[4:6] == ["Released", "default/task-pv-claim"]


def test_an_empty_class_asks_for_no_provisioning(cluster):
    claim(cluster, "static-only", storage_class="")
    cluster.run(20)
    assert row(cluster, "get pvc static-only")[1] == "Pending"
    assert cluster.api.list("PersistentVolume") == []
    assert "FailedBinding" in reasons(cluster, "PersistentVolumeClaim", "static-only")


def test_wait_for_first_consumer_provisions_on_the_pods_node(cluster):
    cluster.apply("""\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: late-binding
provisioner: k8s.io/minikube-hostpath
volumeBindingMode: WaitForFirstConsumer
""")
    claim(cluster, "late", storage_class="late-binding")
    cluster.run(20)
    assert row(cluster, "get pvc late")[1] == "Pending"
    assert reasons(cluster, "PersistentVolumeClaim", "late")[0] == "WaitForFirstConsumer"
    pod(cluster, "consumer", "worker-2", claim_name="late")
    cluster.run(30)
    bound = cluster.api.get("PersistentVolumeClaim", "late")
    assert bound["status"]["phase"] == "Bound"
    assert bound["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "worker-2"
    assert row(cluster, "get pod consumer")[2] == "Running"
