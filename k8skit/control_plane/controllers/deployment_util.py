"""Deployment arithmetic and bookkeeping, shared by the Deployment controller and kubectl.

Source: ``pkg/controller/deployment/util/deployment_util.go`` (revisions, annotations, surge and
unavailability, conditions, completeness) and ``pkg/controller/controller_utils.go``
(``ComputeHash``). ``kubectl rollout`` reads the same annotations to print history and to roll
back (``staging/src/k8s.io/kubectl/pkg/polymorphichelpers``), so both sides import this module.

The pod-template-hash
---------------------
A Deployment names each ReplicaSet ``<deployment>-<hash of its pod template>`` and labels the
ReplicaSet's pods ``pod-template-hash=<hash>``, so that the ReplicaSets of different templates
select disjoint pods. Upstream hashes the template with FNV-32a over Go's ``spew`` dump of the
struct and prints the 32-bit sum in decimal through ``rand.SafeEncodeString``, which maps each
digit to one of ``bcdf456789`` (no vowels, so no words). The simulator hashes a canonical JSON
rendering of the template instead of Go's dump: the hash has the same shape and the same
properties (same template, same name; any change, a new name) but not the same value as a real
cluster would compute for the same manifest.
"""

from __future__ import annotations

import math

from k8skit.api.meta import canonical_json, controller_of, seconds_of, timestamp
from k8skit.control_plane.controllers.controller_utils import by_creation, replicas_of

DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = "pod-template-hash"

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to"

# Annotations that belong to the Deployment or the ReplicaSet itself and are never copied from
# one to the other (annotationsToSkip).
ANNOTATIONS_TO_SKIP = frozenset({
    LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO,
})

# The revision-history annotation keeps at most this many characters (maxRevHistoryLengthInChars).
MAX_REVISION_HISTORY_LENGTH = 2000

# Condition reasons (deployment_util.go).
REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
NEW_REPLICA_SET_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
PAUSED_DEPLOY_REASON = "DeploymentPaused"
RESUMED_DEPLOY_REASON = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193
_MAX_INT32 = 2**31 - 1


