"""Chapter 3 exercises: the anatomy of a cluster, and what a node failure does.

The expected answers come from the simulator itself: the order in which components act is read
from the API server's audit log, and the delays of a node failure are measured by failing a
node. A manifest answer is judged by powering off a node under it.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from functools import cache

from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.exercises.cluster_checks import (
    apply_answer,
    pods_of,
    scratch_cluster,
    statuses,
)
from k8skit.exercises.core import (
    AnswerError,
    Exercise,
    ____,
    as_number,
    correct,
    not_attempted,
    not_yet,
)
from k8skit.history import record
from k8skit.kubectl.printers.tables import node_status
from k8skit.viz.anatomy import (
    API_SERVER,
    CONTROLLER_MANAGER,
    ETCD,
    KUBE_PROXY,
    KUBECTL,
    KUBELET,
    RUNTIME,
    SCHEDULER,
)

# --- who is who --------------------------------------------------------------------------------

#: Other names a learner may use for a component, written in lower case with single spaces.
COMPONENT_ALIASES = {
    "api server": API_SERVER, "apiserver": API_SERVER, "kube apiserver": API_SERVER,
    "scheduler": SCHEDULER, "kube scheduler": SCHEDULER,
    "controller manager": CONTROLLER_MANAGER, "kube controller manager": CONTROLLER_MANAGER,
    "controllers": CONTROLLER_MANAGER,
    "kubelet": KUBELET, "etcd": ETCD,
    "container runtime": RUNTIME, "runtime": RUNTIME, "containerd": RUNTIME, "cri o": RUNTIME,
    "kube proxy": KUBE_PROXY,
}
COMPONENTS = (API_SERVER, ETCD, SCHEDULER, CONTROLLER_MANAGER, KUBELET, RUNTIME, KUBE_PROXY)


def component_named(text) -> str:
    """A component's name as the anatomy figure writes it, from any usual spelling."""
    if not isinstance(text, str):
        raise AnswerError(f"expected a component's name, such as 'kubelet', got {text!r}")
    words = re.sub(r"[\s_-]+", " ", text.strip().lower())
    found = COMPONENT_ALIASES.get(words)
    if found is None:
        raise AnswerError(f"{text!r} is not a component; the components are "
                          + ", ".join(repr(name) for name in COMPONENTS))
    return found


def component_of(user: str) -> str | None:
    """The component behind a user name of the API server's audit log.

    Each component authenticates as its own user: a kubelet as ``system:node:<node>``, the
    scheduler as ``system:kube-scheduler``, each controller as its service account
    (``system:serviceaccount:kube-system:replicaset-controller`` with kubeadm's
    ``--use-service-account-credentials``), an administrator's kubectl as ``kubernetes-admin``.
    """
    if user.startswith("system:node:") or user == "kubelet":
        return KUBELET
    if "scheduler" in user:
        return SCHEDULER
    if user.endswith("controller") or "controller-manager" in user:
        return CONTROLLER_MANAGER
    if user in ("system:admin", "kubernetes-admin"):
        return KUBECTL
    if user == "system:apiserver":
        return API_SERVER
    return None


# --- q1: who does what ---------------------------------------------------------------------------

JOBS = {
    "picks a node for each new pod": SCHEDULER,
    "stores every object of the cluster": ETCD,
    "checks each request and is the only one to talk to etcd": API_SERVER,
    "creates the pods a ReplicaSet is missing": CONTROLLER_MANAGER,
    "starts a pod's containers on its node and reports their status": KUBELET,
    "pulls images and runs the containers' processes": RUNTIME,
    "programs each node's rules that send Service traffic to pods": KUBE_PROXY,
}


