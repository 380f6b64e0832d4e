"""A pod's life on a node, as docs/concepts/workloads/pods/pod-lifecycle.md describes it.

Each test builds a small cluster, applies a manifest from the official docs (or one like it),
runs the simulated clock and looks at what a learner would look at: the pod's status, its
events, its logs.
"""

import pytest

from k8skit.api.errors import BadRequest, NotFound
from k8skit.api.events import events_for
from k8skit.api.meta import seconds_of
from k8skit.cluster import Cluster


@pytest.fixture
def cluster():
    return Cluster(nodes=1, seed=1)


def pod(cluster, name="web"):
    return cluster.api.get("Pod", name)


def container_status(cluster, name="web", index=0, init=False):
    key = "initContainerStatuses" if init else "containerStatuses"
    return pod(cluster, name)["status"][key][index]


def messages(cluster, name="web", reason=None):
    return [e["message"] for e in events_for(cluster.api, pod(cluster, name))
            if reason is None or e["reason"] == reason]


def event_count(cluster, name, reason):
    return sum(e["count"] for e in events_for(cluster.api, pod(cluster, name))
               if e["reason"] == reason)


def condition(cluster, name, cond_type):
    return next(c for c in pod(cluster, name)["status"]["conditions"]
                if c["type"] == cond_type)


def kubelet_of(cluster, name="web"):
    return cluster.api.node_proxy(pod(cluster, name)["spec"]["nodeName"])


def busybox(name, script, restart_policy="Always", **container):
    return f"""
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: {restart_policy}
  containers:
  - name: {name}
    image: busybox:1.36
    command: ["sh", "-c", {script!r}]
""" + "".join(f"    {key}: {value}\n" for key, value in container.items())


NGINX = """
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.25
    ports:
    - containerPort: 80
"""


# -- creation -----------------------------------------------------------------------------------
def test_a_new_pod_waits_in_container_creating_while_its_image_is_pulled(cluster):
    cluster.apply(NGINX)
    cluster.run(0.5)
    status = pod(cluster)["status"]
    assert status["phase"] == "Pending"
    assert status["containerStatuses"][0]["state"] == {
        "waiting": {"reason": "ContainerCreating"}}
    assert status["containerStatuses"][0]["ready"] is False
    assert status["containerStatuses"][0]["restartCount"] == 0
    assert status["hostIP"] == cluster.api.get("Node", pod(cluster)["spec"]["nodeName"],
                                               None)["status"]["addresses"][0]["address"]
    ready = condition(cluster, "web", "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ContainersNotReady", "containers with unready status: [web]")
    assert messages(cluster, reason="Pulling") == ['Pulling image "nginx:1.25"']


