"""``kubectl describe`` for Deployments and ReplicaSets.

Source: ``staging/src/k8s.io/kubectl/pkg/describe/describe.go`` — ``describeDeployment``,
``describeReplicaSet`` and the shared ``DescribePodTemplate``. Field order, labels and
indentation follow those functions; the building blocks (labels, annotations, containers,
volumes, tolerations, events) are the pod describer's, from
:mod:`k8skit.kubectl.printers.describe`.

A Deployment's description ends with its ReplicaSets, which is how to read where a rollout
stands::

    OldReplicaSets:  web-7d4b9c (2/2 replicas created)
    NewReplicaSet:   web-5f6d8b (2/2 replicas created)

Old ReplicaSets scaled to zero are left out, as upstream lists only those with replicas.
"""

from __future__ import annotations

from k8skit.api.labels import Selector, format_label_selector
from k8skit.api.meta import controller_of
from k8skit.control_plane.controllers import deployment_util as util
from k8skit.control_plane.controllers.controller_utils import replicas_of
from k8skit.kubectl.printers.describe import (
    PrefixWriter,
    _write_containers,
    _write_volumes,
    events_about,
    rfc1123z,
    write_annotations,
    write_events,
    write_multiline_map,
    write_tolerations,
)


class _TemplateWriter:
    """What ``describeContainers`` and ``describeVolumes`` do with their ``space`` argument
    inside a pod template: section titles (level 0) get two more spaces and each container or
    volume name (level 1) one more; deeper lines are unchanged."""

    def __init__(self, w: PrefixWriter) -> None:
        self.w = w

    def write(self, level: int, text: str) -> None:
        prefix = {0: "  ", 1: " "}.get(level, "")
        self.w.write(level, prefix + text)

    def line(self, text: str = "") -> None:
        self.w.line(text)


def write_pod_template(w: PrefixWriter, template: dict | None) -> None:
    """``DescribePodTemplate``: the template's labels, containers, volumes and placement,
    indented under ``Pod Template:``."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    write_multiline_map(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        w.write(0, "  ")  # the describers' titles start the line: this indents "Annotations:"
        write_annotations(w, meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    nested = _TemplateWriter(w)
    if spec.get("initContainers"):
        _write_containers(nested, template, "Init Containers", spec["initContainers"], [])
    _write_containers(nested, template, "Containers", spec.get("containers") or [], [])
    _write_volumes(nested, spec.get("volumes") or [])
    _write_topology_spread_constraints(w, spec.get("topologySpreadConstraints") or [])
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    write_multiline_map(w, "  Node-Selectors", spec.get("nodeSelector"))
    w.write(0, "  ")
    write_tolerations(w, spec.get("tolerations"))


def _write_topology_spread_constraints(w: PrefixWriter, constraints: list[dict]) -> None:
    """``describeTopologySpreadConstraints``: ``zone:DoNotSchedule when max skew 1 is
    exceeded for selector app=web``, one per line, sorted by topology key."""
    if not constraints:
        return
    w.write(0, "  Topology Spread Constraints:\t")
    for i, tsc in enumerate(sorted(constraints, key=lambda c: c.get("topologyKey", ""))):
        if i:
            w.write(0, "  \t")
        text = (f"{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')}"
                f" when max skew {tsc.get('maxSkew', 0)} is exceeded")
        if tsc.get("labelSelector") is not None:
            text += f" for selector {format_label_selector(tsc['labelSelector'])}"
        w.write(0, text + "\n")


def _write_conditions(w: PrefixWriter, conditions: list[dict]) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(1, "----\t------\t------\n")
    for cond in conditions:
        w.write(1, f"{cond['type']} \t{cond['status']}\t{cond.get('reason', '')}\n")


def _replica_sets_line(replica_sets: list[dict]) -> str:
    """``printReplicaSetsByLabels``: ``name (current/desired replicas created)``."""
    shown = [f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
             f"{replicas_of(rs)} replicas created)" for rs in replica_sets]
    return ", ".join(shown) or "<none>"


def describe_deployment(api, deployment: dict, now: float) -> str:
    """``describeDeployment``."""
    meta, spec = deployment["metadata"], deployment["spec"]
    status = deployment.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    w.write(0, f"Selector:\t{Selector.from_label_selector(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{replicas_of(deployment)} desired | "
               f"{status.get('updatedReplicas', 0)} updated | {status.get('replicas', 0)} total | "
               f"{status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strategy.get("rollingUpdate") is not None:
        rolling = strategy["rollingUpdate"]
        w.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', 0)} max unavailable, "
                   f"{rolling.get('maxSurge', 0)} max surge\n")
    write_pod_template(w, spec.get("template"))
    _write_conditions(w, status.get("conditions") or [])
    owned = util.owned_replica_sets(
        deployment, api.list("ReplicaSet", namespace=meta.get("namespace", "default")))
    new_rs = util.find_new_replica_set(deployment, owned)
    old_rss = [rs for rs in util.find_old_replica_sets(deployment, owned, new_rs)
               if replicas_of(rs) != 0]
    if old_rss or new_rs is not None:
        w.write(0, f"OldReplicaSets:\t{_replica_sets_line(old_rss)}\n")
        w.write(0, f"NewReplicaSet:\t{_replica_sets_line([new_rs] if new_rs else [])}\n")
    write_events(w, events_about(api, deployment), now)
    return w.text()


def describe_replica_set(api, rs: dict, now: float) -> str:
    """``describeReplicaSet``: with how many of its pods are Running, Waiting (Pending),
    Succeeded and Failed."""
    meta, spec = rs["metadata"], rs["spec"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    owner = controller_of(rs)
    if owner is not None:
        w.write(0, f"Controlled By:\t{owner['kind']}/{owner['name']}\n")
    w.write(0, f"Replicas:\t{(rs.get('status') or {}).get('replicas', 0)} current / "
               f"{replicas_of(rs)} desired\n")
    phases = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    selector = Selector.from_label_selector(spec.get("selector"))
    for pod in api.list("Pod", namespace=meta.get("namespace", "default")):
        ref = controller_of(pod)
        if ref is None or ref.get("uid") != meta.get("uid") \
                or not selector.matches(pod["metadata"].get("labels")):
            continue
        phase = (pod.get("status") or {}).get("phase")
        if phase in phases:
            phases[phase] += 1
    w.write(0, f"Pods Status:\t{phases['Running']} Running / {phases['Pending']} Waiting / "
               f"{phases['Succeeded']} Succeeded / {phases['Failed']} Failed\n")
    write_pod_template(w, spec.get("template"))
    _write_conditions(w, (rs.get("status") or {}).get("conditions") or [])
    write_events(w, events_about(api, rs), now)
    return w.text()
