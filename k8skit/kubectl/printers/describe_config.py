"""``kubectl describe`` for configuration and storage: ConfigMaps, Secrets, PersistentVolumes,
PersistentVolumeClaims, StorageClasses and Namespaces.

Source: ``staging/src/k8s.io/kubectl/pkg/describe/describe.go`` — ``describeConfigMap``,
``describeSecret``, ``describePersistentVolume``, ``describePersistentVolumeClaim``,
``describeStorageClass`` and ``describeNamespace``, field by field and in the same order.

Two of them are worth reading closely:

- a **Secret**'s values are never printed, only their sizes (``password:  11 bytes``); they
  are base64 in ``kubectl get -o yaml``, which is an encoding, not a protection;
- a **ConfigMap** prints every value in full, between ``key:`` / ``----`` and a blank line.

Go prints a map's keys in random order; these describers sort them, so that the same cluster
always describes the same way. Finalizers print as Go prints a list (``[a b]``, or ``[]``).
"""

from __future__ import annotations

import base64
import binascii

from k8skit.api.labels import format_labels
from k8skit.kubectl.printers.describe import (
    PrefixWriter,
    events_about,
    rfc1123z,
    write_annotations,
    write_events,
    write_multiline_map,
)
from k8skit.kubectl.printers.duration import age
from k8skit.kubectl.printers.tables import access_modes

SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token"
DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                             "storageclass.beta.kubernetes.io/is-default-class")


def _identity(w: PrefixWriter, meta: dict) -> None:
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))


def _finalizers(meta: dict) -> str:
    return "[" + " ".join(meta.get("finalizers") or []) + "]"


def _status(obj: dict, now: float) -> str:
    deleted = obj["metadata"].get("deletionTimestamp")
    if deleted:
        return f"Terminating (lasts {age(deleted, now)})"
    return (obj.get("status") or {}).get("phase", "")


# -- configuration -------------------------------------------------------------------------------
def describe_config_map(api, config_map: dict, now: float) -> str:
    """``describeConfigMap``: every value in full, binary values by size, then events."""
    w = PrefixWriter()
    _identity(w, config_map["metadata"])
    w.write(0, "\nData\n====\n")
    data = config_map.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{data[key]}\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = config_map.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {len(_decoded(binary[key]))} bytes\n")
    w.write(0, "\n")
    write_events(w, events_about(api, config_map), now)
    return w.text()