def _judge_who_does(answer):
    if not isinstance(answer, dict):
        raise AnswerError("expected the dictionary of the starter cell, with each ____ "
                          "replaced by a component's name")
    if all(value is ____ or value is None for value in answer.values()):
        return not_attempted("replace each ____ with a component's name, then run the cell "
                             "again.")
    missing = [job for job in JOBS if job not in answer]
    if missing:
        return not_yet(f"the job {missing[0]!r} is missing from the dictionary: start again "
                       "from the starter cell.")
    blank = [job for job in JOBS if answer[job] is ____ or answer[job] is None]
    if blank:
        return not_yet(f"{len(blank)} job(s) still have ____, such as {blank[0]!r}.")
    wrong = [job for job, component in JOBS.items() if component_named(answer[job]) != component]
    if wrong:
        return not_yet(f"{len(wrong)} of {len(JOBS)} are not right yet: "
                       + "; ".join(repr(job) for job in wrong)
                       + ". Hover over the components of the anatomy figure to read their jobs.")
    return correct("every job has its component. Only the API server talks to etcd; every "
                   "other component watches and writes objects through it.")


q1 = Exercise(
    id="ch03.q1",
    title="Who does what?",
    question=(
        "Fill in the dictionary `who_does`: for each job, the component that does it "
        "(kube-apiserver, etcd, kube-scheduler, kube-controller-manager, kubelet, container "
        "runtime or kube-proxy)."
    ),
    answer_name="who_does",
    judge=_judge_who_does,
    hints=(
        "Three of the jobs are done on every worker node, four on the control plane.",
        "On a node: the kubelet looks after pods, the container runtime after processes and "
        "images, kube-proxy after Service traffic. On the control plane: etcd stores, the API "
        "server checks, the scheduler places, the controllers create what is missing.",
        "Pods a ReplicaSet is missing are created by the ReplicaSet controller, which runs "
        "inside kube-controller-manager.",
    ),
    solution_code="""
who_does = {
    "picks a node for each new pod": "kube-scheduler",
    "stores every object of the cluster": "etcd",
    "checks each request and is the only one to talk to etcd": "kube-apiserver",
    "creates the pods a ReplicaSet is missing": "kube-controller-manager",
    "starts a pod's containers on its node and reports their status": "kubelet",
    "pulls images and runs the containers' processes": "container runtime",
    "programs each node's rules that send Service traffic to pods": "kube-proxy",
}
""",
    solution_note="The four control-plane components, then the three that run on every node.",
)

# --- q2: the journey of one kubectl apply ------------------------------------------------------

