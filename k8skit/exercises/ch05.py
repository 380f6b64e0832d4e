"""Chapter 5 exercises: Services.

A Service answer is judged by the traffic it carries: the check builds a small shop in a fresh
cluster (an ``api`` Deployment, an ``admin`` Deployment that shares one of its labels, and a
``client`` pod), applies the learner's manifest, and sends requests, from the client pod by the
Service's name or from outside to every node's port. A DNS name is judged by resolving it from a
pod, an environment variable by reading a new pod's environment. Nothing is compared as text
against a stored answer.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from functools import cache

from k8skit.cluster import Cluster
from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.exercises.cluster_checks import apply_answer, pods_of, scratch_cluster, statuses
from k8skit.exercises.core import AnswerError, Exercise, correct, not_yet

CLIENT = "client"

#: The shop every Service answer is tried against: the ``api`` pods (3 replicas of hello-app
#: 1.0 on port 8080), an ``admin`` pod that also carries ``tier: backend`` (hello-app 2.0), and
#: a ``client`` pod to send requests from.
SHOP = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: api
      template:
        metadata:
          labels:
            app: api
            tier: backend
        spec:
          containers:
          - name: hello-app
            image: gcr.io/google-samples/hello-app:1.0
            ports:
            - containerPort: 8080
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: admin
    spec:
      replicas: 1
      selector:
        matchLabels:
          app: admin
      template:
        metadata:
          labels:
            app: admin
            tier: backend
        spec:
          containers:
          - name: hello-app
            image: gcr.io/google-samples/hello-app:2.0
            ports:
            - containerPort: 8080
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: client
    spec:
      containers:
      - name: client
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
    """)

#: Requests each traffic check sends: enough that every one of 3 pods answers some of them.
REQUESTS = 60
#: Seconds for a new Service to reach every kube-proxy (iptables mode syncs at most once a
#: second) and for its endpoints to be computed.
SYNC_SECONDS = 2


def shop_cluster() -> Cluster:
    """A fresh cluster with the shop running: 3 ``api`` pods, 1 ``admin`` pod, the client."""
    cluster = scratch_cluster()
    cluster.apply(SHOP)
    cluster.run(30)
    return cluster


def serving_pods(cluster: Cluster, service: str) -> list[str]:
    """The pods a Service's EndpointSlices list as ready: where kube-proxy sends its traffic."""
    names = []
    for endpoint_slice in cluster.api.list("EndpointSlice", "default", label_selector={
            "kubernetes.io/service-name": service}):
        for endpoint in endpoint_slice.get("endpoints") or ():
            if (endpoint.get("conditions") or {}).get("ready"):
                names.append((endpoint.get("targetRef") or {}).get("name", "?"))
    return sorted(names)


def _labels_text(labels: dict) -> str:
    return ", ".join(f"`{key}: {value}`" for key, value in sorted(labels.items())) or "no labels"


def _selector_problem(cluster: Cluster, service: dict) -> str | None:
    """Why a Service's selector picks the wrong pods, or None when it picks exactly the api's."""
    selector = service["spec"].get("selector") or {}
    if not selector:
        return ("the Service has no `selector`, so no controller fills its endpoints: it selects "
                "no pods. Give it the `api` pods' label.")
    api = {pod["metadata"]["name"] for pod in pods_of(cluster, {"app": "api"})}
    chosen = {pod["metadata"]["name"] for pod in pods_of(cluster, selector)}
    if not chosen:
        return (f"the selector {_labels_text(selector)} matches no pod. The api pods carry "
                f"{_labels_text(_api_labels(cluster))}.")
    others = sorted(chosen - api)
    if others:
        return (f"the selector {_labels_text(selector)} also picks {', '.join(others)}, which "
                "is not an api pod. Select a label only the api pods have.")
    return None


def _api_labels(cluster: Cluster) -> dict:
    pods = pods_of(cluster, {"app": "api"})
    labels = dict(pods[0]["metadata"].get("labels") or {}) if pods else {}
    labels.pop("pod-template-hash", None)
    return labels


