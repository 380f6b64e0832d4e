"""Services through a real cluster and kubectl: the examples of
docs/concepts/services-networking/service.md and connect-applications-service.md."""

from __future__ import annotations

import json
import re

import pytest

from k8skit import Cluster
from k8skit.traffic import send_requests

MY_NGINX = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 2
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
"""

BUSYBOX = """
apiVersion: v1
kind: Pod
metadata: {name: busybox}
spec:
  containers:
  - {name: busybox, image: "busybox:1.28", command: [sleep, "3600"]}
"""


def table(text: str) -> dict[str, list[str]]:
    """kubectl's table as {NAME: cells}."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]
    return {row[0]: row for row in rows[1:]}


@pytest.fixture(scope="module")
def nginx() -> Cluster:
    """The "Connecting Applications with Services" tutorial, up to `kubectl expose`."""
    c = Cluster(nodes=2, seed=41)
    c.apply(MY_NGINX)
    c.run(40)
    assert c.kubectl("expose deployment/my-nginx").stdout == "service/my-nginx exposed\n"
    c.run(2)
    return c


def test_expose_copies_the_selector_labels_and_the_container_port(nginx):
    service = nginx.api.get("Service", "my-nginx")
    assert service["spec"]["selector"] == {"run": "my-nginx"}
    assert service["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert service["spec"]["type"] == "ClusterIP"


def test_get_services_shows_the_cluster_ip_and_port(nginx):
    rows = table(nginx.kubectl("get svc").stdout)
    assert rows["kubernetes"][1:5] == ["ClusterIP", "10.96.0.1", "<none>", "443/TCP"]
    service = nginx.api.get("Service", "my-nginx")
    assert rows["my-nginx"][1:5] == ["ClusterIP", service["spec"]["clusterIP"], "<none>",
                                     "80/TCP"]


def test_describe_service_lists_its_ready_endpoints(nginx):
    text = nginx.kubectl("describe svc my-nginx").stdout
    pods = nginx.api.list("Pod", namespace="default", label_selector="run=my-nginx")
    service = nginx.api.get("Service", "my-nginx")
    expected = ",".join(sorted(f"{p['status']['podIP']}:80" for p in pods))
    lines = text.splitlines()
    assert lines[0] == "Name:                     my-nginx"  # aligned on the longest label
    fields = dict(re.split(r":\s+", line, maxsplit=1) for line in lines if ":" in line
                  and not line.startswith(" "))
    assert fields["Selector"] == "run=my-nginx"
    assert fields["Type"] == "ClusterIP"
    assert fields["IP Family Policy"] == "SingleStack"
    assert fields["IP Families"] == "IPv4"
    assert fields["IP"] == fields["IPs"] == service["spec"]["clusterIP"]
    assert fields["Port"] == "<unset>  80/TCP"
    assert fields["TargetPort"] == "80/TCP"
    assert fields["Endpoints"] == expected
    assert fields["Session Affinity"] == "None"
    assert fields["Internal Traffic Policy"] == "Cluster"
    assert lines[-1] == "Events:                   <none>"


def test_only_pods_started_after_the_service_have_its_environment_variables(nginx):
    old = nginx.api.list("Pod", namespace="default", label_selector="run=my-nginx")[0]
    env = nginx.kubectl(f"exec {old['metadata']['name']} -- printenv").stdout
    assert "KUBERNETES_SERVICE_HOST=10.96.0.1" in env
    assert "MY_NGINX_SERVICE_HOST" not in env
    nginx.kubectl("scale deployment my-nginx --replicas=0")
    nginx.run(40)
    nginx.kubectl("scale deployment my-nginx --replicas=2")
    nginx.run(40)
    new = nginx.api.list("Pod", namespace="default", label_selector="run=my-nginx")[0]
    env = nginx.kubectl(f"exec {new['metadata']['name']} -- printenv").stdout
    service = nginx.api.get("Service", "my-nginx")
    assert f"MY_NGINX_SERVICE_HOST={service['spec']['clusterIP']}" in env
    assert "MY_NGINX_SERVICE_PORT=80" in env


def test_a_busybox_pod_finds_the_service_by_dns(nginx):
    nginx.apply(BUSYBOX)
    nginx.run(20)
    result = nginx.kubectl("exec busybox -- nslookup my-nginx")
    service = nginx.api.get("Service", "my-nginx")
    assert result.returncode == 0
    assert "my-nginx.default.svc.cluster.local" in result.stdout
    assert service["spec"]["clusterIP"] in result.stdout


def test_expose_with_node_port_and_target_port_flags():
    c = Cluster(nodes=1, seed=42)
    c.apply(MY_NGINX)
    c.run(30)
    result = c.kubectl("expose deployment my-nginx --type=NodePort --port=8080 "
                       "--target-port=80 --name=front")
    assert result.stdout == "service/front exposed\n"
    c.run(2)  # kube-proxy writes its rules at most once a second
    service = c.api.get("Service", "front")
    node_port = service["spec"]["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767
    row = table(c.kubectl("get service front").stdout)["front"]
    assert row[1:5] == ["NodePort", service["spec"]["clusterIP"], "<none>",
                        f"8080:{node_port}/TCP"]
    node = c.api.get("Node", "worker-1", None)
    ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    assert "Welcome to nginx!" in c.curl(f"http://{ip}:{node_port}")


def test_expose_errors_are_kubectls():
    c = Cluster(nodes=1, seed=43)
    c.apply(BUSYBOX.replace("metadata: {name: busybox}", "metadata: {name: plain}"))
    no_port = c.kubectl("expose pod plain")
    assert no_port.returncode == 1
    assert no_port.stderr.startswith("error: couldn't retrieve selectors via --selector flag "
                                     "or introspection: the pod has no labels and cannot be "
                                     "exposed")
    missing = c.kubectl("expose deployment nothing --port=80")
    assert missing.stderr == 'Error from server (NotFound): deployments.apps "nothing" not found\n'
    node = c.kubectl("expose node worker-1 --port=80")
    assert node.stderr == "error: cannot expose a Node\n"
    c.kubectl("label pod plain app=plain")
    unported = c.kubectl("expose pod plain")
    assert unported.stderr.startswith("error: couldn't find port via --port flag or "
                                      "introspection")


def test_a_taken_node_port_is_refused_with_the_api_servers_message():
    c = Cluster(nodes=1, seed=44)
    manifest = """
apiVersion: v1
kind: Service
metadata: {name: NAME}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
"""
    c.apply(manifest.replace("NAME", "first"))
    result = c.kubectl("apply -f -", stdin=manifest.replace("NAME", "second"))
    assert result.returncode == 1
    assert 'The Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: ' \
        "provided port is already allocated" in result.stderr
    out_of_range = c.kubectl("apply -f -", stdin=manifest.replace("NAME", "third")
                             .replace("30080", "29999"))
    assert "provided port is not in the valid range. The range of valid ports is 30000-32767" \
        in out_of_range.stderr


def test_applying_a_changed_type_keeps_the_address_and_frees_the_node_port():
    c = Cluster(nodes=1, seed=48)
    manifest = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
"""
    c.apply(manifest)
    address = c.api.get("Service", "web")["spec"]["clusterIP"]
    assert c.apply(manifest) == ["service/web unchanged"]
    assert c.apply(manifest.replace("NodePort", "ClusterIP").replace(", nodePort: 30080", "")) \
        == ["service/web configured"]
    service = c.api.get("Service", "web")
    assert service["spec"]["clusterIP"] == address
    assert "nodePort" not in service["spec"]["ports"][0]
    assert c.apply(manifest.replace("name: web", "name: other")) == ["service/other created"]


def test_a_load_balancer_gets_an_address_from_the_cloud_and_serves_from_outside():
    c = Cluster(nodes=2, seed=45, cloud=True)
    c.apply(MY_NGINX)
    c.run(30)
    c.kubectl("expose deployment my-nginx --type=LoadBalancer --port=80")
    c.run(1)
    assert table(c.kubectl("get svc my-nginx").stdout)["my-nginx"][3] == "<pending>"
    c.run(10)
    service = c.api.get("Service", "my-nginx")
    (ingress,) = service["status"]["loadBalancer"]["ingress"]
    assert ingress["ip"].startswith("203.0.113.")
    assert table(c.kubectl("get svc my-nginx").stdout)["my-nginx"][3] == ingress["ip"]
    result = send_requests(c, f"http://{ingress['ip']}", n=40)
    assert result.succeeded == 40 and len(result.counts) == 2
    events = c.kubectl("describe svc my-nginx").stdout
    assert "EnsuringLoadBalancer" in events and "EnsuredLoadBalancer" in events
    assert f"LoadBalancer Ingress:     {ingress['ip']}" in events


def test_without_a_cloud_a_load_balancer_stays_pending():
    c = Cluster(nodes=1, seed=46, cloud=False)
    c.apply(MY_NGINX)
    c.run(20)
    c.kubectl("expose deployment my-nginx --type=LoadBalancer --port=80")
    c.run(600)
    row = table(c.kubectl("get svc my-nginx").stdout)["my-nginx"]
    assert row[3] == "<pending>"
    node_port = c.api.get("Service", "my-nginx")["spec"]["ports"][0]["nodePort"]
    assert row[4] == f"80:{node_port}/TCP"


# The docs' init containers (docs/concepts/workloads/pods/init-containers.md).
WAIT_FOR = ("until nslookup {name}.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"
            ".svc.cluster.local; do echo waiting for {name}; sleep 2; done")
INIT_CONTAINERS = f"""
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app.kubernetes.io/name: MyApp
spec:
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', {json.dumps(WAIT_FOR.format(name="myservice"))}]
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', {json.dumps(WAIT_FOR.format(name="mydb"))}]
"""

INIT_SERVICES = """
apiVersion: v1
kind: Service
metadata:
  name: myservice
spec:
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9376
---
apiVersion: v1
kind: Service
metadata:
  name: mydb
spec:
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9377
"""


def test_init_containers_wait_for_their_services():
    c = Cluster(nodes=1, seed=47)
    c.apply(INIT_CONTAINERS)
    c.run(60)
    row = table(c.kubectl("get pod myapp-pod").stdout)["myapp-pod"]
    assert row[1:3] == ["0/1", "Init:0/2"]
    logs = c.kubectl("logs myapp-pod -c init-myservice").stdout
    assert "waiting for myservice" in logs
    c.apply(INIT_SERVICES)
    c.run(30)
    row = table(c.kubectl("get pod myapp-pod").stdout)["myapp-pod"]
    assert row[1:3] == ["1/1", "Running"]
