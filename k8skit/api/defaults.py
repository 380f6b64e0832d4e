"""Defaulting: the values the API server fills in before it validates and stores an object.

A learner writes a ten-line Deployment; ``kubectl get deployment web -o yaml`` shows forty lines.
The difference is defaulting. Every default here is one a real API server applies, from one of
three places, each named in the function that applies it:

- the defaulting functions of the API types, ``pkg/apis/core/v1/defaults.go``,
  ``pkg/apis/apps/v1/defaults.go``, ``pkg/apis/storage/v1/defaults.go`` and
  ``pkg/apis/discovery/v1/defaults.go``;
- the admission plugins every pod passes (``plugin/pkg/admission/serviceaccount``,
  ``plugin/pkg/admission/priority``,
  ``plugin/pkg/admission/defaulttolerationseconds``);
- the registry strategies that prepare a new object (``pkg/registry/core/pod/strategy.go``,
  ``pkg/registry/core/namespace/strategy.go``, ``pkg/registry/core/service/storage``).

:func:`apply_defaults` is idempotent: applying it to a stored object changes nothing, so the
API server may run it on every create and update.

What a real cluster adds that the simulator does not: the projected ``kube-api-access-xxxxx``
service-account token volume and its mounts, cluster IPs and node ports (allocated by the
API server's allocators, not by defaulting), and ``managedFields``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator

from k8skit.api import schema
from k8skit.api.qos import qos_class

DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
DEFAULT_SCHEDULER_NAME = "default-scheduler"
DEFAULT_SERVICE_ACCOUNT_NAME = "default"
DEFAULT_TOLERATION_SECONDS = 300
DEFAULT_FILE_MODE = 0o644  # 420: ConfigMap, Secret, downward API and projected volumes
DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800  # three hours
TERMINATION_MESSAGE_PATH = "/dev/termination-log"
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"


# -- small helpers that tolerate not-yet-validated input -----------------------------------------
def _mapping(parent: dict, key: str) -> dict | None:
    value = parent.get(key)
    return value if isinstance(value, dict) else None


def _items(parent: dict | None, key: str) -> Iterator[dict]:
    """The mappings in ``parent[key]`` when it is a list (validation reports anything else)."""
    value = (parent or {}).get(key)
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _containers(spec: dict) -> Iterator[dict]:
    yield from _items(spec, "initContainers")
    yield from _items(spec, "containers")


# -- pods (pkg/apis/core/v1/defaults.go) ---------------------------------------------------------
# An image reference (distribution/reference): [host[:port]/]path[:tag][@digest].
_IMAGE_REFERENCE = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)
def default_image_pull_policy(image: str) -> str:
    """``Always`` for a ``:latest`` or untagged image, else ``IfNotPresent``.

    Source: SetDefaults_Container. The tag is read as the image reference parser does: after
    the last ``/``, and an image pinned by digest (``@sha256:...``) has no implied ``latest``.
    """
    if not _IMAGE_REFERENCE.match(image):
        return "IfNotPresent"  # an unparsable reference has no tag, so no implied latest
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    if not tag and not digest:
        tag = "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def set_defaults_probe(probe: dict) -> None:
    """SetDefaults_Probe and SetDefaults_HTTPGetAction: 1 s timeout, every 10 s, 1 success to
    pass, 3 failures to fail; an HTTP check asks for ``/`` over ``HTTP``."""
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    _set_defaults_handler(probe)


def _set_defaults_handler(handler: dict) -> None:
    http_get = _mapping(handler, "httpGet")
    if http_get is not None:
        http_get.setdefault("path", "/")
        http_get.setdefault("scheme", "HTTP")


def set_defaults_container(container: dict) -> None:
    """SetDefaults_Container, SetDefaults_ContainerPort and the defaults of what a container holds.

    ``resources: {}`` is not a default but how Go writes an empty, non-pointer struct; it shows
    in every ``get -o yaml``, so the simulator stores it too.
    """
    if not container.get("imagePullPolicy"):
        image = container.get("image")
        container["imagePullPolicy"] = default_image_pull_policy(
            image if isinstance(image, str) else "")
    container.setdefault("terminationMessagePath", TERMINATION_MESSAGE_PATH)
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in _items(container, "ports"):
        port.setdefault("protocol", "TCP")
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = _mapping(container, kind)
        if probe is not None:
            set_defaults_probe(probe)
    lifecycle = _mapping(container, "lifecycle")
    for hook in ("postStart", "preStop"):
        handler = _mapping(lifecycle or {}, hook)
        if handler is not None:
            _set_defaults_handler(handler)
    for var in _items(container, "env"):
        source = _mapping(var, "valueFrom") or {}
        field_ref = _mapping(source, "fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")  # SetDefaults_ObjectFieldSelector
        resource_ref = _mapping(source, "resourceFieldRef")
        if resource_ref is not None:
            resource_ref.setdefault("divisor", "0")  # a zero Quantity still serializes


def set_defaults_volume(volume: dict) -> None:
    """File modes 0644 for ConfigMap, Secret, downward API and projected volumes; hostPath type
    ``""`` (HostPathUnset); one-hour service-account tokens (SetDefaults_*VolumeSource)."""
    for source in ("configMap", "secret", "downwardAPI", "projected"):
        spec = _mapping(volume, source)
        if spec is not None:
            spec.setdefault("defaultMode", DEFAULT_FILE_MODE)
    host_path = _mapping(volume, "hostPath")
    if host_path is not None:
        host_path.setdefault("type", "")
    for projection in _items(_mapping(volume, "projected"), "sources"):
        token = _mapping(projection, "serviceAccountToken")
        if token is not None:
            token.setdefault("expirationSeconds", 3600)


def set_defaults_pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec, for pods and for the pod templates of workloads alike."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS)
    spec.setdefault("schedulerName", DEFAULT_SCHEDULER_NAME)
    for container in _containers(spec):
        set_defaults_container(container)
    for volume in _items(spec, "volumes"):
        set_defaults_volume(volume)


def _copy_limits_to_requests(container: dict) -> None:
    """SetDefaults_Pod: a limit with no request becomes the request too (pods only)."""
    resources = _mapping(container, "resources")
    limits = _mapping(resources or {}, "limits")
    if resources is None or not limits:
        return
    requests = resources.setdefault("requests", {})
    if isinstance(requests, dict):
        for name, value in limits.items():
            requests.setdefault(name, value)


def _default_tolerations(spec: dict) -> None:
    """The DefaultTolerationSeconds admission plugin: tolerate a not-ready or unreachable node
    for 300 s, so pods move elsewhere about five minutes after their node fails."""
    tolerations = spec.get("tolerations")
    if tolerations is None:
        tolerations = spec["tolerations"] = []
    if not isinstance(tolerations, list):
        return

    def tolerates(taint: str) -> bool:
        return any(isinstance(t, dict) and t.get("key", "") in (taint, "")
                   and t.get("effect", "") in ("NoExecute", "") for t in tolerations)

    for taint in (NOT_READY_TAINT, UNREACHABLE_TAINT):
        if not tolerates(taint):
            tolerations.append({"key": taint, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})


def set_defaults_pod(pod: dict) -> None:
    """A pod: SetDefaults_Pod, SetDefaults_PodSpec, admission, and the pod strategy.

    - requests default to limits; ``enableServiceLinks: true`` (SetDefaults_Pod);
    - ``serviceAccountName: default`` (ServiceAccount admission), mirrored into the deprecated
      ``serviceAccount`` field as the v1 conversion does;
    - ``priority: 0`` and ``preemptionPolicy: PreemptLowerPriority`` (Priority admission, no
      PriorityClass);
    - tolerations of not-ready and unreachable nodes (DefaultTolerationSeconds admission);
    - ``status.phase: Pending`` and the QoS class (``PrepareForCreate`` in the pod strategy,
      computed by :func:`k8skit.api.qos.qos_class`).
    """
    spec = pod.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    for container in _containers(spec):
        _copy_limits_to_requests(container)
    set_defaults_pod_spec(spec)
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("serviceAccountName", DEFAULT_SERVICE_ACCOUNT_NAME)
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    _default_tolerations(spec)
    status = pod.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("phase", "Pending")
        status.setdefault("qosClass", qos_class(pod))


def _set_defaults_template(workload: dict) -> None:
    """The pod template of a Deployment or ReplicaSet: PodSpec defaults, and the template's
    ``creationTimestamp: null`` that Go writes for the empty time of a template's metadata."""
    spec = _mapping(workload, "spec")
    template = _mapping(spec or {}, "template")
    if template is None:
        return
    metadata = template.setdefault("metadata", {})
    if isinstance(metadata, dict):
        metadata.setdefault("creationTimestamp", None)
    pod_spec = _mapping(template, "spec")
    if pod_spec is not None:
        set_defaults_pod_spec(pod_spec)


