"""Chapter 6, the workshop: one shop built, run, broken and healed, each step checked.

The shop has three parts. ``frontend`` (nginx, configured by the ConfigMap ``frontend-config``)
passes every request to the Service ``backend`` by name; ``backend`` (hello-app, with its API
token from the Secret ``backend-secret``) answers with its version and pod name; ``redis`` keeps
the visit count on the PersistentVolumeClaim ``redis-data``. Their manifests are the files in
``assets/manifests/06/``, the same files a learner applies to kind or minikube.

Every step is an exercise whose answer is the learner's cluster, ``shop``: its check reads the
cluster through the API server (and, like a learner would, through ``kubectl exec``, ``logs``
and ``curl``) and never changes it. A step whose work has not started yet is "not attempted",
so a fresh workshop notebook shows every step that way. Step 8 is the exception: its answer is
the image a broken release asked for.

:func:`workshop` gives a fresh cluster, or one where the first steps are already done (the
catch-up for a learner who fell behind): it replays each step's solution, the same code
``stepN.solution()`` shows, so the two cannot drift apart. :func:`teammate_release` and
:func:`power_cut` are the two breakages the workshop plays on the learner's cluster.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from pathlib import Path

from k8skit.cluster import Cluster
from k8skit.exercises.cluster_checks import pods_of, ready_pods, rolled_out, statuses
from k8skit.exercises.core import (
    AnswerError,
    Exercise,
    correct,
    not_attempted,
    not_yet,
)
from k8skit.history import record
from k8skit.kubectl.printers.tables import node_status
from k8skit.node.runtime.programs.nginx import ConfigError, parse_conf

#: Where the workshop's manifests live: the files a learner applies to a real cluster too.
MANIFESTS = Path(__file__).resolve().parents[2] / "assets" / "manifests" / "06"

NAMESPACE = "default"
CONFIG_MAP = "frontend-config"
CONFIG_KEY = "default.conf"
SECRET = "backend-secret"
TOKEN_KEY = "API_TOKEN"
CLAIM = "redis-data"
NODE_PORT = 30080
APPS = ("frontend", "backend", "redis")

FIRST_IMAGE = "gcr.io/google-samples/hello-app:1.0"
GOOD_IMAGE = "gcr.io/google-samples/hello-app:2.0"
#: The release a teammate rolls out: a tag that was never pushed to the registry.
BAD_IMAGE = "gcr.io/google-samples/hello-app:3.0"
BACKEND_REPLICAS = 2
SCALED_REPLICAS = 4

#: How long the replayed steps let the clock run: enough for pulls, probes and kube-proxy.
SETTLE = 30


def manifest(name: str) -> str:
    """The YAML of ``assets/manifests/06/<name>.yaml`` without its leading comment lines."""
    lines = (MANIFESTS / f"{name}.yaml").read_text().splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def _apply(name: str) -> str:
    return f'shop.apply("""\n{manifest(name)}""")\nshop.run({SETTLE})'


# --- what each step does, as the learner would type it -----------------------------------
# The code of each step's solution; workshop() replays it, stepN.solution() shows it.

ACTIONS = {
    1: _apply("config"),
    2: _apply("redis"),
    3: f"""\
for visit in range(3):
    shop.kubectl("exec deploy/redis -- redis-cli INCR visits")
shop.kubectl("delete pod -l app=redis")
shop.run({SETTLE})
shop.kubectl("exec deploy/redis -- redis-cli GET visits")  # the new pod still counts 3""",
    4: _apply("backend"),
    5: _apply("frontend"),
    6: f"""\
shop.kubectl("scale deployment/backend --replicas={SCALED_REPLICAS}")
shop.run({SETTLE})""",
    7: f"""\
shop.kubectl("set image deployment/backend hello-app={GOOD_IMAGE}")
shop.kubectl("rollout status deployment/backend")
shop.run(5)""",
    8: "# kubectl get pods: the new backend pods are in ImagePullBackOff.\n"
       "# kubectl describe pod <one of them>: Failed to pull image ... not found\n"
       f'bad_image = "{BAD_IMAGE}"',
    9: """\
shop.kubectl("rollout undo deployment/backend")
shop.kubectl("rollout status deployment/backend")
shop.run(5)""",
    10: """\
# The node turns NotReady after about 50 s; its pods are evicted 300 s later and replaced.
shop.run(400)""",
    11: """\
# kubectl get nodes: the machine that lost power is the one NotReady.
lost = [line.split()[0] for line in shop.kubectl("get nodes").stdout.splitlines()[1:]
        if line.split()[1].startswith("NotReady")]
shop.restore_node(lost[0])
shop.run(60)
# Kubernetes never moves running pods back: a rolling restart spreads the backend again.
shop.kubectl("rollout restart deployment/backend")
shop.kubectl("rollout status deployment/backend")
shop.run(5)""",
}
LAST_STEP = max(ACTIONS)


def workshop(before: int = 1, seed: int = 0) -> Cluster:
    """The workshop's cluster (3 workers of 4 CPUs and 8 GiB), with steps 1 to ``before - 1``
    done as their solutions do them, and ready for step ``before``: ``workshop()`` is a fresh
    cluster, ``workshop(before=6)`` one where the shop runs and step 6 can start.

    Its history is recorded from the start, for the timelines of ``k8skit.viz``.
    """
    if isinstance(before, bool) or not isinstance(before, int) \
            or not 1 <= before <= LAST_STEP + 1:
        raise ValueError(f"before is a step number from 1 to {LAST_STEP + 1}, not {before!r}")
    shop = Cluster(nodes=3, cpu="4", memory="8Gi", seed=seed)
    record(shop)
    for step in range(1, before):
        _prepare(shop, step)
        exec(ACTIONS[step], {"shop": shop})  # the course's own solution code, never a learner's
    _prepare(shop, before)
    return shop


def _prepare(shop: Cluster, step: int) -> None:
    """What happens to the shop, outside the learner's hands, before ``step``."""
    if step == 8:
        teammate_release(shop, quiet=True)
    elif step == 10:
        power_cut(shop, quiet=True)


