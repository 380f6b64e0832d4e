"""The pause container and the processes of the control-plane images.

``registry.k8s.io/pause`` holds a pod's namespaces open (build/pause/linux/pause.c): it sleeps
until SIGTERM or SIGINT, then says so and exits 0. The control-plane images (kube-apiserver,
etcd, scheduler, controller manager, kube-proxy, CoreDNS) run as static or DaemonSet pods whose
real work the simulator does elsewhere (``k8skit.api``, ``k8skit.control_plane``); their
processes here only start, log a line in their program's style, use the memory such a
component typically uses and stop cleanly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Generator
from typing import Any

from k8skit.node.runtime.process import (
    SIGINT,
    SIGNAL_DESCRIPTIONS,
    SIGTERM,
    Context,
    MiB,
    Signal,
    Sleep,
)
from k8skit.node.runtime.programs.agnhost import klog
from k8skit.node.runtime.registry import program


@program("pause")
def pause(ctx: Context) -> Generator[Any, Any, int]:
    ctx.memory = 300 * 1024
    ctx.trap(SIGTERM, SIGINT)
    try:
        yield Sleep(math.inf)
    except Signal as sig:
        if not ctx.owns(sig):
            raise
        ctx.error(f"Shutting down, got signal: {SIGNAL_DESCRIPTIONS.get(sig.signum, '')}")
    return 0


@program("docker-entrypoint-passthrough")
def passthrough_entrypoint(ctx: Context) -> Generator[Any, Any, int]:
    """An entrypoint script that prepends the image's tool when given only options (curl's
    ``/entrypoint.sh``) and then execs the command."""
    argv = ctx.argv[1:] or [ctx.container.image.default_tool]
    if argv[0].startswith("-"):
        argv = [ctx.container.image.default_tool, *argv]
    try:
        command = ctx.run(argv, replace=True)
    except OSError as err:
        ctx.error(f"/entrypoint.sh: exec: line 6: {argv[0]}: {err.strerror}")
        return 127
    return (yield from command)


# What each control-plane component logs first and the memory it typically uses.
COMPONENTS = {
    "kube-apiserver": ("server.go:211", "Version: {version}", 250),
    "kube-controller-manager": ("controllermanager.go:210", "Version: {version}", 50),
    "kube-scheduler": ("server.go:166", "Version: {version}", 22),
    "kube-proxy": ("server_linux.go:66", "Using iptables proxy", 16),
}


def _idle_component(ctx: Context, name: str) -> Generator[Any, Any, int]:
    source, message, mebibytes = COMPONENTS[name]
    klog(ctx, message.format(version=ctx.container.image.version), source)
    ctx.memory = mebibytes * MiB
    ctx.cpu = 20 if name == "kube-apiserver" else 5
    ctx.trap(SIGTERM, SIGINT)
    try:
        yield Sleep(math.inf)
    except Signal as sig:
        if not ctx.owns(sig):
            raise
    return 0


# The control-plane binaries and kube-proxy only log their start and wait: their real work is
# done by the simulator's own components (k8skit.control_plane, k8skit.node.kube_proxy).
for _component in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"):
    program(_component)(functools.partial(_idle_component, name=_component))


@program("etcd")
def etcd(ctx: Context) -> Generator[Any, Any, int]:
    ctx.error('{"level":"info","ts":"2026-01-01T00:00:00.000000Z","caller":"embed/etcd.go:'
              '140","msg":"configuring peer listeners","listen-peer-urls":'
              '["https://192.168.49.2:2380"]}')
    ctx.memory = 40 * MiB
    ctx.cpu = 15
    ctx.trap(SIGTERM, SIGINT)
    try:
        yield Sleep(math.inf)
    except Signal as sig:
        if not ctx.owns(sig):
            raise
    return 0


@program("coredns")
def coredns(ctx: Context) -> Generator[Any, Any, int]:
    version = ctx.container.image.version or "1.12.0"
    ctx.print(".:53")
    ctx.print("[INFO] plugin/reload: Running configuration SHA512 = "
              "1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c894564e15b91770d3a0"
              "7ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b")
    ctx.print(f"CoreDNS-{version}")
    ctx.print("linux/amd64, go1.23.3, 51e11f1")
    ctx.memory = 14 * MiB
    ctx.cpu = 3
    ctx.trap(SIGTERM, SIGINT)
    try:
        yield Sleep(math.inf)
    except Signal as sig:
        if not ctx.owns(sig):
            raise
        ctx.print("[INFO] SIGTERM: Shutting down servers then terminating")
    return 0