# -- workloads (pkg/apis/apps/v1/defaults.go) ----------------------------------------------------
def set_defaults_deployment(deployment: dict) -> None:
    """SetDefaults_Deployment: 1 replica; RollingUpdate with maxSurge and maxUnavailable 25%;
    10 old ReplicaSets kept for rollbacks; 600 s to make progress before the rollout is failed."""
    spec = deployment.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = strategy.setdefault("rollingUpdate", {})
            if isinstance(rolling, dict):
                rolling.setdefault("maxUnavailable", "25%")
                rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _set_defaults_template(deployment)


def set_defaults_replica_set(replica_set: dict) -> None:
    """SetDefaults_ReplicaSet: 1 replica."""
    spec = replica_set.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        _set_defaults_template(replica_set)


# -- services and their endpoints ----------------------------------------------------------------
def set_defaults_service(service: dict) -> None:
    """SetDefaults_Service, plus what the service REST storage fills on create.

    From defaults.go: type ClusterIP; sessionAffinity None (ClientIP gets a 10800 s timeout);
    each port TCP with ``targetPort`` = ``port``; externalTrafficPolicy Cluster for NodePort and
    LoadBalancer; internalTrafficPolicy Cluster; allocateLoadBalancerNodePorts for
    LoadBalancer. From the REST storage: a single-stack IPv4 family, ``clusterIPs`` mirroring
    ``clusterIP``. ``status.loadBalancer: {}`` is Go's empty struct.
    """
    spec = service.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {})
        if isinstance(config, dict):
            client_ip = config.setdefault("clientIP", {})
            if isinstance(client_ip, dict):
                client_ip.setdefault("timeoutSeconds", DEFAULT_CLIENT_IP_AFFINITY_SECONDS)
    for port in _items(spec, "ports"):
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, "") and "port" in port:
            port["targetPort"] = port["port"]
    kind = spec["type"]
    if kind in ("NodePort", "LoadBalancer") or (kind == "ClusterIP" and spec.get("externalIPs")):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer", "ClusterIP"):
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if kind != "ExternalName":
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        if spec.get("clusterIP") and not spec.get("clusterIPs"):
            spec["clusterIPs"] = [spec["clusterIP"]]
    status = service.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("loadBalancer", {})