def teammate_release(shop: Cluster, quiet: bool = False) -> None:
    """A teammate rolls out a new release of the backend, whose image was never pushed."""
    if shop.api.try_get("Deployment", "backend", NAMESPACE) is None:
        print("There is no Deployment backend to release yet: do steps 4 to 7 first.")
        return
    shop.kubectl(f"set image deployment/backend hello-app={BAD_IMAGE}")
    shop.run(60)
    if not quiet:
        print(f"At t={shop.now:.0f} s a teammate rolled out a new release of backend, then "
              "went to lunch. Something looks wrong...")


def power_cut(shop: Cluster, quiet: bool = False) -> None:
    """The machine that runs the shop's Redis loses power. Nothing in the API says so at once:
    its kubelet just stops reporting."""
    redis = [pod for pod in pods_of(shop, {"app": "redis"}) if pod["spec"].get("nodeName")]
    if not redis:
        print("There is no Redis pod on a node yet: do step 2 first.")
        return
    node = redis[0]["spec"]["nodeName"]
    if not shop.kubelets[node].running:
        print("That machine is already off.")
        return
    shop.fail_node(node)
    if not quiet:
        print(f"At t={shop.now:.0f} s one of the workers lost power.")


# --- reading the learner's cluster ---------------------------------------------------------

_KIND_WORDS = {"ConfigMap": "configmap", "Secret": "secret", "PersistentVolumeClaim": "pvc",
               "Deployment": "deployment", "Service": "service"}


def _cluster(answer) -> Cluster:
    if not isinstance(answer, Cluster):
        raise AnswerError("expected the workshop's cluster, `shop` (made by "
                          "`shop = workshop()` at the top of the notebook)")
    return answer


def _get(shop: Cluster, kind: str, name: str) -> dict | None:
    return shop.api.try_get(kind, name, NAMESPACE)


def _missing(shop: Cluster, kind: str, name: str) -> str:
    """There is no ``kind/name`` in the workshop's namespace: say so, and where it is instead."""
    elsewhere = sorted(obj["metadata"]["namespace"] for obj in shop.api.list(kind)
                       if obj["metadata"]["name"] == name
                       and obj["metadata"].get("namespace") != NAMESPACE)
    if elsewhere:
        return (f"the {kind} `{name}` is in namespace `{elsewhere[0]}`, but the shop lives in "
                f"`{NAMESPACE}` (`kubectl get {_KIND_WORDS[kind]} -A` lists every namespace): "
                "apply it without `-n` and without `metadata.namespace`")
    return f"there is no {kind} `{name}` (`kubectl get {_KIND_WORDS[kind]}`)"


def _none_exist(shop: Cluster, wanted: list[tuple[str, str]]) -> bool:
    """None of the step's objects exist anywhere: the step has not started."""
    return all(obj["metadata"]["name"] != name for kind, name in wanted
               for obj in shop.api.list(kind))


def _first_missing(shop: Cluster, wanted: list[tuple[str, str]]):
    for kind, name in wanted:
        if _get(shop, kind, name) is None:
            return not_yet(_missing(shop, kind, name) + ".")
    return None


def _containers(deployment: dict) -> list[dict]:
    return deployment["spec"]["template"]["spec"].get("containers") or []


def _images(deployment: dict) -> list[str]:
    return [container.get("image", "") for container in _containers(deployment)]


def _not_rolled_out(shop: Cluster, deployment: dict) -> str:
    name = deployment["metadata"]["name"]
    pods = pods_of(shop, {"app": name})
    return (f"the Deployment `{name}` has not finished rolling out ({statuses(pods)}). If time "
            f"is all it needs, let the clock run (`shop.run(30)`); else `kubectl describe pod` "
            "tells why a pod is stuck.")


def _exec(shop: Cluster, pod: dict, command: str) -> str:
    """What ``kubectl exec <pod> -- <command>`` prints (stdout, stripped)."""
    return shop.kubectl(f"exec {pod['metadata']['name']} -- {command}").stdout.strip()


def _entry_url(shop: Cluster, service: dict) -> str | None:
    """``http://<a Ready worker's IP>:<node port>/``: how a browser outside reaches the shop."""
    ports = [p.get("nodePort") for p in service["spec"].get("ports") or [] if p.get("nodePort")]
    if not ports:
        return None
    for node in sorted(shop.api.list("Node"), key=lambda n: n["metadata"]["name"]):
        labels = node["metadata"].get("labels") or {}
        if node_status(node) == "Ready" and "node-role.kubernetes.io/control-plane" not in labels:
            address = next(a["address"] for a in node["status"]["addresses"]
                           if a["type"] == "InternalIP")
            return f"http://{address}:{ports[0]}/"
    return None


def _backend_answers(shop: Cluster, n: int = 200) -> tuple[Counter, Counter, list[str]]:
    """Send ``n`` requests to the shop from outside: which backend pods and versions answered,
    and the failures, as curl would print them."""
    service = _get(shop, "Service", "frontend")
    url = _entry_url(shop, service) if service else None
    if url is None:
        return Counter(), Counter(), ["the shop has no NodePort to send requests to"]
    result = shop.send_requests(url, n=n)
    pods, versions, failures = Counter(), Counter(), []
    for response in result.responses:
        host = re.search(r"^Hostname: (\S+)", response.body or "", re.M)
        version = re.search(r"^Version: (\S+)", response.body or "", re.M)
        if response.ok and host and version:
            pods[host.group(1)] += 1
            versions[version.group(1)] += 1
        else:
            failures.append(response.error or f"HTTP {response.status}: "
                            f"{(response.body or '').strip()[:80]}")
    return pods, versions, failures


def _lost_nodes(shop: Cluster) -> list[str]:
    """The machines that are powered off."""
    return [name for name, kubelet in shop.kubelets.items() if not kubelet.running]


def _nodes_that_went_dark(shop: Cluster) -> list[str]:
    """Nodes the node lifecycle controller declared NotReady at some point (its events)."""
    return sorted({event["involvedObject"]["name"] for event in shop.api.list("Event")
                   if event.get("reason") == "NodeNotReady"
                   and event["involvedObject"].get("kind") == "Node"})


# --- step 1: configuration -----------------------------------------------------------------


def _proxy_hosts(directives) -> list[str]:
    """The hosts of every ``proxy_pass`` in an nginx configuration, blocks included."""
    hosts = []
    for directive in directives:
        if directive.name == "proxy_pass" and directive.args:
            hosts.append(directive.args[0].partition("://")[2].split("/")[0].split(":")[0])
        hosts += _proxy_hosts(directive.block or [])
    return hosts


