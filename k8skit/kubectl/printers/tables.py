"""The columns ``kubectl get`` prints for each kind, and how each cell is worked out.

On a real cluster the API server builds these tables (``kubectl get`` asks for
``application/json;as=Table``) with the printers of ``pkg/printers/internalversion/printers.go``;
kubectl only lays them out. This module is that file for the kinds the simulator serves: the
column definitions (a column with priority 1 appears only with ``-o wide``) and one row function
per kind, each following its upstream ``print<Kind>`` function. Header names are upstream's
column names upper-cased (``Nominated Node`` -> ``NOMINATED NODE``).

The pod STATUS column deserves a careful read: it is not the pod's phase but a summary of its
containers, worked out by :func:`pod_status` exactly as ``printPod`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from k8skit.api.labels import format_label_selector, format_labels
from k8skit.api.meta import seconds_of
from k8skit.kubectl.printers.duration import age, human_duration
from k8skit.kubectl.printers.tabwriter import format_cells


@dataclass(frozen=True)
class Column:
    name: str
    priority: int = 0  # 1: only shown with -o wide
    is_name: bool = False  # the column that gets a "pod/" prefix when several kinds print

    @property
    def header(self) -> str:
        return self.name.upper()


@dataclass(frozen=True)
class TableDefinition:
    columns: tuple[Column, ...]
    # All cells of one object, the wide ones included; ``wide`` is set for -o wide.
    row: Callable[[dict, float, bool], list[str]]


TABLES: dict[str, TableDefinition] = {}


def _table(kind: str, *columns: Column):
    def register(row: Callable[[dict, float, bool], list[str]]):
        TABLES[kind] = TableDefinition(tuple(columns), row)
        return row
    return register


NAME = Column("Name", is_name=True)
AGE = Column("Age")


def _wide(name: str) -> Column:
    return Column(name, priority=1)


# -- pods ------------------------------------------------------------------------------------
# The reason the node lifecycle controller gives a pod on an unreachable node
# (pkg/util/node: NodeUnreachablePodReason).
NODE_UNREACHABLE_POD_REASON = "NodeLost"


def _restartable_init(container: dict | None) -> bool:
    """A sidecar: an init container with ``restartPolicy: Always``."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(pod: dict, type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions") or [])


def _finished_at(state: dict | None) -> float | None:
    finished = ((state or {}).get("terminated") or {}).get("finishedAt")
    return seconds_of(finished) if finished else None


@dataclass
class PodSummary:
    """What ``printPod`` works out of a pod: READY, STATUS and RESTARTS."""

    ready: int
    total: int
    reason: str
    restarts: int
    last_restart: float | None  # simulated seconds of the latest restart, if any


