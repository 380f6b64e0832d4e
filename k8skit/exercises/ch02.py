"""Chapter 2 exercises: what Kubernetes is.

The checks judge what an answer *does* in a simulated cluster, never the text of the answer:
a manifest is applied to a fresh cluster and the cluster is run; a repaired cluster is read
through the API. Every expected number comes from running the simulator, so the exercises stay
right if a default of the simulator changes.
"""

from __future__ import annotations

import textwrap
from functools import cache

from k8skit.cluster import Cluster
from k8skit.exercises.cluster_checks import (
    apply_answer,
    pods_of,
    ready_pods,
    rolled_out,
    scratch_cluster,
    statuses,
)
from k8skit.exercises.core import (
    AnswerError,
    Exercise,
    as_choices,
    as_number,
    correct,
    not_yet,
)

# --- helpers -------------------------------------------------------------------------------


def _image_name(image: str) -> str:
    """``docker.io/library/nginx:1.27`` and ``nginx:1.27`` name the same image."""
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if image.startswith(prefix):
            return image[len(prefix):]
    return image


def _template_images(deployment: dict) -> list[str]:
    containers = deployment["spec"]["template"]["spec"].get("containers") or []
    return [_image_name(container.get("image", "")) for container in containers]


# --- q1: desired state ---------------------------------------------------------------------

Q1_NAME = "web"
Q1_REPLICAS = 4
Q1_IMAGE = "nginx:1.27"
Q1_LABELS = {"app": "web"}


def _judge_web_manifest(answer):
    cluster = scratch_cluster()
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    deployment = cluster.api.try_get("Deployment", Q1_NAME)
    if deployment is None:
        if cluster.api.try_get("Pod", Q1_NAME) is not None:
            return not_yet("that is a bare Pod named `web`: nothing recreates a bare Pod that "
                           "is deleted. Ask a Deployment for the replicas.")
        return not_yet("the manifest has no Deployment named `web` (`kind: Deployment`, "
                       "`metadata.name: web`).")
    replicas = deployment["spec"].get("replicas", 1)
    if replicas != Q1_REPLICAS:
        return not_yet(f"the Deployment asks for {replicas} replica(s); the task wants "
                       f"{Q1_REPLICAS}.")
    if Q1_IMAGE not in _template_images(deployment):
        return not_yet(f"its pods run {', '.join(_template_images(deployment))}, not "
                       f"{Q1_IMAGE}.")
    template_labels = deployment["spec"]["template"]["metadata"].get("labels") or {}
    if any(template_labels.get(key) != value for key, value in Q1_LABELS.items()):
        return not_yet("its pods are not labelled `app: web`, so `kubectl get pods -l app=web` "
                       "finds none of them (set the labels in `spec.template.metadata`).")
    cluster.run(60)
    pods = pods_of(cluster, Q1_LABELS)
    ready = ready_pods(cluster, Q1_LABELS)
    if len(ready) != Q1_REPLICAS:
        return not_yet(f"a minute after `apply`, {len(ready)} of {Q1_REPLICAS} pods are ready "
                       f"({statuses(pods)}).")
    victim = ready[0]["metadata"]["name"]
    cluster.kubectl(f"delete pod {victim}")
    cluster.run(30)
    after = ready_pods(cluster, Q1_LABELS)
    if len(after) != Q1_REPLICAS:
        return not_yet(f"after `kubectl delete pod {victim}`, only {len(after)} pods are ready "
                       "30 s later.")
    replacement = sorted({p["metadata"]["name"] for p in after}
                         - {p["metadata"]["name"] for p in ready})
    return correct(f"4 nginx pods ran. The check deleted {victim}, and the ReplicaSet at once "
                   f"created {', '.join(replacement)}: 30 s later 4 were ready again. You "
                   "declared the state; a controller keeps it.")


q1 = Exercise(
    id="ch02.q1",
    title="Declare a desired state",
    question=(
        "Write a Deployment named `web` that keeps 4 replicas of `nginx:1.27` running, with its "
        "pods labelled `app: web`. The check applies it to a fresh cluster, deletes one of its "
        "pods, and expects 4 ready pods again shortly after. Set `web_manifest` to the YAML "
        "text (or to the path of a .yaml file)."
    ),
    answer_name="web_manifest",
    judge=_judge_web_manifest,
    hints=(
        "Start from ../assets/manifests/02/hello-deployment.yaml: it is a Deployment too.",
        "Change `metadata.name`, `spec.replicas`, the labels (in `selector.matchLabels` and in "
        "`template.metadata.labels`: they must match) and the container's `image`.",
        "The manifest starts `apiVersion: apps/v1`, `kind: Deployment`, `metadata: {name: web}`;"
        " its spec has `replicas: 4`, `selector: {matchLabels: {app: web}}` and a template "
        "whose labels are `app: web` and whose one container has `image: nginx:1.27`.",
    ),
    solution_code='''
web_manifest = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
"""
''',
    solution_note=(
        "`replicas: 4` is the desired state. The Deployment controller keeps a ReplicaSet, and "
        "the ReplicaSet controller creates a pod whenever fewer than 4 match its selector."
    ),
)

