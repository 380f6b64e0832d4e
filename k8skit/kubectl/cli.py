"""The ``kubectl`` command line: split it, find the verb, parse its flags, run it.

A command line is split like a shell splits it (``shlex``), so quotes work as in a terminal:
``kubectl get pods -o jsonpath='{.items[*].metadata.name}'``. A leading ``kubectl`` is
optional. Flags that every verb takes (``-n``/``--namespace``, ``-h``/``--help``) may stand
before or after the verb, as with cobra.

Nothing a learner types raises a Python exception: every mistake becomes kubectl's own text on
stderr with exit code 1, and an unexpected failure inside the simulator becomes one line that
says so (``error: internal error in the simulator: ...``) instead of a traceback.
"""

from __future__ import annotations

import shlex

from k8skit.api.errors import APIError
from k8skit.api.labels import SelectorError
from k8skit.api.manifests import ManifestError
from k8skit.kubectl.command import (
    Command,
    CommandError,
    Context,
    Exit,
    KubeConfig,
    UsageError,
    error_text,
)
from k8skit.kubectl.commands import COMMANDS
from k8skit.kubectl.flags import Flag, FlagError, parse
from k8skit.kubectl.result import KubectlResult

GLOBAL_FLAGS = (
    Flag("namespace", "n", help="If present, the namespace scope for this CLI request"),
    Flag("help", "h", "bool", help="help for the command"),
)
_TAKES_VALUE = {"-n", "--namespace"}

# cobra suggests a command when the typo is at most this many edits away
# (SuggestionsMinimumDistance).
SUGGESTION_DISTANCE = 2


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, as cobra's ``ld`` (case-insensitive)."""
    a, b = a.lower(), b.lower()
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _top_level() -> dict[str, Command]:
    """The verbs themselves, without subcommands such as ``rollout status``."""
    return {name: command for name, command in COMMANDS.items() if " " not in name}


def suggestions(typed: str) -> list[str]:
    """Verbs close to ``typed`` (``SuggestionsFor``): few edits away, or starting with it."""
    return [name for name in sorted(_top_level())
            if _distance(typed, name) <= SUGGESTION_DISTANCE
            or name.lower().startswith(typed.lower())]


def root_help() -> str:
    verbs = _top_level()
    width = max(len(name) for name in verbs) + 2
    lines = [f"  {name.ljust(width)}{command.short}" for name, command in sorted(verbs.items())]
    return ("kubectl controls the Kubernetes cluster manager (here: the simulated cluster).\n\n"
            "Commands:\n" + "\n".join(lines) + "\n\nUsage:\n  kubectl [flags] [options]\n\n"
            "Use \"kubectl <command> --help\" for more information about a given command.\n")


def _split_verb(tokens: list[str]) -> tuple[str | None, list[str]]:
    """The verb and the other tokens; flags (and -n's value) may come before the verb."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            return token, tokens[:i] + tokens[i + 1:]
        i += 2 if token in _TAKES_VALUE else 1
    return None, tokens


class Kubectl:
    """kubectl bound to one API server: ``Kubectl(api).run("get pods")``."""

    def __init__(self, api) -> None:
        self.api = api
        self.config = KubeConfig()

    def run(self, command: str, stdin: str | None = None) -> KubectlResult:
        """Run one command line; never raises for a user's mistake (see ``returncode``)."""
        ctx = Context(self.api, self.config, namespace=self.config.namespace or "default",
                      stdin=stdin)
        try:
            code = self._run(ctx, command)
        except Exit as stop:
            code = stop.code
        except UsageError as error:
            ctx.err.write(f"error: {error.message}\nSee '{ctx.command_path} -h' for help and "
                          "examples\n")
            code = error.code
        except (CommandError, APIError, ManifestError) as error:
            ctx.err.write(error_text(error) + "\n")
            code = error.code if isinstance(error, CommandError) else 1
        except SelectorError as error:
            ctx.err.write(f"error: {error}\n")
            code = 1
        except Exception as error:  # noqa: BLE001 - a learner must never see a traceback
            message = str(error).splitlines()[0] if str(error) else ""
            ctx.err.write(f"error: internal error in the simulator: {type(error).__name__}"
                          f"{': ' + message if message else ''}\n")
            code = 1
        return KubectlResult(ctx.out.getvalue(), ctx.err.getvalue(), code,
                             "".join(ctx.terminal))

    def _run(self, ctx: Context, command: str) -> int:
        try:
            tokens = shlex.split(command)
        except ValueError as error:
            raise CommandError(f"cannot split the command line: {error}") from None
        if tokens and tokens[0] == "kubectl":
            tokens = tokens[1:]
        verb, rest = _split_verb(tokens)
        if verb is None:
            if tokens and not {"-h", "--help"} & set(tokens):
                parse(tokens, list(GLOBAL_FLAGS))  # reports an unknown flag like kubectl
            ctx.out.write(root_help())
            return 0
        if verb not in COMMANDS:
            message = f'unknown command "{verb}" for "kubectl"'
            close = suggestions(verb)
            if close:
                message += "\n\nDid you mean this?\n" + "".join(f"\t{s}\n" for s in close)
                message = message.rstrip("\n")
            raise CommandError(message)
        # Subcommands (`create deployment`, `rollout status`, `create secret generic`) are
        # commands of their own, as in cobra's command tree.
        while rest and not rest[0].startswith("-") and f"{verb} {rest[0]}" in COMMANDS:
            verb, rest = f"{verb} {rest[0]}", rest[1:]
        cmd = COMMANDS[verb]
        ctx.command_path = f"kubectl {verb}"
        try:
            parsed = parse(rest, [*cmd.flags, *GLOBAL_FLAGS])
        except FlagError as error:
            ctx.err.write(f"error: {error}\nSee 'kubectl {verb} --help' for usage.\n")
            return 1
        if parsed["help"]:
            ctx.out.write(cmd.help())
            return 0
        if parsed["namespace"]:
            ctx.namespace = parsed["namespace"]
            ctx.explicit_namespace = True
        cmd.run(ctx, parsed)
        return 0