def _decoded(secret: dict, key: str) -> str | None:
    value = (secret.get("data") or {}).get(key)
    if value is None:
        return None
    try:
        return base64.b64decode(value).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _judge_config(answer):
    shop = _cluster(answer)
    wanted = [("ConfigMap", CONFIG_MAP), ("Secret", SECRET)]
    if _none_exist(shop, wanted):
        return not_attempted(f"there is no ConfigMap `{CONFIG_MAP}` and no Secret `{SECRET}` "
                             "yet: create them, then run this check again.")
    missing = _first_missing(shop, wanted)
    if missing:
        return missing
    config = _get(shop, "ConfigMap", CONFIG_MAP).get("data") or {}
    if CONFIG_KEY not in config:
        keys = ", ".join(f"`{key}`" for key in config) or "none"
        return not_yet(f"the ConfigMap has no key `{CONFIG_KEY}` (its keys: {keys}). Mounted "
                       "as a volume, each key becomes a file, and nginx reads the files ending "
                       "in .conf.")
    try:
        directives = parse_conf(config[CONFIG_KEY], f"/etc/nginx/conf.d/{CONFIG_KEY}")
    except ConfigError as error:
        return not_yet(f"nginx would refuse `{CONFIG_KEY}`: [emerg] {error}.")
    hosts = _proxy_hosts(directives)
    if "backend" not in hosts:
        shown = f" (it names {', '.join(hosts)})" if hosts else ""
        return not_yet("the nginx configuration does not pass requests to the Service "
                       f"`backend`{shown}: `location / {{ proxy_pass http://backend; }}`.")
    secret = _get(shop, "Secret", SECRET)
    if secret.get("type", "Opaque") != "Opaque":
        return not_yet(f"the Secret has type `{secret.get('type')}`; an API token is plain "
                       "`Opaque` data (`kubectl create secret generic`).")
    token = _decoded(secret, TOKEN_KEY)
    if token is None:
        keys = ", ".join(f"`{key}`" for key in secret.get("data") or {}) or "none"
        return not_yet(f"the Secret has no key `{TOKEN_KEY}` (its keys: {keys}).")
    if not token.strip():
        return not_yet(f"the Secret's `{TOKEN_KEY}` is empty.")
    return correct(f"nginx will pass requests to `backend`, and the token is stored base64-"
                   f"encoded: `kubectl get secret {SECRET} -o yaml` shows "
                   f"`{secret['data'][TOKEN_KEY]}`, which anyone allowed to read Secrets can "
                   "decode. Encoding is not encryption.")


