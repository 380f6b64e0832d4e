"""Chapter 4 exercises: pods.

Every check runs the answer in a simulated cluster and judges what the cluster did with it: a
manifest is applied to a fresh cluster and read back through the API (its QoS class, its
readiness, its events); a repaired cluster is read as it is. Expected numbers (restarts after
half an hour, an OOM-killed container's exit code) are measured by running the simulator, so the
exercises stay right if a default of the simulator changes.

The manifests the checks start from are the ones under ``assets/manifests/04/`` (a test keeps
them equal).
"""

from __future__ import annotations

import textwrap
from functools import cache

from k8skit.api.qos import GUARANTEED
from k8skit.api.quantity import memory_bytes
from k8skit.cluster import Cluster
from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.exercises.cluster_checks import (
    apply_answer,
    pods_of,
    scratch_cluster,
    statuses,
)
from k8skit.exercises.core import AnswerError, Exercise, as_number, correct, not_yet
from k8skit.kubectl.printers.tables import pod_summary

# --- helpers --------------------------------------------------------------------------------


def last_event(cluster: Cluster, pod: str, reasons: tuple[str, ...]) -> str | None:
    """The message of the latest event about ``pod`` with the first of ``reasons`` that has
    any (as ``kubectl describe pod`` lists them under Events), or None."""
    events = [event for event in cluster.api.list("Event", "default")
              if event["involvedObject"].get("name") == pod
              # "Error: ImagePullBackOff" only repeats the status; the event before says why.
              and not (event.get("message") or "").startswith("Error: ")]
    for reason in reasons:
        found = [event for event in events if event.get("reason") == reason]
        if found:
            latest = max(found, key=lambda e: (e.get("lastTimestamp") or "",
                                               int(e["metadata"].get("resourceVersion") or 0)))
            return latest.get("message")
    return None


def repository_of(image: str) -> str:
    """The image's repository without registry, tag or digest: ``nginx`` for
    ``docker.io/library/nginx:1.27``."""
    return image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]


def why_not_running(cluster: Cluster, pod: dict) -> str:
    """What ``kubectl get pods`` and the pod's latest warning say about a pod that is not ready."""
    name = pod["metadata"]["name"]
    status = pod_summary(pod).reason
    warning = last_event(cluster, name, ("FailedScheduling", "Unhealthy", "Failed", "BackOff"))
    return f"{status}: {warning}" if warning else status


# --- q1: a pod that becomes Ready -------------------------------------------------------------

Q1_NAME = "web"
#: Seconds the check lets pass before it looks: enough to pull nginx and pass a probe or two.
Q1_SECONDS = 30


def _judge_ready_pod(answer):
    cluster = scratch_cluster()
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    pod = cluster.api.try_get("Pod", Q1_NAME)
    if pod is None:
        if cluster.api.try_get("Deployment", Q1_NAME) is not None:
            return not_yet("that is a Deployment named `web`. This exercise asks for the pod "
                           "itself: `kind: Pod`, with the containers directly under `spec`.")
        return not_yet("the manifest has no Pod named `web` (`kind: Pod`, "
                       "`metadata: {name: web}`).")
    containers = pod["spec"]["containers"]
    if not any(repository_of(c.get("image", "")) == "nginx" for c in containers):
        images = ", ".join(c.get("image", "") for c in containers)
        return not_yet(f"`web` runs {images}; the exercise asks for an nginx container.")
    probes = [c["readinessProbe"] for c in containers if c.get("readinessProbe")]
    if not probes:
        return not_yet("no container of `web` has a `readinessProbe`. Without one, a pod counts "
                       "as ready the moment its containers start, whether nginx answers yet "
                       "or not.")
    if not any("httpGet" in probe for probe in probes):
        return not_yet("the readiness probe should ask nginx itself for a page: an `httpGet` "
                       "probe with `path: /` and `port: 80`.")
    cluster.run(Q1_SECONDS)
    pod = cluster.api.get("Pod", Q1_NAME)
    if not is_pod_ready(pod):
        return not_yet(f"after {Q1_SECONDS} s `web` is not ready ("
                       f"{why_not_running(cluster, pod)}).")
    summary = pod_summary(pod)
    return correct(f"after {Q1_SECONDS} s `web` is READY {summary.ready}/{summary.total} on "
                   f"{pod['spec']['nodeName']}: nginx answered the kubelet's readiness probe, so "
                   "a Service would now send it traffic.")


