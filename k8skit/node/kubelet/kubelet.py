"""The kubelet: the node agent that runs the pods the scheduler bound to its node.

It talks to the API server (watching Pods, writing their status, registering its Node and
renewing its Lease) and to the container runtime on its machine (pulling images, running pod
sandboxes and containers). Everything else it does is the pod workers' job
(:mod:`k8skit.node.kubelet.pod_workers`).

The API server reaches a kubelet for three things kubectl asks (the "node proxy", the kubelet's
port 10250): ``kubectl logs`` (:meth:`Kubelet.logs`), ``kubectl exec`` (:meth:`Kubelet.exec`)
and the resource usage metrics-server collects for ``kubectl top`` (:meth:`Kubelet.summary`).

A pod that reaches the node without the scheduler (``spec.nodeName`` set by hand) and does
not fit is rejected (:mod:`k8skit.node.kubelet.admission`). A ``hostNetwork`` pod gets the
node's address and name; the simulator does not make its ports reachable on the node's address.

A machine can lose power (:meth:`Kubelet.stop`): every container dies with it and nothing more is
reported; the API keeps showing the last status until the node lifecycle controller notices the
missing heartbeats. When it comes back (:meth:`Kubelet.start`) the kubelet registers again, finds
the pods still bound to it and starts their containers anew (their restart counts grow), and
finishes the pods that were deleted meanwhile.

Sources: ``pkg/kubelet/kubelet.go``, ``pkg/kubelet/server/server.go`` (the node API),
``pkg/kubelet/server/stats`` (``/stats/summary``), ``docs/concepts/architecture/nodes.md``.
"""

from __future__ import annotations

import random

from k8skit.api.errors import APIError, BadRequest, NotFound
from k8skit.api.events import EventRecorder
from k8skit.api.meta import timestamp
from k8skit.api.quantity import cpu_millis, memory_bytes
from k8skit.api.server import APIServer
from k8skit.api.store import WatchEvent
from k8skit.clock import Clock, Timer
from k8skit.node import volumes
from k8skit.node.config import NodeConfig
from k8skit.node.kubelet import admission, nodestatus
from k8skit.node.kubelet.backoff import Backoff
from k8skit.node.kubelet.images import ERR_IMAGE_PULL, IMAGE_PULL_BACK_OFF, ImageManager
from k8skit.node.kubelet.pod_workers import PodRecord, PodWorker
from k8skit.node.runtime import ContainerRuntime

# What the operating system and the node's daemons (kubelet, containerd) use on every node, in
# the usage summary (a kubeadm node idles at about this much).
SYSTEM_CPU_MILLIS = 80
SYSTEM_MEMORY_BYTES = 600 * 1024 * 1024
# Every pod is synced once a minute plus up to 50 % (syncFrequency, resync jitter): that is when
# mounted ConfigMaps and Secrets catch up with changes.
PERIODIC_SYNC_SECONDS = 60
PERIODIC_SYNC_JITTER = 0.5


class NodeUnreachable(APIError):
    """The API server could not reach a kubelet. Its Status carries no reason, so kubectl
    prints ``Error from server: <message>`` (``StandardErrorMessage`` in kubectl's helpers)."""

    reason, code = "", 500

    def __str__(self) -> str:
        return f"Error from server: {self.message}"