def set_defaults_endpoints(endpoints: dict) -> None:
    """SetDefaults_EndpointPort: ports speak TCP unless they say otherwise."""
    for subset in _items(endpoints, "subsets"):
        for port in _items(subset, "ports"):
            port.setdefault("protocol", "TCP")


def set_defaults_endpoint_slice(endpoint_slice: dict) -> None:
    """discovery/v1 SetDefaults_EndpointPort: name ``""`` and protocol TCP."""
    for port in _items(endpoint_slice, "ports"):
        port.setdefault("name", "")
        port.setdefault("protocol", "TCP")


# -- configuration and storage -------------------------------------------------------------------
def set_defaults_secret(secret: dict) -> None:
    """SetDefaults_Secret: type Opaque. ``stringData`` is write-only: the v1 conversion merges
    it into ``data`` (base64-encoded, winning over the same key in ``data``) and drops it."""
    secret.setdefault("type", "Opaque")
    string_data = secret.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = secret.get("data")
        if not isinstance(data, dict):
            data = secret["data"] = {}
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode("utf-8")).decode("ascii")


def set_defaults_persistent_volume_claim(claim: dict) -> None:
    """SetDefaults_PersistentVolumeClaim(Spec): a Filesystem volume, Pending until bound."""
    spec = _mapping(claim, "spec")
    if spec is not None:
        spec.setdefault("volumeMode", "Filesystem")
    status = claim.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("phase", "Pending")