q1 = Exercise(
    id="ch04.q1",
    title="A pod that becomes Ready",
    question=(
        "Write a Pod named `web` with one container running `nginx:1.27` that declares "
        "`containerPort: 80` and has a readiness probe asking nginx for `/` on port 80. The "
        f"check applies it to a fresh cluster, lets {Q1_SECONDS} s pass and expects READY 1/1. "
        "Set `web_pod` to the YAML text (or to the path of a .yaml file)."
    ),
    answer_name="web_pod",
    judge=_judge_ready_pod,
    hints=(
        "Start from ../assets/manifests/04/nginx.yaml: change the pod's name and add the probe.",
        "A readiness probe sits in the container, next to `image` and `ports`: "
        "`readinessProbe:` with `httpGet:` below it.",
        "Under the container: `readinessProbe: {httpGet: {path: /, port: 80}}`, written as "
        "block YAML or like this, in braces. Add `periodSeconds: 5` to probe every 5 s.",
    ),
    solution_code='''
web_pod = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
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
        "The kubelet sends `GET /` to the pod's IP on port 80 every period; the first answer "
        "in the 200s turns the container, and the pod, Ready. A wrong port or path keeps it "
        "0/1 with `Readiness probe failed` events, yet it is never restarted for it."
    ),
)

# --- q2: a Guaranteed pod ----------------------------------------------------------------------

Q2_NAME = "shop"
Q2_CONTAINERS = ("web", "sidecar")
Q2_SECONDS = 30


def _unequal_resources(container: dict) -> list[str]:
    """Why one container keeps its pod from being Guaranteed, in plain words (none: it does not).

    Reads the container as the API server stored it, after defaulting copied any limit without
    a request into the request.
    """
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    reasons = []
    for resource in ("cpu", "memory"):
        if resource not in limits:
            reasons.append(f"`{container['name']}` has no {resource} limit")
        elif requests.get(resource) != limits[resource]:
            reasons.append(f"`{container['name']}` requests {resource} "
                           f"{requests.get(resource)} but its limit is {limits[resource]}")
    return reasons


def _judge_guaranteed(answer):
    cluster = scratch_cluster()
    refused = apply_answer(cluster, answer)
    if refused:
        return refused
    pod = cluster.api.try_get("Pod", Q2_NAME)
    if pod is None:
        return not_yet("the manifest has no Pod named `shop`: start from "
                       "../assets/manifests/04/shop.yaml and change only its resources.")
    names = tuple(container["name"] for container in pod["spec"]["containers"])
    if sorted(names) != sorted(Q2_CONTAINERS):
        return not_yet(f"`shop` has the containers {', '.join(names)}; keep its two containers, "
                       f"{' and '.join(Q2_CONTAINERS)}: the shop needs both.")
    qos = pod["status"].get("qosClass")
    if qos != GUARANTEED:
        reasons = [reason for container in pod["spec"]["containers"]
                   for reason in _unequal_resources(container)]
        return not_yet(f"`shop` is {qos}: " + "; ".join(reasons) + ". Guaranteed needs a cpu and "
                       "a memory limit in every container, each equal to its request.")
    cluster.run(Q2_SECONDS)
    pod = cluster.api.get("Pod", Q2_NAME)
    if not is_pod_ready(pod):
        return not_yet(f"`shop` is Guaranteed but not running after {Q2_SECONDS} s "
                       f"({why_not_running(cluster, pod)}). Ask for what a node can give.")
    return correct("`shop` is Guaranteed and running: every container's requests equal its "
                   "limits, so the kubelet evicts it last when its node runs short of memory.")


q2 = Exercise(
    id="ch04.q2",
    title="Make a pod Guaranteed",
    question=(
        "../assets/manifests/04/shop.yaml describes a pod `shop` of QoS class Burstable, with "
        "two containers. Change its resources (and only them) so that its QoS class is "
        "Guaranteed and it still runs. Set `guaranteed_pod` to the YAML text (or to the path of "
        "a .yaml file)."
    ),
    answer_name="guaranteed_pod",
    judge=_judge_guaranteed,
    hints=(
        "The QoS class looks at every container of the pod, not only the first one.",
        "Each container needs a cpu limit and a memory limit, and requests equal to them. "
        "A container that gives only limits gets them copied into its requests.",
        "Give `web` requests equal to its limits (for example cpu 500m and memory 256Mi in "
        "both), and give `sidecar` `resources: {limits: {cpu: 100m, memory: 64Mi}}`.",
    ),
    solution_code='''
guaranteed_pod = """
apiVersion: v1
kind: Pod
metadata:
  name: shop
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
    resources:
      requests:
        cpu: 500m
        memory: 256Mi
      limits:
        cpu: 500m
        memory: 256Mi
  - name: sidecar
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
    resources:
      limits:
        cpu: 100m
        memory: 64Mi
"""
''',
    solution_note=(
        "`web` now requests what it may use, and `sidecar` got limits, which the API server "
        "copies into its requests. `kubectl get pod shop -o jsonpath='{.status.qosClass}'` "
        "prints Guaranteed."
    ),
)

# --- q3: the crash-loop back-off ----------------------------------------------------------------

#: The crash-looping pod of the notebook (assets/manifests/04/crasher.yaml).
CRASHER = textwrap.dedent("""\
    # A container that fails 2 seconds after every start: a crash loop.
    apiVersion: v1
    kind: Pod
    metadata:
      name: crasher
    spec:
      containers:
      - name: crasher
        image: busybox:1.36
        command: ["sh", "-c", "echo starting; sleep 2; echo giving up; exit 1"]
    """)
Q3_SHOWN_AT = 600
Q3_ASKED_AT = 1800


@cache
def crasher_restarts() -> dict[int, int]:
    """Run the crasher for half an hour: its restart count at 10 and at 30 minutes."""
    cluster = scratch_cluster()
    cluster.apply(CRASHER)
    counts = {}
    for moment in (Q3_SHOWN_AT, Q3_ASKED_AT):
        cluster.run(moment - cluster.now)
        status = cluster.api.get("Pod", "crasher")["status"]["containerStatuses"][0]
        counts[moment] = status["restartCount"]
    return counts


def _judge_restarts(answer):
    n = as_number(answer, "a whole number of restarts")
    if n != int(n) or n < 0:
        raise AnswerError(f"expected a whole number of restarts, got {answer!r}")
    counts = crasher_restarts()
    shown, asked = counts[Q3_SHOWN_AT], counts[Q3_ASKED_AT]
    if abs(n - asked) <= 1:
        return correct(f"the simulated kubelet got to {asked}. After {shown} restarts in the "
                       "first 10 minutes the back-off reached its cap of 300 s, so from then "
                       "on the container restarts about once every 5 minutes: 4 more in 20 "
                       "minutes (give or take one: the kubelet's resyncs add a few seconds).")
    if n >= 2 * shown:
        return not_yet(f"{n:g} is as if the container kept restarting at the pace of its first "
                       "10 minutes. The kubelet waits twice as long after each crash.")
    if n <= shown + 2:
        return not_yet(f"{n:g} is too few. The wait doubles after each crash, but it stops "
                       "growing at 5 minutes (300 s): count how many 5-minute waits fit in the "
                       "next 20 minutes.")
    direction = "more" if n > asked else "fewer"
    return not_yet(f"{n:g} is {direction} than the kubelet manages. Write down when each "
                   "restart happens: waits of 10, 20, 40 ... seconds, never more than 300.")


q3 = Exercise(
    id="ch04.q3",
    title="Predict the crash-loop back-off",
    question=(
        "The `crasher` pod of this notebook fails 2 s after each start, and the kubelet keeps "
        "restarting it. Above, you saw its RESTARTS when it was 10 minutes old. How many "
        "restarts will `kubectl get pods` show when it is 30 minutes old? Set `restarts_at_30m` "
        "(reason it out, then try it in a cluster if you like)."
    ),
    answer_name="restarts_at_30m",
    judge=_judge_restarts,
    hints=(
        "After a crash the kubelet restarts the container at once the first time, then waits "
        "10 s, 20 s, 40 s ...: the wait doubles each time (CrashLoopBackOff).",
        "The wait never grows beyond 300 s (5 minutes). By the 10th minute, it has reached that "
        "cap.",
        "From 10 to 30 minutes, one restart about every 5 minutes (plus 2 s of running): add "
        "4 to the RESTARTS shown at 10 minutes.",
    ),
    solution_code="""
from k8skit import Cluster
from k8skit.exercises.ch04 import CRASHER

trial = Cluster(nodes=1, seed=0)
trial.apply(CRASHER)
trial.run(30 * 60)
restarts_at_30m = trial.api.get("Pod", "crasher")["status"]["containerStatuses"][0][
    "restartCount"]
""",
    solution_note=(
        "The back-off doubles from 10 s and is capped at 300 s (`MaxContainerBackOff` in "
        "pkg/kubelet). A crash-looping container costs the node little, and still gets a new "
        "chance every 5 minutes, in case what it waits for has come back."
    ),
)

# --- q4: a Deployment whose pods stay Pending ---------------------------------------------------

Q4_NAME = "report"
Q4_REPLICAS = 3
Q4_NEEDS = "2Gi"
#: The Deployment of assets/manifests/04/report.yaml, whose pods fit on no node.
REPORT = textwrap.dedent("""\
    # Exercise 4's Deployment: its pods stay Pending. Each report needs 2 GiB of memory.
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: report
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: report
      template:
        metadata:
          labels:
            app: report
        spec:
          containers:
          - name: report
            image: busybox:1.36
            command: ["sh", "-c", "echo building the report; sleep 3600"]
            resources:
              requests:
                cpu: 500m
                memory: 20Gi
    """)


def pending_report(seed: int = 0) -> Cluster:
    """A cluster whose Deployment ``report`` asks for more memory per pod than any node has:
    its 3 pods are Pending."""
    cluster = Cluster(nodes=3, cpu="4", memory="8Gi", seed=seed)
    cluster.apply(REPORT)
    cluster.run(30)
    return cluster


def _judge_report(answer):
    if not isinstance(answer, Cluster):
        raise AnswerError("expected the cluster that pending_report() returned, after your fix")
    deployment = answer.api.try_get("Deployment", Q4_NAME)
    if deployment is None:
        return not_yet("this cluster has no Deployment `report`: answer with the cluster "
                       "pending_report() gave you (and keep the Deployment).")
    replicas = deployment["spec"].get("replicas", 1)
    if replicas != Q4_REPLICAS:
        return not_yet(f"the Deployment asks for {replicas} replica(s); the team needs "
                       f"{Q4_REPLICAS} reports at once. Fix the pods, not their number.")
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        request = ((container.get("resources") or {}).get("requests") or {}).get("memory")
        if request is None or memory_bytes(request) < memory_bytes(Q4_NEEDS):
            asked = f"requests memory {request}" if request else "requests no memory"
            return not_yet(f"container `{container['name']}` now {asked}, but a report needs "
                           f"{Q4_NEEDS}. The scheduler would place it on a node without that "
                           "room, where it could run out.")
    pods = pods_of(answer, {"app": Q4_NAME})
    ready = [pod for pod in pods if is_pod_ready(pod)]
    if len(ready) != Q4_REPLICAS or len(pods) != Q4_REPLICAS:
        waiting = [pod for pod in pods if not is_pod_ready(pod)]
        why = f": {why_not_running(answer, waiting[0])}" if waiting else ""
        return not_yet(f"{len(ready)} of {Q4_REPLICAS} report pods are ready ({statuses(pods)})"
                       f"{why}. After a fix, let time pass (`report.run(30)`).")
    nodes = sorted({pod["spec"]["nodeName"] for pod in ready})
    return correct(f"{Q4_REPLICAS} report pods run, on {', '.join(nodes)}. A request larger "
                   "than every node's allocatable memory can never be scheduled; "
                   "`kubectl describe pod` said so in its FailedScheduling event.")


q4 = Exercise(
    id="ch04.q4",
    title="Fix a pending Deployment",
    question=(
        "`report = pending_report()` gives a cluster whose Deployment `report` "
        "(../assets/manifests/04/report.yaml) has 3 pods stuck in Pending. Find out why, fix "
        f"the Deployment so that its 3 pods run, each still requesting at least {Q4_NEEDS} of "
        "memory, and let time pass. Then set `fixed` to the cluster."
    ),
    answer_name="fixed",
    judge=_judge_report,
    hints=(
        "`%kubectl describe pod -l app=report` (the magics talk to `report`, the cluster made "
        "last) ends with the scheduler's FailedScheduling event.",
        "`3 Insufficient memory`: each pod asks for 20Gi and each worker has 8Gi. Apply the "
        "Deployment again with a request that fits, in a `%%kubectl` cell.",
        "Copy report.yaml into a `%%kubectl` cell with `memory: 2Gi`, run it, then "
        "`report.run(30)` and `fixed = report`.",
    ),
    solution_code="""
from k8skit.exercises.ch04 import REPORT, pending_report

report = pending_report()
report.kubectl("apply -f -", stdin=REPORT.replace("memory: 20Gi", "memory: 2Gi"))
report.run(30)
fixed = report
""",
    solution_note=(
        "The Deployment rolled out a new template: new pods requesting 2Gi, which the scheduler "
        "placed at once, and the old Pending pods were deleted. The scheduler reads requests, "
        "never what a container really uses."
    ),
)

# --- q5: the exit code of an OOM kill ------------------------------------------------------------

#: The pod of assets/manifests/04/memory-demo-2.yaml: it allocates 250M under a 100Mi limit.
MEMORY_HOG = textwrap.dedent("""\
    apiVersion: v1
    kind: Pod
    metadata:
      name: memory-demo-2
    spec:
      containers:
      - name: memory-demo-2-ctr
        image: polinux/stress
        resources:
          requests:
            memory: "50Mi"
          limits:
            memory: "100Mi"
        command: ["stress"]
        args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
    """)


@cache
def oom_kill() -> tuple[str, int]:
    """Run the memory hog until its first kill: the reason and exit code the kubelet reports."""
    cluster = scratch_cluster(nodes=1)
    cluster.apply(MEMORY_HOG)
    for _ in range(60):
        cluster.run(1)
        status = cluster.api.get("Pod", "memory-demo-2")["status"]["containerStatuses"][0]
        terminated = (status.get("lastState") or {}).get("terminated") or (
            status.get("state") or {}).get("terminated")
        if terminated:
            return terminated["reason"], terminated["exitCode"]
    raise RuntimeError("the memory hog was not killed within a minute")


def _judge_exit_code(answer):
    if isinstance(answer, str) and not answer.strip().lstrip("-").isdigit():
        reason = answer.strip()
        if reason.lower() == oom_kill()[0].lower():
            return not_yet(f"{reason} is the reason `kubectl describe` shows; the question asks "
                           "for the Exit Code below it, a number.")
    code = as_number(answer, "an exit code (a number)")
    reason, expected = oom_kill()
    if code == expected:
        return correct(f"{expected} = 128 + 9: the container's main process died of signal 9 "
                       f"(SIGKILL), sent by the kernel's OOM killer; the kubelet reports the "
                       f"reason {reason}.")
    if code == 9:
        return not_yet("9 is the signal (SIGKILL). A process killed by a signal exits with "
                       "128 plus the signal's number.")
    if code == 1:
        return not_yet("1 is what a program returns when it gives up by itself (reason "
                       "Error). This one did not choose to exit.")
    if code == 143:
        return not_yet("143 is 128 + 15, a SIGTERM: what a container gets when it is asked to "
                       "stop. The OOM killer does not ask.")
    return not_yet(f"{code:g} is not it: read `Last State` in `kubectl describe pod "
                   "memory-demo-2`.")


q5 = Exercise(
    id="ch04.q5",
    title="Read an OOM kill",
    question=(
        "The `memory-demo-2` container allocates 250 MB under a 100Mi memory limit. With which "
        "exit code does it end each time it is killed? Set `oom_exit_code`."
    ),
    answer_name="oom_exit_code",
    judge=_judge_exit_code,
    hints=(
        "`kubectl describe pod memory-demo-2` shows the container's `Last State`.",
        "The kernel kills it with SIGKILL, signal 9. A shell reports a process killed by a "
        "signal with 128 + the signal's number.",
        "128 + 9.",
    ),
    solution_code="""
# kubectl describe pod memory-demo-2: Last State: Terminated, Reason: OOMKilled, Exit Code: 137
oom_exit_code = 137
""",
    solution_note=(
        "137 with reason OOMKilled: the kernel's cgroup OOM killer stopped the container at its "
        "limit. Raising the limit (or fixing the leak) is the cure; restarting is not."
    ),
)

EXERCISES = (q1, q2, q3, q4, q5)