JOURNEY_MANIFEST = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: journey
    spec:
      replicas: 1
      selector:
        matchLabels:
          app: journey
      template:
        metadata:
          labels:
            app: journey
        spec:
          containers:
          - name: web
            image: nginx:1.27
    """)
JOURNEY_STEPS = (CONTROLLER_MANAGER, SCHEDULER, KUBELET, RUNTIME)


@cache
def journey_order() -> tuple[str, ...]:
    """The order in which the components acted on a new Deployment, read from the audit log.

    The container runtime never talks to the API server (the kubelet calls it through the
    CRI), so it appears right after the kubelet that drives it.
    """
    cluster = scratch_cluster(nodes=1)
    first = len(cluster.api.audit)
    cluster.apply(JOURNEY_MANIFEST)
    cluster.run(30)
    order: list[str] = []
    for entry in cluster.api.audit[first:]:
        component = component_of(entry.user)
        if entry.namespace == "default" and component in JOURNEY_STEPS \
                and component not in order:
            order.append(component)
            if component == KUBELET:
                order.append(RUNTIME)
    return tuple(order)


def _judge_journey(answer):
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        raise AnswerError("expected a list of the four components, in order")
    given = [component_named(item) for item in answer]
    if sorted(given) != sorted(JOURNEY_STEPS):
        raise AnswerError("expected each of " + ", ".join(repr(c) for c in JOURNEY_STEPS)
                          + " exactly once")
    order = journey_order()
    if given == list(order):
        return correct(" → ".join(order) + ": each acts on what the one before wrote into the "
                       "API server, and none of them calls another.")
    first_wrong = next(i for i, (a, b) in enumerate(zip(given, order, strict=True)) if a != b)
    return not_yet(f"step {first_wrong + 1} is not {given[first_wrong]}. Ask for each "
                   "component: what object must exist before it has anything to do?")


q2 = Exercise(
    id="ch03.q2",
    title="Follow one kubectl apply",
    question=(
        "After `kubectl apply` of a new Deployment, in which order do these act on it: "
        "'kubelet', 'kube-scheduler', 'container runtime', 'kube-controller-manager'? "
        "Set `journey_order` to the four names, in order."
    ),
    answer_name="journey_order",
    judge=_judge_journey,
    hints=(
        "Every component waits for an object to appear: a Deployment, a ReplicaSet, a pod "
        "without a node, a pod bound to my node.",
        "kubectl stores only the Deployment. The pods must exist before anyone can place them, "
        "and be placed before a node runs them.",
        "Controllers create the ReplicaSet and its pods; the scheduler binds each pod; the "
        "kubelet of that node asks the runtime to start the containers.",
    ),
    solution_code=(
        'journey_order = ["kube-controller-manager", "kube-scheduler", "kubelet", '
        '"container runtime"]'
    ),
    solution_note="Read the audit log table of the notebook from top to bottom.",
)

# --- q3: how long a node failure takes to heal --------------------------------------------------

FAILURE_MANIFEST = JOURNEY_MANIFEST.replace("journey", "survivor").replace("replicas: 1",
                                                                          "replicas: 3")


@cache
def failure_delays() -> tuple[float, float]:
    """Power off a worker running a pod; measure, in seconds after the failure, when the node
    shows NotReady and when the first replacement pod is created."""
    cluster = scratch_cluster()
    cluster.apply(FAILURE_MANIFEST)
    cluster.run(60)
    history = record(cluster)
    node = pods_of(cluster, {"app": "survivor"})[0]["spec"]["nodeName"]
    failed_at = cluster.now
    cluster.fail_node(node)
    cluster.run(600)
    not_ready = next(time for time, status in history.nodes[node]
                     if time >= failed_at and status.startswith("NotReady"))
    replaced = min(life.created for life in history.pods.values()
                   if life.namespace == "default" and life.created > failed_at)
    return not_ready - failed_at, replaced - failed_at


Q3_TOLERANCE_S = 30


def _judge_replaced(answer):
    seconds = as_number(answer, "a number of seconds")
    not_ready, replaced = failure_delays()
    if abs(seconds - replaced) <= Q3_TOLERANCE_S:
        return correct(f"the simulator measured {replaced:g} s: the node showed NotReady after "
                       f"{not_ready:g} s, and its pods were evicted once their 300 s toleration "
                       "of the unreachable taint ran out. Their ReplicaSet replaced them at once.")
    if abs(seconds - not_ready) <= 15:
        return not_yet(f"about {not_ready:g} s is when the node shows NotReady. Its pods are not "
                       "evicted yet: they tolerate the node being unreachable for a while.")
    if abs(seconds - 300) <= 15:
        return not_yet("300 s is the pods' toleration, counted from the moment the node is "
                       "tainted, not from the failure. How long until that happens?")
    direction = "too late" if seconds > replaced else "too early"
    return not_yet(f"{seconds:g} s is {direction}. Add up the two waits: until the node is "
                   "marked NotReady, then until its pods are evicted.")


q3 = Exercise(
    id="ch03.q3",
    title="How long until the pods come back?",
    question=(
        "A worker of a 3-worker cluster loses power. About how many seconds later are the pods "
        f"it ran created again on the other workers (within {Q3_TOLERANCE_S} s)? "
        "Set `seconds_until_replaced`."
    ),
    answer_name="seconds_until_replaced",
    judge=_judge_replaced,
    hints=(
        "Two clocks run one after the other: the node lifecycle controller waits for missed "
        "heartbeats, then the pods wait out their toleration of the node's new taint.",
        "The node is marked NotReady (and tainted unreachable) about 50 s after its last "
        "heartbeat; every pod tolerates that taint for 300 s (tolerationSeconds).",
        "About 50 s + 300 s, plus a few seconds for the controllers to notice.",
    ),
    solution_code="""
from k8skit.exercises.ch03 import failure_delays