step1 = Exercise(
    id="ch06.step1",
    title="Step 1 · Configure the shop",
    question=(
        f"Create the ConfigMap `{CONFIG_MAP}` with a key `{CONFIG_KEY}`: an nginx server block "
        "listening on port 80 that answers `/healthz` itself and passes every other request to "
        f"`http://backend`. Create the Secret `{SECRET}` with the key `{TOKEN_KEY}`. The check "
        "reads your cluster, `shop`."
    ),
    answer_name="shop",
    judge=_judge_config,
    hints=(
        "A ConfigMap's `data` maps file names to contents: use a YAML block scalar "
        "(`default.conf: |`) for the nginx file. A Secret can take plain text under "
        "`stringData`.",
        "The server block: `server { listen 80; location = /healthz { return 200 \"ok\"; } "
        "location / { proxy_pass http://backend; } }`.",
        "Apply ../assets/manifests/06/config.yaml, or for the Secret alone: "
        f"`kubectl create secret generic {SECRET} --from-literal={TOKEN_KEY}=s3cr3t-t0ken`.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\nshop = workshop()\n"
                  f"{ACTIONS[1]}",
    solution_note=(
        "Configuration lives outside the image, so the same image runs in every environment. "
        "Secrets are kept apart from ConfigMaps so that access to them can be restricted (RBAC) "
        "and encrypted at rest; in the API they are only base64-encoded."
    ),
)

# --- step 2: storage -----------------------------------------------------------------------


def _mounts_claim(deployment: dict) -> bool:
    """The pod template mounts the claim at /data in its container."""
    spec = deployment["spec"]["template"]["spec"]
    volumes = {v["name"] for v in spec.get("volumes") or []
               if (v.get("persistentVolumeClaim") or {}).get("claimName") == CLAIM}
    return any(mount.get("name") in volumes and mount.get("mountPath", "").rstrip("/") == "/data"
               for container in spec.get("containers") or []
               for mount in container.get("volumeMounts") or [])


def _endpoint_count(shop: Cluster, service: str) -> int:
    endpoints = _get(shop, "Endpoints", service) or {}
    return sum(len(subset.get("addresses") or []) for subset in endpoints.get("subsets") or [])


def _judge_storage(answer):
    shop = _cluster(answer)
    wanted = [("PersistentVolumeClaim", CLAIM), ("Deployment", "redis"), ("Service", "redis")]
    if _none_exist(shop, wanted):
        return not_attempted(f"there is no claim `{CLAIM}`, Deployment `redis` or Service "
                             "`redis` yet: create them, then run this check again.")
    missing = _first_missing(shop, wanted)
    if missing:
        return missing
    phase = (_get(shop, "PersistentVolumeClaim", CLAIM).get("status") or {}).get("phase")
    if phase != "Bound":
        return not_yet(f"the claim `{CLAIM}` is {phase}, not Bound: if the clock has run "
                       f"(`shop.run(30)`), `kubectl describe pvc {CLAIM}` shows why no volume "
                       "was found or provisioned.")
    redis = _get(shop, "Deployment", "redis")
    if not _mounts_claim(redis):
        return not_yet(f"the redis pods do not mount the claim `{CLAIM}` at /data (a volume "
                       "with `persistentVolumeClaim.claimName` and a `volumeMount` with "
                       "`mountPath: /data`): Redis keeps its data in /data.")
    strategy = (redis["spec"].get("strategy") or {}).get("type", "RollingUpdate")
    if strategy != "Recreate":
        return not_yet(f"the Deployment's strategy is {strategy}. A rolling update starts the "
                       "new pod before the old one stops, and a ReadWriteOnce volume cannot be "
                       "attached to two nodes at once: use `strategy: {type: Recreate}`.")
    if not rolled_out(redis):
        return not_yet(_not_rolled_out(shop, redis))
    if _endpoint_count(shop, "redis") == 0:
        return not_yet("the Service `redis` has no endpoints: its selector matches no ready pod "
                       "(`kubectl get endpoints redis`; compare `spec.selector` with the pods' "
                       "labels).")
    pod = ready_pods(shop, {"app": "redis"})[0]
    return correct(f"{pod['metadata']['name']} runs on {pod['spec']['nodeName']} with the "
                   f"claim `{CLAIM}` at /data, and the Service `redis` reaches it on port "
                   "6379.")


step2 = Exercise(
    id="ch06.step2",
    title="Step 2 · Give the store a disk",
    question=(
        f"Create the PersistentVolumeClaim `{CLAIM}` (1Gi, ReadWriteOnce), a Deployment `redis` "
        f"of one `redis:7.4` pod that mounts the claim at /data, and a Service `redis` on port "
        "6379. The check reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_storage,
    hints=(
        "Three objects in one file, separated by `---`. Chapter 2's "
        "../assets/manifests/02/notes-storage.yaml has a claim and a pod that mounts it.",
        "In the pod template: `volumes: [{name: data, persistentVolumeClaim: {claimName: "
        f"{CLAIM}}}]` and in the container `volumeMounts: [{{name: data, mountPath: /data}}]`. "
        "Give the Deployment `strategy: {type: Recreate}`.",
        "Apply ../assets/manifests/06/redis.yaml and let the clock run: `shop.run(30)`.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=2)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[2]}",
    solution_note=(
        "The claim asks for storage; the default StorageClass's provisioner creates a "
        "PersistentVolume for it and the claim is Bound. The pod only names the claim, never "
        "the disk."
    ),
)

# --- step 3: data that outlives its pod ----------------------------------------------------


def _judge_persistence(answer):
    shop = _cluster(answer)
    if _get(shop, "Deployment", "redis") is None:
        return not_attempted("there is no Deployment `redis` yet: do step 2 first.")
    ready = ready_pods(shop, {"app": "redis"})
    if not ready:
        return not_yet(f"no Redis pod is ready ({statuses(pods_of(shop, {'app': 'redis'}))}): "
                       "let the clock run.")
    pod = ready[0]
    name = pod["metadata"]["name"]
    visits = _exec(shop, pod, "redis-cli GET visits")
    logs = shop.kubectl(f"logs {name}").stdout
    reloaded = "DB loaded from disk" in logs
    if not visits and not reloaded:
        return not_attempted(f"`visits` is not set in {name} yet: count a few visits with "
                             "`redis-cli INCR visits`, then delete the pod.")
    if not visits:
        return not_yet(f"{name} loaded a saved data set, but it has no key `visits`: count "
                       "visits with `redis-cli INCR visits` (exactly that key) and delete the "
                       "pod again.")
    if not re.fullmatch(r"\d+", visits):
        return not_yet(f"`visits` holds {visits!r}, not a count: `redis-cli INCR visits` "
                       "counts.")
    if not reloaded:
        return not_yet(f"`visits` is {visits} in {name}. Now delete that pod (`kubectl delete "
                       f"pod {name}`), let its replacement start, and see whether the count "
                       "survived.")
    return correct(f"{name} read the data its predecessor saved on the claim (its log: "
                   f"\"DB loaded from disk\") and `visits` is still {visits}. The pod was "
                   "replaced; the volume was not.")


step3 = Exercise(
    id="ch06.step3",
    title="Step 3 · Data that outlives its pod",
    question=(
        "Count at least one visit in Redis (`redis-cli INCR visits` through `kubectl exec`), "
        "then delete the Redis pod. Its Deployment starts a new one, on the same claim: does "
        "the count survive? The check reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_persistence,
    hints=(
        "`%kubectl exec deploy/redis -- redis-cli INCR visits` counts one visit, in the pod of "
        "the Deployment `redis`.",
        "`%kubectl delete pod -l app=redis`, then `shop.run(30)`, then `%kubectl exec "
        "deploy/redis -- redis-cli GET visits` asks the new pod.",
        "Redis saves its data to /data/dump.rdb when Kubernetes stops it (SIGTERM) and reads "
        "it back when it starts: the new pod's log says \"DB loaded from disk\".",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=3)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[3]}",
    solution_note=(
        "Without the claim, /data would be part of the container's own file system and die "
        "with the pod. Note what saved the data: a graceful stop. Step 10's power cut gives "
        "Redis no such chance."
    ),
)

# --- step 4: the backend -------------------------------------------------------------------


def _token_source(container: dict) -> str:
    """Where the container's API_TOKEN comes from: 'secret', 'literal' or 'none'."""
    for env in container.get("env") or []:
        if env.get("name") == TOKEN_KEY:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name") == SECRET and ref.get("key") == TOKEN_KEY:
                return "secret"
            return "literal" if "value" in env else "other"
    for source in container.get("envFrom") or []:
        if (source.get("secretRef") or {}).get("name") == SECRET and not source.get("prefix"):
            return "secret"
    return "none"


def _judge_backend(answer):
    shop = _cluster(answer)
    wanted = [("Deployment", "backend"), ("Service", "backend")]
    if _none_exist(shop, wanted):
        return not_attempted("there is no Deployment `backend` and no Service `backend` yet: "
                             "create them, then run this check again.")
    missing = _first_missing(shop, wanted)
    if missing:
        return missing
    backend = _get(shop, "Deployment", "backend")
    containers = _containers(backend)
    source = _token_source(containers[0]) if containers else "none"
    if source == "literal":
        return not_yet(f"`{TOKEN_KEY}` is written into the manifest, where anyone reading it "
                       f"sees the token: take it from the Secret with `valueFrom.secretKeyRef` "
                       f"(`name: {SECRET}`, `key: {TOKEN_KEY}`).")
    if source != "secret":
        return not_yet(f"the backend's container gets no `{TOKEN_KEY}` from the Secret "
                       f"`{SECRET}` (an `env` entry with `valueFrom.secretKeyRef`).")
    replicas = backend["spec"].get("replicas", 1)
    if replicas != BACKEND_REPLICAS and FIRST_IMAGE in _images(backend):
        return not_yet(f"the backend asks for {replicas} replica(s); start with "
                       f"{BACKEND_REPLICAS} (step 6 scales it).")
    if not rolled_out(backend):
        return not_yet(_not_rolled_out(shop, backend))
    pod = ready_pods(shop, {"app": "backend"})[0]
    token = _exec(shop, pod, f"printenv {TOKEN_KEY}")
    if token != _decoded(_get(shop, "Secret", SECRET), TOKEN_KEY):
        return not_yet(f"`printenv {TOKEN_KEY}` in {pod['metadata']['name']} does not print "
                       "the Secret's token. Environment variables are read when a container "
                       "starts: restart the pods after changing the Secret (`kubectl rollout "
                       "restart deployment/backend`).")
    service = _get(shop, "Service", "backend")
    ports = service["spec"].get("ports") or []
    if not any(port.get("port") == 80 for port in ports):
        return not_yet("the Service `backend` does not listen on port 80, where nginx's "
                       "`proxy_pass http://backend` sends requests.")
    endpoints = _get(shop, "Endpoints", "backend") or {}
    target_ports = {port.get("port") for subset in endpoints.get("subsets") or []
                    for port in subset.get("ports") or []}
    if _endpoint_count(shop, "backend") == 0:
        return not_yet("the Service `backend` has no endpoints: its selector matches no ready "
                       "pod (`kubectl get endpoints backend`).")
    if 8080 not in target_ports:
        return not_yet(f"the Service sends traffic to port {sorted(target_ports)[0]} of the "
                       "pods, but hello-app listens on 8080: set `targetPort: 8080`.")
    return correct(f"{replicas} backend pods are ready behind the Service `backend` (port 80 → "
                   f"8080), and {pod['metadata']['name']} reads its token from the Secret: "
                   f"`kubectl describe pod` shows only `<set to the key '{TOKEN_KEY}' in secret "
                   f"'{SECRET}'>`.")


step4 = Exercise(
    id="ch06.step4",
    title="Step 4 · Deploy the backend",
    question=(
        f"Create a Deployment `backend` of {BACKEND_REPLICAS} pods running `{FIRST_IMAGE}` "
        f"(it listens on 8080), whose environment variable `{TOKEN_KEY}` comes from the Secret "
        f"`{SECRET}`, and a Service `backend` on port 80 that sends traffic to port 8080. The "
        "check reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_backend,
    hints=(
        "`kubectl create deployment backend --image=... --replicas=2 --dry-run=client -o yaml` "
        "prints a Deployment to start from; add the `env` entry to its container.",
        f"`env: [{{name: {TOKEN_KEY}, valueFrom: {{secretKeyRef: {{name: {SECRET}, key: "
        f"{TOKEN_KEY}}}}}}}]`. The Service: `selector: {{app: backend}}`, `ports: [{{port: 80, "
        "targetPort: 8080}]`.",
        "Apply ../assets/manifests/06/backend.yaml and let the clock run.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=4)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[4]}",
    solution_note=(
        "The readiness probe keeps a pod out of the Service until hello-app answers. Check the "
        "token from inside: `kubectl exec <pod> -- printenv API_TOKEN`."
    ),
)

# --- step 5: the frontend, open to the world ------------------------------------------------


def _mounts_config(deployment: dict) -> bool:
    spec = deployment["spec"]["template"]["spec"]
    volumes = {v["name"] for v in spec.get("volumes") or []
               if (v.get("configMap") or {}).get("name") == CONFIG_MAP}
    return any(mount.get("name") in volumes
               and mount.get("mountPath", "").rstrip("/") == "/etc/nginx/conf.d"
               for container in spec.get("containers") or []
               for mount in container.get("volumeMounts") or [])


def _judge_frontend(answer):
    shop = _cluster(answer)
    wanted = [("Deployment", "frontend"), ("Service", "frontend")]
    if _none_exist(shop, wanted):
        return not_attempted("there is no Deployment `frontend` and no Service `frontend` yet: "
                             "create them, then run this check again.")
    missing = _first_missing(shop, wanted)
    if missing:
        return missing
    frontend = _get(shop, "Deployment", "frontend")
    if not _mounts_config(frontend):
        return not_yet(f"the frontend pods do not mount the ConfigMap `{CONFIG_MAP}` at "
                       "/etc/nginx/conf.d, so nginx serves its own welcome page instead of the "
                       "shop.")
    if not rolled_out(frontend):
        for pod in pods_of(shop, {"app": "frontend"}):
            logs = shop.kubectl(f"logs {pod['metadata']['name']} --previous").stdout
            if "host not found in upstream" in logs:
                return not_yet("nginx exits at start: `[emerg] host not found in upstream "
                               "\"backend\"` (`kubectl logs --previous`). It looks the name up "
                               "once, when it starts: with the Service `backend` in place, "
                               "`kubectl rollout restart deployment/frontend`.")
        return not_yet(_not_rolled_out(shop, frontend))
    service = _get(shop, "Service", "frontend")
    kind = service["spec"].get("type", "ClusterIP")
    if kind not in ("NodePort", "LoadBalancer"):
        return not_yet(f"the Service `frontend` is a {kind}: reachable only from inside the "
                       "cluster. Customers come from outside: `type: NodePort`.")
    node_ports = [port.get("nodePort") for port in service["spec"].get("ports") or []]
    if NODE_PORT not in node_ports:
        return not_yet(f"the frontend opens node port {node_ports[0]}; the workshop's "
                       f"commands use {NODE_PORT} (`nodePort: {NODE_PORT}`).")
    url = _entry_url(shop, service)
    body = shop.curl(url)
    host = re.search(r"^Hostname: (\S+)", body, re.M)
    if "Hello, world!" not in body or not host:
        return not_yet(f"`curl {url}` printed {body.strip()[:160]!r} instead of the backend's "
                       "hello.")
    return correct(f"`curl {url}` went through kube-proxy to a frontend pod, whose nginx "
                   f"passed it to the Service `backend`, and {host.group(1)} answered.")


step5 = Exercise(
    id="ch06.step5",
    title="Step 5 · Open the shop",
    question=(
        f"Create a Deployment `frontend` of 2 `nginx:1.27` pods that mount the ConfigMap "
        f"`{CONFIG_MAP}` at /etc/nginx/conf.d, and a NodePort Service `frontend` that opens "
        f"port {NODE_PORT} on every node to their port 80. The check curls the shop from "
        "outside the cluster, through `shop`."
    ),
    answer_name="shop",
    judge=_judge_frontend,
    hints=(
        "A `configMap` volume turns each key into a file: `default.conf` lands in "
        "/etc/nginx/conf.d, where the image's own default.conf was.",
        f"The Service: `type: NodePort`, `selector: {{app: frontend}}`, `ports: [{{port: 80, "
        f"nodePort: {NODE_PORT}}}]`. Then `shop.curl('http://192.168.49.3:{NODE_PORT}/')`.",
        "Apply ../assets/manifests/06/frontend.yaml (after the backend's Service exists) and "
        "let the clock run.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=5)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[5]}",
    solution_note=(
        "The request's path: node port → kube-proxy → a frontend pod → nginx → the name "
        "`backend` (cluster DNS) → the Service's cluster IP → kube-proxy → a backend pod."
    ),
)

# --- step 6: scale -------------------------------------------------------------------------


def _judge_scale(answer):
    shop = _cluster(answer)
    backend = _get(shop, "Deployment", "backend")
    if backend is None:
        return not_attempted("there is no Deployment `backend` yet: do steps 4 and 5 first.")
    replicas = backend["spec"].get("replicas", 1)
    if replicas == BACKEND_REPLICAS:
        return not_attempted(f"the backend still asks for {BACKEND_REPLICAS} replicas: scale "
                             f"it to {SCALED_REPLICAS}.")
    if replicas != SCALED_REPLICAS:
        return not_yet(f"the backend asks for {replicas} replicas; the task wants "
                       f"{SCALED_REPLICAS}.")
    if not rolled_out(backend):
        return not_yet(_not_rolled_out(shop, backend))
    pods, _versions, failures = _backend_answers(shop)
    if failures:
        return not_yet(f"{len(failures)} of 200 requests to the shop failed, e.g. "
                       f"{failures[0]!r}: is step 5 done?")
    if len(pods) < SCALED_REPLICAS:
        return not_yet(f"200 requests reached only {len(pods)} backend pods "
                       f"({', '.join(sorted(pods))}). kube-proxy updates its rules a moment "
                       "after a pod turns ready: let the clock run a few seconds.")
    spread = ", ".join(f"{name} {count}" for name, count in sorted(pods.items()))
    return correct(f"200 requests through the frontend reached all {len(pods)} backend pods "
                   f"({spread}): the Service spreads them at random, without being told about "
                   "the new pods.")


step6 = Exercise(
    id="ch06.step6",
    title="Step 6 · Scale the backend",
    question=(
        f"The shop is busy: scale the Deployment `backend` to {SCALED_REPLICAS} replicas. The "
        "check sends 200 requests through the frontend and expects all of the backend's pods "
        "to answer some. It reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_scale,
    hints=(
        "One kubectl verb changes a Deployment's replica count.",
        f"`%kubectl scale deployment/backend --replicas={SCALED_REPLICAS}`, then let the clock "
        "run.",
        "Then `shop.send_requests('http://192.168.49.3:30080/', n=100)` shows the frontend "
        "pods; the backend pod that answered each request is in its body (`Hostname:`).",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=6)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[6]}",
    solution_note=(
        "Scaling changes `spec.replicas`; the ReplicaSet controller creates the pods, the "
        "scheduler places them, and the endpoints controller adds each one to the Service once "
        "it is ready. Nothing else changes."
    ),
)

# --- step 7: roll out a release -------------------------------------------------------------


def _judge_rollout(answer):
    shop = _cluster(answer)
    backend = _get(shop, "Deployment", "backend")
    if backend is None:
        return not_attempted("there is no Deployment `backend` yet: do steps 4 to 6 first.")
    images = _images(backend)
    if FIRST_IMAGE in images:
        return not_attempted(f"the backend still runs {FIRST_IMAGE}: roll out {GOOD_IMAGE}.")
    if GOOD_IMAGE not in images:
        return not_yet(f"the backend asks for {', '.join(images)}; the release to roll out is "
                       f"{GOOD_IMAGE}.")
    if not rolled_out(backend):
        return not_yet(_not_rolled_out(shop, backend))
    _pods, versions, failures = _backend_answers(shop)
    if failures:
        return not_yet(f"{len(failures)} of 200 requests to the shop failed, e.g. "
                       f"{failures[0]!r}.")
    if set(versions) != {"2.0.0"}:
        shown = ", ".join(f"{version} {count}" for version, count in sorted(versions.items()))
        return not_yet(f"the shop answered with versions {shown}: let the clock run until the "
                       "old pods are gone.")
    revision = backend["metadata"].get("annotations", {}).get(
        "deployment.kubernetes.io/revision", "?")
    return correct(f"every answer says Version: 2.0.0 and the Deployment is at revision "
                   f"{revision}. The rolling update replaced the pods a few at a time, so the "
                   "shop never stopped answering.")


step7 = Exercise(
    id="ch06.step7",
    title="Step 7 · Roll out a new release",
    question=(
        f"Roll the backend out to `{GOOD_IMAGE}` (its container is named `hello-app`) and wait "
        "for the rollout to finish. The check expects every answer of the shop to say "
        "Version: 2.0.0. It reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_rollout,
    hints=(
        "Changing the pod template's image is what starts a rollout.",
        "`kubectl set image deployment/NAME CONTAINER=IMAGE`; `kubectl rollout status` waits "
        "for it.",
        f"`%kubectl set image deployment/backend hello-app={GOOD_IMAGE}`, then `%kubectl "
        "rollout status deployment/backend`.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=7)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[7]}",
    solution_note=(
        "With 4 replicas the defaults allow 1 extra pod (maxSurge 25%, rounded up) and 1 "
        "missing (maxUnavailable 25%, rounded down): the new ReplicaSet grows as the old one "
        "shrinks. `kubectl rollout history deployment/backend` now lists 2 revisions."
    ),
)

# --- step 8: diagnose a broken release -------------------------------------------------------


def _reference(image: str) -> str:
    """An image reference with docker.io's defaults spelled out, to compare two spellings."""
    name, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    if "." not in name.split("/")[0] and name.split("/")[0] != "localhost":
        name = "docker.io/" + (name if "/" in name else "library/" + name)
    return f"{name}:{tag or 'latest'}"


def _judge_bad_image(answer):
    if not isinstance(answer, str) or not answer.strip():
        raise AnswerError(f"expected an image reference as a string, such as '{FIRST_IMAGE}'")
    given = answer.strip()
    if given in ("ImagePullBackOff", "ErrImagePull"):
        return not_yet(f"{given} is what the pod's STATUS says, not which image: "
                       "`kubectl describe pod` names the image it failed to pull.")
    if _reference(given) == _reference(BAD_IMAGE):
        return correct(f"{BAD_IMAGE}: the registry has no tag 3.0. The new pods wait in "
                       "ImagePullBackOff, retrying with a growing back-off, while the old pods "
                       "keep serving: maxUnavailable kept the shop up.")
    if _reference(given) in (_reference(GOOD_IMAGE), _reference(FIRST_IMAGE)):
        return not_yet(f"{given} exists: pods run it. Look at the pods that are not ready.")
    if given.endswith(":3.0") or given == "3.0":
        return not_yet("that is the tag; give the whole reference as the pod spec writes it, "
                       "registry and repository included.")
    return not_yet(f"{given!r} is not the image the new backend pods try to pull: `kubectl "
                   "describe pod` on one that is not ready shows it in its events.")


step8 = Exercise(
    id="ch06.step8",
    title="Step 8 · Diagnose a broken release",
    question=(
        "After `teammate_release(shop)`, something is wrong with the backend. Find out what: "
        "which image did the new release ask for, that no pod could start? Set `bad_image` to "
        "the image's full reference."
    ),
    answer_name="bad_image",
    judge=_judge_bad_image,
    hints=(
        "`%kubectl get pods`: the newest backend pods are not ready, and their STATUS says why "
        "in one word.",
        "`%kubectl describe pod <one of them>`: the Events at the bottom name the image it "
        "failed to pull (so does `%kubectl get events`).",
        "`%kubectl rollout history deployment/backend` has a new revision; `%kubectl get "
        "deployment backend -o wide` shows the image it asks for.",
    ),
    solution_code=f"{ACTIONS[8]}",
    solution_note=(
        "ErrImagePull, then ImagePullBackOff: the kubelet retries with a growing delay. The "
        "rollout stops there, since maxUnavailable forbids taking down more old pods while the "
        "new ones are not available."
    ),
)

# --- step 9: roll back -----------------------------------------------------------------------


def _judge_rollback(answer):
    shop = _cluster(answer)
    backend = _get(shop, "Deployment", "backend")
    if backend is None:
        return not_attempted("there is no Deployment `backend` yet: do steps 4 to 8 first.")
    released = any(BAD_IMAGE in [c.get("image") for c in
                                 rs["spec"]["template"]["spec"].get("containers") or []]
                   for rs in shop.api.list("ReplicaSet", NAMESPACE, label_selector={
                       "app": "backend"}))
    if not released:
        return not_attempted("the broken release has not happened yet: run "
                             "`teammate_release(shop)` (step 8) first.")
    images = _images(backend)
    if BAD_IMAGE in images:
        return not_attempted(f"the backend still asks for {BAD_IMAGE}: roll it back.")
    if FIRST_IMAGE in images:
        return not_yet(f"the backend now runs {FIRST_IMAGE}, two releases back. The last good "
                       f"one was {GOOD_IMAGE}: `rollout undo` without `--to-revision` goes "
                       "back one.")
    if GOOD_IMAGE not in images:
        return not_yet(f"the backend asks for {', '.join(images)}; the last good release was "
                       f"{GOOD_IMAGE}.")
    if not rolled_out(backend):
        return not_yet(_not_rolled_out(shop, backend))
    stuck = [pod["metadata"]["name"] for pod in pods_of(shop, {"app": "backend"})
             if BAD_IMAGE in [c.get("image") for c in pod["spec"]["containers"]]]
    if stuck:
        return not_yet(f"{', '.join(stuck)} still try to pull {BAD_IMAGE}: let the clock run.")
    revision = backend["metadata"].get("annotations", {}).get(
        "deployment.kubernetes.io/revision", "?")
    return correct(f"the backend runs {GOOD_IMAGE} again, as revision {revision}: the undo "
                   "made the previous template the newest revision, and the broken pods are "
                   "gone.")


step9 = Exercise(
    id="ch06.step9",
    title="Step 9 · Roll back",
    question=(
        f"Bring the backend back to the last good release, `{GOOD_IMAGE}`, and let the rollout "
        "finish. The check reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_rollback,
    hints=(
        "Kubernetes keeps the old ReplicaSets (revisionHistoryLimit, 10 by default) so that a "
        "release can be undone.",
        "`kubectl rollout undo deployment/NAME` goes back one revision.",
        "`%kubectl rollout undo deployment/backend`, then `%kubectl rollout status "
        "deployment/backend`.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=9)  # skip this line to go on with your own cluster\n"
                  f"{ACTIONS[9]}",
    solution_note=(
        "Setting the image to 2.0 again works too; `rollout undo` is quicker and needs no "
        "memory of the last good tag. Revisions 2 and 3 become 3 and 4: `kubectl rollout "
        "history deployment/backend`."
    ),
)

# --- step 10: a node fails ------------------------------------------------------------------


def _shop_health(shop: Cluster, dead: list[str]) -> str | None:
    """Why the shop is not whole, or None: every Deployment fully available, nothing counted on
    a dead node, the shop answering from outside and Redis answering with its data."""
    for app in APPS:
        deployment = _get(shop, "Deployment", app)
        if deployment is None:
            return f"there is no Deployment `{app}`: do steps 1 to 9 first."
        if not rolled_out(deployment):
            waiting = [pod["metadata"]["name"] for pod in pods_of(shop, {"app": app})
                       if pod["spec"].get("nodeName") in dead]
            if waiting:
                return (f"{', '.join(waiting)} still sit on {dead[0]}, which is "
                        f"{node_status(shop.api.get('Node', dead[0], None))}. Their tolerations "
                        "give the node 300 s to come back before they are evicted: let the "
                        "clock run, and watch `kubectl get pods -o wide`.")
            return _not_rolled_out(shop, deployment)
    _pods, _versions, failures = _backend_answers(shop, n=20)
    if failures:
        return f"requests to the shop fail: {failures[0]!r}."
    redis = ready_pods(shop, {"app": "redis"})
    if not redis or not re.fullmatch(r"\d+", _exec(shop, redis[0], "redis-cli GET visits")):
        return "Redis answers, but without the `visits` count of step 3."
    return None


def _judge_node_failure(answer):
    shop = _cluster(answer)
    lost = _lost_nodes(shop)
    went_dark = _nodes_that_went_dark(shop)
    if not went_dark:
        if lost:
            return not_attempted(f"{lost[0]} lost power, but the API still shows its node "
                                 "Ready: nothing notices before its heartbeats are overdue. "
                                 "Let the clock run and watch `kubectl get nodes`.")
        return not_attempted("no machine has lost power yet: run `power_cut(shop)` first.")
    dead = [name for name in sorted(set(lost) | set(went_dark))
            if node_status(shop.api.try_get("Node", name, None) or {}) != "Ready"]
    problem = _shop_health(shop, dead)
    if problem:
        return not_yet(problem)
    if not dead:
        return correct("the shop is whole, and the machine is back already: its kubelet "
                       "restarted the pods it still had. Step 11 restores it for good.")
    redis = ready_pods(shop, {"app": "redis"})[0]
    return correct(f"{dead[0]} is still off, yet every Deployment has all its replicas on the "
                   f"other nodes and Redis ({redis['metadata']['name']}, on "
                   f"{redis['spec']['nodeName']}) found its data on the claim. Nobody typed "
                   "a command: the controllers did it.")


step10 = Exercise(
    id="ch06.step10",
    title="Step 10 · Survive a node failure",
    question=(
        "After `power_cut(shop)`, one worker is off. Watch the cluster until the shop is whole "
        "again without that machine: every Deployment with all its replicas ready on the other "
        "nodes, and Redis back with its data. How long did it take? The check reads `shop`."
    ),
    answer_name="shop",
    judge=_judge_node_failure,
    hints=(
        "Nothing happens while the clock stands still: `shop.run(60)`, then `%kubectl get "
        "nodes` and `%kubectl get pods -o wide`, and again.",
        "The node turns NotReady about 50 s after its last heartbeat. Its pods tolerate that "
        "for 300 s (`kubectl describe pod`: Tolerations), then they are evicted and replaced.",
        "`shop.run(400)` is enough; `%kubectl get events` then tells the story in order.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=10)  # skip this line to go on with your own "
                  f"cluster\n{ACTIONS[10]}",
    solution_note=(
        "About 6 minutes: 50 s to NotReady (node-monitor-grace-period), then 300 s of the "
        "default tolerations. Meanwhile the pods on that node were out of the Services' "
        "endpoints, so the shop kept answering from the other nodes."
    ),
)

# --- step 11: heal ---------------------------------------------------------------------------


def _judge_heal(answer):
    shop = _cluster(answer)
    went_dark = _nodes_that_went_dark(shop)
    lost = _lost_nodes(shop)
    if not went_dark:
        return not_attempted("no node has failed yet: do step 10 first.")
    if lost:
        return not_attempted(f"{lost[0]} is still powered off: `shop.restore_node"
                             f"('{lost[0]}')`.")
    node = shop.api.try_get("Node", went_dark[-1], None)
    if node is None:
        return not_yet(f"the node {went_dark[-1]} is not registered: let the clock run until "
                       "its kubelet registers it again.")
    name = node["metadata"]["name"]
    if node_status(node) != "Ready":
        return not_yet(f"{name} is {node_status(node)}: let the clock run until its kubelet "
                       "reports again, or `kubectl uncordon` it if it is cordoned.")
    taints = [taint["key"] for taint in node["spec"].get("taints") or []]
    if taints:
        return not_yet(f"{name} still has the taint {taints[0]}: let the clock run a few "
                       "seconds for the node lifecycle controller to lift it.")
    problem = _shop_health(shop, [])
    if problem:
        return not_yet(problem)
    terminating = [pod["metadata"]["name"] for app in APPS
                   for pod in shop.api.list("Pod", NAMESPACE, label_selector={"app": app})
                   if pod["metadata"].get("deletionTimestamp")]
    if terminating:
        return not_yet(f"{', '.join(terminating)} are still Terminating: the restored kubelet "
                       "finishes deleting them once it runs again, so let the clock run.")
    on_node = [pod["metadata"]["name"] for pod in ready_pods(shop, {"app": "backend"})
               if pod["spec"].get("nodeName") == name]
    if not on_node:
        return not_yet(f"{name} is Ready but runs no backend pod: Kubernetes never moves "
                       "running pods back to a node. `kubectl rollout restart "
                       "deployment/backend` replaces them, and the scheduler prefers the "
                       "emptiest node.")
    return correct(f"{name} is Ready again, without taints, and runs {', '.join(on_node)}. "
                   "The shop never stopped answering: that is what self-healing means.")


step11 = Exercise(
    id="ch06.step11",
    title="Step 11 · Heal the cluster",
    question=(
        "Power the lost machine back on (`shop.restore_node(name)`), wait until its node is "
        "Ready, and get the backend spread over all three workers again. The check reads "
        "`shop`."
    ),
    answer_name="shop",
    judge=_judge_heal,
    hints=(
        "`%kubectl get nodes` shows which node is NotReady.",
        "After `shop.restore_node(...)` and `shop.run(60)` the node is Ready, but empty: the "
        "scheduler only places new pods.",
        "`%kubectl rollout restart deployment/backend` replaces the backend's pods one by one; "
        "the scheduler gives the empty node its share.",
    ),
    solution_code=f"from k8skit.exercises.ch06 import workshop\n\n"
                  f"shop = workshop(before=11)  # skip this line to go on with your own "
                  f"cluster\n{ACTIONS[11]}",
    solution_note=(
        "`rollout restart` sets an annotation in the pod template (`kubectl.kubernetes.io/"
        "restartedAt`), which is a new template: a rolling update with the same image."
    ),
)

STEPS = (step1, step2, step3, step4, step5, step6, step7, step8, step9, step10, step11)
