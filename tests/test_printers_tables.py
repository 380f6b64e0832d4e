"""Table cells for each kind, checked against printers.go's rules on hand-built objects."""

import pytest

from k8skit.api.meta import timestamp
from k8skit.kubectl.printers.tables import (
    TableOptions,
    format_endpoints,
    node_status,
    pod_row,
    pod_status,
    render_rows,
    service_row,
    table_rows,
)


def pod(containers=(), init=(), init_specs=None, phase="Running", deleting=False, reason=None,
        conditions=()):
    """A pod with the given container statuses (each a dict merged into a default)."""
    names = [c.get("name", f"c{i}") for i, c in enumerate(containers)]
    obj = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default",
                     "creationTimestamp": timestamp(0)},
        "spec": {"containers": [{"name": n, "image": "nginx"} for n in names],
                 "initContainers": init_specs or [{"name": c["name"], "image": "busybox"}
                                                  for c in init]},
        "status": {"phase": phase, "conditions": list(conditions),
                   "containerStatuses": [{"name": n, "ready": False, "restartCount": 0,
                                          "state": {}, **c}
                                         for n, c in zip(names, containers, strict=True)],
                   "initContainerStatuses": [{"restartCount": 0, "state": {}, **c}
                                             for c in init]},
    }
    if deleting:
        obj["metadata"]["deletionTimestamp"] = timestamp(30)
    if reason:
        obj["status"]["reason"] = reason
    return obj


RUNNING = {"state": {"running": {"startedAt": timestamp(1)}}, "ready": True}


def waiting(reason):
    return {"state": {"waiting": {"reason": reason}}}


def terminated(reason, code=0):
    return {"state": {"terminated": {"reason": reason, "exitCode": code}}}


@pytest.mark.parametrize(("obj", "status"), [
    (pod(phase="Pending"), "Pending"),
    (pod([waiting("ContainerCreating")], phase="Pending"), "ContainerCreating"),
    (pod([RUNNING]), "Running"),
    (pod([waiting("CrashLoopBackOff")]), "CrashLoopBackOff"),
    (pod([waiting("ErrImagePull")], phase="Pending"), "ErrImagePull"),
    (pod([waiting("ImagePullBackOff")], phase="Pending"), "ImagePullBackOff"),
    (pod([terminated("Completed")], phase="Succeeded"), "Completed"),
    (pod([terminated("Error", 1)], phase="Failed"), "Error"),
    (pod([terminated("OOMKilled", 137)]), "OOMKilled"),
    (pod([{"state": {"terminated": {"exitCode": 3}}}], phase="Failed"), "ExitCode:3"),
    (pod([{"state": {"terminated": {"exitCode": 0, "signal": 9}}}]), "Signal:9"),
    # Containers are read last to first: the first container's state wins.
    (pod([waiting("CrashLoopBackOff"), RUNNING]), "CrashLoopBackOff"),
    (pod([RUNNING, waiting("CrashLoopBackOff")]), "CrashLoopBackOff"),
    (pod([waiting("ErrImagePull"), waiting("CrashLoopBackOff")]), "ErrImagePull"),
    # A finished container next to a running one: Running if the pod is Ready, else NotReady.
    (pod([terminated("Completed"), RUNNING], conditions=[{"type": "Ready", "status": "True"}]),
     "Running"),
    (pod([terminated("Completed"), RUNNING]), "NotReady"),
    (pod([RUNNING], deleting=True), "Terminating"),
    (pod([terminated("Completed")], phase="Succeeded", deleting=True), "Completed"),
    (pod([RUNNING], deleting=True, reason="NodeLost"), "Unknown"),
    (pod(phase="Pending", conditions=[{"type": "PodScheduled", "status": "False",
                                       "reason": "SchedulingGated"}]), "SchedulingGated"),
    (pod(phase="Failed", reason="Evicted"), "Evicted"),
])
def test_pod_status_column(obj, status):
    assert pod_status(obj) == status


@pytest.mark.parametrize(("init", "status"), [
    ([waiting("PodInitializing")], "Init:0/2"),
    ([{"name": "a", **terminated("Completed")}, {"name": "b", **RUNNING}], "Init:1/2"),
    ([{"name": "a", **terminated("Error", 1)}], "Init:Error"),
    ([{"name": "a", **waiting("CrashLoopBackOff")}], "Init:CrashLoopBackOff"),
    ([{"name": "a", "state": {"terminated": {"exitCode": 2}}}], "Init:ExitCode:2"),
])
def test_init_containers_status(init, status):
    init = [{"name": "a", **init[0]}, *init[1:]]
    specs = [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}]
    obj = pod([waiting("PodInitializing")], init=init, init_specs=specs, phase="Pending")
    assert pod_status(obj) == status