not_ready_after, replaced_after = failure_delays()
seconds_until_replaced = replaced_after
""",
    solution_note=(
        "node-monitor-grace-period (50 s) + the default tolerationSeconds (300 s). The "
        "replacements start at once, if another node has room."
    ),
)

# --- q4: survive a node failure ----------------------------------------------------------------

Q4_REQUESTS = 20
Q4_WAIT_S = 90


def _judge_resilient(answer):
    cluster = scratch_cluster()
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    deployment = cluster.api.try_get("Deployment", "web")
    service = cluster.api.try_get("Service", "web")
    if deployment is None:
        return not_yet("keep the Deployment `web` of the starter manifest.")
    node_port = next((port.get("nodePort") for port in (service or {}).get("spec", {})
                      .get("ports", []) if port.get("nodePort")), None)
    if node_port is None:
        return not_yet("keep the Service `web` of type NodePort from the starter manifest: the "
                       "check sends its requests to it.")
    cluster.run(60)
    selector = deployment["spec"]["selector"]
    pods = [pod for pod in cluster.api.list("Pod", "default", label_selector=selector)
            if is_pod_ready(pod)]
    if not pods:
        everything = cluster.api.list("Pod", "default", label_selector=selector)
        return not_yet(f"no pod of `web` was ready a minute after apply ({statuses(everything)}).")
    per_node = Counter(pod["spec"]["nodeName"] for pod in pods)
    victim = max(sorted(per_node), key=per_node.__getitem__)
    cluster.fail_node(victim)
    cluster.run(Q4_WAIT_S)
    survivor = next(node for node in cluster.api.list("Node", None)
                    if node["metadata"]["name"] not in (victim, "control-plane")
                    and node_status(node) == "Ready")
    address = next(a["address"] for a in survivor["status"]["addresses"]
                   if a["type"] == "InternalIP")
    result = cluster.send_requests(f"http://{address}:{node_port}/", n=Q4_REQUESTS)
    where = ", ".join(f"{n} on {node}" for node, n in sorted(per_node.items()))
    if result.succeeded == Q4_REQUESTS:
        return correct(f"web's ready pods ran {where}. The check powered off {victim}; "
                       f"{Q4_WAIT_S} s later all {Q4_REQUESTS} requests were answered, by "
                       f"{', '.join(sorted(result.counts))}.")
    alone = " Every ready pod was on the node that failed." if len(per_node) == 1 else ""
    return not_yet(f"web's ready pods ran {where}. The check powered off {victim}; "
                   f"{Q4_WAIT_S} s later {result.succeeded} of {Q4_REQUESTS} requests were "
                   f"answered.{alone}")


q4 = Exercise(
    id="ch03.q4",
    title="Survive the loss of a node",
    question=(
        "../assets/manifests/03/web-single.yaml runs `web` as one pod: when its node fails, the "
        "app is down for minutes. Change the manifest so that the app keeps answering when any "
        "one worker fails. The check applies it to a fresh 3-worker cluster, powers off the "
        f"node with the most `web` pods, and {Q4_WAIT_S} s later sends {Q4_REQUESTS} requests "
        "to the NodePort. Set `resilient_manifest` to the YAML text or a file's path."
    ),
    answer_name="resilient_manifest",
    judge=_judge_resilient,
    hints=(
        "A pod never moves to another node; only another pod, already running elsewhere, can "
        "answer while the failed node's pods wait for eviction.",
        "The scheduler spreads the replicas of one Deployment over the nodes by itself.",
        "Change `replicas: 1` to `replicas: 3` (2 would do too) and keep the rest.",
    ),
    solution_code='''
resilient_manifest = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: hello
        image: gcr.io/google-samples/hello-app:1.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30080
"""
''',
    solution_note=(
        "Replicas on several nodes: once the failed node is NotReady, its pods leave the "
        "Service's endpoints and the others answer every request. In the first ~50 s some "
        "requests still went to the dead pods."
    ),
)

EXERCISES = (q1, q2, q3, q4)