# --- q2: what Kubernetes does and does not do ------------------------------------------------

#: letter -> (task, done by Kubernetes itself?, why)
TASKS = {
    "a": ("restart a container that crashed", True,
          "the kubelet restarts it (self-healing)"),
    "b": ("build an image from your source code and Dockerfile", False,
          "building is CI's job: docker build in GitHub Actions, Tekton, Jenkins"),
    "c": ("spread requests over the pods of an app", True,
          "a Service and kube-proxy do it (load balancing)"),
    "d": ("run a PostgreSQL database for you, with backups", False,
          "databases come from operators (CloudNativePG) or managed services (Amazon RDS, "
          "Cloud SQL)"),
    "e": ("roll a release back to the previous version", True,
          "`kubectl rollout undo` (automated rollouts and rollbacks)"),
    "f": ("keep container logs, searchable, after their pod is deleted", False,
          "`kubectl logs` dies with the pod; Loki or Elasticsearch keep logs"),
    "g": ("choose a node for each pod from its CPU and memory requests", True,
          "the scheduler does it (automatic bin packing)"),
    "h": ("patch the nodes' operating system and kernel", False,
          "machines are configured by Ansible, Terraform or cloud images"),
    "i": ("give a pod storage that outlives the pod", True,
          "a PersistentVolumeClaim and a StorageClass (storage orchestration)"),
    "j": ("hand a password to a container without putting it in the image", True,
          "a Secret (secret and configuration management)"),
}


def _judge_does(answer):
    chosen = as_choices(answer, TASKS)
    does = {letter for letter, (_, done, _why) in TASKS.items() if done}
    if chosen == does:
        return correct(f"{', '.join(sorted(does))}: Kubernetes does these itself. The others are "
                       "left to tools around it (CI, operators, logging stacks, machine "
                       "configuration).")
    wrong = [f"{letter} is not Kubernetes' job ({TASKS[letter][2]})"
             for letter in sorted(chosen - does)]
    missing = sorted(does - chosen)
    if missing:
        wrong.append(f"{len(missing)} more task(s) in the list are Kubernetes' own")
    return not_yet("; ".join(wrong) + ".")


q2 = Exercise(
    id="ch02.q2",
    title="Does Kubernetes do it?",
    question=(
        "Which of these does Kubernetes do by itself? "
        + "; ".join(f"({letter}) {task}" for letter, (task, _, _why) in TASKS.items())
        + ". Set `kubernetes_does` to a list of letters, such as `['a', 'b']`."
    ),
    answer_name="kubernetes_does",
    judge=_judge_does,
    hints=(
        "Seven things Kubernetes does were shown live in this notebook; four things it does "
        "not, with the tools people use instead, are in the table after them.",
        "Building images, databases, log storage and machine configuration are done by other "
        "tools. Everything else in the list you saw the simulator do.",
        "Six letters: the tasks about restarting, spreading requests, rolling back, placing "
        "pods, storage and passwords.",
    ),
    solution_code="kubernetes_does = ['a', 'c', 'e', 'g', 'i', 'j']",
    solution_note=(
        "Kubernetes runs, connects, places, heals, updates and configures containers. Building "
        "them, application services, log storage and machines are left to other tools."
    ),
)

# --- q3: the container runtime ---------------------------------------------------------------


@cache
def _node_runtime() -> str:
    """What the simulated nodes report as their runtime: ``containerd://1.7.27``."""
    node = scratch_cluster(nodes=1).api.get("Node", "worker-1", None)
    return node["status"]["nodeInfo"]["containerRuntimeVersion"]