def describe_secret(api, secret: dict, now: float) -> str:
    """``describeSecret``: the type, and each value's size in bytes (a service account token
    is the one value shown)."""
    w = PrefixWriter()
    _identity(w, secret["metadata"])
    kind = secret.get("type", "Opaque")
    w.write(0, f"\nType:\t{kind}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        value = _decoded(data[key])
        if key == "token" and kind == SERVICE_ACCOUNT_TOKEN_TYPE:
            w.write(0, f"{key}:\t{value.decode('utf-8', 'replace')}\n")
        else:
            w.write(0, f"{key}:\t{len(value)} bytes\n")
    return w.text()


def _decoded(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return str(value).encode("utf-8")


# -- storage -------------------------------------------------------------------------------------
def _write_node_affinity(w: PrefixWriter, affinity: dict | None) -> None:
    """``printVolumeNodeAffinity``: the required node selector terms of a local volume."""
    w.write(0, "Node Affinity:\t")
    required = (affinity or {}).get("required")
    if not required:
        w.line("<none>")
        return
    w.line("")
    w.write(1, "Required Terms:\t")
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        w.write(2, f"Term {i}:\t")
        expressions = term.get("matchExpressions") or []
        if not expressions:
            w.line("<none>")
            continue
        for j, requirement in enumerate(expressions):
            if j:
                w.write(2, "\t")
            text = f"{requirement.get('key', '')} {str(requirement.get('operator', '')).lower()}"
            if requirement.get("values"):
                text += f" [{', '.join(requirement['values'])}]"
            w.write(0, text + "\n")


def _write_volume_source(w: PrefixWriter, spec: dict) -> None:
    """The ``Source:`` block for the volume types a simulated PV can have."""
    if "hostPath" in spec:
        source = spec["hostPath"] or {}
        path_type = source.get("type") if "type" in source else "<none>"
        w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                   f"    Path:\t{source.get('path', '')}\n"
                   f"    HostPathType:\t{path_type}\n")
    elif "local" in spec:
        w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a "
                   f"node)\n    Path:\t{(spec['local'] or {}).get('path', '')}\n")
    elif "nfs" in spec:
        source = spec["nfs"] or {}
        w.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"
                   f"    Server:\t{source.get('server', '')}\n"
                   f"    Path:\t{source.get('path', '')}\n"
                   f"    ReadOnly:\t{'true' if source.get('readOnly') else 'false'}\n")
    elif "csi" in spec:
        source = spec["csi"] or {}
        w.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n"
                   f"    Driver:\t{source.get('driver', '')}\n"
                   f"    FSType:\t{source.get('fsType', '')}\n"
                   f"    VolumeHandle:\t{source.get('volumeHandle', '')}\n"
                   f"    ReadOnly:\t{'true' if source.get('readOnly') else 'false'}\n")
        attributes = source.get("volumeAttributes") or {}
        w.write(2, "VolumeAttributes:\t")
        if not attributes:
            w.line("<none>")
        for i, key in enumerate(sorted(attributes)):
            if i:
                w.write(2, "\t")
            w.write(2, f"{key}={attributes[key]}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_persistent_volume(api, volume: dict, now: float) -> str:
    """``describePersistentVolume``: class, phase, claim, policy, size, source, events."""
    meta, spec = volume["metadata"], volume.get("spec") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(meta)}\n")
    w.write(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
    w.write(0, f"Status:\t{_status(volume, now)}\n")
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    w.write(0, f"Claim:\t{claim}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '0')}\n")
    _write_node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{(volume.get('status') or {}).get('message', '')}\n")
    w.write(0, "Source:\n")
    _write_volume_source(w, spec)
    write_events(w, events_about(api, volume), now)
    return w.text()


def pods_using_claim(api, claim: dict) -> list[str]:
    """``getPodsForPVC``: the names of the pods in the claim's namespace that mount it."""
    namespace, name = claim["metadata"].get("namespace", "default"), claim["metadata"]["name"]
    return sorted(
        pod["metadata"]["name"] for pod in api.list("Pod", namespace)
        if any((v.get("persistentVolumeClaim") or {}).get("claimName") == name
               for v in (pod.get("spec") or {}).get("volumes") or []))


def describe_persistent_volume_claim(api, claim: dict, now: float) -> str:
    """``describePersistentVolumeClaim``: class, phase, volume, size (once bound), the pods
    using it ("Used By"), conditions and events."""
    meta, spec = claim["metadata"], claim.get("spec") or {}
    status = claim.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
    w.write(0, f"Status:\t{_status(claim, now)}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(meta)}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = str((status.get("capacity") or {}).get("storage", "0"))
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    source = spec.get("dataSource")
    if source:
        w.write(0, "DataSource:\n")
        if source.get("apiGroup"):
            w.write(1, f"APIGroup:\t{source['apiGroup']}\n")
        w.write(1, f"Kind:\t{source.get('kind', '')}\n")
        w.write(1, f"Name:\t{source.get('name', '')}\n")
    users = pods_using_claim(api, claim)
    w.write(0, "Used By:\t")
    if not users:
        w.line("<none>")
    for i, pod in enumerate(users):
        w.write(0, ("\t" if i else "") + pod + "\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for cond in status["conditions"]:
            w.write(1, f"{cond.get('type', '')} \t{cond.get('status', '')} \t"
                       f"{rfc1123z(cond.get('lastProbeTime'))} \t"
                       f"{rfc1123z(cond.get('lastTransitionTime'))} \t"
                       f"{cond.get('reason', '')} \t{cond.get('message', '')}\n")
    write_events(w, events_about(api, claim), now)
    return w.text()


def describe_storage_class(api, storage_class: dict, now: float) -> str:
    """``describeStorageClass``: whether it is the default, its provisioner and settings."""
    meta = storage_class["metadata"]
    annotations = meta.get("annotations") or {}
    is_default = any(annotations.get(key) == "true" for key in DEFAULT_CLASS_ANNOTATIONS)
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if is_default else 'No'}\n")
    w.write(0, f"Annotations:\t{format_labels(annotations)}\n")
    w.write(0, f"Provisioner:\t{storage_class.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{format_labels(storage_class.get('parameters'))}\n")
    expansion = storage_class.get("allowVolumeExpansion")
    w.write(0, "AllowVolumeExpansion:\t"
               f"{'<unset>' if expansion is None else ('True' if expansion else 'False')}\n")
    options = storage_class.get("mountOptions") or []
    if not options:
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for option in options:
            w.write(1, f"{option}\n")
    if storage_class.get("reclaimPolicy"):
        w.write(0, f"ReclaimPolicy:\t{storage_class['reclaimPolicy']}\n")
    if storage_class.get("volumeBindingMode"):
        w.write(0, f"VolumeBindingMode:\t{storage_class['volumeBindingMode']}\n")
    topologies = storage_class.get("allowedTopologies")
    if topologies is not None:
        _write_allowed_topologies(w, topologies)
    write_events(w, events_about(api, storage_class), now)
    return w.text()


def _write_allowed_topologies(w: PrefixWriter, topologies: list[dict]) -> None:
    w.write(0, "AllowedTopologies:\t")
    if not topologies:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(topologies):
        w.write(1, f"Term {i}:\t")
        expressions = term.get("matchLabelExpressions") or []
        if not expressions:
            w.line("<none>")
        for j, requirement in enumerate(expressions):
            if j:
                w.write(1, "\t")
            text = f"{requirement.get('key', '')} in"
            if requirement.get("values"):
                text += f" [{', '.join(requirement['values'])}]"
            w.write(0, text + "\n")


# -- namespaces ----------------------------------------------------------------------------------
def describe_namespace(api, namespace: dict, now: float) -> str:
    """``describeNamespace``: labels, phase, conditions (while it is being deleted), then its
    quotas and limit ranges, which the simulated cluster never has."""
    meta = namespace["metadata"]
    status = namespace.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for cond in status["conditions"]:
            w.write(1, f"{cond.get('type', '')}\t{cond.get('status', '')}\t"
                       f"{rfc1123z(cond.get('lastTransitionTime'))}\t"
                       f"{cond.get('reason', '')}\t{cond.get('message', '')}\n")
    w.write(0, "\n")
    w.write(0, "No resource quota.\n")
    w.write(0, "\n")
    w.write(0, "No LimitRange resource.\n")
    return w.text()


DESCRIBERS = {
    "ConfigMap": describe_config_map,
    "Secret": describe_secret,
    "PersistentVolume": describe_persistent_volume,
    "PersistentVolumeClaim": describe_persistent_volume_claim,
    "StorageClass": describe_storage_class,
    "Namespace": describe_namespace,
}