def _traffic_problem(cluster: Cluster, url: str, wanted: set[str], what: str,
                     source: str = CLIENT) -> str | None:
    """Send requests to ``url``: what went wrong, or None if every request was answered well by
    one of the ``wanted`` pods (``what`` names them) and each of them answered some."""
    result = cluster.send_requests(url, REQUESTS, source=source)
    if result.errors:
        error, count = next(iter(result.errors.items()))
        return f"{count} of {REQUESTS} requests to {url} failed: `{error}`"
    bad = Counter((r.served_by, r.status) for r in result.responses if not r.ok)
    if bad:
        (pod, status), count = bad.most_common(1)[0]
        return f"{count} of {REQUESTS} requests to {url} got HTTP {status} from {pod}"
    strangers = sorted(set(result.counts) - wanted)
    if strangers:
        return f"requests to {url} were answered by {', '.join(strangers)}, not {what}"
    silent = sorted(wanted - set(result.counts))
    if silent:
        return f"{', '.join(silent)} answered none of {REQUESTS} requests to {url}"
    return None


# --- q1: a Service that selects the app ---------------------------------------------------------

Q1_NAME = "api"


def _judge_api_service(answer):
    cluster = shop_cluster()
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    service = cluster.api.try_get("Service", Q1_NAME)
    if service is None:
        return not_yet("the manifest has no Service named `api`: its name is the DNS name the "
                       "other pods will call (`http://api`).")
    if not any(port.get("port") == 80 for port in service["spec"].get("ports") or ()):
        return not_yet("the Service does not listen on port 80: clients call `http://api`, "
                       "which means port 80.")
    problem = _selector_problem(cluster, service)
    if problem:
        return not_yet(problem)
    cluster.run(SYNC_SECONDS)
    api = {pod["metadata"]["name"] for pod in pods_of(cluster, {"app": "api"})}
    problem = _traffic_problem(cluster, f"http://{Q1_NAME}", api, "an api pod")
    if problem:
        ports = service["spec"]["ports"]
        target = ports[0].get("targetPort", ports[0].get("port"))
        return not_yet(f"{problem}. The Service sends port 80 to port {target} of the pods; "
                       "hello-app listens on 8080.")
    return correct(f"{REQUESTS} requests to http://api were spread over the {len(api)} api "
                   "pods, and none reached admin. The selector picks the pods; `targetPort` "
                   "says where they listen.")


q1 = Exercise(
    id="ch05.q1",
    title="A Service that selects the app",
    question=(
        "A cluster runs 3 `api` pods (hello-app on port 8080, labelled `app: api` and `tier: "
        "backend`) and an `admin` pod (labelled `app: admin` and `tier: backend`). Write a "
        "Service named `api` that other pods reach at `http://api` (port 80) and that sends "
        "every request to an api pod, never to admin. Set `api_service` to the YAML text (or to "
        "the path of a .yaml file)."
    ),
    answer_name="api_service",
    judge=_judge_api_service,
    hints=(
        "Start from ../assets/manifests/05/web-service.yaml and change what it selects.",
        "`tier: backend` is on admin's pod too. Which label do only the api pods carry?",
        "`selector: {app: api}`, and `ports: [{port: 80, targetPort: 8080}]`: clients call "
        "port 80, hello-app listens on 8080.",
    ),
    solution_code='''
api_service = """
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
  - port: 80
    targetPort: 8080
"""
''',
    solution_note=(
        "The endpoints controllers list every ready pod whose labels match all of the "
        "selector's; kube-proxy sends the Service's port 80 to port 8080 of one of them."
    ),
)

# --- q2: a NodePort -----------------------------------------------------------------------------

Q2_NAME = "api-public"
Q2_NODE_PORT = 30080


def _judge_node_port(answer):
    cluster = shop_cluster()
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    service = cluster.api.try_get("Service", Q2_NAME)
    if service is None:
        return not_yet("the manifest has no Service named `api-public`.")
    kind = service["spec"].get("type", "ClusterIP")
    if kind != "NodePort":
        return not_yet(f"`api-public` is of type {kind}. Only a NodePort (or a LoadBalancer, "
                       "which asks a cloud for more) opens a port on the nodes: `type: "
                       "NodePort`.")
    node_ports = [port.get("nodePort") for port in service["spec"]["ports"]]
    if Q2_NODE_PORT not in node_ports:
        given = ", ".join(str(port) for port in node_ports)
        return not_yet(f"the Service got node port {given}: without `nodePort` the API server "
                       f"picks one at random. Ask for `nodePort: {Q2_NODE_PORT}`.")
    problem = _selector_problem(cluster, service)
    if problem:
        return not_yet(problem)
    cluster.run(SYNC_SECONDS)
    api = {pod["metadata"]["name"] for pod in pods_of(cluster, {"app": "api"})}
    for node in cluster.api.list("Node"):
        address = next(a["address"] for a in node["status"]["addresses"]
                       if a["type"] == "InternalIP")
        url = f"http://{address}:{Q2_NODE_PORT}"
        problem = _traffic_problem(cluster, url, api, "an api pod", source="outside")
        if problem:
            return not_yet(f"from outside the cluster, {problem}.")
    return correct(f"every node, the control plane included, answered on port {Q2_NODE_PORT} "
                   "with an api pod, whether or not one runs there: kube-proxy on each node "
                   "forwards the port to the Service's endpoints.")


