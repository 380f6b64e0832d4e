"""Processes, time and identity: sleep, date, env, printenv, hostname, ps, kill, killall, seq,
uname, whoami, id, nproc, which."""

from __future__ import annotations

import math
import re
from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

from k8skit.api.meta import EPOCH
from k8skit.node.runtime.applets.files import split_options
from k8skit.node.runtime.process import SIGTERM, Context, Sleep, signal_name, signal_number
from k8skit.node.runtime.registry import program

# The build string of the Ubuntu 24.04 kernel the nodes run (``uname -v``).
KERNEL_BUILD = "#60-Ubuntu SMP PREEMPT_DYNAMIC Fri May  2 12:52:49 UTC 2025"


def kernel_release() -> str:
    """The node's kernel release, as the kubelet reports it in ``status.nodeInfo``.

    Containers share their node's kernel, so ``uname -r`` in a pod prints what
    ``kubectl describe node`` shows. The kubelet keeps the node's versions; it is imported at
    call time because the kubelet itself is built on this runtime.
    """
    from k8skit.node.kubelet.version import KERNEL_VERSION

    return KERNEL_VERSION

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@program("sleep")
def sleep(ctx: Context) -> Generator[Any, Any, int]:
    """``sleep N[smhd]...`` (summed), ``sleep infinity``."""
    args = ctx.argv[1:]
    if not args:
        ctx.error("sleep: missing operand")
        return 1
    total = 0.0
    for arg in args:
        if arg.lower() in ("inf", "infinity"):
            total = math.inf
            continue
        match = _DURATION.fullmatch(arg)
        if match is None:
            ctx.error(f"sleep: invalid time interval '{arg}'" if ctx.flavour == "gnu"
                      else f"sleep: invalid number '{arg}'")
            return 1
        total += float(match.group(1)) * _UNITS[match.group(2)]
    yield Sleep(total)
    return 0


def moment(seconds: float) -> datetime:
    """The wall-clock time of simulated second ``seconds`` (the cluster's fixed epoch)."""
    return EPOCH + timedelta(seconds=seconds)


_SAFE_DIRECTIVES = set("aAbBcdDeFgGhHIjklmMpPrRSTuUVwWyYzZ")


