"""The shell interpreter: runs the syntax tree of ``syntax.py`` inside a simulated container.

:class:`Shell` keeps what a real ``sh`` process keeps (variables and which are exported,
positional parameters, ``$?``, functions, traps, options, the working directory) and walks the
tree. Built-in commands run here; anything else is looked up in ``$PATH`` in the container's
file system and runs as a child process (``Context.run``). Everything is a generator, because
any command may wait (``sleep``, ``curl`` timing out, ``read`` on a quiet stdin).

The shell is data only: the text a learner types is parsed and interpreted here, never handed to
Python's ``eval``/``exec``.
"""

from __future__ import annotations

import errno
import functools
import os
import posixpath
import re
from collections.abc import Generator
from typing import Any

from k8skit.node.runtime.applets import basics, system
from k8skit.node.runtime.filesystem import normalize
from k8skit.node.runtime.patterns import glob_regex, match_pattern
from k8skit.node.runtime.process import (
    SLICE_SECONDS,
    BufferStream,
    Context,
    FileStream,
    Input,
    Join,
    NullStream,
    Signal,
    Spin,
    Stream,
    signal_name,
    signal_number,
)
from k8skit.node.runtime.shell import arith
from k8skit.node.runtime.shell.dialect import Dialect
from k8skit.node.runtime.shell.expand import (
    ExpansionError,
    expand_pattern,
    expand_word,
    expand_words,
)
from k8skit.node.runtime.shell.syntax import (
    AndOr,
    Case,
    For,
    FunctionDef,
    Group,
    If,
    Loop,
    Pipeline,
    Redirect,
    Sequence,
    ShellSyntaxError,
    Simple,
    is_name,
    parse,
)

# How many shells (subshells, functions, $(...), eval) may nest inside one another. Each level
# costs the simulator a few generator frames; real scripts stay in single digits.
MAX_DEPTH = 24

SPECIAL_BUILTINS = {":", ".", "break", "continue", "eval", "exec", "exit", "export",
                    "readonly", "return", "set", "shift", "trap", "unset", "source"}
REGULAR_BUILTINS = {"cd", "pwd", "echo", "printf", "test", "[", "true", "false", "read",
                    "wait", "kill", "type", "command", "local", "umask", "ulimit"}
Gen = Generator[Any, Any, int]


class ShellExit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class LoopControl(Exception):
    def __init__(self, kind: str, levels: int) -> None:
        super().__init__(kind)
        self.kind = kind
        self.levels = levels