q2 = Exercise(
    id="ch05.q2",
    title="Open a port on every node",
    question=(
        "In the same cluster, write a Service named `api-public` of type NodePort that makes the "
        f"api pods answer on port {Q2_NODE_PORT} of every node, from outside the cluster. Set "
        "`public_service` to the YAML text (or to the path of a .yaml file)."
    ),
    answer_name="public_service",
    judge=_judge_node_port,
    hints=(
        "Start from ../assets/manifests/05/web-nodeport.yaml.",
        "A NodePort Service has three ports: `port` (on its cluster IP), `targetPort` (on the "
        "pods) and `nodePort` (on every node, between 30000 and 32767).",
        f"`type: NodePort`, `selector: {{app: api}}` and `ports: [{{port: 80, targetPort: 8080, "
        f"nodePort: {Q2_NODE_PORT}}}]`.",
    ),
    solution_code=f'''
public_service = """
apiVersion: v1
kind: Service
metadata:
  name: api-public
spec:
  type: NodePort
  selector:
    app: api
  ports:
  - port: 80
    targetPort: 8080
    nodePort: {Q2_NODE_PORT}
"""
''',
    solution_note=(
        "`curl http://<any node's IP>:30080` now reaches an api pod. Node ports must lie in "
        "the API server's `--service-node-port-range`, 30000-32767 by default."
    ),
)

# --- q3: traffic only to ready pods -------------------------------------------------------------

Q3_NAME = "cart"
#: The Service the check puts in front of the learner's Deployment, and nginx's page that the
#: check removes from one pod to break it (nginx then answers 403).
Q3_SERVICE = textwrap.dedent("""\
    apiVersion: v1
    kind: Service
    metadata:
      name: cart
    spec:
      selector:
        app: cart
      ports:
      - port: 80
    """)
Q3_PAGE = "/usr/share/nginx/html/index.html"
#: Seconds the check waits after breaking a pod: long enough for 3 failed probes 10 s apart.
Q3_AFTER_BREAK = 40


def _judge_readiness(answer):
    cluster = scratch_cluster()
    cluster.apply(Q3_SERVICE)
    cluster.kubectl(f"run {CLIENT} --image=busybox:1.36 -- sleep 3600")
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    deployment = cluster.api.try_get("Deployment", Q3_NAME)
    if deployment is None:
        return not_yet("the manifest has no Deployment named `cart`.")
    cluster.run(30)
    pods = pods_of(cluster, {"app": Q3_NAME})
    ready = [pod for pod in pods if is_pod_ready(pod)]
    if len(ready) < 2:
        return not_yet(f"after 30 s only {len(ready)} pod(s) labelled `app: cart` are ready "
                       f"({statuses(pods)}): the Service `cart` selects `app: cart`, and the "
                       "check needs at least 2 ready pods to break one.")
    broken = ready[0]["metadata"]["name"]
    removed = cluster.kubectl(f"exec {broken} -- rm {Q3_PAGE}")
    if removed.returncode:
        said = (removed.stderr or removed.stdout).strip().splitlines()[0]
        return not_yet(f"the check could not break {broken} by removing nginx's page "
                       f"({said}): run nginx.")
    cluster.run(Q3_AFTER_BREAK)
    pod = cluster.api.try_get("Pod", broken)
    if pod is None or pod["metadata"].get("deletionTimestamp"):
        return not_yet(f"{broken} was deleted after the check broke it. Keep the pod; only "
                       "keep traffic away from it.")
    restarts = sum(s.get("restartCount", 0) for s in pod["status"].get("containerStatuses", ()))
    if restarts:
        return not_yet(f"the kubelet restarted {broken} after the check broke it: that is a "
                       "liveness probe's doing. Here the pod should stay as it is (someone may "
                       "want to look at it), only without traffic: a readiness probe.")
    healthy = {p["metadata"]["name"] for p in ready} - {broken}
    problem = _traffic_problem(cluster, f"http://{Q3_NAME}", healthy, "a ready pod")
    if problem:
        return not_yet(f"the check broke {broken} (nginx answers 403 without its page), and "
                       f"{Q3_AFTER_BREAK} s later {problem}. Only a readiness probe takes a pod "
                       "out of its Service's endpoints.")
    return correct(f"the check broke {broken}; within {Q3_AFTER_BREAK} s its readiness probe "
                   "failed, the endpoints controllers marked it not ready, and all "
                   f"{REQUESTS} requests went to the others. {broken} still runs, with 0 "
                   "restarts, and would get traffic again once its probe passes.")


