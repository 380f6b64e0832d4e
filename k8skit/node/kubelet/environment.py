"""A container's environment, command and arguments, as the kubelet builds them.

Before it creates a container the kubelet resolves everything the spec refers to:

1. ``envFrom``: every key of a ConfigMap or Secret, with an optional ``prefix``;
2. ``env``, in order, overriding ``envFrom``: a literal ``value`` (in which ``$(VAR)`` refers to
   a variable declared earlier or a Service variable; ``$$`` escapes a ``$``; a reference to
   something unknown stays as written), or a ``valueFrom`` source: ``fieldRef`` (the downward
   API: the pod's name, namespace, uid, labels, node, IPs ...), ``resourceFieldRef`` (the
   container's requests and limits), ``configMapKeyRef`` or ``secretKeyRef``;
3. the Service variables (:mod:`k8skit.node.kubelet.envvars`).

``$(VAR)`` in ``command`` and ``args`` is then expanded with the result. A ConfigMap, Secret or
key that does not exist stops the container from being created: the kubelet reports
``CreateContainerConfigError`` with the error below and tries again later, unless the reference
says ``optional: true``.

Sources: ``makeEnvironmentVariables`` and ``podFieldSelectorRuntimeValue`` in
``pkg/kubelet/kubelet_pods.go``; ``third_party/forked/golang/expansion/expand.go``;
``pkg/api/v1/resource/helpers.go`` (``ExtractContainerResourceValue``);
``docs/tasks/inject-data-application/``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import TYPE_CHECKING

from k8skit.api.quantity import QuantityError, parse_quantity
from k8skit.node.kubelet.envvars import service_environment

if TYPE_CHECKING:
    from k8skit.api.server import APIServer


class ContainerConfigError(Exception):
    """Why a container cannot be configured yet (``CreateContainerConfigError``)."""


def container_environment(api: APIServer, pod: dict, container: dict, node_allocatable: dict,
                          host_ip: str) -> dict[str, str]:
    """The environment of ``container`` about to start in ``pod``; raises ContainerConfigError."""
    spec = pod["spec"]
    namespace = pod["metadata"]["namespace"]
    services = service_environment(api, namespace, spec.get("enableServiceLinks", True))
    lookups = _Lookups(api, namespace)
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix") or ""
        if "configMapRef" in source:
            ref = source["configMapRef"]
            data = lookups.config_map(ref["name"], ref.get("optional", False))
        else:
            ref = source.get("secretRef") or {}
            data = lookups.secret(ref.get("name", ""), ref.get("optional", False))
        for key, value in (data or {}).items():
            env[prefix + key] = value
    for var in container.get("env") or []:
        value_from = var.get("valueFrom")
        if var.get("value"):
            env[var["name"]] = expand(str(var["value"]), env, services)
        elif value_from:
            resolved = _value_from(value_from, pod, container, node_allocatable, host_ip, lookups)
            if resolved is not None:
                env[var["name"]] = resolved
        else:
            env[var["name"]] = ""
    for name, value in services.items():
        env.setdefault(name, value)
    return env


def command_and_args(container: dict, env: dict[str, str]) -> tuple[list | None, list | None]:
    """``command`` and ``args`` with ``$(VAR)`` expanded (ExpandContainerCommandAndArgs)."""
    command = container.get("command")
    args = container.get("args")
    return ([expand(str(part), env) for part in command] if command is not None else None,
            [expand(str(part), env) for part in args] if args is not None else None)


def expand(text: str, *mappings: dict[str, str]) -> str:
    """Replace ``$(NAME)`` by its value in the first mapping that has it; ``$$`` is ``$``."""
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "(":
            close = text.find(")", i + 2)
            if close < 0:
                out.append("$(")
                i += 2
                continue
            name = text[i + 2:close]
            out.append(next((m[name] for m in mappings if name in m), f"$({name})"))
            i = close + 1
        else:
            out.append("$" + following)
            i += 2
    return "".join(out)


def decoded_secret_data(secret: dict) -> dict[str, str]:
    """A Secret's values in clear: ``data`` holds them base64-encoded (encoding, not
    encryption; the API server has already folded any ``stringData`` into it)."""
    values = {}
    for key, value in (secret.get("data") or {}).items():
        try:
            values[key] = base64.b64decode(value, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            values[key] = str(value)
    return values


class _Lookups:
    """ConfigMaps and Secrets of one namespace, each read once per container start."""

    def __init__(self, api: APIServer, namespace: str) -> None:
        self.api = api
        self.namespace = namespace
        self._config_maps: dict[str, dict | None] = {}
        self._secrets: dict[str, dict | None] = {}

    def config_map(self, name: str, optional: bool) -> dict | None:
        """The ConfigMap's data; ``configmap "x" not found`` unless optional (then None)."""
        if name not in self._config_maps:
            found = self.api.try_get("ConfigMap", name, self.namespace)
            self._config_maps[name] = None if found is None else dict(found.get("data") or {})
        data = self._config_maps[name]
        if data is None and not optional:
            raise ContainerConfigError(f'configmap "{name}" not found')
        return data

    def secret(self, name: str, optional: bool) -> dict | None:
        if name not in self._secrets:
            found = self.api.try_get("Secret", name, self.namespace)
            self._secrets[name] = None if found is None else decoded_secret_data(found)
        data = self._secrets[name]
        if data is None and not optional:
            raise ContainerConfigError(f'secret "{name}" not found')
        return data