def format_date(when: datetime, fmt: str) -> str:
    """``date +FORMAT`` with the usual directives (``%s``, ``%N`` included)."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%" or i + 1 >= len(fmt):
            out.append(c)
            i += 1
            continue
        directive = fmt[i + 1]
        i += 2
        if directive in _SAFE_DIRECTIVES:
            out.append(when.strftime("%" + directive))
        elif directive == "s":
            out.append(str(int(when.timestamp())))
        elif directive == "N":
            out.append(f"{when.microsecond * 1000:09d}")
        elif directive == "n":
            out.append("\n")
        elif directive == "t":
            out.append("\t")
        elif directive == "%":
            out.append("%")
        else:
            out.append("%" + directive)
    return "".join(out)


@program("date")
def date(ctx: Context) -> int:
    """``date [-u] [-I|-R] [+FORMAT]``: the simulated time, in UTC as containers keep it."""
    fmt = "%a %b %e %H:%M:%S %Z %Y"
    for arg in ctx.argv[1:]:
        if arg.startswith("+"):
            fmt = arg[1:]
        elif arg in ("-u", "--utc"):
            continue
        elif arg == "-R":
            fmt = "%a, %d %b %Y %H:%M:%S %z"
        elif arg.startswith("-I"):
            fmt = "%Y-%m-%dT%H:%M:%S%:z" if arg[2:] in ("seconds", "s") else "%Y-%m-%d"
        else:
            ctx.error(f"date: invalid date '{arg}'")
            return 1
    when = moment(ctx.now)
    ctx.print(format_date(when, fmt.replace("%:z", "+00:00")))
    return 0


@program("env")
def env(ctx: Context) -> Generator[Any, Any, int]:
    """``env`` prints the environment; ``env [-i] [-u NAME] [NAME=VALUE]... CMD`` runs CMD."""
    args = ctx.argv[1:]
    variables = dict(ctx.env)
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag in ("-i", "-"):
            variables = {}
        elif flag == "-u" and args:
            variables.pop(args.pop(0), None)
        elif flag == "--":
            break
    while args and "=" in args[0] and not args[0].startswith("="):
        name, _, value = args.pop(0).partition("=")
        variables[name] = value
    if not args:
        for name, value in variables.items():
            ctx.print(f"{name}={value}")
        return 0
    try:
        child = ctx.run(args, env=variables)
    except OSError as err:
        ctx.error(f"env: '{args[0]}': {err.strerror}" if ctx.flavour == "gnu"
                  else f"env: can't execute '{args[0]}': {err.strerror}")
        return 127 if err.errno == 2 else 126
    return (yield from child)


@program("printenv")
def printenv(ctx: Context) -> int:
    names = ctx.argv[1:]
    if not names:
        for name, value in ctx.env.items():
            ctx.print(f"{name}={value}")
        return 0
    found = [ctx.env[name] for name in names if name in ctx.env]
    for value in found:
        ctx.print(value)
    return 0 if len(found) == len(names) else 1


@program("hostname")
def hostname(ctx: Context) -> int:
    if "-i" in ctx.argv[1:] or "-I" in ctx.argv[1:]:
        ctx.print(ctx.container.ip or "")
    else:
        ctx.print(ctx.hostname)
    return 0


@program("uname")
def uname(ctx: Context) -> int:
    options, _ = split_options(ctx.argv[1:])
    fields = {"s": "Linux", "n": ctx.hostname, "r": kernel_release(), "v": KERNEL_BUILD,
              "m": "x86_64", "o": "GNU/Linux"}
    if "a" in options:
        wanted = "snrvmo"
    else:
        wanted = "".join(letter for letter in "snrvmo" if letter in options) or "s"
    ctx.print(" ".join(fields[letter] for letter in wanted))
    return 0


@program("whoami")
def whoami(ctx: Context) -> int:
    ctx.print("root")
    return 0


@program("id")
def id_(ctx: Context) -> int:
    ctx.print("uid=0(root) gid=0(root) groups=0(root)")
    return 0


@program("pwd")
def pwd(ctx: Context) -> int:
    ctx.print(ctx.cwd)
    return 0


@program("nproc")
def nproc(ctx: Context) -> int:
    ctx.print(str(ctx.container.node_cpus))
    return 0


@program("which")
def which(ctx: Context) -> int:
    status = 0
    for name in ctx.argv[1:]:
        found = ctx.container.find_executable(name, ctx.env.get("PATH", ""), ctx.cwd)
        if found:
            ctx.print(found)
        else:
            status = 1
    return status


@program("seq")
def seq(ctx: Context) -> Generator[Any, Any, int]:
    """``seq [-s SEP] [FIRST [INCREMENT]] LAST``."""
    options, numbers = split_options(ctx.argv[1:], with_value="sf")
    try:
        values = [float(n) if "." in n else int(n) for n in numbers]
    except ValueError:
        bad = next(n for n in numbers if not re.fullmatch(r"-?\d+(\.\d*)?", n))
        ctx.error(f"seq: invalid floating point argument: '{bad}'" if ctx.flavour == "gnu"
                  else f"seq: invalid number '{bad}'")
        return 1
    if not 1 <= len(values) <= 3:
        ctx.error("seq: missing operand" if not values else f"seq: extra operand '{numbers[3]}'")
        return 1
    first, step, last = (1, 1, values[0]) if len(values) == 1 else \
        (values[0], 1, values[1]) if len(values) == 2 else tuple(values)
    if step == 0:
        ctx.error("seq: invalid Zero increment value: '0'")
        return 1
    separator = options.get("s", "\n")
    value, first_out = first, True
    while (step > 0 and value <= last) or (step < 0 and value >= last):
        ctx.write(("" if first_out else separator) + str(value))
        first_out = False
        value += step
        yield from ctx.pace()
    if not first_out:
        ctx.write("\n")
    return 0


# -- processes ---------------------------------------------------------------------------------
@program("ps")
def ps(ctx: Context) -> int:
    """busybox ``ps``: every process of the container (options are accepted and ignored)."""
    ctx.print("PID   USER     TIME  COMMAND")
    for process in ctx.container.process_table():
        seconds = int(process.cpu_time)
        ctx.print(f"{process.pid:>5} {process.user:<8} {seconds // 60:>2}:{seconds % 60:02d} "
                  f"{process.command_line}")
    return 0


def parse_signal_option(ctx: Context, args: list[str]) -> tuple[int | None, list[str]]:
    """The signal of ``-9``, ``-KILL``, ``-s TERM``, ``-n 15`` (default SIGTERM) and the rest."""
    signum = SIGTERM
    if args and args[0] in ("-s", "-n") and len(args) > 1:
        signum = signal_number(args[1])
        args = args[2:]
    elif args and args[0].startswith("-") and args[0] != "--" and len(args[0]) > 1:
        signum = signal_number(args[0][1:])
        args = args[1:]
    if args and args[0] == "--":
        args = args[1:]
    return signum, args


@program("kill")
def kill(ctx: Context) -> int:
    """``kill [-SIGNAL] PID...`` and ``kill -l``."""
    args = ctx.argv[1:]
    if args and args[0] == "-l":
        ctx.print(" ".join(signal_name(n)[3:] for n in (1, 2, 3, 6, 9, 10, 12, 13, 14, 15,
                                                          17, 18, 19, 20)))
        return 0
    signum, targets = parse_signal_option(ctx, args)
    if signum is None:
        ctx.error(f"kill: bad signal name '{args[0].lstrip('-')}'")
        return 1
    if not targets:
        ctx.error("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid ...")
        return 2
    status = 0
    for target in targets:
        if not target.isdecimal():
            ctx.error(f"kill: {target}: arguments must be process or job IDs"
                      if ctx.flavour == "gnu" else f"kill: invalid number '{target}'")
            status = 1
        elif not ctx.container.signal(int(target), signum, sender=ctx.process):
            ctx.error(f"kill: ({target}) - No such process" if ctx.flavour == "gnu"
                      else f"kill: can't kill pid {target}: No such process")
            status = 1
    return status


@program("killall", "pkill")
def killall(ctx: Context) -> int:
    """``killall [-SIGNAL] NAME...``; ``killall -0 NAME`` only asks whether NAME runs."""
    signum, names = parse_signal_option(ctx, ctx.argv[1:])
    if signum is None:
        ctx.error(f"killall: bad signal name '{ctx.argv[1].lstrip('-')}'")
        return 1
    status = 0
    for name in names:
        targets = [p for p in ctx.container.process_table()
                   if p.name == name and p is not ctx.process]
        for process in targets:
            ctx.container.signal(process.pid, signum, sender=ctx.process)
        if not targets:
            if signum:
                ctx.error(f"killall: {name}: no process killed")
            status = 1
    return status