class FunctionReturn(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class IO:
    """The file descriptors a command runs with: 0 an :class:`Input`, the others streams."""

    __slots__ = ("fds",)

    def __init__(self, fds: dict[int, Any]) -> None:
        self.fds = fds

    @property
    def stdin(self) -> Input:
        stdin = self.fds.get(0)
        return stdin if isinstance(stdin, Input) else Input()

    @property
    def stdout(self) -> Stream:
        return self._stream(1)

    @property
    def stderr(self) -> Stream:
        return self._stream(2)

    def _stream(self, fd: int) -> Stream:
        stream = self.fds.get(fd)
        return stream if isinstance(stream, Stream) else NullStream()

    def with_fds(self, **changes: Any) -> IO:
        fds = dict(self.fds)
        for key, value in changes.items():
            fds[{"stdin": 0, "stdout": 1, "stderr": 2}[key]] = value
        return IO(fds)


@functools.lru_cache(maxsize=2048)
def parse_cached(source: str) -> Sequence:
    """Parse once per distinct text: loops and traps run the same text again and again."""
    return parse(source)


def quote(word: str) -> str:
    """``word`` quoted for the shell only where needed (``set -x`` and ``set`` output)."""
    if word and re.fullmatch(r"[\w@%+=:,./-]+", word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


class Shell:
    """One shell process's state, and the tree walker that runs commands with it."""

    def __init__(self, ctx: Context, dialect: Dialect, name: str = "sh",
                 args: list[str] | None = None) -> None:
        self.ctx = ctx
        self.dialect = dialect
        self.name = name
        self.positional = list(args or [])
        self.vars: dict[str, str] = dict(ctx.env)
        self.exported: set[str] = set(ctx.env)
        self.readonly: set[str] = set()
        self.vars.setdefault("PWD", ctx.cwd)
        self.functions: dict[str, Any] = {}
        self.traps: dict[int, str] = {}
        self.options: set[str] = set()
        self.status = 0
        self.last_background: int | None = None
        self.jobs: list = []
        self.depth = 0
        self.loop_depth = 0
        self.condition_depth = 0
        self.line = 1
        self.cmdsub_status: int | None = None
        self.local_frames: list[dict[str, str | None]] = []
        self.io = IO({0: ctx.stdin, 1: ctx.stdout, 2: ctx.stderr})
        # Whether this shell is its process's own (a subshell shares the process record here,
        # but a signal for the process is its parent's to handle).
        self.owns_process = True

    # -- variables ------------------------------------------------------------------------------
    @property
    def cwd(self) -> str:
        return self.ctx.cwd

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.vars.get(name, default)

    def parameter(self, name: str) -> str | None:
        """The value of ``$name`` (special parameters included), None when unset."""
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.ctx.pid)
        if name == "!":
            return "" if self.last_background is None else str(self.last_background)
        if name == "#":
            return str(len(self.positional))
        if name == "0":
            return self.name
        if name == "-":
            return "".join(sorted(self.options))
        if name.isdecimal():
            index = int(name)
            return self.positional[index - 1] if 0 < index <= len(self.positional) else None
        return self.vars.get(name)

    def assign(self, name: str, value: str) -> None:
        if name in self.readonly:
            raise ExpansionError(f"{name}: is read only")
        self.vars[name] = value
        if name == "PWD":
            self.ctx.cwd = value

    def check_unset(self, name: str) -> None:
        if "u" in self.options and name not in ("@", "*"):
            raise ExpansionError(f"{name}: parameter not set")

    def arithmetic(self, expression: str) -> int:
        try:
            return arith.evaluate(expression, lambda n: self.parameter(n) or "",
                                  lambda n, v: self.assign(n, v))
        except arith.ArithError as err:
            if self.dialect.shell == "dash":
                raise ExpansionError(f'arithmetic expression: {err.detail}: "{expression}"') \
                    from None
            if self.dialect.shell == "bash":
                raise ExpansionError(f"{expression}: {err.detail}") from None
            detail = "divide by zero" if err.detail == "division by zero" else \
                "arithmetic syntax error"
            raise ExpansionError(detail) from None

    def environment(self, extra: list[tuple[str, str]] = ()) -> dict[str, str]:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(extra)
        return env

    def glob(self, pattern: str) -> list[str]:
        """Path names matching ``pattern`` (XCU 2.13.3), sorted; [] when none match."""
        fs = self.ctx.fs
        absolute = pattern.startswith("/")
        results = [("/" if absolute else "", "/" if absolute else self.cwd)]
        for part in [p for p in pattern.split("/") if p]:
            found = []
            for shown, real in results:
                if any(c in part for c in "*?["):
                    try:
                        names = fs.listdir(real)
                    except OSError:
                        continue
                    regex = glob_regex(part)
                    found.extend((posixpath.join(shown, name), posixpath.join(real, name))
                                 for name in names
                                 if regex.fullmatch(name) and
                                 (part.startswith(".") or not name.startswith(".")))
                else:
                    name = re.sub(r"\\(.)", r"\1", part)
                    path = posixpath.join(real, name)
                    if fs.exists(path):
                        found.append((posixpath.join(shown, name), path))
            results = found
        return sorted(shown for shown, _ in results if shown)

    # -- messages -------------------------------------------------------------------------------
    def error(self, io: IO, message: str) -> None:
        io.stderr.write(f"{self.dialect.prefix(self.name, self.line)}{message}\n")

    @property
    def redirect_failure(self) -> int:
        """The status of a command whose redirection failed (dash says 2, ash and bash 1)."""
        return 2 if self.dialect.shell == "dash" else 1

    def owns(self, sig: Signal) -> bool:
        return sig.pid == self.ctx.pid and sig.signum in self.ctx.process.trapped

    # -- running text ---------------------------------------------------------------------------
    def run_script(self, source: str) -> Gen:
        """Run a whole script or ``-c`` string as this shell's program; its exit status."""
        try:
            status = yield from self.run_source(source, self.io)
        except ShellExit as done:
            status = done.code
        except FunctionReturn as done:
            status = done.code
        except ExpansionError as err:
            self.error(self.io, err.message)
            status = 2 if self.dialect.shell == "dash" else 1
        except RecursionError:
            self.error(self.io, "nesting too deep")
            status = 2
        return (yield from self.run_exit_trap(status))

    def run_source(self, source: str, io: IO) -> Gen:
        try:
            tree = parse_cached(source)
        except ShellSyntaxError as err:
            io.stderr.write(self.dialect.syntax_error(self.name, err) + "\n")
            self.status = 2
            return 2
        return (yield from self.run_sequence(tree, io))

    def run_exit_trap(self, status: int) -> Gen:
        action = self.traps.pop(0, None)
        if action:
            self.status = status
            try:
                yield from self.run_source(action, self.io)
            except ShellExit as done:
                status = done.code
            except (ExpansionError, FunctionReturn, LoopControl):
                pass
        return status

    def run_pending_traps(self, io: IO) -> Gen:
        process = self.ctx.process
        while process.pending:
            action = self.traps.get(process.pending.pop(0))
            if action:
                saved = self.status
                yield from self.run_source(action, io)
                self.status = saved
        return self.status

    # -- the tree -------------------------------------------------------------------------------
    def run_sequence(self, seq: Sequence, io: IO) -> Gen:
        status = 0
        for node, background in seq.items:
            if background:
                self.start_background(node, io)
                status = 0
            else:
                status = yield from self.run_and_or(node, io)
            self.status = status
            if self.owns_process and self.ctx.process.pending:
                yield from self.run_pending_traps(io)
        return status

    def run_and_or(self, node: AndOr, io: IO) -> Gen:
        status = yield from self.run_pipeline(node.first, io)
        ran_last = not node.rest
        for index, (op, pipeline) in enumerate(node.rest):
            self.status = status
            if (op == "&&") == (status == 0):
                status = yield from self.run_pipeline(pipeline, io)
                ran_last = index == len(node.rest) - 1
        if status and ran_last and "e" in self.options and not self.condition_depth:
            last = node.rest[-1][1] if node.rest else node.first
            if not last.negated:
                raise ShellExit(status)
        return status

    def run_pipeline(self, node: Pipeline, io: IO) -> Gen:
        if node.negated:
            self.condition_depth += 1
        try:
            if len(node.commands) == 1:
                status = yield from self.run_command(node.commands[0], io)
            else:
                data = io.stdin
                status = 0
                for index, command in enumerate(node.commands):
                    last = index == len(node.commands) - 1
                    out = io.stdout if last else BufferStream()
                    stage = io.with_fds(stdin=data, stdout=out)
                    status = yield from self.fork().run_subshell(command, stage)
                    if not last:
                        data = Input(out.text)
        finally:
            if node.negated:
                self.condition_depth -= 1
        return int(not status) if node.negated else status

    def run_command(self, node, io: IO) -> Gen:
        if isinstance(node, Simple):
            return (yield from self.run_simple(node, io))
        if isinstance(node, FunctionDef):
            self.functions[node.name] = node.body
            return 0
        io = yield from self.redirect(node.redirects, io)
        if io is None:
            return self.redirect_failure
        if isinstance(node, Group):
            if node.subshell:
                return (yield from self.fork().run_subshell(node.body, io))
            return (yield from self.run_sequence(node.body, io))
        if isinstance(node, If):
            return (yield from self.run_if(node, io))
        if isinstance(node, Loop):
            return (yield from self.run_loop(node, io))
        if isinstance(node, For):
            return (yield from self.run_for(node, io))
        if isinstance(node, Case):
            return (yield from self.run_case(node, io))
        raise TypeError(f"unknown command node {node!r}")

    def run_condition(self, condition: Sequence, io: IO) -> Gen:
        self.condition_depth += 1
        try:
            return (yield from self.run_sequence(condition, io))
        finally:
            self.condition_depth -= 1

    def run_if(self, node: If, io: IO) -> Gen:
        for condition, body in node.branches:
            if (yield from self.run_condition(condition, io)) == 0:
                return (yield from self.run_sequence(body, io))
        if node.orelse is not None:
            return (yield from self.run_sequence(node.orelse, io))
        return 0

    def run_loop(self, node: Loop, io: IO) -> Gen:
        status = 0
        self.loop_depth += 1
        try:
            while True:
                tested = yield from self.run_condition(node.condition, io)
                if (tested == 0) == node.until:
                    return status
                try:
                    status = yield from self.run_sequence(node.body, io)
                except LoopControl as jump:
                    if jump.levels > 1:
                        raise LoopControl(jump.kind, jump.levels - 1) from None
                    if jump.kind == "break":
                        return 0
        finally:
            self.loop_depth -= 1

    def run_for(self, node: For, io: IO) -> Gen:
        items = list(self.positional) if node.items is None else \
            (yield from expand_words(self, node.items))
        status = 0
        self.loop_depth += 1
        try:
            for item in items:
                self.assign(node.name, item)
                try:
                    status = yield from self.run_sequence(node.body, io)
                except LoopControl as jump:
                    if jump.levels > 1:
                        raise LoopControl(jump.kind, jump.levels - 1) from None
                    if jump.kind == "break":
                        return 0
        finally:
            self.loop_depth -= 1
        return status

    def run_case(self, node: Case, io: IO) -> Gen:
        word = yield from expand_word(self, node.word)
        for patterns, body in node.arms:
            for raw in patterns:
                pattern = yield from expand_pattern(self, raw)
                if match_pattern(pattern, word):
                    return (yield from self.run_sequence(body, io))
        return 0

    # -- simple commands ------------------------------------------------------------------------
    def run_simple(self, node: Simple, io: IO) -> Gen:
        self.line = node.line
        self.io = io
        try:
            if self.ctx.runner.tick():
                yield Spin(SLICE_SECONDS)
            self.cmdsub_status = None
            argv = yield from expand_words(self, node.words)
            values = []
            for name, raw in node.assignments:
                values.append((name, (yield from expand_word(self, raw))))
            if "x" in self.options:
                traced = [f"{n}={quote(v)}" for n, v in values] + [quote(a) for a in argv]
                io.stderr.write("+ " + " ".join(traced) + "\n")
            redirected = yield from self.redirect(node.redirects, io)
            if not argv:
                for name, value in values:
                    self.assign(name, value)
                if redirected is None:
                    return self.redirect_failure
                return self.cmdsub_status or 0
            if redirected is None:
                return self.redirect_failure
            return (yield from self.run_argv(argv, values, redirected))
        except Signal as sig:
            # A trapped signal interrupted a built-in that waits (wait, read): the command
            # fails with 128+n and the trap runs once it has returned.
            if not self.owns(sig):
                raise
            self.ctx.process.pending.append(sig.signum)
            return 128 + sig.signum

    def run_argv(self, argv: list[str], values: list[tuple[str, str]], io: IO) -> Gen:
        name = argv[0]
        if name in SPECIAL_BUILTINS:
            for var, value in values:
                self.assign(var, value)
            return (yield from self.builtin(name, argv, io))
        if name in self.functions:
            return (yield from self.call_function(name, argv, values, io))
        if name in REGULAR_BUILTINS:
            saved = {var: self.vars.get(var) for var, _ in values}
            for var, value in values:
                self.assign(var, value)
            try:
                return (yield from self.builtin(name, argv, io))
            finally:
                for var, old in saved.items():
                    if old is None:
                        self.vars.pop(var, None)
                    else:
                        self.vars[var] = old
        return (yield from self.run_external(argv, values, io))

    def run_external(self, argv: list[str], values: list[tuple[str, str]], io: IO,
                     replace: bool = False) -> Gen:
        try:
            program = self.ctx.run(argv, env=self.environment(values), stdin=io.stdin,
                                   stdout=io.stdout, stderr=io.stderr, replace=replace)
        except OSError as err:
            return self.report_exec_error(argv[0], err, io)
        return (yield from program)

    def report_exec_error(self, command: str, err: OSError, io: IO) -> int:
        if err.errno == errno.ENOENT:
            io.stderr.write(self.dialect.not_found(self.name, command, self.line) + "\n")
            return 127
        if err.errno == errno.EAGAIN:
            self.error(io, "can't fork: Resource temporarily unavailable")
            return 2
        reason = "Is a directory" if err.errno == errno.EISDIR and \
            self.dialect.shell == "bash" else "Permission denied"
        io.stderr.write(self.dialect.cannot_run(self.name, command, reason, self.line) + "\n")
        return 126

    def call_function(self, name: str, argv: list[str], values: list[tuple[str, str]],
                      io: IO) -> Gen:
        self.enter()
        saved_positional = self.positional
        self.positional = argv[1:]
        frame: dict[str, str | None] = {var: self.vars.get(var) for var, _ in values}
        self.local_frames.append(frame)
        for var, value in values:
            self.assign(var, value)
        try:
            return (yield from self.run_command(self.functions[name], io))
        except FunctionReturn as done:
            return done.code
        finally:
            self.depth -= 1
            self.positional = saved_positional
            for var, old in self.local_frames.pop().items():
                if old is None:
                    self.vars.pop(var, None)
                else:
                    self.vars[var] = old

    # -- subshells and background jobs ----------------------------------------------------------
    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.depth -= 1
            raise ExpansionError("nesting too deep")

    def fork(self, ctx: Context | None = None) -> Shell:
        """A copy of this shell for a subshell: changes in it do not come back."""
        sub = Shell.__new__(Shell)
        sub.__dict__.update(self.__dict__)
        sub.ctx = ctx or self.ctx.child()
        sub.owns_process = ctx is not None
        sub.positional = list(self.positional)
        sub.vars = dict(self.vars)
        sub.exported = set(self.exported)
        sub.readonly = set(self.readonly)
        sub.functions = dict(self.functions)
        sub.traps = {}
        sub.options = set(self.options)
        sub.jobs = []
        sub.local_frames = []
        sub.depth = self.depth
        sub.enter()
        return sub

    def run_subshell(self, body, io: IO) -> Gen:
        """Run ``body`` (a command or a list) in this (forked) shell; its exit status."""
        self.io = io
        try:
            if isinstance(body, Sequence):
                return (yield from self.run_sequence(body, io))
            if isinstance(body, AndOr):
                return (yield from self.run_and_or(body, io))
            return (yield from self.run_command(body, io))
        except ShellExit as done:
            return done.code
        except (FunctionReturn, LoopControl):
            return self.status
        except ExpansionError as err:
            self.error(io, err.message)
            return 2 if self.dialect.shell == "dash" else 1

    def command_substitution(self, text: str) -> Generator[Any, Any, str]:
        out = BufferStream()
        sub = self.fork()
        io = self.io.with_fds(stdout=out)
        try:
            tree = parse_cached(text)
        except ShellSyntaxError as err:
            io.stderr.write(self.dialect.syntax_error(self.name, err) + "\n")
            self.cmdsub_status = 2
            return ""
        self.cmdsub_status = yield from sub.run_subshell(tree, io)
        return out.text.rstrip("\n")

    def start_background(self, node: AndOr, io: IO) -> None:
        def job(process) -> Gen:
            sub = self.fork(self.ctx.child(process=process))
            return (yield from sub.run_subshell(node, io))

        runner = self.ctx.container.start_background([self.name], job)
        self.last_background = runner.process.pid
        self.jobs.append(runner)

    # -- redirections ---------------------------------------------------------------------------
    def redirect(self, redirects: list[Redirect], io: IO) -> Generator[Any, Any, IO | None]:
        """``io`` with ``redirects`` applied, or None (after a message) when one fails."""
        if not redirects:
            return io
        new = IO(dict(io.fds))
        for r in redirects:
            target = yield from expand_word(self, r.target)
            if r.op in (">&", "<&") and (target.isdecimal() or target == "-"):
                if target == "-":
                    new.fds[r.fd] = Input() if r.fd == 0 else NullStream()
                elif int(target) in new.fds:
                    new.fds[r.fd] = new.fds[int(target)]
                else:
                    self.error(io, f"{target}: bad file descriptor")
                    return None
                continue
            if r.op in ("<", "<>"):
                opened = self.open_input(target, new, io)
                if opened is None:
                    return None
                new.fds[r.fd] = opened
                continue
            stream = self.open_output(target, r.op == ">>", new, io)
            if stream is None:
                return None
            if r.op in ("&>", ">&"):
                new.fds[1] = new.fds[2] = stream
            else:
                new.fds[r.fd] = stream
        return new

    def special_stream(self, path: str, fds: IO) -> Stream | None:
        match = re.fullmatch(r"/dev/(stdout|stderr)|/(?:dev/fd|proc/self/fd)/(\d+)|"
                             r"/proc/1/fd/([12])", path)
        if path == "/dev/null":
            return NullStream()
        if match is None:
            return None
        if match.group(1):
            return fds.fds.get(1 if match.group(1) == "stdout" else 2, NullStream())
        if match.group(2):
            return fds.fds.get(int(match.group(2)), NullStream())
        return self.ctx.container.main_stream(int(match.group(3)))

    def open_output(self, target: str, append: bool, fds: IO, io: IO) -> Stream | None:
        special = self.special_stream(target, fds)
        if special is not None:
            return special
        fs = self.ctx.fs
        path = normalize(target, self.cwd)
        try:
            if fs.is_dir(path):
                raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), path)
            parent = posixpath.dirname(path)
            if not fs.is_dir(parent):
                raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), path)
            if not append or not fs.exists(path):
                fs.write(path, "", mtime=self.ctx.now, parents=False)
        except OSError as err:
            if err.errno == errno.ENOENT:
                reason = {"ash": "nonexistent directory", "dash": "Directory nonexistent"} \
                    .get(self.dialect.shell, "No such file or directory")
            else:
                reason = os.strerror(err.errno or errno.EIO)
            io.stderr.write(self.dialect.cannot_create(self.name, target, reason, self.line)
                            + "\n")
            return None
        return FileStream(fs, path, lambda: self.ctx.now)

    def open_input(self, target: str, fds: IO, io: IO) -> Input | None:
        if target == "/dev/null":
            return Input()
        if target in ("/dev/stdin", "/proc/self/fd/0", "/dev/fd/0"):
            return fds.stdin
        try:
            return Input(self.ctx.fs.read(normalize(target, self.cwd)))
        except OSError as err:
            reason = "No such file" if self.dialect.shell == "dash" and \
                err.errno == errno.ENOENT else os.strerror(err.errno or errno.EIO)
            io.stderr.write(self.dialect.cannot_open(self.name, target, reason, self.line)
                            + "\n")
            return None

    # -- built-in commands ----------------------------------------------------------------------
    def builtin(self, name: str, argv: list[str], io: IO) -> Gen:
        method = getattr(self, "builtin_" + {":": "colon", "[": "test", ".": "source"}
                         .get(name, name))
        result = method(argv, io)
        if isinstance(result, Generator):
            result = yield from result
        return result

    def applet_context(self, argv: list[str], io: IO) -> Context:
        return self.ctx.child(argv, env=self.environment(), stdin=io.stdin, stdout=io.stdout,
                              stderr=io.stderr)

    def builtin_colon(self, argv, io) -> int:
        return 0

    def builtin_true(self, argv, io) -> int:
        return 0

    def builtin_false(self, argv, io) -> int:
        return 1

    def builtin_echo(self, argv, io) -> int:
        return basics.echo(self.applet_context(argv, io), dash=self.dialect.echo_escapes)

    def builtin_printf(self, argv, io) -> int:
        return basics.printf(self.applet_context(argv, io))

    def builtin_test(self, argv, io) -> int:
        return basics.test(self.applet_context(argv, io))

    def builtin_kill(self, argv, io) -> int:
        return system.kill(self.applet_context(argv, io))

    def builtin_pwd(self, argv, io) -> int:
        io.stdout.write(self.cwd + "\n")
        return 0

    def builtin_umask(self, argv, io) -> int:
        io.stdout.write("0022\n")
        return 0

    def builtin_ulimit(self, argv, io) -> int:
        io.stdout.write("unlimited\n")
        return 0

    def builtin_cd(self, argv, io) -> int:
        target = argv[1] if len(argv) > 1 else self.vars.get("HOME", "/")
        if target == "-":
            target = self.vars.get("OLDPWD", self.cwd)
            io.stdout.write(target + "\n")
        path = normalize(target, self.cwd)
        if not self.ctx.fs.is_dir(path):
            reason = "No such file or directory" if not self.ctx.fs.exists(path) else \
                "Not a directory"
            if self.dialect.shell == "bash":
                self.error(io, f"cd: {target}: {reason}")
            elif self.dialect.shell == "dash":
                self.error(io, f"cd: can't cd to {target}")
            else:
                self.error(io, f"cd: can't cd to {target}: {reason}")
            return 2 if self.dialect.shell == "dash" else 1
        self.vars["OLDPWD"] = self.cwd
        self.assign("PWD", path)
        return 0

    def builtin_exit(self, argv, io) -> int:
        if len(argv) > 1:
            if not re.fullmatch(r"-?\d+", argv[1]):
                self.error(io, f"exit: Illegal number: {argv[1]}")
                raise ShellExit(2)
            raise ShellExit(int(argv[1]) % 256)
        raise ShellExit(self.status)

    def builtin_return(self, argv, io) -> int:
        code = int(argv[1]) % 256 if len(argv) > 1 and argv[1].lstrip("-").isdecimal() \
            else self.status
        raise FunctionReturn(code)

    def builtin_break(self, argv, io) -> int:
        return self.loop_control("break", argv, io)

    def builtin_continue(self, argv, io) -> int:
        return self.loop_control("continue", argv, io)

    def loop_control(self, kind: str, argv: list[str], io: IO) -> int:
        levels = 1
        if len(argv) > 1:
            if not argv[1].isdecimal() or int(argv[1]) < 1:
                self.error(io, f"{kind}: Illegal number: {argv[1]}")
                return 2
            levels = int(argv[1])
        if not self.loop_depth:
            return 0
        raise LoopControl(kind, min(levels, self.loop_depth))

    def builtin_export(self, argv, io) -> int:
        return self.declare(argv, io, self.exported, "export")

    def builtin_readonly(self, argv, io) -> int:
        status = self.declare(argv, io, set(), "readonly")
        self.readonly.update(a.partition("=")[0] for a in argv[1:] if not a.startswith("-"))
        return status

    def builtin_local(self, argv, io) -> int:
        if not self.local_frames:
            self.error(io, "local: not in a function")
            return 1
        frame = self.local_frames[-1]
        for arg in argv[1:]:
            name, eq, value = arg.partition("=")
            frame.setdefault(name, self.vars.get(name))
            self.vars[name] = value if eq else self.vars.get(name, "")
        return 0

    def declare(self, argv: list[str], io: IO, names: set[str], verb: str) -> int:
        args = [a for a in argv[1:] if a != "-p"]
        if not args:
            for name in sorted(names & set(self.vars)):
                io.stdout.write(f"{verb} {name}={quote(self.vars[name])}\n")
            return 0
        status = 0
        for arg in args:
            name, eq, value = arg.partition("=")
            if not is_name(name):
                self.error(io, f"{verb}: {arg}: bad variable name")
                status = 1
                continue
            if eq:
                self.assign(name, value)
            names.add(name)
        return status

    def builtin_unset(self, argv, io) -> int:
        args = argv[1:]
        functions = bool(args) and args[0] == "-f"
        for name in (a for a in args if a not in ("-f", "-v")):
            if functions:
                self.functions.pop(name, None)
            elif name in self.readonly:
                self.error(io, f"unset: {name}: is read only")
                return 1
            else:
                self.vars.pop(name, None)
                self.exported.discard(name)
        return 0

    def builtin_set(self, argv, io) -> int:
        args = argv[1:]
        if not args:
            for name in sorted(self.vars):
                io.stdout.write(f"{name}={quote(self.vars[name])}\n")
            return 0
        while args and args[0][:1] in ("-", "+") and args[0] not in ("-", "+"):
            flag = args.pop(0)
            if flag == "--":
                self.positional = args
                return 0
            if flag in ("-o", "+o"):
                option = {"errexit": "e", "nounset": "u", "xtrace": "x"}.get(
                    args.pop(0) if args else "", "")
                letters = option
            else:
                letters = flag[1:]
            for letter in letters:
                if letter not in "euxfvC":
                    self.error(io, f"set: illegal option -{letter}")
                    return 2
                (self.options.add if flag[0] == "-" else self.options.discard)(letter)
        if args:
            self.positional = args
        return 0

    def builtin_shift(self, argv, io) -> int:
        count = int(argv[1]) if len(argv) > 1 and argv[1].isdecimal() else 1
        if count > len(self.positional):
            self.error(io, "shift: can't shift that many")
            return 2
        self.positional = self.positional[count:]
        return 0

    def builtin_eval(self, argv, io) -> Gen:
        self.enter()
        try:
            return (yield from self.run_source(" ".join(argv[1:]), io))
        finally:
            self.depth -= 1

    def builtin_source(self, argv, io) -> Gen:
        if len(argv) < 2:
            self.error(io, f"{argv[0]}: filename argument required")
            return 2
        path = normalize(argv[1], self.cwd)
        try:
            text = self.ctx.fs.read(path)
        except OSError as err:
            self.error(io, f"{argv[0]}: can't open '{argv[1]}': {os.strerror(err.errno)}")
            raise ShellExit(2) from None
        self.enter()
        try:
            return (yield from self.run_source(text, io))
        finally:
            self.depth -= 1

    def builtin_exec(self, argv, io) -> Gen:
        if len(argv) == 1:
            # "exec >file": the redirections stay for the rest of the script.
            self.io.fds.update(io.fds)
            return 0
        self.ctx.process.trapped.clear()
        status = yield from self.run_external(argv[1:], [], io, replace=True)
        raise ShellExit(status)

    def builtin_trap(self, argv, io) -> int:
        args = argv[1:]
        if args and args[0] == "--":
            args = args[1:]
        if not args:
            for signum, action in sorted(self.traps.items()):
                name = "EXIT" if signum == 0 else signal_name(signum)[3:]
                io.stdout.write(f"trap -- {quote(action)} {name}\n")
            return 0
        action, names = (args[0], args[1:]) if len(args) > 1 else ("-", args)
        status = 0
        for name in names:
            signum = 0 if name.upper() in ("EXIT", "0") else signal_number(name)
            if signum is None or signum == 9:
                self.error(io, f"trap: {name}: bad trap")
                status = 1
                continue
            if action == "-":
                self.traps.pop(signum, None)
                if signum:
                    self.ctx.untrap(signum)
                    self.ctx.process.ignored.discard(signum)
            elif action == "":
                self.traps.pop(signum, None)
                if signum:
                    self.ctx.untrap(signum)
                    self.ctx.process.ignored.add(signum)
            else:
                self.traps[signum] = action
                if signum:
                    self.ctx.trap(signum)
        return status

    def builtin_wait(self, argv, io) -> Gen:
        jobs = self.jobs
        if len(argv) > 1:
            wanted = {int(a) for a in argv[1:] if a.isdecimal()}
            jobs = [job for job in self.jobs if job.process.pid in wanted]
            if not jobs:
                return 127
        yield Join(tuple(jobs))
        finished = [job for job in jobs if job.finished]
        self.jobs = [job for job in self.jobs if not job.finished]
        return finished[-1].exit_code if finished and len(argv) > 1 else 0

    def builtin_read(self, argv, io) -> Gen:
        args = argv[1:]
        raw = False
        names = []
        while args:
            arg = args.pop(0)
            if arg == "-r":
                raw = True
            elif arg in ("-p", "-t", "-u", "-n") and args:
                value = args.pop(0)
                if arg == "-p":
                    io.stderr.write(value)
            else:
                names.append(arg)
        names = names or ["REPLY"]
        stdin = io.stdin
        line = stdin.read_line()
        while line is None and stdin.open_ended:
            yield from stdin.wait_for_more()
        if not raw and line is not None:
            line = re.sub(r"\\(.)", r"\1", line)
        fields = (line or "").split(None, len(names) - 1) if len(names) > 1 else \
            [(line or "").strip()]
        for index, name in enumerate(names):
            self.assign(name, fields[index] if index < len(fields) else "")
        return 1 if line is None else 0

    def builtin_type(self, argv, io) -> int:
        status = 0
        for name in argv[1:]:
            found = self.describe(name)
            if found is None:
                self.error(io, f"type: {name}: not found")
                status = 1
            else:
                io.stdout.write(f"{name} is {found}\n")
        return status

    def builtin_command(self, argv, io) -> Gen:
        args = argv[1:]
        if args and args[0] in ("-v", "-V"):
            verbose = args.pop(0) == "-V"
            status = 0
            for name in args:
                found = self.describe(name)
                if found is None:
                    status = 1
                elif verbose:
                    io.stdout.write(f"{name} is {found}\n")
                else:
                    io.stdout.write((found if found.startswith("/") else name) + "\n")
            return status
        if not args:
            return 0
        if args[0] in SPECIAL_BUILTINS or args[0] in REGULAR_BUILTINS:
            return (yield from self.builtin(args[0], args, io))
        return (yield from self.run_external(args, [], io))

    def describe(self, name: str) -> str | None:
        if name in SPECIAL_BUILTINS:
            return "a special shell builtin"
        if name in REGULAR_BUILTINS:
            return "a shell builtin"
        if name in self.functions:
            return "a function"
        return self.ctx.container.find_executable(name, self.vars.get("PATH", ""), self.cwd)
