"""``kubectl describe``: an object, its related state and its recent events, for people.

describe is where kubectl is most helpful and least regular: every kind has its own describer
in ``staging/src/k8s.io/kubectl/pkg/describe/describe.go``. This module follows those for pods
(``describePod``) and nodes (``describeNode``) field by field and in the same order, and uses
upstream's generic describer (``genericDescriber``, the one kubectl uses for custom resources)
for every other kind until it gets its own: register it in :data:`DESCRIBERS`.

Text is written through a *prefix writer* (each level indents two spaces) into Go's tabwriter
with ``minwidth=0, padding=2``, so ``Name:`` and its value line up with the other fields of
the same block. Times print in RFC 1123 form with a numeric zone (``Thu, 01 Jan 2026 00:00:05
+0000``); ages use HumanDuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from k8skit.api.meta import EPOCH, controller_of, seconds_of
from k8skit.api.qos import qos_class
from k8skit.api.quantity import Quantity, QuantityError, parse_quantity
from k8skit.kubectl.printers.duration import age
from k8skit.kubectl.printers.tables import node_roles
from k8skit.kubectl.printers.tabwriter import DESCRIBE_MINWIDTH, DESCRIBE_PADDING, TabWriter

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
# Longer annotations are printed on their own lines and cut (maxAnnotationLen in describe.go).
MAX_ANNOTATION_LEN = 140

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc1123z(timestamp: str | None) -> str:
    """Go's ``time.RFC1123Z`` layout of an API timestamp (``Mon, 02 Jan 2006 15:04:05 -0700``)."""
    if not timestamp:
        return "<unset>"
    moment = EPOCH + timedelta(seconds=seconds_of(timestamp))
    return (f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
            f"{moment.year} {moment:%H:%M:%S} +0000")


class PrefixWriter:
    """describe.go's ``PrefixWriter``: text at an indentation level, into a tabwriter."""

    def __init__(self) -> None:
        self.tabwriter = TabWriter(DESCRIBE_MINWIDTH, 8, DESCRIBE_PADDING)

    def write(self, level: int, text: str) -> None:
        self.tabwriter.write("  " * level + text)

    def line(self, text: str = "") -> None:
        self.tabwriter.write(text + "\n")

    def flush(self) -> None:
        """End the current column blocks: what follows is aligned on its own."""
        self.tabwriter.flush()

    def text(self) -> str:
        return self.tabwriter.flush()


def _quantity(value: object) -> Quantity:
    try:
        return parse_quantity(value) if value is not None else Quantity(0)
    except QuantityError:
        return Quantity(0)