def _judge_runtime(answer):
    if not isinstance(answer, str):
        raise AnswerError(f"expected the runtime's name as a string, got {answer!r}")
    full = _node_runtime()
    name = full.split("://")[0]
    given = answer.strip().lower()
    if given in (name, full.lower()):
        return correct(f"{name}: `kubectl get nodes -o wide` shows {full}. The kubelet asks it "
                       "to pull images and start containers through the CRI; images built "
                       "with Docker run unchanged because both follow the OCI image format.")
    if given.startswith("docker"):
        return not_yet("the kubelet has not talked to Docker since Kubernetes 1.24 removed the "
                       "dockershim. Docker builds the images; read the CONTAINER-RUNTIME column "
                       "to see what runs them here.")
    if given.replace("-", "") in ("crio", "cri"):
        return not_yet("CRI-O is another runtime that speaks the CRI, but not the one these "
                       "nodes report.")
    return not_yet(f"{answer.strip()!r} is not what the nodes report: read the CONTAINER-RUNTIME "
                   "column of `kubectl get nodes -o wide`.")


q3 = Exercise(
    id="ch02.q3",
    title="Which runtime runs the containers?",
    question=(
        "The kubelet does not run containers itself: it asks a container runtime, through the "
        "CRI. Which runtime do the simulated nodes use? Set `runtime` to its name."
    ),
    answer_name="runtime",
    judge=_judge_runtime,
    hints=(
        "Every node reports its runtime to the API server, with its version.",
        "`kubectl get nodes -o wide` has a CONTAINER-RUNTIME column.",
        "The column reads `name://version`; the name is the part before `://`.",
    ),
    solution_code="""
# kubectl get nodes -o wide: CONTAINER-RUNTIME reads containerd://1.7.27
runtime = "containerd"
""",
    solution_note=(
        "containerd, the runtime Docker itself is built on. Since Kubernetes 1.24 the kubelet "
        "talks to containerd or CRI-O through the CRI, and no longer to Docker."
    ),
)

# --- q4: bin packing ---------------------------------------------------------------------------

Q4_CPU = "1500m"
Q4_MANIFEST = textwrap.dedent(f"""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: crunch
    spec:
      replicas: 12
      selector:
        matchLabels:
          app: crunch
      template:
        metadata:
          labels:
            app: crunch
        spec:
          containers:
          - name: crunch
            image: busybox:1.36
            command: ["sh", "-c", "sleep 3600"]
            resources:
              requests:
                cpu: {Q4_CPU}
                memory: 256Mi
    """)


@cache
def _pods_that_fit() -> int:
    """Run the experiment: ask for more pods than fit and count those that were placed."""
    cluster = scratch_cluster()
    cluster.apply(Q4_MANIFEST)
    cluster.run(60)
    return sum(1 for pod in pods_of(cluster, {"app": "crunch"}) if pod["spec"].get("nodeName"))


def _judge_fit(answer):
    n = as_number(answer, "a whole number of pods")
    if n != int(n):
        raise AnswerError(f"expected a whole number of pods, got {answer!r}")
    fit = _pods_that_fit()
    if n == fit:
        return correct(f"{fit}: 2 pods of 1.5 CPUs per 4-CPU worker, and 1 CPU left over on "
                       "each. A pod never spans nodes, and the control-plane node is tainted, "
                       f"so 12 CPUs of workers hold only {fit} such pods.")
    if n == 8:
        return not_yet("8 is 12 CPUs / 1.5 CPUs, as if a pod could use CPU from two nodes. "
                       "Each pod must fit on one node.")
    if n == 10:
        return not_yet("the control-plane node is tainted NoSchedule, so these pods never "
                       "go there. Count the workers only.")
    direction = "more" if n > fit else "fewer"
    return not_yet(f"{n:g} is {direction} than fit. Work out how many fit on one worker first.")


q4 = Exercise(
    id="ch02.q4",
    title="How many pods fit?",
    question=(
        "A cluster made with `Cluster(nodes=3, cpu='4', memory='8Gi')` gets a Deployment whose "
        "pods each request 1.5 CPUs (`cpu: 1500m`) and 256 MiB, with 12 replicas. How many of "
        "them can the scheduler place? Set `pods_that_fit` (you may try it in a cluster)."
    ),
    answer_name="pods_that_fit",
    judge=_judge_fit,
    hints=(
        "The scheduler places each pod on one node whose free CPU (allocatable minus the "
        "requests already there) covers the pod's request.",
        "Each worker has 4 CPUs. The control-plane node does not take ordinary pods (its "
        "taint). How many 1.5-CPU pods fit in 4 CPUs?",
        "2 per worker, since 3 pods would need 4.5 CPUs. The system pods on the workers "
        "request only 0.1 CPU, so that does not change.",
    ),
    solution_code="""
from k8skit import Cluster
from k8skit.exercises.ch02 import Q4_MANIFEST

trial = Cluster(nodes=3, cpu="4", memory="8Gi", seed=0)
trial.apply(Q4_MANIFEST)
trial.run(60)
pods_that_fit = len([line for line in trial.kubectl("get pods -l app=crunch").stdout.splitlines()
                     if " Running " in line])
""",
    solution_note=(
        "Requests are reserved per node: 2 pods per worker, 1 CPU stranded on each. The other "
        "6 replicas stay Pending with `0/4 nodes are available: ... 3 Insufficient cpu.`"
    ),
)

