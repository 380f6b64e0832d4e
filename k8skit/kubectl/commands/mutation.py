"""What the workload verbs share: which objects they act on, ``--record``, subcommand help.

``kubectl scale``, ``set image`` and the ``rollout`` verbs name their objects the same way, as
upstream's resource builder reads them (``ResourceTypeOrNameArgs``): ``TYPE NAME...``,
``TYPE/NAME...``, ``-f FILE``, or a type with ``-l SELECTOR`` / ``--all``.

``--record`` (deprecated, still accepted by kubectl v1.33) writes the command line into the
object's ``kubernetes.io/change-cause`` annotation; a Deployment copies it to its new
ReplicaSet, and ``kubectl rollout history`` shows it in the CHANGE-CAUSE column.
"""

from __future__ import annotations

import re

from k8skit.api.errors import APIError
from k8skit.kubectl.command import Command, CommandError, Context, UsageError, targets_of
from k8skit.kubectl.commands.get import fetch
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.resources import targets_from_files

RECORD_FLAG = Flag("record", kind="bool", help="Record current kubectl command in the resource "
                   "annotation. If set to false, do not record the command. If set to true, "
                   "record the command. (deprecated)")
RECORD_DEPRECATION = "Flag --record has been deprecated, --record will be removed in the future"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"


def objects_named(ctx: Context, args: list[str], parsed: ParsedArgs,
                  whole_kind: bool = False) -> tuple[list[dict], list[APIError]]:
    """The live objects ``args`` (or ``-f``, ``-l``, ``--all``) name, and the errors met.

    A type without names needs ``-l`` or ``--all``, unless ``whole_kind`` (the rollout verbs:
    ``kubectl rollout restart deployment`` restarts every Deployment of the namespace).
    """
    filenames = parsed.values.get("filename") or []
    targets = targets_from_files(ctx, filenames) if filenames else targets_of(args)
    if not targets:
        raise UsageError("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                         "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    selector = parsed.values.get("selector") or ""
    if any(t.names is None for t in targets) and not (whole_kind or parsed.values.get("all")
                                                        or selector):
        raise CommandError("resource(s) were provided, but no name was specified")
    return fetch(ctx, targets, selector=selector)


def change_cause(command: Command, parsed: ParsedArgs) -> str:
    """The command line as ``--record`` stores it: the verb, the arguments, then every flag
    given as ``--name=value`` (cmdutil's ``Factory.Command``), e.g.
    ``kubectl set image deployment/web nginx=nginx:1.16.1 --record=true``."""
    def shown(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return ",".join(value) if isinstance(value, list) else str(value)

    flags = "".join(f" --{flag.name}={shown(parsed[flag.name])}"
                    for flag in command.flags if parsed.given(flag.name))
    args = "".join(f" {arg}" for arg in parsed.args)
    return f"kubectl {command.name}{args}{flags}"


def record_change_cause(ctx: Context, obj: dict, command: Command, parsed: ParsedArgs) -> None:
    """Write ``kubernetes.io/change-cause`` when ``--record`` was given (with its warning)."""
    if parsed.values.get("record"):
        annotations = obj["metadata"].setdefault("annotations", {})
        annotations[CHANGE_CAUSE_ANNOTATION] = change_cause(command, parsed)


def available_commands(subcommands: dict[str, Command]) -> str:
    """The ``Available Commands:`` part of a parent command's help, as cobra prints it."""
    width = max(len(name) for name in subcommands) + 4
    return "\nAvailable Commands:\n" + "".join(
        f"  {name.ljust(width)}{command.short.rstrip('.')}\n"
        for name, command in sorted(subcommands.items()))


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
                 "h": 3600.0}


def parse_duration(text: str, flag: str = "--timeout") -> float:
    """Go's ``time.ParseDuration`` in seconds: ``0``, ``30s``, ``5m``, ``1h30m``, ``250ms``."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0.0
    pos, total = 0, 0.0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None:
            raise CommandError(f'invalid argument "{text}" for "{flag}" flag: '
                               f'time: invalid duration "{text}"')
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not body:
        raise CommandError(f'invalid argument "{text}" for "{flag}" flag: '
                           f'time: invalid duration "{text}"')
    return -total if text.startswith("-") else total


def format_duration(seconds: float) -> str:
    """Go's ``Duration.String()`` for whole and fractional seconds: ``30s``, ``1m0s``,
    ``1h2m3s``, ``1.5s``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:g}s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{text}"
    return f"{int(minutes)}m{text}" if minutes else text