class Kubelet:
    """The node agent of one machine, described by ``config``."""

    def __init__(self, api: APIServer, clock: Clock, config: NodeConfig, rng: random.Random,
                 network, disks: volumes.DiskStore) -> None:
        self.api = api
        self.clock = clock
        self.config = config
        self.rng = rng
        self.network = network
        self.disks = disks
        self.user = f"system:node:{config.name}"
        self.recorder = EventRecorder(api, "kubelet", host=config.name)
        self.runtime = None
        self.images: ImageManager | None = None
        self.crash_backoff: Backoff | None = None
        self.host_files = volumes.HostFiles()
        self.running = False
        self.workers: dict[str, PodWorker] = {}
        # containerd's metadata on the machine's disk, which outlives the kubelet process.
        self._records: dict[str, PodRecord] = {}
        self._status: nodestatus.NodeStatusReporter | None = None
        self._heartbeat: Timer | None = None
        self._watching = False

    # -- the machine ----------------------------------------------------------------------
    def start(self) -> None:
        """Boot: start the runtime, register the Node, heartbeat, and take up the pods."""
        if self.running:
            return
        self.running = True
        if self.runtime is None:
            self.runtime = ContainerRuntime(self.clock, self.config.name, self.network,
                                            random.Random(self.rng.random()),
                                            cpus=max(1, cpu_millis(self.config.cpu) // 1000))
        else:
            # containerd's images and container records are on the machine's disk: a reboot
            # keeps them.
            self.runtime.power_on()
        self._status = nodestatus.NodeStatusReporter(
            self.api, self.clock, self.config, self.rng, self.recorder,
            lambda: self.runtime.images)
        self.images = ImageManager(self.runtime, self.clock, self.recorder,
                                   self._status.changed)
        self.crash_backoff = Backoff()
        self._status.register()
        self._heartbeat = self.clock.call_later(nodestatus.LEASE_RENEW_INTERVAL_SECONDS,
                                                self._beat)
        if not self._watching:
            # Only this node's pods, as the real kubelet's watch (field selector on nodeName).
            self.api.watch("Pod", self._on_pod_event,
                           field_selector=f"spec.nodeName={self.config.name}")
            self.api.watch("ConfigMap", self._on_config_event)
            self.api.watch("Secret", self._on_config_event)
            self._watching = True
        bound = {pod["metadata"]["uid"]: pod for pod in self.api.pods_on_node(self.config.name)}
        for uid in [uid for uid in self._records if uid not in bound]:
            del self._records[uid]
        for pod in bound.values():
            self._admit(pod)

    def stop(self) -> None:
        """Power off: every container and sandbox dies at once and nothing more is reported."""
        if not self.running:
            return
        self.running = False
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self.images.stop()
        self.runtime.power_off()
        for worker in self.workers.values():
            worker.power_off()
        self.workers.clear()

    def _beat(self) -> None:
        if not self.running:
            return
        self._status.heartbeat()
        self._heartbeat = self.clock.call_later(nodestatus.LEASE_RENEW_INTERVAL_SECONDS,
                                                self._beat)

    def allocatable(self) -> dict[str, str]:
        """The node's allocatable resources (what ``resourceFieldRef`` limits default to)."""
        return nodestatus.node_capacity(self.config)

    # -- pods -----------------------------------------------------------------------------
    def _on_pod_event(self, event: WatchEvent) -> None:
        if not self.running:
            return
        pod = event.object
        if pod["spec"].get("nodeName") != self.config.name:
            return
        uid = pod["metadata"]["uid"]
        if event.type == "DELETED":
            worker = self.workers.get(uid)
            if worker is not None:
                worker.removed()
            return
        meta = pod["metadata"]
        current = self.api.try_get("Pod", meta["name"], meta["namespace"])
        if current is not None and current["metadata"]["uid"] == uid:
            # (Events are delivered a moment late: skip news of a pod already gone.)
            self._admit(current)

    def _on_config_event(self, event: WatchEvent) -> None:
        """A ConfigMap or Secret changed: its volumes get the new files at each pod's next
        periodic sync (every minute, with jitter), as the docs say of mounted ConfigMaps."""
        if not self.running or event.type == "DELETED":
            return
        meta = event.object["metadata"]
        for worker in list(self.workers.values()):
            if worker.namespace == meta["namespace"] and worker.shows(event.object["kind"],
                                                                      meta["name"]):
                delay = self.rng.uniform(0, PERIODIC_SYNC_SECONDS * (1 + PERIODIC_SYNC_JITTER))
                self.clock.call_later(delay, worker.refresh_volumes, event.object["kind"],
                                      meta["name"])

    def _admit(self, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        worker = self.workers.get(uid)
        if worker is not None:
            worker.update(pod)
            return
        if uid not in self._records and not pod["metadata"].get("deletionTimestamp") and \
                (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            rejected = admission.rejection(
                pod["spec"], [w.spec for w in self.workers.values() if w.active],
                self.allocatable(), self.config.pods)
        else:
            rejected = None
        record = self._records.setdefault(uid, PodRecord())
        worker = self.workers[uid] = PodWorker(self, pod, record, rejected)
        if rejected is not None:
            self.recorder.event(pod, "Warning", rejected[0], rejected[1].split(": ", 1)[1])
        worker.update(pod, first=True)

    def forget(self, worker: PodWorker) -> None:
        """A pod is gone for good: its worker and its containers' records go too."""
        self.workers.pop(worker.uid, None)
        self._records.pop(worker.uid, None)

    # -- the node API (reached through the API server) ------------------------------------
    def logs(self, namespace: str, pod: str, container: str | None = None,
             previous: bool = False, tail: int | None = None) -> str:
        """``kubectl logs``: a container's output, or the API server's error."""
        self._require_running(f"Get \"https://{self.config.internal_ip}:{nodestatus.KUBELET_PORT}"
                              f"/containerLogs/{namespace}/{pod}/{container or ''}\": ")
        obj, worker, name = self._target(namespace, pod, container)
        attempt = self._log_attempt(obj, worker, name, previous)
        lines = [line for _, line in attempt.container.logs()]
        if tail is not None and tail >= 0:
            lines = lines[-tail:] if tail else []
        return "".join(line + "\n" for line in lines)

    def exec(self, namespace: str, pod: str, container: str | None, argv: list[str],
             stdin: str | None = None):
        """``kubectl exec``: run ``argv`` in a running container; returns its ExecResult."""
        self._require_running("error dialing backend: ")
        _, worker, name = self._target(namespace, pod, container)
        attempt = worker.record.latest(name) if worker is not None else None
        if attempt is None or not attempt.running:
            raise BadRequest(f'unable to upgrade connection: container not found ("{name}")')
        return attempt.container.exec(list(argv), stdin=stdin)

    def summary(self) -> dict:
        """The kubelet's ``/stats/summary``: CPU and memory of the node, pods and containers.

        CPU is ``usageNanoCores`` and memory ``workingSetBytes``, the two figures
        metrics-server reads for ``kubectl top``. A memory-backed emptyDir counts toward its
        pod's memory, as tmpfs pages do.
        """
        self._require_running(f"Get \"https://{self.config.internal_ip}:{nodestatus.KUBELET_PORT}"
                              f"/stats/summary\": ")
        now = timestamp(self.clock.now)
        pods = []
        total_cpu, total_memory = SYSTEM_CPU_MILLIS, SYSTEM_MEMORY_BYTES
        for worker in sorted(self.workers.values(), key=lambda w: (w.namespace, w.name)):
            containers = []
            for name, attempts in worker.record.runs.items():
                if not attempts or not attempts[-1].running:
                    continue
                cpu, memory = attempts[-1].container.usage()
                containers.append({
                    "name": name,
                    "startTime": timestamp(attempts[-1].started_at),
                    "cpu": {"time": now, "usageNanoCores": cpu * 1_000_000},
                    "memory": {"time": now, "workingSetBytes": memory},
                })
            if not containers:
                continue
            pod_cpu = sum(c["cpu"]["usageNanoCores"] for c in containers) // 1_000_000
            pod_memory = sum(c["memory"]["workingSetBytes"] for c in containers)
            pod_memory += volumes.memory_backed_bytes(worker.mounted or {})
            total_cpu += pod_cpu
            total_memory += pod_memory
            pods.append({
                "podRef": {"name": worker.name, "namespace": worker.namespace,
                           "uid": worker.uid},
                "startTime": worker.start_time,
                "containers": containers,
                "cpu": {"time": now, "usageNanoCores": pod_cpu * 1_000_000},
                "memory": {"time": now, "workingSetBytes": pod_memory},
            })
        memory_capacity = memory_bytes(self.config.memory)
        return {
            "node": {
                "nodeName": self.config.name,
                "cpu": {"time": now, "usageNanoCores": total_cpu * 1_000_000},
                "memory": {"time": now, "workingSetBytes": total_memory,
                           "availableBytes": max(memory_capacity - total_memory, 0)},
            },
            "pods": pods,
        }

    def _require_running(self, request: str) -> None:
        """A powered-off machine does not answer on port 10250: the API server's proxy says
        so (``request`` is how it names what it tried)."""
        if not self.running:
            raise NodeUnreachable(f"{request}dial tcp {self.config.internal_ip}:"
                                  f"{nodestatus.KUBELET_PORT}: connect: no route to host")

    def _target(self, namespace: str, pod: str,
                container: str | None) -> tuple[dict, PodWorker | None, str]:
        """The pod, its worker and the container a request means, or the server's error.

        The wording is the API server's (``LogLocation`` / ``streamLocation`` in
        ``pkg/registry/core/pod/strategy.go``).
        """
        obj = self.api.try_get("Pod", pod, namespace)
        if obj is None:
            raise NotFound("Pod", pod)
        spec = obj["spec"]
        names = [c["name"] for c in spec["containers"]]
        init_names = [c["name"] for c in spec.get("initContainers") or []]
        if not container:
            if len(names) != 1:
                message = (f"a container name must be specified for pod {pod}, "
                           f"choose one of: [{' '.join(names)}]")
                if init_names:
                    message += f" or one of the init containers: [{' '.join(init_names)}]"
                raise BadRequest(message)
            container = names[0]
        elif container not in names and container not in init_names:
            raise BadRequest(f"container {container} is not valid for pod {pod}")
        return obj, self.workers.get(obj["metadata"]["uid"]), container

    def _log_attempt(self, obj: dict, worker: PodWorker | None, name: str, previous: bool):
        """The container attempt whose logs to show (validateContainerLogStatus)."""
        pod = obj["metadata"]["name"]
        status = obj.get("status") or {}
        statuses = (status.get("containerStatuses") or []) + (
            status.get("initContainerStatuses") or [])
        found = next((s for s in statuses if s["name"] == name), None)
        if found is None:
            raise BadRequest(f'container "{name}" in pod "{pod}" is not available')
        state, last = found["state"], found.get("lastState") or {}
        if previous:
            wanted = (last.get("terminated") or {}).get("containerID")
            if not wanted:
                raise BadRequest(
                    f'previous terminated container "{name}" in pod "{pod}" not found')
        elif "running" in state or "terminated" in state:
            wanted = found.get("containerID")
        elif "terminated" in last:
            wanted = last["terminated"].get("containerID")
        else:
            reason = (state.get("waiting") or {}).get("reason", "")
            if reason == ERR_IMAGE_PULL:
                reason = "image can't be pulled"
            elif reason == IMAGE_PULL_BACK_OFF:
                reason = "trying and failing to pull image"
            raise BadRequest(f'container "{name}" in pod "{pod}" is waiting to start: {reason}')
        attempts = worker.record.runs.get(name, []) if worker is not None else []
        attempt = next((a for a in attempts if a.container_id == wanted), None)
        if attempt is None:
            raise BadRequest(f'container "{name}" in pod "{pod}" is terminated')
        return attempt
