"""One worker per pod: the kubelet's loop that makes a pod's containers match its spec.

Whenever something happens to a pod (it was bound to this node, a container exited, an image
arrived, a probe changed its verdict, a back-off ran out, the pod was deleted) its worker
*syncs*: it compares what runs with what should run and takes the next steps, in the order
``SyncPod`` takes them upstream:

1. create the pod sandbox (the pause container holding the pod's IP) and mount its volumes;
2. run the init containers one at a time, each to a successful exit;
3. start every container that is not running and should be, in the order of the spec: pull its
   image, resolve its environment, create it, start it; a container that exited is restarted
   according to ``restartPolicy``, after a back-off that doubles from 10 s to 5 minutes;
4. kill a container whose liveness or startup probe failed, or whose image was changed, and
   start it again;
5. write the pod's status (what a sync did shows after the next relist, a second later).

A sync that could not finish (an image that will not pull, a missing ConfigMap, a back-off) is
retried 10 to 15 seconds later. The kubelet notices that a container exited within a second
(the PLEG relist period), so ``kubectl get pods`` may show ``Error`` briefly before
``CrashLoopBackOff``.

When the pod is deleted the worker stops every container with the grace period
(``Killing``: ``Stopping container nginx``), tears down the sandbox, releases the IP and
finally removes the pod object.

Sources: ``pkg/kubelet/pod_workers.go``, ``pkg/kubelet/kubelet.go`` (``SyncPod``,
``SyncTerminatingPod``), ``pkg/kubelet/kuberuntime/kuberuntime_manager.go``
(``computePodActions``, ``SyncPod``), ``kuberuntime_container.go`` (``startContainer``,
``killContainer``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field

from k8skit.api.meta import timestamp
from k8skit.api.qos import qos_class
from k8skit.api.quantity import QuantityError, cpu_millis, memory_bytes
from k8skit.clock import Timer
from k8skit.node import volumes
from k8skit.node.kubelet import events, prober, status
from k8skit.node.kubelet.environment import (
    ContainerConfigError,
    command_and_args,
    container_environment,
)
from k8skit.node.kubelet.images import ImageResult
from k8skit.node.runtime import ContainerSpec, FileSystem
from k8skit.node.runtime.filesystem import File

# How soon the kubelet notices that a container exited (the generic PLEG relists every second).
PLEG_RELIST_SECONDS = 1.0
# A failed sync is retried after 10 s plus up to 50 % jitter (pod_workers.go: backOffPeriod,
# workerBackOffPeriodJitterFactor).
SYNC_RETRY_SECONDS = 10.0
SYNC_RETRY_JITTER = 0.5
# killContainer never gives a container less than 2 s (minimumGracePeriodInSeconds).
MINIMUM_GRACE_SECONDS = 2
# Waiting reasons set by a failed start (pkg/kubelet/container/sync_result.go).
CRASH_LOOP_BACK_OFF = "CrashLoopBackOff"
CREATE_CONTAINER_CONFIG_ERROR = "CreateContainerConfigError"
RUN_CONTAINER_ERROR = "RunContainerError"
# containerd's reason for a container whose process could not be started at all.
START_ERROR = "StartError"
# Termination messages (pkg/kubelet/kuberuntime/kuberuntime_container.go).
TERMINATION_MESSAGE_PATH = "/dev/termination-log"
MAX_TERMINATION_MESSAGE_BYTES = 4096
FALLBACK_LOG_LINES = 80
FALLBACK_LOG_BYTES = 2048
# Attempts kept per container: the running one and the last dead one.
KEPT_ATTEMPTS = 2
# What a container left behind when the machine lost power, as containerd reports it at boot.
POWER_LOSS_EXIT_CODE = 255
POWER_LOSS_REASON = "Unknown"


@dataclass
class ContainerRun:
    """One attempt at running a container: one containerd container, alive or exited."""

    name: str
    container: object
    container_id: str
    image: str
    image_id: str
    spec_image: str
    attempt: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    reason: str = ""
    message: str = ""
    killing: bool = False
    # The file mounted at terminationMessagePath, where a container can leave a last word.
    termination_log: FileSystem | None = None

    @property
    def run_id(self) -> str:
        return self.container_id

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.finished_at is None

    @property
    def exited(self) -> bool:
        return self.finished_at is not None

    def finish(self, when: float, exit_code: int, reason: str) -> bool:
        """Record the end of the attempt once; False if it had already ended."""
        if self.finished_at is not None:
            return False
        self.finished_at, self.exit_code, self.reason = when, exit_code, reason
        return True

    def state(self) -> dict:
        if self.running:
            return {"running": {"startedAt": timestamp(self.started_at)}}
        terminated = {
            "containerID": self.container_id,
            "exitCode": self.exit_code,
            "finishedAt": timestamp(self.finished_at),
            "reason": self.reason,
            "startedAt": timestamp(self.started_at if self.started_at is not None
                                   else self.finished_at),
        }
        if self.message:
            terminated["message"] = self.message
        return {"terminated": terminated}


@dataclass
class PodRecord:
    """What the container runtime keeps about a pod on disk: its containers' attempts.

    It survives a reboot of the machine (containerd's metadata and the log files are on disk),
    which is how a rebooted kubelet knows restart counts and ``kubectl logs --previous`` works.
    """

    runs: dict[str, list[ContainerRun]] = field(default_factory=dict)
    # The pod's volumes as last set up (its directory under /var/lib/kubelet/pods).
    volumes: dict | None = None

    def latest(self, name: str) -> ContainerRun | None:
        attempts = self.runs.get(name)
        return attempts[-1] if attempts else None

    def add(self, run: ContainerRun) -> None:
        """Record a new attempt. Only the last dead container is kept besides the current
        one (the container garbage collector's ``MaxPerPodContainer: 1``), which is all
        ``kubectl logs --previous`` can reach."""
        attempts = self.runs.setdefault(run.name, [])
        run.attempt = attempts[-1].attempt + 1 if attempts else 0
        attempts.append(run)
        del attempts[:-KEPT_ATTEMPTS]

    def power_loss(self, when: float) -> None:
        """Every running container ended when the power went: exit 255, reason Unknown."""
        for attempts in self.runs.values():
            if attempts and attempts[-1].running:
                attempts[-1].finish(when, POWER_LOSS_EXIT_CODE, POWER_LOSS_REASON)
        if self.volumes is not None:
            volumes.power_loss(self.volumes)


class PodWorker:
    """Drives one pod on one node (``kubelet`` gives access to the node's parts)."""

    def __init__(self, kubelet, pod: dict, record: PodRecord,
                 rejected: tuple[str, str] | None = None) -> None:
        self.kubelet = kubelet
        self.clock = kubelet.clock
        self.api = kubelet.api
        meta = pod["metadata"]
        self.uid, self.name, self.namespace = meta["uid"], meta["name"], meta["namespace"]
        self.spec = pod["spec"]
        self.record = record
        self.sandbox = None
        self.pod_ip = ""
        self.mounted: dict[str, volumes.Volume] | None = None
        self.waiting: dict[str, tuple[str, str]] = {}
        self.probes: dict[tuple[str, str], prober.ProbeWorker] = {}
        self.start_time = (pod.get("status") or {}).get("startTime") or timestamp(self.clock.now)
        self.busy = False
        self.sync_wanted = False
        # (reason, message) when admission refused the pod: it fails without running.
        self.rejected = rejected
        self.terminal = rejected is not None or pod.get("status", {}).get("phase") in (
            "Succeeded", "Failed")
        self.terminating = False
        self.finished = False
        self.alive = True
        self._retry: Timer | None = None
        # Container name -> when the attempt before a probe-killed one finished (see
        # _kill_then_restart).
        self._backoff_reference: dict[str, float | None] = {}
        # Containers killed to be started again whatever restartPolicy says (a new image).
        self._forced_restart: set[str] = set()
        self._seen = _identity(pod)
        self._start_probes()

    # -- events from the kubelet ----------------------------------------------------------
    def update(self, pod: dict, first: bool = False) -> None:
        """The pod object changed (or was seen for the first time).

        A change of the pod's status alone (most often the kubelet's own write) needs no
        sync, as the kubelet's pod config filters such updates out.
        """
        if not first and _unchanged(pod, self._seen):
            return
        self._seen = _identity(pod)
        self.spec = pod["spec"]
        if pod["metadata"].get("deletionTimestamp") and not self.terminating:
            grace = pod["metadata"].get("deletionGracePeriodSeconds")
            self.terminate(self.spec.get("terminationGracePeriodSeconds", 30)
                           if grace is None else grace, remove=True)
            return
        self.clock.call_soon(self.sync)

    def removed(self) -> None:
        """The pod object is gone (force deletion): stop everything, report nothing."""
        if not self.terminating:
            self.terminate(0, remove=False)

    def power_off(self) -> None:
        """The machine lost power: everything dies at once, silently."""
        self.alive = False
        for worker in self.probes.values():
            worker.stop()
        if self._retry is not None:
            self._retry.cancel()
        self.record.power_loss(self.clock.now)
        if self.sandbox is not None:
            self._release_ip()

    # -- the sync loop --------------------------------------------------------------------
    def sync(self) -> None:
        if not self.alive or self.terminating or self.finished:
            return
        if self.busy:
            self.sync_wanted = True
            return
        pod = self._api_pod()
        if pod is None:
            return
        if self.terminal:
            self.post_status()
            self._finish_if_terminal()
            return
        if not self._ensure_sandbox(pod):
            self.post_status()
            self._retry_later()
            return
        # The status is written first, then the containers are started (SyncPod).
        self.post_status()
        to_start, to_kill = self._compute_actions(pod)
        if to_kill:
            self._kill_then_restart(to_kill)
        if to_start:
            self.busy = True
            self._start_sequence(pod, to_start, 0, failed=False)
            return
        self._finish_if_terminal()

    def _compute_actions(self, pod: dict) -> tuple[list[dict], list[tuple[dict, str]]]:
        """What to start and what to kill now (computePodActions)."""
        restart_policy = self.spec.get("restartPolicy", "Always")
        for init in self.spec.get("initContainers") or []:
            latest = self.record.latest(init["name"])
            if latest is None:
                return [init], []
            if latest.running:
                return [], []
            if latest.exit_code == 0:
                continue
            if restart_policy == "Never":
                return [], []
            return [init], []
        to_start, to_kill = [], []
        for container in self.spec["containers"]:
            latest = self.record.latest(container["name"])
            if latest is None:
                to_start.append(container)
            elif latest.running and not latest.killing:
                why = self._kill_reason(container, latest)
                if why:
                    to_kill.append((container, why))
            elif (status.should_restart(restart_policy, latest.exit_code)
                  or container["name"] in self._forced_restart):
                to_start.append(container)
        return to_start, to_kill

    def _kill_reason(self, container: dict, run: ContainerRun) -> str | None:
        """Why a running container must be killed, if it must (computePodActions)."""
        name = container["name"]
        if run.spec_image != container["image"]:
            # Only the image of a pod's container can change (kubectl set image); the
            # kubelet's container hash covers the name and the image.
            return f"Container {name} definition changed"
        for kind in (prober.LIVENESS, prober.STARTUP):
            worker = self.probes.get((name, kind))
            if worker is not None and worker.result == prober.FAILURE:
                return f"Container {name} failed {kind} probe"
        return None

    def _start_sequence(self, pod: dict, containers: list[dict], index: int,
                        failed: bool) -> None:
        """Start ``containers`` one after the other (each may wait for its image)."""
        if not self.alive or self.terminating:
            self.busy = False
            return
        if index == len(containers):
            self.busy = False
            # What this sync did (containers started, or why not) shows in the status written
            # after the next relist, as the kubelet's pod cache catches up.
            self.clock.call_later(PLEG_RELIST_SECONDS, self.post_status)
            if failed:
                self._retry_later()
            if self.sync_wanted:
                self.sync_wanted = False
                self.clock.call_soon(self.sync)
            return

        def next_one(ok: bool) -> None:
            self._start_sequence(pod, containers, index + 1, failed or not ok)

        self._start_container(pod, containers[index], next_one)

    def _start_container(self, pod: dict, container: dict, done) -> None:
        """startContainer: back-off check, image, configuration, create, start."""
        name = container["name"]
        latest = self.record.latest(name)
        if name in self._backoff_reference:
            finished_at = self._backoff_reference.pop(name)
        else:
            finished_at = latest.finished_at if latest is not None else None
        if finished_at is not None:
            key = self._backoff_key(container)
            backoff = self.kubelet.crash_backoff
            if backoff.is_in_backoff_since(key, finished_at, self.clock.now):
                self.kubelet.recorder.event(
                    pod, "Warning", events.BACK_OFF_START_CONTAINER,
                    f"Back-off restarting failed container {name} in pod {self._pod_name()}")
                self.waiting[name] = (
                    CRASH_LOOP_BACK_OFF,
                    f"back-off {_go_seconds(backoff.get(key))} restarting failed "
                    f"container={name} pod={self._pod_name()}")
                done(False)
                return
            backoff.next(key, finished_at)

        def image_ready(result: ImageResult) -> None:
            if not self.alive or self.terminating:
                return
            if not result.ok:
                self.kubelet.recorder.event(pod, "Warning", events.FAILED_TO_CREATE_CONTAINER,
                                            f"Error: {result.reason}")
                self.waiting[name] = (result.reason, result.message)
                done(False)
                return
            done(self._create_and_start(self._api_pod() or pod, container))

        self.kubelet.images.ensure_image_exists(pod, container, image_ready)

    def _create_and_start(self, pod: dict, container: dict) -> bool:
        name = container["name"]
        try:
            env = container_environment(self.api, pod, container, self.kubelet.allocatable(),
                                         self.kubelet.config.internal_ip)
            mounts = volumes.container_mounts(container, self.mounted or {})
        except (ContainerConfigError, volumes.VolumeError) as err:
            self.kubelet.recorder.event(pod, "Warning", events.FAILED_TO_CREATE_CONTAINER,
                                        f"Error: {err}")
            self.waiting[name] = (CREATE_CONTAINER_CONFIG_ERROR, str(err))
            return False
        termination_log = FileSystem(root=File())
        mounts[container.get("terminationMessagePath") or TERMINATION_MESSAGE_PATH] = \
            termination_log
        command, args = command_and_args(container, env)
        resources = container.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        created = self.kubelet.runtime.create_container(self.sandbox, ContainerSpec(
            name=name,
            image=container["image"],
            command=command,
            args=args,
            env=env,
            working_dir=container.get("workingDir"),
            mounts=mounts,
            cpu_limit_millis=_millis(limits.get("cpu")),
            memory_limit_bytes=_bytes(limits.get("memory")),
            cpu_request_millis=_millis(requests.get("cpu")) or 0,
            memory_request_bytes=_bytes(requests.get("memory")) or 0,
            ports=[int(p["containerPort"]) for p in container.get("ports") or []
                   if "containerPort" in p],
            stdin=bool(container.get("stdin")),
        ))
        run = ContainerRun(name, created, f"containerd://{created.id}", created.image_ref,
                           self.kubelet.runtime.image_id(container["image"]),
                           container["image"], termination_log=termination_log)
        self.record.add(run)
        self.kubelet.recorder.event(pod, "Normal", events.CREATED_CONTAINER,
                                    f"Created container: {name}")
        created.start(lambda code, reason: self._on_exit(run, code, reason))
        run.started_at = self.clock.now
        if created.reason == START_ERROR:
            # runc could not start the entrypoint (StartError): reported as RunContainerError.
            run.finish(self.clock.now, created.exit_code, created.reason)
            run.message = created.message or ""
            self.kubelet.recorder.event(pod, "Warning", events.FAILED_TO_START_CONTAINER,
                                        f"Error: {run.message}")
            self.waiting[name] = (RUN_CONTAINER_ERROR, run.message)
            return False
        self.kubelet.recorder.event(pod, "Normal", events.STARTED_CONTAINER,
                                    f"Started container {name}")
        self.waiting.pop(name, None)
        self._forced_restart.discard(name)
        self._run_post_start(pod, container, run)
        readiness = self.probes.get((name, prober.READINESS))
        if readiness is not None:
            readiness.trigger()
        return True

    def _run_post_start(self, pod: dict, container: dict, run: ContainerRun) -> None:
        """A postStart hook runs right after the start; if it fails the container is killed."""
        hook = (container.get("lifecycle") or {}).get("postStart")
        if not hook or not run.running:
            return
        failure, _ = self._run_hook(hook, run, container)
        if failure is None:
            return
        self.kubelet.recorder.event(pod, "Warning", events.FAILED_POST_START_HOOK, failure)
        self.kubelet.recorder.event(pod, "Normal", events.KILLING_CONTAINER,
                                    events.FAILED_POST_START_HOOK)
        self._kill(run, self._grace(None), self._pleg_notice)

    def _run_hook(self, hook: dict, run: ContainerRun,
                  container: dict) -> tuple[str | None, float]:
        """Run a lifecycle hook: (None or the failure's event message, seconds it took).

        Messages as ``pkg/kubelet/lifecycle/handlers.go`` words them.
        """
        where = f'for Container "{container["name"]}" in Pod "{self._pod_name()}"'
        if "exec" in hook:
            command = [str(part) for part in hook["exec"].get("command") or []]
            result = run.container.exec(command)
            if result.exit_code == 0:
                return None, result.seconds
            output = (result.stdout or "") + (result.stderr or "")
            error = f"command '{' '.join(command)}' exited with {result.exit_code}: "
            return (f"Exec lifecycle hook ([{' '.join(command)}]) {where} failed - "
                    f"error: {error}, message: {json.dumps(output)}"), result.seconds
        ok, output = prober.check(hook, run.container, container, self.pod_ip,
                                  self.kubelet.network)
        if ok:
            return None, 0.0
        path = (hook.get("httpGet") or {}).get("path", "")
        return f"HTTP lifecycle hook ({path}) {where} failed - error: {output}", 0.0

    def _on_exit(self, run: ContainerRun, exit_code: int, reason: str) -> None:
        """The runtime says a container's process ended on its own."""
        if not self.alive or not run.finish(self.clock.now, exit_code, reason):
            return
        run.message = self._termination_message(run)
        # The ended container shows as such (Error, Completed, OOMKilled) until the worker,
        # woken by the next relist, restarts it or backs off.
        self.post_status()
        self._pleg_notice()

    def _termination_message(self, run: ContainerRun) -> str:
        """``state.terminated.message``: what the container wrote to its termination message
        file (at most 4096 bytes), or with ``terminationMessagePolicy:
        FallbackToLogsOnError`` the end of its log (80 lines, 2048 bytes) when it failed
        (docs/tasks/debug/debug-application/determine-reason-pod-failure.md)."""
        message = run.termination_log.read("/")[:MAX_TERMINATION_MESSAGE_BYTES] \
            if run.termination_log is not None else ""
        spec = next((c for c in self._all_containers() if c["name"] == run.name), {})
        if not message and run.exit_code != 0 and \
                spec.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            lines = [line + "\n" for _, line in run.container.logs()[-FALLBACK_LOG_LINES:]]
            message = "".join(lines)[-FALLBACK_LOG_BYTES:]
        return message

    def _pleg_notice(self) -> None:
        """The next PLEG relist sees the change and wakes the pod worker."""
        self.clock.call_later(PLEG_RELIST_SECONDS, self.sync)

    def _kill_then_restart(self, to_kill: list[tuple[dict, str]]) -> None:
        """Kill containers whose spec changed or whose liveness/startup probe failed, then
        start them again unless ``restartPolicy: Never`` (a changed one restarts anyway).

        Upstream decides the restart in the same sync, before the kill: its back-off check
        looks at the attempt that ended *before* the one being killed, so a container killed
        by its liveness probe restarts at once unless it is failing faster than its back-off.
        """
        pod = self._api_pod()
        restart_on_failure = self.spec.get("restartPolicy", "Always") != "Never"
        for container, why in to_kill:
            name = container["name"]
            attempts = self.record.runs[name]
            restart = restart_on_failure or why.endswith("definition changed")
            if restart:
                self._backoff_reference[name] = (attempts[-2].finished_at
                                                 if len(attempts) > 1 else None)
                self._forced_restart.add(name)
                why += ", will be restarted"
            self.kubelet.recorder.event(pod, "Normal", events.KILLING_CONTAINER, why)
            probe_grace = None
            for kind, field_name in prober.PROBE_FIELDS.items():
                if f"failed {kind} probe" in why:
                    probe_grace = (container.get(field_name) or {}).get(
                        "terminationGracePeriodSeconds")
            self._kill(attempts[-1], self._grace(probe_grace), self.sync)

    def _kill(self, run: ContainerRun, grace: float, then) -> None:
        """killContainer: SIGTERM, SIGKILL after ``grace`` seconds; ``then()`` once it is gone."""

        def gone(exit_code: int) -> None:
            if not self.alive:
                return
            if run.finish(self.clock.now, exit_code,
                          run.container.reason or ("Completed" if exit_code == 0 else "Error")):
                run.message = self._termination_message(run)
            then()

        run.killing = True
        run.container.kill(max(grace, MINIMUM_GRACE_SECONDS), gone)

    def _grace(self, probe_grace: int | None) -> float:
        if probe_grace is not None:
            return probe_grace
        return self.spec.get("terminationGracePeriodSeconds", 30)

    # -- sandbox and volumes --------------------------------------------------------------
    def _ensure_sandbox(self, pod: dict) -> bool:
        """The pause container with the pod's IP, and the pod's volumes mounted."""
        if self.sandbox is None:
            if self.spec.get("hostNetwork"):
                # The pod shares the node's network namespace: the node's address and name.
                self.pod_ip = self.kubelet.config.internal_ip
                self.sandbox = self.kubelet.runtime.run_sandbox(
                    self.uid, self.name, self.namespace, None, self.kubelet.config.name)
            else:
                self.pod_ip = self.kubelet.network.allocate_ip(self.kubelet.config.pod_cidr)
                self.sandbox = self.kubelet.runtime.run_sandbox(
                    self.uid, self.name, self.namespace, self.pod_ip,
                    self.spec.get("hostname") or self.name)
            # The new sandbox is a change the PLEG reports, which wakes the worker again.
            self._pleg_notice()
        if self.mounted is None:
            try:
                self.mounted = volumes.mount_pod_volumes(
                    self.api, pod, self.kubelet.host_files, self.kubelet.disks,
                    self.kubelet.config.internal_ip, self.kubelet.allocatable(),
                    previous=self.record.volumes)
            except volumes.VolumeError as err:
                self.kubelet.recorder.event(pod, "Warning", events.FAILED_MOUNT_VOLUME, str(err))
                return False
            self.record.volumes = self.mounted
        return True

    def shows(self, kind: str, name: str) -> bool:
        """Whether one of this pod's volumes shows the ConfigMap or Secret ``name``."""
        return any(volumes.references(v, kind, name) for v in (self.mounted or {}).values())

    def refresh_volumes(self, kind: str, name: str) -> None:
        """Bring the volumes showing ``kind``/``name`` up to date with its data."""
        pod = self._api_pod()
        if pod is None or not self.alive or self.mounted is None:
            return
        for volume in self.mounted.values():
            if volumes.references(volume, kind, name):
                volumes.refresh_volume(self.api, pod, volume, self.kubelet.config.internal_ip,
                                       self.kubelet.allocatable())

    # -- termination ----------------------------------------------------------------------
    def terminate(self, grace: float, remove: bool) -> None:
        """Stop every container within ``grace`` seconds, clean up, then remove the pod."""
        self.terminating = True
        for worker in self.probes.values():
            worker.stop()
        if self._retry is not None:
            self._retry.cancel()
        pod = self._api_pod()
        running = [(c, self.record.latest(c["name"])) for c in self._all_containers()]
        running = [(c, run) for c, run in running if run is not None and run.running]
        remaining = {"count": len(running)}

        def one_gone() -> None:
            remaining["count"] -= 1
            if remaining["count"] == 0:
                self.clock.call_later(PLEG_RELIST_SECONDS, self._terminated, remove)

        if not running:
            self.clock.call_later(PLEG_RELIST_SECONDS, self._terminated, remove)
            return
        for container, run in running:
            if pod is not None:
                self.kubelet.recorder.event(pod, "Normal", events.KILLING_CONTAINER,
                                            f"Stopping container {container['name']}")
            spent = self._run_pre_stop(pod, container, run, grace)
            if spent:
                # The hook's time counts against the grace period (killContainer).
                self.clock.call_later(spent, self._kill, run, grace - spent, one_gone)
            else:
                self._kill(run, grace, one_gone)

    def _run_pre_stop(self, pod: dict | None, container: dict, run: ContainerRun,
                      grace: float) -> float:
        """Run the preStop hook before SIGTERM; returns the seconds it took (at most grace)."""
        hook = (container.get("lifecycle") or {}).get("preStop")
        if not hook:
            return 0.0
        failure, seconds = self._run_hook(hook, run, container)
        if failure is not None and pod is not None:
            self.kubelet.recorder.event(pod, "Warning", events.FAILED_PRE_STOP_HOOK, failure)
        return min(seconds, grace)

    def _terminated(self, remove: bool) -> None:
        """SyncTerminatedPod: sandbox gone, IP released, volumes unmounted, pod removed."""
        if not self.alive or self.finished:
            return
        self.finished = True
        self._release_sandbox()
        if self.mounted is not None:
            volumes.unmount_pod_volumes(self.mounted)
        pod = self._api_pod()
        if pod is not None and remove:
            self.terminal = True
            self.post_status()
            self.api.delete("Pod", self.name, self.namespace, grace_period_seconds=0,
                            user=self.kubelet.user)
        self.kubelet.forget(self)

    def _finish_if_terminal(self) -> None:
        """A pod that reached Succeeded or Failed keeps no sandbox and no probes."""
        if not self.terminal:
            return
        for worker in self.probes.values():
            worker.stop()
        self._release_sandbox()

    def _release_sandbox(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self._release_ip()
            self.sandbox = None

    def _release_ip(self) -> None:
        """Give the pod's address back to the node's range (a host-network pod has none)."""
        if not self.spec.get("hostNetwork"):
            self.kubelet.network.release_ip(self.pod_ip)

    def _retry_later(self) -> None:
        """Requeue the pod after a failed sync, with jitter (wait.Jitter)."""
        if self._retry is not None:
            self._retry.cancel()
        delay = SYNC_RETRY_SECONDS * (1 + SYNC_RETRY_JITTER * self.kubelet.rng.random())
        self._retry = self.clock.call_later(delay, self.sync)

    # -- probes ---------------------------------------------------------------------------
    def _start_probes(self) -> None:
        for container in self.spec["containers"]:
            for kind, field_name in prober.PROBE_FIELDS.items():
                if container.get(field_name):
                    worker = prober.ProbeWorker(
                        self.clock, container, kind, self._probe_target, self._started,
                        lambda probe, c=container: self._check(probe, c),
                        self._probe_changed, self._unhealthy)
                    self.probes[(container["name"], kind)] = worker
                    worker.start()

    def _probe_target(self, name: str) -> ContainerRun | None:
        return self.record.latest(name)

    def _started(self, name: str) -> bool:
        run = self.record.latest(name)
        if run is None or not run.running:
            return False
        startup = self.probes.get((name, prober.STARTUP))
        return startup is None or startup.result == prober.SUCCESS

    def _check(self, probe: dict, container: dict) -> tuple[bool, str]:
        run = self.record.latest(container["name"])
        return prober.check(probe, run.container, container, self.pod_ip, self.kubelet.network)

    def _unhealthy(self, kind: str, output: str) -> None:
        pod = self._api_pod()
        if pod is not None:
            self.kubelet.recorder.event(pod, "Warning", events.CONTAINER_UNHEALTHY,
                                        f"{kind.capitalize()} probe failed: {output}")

    def _probe_changed(self, worker: prober.ProbeWorker) -> None:
        if not self.alive or self.terminating:
            return
        if worker.kind == prober.STARTUP and worker.result == prober.SUCCESS:
            readiness = self.probes.get((worker.container_name, prober.READINESS))
            if readiness is not None:
                readiness.trigger()
        if worker.result == prober.FAILURE and worker.kind != prober.READINESS:
            self.clock.call_soon(self.sync)
        else:
            self.post_status()

    # -- status ---------------------------------------------------------------------------
    def post_status(self) -> None:
        """Write the pod's status if it changed (the status manager)."""
        if not self.alive:
            return
        pod = self._api_pod()
        if pod is None:
            return
        new = self.generate_status(pod)
        if new != pod.get("status"):
            pod["status"] = new
            self.api.update_status(pod, user=self.kubelet.user)

    @property
    def active(self) -> bool:
        """Whether the pod still holds its share of the node (not finished, not completed)."""
        return not self.finished and not self.terminal

    def generate_status(self, pod: dict) -> dict:
        if self.rejected is not None:
            old = pod.get("status") or {}
            reason, message = self.rejected
            return {"message": message, "phase": "Failed", "qosClass": old.get("qosClass")
                    or qos_class(pod), "reason": reason, "startTime": self.start_time}
        has_init = bool(self.spec.get("initContainers"))
        init_statuses = [self._container_status(c, True, status.POD_INITIALIZING)
                         for c in self.spec.get("initContainers") or []]
        default = status.POD_INITIALIZING if has_init else status.CONTAINER_CREATING
        statuses = [self._container_status(c, False, default) for c in self.spec["containers"]]
        phase = status.pod_phase(pod, init_statuses, statuses, self.terminal)
        old_phase = (pod.get("status") or {}).get("phase")
        if old_phase in ("Succeeded", "Failed"):
            phase = old_phase
        if phase in ("Succeeded", "Failed"):
            self.terminal = True
        host_ip = self.kubelet.config.internal_ip
        new = {
            "conditions": status.pod_conditions(pod, phase, init_statuses, statuses,
                                                self.sandbox is not None, self.clock.now),
            "containerStatuses": statuses,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "phase": phase,
            "qosClass": (pod.get("status") or {}).get("qosClass") or qos_class(pod),
            "startTime": self.start_time,
        }
        if init_statuses:
            new["initContainerStatuses"] = init_statuses
        if self.pod_ip or (pod.get("status") or {}).get("podIP"):
            ip = self.pod_ip or pod["status"]["podIP"]
            new["podIP"] = ip
            new["podIPs"] = [{"ip": ip}]
        return new

    def _container_status(self, container: dict, init: bool, default_reason: str) -> dict:
        name = container["name"]
        attempts = self.record.runs.get(name) or []
        latest = attempts[-1] if attempts else None
        result = {
            "containerID": latest.container_id if latest else None,
            "image": latest.image if latest else container["image"],
            "imageID": latest.image_id if latest else "",
            "lastState": attempts[-2].state() if len(attempts) > 1 else {},
            "name": name,
            "ready": False,
            "restartCount": latest.attempt if latest else 0,
            "started": False,
            "state": latest.state() if latest else {"waiting": {"reason": default_reason}},
        }
        if latest is None:
            del result["containerID"]
        restart_policy = self.spec.get("restartPolicy", "Always")
        restartable = latest is None or (
            latest.exited and not self.terminal and not self.terminating
            and (latest.exit_code != 0 or not init)
            and status.should_restart(restart_policy, latest.exit_code))
        if name in self.waiting and restartable:
            if latest is not None:
                result["lastState"] = result["state"]
            reason, message = self.waiting[name]
            result["state"] = {"waiting": {"reason": reason, **({"message": message}
                                                                 if message else {})}}
        if init:
            result["ready"] = bool(latest and latest.exited and latest.exit_code == 0)
            result["started"] = bool(latest and latest.running)
        else:
            started = self._started(name)
            readiness = self.probes.get((name, prober.READINESS))
            result["started"] = started
            result["ready"] = started and (readiness is None
                                           or readiness.result == prober.SUCCESS)
        mounts = [{"mountPath": m["mountPath"], "name": m["name"],
                   **({"readOnly": True, "recursiveReadOnly": "Disabled"}
                      if m.get("readOnly") else {})}
                  for m in container.get("volumeMounts") or []]
        if mounts:
            result["volumeMounts"] = mounts
        return result

    # -- helpers --------------------------------------------------------------------------
    def _api_pod(self) -> dict | None:
        """The pod as the API server has it now, if it is still this pod."""
        pod = self.api.try_get("Pod", self.name, self.namespace)
        if pod is None or pod["metadata"].get("uid") != self.uid:
            return None
        return pod

    def _all_containers(self) -> list[dict]:
        return list(self.spec.get("initContainers") or []) + list(self.spec["containers"])

    def _pod_name(self) -> str:
        """format.Pod: ``name_namespace(uid)``."""
        return f"{self.name}_{self.namespace}({self.uid})"

    def _backoff_key(self, container: dict) -> str:
        """getStableKey: the pod, the container and a hash of its spec."""
        digest = hashlib.sha256(repr(sorted(container.items())).encode()).hexdigest()[:8]
        return f"{self.name}_{self.namespace}_{self.uid}_{container['name']}_{digest}"


def _identity(pod: dict) -> tuple:
    """What makes a pod update worth a sync: its spec and metadata, not its status.

    A copy, since components change stored objects in place; it is taken only when something
    in it changed, and :func:`_unchanged` compares against it without copying anything."""
    meta = pod["metadata"]
    return (copy.deepcopy(pod["spec"]), meta.get("deletionTimestamp"),
            dict(meta.get("labels") or {}), dict(meta.get("annotations") or {}))


def _unchanged(pod: dict, seen: tuple) -> bool:
    meta = pod["metadata"]
    spec, deletion, labels, annotations = seen
    return (meta.get("deletionTimestamp") == deletion and (meta.get("labels") or {}) == labels
            and (meta.get("annotations") or {}) == annotations and pod["spec"] == spec)


def _go_seconds(seconds: float) -> str:
    """A whole back-off duration the way Go prints it: ``10s``, ``2m40s``, ``5m0s``."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


def _millis(value) -> int | None:
    try:
        return cpu_millis(value) if value is not None else None
    except QuantityError:
        return None


def _bytes(value) -> int | None:
    try:
        return memory_bytes(value) if value is not None else None
    except QuantityError:
        return None

