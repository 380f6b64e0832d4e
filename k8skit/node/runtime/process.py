"""Processes: programs as generators, stepped on the simulated clock.

A program in a simulated container is a Python generator function that takes a
:class:`Context` (its argv, environment, working directory, stdio and the container around it)
and ``yield``\\ s whenever it would block, the way a simpy process does::

    def ticker(ctx):
        ctx.memory = 2 * MiB
        while True:
            ctx.print(f"tick {ctx.now:g}")
            yield Sleep(10)

``yield Sleep(s)`` waits ``s`` simulated seconds (``math.inf``: forever); ``yield Spin(s)``
means "I kept a CPU busy for ``s`` seconds"; ``yield Join(processes)`` waits for background
processes. The return value is the exit code. Everything else a program does (print, write
files, allocate memory, listen on a port) happens at once through the context.

A :class:`Runner` steps one generator. A container's processes run on the clock: each wait
becomes a clock timer. ``kubectl exec`` commands run *instantly*: their waits only add to a
virtual elapsed time (so ``sleep 2; date`` inside an exec still prints a date 2 s later), and a
command that would run on for ever is stopped after :data:`EXEC_TIME_LIMIT` simulated seconds.

Signals follow Linux. The kernel protects a PID namespace's init (PID 1, the container's main
process) from signals it has no handler for, so ``sh -c "sleep 3600"`` ignores the SIGTERM the
kubelet sends and only dies by SIGKILL at the end of the grace period, exit code 137. A program
that wants a signal says so with :meth:`Context.trap`, and then receives it as a :class:`Signal`
exception at its current ``yield``. A shell runs its traps only after the foreground command
returns, exactly like sh does (so a trap set before ``sleep 3600`` waits for the sleep).

Busy loops are safe: a program that runs without waiting calls ``yield from ctx.pace()`` in its
loop; after :data:`WORK_PER_SLICE` steps that yields a :class:`Spin` of :data:`SLICE_SECONDS`,
so ``while true; do echo hi; done`` burns one CPU and lets simulated time move on.
"""

from __future__ import annotations

import contextlib
import math
import posixpath
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k8skit.node.runtime.filesystem import normalize

if TYPE_CHECKING:
    from k8skit.node.network import HttpResponse
    from k8skit.node.runtime.containerd import Container
    from k8skit.node.runtime.filesystem import ContainerFS

# Signal numbers as on x86-64 Linux (man 7 signal).
SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGUSR1, SIGTERM = 1, 2, 3, 9, 10, 15
SIGNAL_NAMES = {1: "HUP", 2: "INT", 3: "QUIT", 6: "ABRT", 9: "KILL", 10: "USR1", 12: "USR2",
                13: "PIPE", 14: "ALRM", 15: "TERM", 17: "CHLD", 18: "CONT", 19: "STOP",
                20: "TSTP", 28: "WINCH"}
# Signals whose default action is to do nothing (man 7 signal: "Ign"): SIGCHLD, SIGWINCH.
IGNORED_BY_DEFAULT = {17, 28}
# strsignal(3) descriptions, as programs print them.
SIGNAL_DESCRIPTIONS = {1: "Hangup", 2: "Interrupt", 3: "Quit", 9: "Killed", 15: "Terminated"}

MiB = 1024 * 1024

# A program running without waiting yields a CPU slice every WORK_PER_SLICE steps. A step is
# about one shell command, so a busy shell loop runs 1,000 commands per simulated second: slower
# than a real CPU, fast enough for any loop a course runs, and cheap for the simulator.
WORK_PER_SLICE = 100
SLICE_SECONDS = 0.1
# An exec'd command still running after this much simulated time is stopped.
EXEC_TIME_LIMIT = 60.0


def signal_number(value: str | int) -> int | None:
    """15, "15", "TERM", "SIGTERM", "term" -> 15; None for a name that is no signal."""
    if isinstance(value, int):
        return value
    text = value.strip().upper()
    if text.isdecimal():
        return int(text)
    text = text.removeprefix("SIG")
    for number, name in SIGNAL_NAMES.items():
        if name == text:
            return number
    return None