# -- pieces every describer uses -------------------------------------------------------------
def write_multiline_map(w: PrefixWriter, title: str, values: dict | None,
                        skip: tuple[str, ...] = ()) -> None:
    """``Labels:`` and ``Node-Selectors:``: one ``key=value`` per line, sorted, or ``<none>``."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (values or {}) if k not in skip)
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        w.write(0, f"{key}={values[key]}\n")


def write_annotations(w: PrefixWriter, annotations: dict | None) -> None:
    """``Annotations:`` without kubectl's own last-applied copy; long values get their own lines."""
    w.write(0, "Annotations:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED_ANNOTATION)
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                if len(part) > MAX_ANNOTATION_LEN - 2:
                    part = part[:MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"\t  {part}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def taint_text(taint: dict) -> str:
    """``key=value:Effect`` (``Taint.ToString``)."""
    text = taint.get("key", "")
    if taint.get("value"):
        text += "=" + taint["value"]
    if taint.get("effect"):
        text += ":" + taint["effect"]
    return text


def write_tolerations(w: PrefixWriter, tolerations: list[dict] | None) -> None:
    """``node.kubernetes.io/not-ready:NoExecute op=Exists for 300s``, sorted by key."""
    w.write(0, "Tolerations:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, "\t")
        text = toleration.get("key", "")
        if toleration.get("value"):
            text += "=" + toleration["value"]
        if toleration.get("effect"):
            text += ":" + toleration["effect"]
        if toleration.get("operator") == "Exists" and not toleration.get("value"):
            text += " op=Exists" if toleration.get("key") or toleration.get("effect") \
                else "op=Exists"
        if toleration.get("tolerationSeconds") is not None:
            text += f" for {toleration['tolerationSeconds']}s"
        w.write(0, text + "\n")


def events_about(api, obj: dict) -> list[dict]:
    """The events whose involvedObject is ``obj``, oldest (by last time seen) first."""
    meta = obj["metadata"]
    namespace = meta.get("namespace")
    found = [
        e for e in api.list("Event", namespace=namespace or "default")
        if (e.get("involvedObject") or {}).get("kind") == obj["kind"]
        and e["involvedObject"].get("name") == meta["name"]
        and e["involvedObject"].get("namespace") == namespace
    ]
    return sorted(found, key=lambda e: e.get("lastTimestamp") or e.get("firstTimestamp") or "")


def write_events(w: PrefixWriter, events: list[dict], now: float) -> None:
    """The ``Events:`` table: Type, Reason, Age (``2m (x4 over 5m)``), From, Message."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for event in events:
        first = age(event.get("firstTimestamp") or event.get("eventTime"), now)
        if (event.get("count") or 0) > 1:
            interval = f"{age(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
        else:
            interval = first
        source = (event.get("source") or {}).get("component") or \
            event.get("reportingComponent", "")
        w.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{interval}\t"
                   f"{source}\t{(event.get('message') or '').strip()}\n")


# -- pods ------------------------------------------------------------------------------------
def describe_probe(probe: dict) -> str:
    """``http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3``."""
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s "
             f"timeout={probe.get('timeoutSeconds', 1)}s period={probe.get('periodSeconds', 10)}s "
             f"#success={probe.get('successThreshold', 1)} "
             f"#failure={probe.get('failureThreshold', 3)}")
    if "exec" in probe:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if "httpGet" in probe:
        get = probe["httpGet"]
        scheme = (get.get("scheme") or "HTTP").lower()
        port, host = get.get("port", ""), get.get("host", "")
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return f"http-get {scheme}://{address}{get.get('path', '')} {attrs}"
    if "tcpSocket" in probe:
        socket = probe["tcpSocket"]
        return f"tcp-socket {socket.get('host', '')}:{socket.get('port', '')} {attrs}"
    if "grpc" in probe:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port')} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _write_state(w: PrefixWriter, title: str, state: dict) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        done = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if done.get("reason"):
            w.write(3, f"Reason:\t{done['reason']}\n")
        if done.get("message"):
            w.write(3, f"Message:\t{done['message']}\n")
        w.write(3, f"Exit Code:\t{done.get('exitCode', 0)}\n")
        if done.get("signal"):
            w.write(3, f"Signal:\t{done['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(done.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(done.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def field_value(pod: dict, path: str) -> str:
    """A downward-API field of ``pod`` (``metadata.name``, ``metadata.labels['app']``,
    ``status.podIP`` ...), as ``ExtractFieldPathAsString`` reads it."""
    match = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if match:
        return (pod["metadata"].get(match.group(1)) or {}).get(match.group(2), "")
    value: object = pod
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None or isinstance(value, dict | list) else str(value)


def resource_value(container: dict, resource: str, divisor: object = None) -> str:
    """A container's ``limits.cpu`` (etc.) in units of ``divisor``, rounded up, as the
    downward API gives it; ``0`` when unset (``ExtractContainerResourceValue``)."""
    field, _, name = resource.partition(".")
    amount = _quantity(((container.get("resources") or {}).get(field) or {}).get(name))
    unit = _quantity(divisor if divisor is not None else "1")
    if name == "cpu":
        whole = unit.milli_value() or 1
        return str(-(-amount.milli_value() // whole))
    whole = unit.value() or 1
    return str(-(-amount.value() // whole))


def _write_env(w: PrefixWriter, pod: dict, container: dict) -> None:
    if container.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for source in container["envFrom"]:
            ref, kind = ((source["configMapRef"], "ConfigMap") if "configMapRef" in source
                         else (source.get("secretRef") or {}, "Secret"))
            optional = "true" if ref.get("optional") else "false"
            prefix = f" with prefix '{source['prefix']}'" if source.get("prefix") else ""
            w.write(3, f"{ref.get('name', '')}\t{kind}{prefix}\tOptional: {optional}\n")
    env = container.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for var in env:
        source = var.get("valueFrom")
        if source is None:
            for i, part in enumerate(str(var.get("value", "")).split("\n")):
                w.write(3, f"{var['name']}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif "fieldRef" in source:
            ref = source["fieldRef"]
            w.write(3, f"{var['name']}:\t{field_value(pod, ref['fieldPath'])} "
                       f"({ref.get('apiVersion', 'v1')}:{ref['fieldPath']})\n")
        elif "resourceFieldRef" in source:
            ref = source["resourceFieldRef"]
            resource = ref.get("resource", "")
            value = resource_value(container, resource, ref.get("divisor"))
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{var['name']}:\t{value} ({resource})\n")
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(3, f"{var['name']}:\t<set to the key '{ref.get('key')}' in secret "
                       f"'{ref.get('name')}'>\tOptional: {optional}\n")
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(3, f"{var['name']}:\t<set to the key '{ref.get('key')}' of config map "
                       f"'{ref.get('name')}'>\tOptional: {optional}\n")


def _write_containers(w: PrefixWriter, pod: dict, title: str, containers: list[dict],
                      statuses: list[dict]) -> None:
    by_name = {s["name"]: s for s in statuses}
    w.write(0, f"{title}:" + ("" if containers else " <none>") + "\n")
    for container in containers:
        status = by_name.get(container["name"])
        w.write(1, f"{container['name']}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = ", ".join(f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}"
                          for p in container.get("ports") or [])
        w.write(2, f"Ports:\t{ports}\n" if "," in ports else f"Port:\t{ports or '<none>'}\n")
        host_ports = ", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}"
                               for p in container.get("ports") or [])
        w.write(2, f"Host Ports:\t{host_ports}\n" if "," in host_ports
                else f"Host Port:\t{host_ports or '<none>'}\n")
        if container.get("restartPolicy"):
            w.write(2, f"Restart Policy:\t{container['restartPolicy']}\n")
        for field, label in (("command", "Command"), ("args", "Args")):
            if container.get(field):
                w.write(2, f"{label}:\n")
                for item in container[field]:
                    for part in str(item).split("\n"):
                        w.write(3, part + "\n")
        if status is not None:
            _write_state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated"):
                _write_state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        resources = container.get("resources") or {}
        for field, label in (("limits", "Limits"), ("requests", "Requests")):
            if resources.get(field):
                w.write(2, f"{label}:\n")
                for name in sorted(resources[field]):
                    w.write(3, f"{name}:\t{resources[field][name]}\n")
        for field, label in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                             ("startupProbe", "Startup")):
            if container.get(field):
                w.write(2, f"{label}:\t{describe_probe(container[field])}\n")
        _write_env(w, pod, container)
        mounts = sorted(container.get("volumeMounts") or [], key=lambda m: m.get("mountPath"))
        w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
        for mount in mounts:
            flags = ["ro" if mount.get("readOnly") else "rw"]
            if mount.get("subPath"):
                flags.append(f'path="{mount["subPath"]}"')
            w.write(3, f"{mount['mountPath']} from {mount['name']} ({','.join(flags)})\n")


def _optional(value: object) -> str:
    """A ``*bool`` as Go's ``%v`` prints it: ``true``, ``false`` or ``<nil>``."""
    return "<nil>" if value is None else ("true" if value else "false")


def _write_volumes(w: PrefixWriter, volumes: list[dict]) -> None:
    if not volumes:
        w.write(0, "Volumes:\t<none>\n")
        return
    w.write(0, "Volumes:\n")
    for volume in volumes:
        w.write(1, f"{volume['name']}:\n")
        if "hostPath" in volume:
            source = volume["hostPath"]
            w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                       f"    Path:\t{source.get('path', '')}\n"
                       f"    HostPathType:\t{source.get('type') or '<none>'}\n")
        elif "emptyDir" in volume:
            source = volume["emptyDir"] or {}
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{source.get('medium', '')}\n"
                       f"    SizeLimit:\t{source.get('sizeLimit') or '<unset>'}\n")
        elif "secret" in volume:
            source = volume["secret"]
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                       f"    SecretName:\t{source.get('secretName', '')}\n"
                       f"    Optional:\t{'true' if source.get('optional') else 'false'}\n")
        elif "configMap" in volume:
            source = volume["configMap"]
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                       f"    Name:\t{source.get('name', '')}\n"
                       f"    Optional:\t{'true' if source.get('optional') else 'false'}\n")
        elif "persistentVolumeClaim" in volume:
            source = volume["persistentVolumeClaim"]
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in "
                       "the same namespace)\n"
                       f"    ClaimName:\t{source.get('claimName', '')}\n"
                       f"    ReadOnly:\t{'true' if source.get('readOnly') else 'false'}\n")
        elif "projected" in volume:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple "
                       "sources)\n")
            for source in volume["projected"].get("sources") or []:
                if "secret" in source:
                    w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n"
                               f"    SecretOptionalName:\t"
                               f"{_optional(source['secret'].get('optional'))}\n")
                elif "downwardAPI" in source:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif "configMap" in source:
                    w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                               f"    ConfigMapOptional:\t"
                               f"{_optional(source['configMap'].get('optional'))}\n")
                elif "serviceAccountToken" in source:
                    seconds = source["serviceAccountToken"].get("expirationSeconds", 3607)
                    w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")
        else:
            w.write(1, "<unknown>\n")