def pod_summary(pod: dict) -> PodSummary:
    """``printPod``'s walk over a pod's containers.

    The STATUS starts as ``status.reason`` or the phase. Init containers that have not
    finished give ``Init:i/N`` or ``Init:<reason>``. Once initialised, the containers are read
    last to first and a waiting reason (``ContainerCreating``, ``CrashLoopBackOff`` ...) or a
    terminated reason (``Completed``, ``Error``, ``OOMKilled``) replaces the phase, so the
    *first* container's state wins. A pod being deleted shows ``Terminating``.
    """
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs = {c["name"]: c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(
        1 for c in init_specs.values() if _restartable_init(c))
    ready = restarts = sidecar_restarts = 0
    last_restart = last_sidecar_restart = None

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, container in enumerate(init_statuses):
        restarts += container.get("restartCount", 0)
        finished = _finished_at(container.get("lastState"))
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished
        sidecar = _restartable_init(init_specs.get(container["name"]))
        if sidecar:
            sidecar_restarts += container.get("restartCount", 0)
            if finished is not None and (last_sidecar_restart is None
                                         or finished > last_sidecar_restart):
                last_sidecar_restart = finished
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if sidecar and container.get("started"):
            ready += 1 if container.get("ready") else 0
            continue
        if terminated is not None:
            if terminated.get("reason"):
                reason = "Init:" + terminated["reason"]
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode', 0)}"
        elif waiting is not None and waiting.get("reason") and \
                waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(pod, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += container.get("restartCount", 0)
            finished = _finished_at(container.get("lastState"))
            if finished is not None and (last_restart is None or finished > last_restart):
                last_restart = finished
            state = container.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                reason = (f"Signal:{terminated['signal']}" if terminated.get("signal")
                          else f"ExitCode:{terminated.get('exitCode', 0)}")
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # A pod whose finished container sits next to one still running is not Completed.
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(pod, "Ready") else "NotReady"

    deleting = bool(pod.get("metadata", {}).get("deletionTimestamp"))
    if deleting and status.get("reason") == NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return PodSummary(ready, total, reason, restarts, last_restart)


def pod_status(pod: dict) -> str:
    """The STATUS column of ``kubectl get pods``."""
    return pod_summary(pod).reason


def restarts_cell(restarts: int, last_restart: float | None, now: float) -> str:
    """``0``, or ``3 (41s ago)`` once a container restarted."""
    if restarts and last_restart is not None:
        return f"{restarts} ({human_duration(now - last_restart)} ago)"
    return str(restarts)


@_table("Pod", NAME, Column("Ready"), Column("Status"), Column("Restarts"), AGE, _wide("IP"),
        _wide("Node"), _wide("Nominated Node"), _wide("Readiness Gates"))
def pod_row(pod: dict, now: float, wide: bool = False) -> list[str]:
    summary = pod_summary(pod)
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    pod_ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    readiness = "<none>"
    if gates:
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        met = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        readiness = f"{met}/{len(gates)}"
    return [
        pod["metadata"]["name"],
        f"{summary.ready}/{summary.total}",
        summary.reason,
        restarts_cell(summary.restarts, summary.last_restart, now),
        age(pod["metadata"].get("creationTimestamp"), now),
        (pod_ips[0].get("ip") if pod_ips else "") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        readiness,
    ]


# -- nodes -----------------------------------------------------------------------------------
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_ROLE_LABEL = "kubernetes.io/role"


def node_roles(node: dict) -> list[str]:
    """Roles from ``node-role.kubernetes.io/<role>`` labels (and the older ``kubernetes.io/role``),
    sorted (``findNodeRoles``)."""
    roles = set()
    for key, value in (node["metadata"].get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX) and key[len(NODE_ROLE_PREFIX):]:
            roles.add(key[len(NODE_ROLE_PREFIX):])
        elif key == NODE_ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: dict) -> str:
    """``Ready``, ``NotReady`` or ``Unknown``, plus ``,SchedulingDisabled`` when cordoned.

    Only the Ready condition counts; a Ready condition whose status is ``Unknown`` (the node
    stopped reporting) prints ``NotReady``, as upstream does.
    """
    statuses = []
    for cond in node.get("status", {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            statuses = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not statuses:
        statuses = ["Unknown"]
    if node.get("spec", {}).get("unschedulable"):
        statuses.append("SchedulingDisabled")
    return ",".join(statuses)


def _node_address(node: dict, type_: str) -> str:
    for address in node.get("status", {}).get("addresses") or []:
        if address.get("type") == type_:
            return address.get("address", "")
    return "<none>"


@_table("Node", NAME, Column("Status"), Column("Roles"), AGE, Column("Version"),
        _wide("Internal-IP"), _wide("External-IP"), _wide("OS-Image"), _wide("Kernel-Version"),
        _wide("Container-Runtime"))
def node_row(node: dict, now: float, wide: bool = False) -> list[str]:
    info = node.get("status", {}).get("nodeInfo") or {}
    return [
        node["metadata"]["name"],
        node_status(node),
        ",".join(node_roles(node)) or "<none>",
        age(node["metadata"].get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


# -- namespaces, events ----------------------------------------------------------------------
@_table("Namespace", NAME, Column("Status"), AGE)
def namespace_row(namespace: dict, now: float, wide: bool = False) -> list[str]:
    return [namespace["metadata"]["name"], namespace.get("status", {}).get("phase", ""),
            age(namespace["metadata"].get("creationTimestamp"), now)]


def event_source(event: dict) -> str:
    """``kubelet, worker-1``: the component and host that reported an event."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent", "")
    host = source.get("host") or event.get("reportingInstance", "")
    return f"{component}, {host}" if host else component


@_table("Event", Column("Last Seen"), Column("Type"), Column("Reason"), Column("Object"),
        _wide("Subobject"), _wide("Source"), Column("Message"), _wide("First Seen"),
        _wide("Count"), Column("Name", priority=1, is_name=True))
def event_row(event: dict, now: float, wide: bool = False) -> list[str]:
    first = age(event.get("firstTimestamp") or event.get("eventTime"), now)
    last = age(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    involved = event.get("involvedObject") or {}
    kind = (involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    return [last, event.get("type", ""), event.get("reason", ""), target,
            involved.get("fieldPath", ""), event_source(event),
            (event.get("message") or "").strip(), first, str(event.get("count") or 1),
            event["metadata"]["name"]]


# -- workloads (Deployments and ReplicaSets) -------------------------------------------------
def _containers_and_images(template: dict) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, comma-joined."""
    containers = (template.get("spec") or {}).get("containers") or []
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


@_table("Deployment", NAME, Column("Ready"), Column("Up-to-date"), Column("Available"), AGE,
        _wide("Containers"), _wide("Images"), _wide("Selector"))
def deployment_row(deployment: dict, now: float, wide: bool = False) -> list[str]:
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    containers, images = _containers_and_images(spec.get("template") or {})
    return [
        deployment["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        age(deployment["metadata"].get("creationTimestamp"), now),
        containers, images, format_label_selector(spec.get("selector")),
    ]


@_table("ReplicaSet", NAME, Column("Desired"), Column("Current"), Column("Ready"), AGE,
        _wide("Containers"), _wide("Images"), _wide("Selector"))
def replicaset_row(replicaset: dict, now: float, wide: bool = False) -> list[str]:
    spec, status = replicaset.get("spec") or {}, replicaset.get("status") or {}
    containers, images = _containers_and_images(spec.get("template") or {})
    return [
        replicaset["metadata"]["name"],
        str(spec.get("replicas", 0)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        age(replicaset["metadata"].get("creationTimestamp"), now),
        containers, images, format_label_selector(spec.get("selector")),
    ]


# -- services and endpoints ------------------------------------------------------------------
# A LoadBalancer's addresses are cut to 16 characters outside -o wide (loadBalancerWidth).
LOAD_BALANCER_WIDTH = 16


def _load_balancer_addresses(service: dict, wide: bool) -> str:
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    text = ",".join(i.get("ip") or i.get("hostname") or "" for i in ingress
                    if i.get("ip") or i.get("hostname"))
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[:LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(service: dict, wide: bool = False) -> str:
    """EXTERNAL-IP: ``<none>`` for ClusterIP and NodePort, ``<pending>`` for a LoadBalancer
    still waiting for its address, the name for ExternalName (``getServiceExternalIP``)."""
    spec = service.get("spec") or {}
    external_ips = spec.get("externalIPs") or []
    kind = spec.get("type", "ClusterIP")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if kind == "LoadBalancer":
        addresses = _load_balancer_addresses(service, wide)
        if external_ips:
            return ",".join([*filter(None, addresses.split(",")), *external_ips])
        return addresses or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict] | None) -> str:
    """``80/TCP``, ``80:30080/TCP`` with a node port (``makePortString``)."""
    pieces = []
    for port in ports or []:
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            pieces.append(f"{port['port']}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)


@_table("Service", NAME, Column("Type"), Column("Cluster-IP"), Column("External-IP"),
        Column("Port(s)"), AGE, _wide("Selector"))
def service_row(service: dict, now: float, wide: bool = False) -> list[str]:
    spec = service.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP")
                                             else [])
    return [
        service["metadata"]["name"],
        spec.get("type", "ClusterIP"),
        cluster_ips[0] if cluster_ips else "<none>",
        service_external_ip(service, wide),
        service_ports(spec.get("ports")) or "<none>",
        age(service["metadata"].get("creationTimestamp"), now),
        format_labels(spec.get("selector")),
    ]


# Lists longer than this print the first three and "+ N more..." (formatEndpoints).
MAX_LISTED = 3


def _with_more(items: list[str], count: int, empty: str) -> str:
    text = ",".join(items[:MAX_LISTED])
    if count > MAX_LISTED:
        return f"{text} + {count - MAX_LISTED} more..."
    return text or empty


def format_endpoints(endpoints: dict) -> str:
    """``10.244.1.5:80,10.244.2.7:80 + 1 more...``: ready addresses only; ``<none>`` when the
    object has no subsets at all."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    listed: list[str] = []
    count = 0
    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            listed.extend(addresses)
            continue
        for port in ports:
            count += len(addresses)
            listed.extend(_join_host_port(ip, port.get("port")) for ip in addresses)
    return _with_more(listed, count, "")


def _join_host_port(ip: str, port: object) -> str:
    """``net.JoinHostPort``: IPv6 addresses go in brackets."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


@_table("Endpoints", NAME, Column("Endpoints"), AGE)
def endpoints_row(endpoints: dict, now: float, wide: bool = False) -> list[str]:
    return [endpoints["metadata"]["name"], format_endpoints(endpoints),
            age(endpoints["metadata"].get("creationTimestamp"), now)]


@_table("EndpointSlice", NAME, Column("AddressType"), Column("Ports"), Column("Endpoints"), AGE)
def endpointslice_row(slice_: dict, now: float, wide: bool = False) -> list[str]:
    ports = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
             for p in slice_.get("ports") or []]
    addresses = [a for e in slice_.get("endpoints") or [] for a in e.get("addresses") or []]
    return [slice_["metadata"]["name"], slice_.get("addressType", ""),
            _with_more(ports, len(ports), "<unset>"),
            _with_more(addresses, len(addresses), "<unset>"),
            age(slice_["metadata"].get("creationTimestamp"), now)]


# -- configuration ---------------------------------------------------------------------------
@_table("ConfigMap", NAME, Column("Data"), AGE)
def configmap_row(configmap: dict, now: float, wide: bool = False) -> list[str]:
    count = len(configmap.get("data") or {}) + len(configmap.get("binaryData") or {})
    return [configmap["metadata"]["name"], str(count),
            age(configmap["metadata"].get("creationTimestamp"), now)]


@_table("Secret", NAME, Column("Type"), Column("Data"), AGE)
def secret_row(secret: dict, now: float, wide: bool = False) -> list[str]:
    return [secret["metadata"]["name"], secret.get("type", "Opaque"),
            str(len(secret.get("data") or {})),
            age(secret["metadata"].get("creationTimestamp"), now)]


@_table("ServiceAccount", NAME, Column("Secrets"), AGE)
def serviceaccount_row(account: dict, now: float, wide: bool = False) -> list[str]:
    return [account["metadata"]["name"], str(len(account.get("secrets") or [])),
            age(account["metadata"].get("creationTimestamp"), now)]


# -- storage ---------------------------------------------------------------------------------
_ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                 "ReadWriteOncePod": "RWOP"}


def access_modes(modes: list[str] | None) -> str:
    """``RWO,ROX``: the short forms, in upstream's fixed order (``GetAccessModesAsString``)."""
    present = set(modes or [])
    return ",".join(short for mode, short in _ACCESS_MODES.items() if mode in present)


@_table("PersistentVolume", NAME, Column("Capacity"), Column("Access Modes"),
        Column("Reclaim Policy"), Column("Status"), Column("Claim"), Column("StorageClass"),
        Column("VolumeAttributesClass"), Column("Reason"), AGE, _wide("VolumeMode"))
def persistentvolume_row(volume: dict, now: float, wide: bool = False) -> list[str]:
    spec, status = volume.get("spec") or {}, volume.get("status") or {}
    claim_ref = spec.get("claimRef")
    claim = f"{claim_ref.get('namespace', '')}/{claim_ref.get('name', '')}" if claim_ref else ""
    return [
        volume["metadata"]["name"], str((spec.get("capacity") or {}).get("storage", "")),
        access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""),
        status.get("phase", ""), claim, spec.get("storageClassName", ""),
        spec.get("volumeAttributesClassName") or "<unset>", status.get("reason", ""),
        age(volume["metadata"].get("creationTimestamp"), now),
        spec.get("volumeMode") or "<unset>",
    ]


@_table("PersistentVolumeClaim", NAME, Column("Status"), Column("Volume"), Column("Capacity"),
        Column("Access Modes"), Column("StorageClass"), Column("VolumeAttributesClass"), AGE,
        _wide("VolumeMode"))
def persistentvolumeclaim_row(claim: dict, now: float, wide: bool = False) -> list[str]:
    spec, status = claim.get("spec") or {}, claim.get("status") or {}
    phase = "Terminating" if claim["metadata"].get("deletionTimestamp") else \
        status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = str((status.get("capacity") or {}).get("storage", ""))
    return [
        claim["metadata"]["name"], phase, spec.get("volumeName", ""), capacity, modes,
        spec.get("storageClassName") or "", spec.get("volumeAttributesClassName") or "<unset>",
        age(claim["metadata"].get("creationTimestamp"), now), spec.get("volumeMode") or "<unset>",
    ]


DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


@_table("StorageClass", NAME, Column("Provisioner"), Column("ReclaimPolicy"),
        Column("VolumeBindingMode"), Column("AllowVolumeExpansion"), AGE)
def storageclass_row(storage_class: dict, now: float, wide: bool = False) -> list[str]:
    meta = storage_class["metadata"]
    name = meta["name"]
    if (meta.get("annotations") or {}).get(DEFAULT_STORAGE_CLASS_ANNOTATION) == "true":
        name += " (default)"
    return [name, storage_class.get("provisioner", ""),
            storage_class.get("reclaimPolicy") or "Delete",
            storage_class.get("volumeBindingMode") or "Immediate",
            "true" if storage_class.get("allowVolumeExpansion") else "false",
            age(meta.get("creationTimestamp"), now)]


@_table("Lease", NAME, Column("Holder"), AGE)
def lease_row(lease: dict, now: float, wide: bool = False) -> list[str]:
    return [lease["metadata"]["name"], (lease.get("spec") or {}).get("holderIdentity") or "",
            age(lease["metadata"].get("creationTimestamp"), now)]


# -- laying a table out ----------------------------------------------------------------------
@dataclass(frozen=True)
class TableOptions:
    """The ``kubectl get`` flags that change a table's shape."""

    wide: bool = False  # -o wide
    with_namespace: bool = False  # -A: a NAMESPACE column first
    kind_prefix: str = ""  # "pod" when several kinds print: names become pod/web
    show_labels: bool = False  # --show-labels: a LABELS column last
    label_columns: tuple[str, ...] = ()  # -L app,tier: one column per label key
    no_headers: bool = False


def _default_row(obj: dict, now: float, wide: bool = False) -> list[str]:
    return [obj["metadata"]["name"], age(obj["metadata"].get("creationTimestamp"), now)]


# A kind without its own printer gets NAME and AGE, as the API server's default table does.
DEFAULT_TABLE = TableDefinition((NAME, AGE), _default_row)


def table_rows(kind: str, objects: list[dict], now: float,
               options: TableOptions = TableOptions()) -> list[list[str]]:
    """The header and one row per object, as cells (lay them out with the tabwriter)."""
    definition = TABLES.get(kind, DEFAULT_TABLE)
    shown = [i for i, column in enumerate(definition.columns)
             if column.priority == 0 or options.wide]
    header = [definition.columns[i].header for i in shown]
    if options.with_namespace:
        header.insert(0, "NAMESPACE")
    header += [key.split("/")[-1].upper() for key in options.label_columns]
    if options.show_labels:
        header.append("LABELS")
    rows = [] if options.no_headers else [header]
    for obj in objects:
        cells = definition.row(obj, now, options.wide)
        row = []
        for i in shown:
            cell = cells[i]
            if definition.columns[i].is_name and options.kind_prefix:
                cell = f"{options.kind_prefix}/{cell}"
            row.append(cell)
        labels = obj["metadata"].get("labels") or {}
        if options.with_namespace:
            row.insert(0, obj["metadata"].get("namespace", ""))
        row += [labels.get(key, "") for key in options.label_columns]
        if options.show_labels:
            row.append(format_labels(labels))
        rows.append(row)
    return rows


def render_rows(rows: list[list[str]]) -> str:
    """Rows of cells as kubectl prints them: tab-separated, then aligned by the tabwriter."""
    return format_cells("".join("\t".join(row) + "\n" for row in rows))
