"""The shells of the simulated images: busybox ``ash``, Debian's ``dash`` and ``bash``.

They share one interpreter (``interpreter.py``) and differ in wording (``dialect.py``). This
module is the programs' entry point: the command line a container or ``kubectl exec`` gives,
``sh -c "echo hello; sleep 5; exit 3"``, ``sh script.sh``, or a bare ``sh`` reading its stdin.
"""

from __future__ import annotations

import posixpath
from collections.abc import Generator
from typing import Any

from k8skit.node.runtime.filesystem import normalize
from k8skit.node.runtime.process import Context
from k8skit.node.runtime.registry import program
from k8skit.node.runtime.shell.dialect import DIALECTS, Dialect
from k8skit.node.runtime.shell.interpreter import Shell

__all__ = ["Shell", "run_shell"]

SHELL_MEMORY_BYTES = 400 * 1024


@program("ash")
def ash(ctx: Context) -> Generator[Any, Any, int]:
    return (yield from run_shell(ctx, DIALECTS["ash"]))


@program("dash")
def dash(ctx: Context) -> Generator[Any, Any, int]:
    return (yield from run_shell(ctx, DIALECTS["dash"]))


@program("bash")
def bash(ctx: Context) -> Generator[Any, Any, int]:
    return (yield from run_shell(ctx, DIALECTS["bash"]))


def run_shell(ctx: Context, dialect: Dialect) -> Generator[Any, Any, int]:
    """``sh [-eux] -c COMMAND [NAME [ARGS...]]``, ``sh [-eux] FILE [ARGS...]`` or ``sh``."""
    name = posixpath.basename(ctx.argv[0]) if ctx.argv else "sh"
    args = list(ctx.argv[1:])
    options: set[str] = set()
    command_mode = False
    while args and args[0].startswith(("-", "+")) and args[0] not in ("-", "+"):
        flag = args.pop(0)
        if flag == "--":
            break
        if flag in ("--login", "--noprofile", "--norc", "--posix"):
            continue
        for letter in flag[1:]:
            if letter == "c":
                command_mode = True
            elif letter in "eux":
                options.add(letter)
            elif letter not in "ilsv":
                ctx.error(_usage_error(name, dialect, f"-{letter}"))
                return 2
    if command_mode:
        if not args:
            ctx.error(_missing_argument(name, dialect))
            return 2
        source, shell_name, positional = args[0], (args[1] if len(args) > 1 else name), \
            args[2:]
    elif args:
        try:
            source = ctx.fs.read(normalize(args[0], ctx.cwd))
        except OSError as err:
            ctx.error(_cannot_open(name, dialect, args[0], err))
            return 127 if dialect.shell == "bash" else 2
        shell_name, positional = args[0], args[1:]
    else:
        source = ctx.stdin.read_all()
        if not source:
            # An interactive shell nobody types into: it waits (with ``stdin: true``) or sees
            # end of input and exits 0, which is why a bare ``busybox`` pod keeps completing.
            yield from ctx.stdin.wait_for_more()
            return 0
        shell_name, positional = name, []
    # A shell's own memory (its RSS in a container): a few hundred KiB.
    ctx.memory = SHELL_MEMORY_BYTES
    shell = Shell(ctx, dialect, name=shell_name, args=positional)
    shell.options |= options
    return (yield from shell.run_script(source))


def _usage_error(name: str, dialect: Dialect, flag: str) -> str:
    if dialect.shell == "bash":
        return f"{name}: {flag}: invalid option"
    if dialect.shell == "dash":
        return f"{name}: 0: Illegal option {flag}"
    return f"{name}: invalid option -- '{flag[1:]}'"


def _missing_argument(name: str, dialect: Dialect) -> str:
    if dialect.shell == "bash":
        return f"{name}: -c: option requires an argument"
    if dialect.shell == "dash":
        return f"{name}: 0: -c requires an argument"
    return f"{name}: -c requires an argument"


def _cannot_open(name: str, dialect: Dialect, path: str, err: OSError) -> str:
    if dialect.shell == "bash":
        return f"{name}: {path}: {err.strerror}"
    if dialect.shell == "dash":
        return f"{name}: 0: cannot open {path}: No such file"
    return f"{name}: can't open '{path}': {err.strerror}"