def test_a_running_pod_reports_what_get_o_yaml_shows(cluster):
    cluster.apply(NGINX)
    cluster.run(60)
    status = pod(cluster)["status"]
    assert status["phase"] == "Running"
    assert status["qosClass"] == "BestEffort"
    assert status["podIP"].startswith("10.244.")
    assert status["podIPs"] == [{"ip": status["podIP"]}]
    node_cidr = cluster.api.get("Node", pod(cluster)["spec"]["nodeName"], None)["spec"]["podCIDR"]
    assert status["podIP"].rsplit(".", 1)[0] == node_cidr.rsplit(".", 1)[0]
    web = status["containerStatuses"][0]
    assert "running" in web["state"]
    assert web["ready"] is True and web["started"] is True
    assert web["containerID"].startswith("containerd://")
    assert web["image"] == "docker.io/library/nginx:1.25"
    assert web["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    assert all(c["status"] == "True" for c in status["conditions"])


def test_the_events_of_a_first_start(cluster):
    cluster.apply(NGINX)
    cluster.run(60)
    kubelet_events = [(e["reason"], e["message"]) for e in events_for(cluster.api, pod(cluster))
                      if e["source"]["component"] == "kubelet"]
    assert [reason for reason, _ in kubelet_events] == ["Pulling", "Pulled", "Created", "Started"]
    pulled = kubelet_events[1][1]
    assert pulled.startswith('Successfully pulled image "nginx:1.25" in ')
    assert "including waiting). Image size: " in pulled and pulled.endswith(" bytes.")
    assert kubelet_events[2][1] == "Created container: web"
    assert kubelet_events[3][1] == "Started container web"


def test_an_image_already_on_the_node_is_not_pulled_again(cluster):
    cluster.apply(NGINX)
    cluster.run(60)
    cluster.apply(NGINX.replace("name: web\nspec", "name: web2\nspec"))
    cluster.run(5)
    assert messages(cluster, "web2", "Pulled") == [
        'Container image "nginx:1.25" already present on machine']
    assert pod(cluster, "web2")["status"]["phase"] == "Running"


# -- exit codes and restart policies ------------------------------------------------------------
@pytest.mark.parametrize("policy, code, phase, reason", [
    ("Never", 0, "Succeeded", "Completed"),
    ("Never", 3, "Failed", "Error"),
    ("OnFailure", 0, "Succeeded", "Completed"),
])
def test_a_container_that_exits_for_good(cluster, policy, code, phase, reason):
    cluster.apply(busybox("job", f"echo working; sleep 5; exit {code}", policy))
    cluster.run(60)
    status = pod(cluster, "job")["status"]
    assert status["phase"] == phase
    terminated = status["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (code, reason)
    assert seconds_of(terminated["finishedAt"]) - seconds_of(terminated["startedAt"]) == 5
    assert status["containerStatuses"][0]["restartCount"] == 0
    ready = condition(cluster, "job", "Ready")
    assert ready["reason"] == ("PodCompleted" if phase == "Succeeded" else "PodFailed")
    assert kubelet_of(cluster, "job").logs("default", "job") == "working\n"


def test_on_failure_restarts_a_failing_container(cluster):
    cluster.apply(busybox("job", "exit 1", "OnFailure"))
    cluster.run(60)
    status = pod(cluster, "job")["status"]
    assert status["phase"] == "Running"
    assert status["containerStatuses"][0]["restartCount"] >= 2


def test_a_crash_loop_backs_off_10_20_40_seconds(cluster):
    cluster.apply(busybox("crash", "echo boom; sleep 1; exit 1"))
    starts = set()
    for _ in range(200):
        cluster.run(1)
        web = container_status(cluster, "crash")
        for state in (web["state"], web["lastState"]):
            for detail in state.values():
                if "startedAt" in detail:
                    starts.add(seconds_of(detail["startedAt"]))
    starts = sorted(starts)
    gaps = [later - earlier - 1 for earlier, later in zip(starts, starts[1:], strict=False)]
    # The first restart comes at once, then after 10 s, 20 s, 40 s, 80 s (plus the kubelet's
    # retry interval of 10-15 s after each failed attempt).
    assert gaps[0] <= 2
    for gap, backoff in zip(gaps[1:], (10, 20, 40, 80), strict=False):
        assert backoff <= gap < backoff + 16


def test_a_crash_loop_is_reported_like_upstream(cluster):
    cluster.apply(busybox("crash", "echo boom; exit 1"))
    seen = []
    while "CrashLoopBackOff" not in seen:
        cluster.run(1)
        state = container_status(cluster, "crash")["state"]
        seen.append(state.get("waiting", state.get("terminated", {})).get("reason", "Running"))
    # kubectl get pods -w: Error once the kubelet saw the exit, then CrashLoopBackOff.
    assert "Error" in seen
    obj = pod(cluster, "crash")
    web = obj["status"]["containerStatuses"][0]
    uid = obj["metadata"]["uid"]
    assert web["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert web["state"]["waiting"]["message"] == (
        f"back-off 10s restarting failed container=crash pod=crash_default({uid})")
    last = web["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (1, "Error")
    assert web["restartCount"] >= 1
    assert obj["status"]["phase"] == "Running"
    assert messages(cluster, "crash", "BackOff") == [
        f"Back-off restarting failed container crash in pod crash_default({uid})"]
    assert kubelet_of(cluster, "crash").logs("default", "crash", previous=True) == "boom\n"


def test_memory_over_the_limit_is_oom_killed_then_backs_off(cluster):
    # docs/tasks/configure-pod-container/assign-memory-resource.md, memory-request-limit-2.yaml
    cluster.apply("""
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
    cluster.run(120)
    ctr = container_status(cluster, "memory-demo-2")
    last = ctr["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled")
    assert ctr["restartCount"] >= 2
    assert ctr["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert pod(cluster, "memory-demo-2")["status"]["qosClass"] == "Burstable"


# -- init containers ----------------------------------------------------------------------------
INIT = """
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
spec:
  restartPolicy: {policy}
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', 'sleep 5']
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', '{second}']
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
"""


def test_init_containers_run_one_after_the_other_before_the_app(cluster):
    cluster.apply(INIT.format(policy="Always", second="sleep 5"))
    cluster.run(3)
    first, second = pod(cluster, "myapp-pod")["status"]["initContainerStatuses"]
    assert "running" in first["state"] or "waiting" in first["state"]
    assert second["state"] == {"waiting": {"reason": "PodInitializing"}}
    app = container_status(cluster, "myapp-pod")
    assert app["state"] == {"waiting": {"reason": "PodInitializing"}}
    initialized = condition(cluster, "myapp-pod", "Initialized")
    assert (initialized["status"], initialized["reason"], initialized["message"]) == (
        "False", "ContainersNotInitialized",
        "containers with incomplete status: [init-myservice init-mydb]")
    assert pod(cluster, "myapp-pod")["status"]["phase"] == "Pending"
    cluster.run(60)
    first, second = pod(cluster, "myapp-pod")["status"]["initContainerStatuses"]
    assert first["state"]["terminated"]["reason"] == "Completed"
    assert seconds_of(second["state"]["terminated"]["startedAt"]) >= seconds_of(
        first["state"]["terminated"]["finishedAt"])
    assert first["ready"] and second["ready"]
    assert "running" in container_status(cluster, "myapp-pod")["state"]
    assert pod(cluster, "myapp-pod")["status"]["phase"] == "Running"
    assert kubelet_of(cluster, "myapp-pod").logs("default", "myapp-pod") == (
        "The app is running!\n")


def test_a_failing_init_container_is_retried_with_back_off(cluster):
    cluster.apply(INIT.format(policy="Always", second="exit 1"))
    cluster.run(60)
    second = pod(cluster, "myapp-pod")["status"]["initContainerStatuses"][1]
    assert second["restartCount"] >= 1
    assert second["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert second["lastState"]["terminated"]["exitCode"] == 1
    assert container_status(cluster, "myapp-pod")["state"] == {
        "waiting": {"reason": "PodInitializing"}}
    assert pod(cluster, "myapp-pod")["status"]["phase"] == "Pending"


def test_a_failing_init_container_fails_a_never_restarting_pod(cluster):
    cluster.apply(INIT.format(policy="Never", second="exit 1"))
    cluster.run(60)
    obj = pod(cluster, "myapp-pod")
    assert obj["status"]["phase"] == "Failed"
    assert obj["status"]["initContainerStatuses"][1]["state"]["terminated"]["reason"] == "Error"
    assert obj["status"]["initContainerStatuses"][1]["restartCount"] == 0


# -- images -------------------------------------------------------------------------------------
def test_an_image_that_cannot_be_pulled_backs_off(cluster):
    cluster.apply(NGINX.replace("nginx:1.25", "nginx:nope"))
    while container_status(cluster)["state"]["waiting"]["reason"] == "ContainerCreating":
        cluster.run(0.1)
    web = container_status(cluster)
    assert web["state"]["waiting"]["reason"] == "ErrImagePull"
    assert "not found" in web["state"]["waiting"]["message"]
    failed = messages(cluster, reason="Failed")
    assert failed[0].startswith('Failed to pull image "nginx:nope": ')
    assert failed[1] == "Error: ErrImagePull"
    cluster.run(5)
    web = container_status(cluster)
    assert web["state"]["waiting"]["reason"] == "ImagePullBackOff"
    assert web["state"]["waiting"]["message"].startswith(
        'Back-off pulling image "nginx:nope": ErrImagePull: ')
    assert 'Back-off pulling image "nginx:nope"' in messages(cluster, reason="BackOff")
    assert "Error: ImagePullBackOff" in messages(cluster, reason="Failed")
    cluster.run(300)
    assert pod(cluster)["status"]["phase"] == "Pending"
    # Attempts at about 0, 10, 30, 70, 150 s: the back-off doubles.
    assert 4 <= event_count(cluster, "web", "Pulling") <= 6


def test_pull_policy_never_without_the_image(cluster):
    cluster.apply(NGINX.replace("ports:", "imagePullPolicy: Never\n    ports:"))
    cluster.run(5)
    web = container_status(cluster)
    assert web["state"]["waiting"]["reason"] == "ErrImageNeverPull"
    assert messages(cluster, reason="ErrImageNeverPull") == [
        'Container image "nginx:1.25" is not present with pull policy of Never']


# -- termination --------------------------------------------------------------------------------
def test_a_shell_ignoring_sigterm_takes_the_whole_grace_period(cluster):
    cluster.apply(busybox("sleeper", "sleep 3600"))
    cluster.run(30)
    cluster.api.delete("Pod", "sleeper")
    cluster.run(1)
    assert pod(cluster, "sleeper")["metadata"]["deletionTimestamp"]
    assert messages(cluster, "sleeper", "Killing") == ["Stopping container sleeper"]
    cluster.run(27)
    assert cluster.api.try_get("Pod", "sleeper") is not None
    cluster.run(4)
    assert cluster.api.try_get("Pod", "sleeper") is None


def test_nginx_stops_at_once_on_sigterm(cluster):
    cluster.apply(NGINX)
    cluster.run(60)
    ip = pod(cluster)["status"]["podIP"]
    cluster.api.delete("Pod", "web")
    cluster.run(2)
    assert cluster.api.try_get("Pod", "web") is None
    assert cluster.network.endpoint(ip) is None


def test_a_shorter_grace_period(cluster):
    cluster.apply(busybox("sleeper", "sleep 3600"))
    cluster.run(30)
    cluster.api.delete("Pod", "sleeper", grace_period_seconds=5)
    cluster.run(4)
    assert cluster.api.try_get("Pod", "sleeper") is not None
    cluster.run(3)
    assert cluster.api.try_get("Pod", "sleeper") is None


# -- environment --------------------------------------------------------------------------------
def test_a_missing_config_map_blocks_the_container_until_it_exists(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.25
    env:
    - name: LEVEL
      valueFrom:
        configMapKeyRef:
          name: special-config
          key: special.how
""")
    cluster.run(60)
    web = container_status(cluster)
    assert web["state"]["waiting"] == {"reason": "CreateContainerConfigError",
                                       "message": 'configmap "special-config" not found'}
    assert 'Error: configmap "special-config" not found' in messages(cluster, reason="Failed")
    assert pod(cluster)["status"]["phase"] == "Pending"
    cluster.apply("""
apiVersion: v1
kind: ConfigMap
metadata:
  name: special-config
data:
  special.how: very
""")
    cluster.run(16)
    assert "running" in container_status(cluster)["state"]
    result = kubelet_of(cluster).exec("default", "web", "web", ["printenv", "LEVEL"])
    assert (result.exit_code, result.stdout) == (0, "very\n")


def test_services_made_before_the_pod_are_in_its_environment(cluster):
    cluster.apply("""
apiVersion: v1
kind: Service
metadata:
  name: redis-primary
spec:
  clusterIP: 10.96.0.50
  selector:
    app: redis
  ports:
  - port: 6379
""")
    cluster.apply(NGINX)
    cluster.run(60)
    cluster.apply("""
apiVersion: v1
kind: Service
metadata:
  name: later
spec:
  clusterIP: 10.96.0.51
  selector:
    app: later
  ports:
  - port: 80
""")
    cluster.run(5)
    env = kubelet_of(cluster).exec("default", "web", None, ["env"]).stdout
    assert "REDIS_PRIMARY_SERVICE_HOST=10.96.0.50" in env.splitlines()
    assert "REDIS_PRIMARY_PORT=tcp://10.96.0.50:6379" in env.splitlines()
    assert "LATER_SERVICE_HOST" not in env


# -- volumes ------------------------------------------------------------------------------------
def test_two_containers_share_an_empty_dir(cluster):
    # docs/tasks/access-application-cluster/communicate-containers-same-pod-shared-volume.md
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: two-containers
spec:
  restartPolicy: Never
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx-container
    image: nginx
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  - name: debian-container
    image: debian
    volumeMounts:
    - name: shared-data
      mountPath: /pod-data
    command: ["/bin/sh"]
    args: ["-c", "echo Hello from the debian container > /pod-data/index.html"]
""")
    cluster.run(120)
    statuses = {s["name"]: s for s in pod(cluster, "two-containers")["status"]["containerStatuses"]}
    assert statuses["debian-container"]["state"]["terminated"]["reason"] == "Completed"
    assert "running" in statuses["nginx-container"]["state"]
    kubelet = kubelet_of(cluster, "two-containers")
    page = kubelet.exec("default", "two-containers", "nginx-container",
                        ["curl", "-s", "localhost"])
    assert page.stdout == "Hello from the debian container\n"


def test_config_map_files_are_read_only_and_follow_updates(cluster):
    cluster.apply("""
apiVersion: v1
kind: ConfigMap
metadata:
  name: game-config
data:
  game.properties: lives=3
  ui.properties: color=blue
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  volumes:
  - name: config
    configMap:
      name: game-config
      items:
      - key: game.properties
        path: game
  containers:
  - name: web
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
    volumeMounts:
    - name: config
      mountPath: /etc/config
""")
    cluster.run(60)
    kubelet = kubelet_of(cluster)
    assert kubelet.exec("default", "web", None, ["ls", "/etc/config"]).stdout == "game\n"
    assert kubelet.exec("default", "web", None, ["cat", "/etc/config/game"]).stdout == "lives=3"
    write = kubelet.exec("default", "web", None, ["sh", "-c", "echo x > /etc/config/game"])
    assert write.exit_code != 0 and "Read-only file system" in write.stderr
    config_map = cluster.api.get("ConfigMap", "game-config")
    config_map["data"]["game.properties"] = "lives=5"
    cluster.api.update(config_map)
    cluster.run(120)
    assert kubelet.exec("default", "web", None, ["cat", "/etc/config/game"]).stdout == "lives=5"


def test_a_missing_config_map_volume_is_a_failed_mount(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  volumes:
  - name: config
    configMap:
      name: nope
  containers:
  - name: web
    image: nginx:1.25
    volumeMounts:
    - name: config
      mountPath: /etc/config
""")
    cluster.run(30)
    assert container_status(cluster)["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert messages(cluster, reason="FailedMount") == [
        'MountVolume.SetUp failed for volume "config" : configmap "nope" not found']


def test_the_service_account_files_are_mounted(cluster):
    cluster.apply(busybox("web", "sleep 3600"))
    cluster.run(60)
    kubelet = kubelet_of(cluster)
    path = "/var/run/secrets/kubernetes.io/serviceaccount"
    assert kubelet.exec("default", "web", None, ["cat", f"{path}/namespace"]).stdout == "default"
    assert kubelet.exec("default", "web", None, ["ls", path]).stdout.split() == [
        "ca.crt", "namespace", "token"]


# -- the node API: logs and exec ------------------------------------------------------------------
def test_logs_and_exec_errors_are_worded_like_the_api_server(cluster):
    cluster.apply(NGINX)
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ["sh", "-c", "true"]
  containers:
  - name: a
    image: nginx:1.25
  - name: b
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
""")
    cluster.run(0.5)
    kubelet = kubelet_of(cluster)
    with pytest.raises(BadRequest) as waiting:
        kubelet.logs("default", "web")
    assert waiting.value.message == (
        'container "web" in pod "web" is waiting to start: ContainerCreating')
    with pytest.raises(BadRequest) as unnamed:
        kubelet.logs("default", "pair")
    assert unnamed.value.message == ("a container name must be specified for pod pair, choose "
                                     "one of: [a b] or one of the init containers: [setup]")
    with pytest.raises(BadRequest) as wrong:
        kubelet.exec("default", "pair", "c", ["ls"])
    assert wrong.value.message == "container c is not valid for pod pair"
    with pytest.raises(NotFound) as missing:
        kubelet.logs("default", "nope")
    assert str(missing.value) == 'Error from server (NotFound): pods "nope" not found'
    cluster.run(60)
    with pytest.raises(BadRequest) as previous:
        kubelet.logs("default", "web", previous=True)
    assert previous.value.message == 'previous terminated container "web" in pod "web" not found'
    assert kubelet.exec("default", "pair", "b", ["hostname"]).stdout == "pair\n"


def test_logs_tail(cluster):
    cluster.apply(busybox("counter", "for i in 1 2 3 4 5; do echo $i; done; sleep 3600"))
    cluster.run(60)
    kubelet = kubelet_of(cluster, "counter")
    assert kubelet.logs("default", "counter", tail=2) == "4\n5\n"
    assert kubelet.logs("default", "counter") == "1\n2\n3\n4\n5\n"


def test_summary_reports_usage_of_pods_and_the_node(cluster):
    cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      limits:
        memory: "200Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]
""")
    cluster.run(60)
    summary = kubelet_of(cluster, "memory-demo").summary()
    stats = next(p for p in summary["pods"] if p["podRef"]["name"] == "memory-demo")
    memory = stats["containers"][0]["memory"]["workingSetBytes"]
    assert 150 * 10**6 <= memory < 200 * 1024**2
    assert summary["node"]["memory"]["workingSetBytes"] > memory
    assert summary["node"]["cpu"]["usageNanoCores"] > 0


# -- changes, hooks and forced deletion ---------------------------------------------------------
def test_a_new_image_restarts_the_container(cluster):
    cluster.apply(NGINX)
    cluster.run(60)
    obj = pod(cluster)
    obj["spec"]["containers"][0]["image"] = "nginx:1.27"
    cluster.api.update(obj)
    cluster.run(30)
    assert "Container web definition changed, will be restarted" in messages(cluster,
                                                                            reason="Killing")
    web = container_status(cluster)
    assert web["image"] == "docker.io/library/nginx:1.27"
    assert web["restartCount"] == 1 and "running" in web["state"]


def test_an_unknown_command_is_a_run_container_error(cluster):
    cluster.apply(busybox("typo", "ignored").replace('["sh", "-c", \'ignored\']',
                                                       '["nosuchcommand"]'))
    reasons = set()
    for _ in range(40):
        cluster.run(1)
        state = container_status(cluster, "typo")["state"]
        reasons.add(state.get("waiting", {}).get("reason"))
    assert {"RunContainerError", "CrashLoopBackOff"} <= reasons
    web = container_status(cluster, "typo")
    last = web["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (128, "StartError")
    assert 'exec: "nosuchcommand": executable file not found in $PATH' in last["message"]
    failed = [m for m in messages(cluster, "typo", "Failed") if m.startswith("Error: ")]
    assert failed and failed[0].endswith(": unknown")


def test_a_pre_stop_hook_runs_before_the_container_is_stopped(cluster):
    cluster.apply(NGINX.replace("    ports:", """    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "sleep 5"]
    ports:"""))
    cluster.run(60)
    cluster.api.delete("Pod", "web")
    cluster.run(4)
    assert cluster.api.try_get("Pod", "web") is not None
    cluster.run(4)
    assert cluster.api.try_get("Pod", "web") is None


def test_post_start_hooks_run_and_a_failing_one_kills_the_container(cluster):
    cluster.apply(NGINX.replace("    ports:", """    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo Hello from the postStart handler > /usr/share/message"]
    ports:"""))
    cluster.run(60)
    message = kubelet_of(cluster).exec("default", "web", None, ["cat", "/usr/share/message"])
    assert message.stdout == "Hello from the postStart handler\n"
    cluster.apply(busybox("hooked", "sleep 3600").replace("    command:", """    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "exit 1"]
    command:"""))
    cluster.run(60)
    failed = messages(cluster, "hooked", "FailedPostStartHook")
    assert failed[0].startswith("Exec lifecycle hook ([sh -c exit 1]) for Container "
                                '"hooked" in Pod "hooked_default(')
    assert "FailedPostStartHook" in messages(cluster, "hooked", "Killing")
    assert container_status(cluster, "hooked")["restartCount"] >= 1


def test_a_forced_deletion_removes_the_pod_at_once_and_the_node_cleans_up(cluster):
    cluster.apply(busybox("sleeper", "sleep 3600"))
    cluster.run(30)
    ip = pod(cluster, "sleeper")["status"]["podIP"]
    cluster.api.delete("Pod", "sleeper", grace_period_seconds=0)
    assert cluster.api.try_get("Pod", "sleeper") is None
    cluster.run(1)
    assert cluster.network.endpoint(ip) is not None  # SIGKILL comes 2 s after SIGTERM
    cluster.run(3)
    assert cluster.network.endpoint(ip) is None


def test_a_completed_pod_gives_its_address_back_but_keeps_showing_it(cluster):
    cluster.apply(busybox("job", "echo done", "Never"))
    cluster.run(30)
    status = pod(cluster, "job")["status"]
    assert status["phase"] == "Succeeded"
    assert cluster.network.endpoint(status["podIP"]) is None
    assert condition(cluster, "job", "PodReadyToStartContainers")["status"] == "False"


def test_an_unreadable_image_name_is_invalid(cluster):
    cluster.apply(NGINX.replace("nginx:1.25", "NGINX"))
    cluster.run(5)
    waiting = container_status(cluster)["state"]["waiting"]
    assert waiting["reason"] == "InvalidImageName"
    assert waiting["message"].startswith('Failed to apply default image tag "NGINX": '
                                         "couldn't parse image name \"NGINX\": invalid reference"
                                         " format")
    assert messages(cluster, reason="InspectFailed") == [waiting["message"]]


def test_a_host_network_pod_has_the_nodes_address_and_name(cluster):
    cluster.apply(busybox("host", "sleep 3600").replace("spec:\n", "spec:\n  hostNetwork: true\n"))
    cluster.run(30)
    obj = pod(cluster, "host")
    assert obj["status"]["podIP"] == obj["status"]["hostIP"]
    hostname = kubelet_of(cluster, "host").exec("default", "host", None, ["hostname"])
    assert hostname.stdout == obj["spec"]["nodeName"] + "\n"


def test_a_long_crash_loop_counts_every_restart_and_keeps_the_previous_logs(cluster):
    cluster.apply(busybox("crash", "echo boom $(date +%s); exit 1"))
    cluster.run(1800)
    web = container_status(cluster, "crash")
    # 0, 1, 10+, 20+, 40+, 80+, 160+, then every 300 s and a bit
    assert 9 <= web["restartCount"] <= 11
    previous = kubelet_of(cluster, "crash").logs("default", "crash", previous=True)
    finished = seconds_of(web["lastState"]["terminated"]["finishedAt"])
    assert previous.startswith("boom ") and abs(int(previous.split()[1]) - 1767225600
                                                - finished) <= 1


def test_a_termination_message_explains_the_failure(cluster):
    # docs/tasks/debug/debug-application/determine-reason-pod-failure.md
    cluster.apply(busybox("termination-demo",
                          "sleep 10 && echo Sleep expired > /dev/termination-log", "Never"))
    cluster.apply(busybox("fallback", "echo something broke; exit 2", "Never",
                          terminationMessagePolicy="FallbackToLogsOnError"))
    cluster.run(60)
    terminated = container_status(cluster, "termination-demo")["state"]["terminated"]
    assert terminated["message"] == "Sleep expired\n"
    fallback = container_status(cluster, "fallback")["state"]["terminated"]
    assert fallback["message"] == "something broke\n"
