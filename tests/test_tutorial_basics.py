"""The official "Learn Kubernetes Basics" tutorial, module by module, on one simulated cluster
(kubernetes.io/docs/tutorials/kubernetes-basics/): each step shows what the tutorial says.
"""

from __future__ import annotations

import re

import pytest

from k8skit import Cluster
from k8skit.traffic import send_requests

APP = "kubernetes-bootcamp"


def rows(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()[1:]]


def pod_names(c: Cluster) -> list[str]:
    return [p["metadata"]["name"] for p in c.api.list("Pod", namespace="default",
                                                          label_selector=f"app={APP}")
            if not p["metadata"].get("deletionTimestamp")]


def node_url(c: Cluster) -> str:
    """``http://"$(minikube ip):$NODE_PORT"``: a node's address and the Service's node port."""
    node_port = c.kubectl(f"get services/{APP} -o jsonpath='{{.spec.ports[0].nodePort}}'").stdout
    node = c.api.get("Node", "worker-1", None)
    ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    return f"http://{ip}:{node_port}"


@pytest.fixture(scope="module")
def c() -> Cluster:
    return Cluster(nodes=2, seed=61)


def test_module_2_create_a_deployment(c):
    out = c.kubectl(f"create deployment {APP} --image=gcr.io/google-samples/{APP}:v1")
    assert out.stdout == f"deployment.apps/{APP} created\n"
    c.run(30)
    (row,) = rows(c.kubectl("get deployments").stdout)
    assert row[:4] == [APP, "1/1", "1", "1"]


def test_module_3_explore_the_app(c):
    (pod,) = rows(c.kubectl("get pods").stdout)
    name = pod[0]
    assert name.startswith(f"{APP}-") and pod[1:3] == ["1/1", "Running"]
    description = c.kubectl("describe pods").stdout
    assert f"Image:          gcr.io/google-samples/{APP}:v1" in description
    assert "Started container" in description or "Started" in description
    logs = c.kubectl(f"logs {name}").stdout
    assert "Kubernetes Bootcamp App Started At:" in logs and f"| Running On:  {name}" in logs
    env = c.kubectl(f"exec {name} -- env").stdout
    assert f"HOSTNAME={name}" in env and "KUBERNETES_SERVICE_HOST=10.96.0.1" in env
    # A notebook is no terminal: like kubectl run from a script, bash reads the end of its
    # input at once and exits; one command per exec is the way.
    shell = c.kubectl(f"exec -ti {name} -- bash")
    assert shell.returncode == 0 and shell.stdout == ""
    answer = c.kubectl(f"exec {name} -- curl http://localhost:8080").stdout
    assert answer == f"Hello Kubernetes bootcamp! | Running on: {name} | v=1\n"


def test_module_4_expose_the_app_with_a_node_port(c):
    services = rows(c.kubectl("get services").stdout)
    assert services == [["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP",
                         services[0][5]]]
    out = c.kubectl(f'expose deployment/{APP} --type="NodePort" --port 8080')
    assert out.stdout == f"service/{APP} exposed\n"
    service = c.api.get("Service", APP)
    node_port = service["spec"]["ports"][0]["nodePort"]
    row = next(r for r in rows(c.kubectl("get services").stdout) if r[0] == APP)
    assert row[1:5] == ["NodePort", service["spec"]["clusterIP"], "<none>",
                        f"8080:{node_port}/TCP"]
    c.run(2)
    description = c.kubectl(f"describe services/{APP}").stdout
    assert f"NodePort:                 <unset>  {node_port}/TCP" in description
    (pod,) = pod_names(c)
    ip = c.api.get("Pod", pod)["status"]["podIP"]
    assert f"Endpoints:                {ip}:8080" in description
    assert c.curl(node_url(c)) == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n"


def test_module_4_labels(c):
    (pod,) = pod_names(c)
    assert c.kubectl(f"label pods {pod} version=v1").stdout == f"pod/{pod} labeled\n"
    assert "version=v1" in c.kubectl(f"describe pods {pod}").stdout
    assert rows(c.kubectl("get pods -l version=v1").stdout)[0][0] == pod


def test_module_4_delete_the_service(c):
    url = node_url(c)
    out = c.kubectl(f"delete service -l app={APP}")
    assert out.stdout == f'service "{APP}" deleted\n'
    c.run(2)
    assert c.curl(url).startswith("curl: (7) Failed to connect to")
    (pod,) = pod_names(c)
    inside = c.kubectl(f"exec -ti {pod} -- curl http://localhost:8080").stdout
    assert inside.startswith("Hello Kubernetes bootcamp!")  # the app itself still runs


def test_module_5_scale_up_and_load_balance(c):
    out = c.kubectl(f"scale deployments/{APP} --replicas=4")
    assert out.stdout == f"deployment.apps/{APP} scaled\n"
    c.run(30)
    (row,) = rows(c.kubectl("get deployments").stdout)
    assert row[:4] == [APP, "4/4", "4", "4"]
    wide = rows(c.kubectl("get pods -o wide").stdout)
    assert len(wide) == 4 and all(r[2] == "Running" for r in wide)
    assert {r[6] for r in wide} == {"worker-1", "worker-2"}
    c.kubectl(f'expose deployment/{APP} --type="NodePort" --port 8080')
    c.run(2)
    result = send_requests(c, node_url(c), n=200)
    assert set(result.counts) == set(pod_names(c))
    answers = {r.body for r in result.responses}
    assert all(a.startswith("Hello Kubernetes bootcamp! | Running on: ") for a in answers)


def test_module_5_scale_down(c):
    c.kubectl(f"scale deployments/{APP} --replicas=2")
    c.run(40)
    (row,) = rows(c.kubectl("get deployments").stdout)
    assert row[:4] == [APP, "2/2", "2", "2"]
    assert len(rows(c.kubectl("get pods").stdout)) == 2


def test_module_6_rolling_update_to_v2(c):
    out = c.kubectl(f"set image deployments/{APP} {APP}=docker.io/jocatalin/{APP}:v2")
    assert out.stdout == f"deployment.apps/{APP} image updated\n"
    status = c.kubectl(f"rollout status deployments/{APP}").stdout
    assert status.splitlines()[-1] == f'deployment "{APP}" successfully rolled out'
    c.run(5)
    result = send_requests(c, node_url(c), n=50)
    assert result.succeeded == 50
    assert all(r.body.endswith("| v=2\n") for r in result.responses)


def test_module_6_a_missing_tag_fails_to_pull_and_undo_rolls_back(c):
    c.kubectl(f"set image deployments/{APP} {APP}=gcr.io/google-samples/{APP}:v10")
    c.run(60)
    statuses = [r[2] for r in rows(c.kubectl("get pods").stdout)]
    assert "ImagePullBackOff" in statuses or "ErrImagePull" in statuses
    description = c.kubectl("describe pods").stdout
    assert "Failed to pull image" in description
    out = c.kubectl(f"rollout undo deployments/{APP}")
    assert out.stdout == f"deployment.apps/{APP} rolled back\n"
    c.run(60)
    statuses = [r[2] for r in rows(c.kubectl("get pods").stdout)]
    assert statuses == ["Running", "Running"]
    images = c.kubectl(f"get deployment {APP} "
                       "-o jsonpath='{.spec.template.spec.containers[0].image}'").stdout
    assert images == f"docker.io/jocatalin/{APP}:v2"
    result = send_requests(c, node_url(c), n=20)
    assert all(r.body.endswith("| v=2\n") for r in result.responses)
