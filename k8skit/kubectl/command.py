"""What every kubectl command shares: its description, the context it runs in, its errors.

Each verb is one module in :mod:`k8skit.kubectl.commands` that defines a :class:`Command`
(name, usage, flags and a ``run`` function), as each verb is one package in upstream's
``staging/src/k8s.io/kubectl/pkg/cmd``. ``run`` writes to ``ctx.out`` and ``ctx.err`` like a
real command writes to its terminal, and signals failure by raising: a :class:`UsageError`
prints ``See 'kubectl get --help' for usage.`` after the message, a :class:`CommandError`
just the message, an :class:`~k8skit.api.errors.APIError` the server's ``Error from server``
line.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from k8skit.api.errors import APIError
from k8skit.api.kinds import KINDS, Kind, resolve_resource
from k8skit.kubectl.flags import Flag, ParsedArgs, help_lines


class CommandError(Exception):
    """A failure kubectl reports as ``error: <message>`` with a non-zero exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class UsageError(CommandError):
    """A command used the wrong way: kubectl adds where to read its help."""


class Exit(Exception):
    """Stop with this exit code; the command already printed what it had to say."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Command:
    name: str
    short: str  # one line for `kubectl --help`
    usage: str
    run: Callable[[Context, ParsedArgs], None]
    flags: tuple[Flag, ...] = ()
    examples: str = ""
    aliases: tuple[str, ...] = ()

    def help(self) -> str:
        text = f"{self.short}\n"
        if self.examples:
            text += f"\nExamples:\n{self.examples.rstrip()}\n"
        options = help_lines(list(self.flags))
        if options:
            text += "\nOptions:\n" + "\n\n".join(options) + "\n"
        return text + f"\nUsage:\n  {self.usage}\n"


@dataclass
class KubeConfig:
    """What kubectl reads from its kubeconfig: one cluster, one user and one context, all
    named ``k8skit``, and the context's namespace (``kubectl config set-context --current
    --namespace=...`` changes it for the commands that follow)."""

    name: str = "k8skit"
    namespace: str = ""  # empty: "default"


class _TerminalStream(io.StringIO):
    """stdout or stderr: kept on its own, and also copied into the shared terminal."""

    def __init__(self, terminal: list[str]) -> None:
        super().__init__()
        self._terminal = terminal

    def write(self, text: str) -> int:
        self._terminal.append(text)
        return super().write(text)


@dataclass
class Context:
    """One command's view of the world: the API server, its streams and its namespace."""

    api: object
    config: KubeConfig = field(default_factory=KubeConfig)
    namespace: str = "default"
    explicit_namespace: bool = False  # -n was given
    stdin: str | None = None
    command_path: str = "kubectl"  # "kubectl get": where usage errors point for help
    # Everything written, in the order a terminal would show it (a warning before the table).
    terminal: list[str] = field(default_factory=list)
    out: io.StringIO = field(init=False)
    err: io.StringIO = field(init=False)

    def __post_init__(self) -> None:
        self.out = _TerminalStream(self.terminal)
        self.err = _TerminalStream(self.terminal)

    @property
    def now(self) -> float:
        return self.api.clock.now

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def warn(self, text: str) -> None:
        self.err.write(text + "\n")

    def report(self, error: Exception) -> None:
        """Print a failure that does not stop the command (kubectl's ContinueOnError)."""
        self.err.write(error_text(error) + "\n")


def error_text(error: Exception) -> str:
    """The line(s) kubectl prints for a failure."""
    if isinstance(error, APIError):
        return str(error)
    if isinstance(error, CommandError):
        return f"error: {error.message}"
    return str(error)


# -- resource arguments ----------------------------------------------------------------------
# What `kubectl get all` means: the "all" category of the kinds the simulator serves, in the
# order a real cluster lists them.
ALL_CATEGORY = ("Pod", "Service", "Deployment", "ReplicaSet")


def resolve_kind(name: str) -> Kind:
    kind = resolve_resource(name)
    if kind is None:
        raise CommandError(f'the server doesn\'t have a resource type "{name}"')
    return kind


@dataclass(frozen=True)
class Target:
    """A kind and, optionally, the names asked for (None: every object of the kind)."""

    kind: Kind
    names: tuple[str, ...] | None
    namespace: str | None = None  # set when a manifest (-f) names the namespace


def targets_of(args: list[str]) -> list[Target]:
    """``pods``, ``pods web db``, ``pod/web svc/web``, ``pods,services``, ``all`` as upstream's
    ``ResourceTypeOrNameArgs`` reads them."""
    if not args:
        return []
    if any("/" in arg for arg in args):
        if not all("/" in arg for arg in args):
            raise CommandError(
                "there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. 'kubectl get resource/"
                "<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
        targets = []
        for arg in args:
            type_, _, name = arg.partition("/")
            if not name:
                raise CommandError("arguments in resource/name form must have a single "
                                   "resource and name")
            targets.append(Target(resolve_kind(type_), (name,)))
        return targets
    type_arg, names = args[0], tuple(args[1:])
    kinds: list[Kind] = []
    for type_ in type_arg.split(","):
        if not type_:
            continue
        if type_ == "all":
            kinds.extend(KINDS[k] for k in ALL_CATEGORY)
        else:
            kinds.append(resolve_kind(type_))
    return [Target(kind, names or None) for kind in kinds]


def single_item_implied(args: list[str]) -> bool:
    """One named object (``pod web`` or ``pod/web``): -o yaml prints it alone, not a List."""
    if len(args) == 1 and "/" in args[0]:
        return True
    return len(args) == 2 and "," not in args[0] and args[0] != "all"
