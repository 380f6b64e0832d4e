"""The simulated containerd: images on a node, pod sandboxes and containers.

The kubelet drives a container runtime through the CRI (Container Runtime Interface): pull an
image, run a pod sandbox (the ``pause`` container that owns the pod's network namespace),
create and start containers in it, exec into them, read their logs, stop them. This module
offers the same verbs to the simulated kubelet, backed by the process model (``process.py``):

- :class:`ContainerRuntime` (one per node): the node's images, pulls, sandboxes;
- :class:`Sandbox`: the pod's IP and ports, shared by its containers (so they reach each other
  on ``localhost``, and two of them cannot both listen on port 80);
- :class:`Container`: one process tree with its own root file system, mounts, environment,
  logs, memory and CPU accounting, started, signalled and killed as runc would.

Callbacks to the kubelet (``on_exit``, ``done`` and a pull's ``done``) always arrive on the
clock (``call_soon``), never from inside the call that caused them.
"""

from __future__ import annotations

import errno
import os
import random
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from k8skit.node.network import HttpRequest, HttpResponse, PodNetwork
from k8skit.node.runtime.catalogue import (
    DEFAULT_PATH,
    Image,
    ImageCatalogue,
    ImageNotFound,
    normalize_reference,
)
from k8skit.node.runtime.filesystem import ContainerFS, File, FileSystem, normalize
from k8skit.node.runtime.images import CATALOGUE, PAUSE_IMAGE, build_root, root_filesystem
from k8skit.node.runtime.process import (
    EXEC_TIME_LIMIT,
    IGNORED_BY_DEFAULT,
    SIGKILL,
    BufferStream,
    Context,
    Input,
    Killed,
    LogStream,
    Process,
    Runner,
    Signal,
    Stream,
)
from k8skit.node.runtime.registry import PROGRAMS

# Pull times: image bytes over a simulated download bandwidth, plus the fixed cost of resolving
# the manifest and unpacking. 20 MB/s is a fair home or office connection; an nginx image
# (about 67 MB) takes about 4 s, busybox about 1 s. Each pull varies by up to 10 % (seeded).
PULL_BANDWIDTH_BYTES_PER_SECOND = 20_000_000
PULL_OVERHEAD_SECONDS = 0.8
PULL_FAILURE_SECONDS = 0.5
# The kubelet rotates container logs at 10 MiB (containerLogMaxSize); the simulator keeps the
# last lines instead of bytes.
LOG_LINES_KEPT = 10_000
# Programs that start programs that start programs...: beyond this many on one stack, fork
# fails (a real node has a pids limit; here it also bounds the simulator's own stack).
MAX_PROCESS_DEPTH = 16
# The first PID given to a container's second process (busybox sh children usually get 7).
FIRST_CHILD_PID = 7


@dataclass
class ContainerSpec:
    """What the kubelet asks for: the container's part of the pod spec, resolved.

    ``command``/``args`` replace the image's ENTRYPOINT/CMD as docker does; ``env`` is already
    expanded (``$(VAR)``, fieldRefs, Service variables); ``mounts`` maps container paths to
    volume :class:`FileSystem` s; ``stdin`` keeps stdin open (``stdin: true`` in the pod spec).
    """

    name: str
    image: str
    command: list[str] | None = None
    args: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    mounts: dict[str, FileSystem] = field(default_factory=dict)
    cpu_limit_millis: int | None = None
    memory_limit_bytes: int | None = None
    cpu_request_millis: int = 0
    memory_request_bytes: int = 0
    ports: list[int] = field(default_factory=list)
    stdin: bool = False


@dataclass(frozen=True)
class PullResult:
    ok: bool
    error_message: str | None
    size_bytes: int
    seconds: float


@dataclass(frozen=True)
class ExecResult:
    """What an exec returns; ``seconds`` is how long the command ran in simulated time (an exec
    probe compares it with its ``timeoutSeconds``)."""

    exit_code: int
    stdout: str
    stderr: str
    seconds: float = 0.0


@dataclass
class Listener:
    container: Container
    process: Process
    http: Callable[[HttpRequest], HttpResponse] | None
    tcp: Callable[[str], str] | None