# --- q5: roll back a bad release ----------------------------------------------------------------

Q5_NAME = "shop"
Q5_GOOD = "gcr.io/google-samples/hello-app:2.0"
Q5_FIRST = "gcr.io/google-samples/hello-app:1.0"
Q5_BAD = "gcr.io/google-samples/hello-app:2.O"  # a letter O for a zero: a typo in a tag


def bad_release(seed: int = 0) -> Cluster:
    """A cluster in trouble: the ``shop`` Deployment went from hello-app 1.0 to 2.0, then to a
    tag with a typo that no registry has. Its rollout is stuck, the old pods still serving."""
    cluster = Cluster(nodes=3, cpu="4", memory="8Gi", seed=seed)
    cluster.kubectl(f"create deployment {Q5_NAME} --image={Q5_FIRST} --replicas=3 --port=8080")
    cluster.run(30)
    for image in (Q5_GOOD, Q5_BAD):
        cluster.kubectl(f"set image deployment/{Q5_NAME} hello-app={image}")
        cluster.run(60)
    return cluster


def _judge_rollback(answer):
    if not isinstance(answer, Cluster):
        raise AnswerError("expected the cluster that bad_release() returned, after your fix")
    deployment = answer.api.try_get("Deployment", Q5_NAME)
    if deployment is None:
        return not_yet("this cluster has no Deployment `shop`: answer with the cluster "
                       "bad_release() gave you (and do not delete the Deployment).")
    images = _template_images(deployment)
    if Q5_BAD in images:
        pods = pods_of(answer, {"app": Q5_NAME})
        return not_yet(f"the Deployment still asks for {Q5_BAD} ({statuses(pods)}). Roll it "
                       "back to the release before.")
    if Q5_FIRST in images:
        return not_yet(f"the Deployment now runs {Q5_FIRST}, two releases back. The last good "
                       f"release was {Q5_GOOD}: `kubectl rollout undo` without "
                       "`--to-revision` goes back one.")
    if Q5_GOOD not in images:
        return not_yet(f"the Deployment runs {', '.join(images)}; the last good release was "
                       f"{Q5_GOOD}.")
    if not rolled_out(deployment):
        pods = pods_of(answer, {"app": Q5_NAME})
        return not_yet(f"the Deployment asks for {Q5_GOOD}, but the rollout has not finished "
                       f"({statuses(pods)}): let the cluster run (`shop.run(30)`) or wait with "
                       "`kubectl rollout status deployment/shop`.")
    wanted = deployment["spec"].get("replicas", 1)
    available = deployment["status"]["availableReplicas"]
    return correct(f"{available} of {wanted} pods run {Q5_GOOD} again. The undo made the "
                   "old template the newest revision; the stuck pod with the typo is gone.")


q5 = Exercise(
    id="ch02.q5",
    title="Roll back a bad release",
    question=(
        "`shop = bad_release()` gives a cluster whose Deployment `shop` was updated to an image "
        "tag with a typo. Bring `shop` back to the last good release and let its rollout "
        "finish, then set `repaired` to the cluster."
    ),
    answer_name="repaired",
    judge=_judge_rollback,
    hints=(
        "Look first: `%kubectl get pods` and `%kubectl rollout history deployment/shop` "
        "(the magics talk to the cluster made last: `shop`).",
        "`kubectl rollout undo deployment/shop` goes back to the previous revision.",
        "Run `%kubectl rollout undo deployment/shop`, then `%kubectl rollout status "
        "deployment/shop` (it waits until the rollout is done), then `repaired = shop`.",
    ),
    solution_code="""
from k8skit.exercises.ch02 import bad_release

shop = bad_release()
shop.kubectl("rollout undo deployment/shop")
shop.kubectl("rollout status deployment/shop")
repaired = shop
""",
    solution_note=(
        "The rollout stopped with one new pod in ImagePullBackOff and the old pods still "
        "serving (maxUnavailable), so nobody noticed. `rollout undo` brought revision 2's "
        "template back as revision 4."
    ),
)

EXERCISES = (q1, q2, q3, q4, q5)