def test_ready_counts_ready_running_containers_and_sidecars():
    sidecar = {"name": "log", "image": "busybox", "restartPolicy": "Always"}
    obj = pod([RUNNING, waiting("ContainerCreating")],
              init=[{"name": "log", "started": True, "ready": True,
                     "state": {"running": {}}}], init_specs=[sidecar],
              conditions=[{"type": "Initialized", "status": "True"}])
    assert pod_row(obj, 100)[1] == "2/3"


def test_restarts_show_how_long_ago_the_last_one_was():
    obj = pod([{**RUNNING, "restartCount": 3,
                "lastState": {"terminated": {"exitCode": 1, "finishedAt": timestamp(59)}}},
               {**RUNNING, "name": "side", "restartCount": 1,
                "lastState": {"terminated": {"exitCode": 1, "finishedAt": timestamp(20)}}}])
    assert pod_row(obj, 100)[3] == "4 (41s ago)"
    assert pod_row(pod([RUNNING]), 100)[3] == "0"


def test_wide_pod_columns_print_none_for_empty_cells():
    obj = pod([waiting("ContainerCreating")], phase="Pending")
    rows = table_rows("Pod", [obj], 5, TableOptions(wide=True))
    assert rows[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                       "NOMINATED NODE", "READINESS GATES"]
    assert rows[1][5:] == ["<none>", "<none>", "<none>", "<none>"]


def node(ready="True", unschedulable=False, labels=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "worker-1", "labels": labels or {},
                         "creationTimestamp": timestamp(0)},
            "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": [{"type": "Ready", "status": ready}] if ready else [],
                       "nodeInfo": {"kubeletVersion": "v1.33.4"}}}


@pytest.mark.parametrize(("obj", "status"), [
    (node(), "Ready"), (node("False"), "NotReady"), (node("Unknown"), "NotReady"),
    (node(None), "Unknown"), (node(unschedulable=True), "Ready,SchedulingDisabled"),
    (node("Unknown", unschedulable=True), "NotReady,SchedulingDisabled"),
])
def test_node_status_column(obj, status):
    assert node_status(obj) == status


def test_node_roles_from_labels():
    rows = table_rows("Node", [node(labels={"node-role.kubernetes.io/worker": "",
                                            "node-role.kubernetes.io/control-plane": ""}),
                               node()], 10)
    assert [row[2] for row in rows[1:]] == ["control-plane,worker", "<none>"]


def service(type_="ClusterIP", ports=None, cluster_ip="10.96.0.10", **spec):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "creationTimestamp": timestamp(0)},
            "spec": {"type": type_, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip],
                     "ports": ports if ports is not None else [{"port": 80, "protocol": "TCP"}],
                     **spec}}


def test_service_columns():
    assert service_row(service(), 60)[1:5] == ["ClusterIP", "10.96.0.10", "<none>", "80/TCP"]
    node_port = service("NodePort", [{"port": 80, "nodePort": 30080, "protocol": "TCP"},
                                     {"port": 443, "nodePort": 30443, "protocol": "TCP"}])
    assert service_row(node_port, 60)[4] == "80:30080/TCP,443:30443/TCP"
    assert service_row(service("LoadBalancer"), 60)[3] == "<pending>"
    balanced = service("LoadBalancer")
    balanced["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    assert service_row(balanced, 60)[3] == "203.0.113.10"
    assert service_row(service(cluster_ip="None"), 60)[2] == "None"
    assert service_row(service(ports=[]), 60)[4] == "<none>"


def test_endpoints_list_three_then_more():
    addresses = [{"ip": f"10.244.1.{i}"} for i in range(1, 6)]
    endpoints = {"subsets": [{"addresses": addresses, "ports": [{"port": 80}]}]}
    assert format_endpoints(endpoints) == \
        "10.244.1.1:80,10.244.1.2:80,10.244.1.3:80 + 2 more..."
    assert format_endpoints({"subsets": []}) == "<none>"


def test_namespace_column_and_kind_prefix_and_labels():
    obj = pod([RUNNING])
    obj["metadata"]["labels"] = {"app": "web", "tier": "fe"}
    rows = table_rows("Pod", [obj], 10, TableOptions(with_namespace=True, kind_prefix="pod",
                                                     show_labels=True, label_columns=("app",)))
    assert rows[0] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "APP",
                       "LABELS"]
    assert rows[1] == ["default", "pod/web", "1/1", "Running", "0", "10s", "web",
                       "app=web,tier=fe"]


def test_rendered_table_is_aligned():
    text = render_rows([["NAME", "READY"], ["web-7d4b9c8f5-x2x9k", "1/1"]])
    assert text == "NAME                  READY\nweb-7d4b9c8f5-x2x9k   1/1\n"