def _hex_id(rng: random.Random) -> str:
    """A 64-hex-digit container or sandbox ID (256 random bits, as containerd's)."""
    return f"{rng.getrandbits(256):064x}"


class ContainerRuntime:
    """One node's container runtime (containerd 1.7, with runc)."""

    def __init__(self, clock, node_name: str, network: PodNetwork, rng: random.Random,
                 catalogue: ImageCatalogue | None = None, cpus: int = 4) -> None:
        self.clock = clock
        self.node_name = node_name
        self.network = network
        self.rng = rng
        self.catalogue = catalogue or CATALOGUE
        self.cpus = cpus
        self._present: dict[str, Image] = {}
        self._pulling: dict[str, list[Callable[[PullResult], None]]] = {}
        self.sandboxes: list[Sandbox] = []
        self.powered = True
        # Every node has the sandbox image before its first pod (kubeadm pre-pulls it), from
        # the Kubernetes registry whatever catalogue serves the pods' images.
        pause = CATALOGUE.resolve(PAUSE_IMAGE)
        self._present[pause.reference] = pause

    # -- images ---------------------------------------------------------------------------------
    @property
    def images(self) -> list[dict]:
        """The node's images as ``Node.status.images`` lists them, biggest first."""
        by_digest: dict[str, tuple[Image, list[str]]] = {}
        for ref, image in self._present.items():
            entry = by_digest.setdefault(image.digest, (image, []))
            if "@" not in ref:
                entry[1].append(ref)
        listed = [{"names": [image.id, *sorted(tags)], "sizeBytes": image.size_bytes}
                  for image, tags in by_digest.values()]
        return sorted(listed, key=lambda entry: (-entry["sizeBytes"], entry["names"][0]))

    def image(self, ref: str) -> Image | None:
        """The present image ``ref`` names (``nginx`` finds ``docker.io/library/nginx:latest``)."""
        try:
            name = normalize_reference(ref)
        except ValueError:
            return None
        if name in self._present:
            return self._present[name]
        if "@" in name:
            digest = name.split("@", 1)[1]
            return next((i for i in self._present.values() if i.digest == digest), None)
        return None

    def has_image(self, ref: str) -> bool:
        return self.image(ref) is not None

    def image_id(self, ref: str) -> str:
        """``containerStatuses[].imageID`` of a present image (``repo@sha256:...``), or ""."""
        image = self.image(ref)
        return image.id if image is not None else ""

    def load_image(self, ref: str) -> Image:
        """Make an image present at once (pre-pulled, or ``kind load docker-image``)."""
        image = self.catalogue.resolve(ref)
        self._present[image.reference] = image
        return image

    def pull_image(self, ref: str, done: Callable[[PullResult], None]) -> None:
        """Pull ``ref``; ``done(PullResult)`` after the simulated download time."""
        try:
            key = normalize_reference(ref)
        except ValueError:
            key = ref
        waiting = self._pulling.get(key)
        if waiting is not None:
            waiting.append(done)  # containerd joins a pull already in flight
            return
        self._pulling[key] = [done]
        try:
            image = self.catalogue.resolve(ref)
        except ImageNotFound as err:
            result = PullResult(False, str(err), 0, PULL_FAILURE_SECONDS)
            self.clock.call_later(result.seconds, self._pulled, key, None, result)
            return
        jitter = self.rng.uniform(0.9, 1.1)
        seconds = round(PULL_OVERHEAD_SECONDS + image.size_bytes /
                        PULL_BANDWIDTH_BYTES_PER_SECOND * jitter, 3)
        result = PullResult(True, None, image.size_bytes, seconds)
        self.clock.call_later(seconds, self._pulled, key, image, result)

    def _pulled(self, key: str, image: Image | None, result: PullResult) -> None:
        if image is not None and self.powered:
            self._present[image.reference] = image
        for done in self._pulling.pop(key, []):
            done(result)

    def remove_image(self, ref: str) -> bool:
        """Delete an image from the node (image garbage collection, ``crictl rmi``)."""
        image = self.image(ref)
        if image is None:
            return False
        for name in [n for n, i in self._present.items() if i.digest == image.digest]:
            del self._present[name]
        return True

    # -- sandboxes and containers ---------------------------------------------------------------
    def run_sandbox(self, pod_uid: str, pod_name: str, namespace: str, ip: str | None,
                    hostname: str | None = None) -> Sandbox:
        """Start the pod's sandbox (its pause container) with ``ip`` on the pod network."""
        sandbox = Sandbox(self, pod_uid, pod_name, namespace, ip, hostname or pod_name)
        self.sandboxes.append(sandbox)
        return sandbox

    def create_container(self, sandbox: Sandbox, spec: ContainerSpec) -> Container:
        """Create (not start) a container; its image must be present (the kubelet pulls)."""
        image = self.image(spec.image)
        if image is None:
            raise ImageNotFound(f'failed to get image "{spec.image}": image not present on '
                                f"node {self.node_name}")
        container = Container(self, sandbox, spec, image)
        sandbox.containers.append(container)
        return container

    def power_off(self) -> None:
        """The machine loses power: every process stops at once, nothing is reported."""
        self.powered = False
        for sandbox in list(self.sandboxes):
            for container in list(sandbox.containers):
                container.vanish()
            sandbox.detach()
        self.sandboxes.clear()
        self._pulling.clear()

    def power_on(self) -> None:
        self.powered = True


