"""``%kubectl`` and ``%%kubectl``: kubectl in a notebook cell, on the current cluster.

``%load_ext k8skit`` registers them. ``%kubectl get pods`` runs one command line;
``%%kubectl`` runs its first line (``apply -f -`` when the line is empty) with the cell's body
as standard input, so a cell can hold a manifest::

    %%kubectl
    apiVersion: v1
    kind: Pod
    ...

The text is printed as a terminal shows it, errors included, so a notebook reads like a
terminal session (and a saved notebook has no stderr stream that would differ between runs).
After every command the cluster settles: watch events and zero-delay work due at this instant
run, as they would while a real kubectl returns. The magics talk to
:func:`k8skit.cluster.current_cluster`, the cluster made (or ``select()``-ed) last.
IPython's ``{variable}`` expansion is turned off for them so jsonpath templates such as
``{.items[*].metadata.name}`` reach kubectl untouched.
"""

from __future__ import annotations

from IPython.core.magic import no_var_expand

DEFAULT_CELL_COMMAND = "apply -f -"


def _run(command: str, stdin: str | None = None) -> None:
    from k8skit.cluster import current_cluster

    try:
        cluster = current_cluster()
    except LookupError as error:
        print(f"error: {error}")
        return
    text = str(cluster.kubectl(command, stdin=stdin))
    if text:
        print(text)


@no_var_expand
def kubectl_line(line: str) -> None:
    """``%kubectl get pods -o wide``: run one kubectl command line."""
    _run(line)


@no_var_expand
def kubectl_cell(line: str, cell: str) -> None:
    """``%%kubectl [apply -f -]`` with a manifest as the cell's body."""
    _run(line.strip() or DEFAULT_CELL_COMMAND, stdin=cell)


def load_ipython_extension(ipython) -> None:
    ipython.register_magic_function(kubectl_line, "line", "kubectl")
    ipython.register_magic_function(kubectl_cell, "cell", "kubectl")
