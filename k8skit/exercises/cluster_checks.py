"""What the chapters' checks share to judge an answer by what it does in a simulated cluster.

A check never reads the text of a learner's manifest: it applies the manifest to a fresh
cluster, as ``kubectl apply -f -`` would, lets the clock run, and reads the result back through
the API, the way ``kubectl get`` shows it. The pieces every chapter needs for that live here:

- ``scratch_cluster``: a fresh cluster that leaves the learner's ``%kubectl`` target alone;
- ``manifest_text`` and ``apply_answer``: a manifest answer (YAML text or a file's path) and
  kubectl's own words when it refuses it;
- ``pods_of``, ``ready_pods`` and ``statuses``: an app's pods, and what ``kubectl get pods``
  says of them;
- ``rolled_out``: the condition ``kubectl rollout status`` waits for.
"""

from __future__ import annotations

from pathlib import Path

from k8skit.cluster import Cluster, current_cluster
from k8skit.control_plane.controllers.controller_utils import is_pod_ready
from k8skit.exercises.core import AnswerError, Verdict, not_yet
from k8skit.kubectl.printers.tables import pod_summary


def scratch_cluster(nodes: int = 3, seed: int = 0) -> Cluster:
    """A fresh cluster for a check to run an answer in (workers of 4 CPUs and 8 GiB).

    Creating a cluster makes it the one ``%kubectl`` talks to; a check must not take the
    learner's cluster away from their magics, so the learner's cluster is selected again.
    """
    try:
        learners = current_cluster()
    except LookupError:
        learners = None
    cluster = Cluster(nodes=nodes, cpu="4", memory="8Gi", seed=seed)
    if learners is not None:
        learners.select()
    return cluster


def manifest_text(answer) -> str:
    """The YAML of an answer given as text, or as the path of a ``.yaml``/``.yml`` file."""
    if isinstance(answer, Path) or (
        isinstance(answer, str) and "\n" not in answer.strip()
        and answer.strip().endswith((".yaml", ".yml"))
    ):
        path = Path(answer).expanduser()
        if not path.is_file():
            raise AnswerError(f"there is no file {str(path)!r} (relative paths start from the "
                              "notebook's folder)")
        return path.read_text()
    if not isinstance(answer, str) or not answer.strip():
        raise AnswerError(f"expected YAML text (a string) or the path of a .yaml file, got "
                          f"{answer!r}")
    return answer


def apply_answer(cluster: Cluster, answer) -> Verdict | None:
    """``kubectl apply -f -`` a manifest answer in ``cluster``.

    None once it is applied; if kubectl refused it, the verdict that quotes kubectl's error,
    since that is the message the learner would get from ``kubectl apply`` too.
    """
    result = cluster.kubectl("apply -f -", stdin=manifest_text(answer))
    if result.returncode == 0:
        return None
    refusal = result.stderr.strip() or f"kubectl apply exited with {result.returncode}"
    return not_yet(f"kubectl apply refused it: {refusal}")


def pods_of(cluster: Cluster, labels: dict) -> list[dict]:
    """The default namespace's pods carrying all of ``labels``, not being deleted."""
    return [pod for pod in cluster.api.list("Pod", "default", label_selector=labels)
            if not pod["metadata"].get("deletionTimestamp")]


def ready_pods(cluster: Cluster, labels: dict) -> list[dict]:
    """Those of ``pods_of`` whose Ready condition is True: the ones a Service sends traffic to."""
    return [pod for pod in pods_of(cluster, labels) if is_pod_ready(pod)]


def statuses(pods: list[dict]) -> str:
    """What ``kubectl get pods`` shows in STATUS, counted: ``2 Running, 1 Pending``."""
    counts: dict[str, int] = {}
    for pod in pods:
        status = pod_summary(pod).reason
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no pods"


def rolled_out(deployment: dict) -> bool:
    """Every replica runs the current template and is available.

    The condition ``kubectl rollout status`` waits for (DeploymentStatusViewer in
    staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go): the controller has
    seen the latest spec (observedGeneration), and updated, total and available replicas all
    equal the replicas asked for, so no old pod is left.
    """
    wanted = deployment["spec"].get("replicas", 1)
    status = deployment.get("status") or {}
    return (status.get("observedGeneration", 0) >= deployment["metadata"].get("generation", 1)
            and status.get("updatedReplicas", 0) == wanted
            and status.get("replicas", 0) == wanted
            and status.get("availableReplicas", 0) == wanted)