class Sandbox:
    """A pod's sandbox: its network namespace (IP, ports) and its containers."""

    def __init__(self, runtime: ContainerRuntime, pod_uid: str, pod_name: str, namespace: str,
                 ip: str | None, hostname: str) -> None:
        self.runtime = runtime
        self.id = _hex_id(runtime.rng)
        self.pod_uid = pod_uid
        self.pod_name = pod_name
        self.namespace = namespace
        self.ip = ip
        self.hostname = hostname
        # The containers created in it that have not exited yet.
        self.containers: list[Container] = []
        self.ports: dict[int, Listener] = {}
        self.state = "ready"
        if ip:
            runtime.network.attach(ip, self)

    def stop(self) -> None:
        """Stop the sandbox: remaining containers are killed, the IP stops answering."""
        for container in list(self.containers):
            if container.state == "running":
                container.kill(0, lambda code: None)
        self.detach()
        if self in self.runtime.sandboxes:
            self.runtime.sandboxes.remove(self)

    def detach(self) -> None:
        self.state = "notready"
        if self.ip:
            self.runtime.network.detach(self.ip)
        self.ports.clear()

    # -- the network endpoint -------------------------------------------------------------------
    def connect(self, port: int) -> bool:
        return self.state == "ready" and port in self.ports

    def http(self, port: int, method: str, path: str, headers: dict[str, str],
             client_ip: str | None = None) -> HttpResponse | None:
        listener = self.ports.get(port) if self.state == "ready" else None
        if listener is None:
            return None
        if listener.http is None:
            return HttpResponse(0, error="curl: (52) Empty reply from server", curl_code=52,
                                failure="protocol", served_by=self.pod_name)
        request = HttpRequest(method, path or "/", dict(headers), client_ip, port)
        response = listener.http(request)
        response.served_by = self.pod_name
        return response

    def tcp(self, port: int, data: str, client_ip: str | None = None) -> str | None:
        listener = self.ports.get(port) if self.state == "ready" else None
        if listener is None or listener.tcp is None:
            return None
        return listener.tcp(data)

    def __repr__(self) -> str:
        return f"<Sandbox {self.namespace}/{self.pod_name} {self.ip}>"