q3 = Exercise(
    id="ch05.q3",
    title="Traffic only to ready pods",
    question=(
        "Write a Deployment `cart` of 3 `nginx:1.27` pods labelled `app: cart`, for the Service "
        "`cart` (`selector: {app: cart}`, port 80), such that a pod whose nginx stops serving "
        "its page (`/` answers 403) gets no more requests but is not restarted. The check "
        "breaks one pod and sends requests. Set `cart_deployment` to the YAML text (or to the "
        "path of a .yaml file)."
    ),
    answer_name="cart_deployment",
    judge=_judge_readiness,
    hints=(
        "Section 5 of this notebook did exactly this for `shop`.",
        "A *readiness* probe takes a pod out of its Services' endpoints while it fails; a "
        "*liveness* probe restarts the container.",
        "In the container: `readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}`.",
    ),
    solution_code='''
cart_deployment = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  replicas: 3
  selector:
    matchLabels:
      app: cart
  template:
    metadata:
      labels:
        app: cart
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        readinessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 5
"""
''',
    solution_note=(
        "After `failureThreshold` (3) failed probes the pod's Ready condition turns False; the "
        "EndpointSlice lists it with `ready: false` and kube-proxy stops sending it "
        "connections. Nothing restarts it."
    ),
)

# --- q4: a Service's DNS name -------------------------------------------------------------------

Q4_SERVICE = "db"
Q4_NAMESPACE = "shop"
_DNS_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?")


@cache
def _dns_cluster() -> Cluster:
    """A cluster with Service ``db`` in namespace ``shop`` and a client pod in ``default``."""
    cluster = scratch_cluster(nodes=1)
    cluster.apply(textwrap.dedent(f"""\
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {Q4_NAMESPACE}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {Q4_SERVICE}
          namespace: {Q4_NAMESPACE}
        spec:
          selector:
            app: db
          ports:
          - port: 5432
        """))
    cluster.kubectl(f"run {CLIENT} --image=busybox:1.36 -- sleep 3600")
    cluster.run(15)
    return cluster


def _resolve(name: str) -> str | None:
    """The address ``nslookup name`` prints from the client pod in ``default``, or None."""
    result = _dns_cluster().kubectl(f"exec {CLIENT} -- nslookup {name}")
    addresses = re.findall(r"^Address: (\S+)$", result.stdout, flags=re.MULTILINE)
    return addresses[-1] if result.returncode == 0 and addresses else None


def _judge_dns_name(answer):
    if not isinstance(answer, str) or not _DNS_NAME.fullmatch(answer.strip()):
        raise AnswerError(f"expected a DNS name such as 'web.default.svc.cluster.local', got "
                          f"{answer!r}")
    name = answer.strip().lower()
    cluster_ip = _dns_cluster().api.get("Service", Q4_SERVICE, Q4_NAMESPACE)["spec"]["clusterIP"]
    address = _resolve(name)
    if address is None:
        if "." not in name:
            return not_yet(f"from a pod in `default`, `{name}` is looked up as "
                           f"`{name}.default.svc.cluster.local` first (the search list in "
                           "/etc/resolv.conf), and there is no such Service in `default`. Name "
                           "the namespace too.")
        return not_yet(f"`{name}` does not resolve from a pod: `nslookup {name}` finds nothing.")
    if address != cluster_ip:
        return not_yet(f"`{name}` resolves to {address}, not to the cluster IP of `db` in "
                       f"`shop` ({cluster_ip}).")
    if not name.rstrip(".").endswith(".svc.cluster.local"):
        return not_yet(f"`{name}` works from a pod, thanks to the search list in "
                       "/etc/resolv.conf, but it is not the fully qualified name: spell it out "
                       "to the cluster domain.")
    return correct(f"`{name}` resolves to {cluster_ip}, the cluster IP of `db`, from any "
                   "namespace: <service>.<namespace>.svc.<cluster domain>.")