def _value_from(source: dict, pod: dict, container: dict, node_allocatable: dict,
                host_ip: str, lookups: _Lookups) -> str | None:
    """The value of one ``valueFrom``; None for an optional reference that is missing."""
    namespace = pod["metadata"]["namespace"]
    if "fieldRef" in source:
        return field_value(pod, source["fieldRef"]["fieldPath"], host_ip)
    if "resourceFieldRef" in source:
        return resource_value(pod, container, source["resourceFieldRef"], node_allocatable)
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"]
        optional = ref.get("optional", False)
        data = lookups.config_map(ref["name"], optional)
        if data is None or ref["key"] not in (data or {}):
            if optional:
                return None
            raise ContainerConfigError(
                f"couldn't find key {ref['key']} in ConfigMap {namespace}/{ref['name']}")
        return data[ref["key"]]
    ref = source.get("secretKeyRef") or {}
    optional = ref.get("optional", False)
    data = lookups.secret(ref.get("name", ""), optional)
    if data is None or ref.get("key") not in data:
        if optional:
            return None
        raise ContainerConfigError(
            f"couldn't find key {ref.get('key')} in Secret {namespace}/{ref.get('name')}")
    return data[ref["key"]]


_SUBSCRIPT = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


def field_value(pod: dict, path: str, host_ip: str) -> str:
    """A downward-API field of ``pod`` as a string (podFieldSelectorRuntimeValue)."""
    meta = pod["metadata"]
    status = pod.get("status") or {}
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": pod["spec"].get("nodeName", ""),
        "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
        "status.hostIP": host_ip,
        "status.hostIPs": host_ip,
        "status.podIP": status.get("podIP", ""),
        "status.podIPs": ",".join(ip["ip"] for ip in status.get("podIPs") or []),
    }
    if path in simple:
        return simple[path]
    match = _SUBSCRIPT.match(path)
    if match:
        return (meta.get(match.group(1)) or {}).get(match.group(2), "")
    if path in ("metadata.labels", "metadata.annotations"):
        # Only volumes may project whole maps; upstream formats them one `k="v"` per line.
        pairs = sorted((meta.get(path.split(".")[1]) or {}).items())
        return "\n".join(f'{key}="{value}"' for key, value in pairs)
    raise ContainerConfigError(f'unsupported fieldPath: "{path}"')


def resource_value(pod: dict, container: dict, ref: dict, node_allocatable: dict) -> str:
    """``limits.cpu``, ``requests.memory`` ... of a container, divided by ``divisor``.

    A container without a CPU or memory limit reports the node's allocatable amount instead,
    as upstream's ``defaultPodLimitsForDownwardAPI`` does. Values are rounded up.
    """
    target = container
    if ref.get("containerName"):
        everyone = (pod["spec"].get("containers") or []) + (pod["spec"].get("initContainers")
                                                             or [])
        target = next((c for c in everyone if c["name"] == ref["containerName"]), container)
    resource = ref["resource"]
    kind, _, name = resource.partition(".")
    resources = target.get("resources") or {}
    value = (resources.get(kind) or {}).get(name)
    if value is None and kind == "limits":
        value = node_allocatable.get(name)
    if value is None and kind == "requests":
        value = (resources.get("limits") or {}).get(name, 0)
    try:
        amount = parse_quantity(value if value is not None else 0)
        divisor = parse_quantity(ref.get("divisor") or "1")
    except QuantityError as err:
        raise ContainerConfigError(str(err)) from err
    if name == "cpu":
        return str(math.ceil(amount.milli_value() / max(divisor.milli_value(), 1)))
    return str(math.ceil(amount.value() / max(divisor.value(), 1)))