def signal_name(number: int) -> str:
    return "SIG" + SIGNAL_NAMES.get(number, str(number))


# -- what a program yields ---------------------------------------------------------------------
@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` of simulated time (``math.inf``: until a signal or the end)."""

    seconds: float


@dataclass(frozen=True)
class Spin:
    """Keep one CPU busy for ``seconds`` (a throttled container takes longer)."""

    seconds: float


@dataclass(frozen=True)
class Join:
    """Wait until every one of ``runners`` (background processes) has finished."""

    runners: tuple[Runner, ...]


class Signal(Exception):
    """A signal delivered to a program that trapped it (or killing one that did not)."""

    def __init__(self, signum: int, pid: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum
        self.pid = pid

    @property
    def name(self) -> str:
        return signal_name(self.signum)


class Killed(BaseException):
    """Unwinds a program's stack when the kernel kills it outright (OOM killer, SIGKILL).

    A ``BaseException`` so that no program's ``except Exception`` can swallow it.
    """

    def __init__(self, exit_code: int, reason: str) -> None:
        super().__init__(reason)
        self.exit_code = exit_code
        self.reason = reason


# -- stdio -------------------------------------------------------------------------------------
class Stream:
    """Where a program's output goes."""

    def write(self, text: str) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Deliver a last line that has no newline yet."""


class NullStream(Stream):
    """``/dev/null``."""

    def write(self, text: str) -> None:
        return None


class BufferStream(Stream):
    """Collects output (an exec's stdout, ``$(...)``, the left side of a pipe)."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> None:
        self._parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self._parts)


class LogStream(Stream):
    """A container's stdout or stderr: complete lines go to the container's log with the
    (simulated) time they were written, as the CRI log file records them."""

    def __init__(self, container: Container, name: str, clock_of: Callable[[], float]) -> None:
        self.container = container
        self.name = name
        self._now = clock_of
        self._partial = ""

    def write(self, text: str) -> None:
        if not text:
            return
        text = self._partial + text
        *lines, self._partial = text.split("\n")
        if lines:
            self.container.append_log(self._now(), self.name, lines)

    def flush(self) -> None:
        if self._partial:
            self.container.append_log(self._now(), self.name, [self._partial])
            self._partial = ""


class FileStream(Stream):
    """Output redirected to a file (``> /tmp/x`` truncates when opened, ``>>`` appends)."""

    def __init__(self, fs: ContainerFS, path: str, now: Callable[[], float]) -> None:
        self.fs = fs
        self.path = path
        self._now = now

    def write(self, text: str) -> None:
        # If the file's directory went away under the writer, the data has nowhere to go.
        with contextlib.suppress(OSError):
            self.fs.write(self.path, text, append=True, mtime=self._now(), parents=False)


class Input:
    """A program's stdin: text read from the front. ``open_ended`` input never reaches end of
    file (a container with ``stdin: true`` that nobody attached to): readers wait for ever."""

    def __init__(self, text: str = "", open_ended: bool = False) -> None:
        self.text = text
        self.pos = 0
        self.open_ended = open_ended

    @property
    def exhausted(self) -> bool:
        return self.pos >= len(self.text)

    def read_all(self) -> str:
        rest = self.text[self.pos:]
        self.pos = len(self.text)
        return rest

    def read_line(self) -> str | None:
        """The next line without its newline, or None at end of input."""
        if self.exhausted:
            return None
        end = self.text.find("\n", self.pos)
        if end < 0:
            line, self.pos = self.text[self.pos:], len(self.text)
        else:
            line, self.pos = self.text[self.pos:end], end + 1
        return line

    def wait_for_more(self) -> Generator[Sleep, None, None]:
        """At the end of open-ended input, block for ever (nobody will ever type)."""
        if self.open_ended:
            yield Sleep(math.inf)


# -- processes ---------------------------------------------------------------------------------
class Process:
    """One entry of a container's process table: what ``ps`` shows and signals target.

    A program started from a shell runs inside its parent's runner (its frames sit on the same
    generator stack) but is a process of its own, with its own PID, traps and usage.
    """

    # An nginx pod alone has seventeen of them; slots keep each one small and quick to make.
    __slots__ = ("pid", "argv", "container", "runner", "user", "trapped", "ignored", "pending",
                 "memory_bytes", "cpu_millis", "cpu_time", "alive", "started_at")

    def __init__(self, pid: int, argv: list[str], container: Container,
                 runner: Runner | None = None, user: str = "root") -> None:
        self.pid = pid
        self.argv = list(argv)
        self.container = container
        self.runner = runner
        self.user = user
        self.trapped: set[int] = set()
        # Signals set to be ignored (``trap '' TERM``): not even their default action happens.
        self.ignored: set[int] = set()
        self.pending: list[int] = []
        self.memory_bytes = 0
        self.cpu_millis = 0
        self.cpu_time = 0.0
        self.alive = True
        self.started_at = 0.0

    @property
    def name(self) -> str:
        return posixpath.basename(self.argv[0]) if self.argv else "?"

    @property
    def command_line(self) -> str:
        return " ".join(self.argv)

    def __repr__(self) -> str:
        return f"<Process {self.pid} {self.command_line!r}>"


class Runner:
    """Steps one program's generator, on the clock or (``instant``) at once.

    ``on_finish(runner)`` is called when the program ends; ``exit_code`` and ``reason`` then
    say how ("Completed", "Error", "OOMKilled", "Killed", or "Timeout" for a stopped exec).
    """

    def __init__(self, container: Container, process: Process,
                 program: Generator[Any, Any, Any], instant: bool = False,
                 on_finish: Callable[[Runner], None] | None = None) -> None:
        self.container = container
        self.clock = container.clock
        self.process = process
        process.runner = self
        self.stack: list[Process] = [process]
        self._gen = program
        self.instant = instant
        self.on_finish = on_finish
        self.elapsed = 0.0
        self.work = 0
        self.executing = False
        self.spinning = False
        self.finished = False
        self.doomed: tuple[int, str | None] | None = None
        self.exit_code: int | None = None
        self.reason: str | None = None
        self._timer = None
        self._joiners: list[Callable[[], None]] = []

    # -- time as the program sees it ------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.clock.now + self.elapsed

    def tick(self) -> bool:
        """Count one step of work; True when the program should hand the CPU back."""
        self.work += 1
        return self.work >= WORK_PER_SLICE

    @property
    def current(self) -> Process:
        """The innermost process running on this stack (a shell's foreground child, say)."""
        return self.stack[-1]

    def start(self) -> None:
        self.process.started_at = self.now
        self._advance()

    # -- stepping -------------------------------------------------------------------------------
    def _advance(self, throw: BaseException | None = None) -> None:
        self._timer = None
        self.spinning = False
        while not self.finished:
            self.executing = True
            self.work = 0
            try:
                request = self._gen.throw(throw) if throw is not None else next(self._gen)
            except StopIteration as stop:
                self._finish(_exit_status(stop.value))
                return
            except Signal as sig:
                # Nobody handled it: the signal's default action terminates the process.
                self._finish(128 + sig.signum, "Killed" if sig.signum == SIGKILL else None)
                return
            except Killed as killed:
                self._finish(killed.exit_code, killed.reason)
                return
            finally:
                self.executing = False
            throw = None
            if self.doomed is not None:
                self._gen.close()
                self._finish(*self.doomed)
                return
            if not self._wait(request):
                return

    def _wait(self, request: object) -> bool:
        """Arrange to resume after ``request``; True to resume at once (instant mode)."""
        if isinstance(request, Join):
            running = [r for r in request.runners if not r.finished]
            if not running or self.instant:
                return True
            remaining = set(running)

            def joined(runner: Runner) -> Callable[[], None]:
                def done() -> None:
                    remaining.discard(runner)
                    if not remaining and not self.finished:
                        self._advance()
                return done

            for runner in running:
                runner._joiners.append(joined(runner))
            return False
        if isinstance(request, Spin):
            seconds = request.seconds * self.container.cpu_stretch
            self.spinning = True
            self.current.cpu_time += request.seconds
        elif isinstance(request, Sleep):
            seconds = request.seconds
        else:
            raise TypeError(f"a program yielded {request!r}; yield Sleep, Spin or Join")
        if self.instant:
            self.elapsed += seconds
            if self.elapsed > EXEC_TIME_LIMIT:
                self.elapsed = EXEC_TIME_LIMIT
                self._gen.close()
                self._finish(130, "Timeout")
                return False
            return True
        if seconds != math.inf:
            self._timer = self.clock.call_later(max(seconds, 0.0), self._advance)
        return False

    # -- signals --------------------------------------------------------------------------------
    def throw(self, exc: BaseException) -> None:
        """Raise ``exc`` in the program at its current ``yield`` (now, or just after the step
        it is running, if it is signalling itself)."""
        if self.finished:
            return
        if self.executing:
            self.clock.call_soon(self.throw, exc)
            return
        if self._timer is not None:
            self._timer.cancel()
        self._advance(throw=exc)

    def terminate(self, exit_code: int, reason: str | None = None) -> None:
        """End the program where it stands (SIGKILL, OOM kill, its container stopping).

        A program that is running right now (it caused this, e.g. an exec'd ``kill 1``) is
        ended at its next ``yield``, as the kernel would at its next scheduling point.
        """
        if self.finished:
            return
        if self.executing:
            self.doomed = (exit_code, reason)
            return
        if self._timer is not None:
            self._timer.cancel()
        self._gen.close()
        self._finish(exit_code, reason)

    def _finish(self, exit_code: int, reason: str | None = None) -> None:
        if self.finished:
            return
        self.finished = True
        self.spinning = False
        self.exit_code = exit_code
        self.reason = reason or ("Completed" if exit_code == 0 else "Error")
        for process in self.stack:
            process.alive = False
        if self.on_finish is not None:
            self.on_finish(self)
        for joiner in self._joiners:
            joiner()
        self._joiners.clear()


def _exit_status(value: object) -> int:
    """A program's return value as an exit status (``exit 256`` is 0, as the kernel keeps the
    low 8 bits)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value % 256
    raise TypeError(f"a program must return an exit code, not {value!r}")


# -- what a program sees -----------------------------------------------------------------------
class Context:
    """A running program's world: ``argv``, ``env``, ``cwd``, stdio, and its container.

    Programs use it to print (:meth:`print`, :meth:`error`), to read and write files
    (:attr:`fs`), to report memory and CPU use (:attr:`memory`, :attr:`cpu`), to serve
    (:meth:`listen`), to make requests (:meth:`request`), to run other programs
    (:meth:`run`) and to ask for signals (:meth:`trap`).
    """

    def __init__(self, process: Process, argv: list[str], env: dict[str, str], cwd: str,
                 stdin: Input, stdout: Stream, stderr: Stream, flavour: str = "busybox") -> None:
        self.process = process
        self.argv = list(argv)
        self.env = env
        self.cwd = cwd
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        # Which userland the running binary comes from ("busybox" or "gnu"): tools word their
        # messages differently.
        self.flavour = flavour

    # -- the surroundings ------------------------------------------------------------------------
    @property
    def container(self) -> Container:
        return self.process.container

    @property
    def runner(self) -> Runner:
        return self.process.runner

    @property
    def fs(self) -> ContainerFS:
        return self.container.fs

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster started, as this program experiences them."""
        return self.runner.now

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def hostname(self) -> str:
        return self.container.hostname

    def path(self, name: str) -> str:
        """``name`` made absolute against the working directory."""
        return normalize(name, self.cwd)

    # -- output ---------------------------------------------------------------------------------
    def write(self, text: str) -> None:
        self.stdout.write(text)

    def print(self, line: str = "") -> None:
        self.stdout.write(line + "\n")

    def error(self, line: str) -> None:
        self.stderr.write(line + "\n")

    # -- resources ------------------------------------------------------------------------------
    @property
    def memory(self) -> int:
        return self.process.memory_bytes

    @memory.setter
    def memory(self, nbytes: int) -> None:
        """Set this process's working set; crossing the container's limit is an OOM kill."""
        self.process.memory_bytes = max(0, int(nbytes))
        self.container.check_memory()

    @property
    def cpu(self) -> int:
        return self.process.cpu_millis

    @cpu.setter
    def cpu(self, millis: int) -> None:
        """Set how much CPU this process wants, in millicores (1000 = one busy core)."""
        self.process.cpu_millis = max(0, int(millis))

    def pace(self) -> Generator[Spin, None, None]:
        """Count one step of work; every :data:`WORK_PER_SLICE` steps, hand the CPU back.

        Use ``yield from ctx.pace()`` in any loop that may run without waiting.
        """
        if self.runner.tick():
            yield Spin(SLICE_SECONDS)

    # -- signals --------------------------------------------------------------------------------
    def trap(self, *signums: int) -> None:
        """Install handlers for ``signums``: they then arrive as :class:`Signal` exceptions."""
        self.process.trapped.update(s for s in signums if s != SIGKILL)

    def untrap(self, *signums: int) -> None:
        self.process.trapped.difference_update(signums)

    def owns(self, sig: Signal) -> bool:
        """Whether ``sig`` is addressed to this program and one it trapped (else re-raise)."""
        return sig.pid == self.process.pid and sig.signum in self.process.trapped

    # -- the network ----------------------------------------------------------------------------
    def listen(self, port: int, http: Callable[..., HttpResponse] | None = None,
               tcp: Callable[[str], str] | None = None) -> bool:
        """Listen on ``port`` in the pod's network namespace; False if it is taken.

        ``http(request: HttpRequest) -> HttpResponse`` answers HTTP requests; ``tcp(data) ->
        reply`` answers a raw text protocol (Redis). With neither, the port only accepts
        TCP connections (enough for a tcpSocket probe).
        """
        return self.container.listen(port, self.process, http, tcp)

    def unlisten(self, port: int) -> None:
        self.container.unlisten(port, self.process)

    def request(self, url: str, method: str = "GET",
                headers: dict[str, str] | None = None) -> HttpResponse:
        """Send an HTTP request from this pod (``localhost`` is the pod itself)."""
        return self.container.request(url, method=method, headers=headers)

    # -- other programs -------------------------------------------------------------------------
    def child(self, argv: list[str] | None = None, *, env: dict[str, str] | None = None,
              cwd: str | None = None, stdin: Input | None = None,
              stdout: Stream | None = None, stderr: Stream | None = None,
              process: Process | None = None, flavour: str | None = None) -> Context:
        """A context like this one with some parts replaced."""
        return Context(process or self.process, self.argv if argv is None else argv,
                       self.env if env is None else env, self.cwd if cwd is None else cwd,
                       stdin or self.stdin, stdout or self.stdout, stderr or self.stderr,
                       flavour or self.flavour)

    def run(self, argv: list[str], *, env: dict[str, str] | None = None,
            stdin: Input | None = None, stdout: Stream | None = None,
            stderr: Stream | None = None, replace: bool = False) -> Generator[Any, Any, int]:
        """Run the binary ``argv[0]`` (looked up in ``$PATH``) as a child process and return
        its exit status; with ``replace`` it takes over this process instead (``exec``)."""
        return self.container.run_program(self, argv, env=env, stdin=stdin, stdout=stdout,
                                          stderr=stderr, replace=replace)
