"""Load generators from the resource-management docs.

- ``polinux/stress``: the classic ``stress`` tool (``--vm 1 --vm-bytes 150M --vm-hang 1``)
  used by docs/tasks/configure-pod-container/assign-memory-resource.md. Its workers allocate
  the bytes within about half a second and hold them; with the docs' 200Mi limit ``kubectl
  top`` shows 162856960 bytes (150 MiB plus the tool's own few MiB), with 100Mi and 250M the
  kernel's OOM killer ends the container: OOMKilled, exit code 137.
- ``vish/stress`` (github.com/vishh/stress): ``-cpus 2`` keeps two CPUs busy (the docs'
  assign-cpu-resource example: with a 1 CPU limit, ``kubectl top`` shows about 1000m), and
  ``-mem-total``/``-mem-alloc-size``/``-mem-alloc-sleep`` allocate memory step by step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator
from typing import Any

from k8skit.api.quantity import memory_bytes
from k8skit.node.runtime.applets.system import moment
from k8skit.node.runtime.process import Context, MiB, Sleep
from k8skit.node.runtime.registry import program

# The stress master and its workers, before their allocations: the docs' 162856960 bytes
# minus --vm-bytes 150M.
STRESS_BASELINE_BYTES = 162856960 - 150 * MiB
# How long a vm worker takes to allocate and touch its bytes, in steps.
RAMP_STEPS, RAMP_SECONDS = 5, 0.5


def stress_bytes(text: str) -> int | None:
    """stress's size syntax: a number with an optional b/k/m/g suffix (powers of 1024)."""
    match = re.fullmatch(r"(\d+)([bBkKmMgG]?)", text)
    if match is None:
        return None
    factor = {"": 1, "b": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}[match.group(2).lower()]
    return int(match.group(1)) * factor


@program("stress")
def stress(ctx: Context) -> Generator[Any, Any, int]:
    """``stress [--cpu N] [--io N] [--vm N] [--vm-bytes B] [--vm-hang S] [--timeout T]``."""
    args = ctx.argv[1:]
    options = {"cpu": "0", "io": "0", "vm": "0", "hdd": "0", "vm-bytes": "256M",
               "vm-hang": "", "timeout": "0"}
    short = {"-c": "cpu", "-i": "io", "-m": "vm", "-d": "hdd", "-t": "timeout"}
    while args:
        flag = args.pop(0)
        name = short.get(flag, flag.lstrip("-"))
        if name in ("v", "verbose", "q", "quiet", "n", "dry-run", "vm-keep"):
            continue
        if name not in options or not args:
            ctx.error(f"stress: FAIL: [{ctx.pid}] (244) unrecognized option: {flag}")
            return 1
        options[name] = args.pop(0)
    counts = {}
    for name in ("cpu", "io", "vm", "hdd"):
        if not options[name].isdecimal():
            ctx.error(f"stress: FAIL: [{ctx.pid}] (244) invalid number: {options[name]}")
            return 1
        counts[name] = int(options[name])
    size = stress_bytes(options["vm-bytes"])
    timeout = stress_bytes(options["timeout"].rstrip("s"))
    if size is None or timeout is None:
        ctx.error(f"stress: FAIL: [{ctx.pid}] (307) invalid number")
        return 1
    ctx.print(f"stress: info: [{ctx.pid}] dispatching hogs: {counts['cpu']} cpu, "
              f"{counts['io']} io, {counts['vm']} vm, {counts['hdd']} hdd")
    hang = options["vm-hang"]
    busy_vm = 0 if hang and hang != "0" else counts["vm"]
    ctx.cpu = 1000 * (counts["cpu"] + busy_vm) + 100 * counts["io"]
    ctx.memory = STRESS_BASELINE_BYTES
    started = ctx.now
    total = counts["vm"] * size
    for step in range(1, RAMP_STEPS + 1):
        yield Sleep(RAMP_SECONDS / RAMP_STEPS)
        ctx.memory = STRESS_BASELINE_BYTES + total * step // RAMP_STEPS
    if timeout:
        yield Sleep(max(timeout - (ctx.now - started), 0))
        ctx.print(f"stress: info: [{ctx.pid}] successful run completed in {timeout}s")
        return 0
    yield Sleep(math.inf)
    return 0


def glog(ctx: Context, source: str, message: str) -> None:
    when = moment(ctx.now)
    ctx.error(f"I{when:%m%d %H:%M:%S}.{when.microsecond:06d}{ctx.pid:>8} {source}] {message}")


@program("vish-stress")
def vish_stress(ctx: Context) -> Generator[Any, Any, int]:
    """``/stress -logtostderr -cpus N -mem-total Q -mem-alloc-size Q -mem-alloc-sleep D``."""
    flags = {"cpus": "0", "mem-total": "0", "mem-alloc-size": "4Ki", "mem-alloc-sleep": "1ms"}
    args = ctx.argv[1:]
    while args:
        name, eq, value = args.pop(0).lstrip("-").partition("=")
        if name in ("logtostderr", "alsologtostderr", "v"):
            continue
        if name not in flags:
            ctx.error(f"flag provided but not defined: -{name}")
            return 2
        if not eq:
            value = args.pop(0) if args else ""
        flags[name] = value
    try:
        total = memory_bytes(flags["mem-total"])
        step = max(memory_bytes(flags["mem-alloc-size"]), 1)
    except ValueError as err:
        ctx.error(f"panic: {err}")
        return 2
    sleep = _go_duration(flags["mem-alloc-sleep"])
    if not flags["cpus"].isdecimal() or sleep is None:
        ctx.error("invalid value for flag")
        return 2
    glog(ctx, "main.go:26", f'Allocating "{flags["mem-total"]}" memory, in '
                            f'"{flags["mem-alloc-size"]}" chunks, with a {flags["mem-alloc-sleep"]}'
                            " sleep between allocations")
    ctx.memory = int(1.5 * MiB)
    ctx.cpu = 1000 * int(flags["cpus"])
    for _ in range(int(flags["cpus"])):
        glog(ctx, "main.go:39", "Spawning a thread to consume CPU")
    allocated = 0
    while allocated < total:
        yield Sleep(max(sleep, 0.001))
        allocated = min(total, allocated + step)
        ctx.memory = int(1.5 * MiB) + int(allocated)
    glog(ctx, "main.go:29", f'Allocated "{flags["mem-total"]}" memory')
    yield Sleep(math.inf)
    return 0


def _go_duration(text: str) -> float | None:
    """Go's time.ParseDuration for the simple cases: ``1s``, ``100ms``, ``2m``."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(float(a) * scale[b] for a, b in parts)