def describe_pod(api, pod: dict, now: float) -> str:
    """``describePod``: identity, placement, containers, conditions, volumes, QoS, events."""
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {age(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    pod_ips = status.get("podIPs") or []
    if pod_ips:
        w.write(0, "IPs:\n")
        for ip in pod_ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    else:
        w.write(0, "IPs:\t<none>\n")
    owner = controller_of(pod)
    if owner:
        w.write(0, f"Controlled By:\t{owner['kind']}/{owner['name']}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        _write_containers(w, pod, "Init Containers", spec["initContainers"],
                          status.get("initContainerStatuses") or [])
    _write_containers(w, pod, "Containers", spec.get("containers") or [],
                      status.get("containerStatuses") or [])
    if spec.get("readinessGates"):
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            gate_status = conditions.get(gate["conditionType"], "<none>")
            w.write(1, f"{gate['conditionType']} \t{gate_status} \n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for cond in status["conditions"]:
            w.write(1, f"{cond['type']} \t{cond['status']} \n")
    _write_volumes(w, spec.get("volumes") or [])
    w.write(0, f"QoS Class:\t{status.get('qosClass') or qos_class(pod)}\n")
    write_multiline_map(w, "Node-Selectors", spec.get("nodeSelector"))
    write_tolerations(w, spec.get("tolerations"))
    write_events(w, events_about(api, pod), now)
    return w.text()


# -- nodes -----------------------------------------------------------------------------------
def pod_requests_and_limits(pod: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """What a pod asks of its node (``PodRequestsAndLimits``): the sum over its containers, or
    the largest init container's amount if that is more, plus the pod's overhead."""
    spec = pod.get("spec") or {}
    totals: list[dict[str, Quantity]] = [{}, {}]
    for container in spec.get("containers") or []:
        resources = container.get("resources") or {}
        for total, field in zip(totals, ("requests", "limits"), strict=True):
            for name, value in (resources.get(field) or {}).items():
                total[name] = total.get(name, Quantity(0)) + _quantity(value)
    for container in spec.get("initContainers") or []:
        resources = container.get("resources") or {}
        for total, field in zip(totals, ("requests", "limits"), strict=True):
            for name, value in (resources.get(field) or {}).items():
                if _quantity(value) > total.get(name, Quantity(0)):
                    total[name] = _quantity(value)
    for name, value in (spec.get("overhead") or {}).items():
        for total in totals:
            total[name] = total.get(name, Quantity(0)) + _quantity(value)
    return totals[0], totals[1]


def _percent(part: Quantity, whole: Quantity, milli: bool) -> int:
    whole_units = whole.milli_value() if milli else whole.value()
    if not whole_units:
        return 0
    return int((part.milli_value() if milli else part.value()) / whole_units * 100)


_STANDARD_RESOURCES = {"cpu", "memory", "ephemeral-storage", "storage", "pods"}


def _write_node_resources(w: PrefixWriter, node: dict, pods: list[dict], now: float) -> None:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    cpu, memory = _quantity(allocatable.get("cpu")), _quantity(allocatable.get("memory"))
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\t"
               "Age\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t"
               "---\n")
    totals: list[dict[str, Quantity]] = [{}, {}]
    for pod in pods:
        requests, limits = pod_requests_and_limits(pod)
        for total, amounts in zip(totals, (requests, limits), strict=True):
            for name, amount in amounts.items():
                total[name] = total.get(name, Quantity(0)) + amount
        cells = []
        for amounts, name, whole, milli in ((requests, "cpu", cpu, True),
                                            (limits, "cpu", cpu, True),
                                            (requests, "memory", memory, False),
                                            (limits, "memory", memory, False)):
            amount = amounts.get(name, Quantity(0))
            cells.append(f"{amount} ({_percent(amount, whole, milli)}%)")
        w.write(1, f"{pod['metadata'].get('namespace', '')}\t{pod['metadata']['name']}\t\t"
                   f"{chr(9).join(cells)}\t{age(pod['metadata'].get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    requests, limits = totals
    for name, milli in (("cpu", True), ("memory", False), ("ephemeral-storage", False)):
        whole = _quantity(allocatable.get(name))
        request, limit = requests.get(name, Quantity(0)), limits.get(name, Quantity(0))
        w.write(1, f"{name}\t{request} ({_percent(request, whole, milli)}%)\t"
                   f"{limit} ({_percent(limit, whole, milli)}%)\n")
    extended = sorted(name for name in allocatable if name not in _STANDARD_RESOURCES)
    for name in (n for n in extended if n.startswith("hugepages-")):
        whole = _quantity(allocatable.get(name))
        request, limit = requests.get(name, Quantity(0)), limits.get(name, Quantity(0))
        w.write(1, f"{name}\t{request} ({_percent(request, whole, False)}%)\t"
                   f"{limit} ({_percent(limit, whole, False)}%)\n")
    for name in (n for n in extended if not n.startswith("hugepages-")):
        w.write(1, f"{name}\t{requests.get(name, Quantity(0))}\t"
                   f"{limits.get(name, Quantity(0))}\n")


def describe_node(api, node: dict, now: float) -> str:
    """``describeNode``: roles, taints, lease, conditions, capacity, its pods and events."""
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    taints = sorted(spec.get("taints") or [],
                    key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    w.write(0, "Taints:\t")
    if not taints:
        w.line("<none>")
    for i, taint in enumerate(taints):
        w.write(0, ("\t" if i else "") + taint_text(taint) + "\n")
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    lease = api.try_get("Lease", meta["name"], "kube-node-lease")
    if lease is not None:
        lease_spec = lease.get("spec") or {}
        w.write(0, "Lease:\n")
        w.write(1, f"HolderIdentity:\t{lease_spec.get('holderIdentity') or '<unset>'}\n")
        w.write(1, f"AcquireTime:\t{rfc1123z(lease_spec.get('acquireTime'))}\n")
        w.write(1, f"RenewTime:\t{rfc1123z(lease_spec.get('renewTime'))}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\t"
                   "Message\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for cond in status["conditions"]:
            w.write(1, f"{cond['type']} \t{cond['status']} \t"
                       f"{rfc1123z(cond.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(cond.get('lastTransitionTime'))} \t"
                       f"{cond.get('reason', '')} \t{cond.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address['type']}:\t{address['address']}\n")
    for field, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        if status.get(field):
            w.write(0, f"{title}:\n")
            for name in sorted(status[field]):
                w.write(0, f"  {name}:\t{status[field][name]}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for label, field in (("Machine ID", "machineID"), ("System UUID", "systemUUID"),
                         ("Boot ID", "bootID"), ("Kernel Version", "kernelVersion"),
                         ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
                         ("Architecture", "architecture"),
                         ("Container Runtime Version", "containerRuntimeVersion"),
                         ("Kubelet Version", "kubeletVersion"),
                         ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {label}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    pods = sorted((p for p in api.pods_on_node(meta["name"])
                   if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")),
                  key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    _write_node_resources(w, node, pods, now)
    write_events(w, events_about(api, node), now)
    return w.text()


# -- every other kind ------------------------------------------------------------------------
_ACRONYMS = {"API", "URL", "UID", "OSB", "GUID"}
_CAMEL_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def smart_label(field: str) -> str:
    """``apiVersion`` -> ``API Version`` (``smartLabelFor``); odd names stay as they are."""
    if any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = _CAMEL_PARTS.findall(field) or [field]
    return " ".join(p.upper() if p.upper() in _ACRONYMS else p[:1].upper() + p[1:]
                    for p in parts)


def _write_content(w: PrefixWriter, level: int, content: dict, path: str,
                   skip: set[str]) -> None:
    for field in sorted(content):
        value, here = content[field], f"{path}.{field}"
        if here in skip:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _write_content(w, level + 1, value, here, skip)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for item in value:
                if isinstance(item, dict):
                    _write_content(w, level + 1, item, here, skip)
                else:
                    w.write(level + 1, f"{item}\n")
        else:
            text = ("true" if value else "false") if isinstance(value, bool) else value
            w.write(level, f"{smart_label(field)}:\t{text}\n")


def describe_generic(api, obj: dict, now: float) -> str:
    """``genericDescriber``: name, labels, annotations, then every other field, then events."""
    meta = obj["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    write_multiline_map(w, "Labels", meta.get("labels"))
    write_annotations(w, meta.get("annotations"))
    _write_content(w, 0, obj, "", {".metadata.managedFields", ".metadata.name",
                                   ".metadata.namespace", ".metadata.labels",
                                   ".metadata.annotations"})
    write_events(w, events_about(api, obj), now)
    return w.text()


DESCRIBERS: dict[str, Callable[[object, dict, float], str]] = {
    "Pod": describe_pod,
    "Node": describe_node,
}