q4 = Exercise(
    id="ch05.q4",
    title="Find the DNS name",
    question=(
        "A Service `db` lives in the namespace `shop` of a cluster whose domain is the default, "
        "`cluster.local`. What is its fully qualified DNS name, the one that reaches it from a "
        "pod in any namespace? Set `db_name` to it."
    ),
    answer_name="db_name",
    judge=_judge_dns_name,
    hints=(
        "`kubectl exec client -- nslookup web` in section 8 printed the full name of `web`.",
        "The pattern is `<service>.<namespace>.svc.<cluster domain>`.",
        "db, then shop, then svc, then cluster.local, joined by dots.",
    ),
    solution_code='db_name = "db.shop.svc.cluster.local"',
    solution_note=(
        "CoreDNS answers `<service>.<namespace>.svc.cluster.local` with the Service's cluster "
        "IP. From a pod in `shop`, plain `db` works too; from elsewhere, `db.shop` does "
        "(thanks to the search list), and the full name always does."
    ),
)

# --- q5: discovery by environment variables ------------------------------------------------------

Q5_SERVICE = "redis-primary"


@cache
def _service_environment() -> tuple[str, dict[str, str]]:
    """Create Service ``redis-primary``, then a pod: the Service's cluster IP and the pod's
    environment, as ``env`` prints it in the container."""
    cluster = scratch_cluster(nodes=1)
    cluster.apply(textwrap.dedent(f"""\
        apiVersion: v1
        kind: Service
        metadata:
          name: {Q5_SERVICE}
        spec:
          selector:
            app: redis
          ports:
          - port: 6379
        """))
    cluster.kubectl(f"run {CLIENT} --image=busybox:1.36 -- sleep 3600")
    cluster.run(15)
    printed = cluster.kubectl(f"exec {CLIENT} -- env").stdout
    environment = dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)
    return cluster.api.get("Service", Q5_SERVICE)["spec"]["clusterIP"], environment


def _judge_env_var(answer):
    if not isinstance(answer, str) or not answer.strip():
        raise AnswerError(f"expected the name of an environment variable, got {answer!r}")
    name = answer.strip()
    cluster_ip, environment = _service_environment()
    if "-" in name:
        return not_yet(f"`{name}` cannot be an environment variable's name: the kubelet turns "
                       "the `-` of a Service's name into `_`.")
    if name not in environment and name.upper() in environment:
        return not_yet(f"`{name}`: environment variables are case-sensitive, and the kubelet "
                       "writes these in upper case.")
    if name not in environment:
        return not_yet(f"a pod started after the Service has no `{name}`. The variables are "
                       "named after the Service: its name in upper case, `-` as `_`, then a "
                       "suffix.")
    value = environment[name]
    if value != cluster_ip:
        return not_yet(f"`{name}` holds `{value}`, not the Service's cluster IP alone "
                       f"({cluster_ip}).")
    return correct(f"`{name}={cluster_ip}`, set by the kubelet in every container started "
                   "after the Service existed (pods started before it never get it: DNS has "
                   "no such gap).")


q5 = Exercise(
    id="ch05.q5",
    title="Discovery by environment variables",
    question=(
        "A Service named `redis-primary` exists. In a pod started after it, which environment "
        "variable holds the Service's cluster IP? Set `redis_host_variable` to its name."
    ),
    answer_name="redis_host_variable",
    judge=_judge_env_var,
    hints=(
        "Section 8 listed the variables a new pod got for the Service `web`.",
        "The Service's name in upper case, with `-` written as `_`, then `_SERVICE_HOST`.",
        "REDIS_PRIMARY_...",
    ),
    solution_code='redis_host_variable = "REDIS_PRIMARY_SERVICE_HOST"',
    solution_note=(
        "The kubelet adds `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` and the Docker-link "
        "style `<NAME>_PORT...` for every Service of the pod's namespace that exists when the "
        "container starts (`enableServiceLinks`, on by default)."
    ),
)

EXERCISES = (q1, q2, q3, q4, q5)
