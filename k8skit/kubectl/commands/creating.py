"""What the verbs that create an object share: ``kubectl create ...``, ``run`` and ``expose``.

- ``--dry-run``: ``none`` sends the object, ``client`` only prints what would be sent, and
  ``server`` asks the API server to check it without storing it. The simulated API server has
  no dry-run mode, so ``server`` prints what the client built, as ``client`` does.
- The line printed afterwards: the object for ``-o``, else ``deployment.apps/web created``,
  marked ``(dry run)`` or ``(server dry run)`` (``PrintFlagsWithDryRunStrategy`` in
  staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go).
- The API server's refusal, worded as Go's ``err.Error()`` once kubectl has wrapped it.
"""

from __future__ import annotations

from k8skit.api.errors import APIError, Invalid
from k8skit.kubectl.command import CommandError, Context
from k8skit.kubectl.commands.get import print_objects

_DRY_RUN_MARKS = {"client": " (dry run)", "server": " (server dry run)"}


def check_dry_run(value: str) -> str:
    """The ``--dry-run`` strategy: ``none``, ``client`` or ``server`` (``GetDryRunStrategy``)."""
    if value not in ("", "none", "client", "server"):
        raise CommandError(f'Invalid dry-run value ({value}). Must be "none", "server", or '
                           '"client".')
    return value or "none"


def is_dry_run(strategy: str) -> bool:
    return strategy in _DRY_RUN_MARKS


def print_created(ctx: Context, obj: dict, output: str, dry_run: str, resource: str,
                  verb: str = "created") -> None:
    """What kubectl prints once ``obj`` is created (or would be): the object in the ``-o``
    format, else ``RESOURCE VERB`` with the dry-run mark, ``pod/web created (dry run)``."""
    if output:
        print_objects(ctx, [obj], output, single=True)
    else:
        ctx.print(f"{resource} {verb}{_DRY_RUN_MARKS.get(dry_run, '')}")


def server_message(error: APIError) -> str:
    """An API error as Go's ``err.Error()`` words it once kubectl has wrapped it."""
    if isinstance(error, Invalid):
        causes = [str(cause) for cause in error.causes]
        listed = causes[0] if len(causes) == 1 else "[" + ", ".join(causes) + "]"
        kind = error.kind
        qualified = f"{kind.kind}.{kind.group}" if kind.group else kind.kind
        return f'{qualified} "{error.name}" is invalid: {listed}'
    return error.message