# -- the template hash ---------------------------------------------------------------------------
def fnv32a(data: bytes) -> int:
    value = _FNV32_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``: each character mapped into the vowel-free alphabet."""
    return "".join(_SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)] for ch in text)


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """The pod-template-hash of a template (controller.ComputeHash); see the module docstring.

    A ``collisionCount`` (bumped by the controller when the name is taken by a ReplicaSet with a
    different template) is mixed in as upstream does, as 8 little-endian bytes.
    """
    data = canonical_json(template).encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + bytes(4)
    return safe_encode(str(fnv32a(data)))


def template_without_hash(template: dict) -> dict:
    """A pod template without the pod-template-hash label (the rest shared, not copied)."""
    meta = template.get("metadata") or {}
    labels = {k: v for k, v in (meta.get("labels") or {}).items()
              if k != DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY}
    meta = {k: v for k, v in meta.items() if k != "labels"}
    if labels:
        meta["labels"] = labels
    return {**template, "metadata": meta}


def equal_ignore_hash(template1: dict, template2: dict) -> bool:
    """Two pod templates equal apart from the pod-template-hash label (EqualIgnoreHash)."""
    return template_without_hash(template1) == template_without_hash(template2)


# -- int-or-percent fields -------------------------------------------------------------------------
def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: ``2`` -> 2, ``"25%"`` of 3 -> 1 (up) or 0."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%"):
        raise ValueError(f"invalid type: string is not a percentage: {text!r}")
    exact = int(text[:-1]) * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def is_rolling_update(deployment: dict) -> bool:
    strategy = deployment["spec"].get("strategy") or {}
    return strategy.get("type", "RollingUpdate") == "RollingUpdate"


def _rolling(deployment: dict) -> dict:
    return (deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}


def resolve_fenceposts(max_surge: int | str | None, max_unavailable: int | str | None,
                       desired: int) -> tuple[int, int]:
    """Absolute surge (rounded up) and unavailability (rounded down); never both zero."""
    surge = scaled_value(max_surge, desired, True)
    unavailable = scaled_value(max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(deployment: dict) -> int:
    if not is_rolling_update(deployment):
        return 0
    rolling = _rolling(deployment)
    surge, _ = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"),
                                  replicas_of(deployment))
    return surge


def max_unavailable(deployment: dict) -> int:
    replicas = replicas_of(deployment)
    if not is_rolling_update(deployment) or replicas == 0:
        return 0
    rolling = _rolling(deployment)
    _, unavailable = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"),
                                        replicas)
    return min(unavailable, replicas)


# -- revisions and annotations ---------------------------------------------------------------------
def annotations_of(obj: dict) -> dict:
    return obj["metadata"].get("annotations") or {}


def revision(obj: dict) -> int:
    """The ``deployment.kubernetes.io/revision`` of a ReplicaSet or Deployment (0 if unset)."""
    try:
        return int(annotations_of(obj).get(REVISION_ANNOTATION, "0"))
    except ValueError:
        return 0


def max_revision(replica_sets: list[dict]) -> int:
    return max((revision(rs) for rs in replica_sets), default=0)


def set_deployment_revision(deployment: dict, value: str) -> bool:
    annotations = deployment["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION_ANNOTATION) == value:
        return False
    annotations[REVISION_ANNOTATION] = value
    return True


def _copy_deployment_annotations(deployment: dict, rs: dict) -> bool:
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in annotations_of(deployment).items():
        if key in ANNOTATIONS_TO_SKIP or annotations.get(key) == value:
            continue
        annotations[key] = value
        changed = True
    return changed


def set_replicas_annotations(rs: dict, desired: int, maximum: int) -> bool:
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in ((DESIRED_REPLICAS_ANNOTATION, str(desired)),
                       (MAX_REPLICAS_ANNOTATION, str(maximum))):
        if annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: dict, desired: int, maximum: int) -> bool:
    annotations = annotations_of(rs)
    return (annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired)
            or annotations.get(MAX_REPLICAS_ANNOTATION) != str(maximum))


def set_new_replica_set_annotations(deployment: dict, rs: dict, new_revision: str,
                                    exists: bool) -> bool:
    """Copy the Deployment's annotations to its new ReplicaSet and raise the RS's revision.

    When an RS that already had a revision gets a newer one (a rollback to it), the old number
    is appended to ``deployment.kubernetes.io/revision-history``
    (SetNewReplicaSetAnnotations).
    """
    changed = _copy_deployment_annotations(deployment, rs)
    annotations = rs["metadata"].setdefault("annotations", {})
    old_text = annotations.get(REVISION_ANNOTATION)
    try:
        old = int(old_text) if old_text else 0
    except ValueError:
        return False
    new = int(new_revision)
    if old < new:
        annotations[REVISION_ANNOTATION] = new_revision
        changed = True
        if old_text is not None:
            _append_revision_history(annotations, old_text)
    if not exists and set_replicas_annotations(
            rs, replicas_of(deployment), replicas_of(deployment) + max_surge(deployment)):
        changed = True
    return changed


def _append_revision_history(annotations: dict, old_revision: str) -> None:
    history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
    if not history:
        annotations[REVISION_HISTORY_ANNOTATION] = old_revision
        return
    revisions = history.split(",")
    total = len(history) + len(old_revision) + 1
    start = 0
    while total > MAX_REVISION_HISTORY_LENGTH and start < len(revisions):
        total -= len(revisions[start]) + 1
        start += 1
    if total <= MAX_REVISION_HISTORY_LENGTH:
        annotations[REVISION_HISTORY_ANNOTATION] = ",".join([*revisions[start:], old_revision])


def desired_replicas_annotation(rs: dict) -> int | None:
    return _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)


def _int_annotation(rs: dict, key: str) -> int | None:
    try:
        return int(annotations_of(rs)[key])
    except (KeyError, ValueError):
        return None


def get_proportion(rs: dict | None, deployment: dict, to_add: int, added: int) -> int:
    """How many of ``to_add`` replicas this RS should take when the Deployment is resized in
    the middle of a rollout (GetProportion): its share of the old size, rounded."""
    if rs is None or replicas_of(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _replica_set_fraction(rs, deployment)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _replica_set_fraction(rs: dict, deployment: dict) -> int:
    if replicas_of(deployment) == 0:
        return -replicas_of(rs)
    deployment_replicas = replicas_of(deployment) + max_surge(deployment)
    annotated = _int_annotation(rs, MAX_REPLICAS_ANNOTATION)
    if annotated is None:
        annotated = deployment.get("status", {}).get("replicas", 0)
    if not annotated:
        return 0
    size = replicas_of(rs) * deployment_replicas / annotated
    # integer.RoundToInt32 rounds half away from zero.
    return int(math.floor(size + 0.5)) - replicas_of(rs)


# -- finding the new and the old ReplicaSets
def owned_replica_sets(deployment: dict, replica_sets: list[dict]) -> list[dict]:
    """The ReplicaSets controlled by this Deployment (ListReplicaSets)."""
    uid = deployment["metadata"]["uid"]
    return [rs for rs in replica_sets if (controller_of(rs) or {}).get("uid") == uid]


def find_new_replica_set(deployment: dict, replica_sets: list[dict]) -> dict | None:
    """The oldest ReplicaSet whose template equals the Deployment's (FindNewReplicaSet)."""
    template = template_without_hash(deployment["spec"]["template"])
    for rs in sorted(replica_sets, key=by_creation):
        if template_without_hash(rs["spec"]["template"]) == template:  # EqualIgnoreHash
            return rs
    return None


def find_old_replica_sets(deployment: dict, replica_sets: list[dict],
                          new_rs: dict | None = None) -> list[dict]:
    """Every owned ReplicaSet except the new one (FindOldReplicaSets' ``allOldRSs``)."""
    new_rs = new_rs if new_rs is not None else find_new_replica_set(deployment, replica_sets)
    new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
    return [rs for rs in replica_sets if rs["metadata"]["uid"] != new_uid]


def replica_count(replica_sets: list[dict | None]) -> int:
    """Sum of ``spec.replicas`` (GetReplicaCountForReplicaSets)."""
    return sum(replicas_of(rs) for rs in replica_sets if rs is not None)


