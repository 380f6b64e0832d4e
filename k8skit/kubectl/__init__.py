"""kubectl for the simulated cluster: the command line, its verbs and its printers.

``Kubectl(api).run("get pods -o wide")`` returns a :class:`KubectlResult` with the text a real
kubectl would print; :func:`apply_manifests` is ``kubectl apply -f`` for Python callers.
Layout, as upstream's ``staging/src/k8s.io/kubectl``: :mod:`.cli` (parsing and dispatch),
:mod:`.commands` (one module per verb) and :mod:`.printers` (tables, describe, YAML/JSON).
"""

from k8skit.kubectl.cli import Kubectl
from k8skit.kubectl.commands.apply import apply_manifests
from k8skit.kubectl.result import KubectlResult

__all__ = ["Kubectl", "KubectlResult", "apply_manifests"]
