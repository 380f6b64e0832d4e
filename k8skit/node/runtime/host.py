"""One machine running containers without Kubernetes, like ``docker run`` on a laptop.

Kubernetes does not replace the container runtime; it drives it. :class:`ContainerHost` is the
runtime alone: it runs a container from an image at once (the image is taken as already
pulled), with no pod, no scheduler, no restarts. The course uses it to show what a container is
before showing what Kubernetes adds, and the tests use it to exercise the runtime directly::

    host = ContainerHost()
    box = host.run("busybox", command=["sh", "-c", "echo hello; sleep 5; exit 3"])
    host.advance(10)
    box.logs()        # [(0.0, 'hello')]
    host.exit_of(box) # (3, 'Error')
"""

from __future__ import annotations

import random

from k8skit.clock import Clock
from k8skit.node.network import PodNetwork
from k8skit.node.runtime.containerd import Container, ContainerRuntime, ContainerSpec
from k8skit.node.runtime.filesystem import FileSystem


class ContainerHost:
    """A clock, a network and a container runtime: enough to run containers by hand."""

    def __init__(self, seed: int = 0, cpus: int = 4, pod_cidr: str = "10.244.1.0/24",
                 clock: Clock | None = None, network: PodNetwork | None = None) -> None:
        self.clock = clock or Clock()
        self.network = network or PodNetwork()
        self.pod_cidr = pod_cidr
        self.runtime = ContainerRuntime(self.clock, "host", self.network,
                                        random.Random(f"{seed}/host"), cpus=cpus)
        self._exits: dict[str, tuple[int, str]] = {}
        self._count = 0

    @property
    def now(self) -> float:
        return self.clock.now

    def advance(self, seconds: float) -> ContainerHost:
        self.clock.run(seconds)
        return self

    def run(self, image: str, command: list[str] | None = None, args: list[str] | None = None,
            env: dict[str, str] | None = None, name: str | None = None,
            memory_limit_bytes: int | None = None, cpu_limit_millis: int | None = None,
            mounts: dict[str, FileSystem] | None = None, stdin: bool = False,
            pod: Container | None = None) -> Container:
        """Start a container from ``image`` now. With ``pod``, it joins that container's
        sandbox (same IP, same ports, as containers of one pod)."""
        self.runtime.load_image(image)
        self._count += 1
        name = name or f"box-{self._count}"
        if pod is not None:
            sandbox = pod.sandbox
        else:
            sandbox = self.runtime.run_sandbox(f"uid-{name}", name, "default",
                                               self.network.allocate_ip(self.pod_cidr), name)
        spec = ContainerSpec(name=name, image=image, command=command, args=args,
                             env=dict(env or {}), mounts=dict(mounts or {}),
                             memory_limit_bytes=memory_limit_bytes,
                             cpu_limit_millis=cpu_limit_millis, stdin=stdin)
        container = self.runtime.create_container(sandbox, spec)
        container.start(lambda code, reason: self._exits.__setitem__(container.id,
                                                                     (code, reason)))
        return container

    def exit_of(self, container: Container) -> tuple[int, str] | None:
        """``(exit_code, reason)`` once the container's main process ended by itself."""
        return self._exits.get(container.id)

    def stop(self, container: Container, grace_seconds: float = 30) -> list[int]:
        """``docker stop``: the stop signal, then SIGKILL after the grace period. The list
        receives the exit code when the container is gone."""
        codes: list[int] = []
        container.kill(grace_seconds, codes.append)
        return codes