class Container:
    """One container: created, started, running its program, exited."""

    def __init__(self, runtime: ContainerRuntime, sandbox: Sandbox, spec: ContainerSpec,
                 image: Image) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.sandbox = sandbox
        self.spec = spec
        self.image = image
        self.id = _hex_id(runtime.rng)
        self.name = spec.name
        self.state = "created"
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.exit_code: int | None = None
        self.reason: str | None = None
        self.message: str | None = None
        self.working_dir = spec.working_dir or image.spec.working_dir or "/"
        self.env = self._environment()
        root = root_filesystem(image)
        self._write_pod_files(root)
        root.mkdir(self.working_dir)
        self.fs = ContainerFS(root, spec.mounts)
        self.processes: dict[int, Process] = {}
        self.runners: list[Runner] = []
        self.main: Runner | None = None
        self._next_pid = FIRST_CHILD_PID
        # Each write's lines together, (time, stream, lines): a burst of fifty log lines is
        # one entry, and ``logs()`` lays them out one by one when someone reads them.
        self._log: deque[tuple[float, str, list[str]]] = deque()
        self._log_lines = 0
        self._streams: dict[int, LogStream] = {}
        self._on_exit: Callable[[int, str], None] | None = None
        self._kill_done: list[Callable[[int], None]] = []
        self._kill_timer = None
        self._silent = False

    # -- what the container is made of ----------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        """The process environment, ordered as containerd builds it: PATH, HOSTNAME, the
        image's variables, the pod spec's, and HOME (added by runc when missing)."""
        env = {"PATH": DEFAULT_PATH, "HOSTNAME": self.sandbox.hostname}
        env.update(self.image.spec.env)
        env.update(self.spec.env)
        env.setdefault("HOME", "/root")
        return env

    def _write_pod_files(self, root: FileSystem) -> None:
        """/etc/hosts, /etc/hostname and /etc/resolv.conf, as the kubelet and the runtime
        write them for a pod with the default ``dnsPolicy: ClusterFirst`` on a kubeadm cluster
        (cluster DNS 10.96.0.10, domain cluster.local)."""
        hostname = self.sandbox.hostname
        hosts = ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                 "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                 "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")
        if self.sandbox.ip:
            hosts += f"{self.sandbox.ip}\t{hostname}\n"
        namespace = self.sandbox.namespace
        root.write("/etc/hosts", hosts)
        root.write("/etc/hostname", hostname + "\n")
        root.write("/etc/resolv.conf",
                   f"search {namespace}.svc.cluster.local svc.cluster.local cluster.local\n"
                   "nameserver 10.96.0.10\noptions ndots:5\n")

    def image_file(self, path: str) -> str | None:
        """A file as the image shipped it (before this container changed anything)."""
        try:
            return build_root(self.image.spec).read(path)
        except OSError:
            return None

    @property
    def files(self) -> ContainerFS:
        """The container's file system as its processes see it: its own root (a copy of the
        image's files) with the pod's volumes mounted in."""
        return self.fs

    @property
    def image_ref(self) -> str:
        """The full reference the image was pulled by (``docker.io/library/nginx:1.25``)."""
        return self.image.reference

    @property
    def hostname(self) -> str:
        return self.sandbox.hostname

    @property
    def ip(self) -> str | None:
        return self.sandbox.ip

    @property
    def network(self) -> PodNetwork:
        return self.runtime.network

    @property
    def node_cpus(self) -> int:
        return self.runtime.cpus

    @property
    def cpu_stretch(self) -> float:
        """How much longer CPU work takes under the CFS quota of ``cpu_limit_millis``."""
        limit = self.spec.cpu_limit_millis
        return 1000 / limit if limit and limit < 1000 else 1.0

    def command_line(self) -> list[str]:
        """ENTRYPOINT and CMD as Kubernetes combines them with ``command`` and ``args``
        (docs/tasks/inject-data-application/define-command-argument-container.md)."""
        image = self.image.spec
        if self.spec.command:
            return list(self.spec.command) + list(self.spec.args or [])
        if self.spec.args is not None:
            return list(image.entrypoint) + list(self.spec.args)
        return list(image.entrypoint) + list(image.cmd)

    # -- life cycle -----------------------------------------------------------------------------
    def start(self, on_exit: Callable[[int, str], None]) -> None:
        """Start the main process; ``on_exit(exit_code, reason)`` when it ends by itself."""
        if self.state != "created":
            raise RuntimeError(f"container {self.name} is {self.state}, not created")
        self._on_exit = on_exit
        self.state = "running"
        self.started_at = self.clock.now
        argv = self.command_line()
        process = Process(1, argv, self)
        self.processes[1] = process
        stdout = self._streams[1] = LogStream(self, "stdout", lambda: self.clock.now)
        stderr = self._streams[2] = LogStream(self, "stderr", lambda: self.clock.now)
        try:
            if not argv:
                raise OSError(errno.ENOENT, "no command specified", "")
            program, flavour = self.resolve(argv[0], self.env.get("PATH", DEFAULT_PATH),
                                            self.working_dir)
        except OSError as err:
            self._start_failed(argv, err)
            return
        ctx = Context(process, argv, dict(self.env), self.working_dir,
                      Input(open_ended=self.spec.stdin), stdout, stderr, flavour)
        self.main = Runner(self, process, call_program(program, ctx), on_finish=self._finished)
        self.runners.append(self.main)
        self.main.start()

    def _start_failed(self, argv: list[str], err: OSError) -> None:
        """runc could not exec the entrypoint: the container never runs (reason StartError,
        exit code 128, containerd's message)."""
        name = argv[0] if argv else ""
        cause = "no command specified" if not argv else \
            f'exec: "{name}": executable file not found in $PATH' \
            if err.errno == errno.ENOENT else f'exec: "{name}": permission denied'
        self.message = ("failed to create containerd task: failed to create shim task: OCI "
                        "runtime create failed: runc create failed: unable to start container "
                        f"process: {cause}: unknown")
        self.processes.clear()
        self.state = "exited"
        self.finished_at = self.clock.now
        self.exit_code, self.reason = 128, "StartError"
        self.clock.call_soon(self._report_exit, 128, "StartError")

    def _finished(self, runner: Runner) -> None:
        """PID 1 ended: the kernel kills everything else in the PID namespace."""
        for other in list(self.runners):
            if other is not runner and not other.finished:
                other.terminate(137, "Killed")
        for stream in self._streams.values():
            stream.flush()
        for port, listener in list(self.sandbox.ports.items()):
            if listener.container is self:
                del self.sandbox.ports[port]
        self.processes.clear()
        if self in self.sandbox.containers:
            self.sandbox.containers.remove(self)
        self.state = "exited"
        self.finished_at = self.clock.now
        self.exit_code = runner.exit_code
        self.reason = {"Killed": "Error", "Timeout": "Error"}.get(runner.reason, runner.reason)
        if self._kill_timer is not None:
            self._kill_timer.cancel()
            self._kill_timer = None
        if self._silent:
            return
        if self._kill_done:
            for done in self._kill_done:
                self.clock.call_soon(done, self.exit_code)
            self._kill_done = []
        else:
            self.clock.call_soon(self._report_exit, self.exit_code, self.reason)

    def _report_exit(self, exit_code: int, reason: str) -> None:
        if self._on_exit is not None and not self._silent:
            self._on_exit(exit_code, reason)

    def kill(self, grace_seconds: float, done: Callable[[int], None]) -> None:
        """Stop the container as containerd does: the image's stop signal (SIGTERM unless its
        STOPSIGNAL says otherwise: nginx uses SIGQUIT), then SIGKILL after the grace period.
        ``done(exit_code)`` when it is gone."""
        if self.state != "running":
            if self.state == "created":
                self.state = "exited"
                self.finished_at = self.clock.now
            self.clock.call_soon(done, self.exit_code if self.exit_code is not None else 0)
            return
        self._kill_done.append(done)
        if grace_seconds <= 0:
            self._sigkill()
            return
        if self._kill_timer is not None:
            if self._kill_timer.when <= self.clock.now + grace_seconds:
                return
            self._kill_timer.cancel()
        else:
            self.signal(1, self.image.spec.stop_signal)
        if self.state == "running":
            self._kill_timer = self.clock.call_later(grace_seconds, self._sigkill)

    def _sigkill(self) -> None:
        self._kill_timer = None
        if self.main is not None:
            self.main.terminate(137, "Killed")

    def vanish(self) -> None:
        """The node lost power: the processes are gone and nobody hears about it."""
        self._silent = True
        if self.state == "running" and self.main is not None and not self.main.finished:
            self.main.terminate(137, "Killed")

    # -- signals --------------------------------------------------------------------------------
    def signal(self, pid: int, signum: int, sender: Process | None = None) -> bool:
        """Send ``signum`` to process ``pid``; False if there is no such process.

        ``sender`` is the process sending it from inside this container (None: from outside,
        the runtime). The kernel never lets a PID namespace's init be killed by a signal it has
        no handler for, from inside or out, except SIGKILL from outside.
        """
        process = self.processes.get(pid)
        if process is None or not process.alive:
            return False
        runner = process.runner
        if signum == 0:
            return True
        if signum == SIGKILL:
            if pid == 1 and sender is not None:
                return True
            if process is runner.process:
                runner.terminate(137, "Killed")
            else:
                runner.throw(Signal(SIGKILL, pid))
            return True
        if signum in process.ignored:
            return True
        if signum in process.trapped:
            if runner.current is process:
                runner.throw(Signal(signum, pid))
            else:
                process.pending.append(signum)
            return True
        if signum in IGNORED_BY_DEFAULT or pid == 1:
            return True
        if process is runner.process:
            runner.terminate(128 + signum)
        else:
            runner.throw(Signal(signum, pid))
        return True

    # -- accounting -----------------------------------------------------------------------------
    def usage(self) -> tuple[int, int]:
        """``(cpu_millis, memory_bytes)`` now: what ``kubectl top`` and the OOM killer see."""
        if self.state != "running":
            return 0, 0
        alive = [p for p in self.processes.values() if p.alive]
        demand = sum(p.cpu_millis for p in alive) + \
            1000 * sum(1 for r in self.runners if r.spinning and not r.instant)
        limit = self.spec.cpu_limit_millis
        cpu = min(demand, limit) if limit else demand
        return int(cpu), sum(p.memory_bytes for p in alive)

    def check_memory(self) -> None:
        """The cgroup's OOM killer: over ``memory_limit_bytes``, the whole container dies
        (Kubernetes sets memory.oom.group on cgroup v2), exit code 137, OOMKilled."""
        limit = self.spec.memory_limit_bytes
        if not limit or self.state != "running":
            return
        if sum(p.memory_bytes for p in self.processes.values() if p.alive) <= limit:
            return
        executing = any(runner.executing for runner in self.runners)
        for runner in list(self.runners):
            if not runner.executing and not runner.finished:
                runner.terminate(137, "OOMKilled")
        if executing:
            raise Killed(137, "OOMKilled")

    # -- logs -----------------------------------------------------------------------------------
    def append_log(self, when: float, stream: str, lines: list[str]) -> None:
        """Lines written to ``stream`` ("stdout" or "stderr") at one time; beyond
        ``LOG_LINES_KEPT`` the oldest lines go."""
        self._log.append((when, stream, lines))
        self._log_lines += len(lines)
        while self._log_lines > LOG_LINES_KEPT:
            first_when, first_stream, first = self._log[0]
            excess = self._log_lines - LOG_LINES_KEPT
            if len(first) <= excess:
                self._log.popleft()
                self._log_lines -= len(first)
            else:
                self._log[0] = (first_when, first_stream, first[excess:])
                self._log_lines -= excess

    def logs(self) -> list[tuple[float, str]]:
        """``(time, line)`` of everything written to stdout and stderr, oldest first."""
        return [(when, line) for when, _, lines in self._log for line in lines]

    def main_stream(self, fd: int) -> Stream:
        """PID 1's stdout (1) or stderr (2): ``echo hi > /proc/1/fd/1`` lands in the logs."""
        return self._streams.get(fd) or BufferStream()

    # -- processes ------------------------------------------------------------------------------
    def new_pid(self) -> int:
        pid = self._next_pid
        self._next_pid += 1
        return pid

    def skip_pids(self, count: int) -> None:
        """Account for short-lived processes the simulator does not model (scripts)."""
        self._next_pid += count

    def new_process(self, argv: list[str], runner: Runner, user: str = "root") -> Process:
        """A helper process of a program (an nginx worker): listed by ``ps``, counted in
        usage, ended with :meth:`end_process` or with the container."""
        process = Process(self.new_pid(), argv, self, runner=runner, user=user)
        process.started_at = self.clock.now
        self.processes[process.pid] = process
        return process

    def end_process(self, process: Process) -> None:
        process.alive = False
        self.processes.pop(process.pid, None)

    def process_table(self) -> list[Process]:
        return sorted((p for p in self.processes.values() if p.alive), key=lambda p: p.pid)

    def resolve(self, name: str, path_env: str, cwd: str) -> tuple[Callable, str]:
        """The program behind ``name`` (a path, or looked up in ``$PATH``) and the userland
        flavour its messages follow; OSError ENOENT or EACCES as execve(2) would fail."""
        flavour = "gnu" if self.image.spec.userland == "gnu" else "busybox"
        if not name:
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), name)
        if "/" in name:
            candidates = [normalize(name, cwd)]
        else:
            candidates = [normalize(f"{folder}/{name}") for folder in path_env.split(":")
                          if folder]
        denied = None
        for path in candidates:
            node = self.fs.node(path)
            if node is None:
                continue
            if not isinstance(node, File) or not node.mode & 0o111:
                denied = path
                continue
            if node.program is not None:
                return PROGRAMS[node.program], flavour
            return self._script(path, node.data, flavour), flavour
        if denied is not None:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), denied)
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), name)

    def _script(self, path: str, text: str, flavour: str) -> Callable:
        """An executable text file: its ``#!`` interpreter runs it (plain sh without one)."""
        first = text.split("\n", 1)[0]
        interpreter = first[2:].split() if first.startswith("#!") else ["/bin/sh"]
        if not interpreter:
            raise OSError(errno.ENOEXEC, os.strerror(errno.ENOEXEC), path)
        program, _ = self.resolve(interpreter[0], DEFAULT_PATH, "/")

        def run_script(ctx: Context) -> Any:
            argv = [*interpreter, path, *ctx.argv[1:]]
            return program(ctx.child(argv))

        return run_script

    def find_executable(self, name: str, path_env: str, cwd: str) -> str | None:
        """Where ``which`` would find ``name``."""
        candidates = [normalize(name, cwd)] if "/" in name else \
            [normalize(f"{folder}/{name}") for folder in path_env.split(":") if folder]
        for path in candidates:
            if self.fs.exists(path) and not self.fs.is_dir(path) and \
                    self.fs.stat(path).executable:
                return path
        return None

    def run_program(self, ctx: Context, argv: list[str], *, env: dict[str, str] | None,
                    stdin: Input | None, stdout: Stream | None, stderr: Stream | None,
                    replace: bool) -> Generator[Any, Any, int]:
        """Resolve ``argv[0]`` now (raising OSError) and return the generator that runs it."""
        environment = ctx.env if env is None else env
        program, flavour = self.resolve(argv[0] if argv else "",
                                        environment.get("PATH", DEFAULT_PATH), ctx.cwd)
        runner = ctx.runner
        if len(runner.stack) >= MAX_PROCESS_DEPTH:
            raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN), argv[0])
        if replace:
            ctx.process.argv = list(argv)
            ctx.process.trapped.clear()
            return call_program(program, ctx.child(argv, env=environment, stdin=stdin,
                                                   stdout=stdout, stderr=stderr,
                                                   flavour=flavour))
        child = Process(self.new_pid(), argv, self, runner=runner)
        child.started_at = runner.now
        child_ctx = ctx.child(argv, env=environment, stdin=stdin, stdout=stdout,
                              stderr=stderr, process=child, flavour=flavour)
        return self._run_child(runner, child, call_program(program, child_ctx))

    def _run_child(self, runner: Runner, child: Process,
                   program: Generator[Any, Any, int]) -> Generator[Any, Any, int]:
        self.processes[child.pid] = child
        runner.stack.append(child)
        try:
            return (yield from program)
        except Signal as sig:
            if sig.pid != child.pid:
                raise
            return 128 + sig.signum
        finally:
            runner.stack.remove(child)
            self.end_process(child)
            self._release_ports(child)

    def start_background(self, argv: list[str],
                         make_program: Callable[[Process], Generator[Any, Any, int]]) -> Runner:
        """Start a background job (``cmd &``): a process of its own, run on the clock."""
        process = Process(self.new_pid(), argv, self)
        self.processes[process.pid] = process

        def finished(runner: Runner) -> None:
            self.end_process(process)
            self._release_ports(process)
            if runner in self.runners:
                self.runners.remove(runner)

        runner = Runner(self, process, make_program(process), on_finish=finished)
        self.runners.append(runner)
        self.clock.call_soon(runner.start)
        return runner

    # -- exec -----------------------------------------------------------------------------------
    def exec(self, argv: list[str], stdin: str | None = None) -> ExecResult:
        """Run a command in the container at once (``kubectl exec``, exec probes, hooks)."""
        if self.state != "running":
            return ExecResult(126, "", "OCI runtime exec failed: exec failed: cannot exec in a "
                                       "stopped container: unknown")
        try:
            program, flavour = self.resolve(argv[0] if argv else "",
                                            self.env.get("PATH", DEFAULT_PATH),
                                            self.working_dir)
        except OSError as err:
            name = argv[0] if argv else ""
            if err.errno == errno.ENOENT:
                return ExecResult(127, "", 'OCI runtime exec failed: exec failed: unable to '
                                           f'start container process: exec: "{name}": '
                                           "executable file not found in $PATH: unknown")
            return ExecResult(126, "", "OCI runtime exec failed: exec failed: unable to start "
                                       f'container process: exec: "{name}": permission '
                                       "denied: unknown")
        out, err_stream = BufferStream(), BufferStream()
        process = Process(self.new_pid(), argv, self)
        process.started_at = self.clock.now
        self.processes[process.pid] = process
        ctx = Context(process, argv, dict(self.env), self.working_dir, Input(stdin or ""), out,
                      err_stream, flavour)
        runner = Runner(self, process, call_program(program, ctx), instant=True)
        self.runners.append(runner)
        try:
            runner.start()
        finally:
            self.runners.remove(runner)
            self.end_process(process)
            self._release_ports(process)
        stderr = err_stream.text
        if runner.reason == "Timeout":
            stderr += (f"command stopped: it was still running after {EXEC_TIME_LIMIT:g} s of "
                       "simulated time (the simulator ends exec sessions then)\n")
        return ExecResult(runner.exit_code, out.text, stderr, seconds=runner.elapsed)

    # -- the network ----------------------------------------------------------------------------
    def listen(self, port: int, process: Process, http: Callable | None,
               tcp: Callable | None = None) -> bool:
        if port in self.sandbox.ports or self.sandbox.state != "ready":
            return False
        self.sandbox.ports[port] = Listener(self, process, http, tcp)
        return True

    def unlisten(self, port: int, process: Process) -> None:
        listener = self.sandbox.ports.get(port)
        if listener is not None and listener.process is process:
            del self.sandbox.ports[port]

    def _release_ports(self, process: Process) -> None:
        for port, listener in list(self.sandbox.ports.items()):
            if listener.process is process:
                del self.sandbox.ports[port]

    def listening(self, port: int) -> bool:
        listener = self.sandbox.ports.get(port)
        return listener is not None and listener.container is self

    def http(self, port: int, method: str, path: str, headers: dict[str, str] | None = None,
             client_ip: str | None = None) -> HttpResponse | None:
        """An HTTP request to this container's ``port`` (None if it does not listen there).

        Without ``client_ip`` the request comes from the node (the kubelet's probes): its
        address on the pod bridge, ``10.244.N.1``.
        """
        if not self.listening(port):
            return None
        source = client_ip or (self.network.gateway_of(self.ip) if self.ip else None)
        return self.sandbox.http(port, method, path, headers or {}, client_ip=source)

    def request(self, url: str, method: str = "GET",
                headers: dict[str, str] | None = None) -> HttpResponse:
        """An HTTP request from this container, with the pod's address as its source."""
        return self.network.request(url, method=method, source_ip=self.ip, headers=headers)

    def __repr__(self) -> str:
        return f"<Container {self.sandbox.pod_name}/{self.name} {self.state}>"


def call_program(program: Callable, ctx: Context) -> Generator[Any, Any, int]:
    """Run ``program(ctx)``, generator or plain function, as a generator."""
    result = program(ctx)
    if isinstance(result, Generator):
        result = yield from result
    return result if result is not None else 0