def status_count(replica_sets: list[dict | None], field: str) -> int:
    """Sum of one status counter: ``replicas``, ``readyReplicas``, ``availableReplicas``."""
    return sum((rs.get("status") or {}).get(field, 0) for rs in replica_sets if rs is not None)


def new_rs_new_replicas(deployment: dict, all_rss: list[dict], new_rs: dict) -> int:
    """How far the new ReplicaSet may grow now (NewRSNewReplicas): up to ``replicas +
    maxSurge`` pods in total for RollingUpdate; at once to ``replicas`` for Recreate."""
    if not is_rolling_update(deployment):
        return replicas_of(deployment)
    surge = scaled_value(_rolling(deployment).get("maxSurge"), replicas_of(deployment), True)
    current = replica_count(all_rss)
    max_total = replicas_of(deployment) + surge
    if current >= max_total:
        return replicas_of(new_rs)
    scale_up = min(max_total - current, replicas_of(deployment) - replicas_of(new_rs))
    return replicas_of(new_rs) + scale_up


def is_saturated(deployment: dict, rs: dict | None) -> bool:
    """The new RS runs the full count, all available (IsSaturated)."""
    if rs is None:
        return False
    desired = desired_replicas_annotation(rs)
    replicas = replicas_of(deployment)
    return (desired is not None and replicas_of(rs) == replicas and desired == replicas
            and (rs.get("status") or {}).get("availableReplicas", 0) == replicas)


def find_active_or_latest(new_rs: dict | None, old_rss: list[dict]) -> dict | None:
    """The only RS with replicas, or the newest when none has any (FindActiveOrLatest)."""
    if new_rs is None and not old_rss:
        return None
    newest_first = sorted(old_rss, key=by_creation, reverse=True)
    active = [rs for rs in [*newest_first, new_rs] if rs is not None and replicas_of(rs) > 0]
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    return active[0] if len(active) == 1 else None


# -- conditions
def new_condition(type_: str, status: str, reason: str, message: str, now: float) -> dict:
    """A Deployment condition: it carries lastUpdateTime as well as lastTransitionTime."""
    ts = timestamp(now)
    return {"type": type_, "status": status, "lastUpdateTime": ts, "lastTransitionTime": ts,
            "reason": reason, "message": message}


def get_condition(status: dict, type_: str) -> dict | None:
    for cond in status.get("conditions") or ():
        if cond["type"] == type_:
            return cond
    return None


def set_condition(status: dict, condition: dict) -> None:
    """SetDeploymentCondition: no-op when status and reason are unchanged; keeps the transition
    time when only the reason changes; the condition moves to the end of the list."""
    current = get_condition(status, condition["type"])
    if current is not None and current["status"] == condition["status"] \
            and current.get("reason") == condition.get("reason"):
        return
    if current is not None and current["status"] == condition["status"]:
        condition = {**condition, "lastTransitionTime": current["lastTransitionTime"]}
    remove_condition(status, condition["type"])
    status.setdefault("conditions", []).append(condition)


def remove_condition(status: dict, type_: str) -> None:
    kept = [c for c in status.get("conditions") or () if c["type"] != type_]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


# -- progress
def has_progress_deadline(deployment: dict) -> bool:
    deadline = deployment["spec"].get("progressDeadlineSeconds")
    return deadline is not None and deadline != _MAX_INT32


def has_revision_history_limit(deployment: dict) -> bool:
    limit = deployment["spec"].get("revisionHistoryLimit")
    return limit is not None and limit != _MAX_INT32


def deployment_complete(deployment: dict, status: dict) -> bool:
    """Every replica updated and available, and the controller saw the latest spec."""
    replicas = replicas_of(deployment)
    return (status.get("updatedReplicas", 0) == replicas
            and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) == replicas
            and status.get("observedGeneration", 0) >= deployment["metadata"].get("generation", 1))


def deployment_progressing(deployment: dict, new_status: dict) -> bool:
    """More updated, ready or available pods, or fewer old ones, than the last status said."""
    old = deployment.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = new_status.get("replicas", 0) - new_status.get("updatedReplicas", 0)
    return (new_status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
            or new_old < old_old
            or new_status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or new_status.get("availableReplicas", 0) > old.get("availableReplicas", 0))


def progress_deadline_passes_at(deployment: dict, status: dict) -> float | None:
    """When the Progressing condition's lastUpdateTime + progressDeadlineSeconds falls."""
    condition = get_condition(status, "Progressing")
    if not has_progress_deadline(deployment) or condition is None:
        return None
    return (seconds_of(condition["lastUpdateTime"])
            + deployment["spec"]["progressDeadlineSeconds"])


def deployment_timed_out(deployment: dict, status: dict, now: float) -> bool:
    """No progress for longer than progressDeadlineSeconds (DeploymentTimedOut)."""
    condition = get_condition(status, "Progressing")
    if not has_progress_deadline(deployment) or condition is None:
        return False
    if condition.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if condition.get("reason") == TIMED_OUT_REASON:
        return True
    return progress_deadline_passes_at(deployment, status) < now