def set_defaults_persistent_volume(volume: dict) -> None:
    """SetDefaults_PersistentVolume: reclaim policy Retain, Filesystem, Pending until bound."""
    spec = _mapping(volume, "spec")
    if spec is not None:
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
        host_path = _mapping(spec, "hostPath")
        if host_path is not None:
            host_path.setdefault("type", "")
    status = volume.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("phase", "Pending")


def set_defaults_storage_class(storage_class: dict) -> None:
    """storage/v1 SetDefaults_StorageClass: reclaim policy Delete, binding Immediate."""
    storage_class.setdefault("reclaimPolicy", "Delete")
    storage_class.setdefault("volumeBindingMode", "Immediate")


# -- cluster-scoped objects ----------------------------------------------------------------------
def set_defaults_namespace(namespace: dict) -> None:
    """SetDefaults_Namespace labels a namespace with its own name
    (``kubernetes.io/metadata.name``); the namespace strategy adds the ``kubernetes``
    finalizer and SetDefaults_NamespaceStatus the phase Active."""
    metadata = namespace.setdefault("metadata", {})
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
        labels = metadata.get("labels")
        if not isinstance(labels, dict):
            labels = metadata["labels"] = {}
        labels["kubernetes.io/metadata.name"] = metadata["name"]
    spec = namespace.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("finalizers", ["kubernetes"])
    status = namespace.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("phase", "Active")


def set_defaults_node(node: dict) -> None:
    """SetDefaults_NodeStatus: allocatable defaults to capacity."""
    status = _mapping(node, "status")
    if status is not None and isinstance(status.get("capacity"), dict):
        status.setdefault("allocatable", dict(status["capacity"]))


_DEFAULTERS: dict[str, Callable[[dict], None]] = {
    "Pod": set_defaults_pod,
    "Deployment": set_defaults_deployment,
    "ReplicaSet": set_defaults_replica_set,
    "Service": set_defaults_service,
    "Endpoints": set_defaults_endpoints,
    "EndpointSlice": set_defaults_endpoint_slice,
    "Secret": set_defaults_secret,
    "PersistentVolumeClaim": set_defaults_persistent_volume_claim,
    "PersistentVolume": set_defaults_persistent_volume,
    "StorageClass": set_defaults_storage_class,
    "Namespace": set_defaults_namespace,
    "Node": set_defaults_node,
}


def apply_defaults(obj: dict) -> dict:
    """Fill ``obj`` (in place) with the API server's defaults and return it.

    Quantities and numbers are first written the way the API server stores them
    (:func:`k8skit.api.schema.normalize`: ``cpu: 0.5`` becomes ``"500m"``), then the kind's
    defaults are applied.
    """
    schema.normalize(obj)
    return set_defaults(obj)


def set_defaults(obj: dict) -> dict:
    """Apply the kind's defaults alone to ``obj`` (in place) and return it: for an object that
    never went through JSON, as a typed object from a component, whose values are canonical."""
    defaulter = _DEFAULTERS.get(obj.get("kind", ""))
    if defaulter is not None:
        defaulter(obj)
    return obj
