"""The kubectl verbs, one module each, as in ``staging/src/k8s.io/kubectl/pkg/cmd``.

Adding a verb is adding a module that defines ``COMMAND`` and one line below.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command
from k8skit.kubectl.commands import (
    api_resources,
    apply,
    cluster_info,
    config,
    cordon,
    create_configmap,
    create_deployment,
    create_namespace,
    create_secret,
    delete,
    describe,
    drain,
    exec,
    expose,
    get,
    label,
    logs,
    rollout,
    run,
    scale,
    set_image,
    taint,
    top,
    version,
)

_COMMANDS = (
    get.COMMAND, describe.COMMAND, apply.APPLY, apply.CREATE, run.COMMAND, delete.COMMAND,
    logs.COMMAND, exec.COMMAND, label.LABEL, label.ANNOTATE, taint.COMMAND, cordon.CORDON,
    cordon.UNCORDON, top.COMMAND, api_resources.COMMAND, version.COMMAND,
    cluster_info.COMMAND, config.COMMAND,
    create_deployment.COMMAND, create_namespace.COMMAND, create_configmap.COMMAND,
    create_secret.COMMAND,
    *create_secret.SUBCOMMANDS.values(), scale.COMMAND, set_image.SET, set_image.COMMAND,
    rollout.ROLLOUT, *rollout.SUBCOMMANDS.values(), drain.COMMAND, expose.COMMAND,
)


def _names(command: Command) -> list[str]:
    """A command's name and its aliases (``create configmap`` is also ``create cm``)."""
    parent = command.name.rpartition(" ")[0]
    return [command.name, *(f"{parent} {alias}".strip() for alias in command.aliases)]


COMMANDS: dict[str, Command] = {name: command for command in _COMMANDS
                                 for name in _names(command)}
