"""Semantic validation: the API server's checks after decoding and defaulting.

Once an object has decoded into its kind's structs (:mod:`k8skit.api.schema`) and been defaulted
(:mod:`k8skit.api.defaults`), kube-apiserver validates it and answers ``422 Unprocessable
Entity`` with every problem it found, each at a field path and worded in a handful of fixed
shapes::

    The Pod "web" is invalid:
    * spec.containers[0].image: Required value
    * spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always",
      "OnFailure", "Never"

This module reproduces those checks for the kinds the course uses, function by function after
``pkg/apis/core/validation/validation.go``, ``pkg/apis/apps/validation/validation.go``,
``staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go`` and
``staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go``, with the same
paths, the same order and the same words. Where Go prints a value with ``%#v`` (a label map, a
LabelSelector) the message shows it as Go does.

Entry points: :func:`validate` (create and update) and :func:`validate_update` (rules that compare
with the stored object: immutable selectors, pod spec immutability ...). Both return a list of
:class:`~k8skit.api.errors.FieldError`; an empty list means the object is valid.

One simplification: when a pod update changes a field that cannot change, upstream appends a
``cmp.Diff`` of the two pod specs to the message; the simulator lists the changed fields instead.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping

from k8skit.api.errors import OMIT, FieldError
from k8skit.api.labels import (
    Selector,
    SelectorError,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    max_len_error,
    regex_error,
)
from k8skit.api.meta import canonical_json
from k8skit.api.quantity import QuantityError, parse_quantity

MAX_SECRET_SIZE = 1024 * 1024  # corev1.MaxSecretSize, also the ConfigMap limit
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024  # apimachinery's TotalAnnotationSizeLimitB
NODE_PORT_RANGE = (30000, 32767)  # kube-apiserver --service-node-port-range default
MAX_CLIENT_IP_AFFINITY_SECONDS = 86400  # core.MaxClientIPServiceAffinitySeconds
FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive"
IS_NEGATIVE_ERROR = "must be greater than or equal to 0"
FIELD_IMMUTABLE = "field is immutable"


# -- field paths and errors (apimachinery/pkg/util/validation/field) ----------------------------
class Path:
    """A field path such as ``spec.containers[0].image`` (``field.Path``)."""

    __slots__ = ("text",)

    def __init__(self, text: str = "") -> None:
        self.text = text

    def child(self, *names: str) -> Path:
        text = self.text
        for name in names:
            text = f"{text}.{name}" if text else name
        return Path(text)

    def index(self, i: int) -> Path:
        return Path(f"{self.text}[{i}]")

    def key(self, k: str) -> Path:
        return Path(f"{self.text}[{k}]")

    def __str__(self) -> str:
        return self.text


def required(path: Path, detail: str = "") -> FieldError:
    return FieldError(str(path), "Required value", OMIT, detail)


def invalid(path: Path, value: object, detail: str) -> FieldError:
    return FieldError(str(path), "Invalid value", value, detail)


def invalid_go(path: Path, go_value: str, detail: str) -> FieldError:
    """An invalid value Go prints with ``%#v`` or ``String()``: shown as is, unquoted."""
    return FieldError(str(path), "Invalid value", OMIT, f"{go_value}: {detail}")


def not_supported(path: Path, value: object, valid: Iterable[str]) -> FieldError:
    quoted = ", ".join(json.dumps(v) for v in valid)
    return FieldError(str(path), "Unsupported value", value, f"supported values: {quoted}")


def duplicate(path: Path, value: object) -> FieldError:
    return FieldError(str(path), "Duplicate value", value)


def forbidden(path: Path, detail: str) -> FieldError:
    return FieldError(str(path), "Forbidden", OMIT, detail)


def not_found(path: Path, value: object) -> FieldError:
    return FieldError(str(path), "Not found", value)


def too_long(path: Path, max_length: int) -> FieldError:
    return FieldError(str(path), "Too long", OMIT, f"must have at most {max_length} bytes")


Errors = list[FieldError]


# -- Go value formatting, for messages that print a struct or a map ------------------------------
def _go_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def go_string_map(labels: Mapping[str, str] | None) -> str:
    """``map[string]string{"app":"web"}`` as Go's ``%#v`` prints it (keys sorted)."""
    if labels is None:
        return "map[string]string(nil)"
    pairs = ", ".join(f"{_go_string(k)}:{_go_string(str(v))}" for k, v in sorted(labels.items()))
    return f"map[string]string{{{pairs}}}"


def go_label_selector(selector: Mapping | None) -> str:
    """A LabelSelector as ``%#v`` prints it in upstream messages (``v1.LabelSelector{...}``)."""
    if selector is None:
        return "null"
    expressions = selector.get("matchExpressions")
    if expressions is None:
        shown = "[]v1.LabelSelectorRequirement(nil)"
    else:
        items = []
        for expression in expressions:
            values = expression.get("values")
            go_values = ("[]string(nil)" if values is None
                         else "[]string{" + ", ".join(_go_string(v) for v in values) + "}")
            items.append(
                f"v1.LabelSelectorRequirement{{Key:{_go_string(expression.get('key', ''))}, "
                f"Operator:{_go_string(expression.get('operator', ''))}, Values:{go_values}}}"
            )
        shown = "[]v1.LabelSelectorRequirement{" + ", ".join(items) + "}"
    return (f"v1.LabelSelector{{MatchLabels:{go_string_map(selector.get('matchLabels'))}, "
            f"MatchExpressions:{shown}}}")


# -- strings: names, keys, ports (apimachinery/pkg/util/validation/validation.go) ---------------
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_RE = re.compile(f"^{_DNS1035_LABEL_FMT}$")
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_RE = re.compile(f"^{_CONFIG_MAP_KEY_FMT}$")
_CONFIG_MAP_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_PERCENT_FMT = "[0-9]+%"
_PERCENT_RE = re.compile(f"^{_PERCENT_FMT}$")
_PORT_NAME_CHARSET = re.compile(r"^[-a-z0-9]+$")
_PORT_NAME_LETTER = re.compile(r"[a-z]")


def is_dns1035_label(value: str) -> list[str]:
    """Problems with ``value`` as an RFC 1035 label (Service names must be one)."""
    errors = []
    if len(value) > 63:
        errors.append(max_len_error(63))
    if "\n" in value or not _DNS1035_LABEL_RE.match(value):
        errors.append(regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def is_config_map_key(value: str) -> list[str]:
    """Problems with ``value`` as a ConfigMap or Secret key (a file name, in a volume)."""
    errors = []
    if len(value) > 253:
        errors.append(max_len_error(253))
    if "\n" in value or not _CONFIG_MAP_KEY_RE.match(value):
        errors.append(regex_error(_CONFIG_MAP_KEY_MSG, _CONFIG_MAP_KEY_FMT,
                                  "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errors.append("must not be '.'")
    elif value == "..":
        errors.append("must not be '..'")
    elif value.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def is_relaxed_env_var_name(value: str) -> list[str]:
    """Environment variable names, as relaxed in Kubernetes 1.32 (any printable ASCII but ``=``).

    Source: ``IsRelaxedEnvVarName`` (feature RelaxedEnvironmentVariableValidation, on by default
    since 1.32).
    """
    if all(" " <= ch <= "~" and ch != "=" for ch in value):
        return []
    return ["a valid environment variable name must consist only of printable ASCII characters "
            "other than '='"]


def is_valid_port_num(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def is_valid_port_name(name: str) -> list[str]:
    """An IANA service name, as a named container port (``http``, ``metrics``)."""
    errors = []
    if len(name) > 15:
        errors.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.match(name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def is_valid_percent(value: str) -> list[str]:
    if _PERCENT_RE.match(value):
        return []
    return [regex_error("a valid percent string must be a numeric string followed by an "
                        "ending '%'", _PERCENT_FMT, "1%", "93%")]


def _is_valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _dns_label_errors(value: str, path: Path) -> Errors:
    return [invalid(path, value, msg) for msg in _dns_label_problems(value)]


@functools.lru_cache(maxsize=1024)
def _dns_label_problems(value: str) -> tuple[str, ...]:
    # Namespaces are few and named in every object: each is checked once.
    return tuple(is_dns1123_label(value))


def _dns_subdomain_errors(value: str, path: Path) -> Errors:
    return [invalid(path, value, msg) for msg in is_dns1123_subdomain(value)]


def validate_labels(labels: Mapping | None, path: Path) -> Errors:
    """Keys must be qualified names and values valid label values (``ValidateLabels``)."""
    errors: Errors = []
    for key, value in sorted((labels or {}).items()):
        key_problems, value_problems = _label_problems(key, str(value))
        errors += [invalid(path, key, msg) for msg in key_problems]
        errors += [invalid(path, value, msg) for msg in value_problems]
    return errors


@functools.lru_cache(maxsize=4096)
def _label_problems(key: str, value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What is wrong with one label's key and value. Every pod of a Deployment carries the same
    few labels, so each pair is checked once."""
    return tuple(is_qualified_name(key)), tuple(is_valid_label_value(value))


@functools.lru_cache(maxsize=4096)
def _annotation_key_problems(key: str) -> tuple[str, ...]:
    return tuple(is_qualified_name(key.lower()))


def validate_annotations(annotations: Mapping | None, path: Path) -> Errors:
    errors: Errors = []
    total = 0
    for key, value in sorted((annotations or {}).items()):
        errors += [invalid(path, key, msg) for msg in _annotation_key_problems(key)]
        total += len(key) + len(str(value))
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errors.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errors


def validate_nonnegative(value: object, path: Path) -> Errors:
    if isinstance(value, int | float) and value < 0:
        return [invalid(path, value, IS_NEGATIVE_ERROR)]
    return []


# -- metadata (apimachinery/pkg/api/validation/objectmeta.go) ------------------------------------
NameCheck = Callable[[str], list[str]]


def _mask_trailing_dash(name: str) -> str:
    """A generateName prefix may end in "-": check it as if it ended in "a"."""
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


def validate_object_meta(meta: Mapping | None, namespaced: bool, name_check: NameCheck) -> Errors:
    meta, path = meta or {}, Path("metadata")
    errors: Errors = []
    generate_name = meta.get("generateName") or ""
    if generate_name:
        errors += [invalid(path.child("generateName"), generate_name, msg)
                   for msg in name_check(_mask_trailing_dash(generate_name))]
    name = meta.get("name") or ""
    if not name:
        errors.append(required(path.child("name"), "name or generateName is required"))
    else:
        errors += [invalid(path.child("name"), name, msg) for msg in name_check(name)]
    namespace = meta.get("namespace") or ""
    if namespaced:
        if not namespace:
            errors.append(required(path.child("namespace")))
        else:
            errors += _dns_label_errors(namespace, path.child("namespace"))
    elif namespace:
        errors.append(forbidden(path.child("namespace"), "not allowed on this type"))
    errors += validate_nonnegative(meta.get("generation", 0), path.child("generation"))
    errors += validate_labels(meta.get("labels"), path.child("labels"))
    errors += validate_annotations(meta.get("annotations"), path.child("annotations"))
    return errors


# -- label selectors (apimachinery/pkg/apis/meta/v1/validation) ----------------------------------
def validate_label_selector(selector: Mapping | None, path: Path) -> Errors:
    if selector is None:
        return []
    errors = validate_labels(selector.get("matchLabels"), path.child("matchLabels"))
    for i, expression in enumerate(selector.get("matchExpressions") or []):
        at = path.child("matchExpressions").index(i)
        operator, values = expression.get("operator"), expression.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                errors.append(required(at.child("values"),
                                       "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errors.append(forbidden(
                    at.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errors.append(invalid(at.child("operator"), operator or "",
                                  "not a valid selector operator"))
        key = expression.get("key") or ""
        errors += [invalid(at.child("key"), key, msg) for msg in is_qualified_name(key)]
        for j, value in enumerate(values):
            errors += [invalid(at.child("values").index(j), value, msg)
                       for msg in is_valid_label_value(value)]
    return errors


def _as_selector(selector: Mapping | None) -> Selector | None:
    """``LabelSelectorAsSelector``: None when the selector cannot be built."""
    try:
        return Selector.from_label_selector(selector)
    except SelectorError:
        return None


# -- resources (ValidateContainerResourceRequirements) ------------------------------------------
_CONTAINER_RESOURCES = {"cpu", "memory", "ephemeral-storage"}
# helper.IsStandardResourceName: what a bare (unprefixed) resource name may be.
_STANDARD_RESOURCES = _CONTAINER_RESOURCES | {
    "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu",
    "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
    "resourcequotas", "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports",
    "services.loadbalancers", "requests.storage",
}


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _is_native(name: str) -> bool:
    return "/" not in name or name.startswith("kubernetes.io/") or ".kubernetes.io/" in name


def validate_container_resource_name(name: str, path: Path) -> Errors:
    errors = [invalid(path, name, msg) for msg in is_qualified_name(name)]
    if errors:
        return errors
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not _is_hugepages(name):
            errors.append(invalid(path, name,
                                  "must be a standard resource type or fully qualified"))
        if name not in _CONTAINER_RESOURCES and not _is_hugepages(name):
            errors.append(invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native(name) and name.startswith("requests."):
        errors.append(invalid(path, name, "doesn't follow extended resource name standard"))
    return errors


def _quantity(value: object, path: Path, errors: Errors):
    try:
        return parse_quantity(value)
    except QuantityError as error:
        errors.append(invalid(path, value, str(error)))
        return None


def _overcommit_allowed(name: str) -> bool:
    return _is_native(name) and not _is_hugepages(name)


def validate_resource_requirements(resources: Mapping | None, path: Path) -> Errors:
    """Names are container resources, amounts are not negative, requests do not pass limits."""
    resources = resources or {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    errors: Errors = []
    limit_path, request_path = path.child("limits"), path.child("requests")
    parsed_limits = {}
    for name in sorted(limits):
        at = limit_path.key(name)
        errors += validate_container_resource_name(name, at)
        quantity = _quantity(limits[name], at, errors)
        if quantity is not None:
            parsed_limits[name] = quantity
            if quantity.sign() < 0:
                errors.append(invalid(at, str(quantity), IS_NEGATIVE_ERROR))
    for name in sorted(requests):
        at = request_path.key(name)
        errors += validate_container_resource_name(name, at)
        quantity = _quantity(requests[name], at, errors)
        if quantity is None:
            continue
        if quantity.sign() < 0:
            errors.append(invalid(at, str(quantity), IS_NEGATIVE_ERROR))
        limit = parsed_limits.get(name)
        if limit is not None:
            if quantity != limit and not _overcommit_allowed(name):
                errors.append(invalid(request_path, str(quantity),
                                      f"must be equal to {name} limit of {limit}"))
            elif quantity > limit:
                errors.append(invalid(request_path, str(quantity),
                                      f"must be less than or equal to {name} limit of {limit}"))
        elif name not in limits and not _overcommit_allowed(name):
            errors.append(required(limit_path,
                                   "Limit must be set for non overcommitable resources"))
    return errors


# -- volumes (ValidateVolumes, validateVolumeSource) ---------------------------------------------
# The volume sources in the order upstream checks them; the first one wins, the others are
# "may not specify more than 1 volume type".
_VOLUME_SOURCES = [
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image",
]
_HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                    "FileOrCreate", "Socket"]


def _validate_mode(mode: object, path: Path) -> Errors:
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        return [invalid(path, mode, FILE_MODE_ERROR)]
    return []


def _validate_local_path(value: str, path: Path) -> Errors:
    """``ValidateLocalNonReservedPath``: relative, no "..", not starting with ".."."""
    errors: Errors = []
    if value.startswith("/"):
        errors.append(invalid(path, value, "must be a relative path"))
    if ".." in value.split("/"):
        errors.append(invalid(path, value, "must not contain '..'"))
    if value.startswith(".."):
        errors.append(invalid(path, value, "must not start with '..'"))
    return errors


def _validate_key_to_path(item: Mapping, path: Path) -> Errors:
    errors: Errors = []
    if not item.get("key"):
        errors.append(required(path.child("key")))
    if not item.get("path"):
        errors.append(required(path.child("path")))
    errors += _validate_local_path(item.get("path") or "", path.child("path"))
    errors += _validate_mode(item.get("mode"), path.child("mode"))
    return errors


def _validate_volume_source(volume: Mapping, path: Path) -> Errors:
    errors: Errors = []
    found = None
    for source in _VOLUME_SOURCES:
        if volume.get(source) is None:
            continue
        if found is not None:
            errors.append(forbidden(path.child(source), "may not specify more than 1 volume type"))
            continue
        found = source
        errors += _validate_one_source(source, volume[source], path.child(source))
    if found is None:
        errors.append(required(path, "must specify a volume type"))
    return errors


def _validate_one_source(source: str, spec: Mapping, path: Path) -> Errors:
    errors: Errors = []
    if source == "emptyDir":
        size = spec.get("sizeLimit")
        if size is not None:
            quantity = _quantity(size, path.child("sizeLimit"), errors)
            if quantity is not None and quantity.sign() < 0:
                errors.append(forbidden(path.child("sizeLimit"),
                                        "SizeLimit field must be a valid resource quantity"))
    elif source == "hostPath":
        host_path = spec.get("path") or ""
        if not host_path:
            return [required(path.child("path"))]
        if ".." in host_path.split("/"):
            errors.append(invalid(path.child("path"), host_path, "must not contain '..'"))
        if spec.get("type") not in _HOST_PATH_TYPES and spec.get("type") is not None:
            errors.append(not_supported(path.child("type"), spec["type"], _HOST_PATH_TYPES))
    elif source in ("configMap", "secret"):
        name_field = "name" if source == "configMap" else "secretName"
        if not spec.get(name_field):
            errors.append(required(path.child(name_field)))
        errors += _validate_mode(spec.get("defaultMode"), path.child("defaultMode"))
        for i, item in enumerate(spec.get("items") or []):
            errors += _validate_key_to_path(item, path.child("items").index(i))
    elif source == "persistentVolumeClaim":
        if not spec.get("claimName"):
            errors.append(required(path.child("claimName")))
    elif source == "nfs":
        if not spec.get("server"):
            errors.append(required(path.child("server")))
        if not spec.get("path"):
            errors.append(required(path.child("path")))
        if not (spec.get("path") or "").startswith("/"):
            errors.append(invalid(path.child("path"), spec.get("path") or "",
                                  "must be an absolute path"))
    elif source in ("downwardAPI", "projected"):
        errors += _validate_mode(spec.get("defaultMode"), path.child("defaultMode"))
    return errors


def validate_volumes(volumes: list | None, path: Path) -> tuple[set[str], Errors]:
    """Check each volume; returns the names a container may mount and the errors."""
    names: set[str] = set()
    errors: Errors = []
    for i, volume in enumerate(volumes or []):
        at = path.index(i)
        found = _validate_volume_source(volume, at)
        name = volume.get("name") or ""
        if not name:
            found.append(required(at.child("name")))
        else:
            found += _dns_label_errors(name, at.child("name"))
        if name in names:
            found.append(duplicate(at.child("name"), name))
        if not found:
            names.add(name)
        errors += found
    return names, errors


# -- containers ----------------------------------------------------------------------------------
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
_ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                    "status.podIP", "status.podIPs"]
_RESOURCE_FIELD_PATHS = ["limits.cpu", "limits.ephemeral-storage", "limits.memory",
                         "requests.cpu", "requests.ephemeral-storage", "requests.memory"]
_SUBSCRIPTED_FIELD = re.compile(r"^(metadata\.(?:labels|annotations))\['(.*)'\]$")


def validate_container_ports(ports: list | None, path: Path) -> Errors:
    errors: Errors = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        at = path.index(i)
        name = port.get("name") or ""
        if name:
            problems = is_valid_port_name(name)
            if problems:
                errors += [invalid(at.child("name"), name, msg) for msg in problems]
            elif name in names:
                errors.append(duplicate(at.child("name"), name))
            else:
                names.add(name)
        container_port = port.get("containerPort") or 0
        if container_port == 0:
            errors.append(required(at.child("containerPort")))
        else:
            errors += [invalid(at.child("containerPort"), container_port, msg)
                       for msg in is_valid_port_num(container_port)]
        host_port = port.get("hostPort") or 0
        if host_port:
            errors += [invalid(at.child("hostPort"), host_port, msg)
                       for msg in is_valid_port_num(host_port)]
        protocol = port.get("protocol") or ""
        if not protocol:
            errors.append(required(at.child("protocol")))
        elif protocol not in _PROTOCOLS:
            errors.append(not_supported(at.child("protocol"), protocol, _PROTOCOLS))
    return errors


def _validate_key_selector(selector: Mapping, path: Path) -> Errors:
    name = selector.get("name") or ""
    errors = _dns_subdomain_errors(name, path.child("name"))
    key = selector.get("key") or ""
    if not key:
        errors.append(required(path.child("key")))
    else:
        errors += [invalid(path.child("key"), key, msg) for msg in is_config_map_key(key)]
    return errors


def _validate_field_ref(ref: Mapping, path: Path) -> Errors:
    if not ref.get("apiVersion"):
        return [required(path.child("apiVersion"))]
    field_path = ref.get("fieldPath") or ""
    if not field_path:
        return [required(path.child("fieldPath"))]
    subscripted = _SUBSCRIPTED_FIELD.match(field_path)
    if subscripted:
        name = subscripted.group(2)
        if subscripted.group(1) == "metadata.annotations":
            name = name.lower()
        return [invalid(path, name, msg) for msg in is_qualified_name(name)]
    if field_path not in _ENV_FIELD_PATHS:
        return [not_supported(path.child("fieldPath"), field_path, _ENV_FIELD_PATHS)]
    return []


def validate_env(env: list | None, path: Path) -> Errors:
    errors: Errors = []
    for i, var in enumerate(env or []):
        at = path.index(i)
        name = var.get("name") or ""
        if not name:
            errors.append(required(at.child("name")))
        else:
            errors += [invalid(at.child("name"), name, msg)
                       for msg in is_relaxed_env_var_name(name)]
        source = var.get("valueFrom")
        if source is None:
            continue
        from_path = at.child("valueFrom")
        count = 0
        if source.get("fieldRef") is not None:
            count += 1
            errors += _validate_field_ref(source["fieldRef"], from_path.child("fieldRef"))
        if source.get("resourceFieldRef") is not None:
            count += 1
            resource = source["resourceFieldRef"].get("resource") or ""
            ref_path = from_path.child("resourceFieldRef")
            if not resource:
                errors.append(required(ref_path.child("resource")))
            elif resource not in _RESOURCE_FIELD_PATHS and not resource.startswith(
                ("requests.hugepages-", "limits.hugepages-")
            ):
                errors.append(not_supported(ref_path.child("resource"), resource,
                                            _RESOURCE_FIELD_PATHS))
        for kind in ("configMapKeyRef", "secretKeyRef"):
            if source.get(kind) is not None:
                count += 1
                errors += _validate_key_selector(source[kind], from_path.child(kind))
        if count == 0:
            errors.append(invalid(from_path, "", "must specify one of: `fieldRef`, "
                                                 "`resourceFieldRef`, `configMapKeyRef` or "
                                                 "`secretKeyRef`"))
        elif var.get("value"):
            errors.append(invalid(from_path, "", "may not be specified when `value` is not empty"))
        elif count > 1:
            errors.append(invalid(from_path, "",
                                  "may not have more than one field specified at a time"))
    return errors


def validate_env_from(env_from: list | None, path: Path) -> Errors:
    errors: Errors = []
    for i, source in enumerate(env_from or []):
        at = path.index(i)
        prefix = source.get("prefix") or ""
        if prefix:
            errors += [invalid(at.child("prefix"), prefix, msg)
                       for msg in is_relaxed_env_var_name(prefix)]
        count = 0
        for kind in ("configMapRef", "secretRef"):
            if source.get(kind) is None:
                continue
            count += 1
            name = source[kind].get("name") or ""
            if not name:
                errors.append(required(at.child(kind, "name")))
            else:
                errors += _dns_subdomain_errors(_mask_trailing_dash(name), at.child(kind, "name"))
        if count == 0:
            errors.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif count > 1:
            errors.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errors


def validate_volume_mounts(mounts: list | None, volumes: set[str], path: Path) -> Errors:
    errors: Errors = []
    mount_points: set[str] = set()
    for i, mount in enumerate(mounts or []):
        at = path.index(i)
        name, mount_path = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            errors.append(required(at.child("name")))
        if name not in volumes:
            errors.append(not_found(at.child("name"), name))
        if not mount_path:
            errors.append(required(at.child("mountPath")))
        if mount_path in mount_points:
            errors.append(invalid(at.child("mountPath"), mount_path, "must be unique"))
        mount_points.add(mount_path)
        sub_path = mount.get("subPath") or ""
        if sub_path:
            errors += _validate_local_path(sub_path, path.child("subPath"))
    return errors


def _port_num_or_name(port: object, path: Path) -> Errors:
    if isinstance(port, int):
        return [invalid(path, port, msg) for msg in is_valid_port_num(port)]
    return [invalid(path, port, msg) for msg in is_valid_port_name(str(port))]


def _validate_handler(handler: Mapping, path: Path, kinds: tuple[str, ...],
                      grace_period: int | None) -> Errors:
    errors: Errors = []
    found = False
    for kind in ("exec", "httpGet", "tcpSocket", "grpc", "sleep"):
        if kind not in kinds or handler.get(kind) is None:
            continue
        if found:
            errors.append(forbidden(path.child(kind), "may not specify more than 1 handler type"))
            continue
        found = True
        action, at = handler[kind], path.child(kind)
        if kind == "exec" and not action.get("command"):
            errors.append(required(at.child("command")))
        elif kind == "httpGet":
            if not action.get("path"):
                errors.append(required(at.child("path")))
            errors += _port_num_or_name(action.get("port", 0), at.child("port"))
            if action.get("scheme") not in ("HTTP", "HTTPS"):
                errors.append(not_supported(at.child("scheme"), action.get("scheme") or "",
                                            ["HTTP", "HTTPS"]))
        elif kind in ("tcpSocket", "grpc"):
            errors += _port_num_or_name(action.get("port", 0), at.child("port"))
        elif kind == "sleep" and grace_period is not None:
            seconds = action.get("seconds", 0)
            if seconds <= 0 or seconds > grace_period:
                errors.append(invalid(
                    at, seconds,
                    "must be greater than 0 and less than terminationGracePeriodSeconds "
                    f"({grace_period}). Enable AllowPodLifecycleSleepActionZeroValue feature "
                    "gate for zero sleep."))
    if not found:
        errors.append(required(path, "must specify a handler type"))
    return errors


_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")


def validate_probe(probe: Mapping | None, path: Path, kind: str,
                   grace_period: int | None) -> Errors:
    """A liveness, readiness or startup probe; ``kind`` is the field name."""
    if probe is None:
        return []
    errors = _validate_handler(probe, path, _PROBE_HANDLERS, grace_period)
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                  "failureThreshold"):
        errors += validate_nonnegative(probe.get(field, 0), path.child(field))
    grace = probe.get("terminationGracePeriodSeconds")
    if grace is not None and grace <= 0:
        errors.append(invalid(path.child("terminationGracePeriodSeconds"), grace,
                              "must be greater than 0"))
    if kind in ("livenessProbe", "startupProbe") and probe.get("successThreshold", 1) != 1:
        errors.append(invalid(path.child("successThreshold"), probe.get("successThreshold"),
                              "must be 1"))
    if kind == "readinessProbe" and grace is not None:
        errors.append(invalid(path.child("terminationGracePeriodSeconds"), grace,
                              "must not be set for readinessProbes"))
    return errors


def _validate_lifecycle(lifecycle: Mapping, path: Path, grace_period: int | None) -> Errors:
    errors: Errors = []
    for hook in ("postStart", "preStop"):
        if lifecycle.get(hook) is not None:
            errors += _validate_handler(lifecycle[hook], path.child(hook), _LIFECYCLE_HANDLERS,
                                        grace_period)
    return errors


def _validate_container_common(container: Mapping, volumes: set[str], path: Path) -> Errors:
    errors: Errors = []
    name = container.get("name") or ""
    if not name:
        errors.append(required(path.child("name")))
    else:
        errors += _dns_label_errors(name, path.child("name"))
    if not container.get("image"):
        errors.append(required(path.child("image")))
    policy = container.get("terminationMessagePolicy") or ""
    if not policy:
        errors.append(required(path.child("terminationMessagePolicy")))
    elif policy not in ("File", "FallbackToLogsOnError"):
        errors.append(not_supported(path.child("terminationMessagePolicy"), policy,
                                    ["File", "FallbackToLogsOnError"]))
    errors += validate_container_ports(container.get("ports"), path.child("ports"))
    errors += validate_env(container.get("env"), path.child("env"))
    errors += validate_env_from(container.get("envFrom"), path.child("envFrom"))
    errors += validate_volume_mounts(container.get("volumeMounts"), volumes,
                                     path.child("volumeMounts"))
    pull_policy = container.get("imagePullPolicy") or ""
    if not pull_policy:
        errors.append(required(path.child("imagePullPolicy")))
    elif pull_policy not in _PULL_POLICIES:
        errors.append(not_supported(path.child("imagePullPolicy"), pull_policy, _PULL_POLICIES))
    errors += validate_resource_requirements(container.get("resources"), path.child("resources"))
    return errors


def _check_host_ports(containers: list, path: Path) -> Errors:
    errors: Errors = []
    seen: set[str] = set()
    for ci, container in enumerate(containers):
        for pi, port in enumerate(container.get("ports") or []):
            host_port = port.get("hostPort") or 0
            if not host_port:
                continue
            key = f"{port.get('protocol', '')}/{port.get('hostIP', '')}/{host_port}"
            if key in seen:
                errors.append(duplicate(path.index(ci).child("ports").index(pi)
                                        .child("hostPort"), key))
            seen.add(key)
    return errors


def validate_containers(containers: list | None, volumes: set[str], path: Path,
                        grace_period: int | None) -> Errors:
    if not containers:
        return [required(path)]
    errors: Errors = []
    names: set[str] = set()
    for i, container in enumerate(containers):
        at = path.index(i)
        errors += _validate_container_common(container, volumes, at)
        name = container.get("name") or ""
        if name in names:
            errors.append(duplicate(at.child("name"), name))
        else:
            names.add(name)
        if container.get("lifecycle") is not None:
            errors += _validate_lifecycle(container["lifecycle"], at.child("lifecycle"),
                                          grace_period)
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            errors += validate_probe(container.get(kind), at.child(kind), kind, grace_period)
        if container.get("restartPolicy") is not None:
            errors.append(forbidden(at.child("restartPolicy"),
                                    "may not be set for non-init containers"))
    return errors + _check_host_ports(containers, path)


def validate_init_containers(init_containers: list | None, containers: list | None,
                             volumes: set[str], path: Path, grace_period: int | None) -> Errors:
    errors: Errors = []
    names = {c.get("name") for c in containers or []}
    for i, container in enumerate(init_containers or []):
        at = path.index(i)
        errors += _validate_container_common(container, volumes, at)
        restart_policy = container.get("restartPolicy")
        if restart_policy is not None and restart_policy != "Always":
            errors.append(not_supported(at.child("restartPolicy"), restart_policy, ["Always"]))
        name = container.get("name") or ""
        if name in names:
            errors.append(duplicate(at.child("name"), name))
        elif name:
            names.add(name)
        errors += _check_host_ports([container], path)
        if restart_policy == "Always":
            if container.get("lifecycle") is not None:
                errors += _validate_lifecycle(container["lifecycle"], at.child("lifecycle"),
                                              grace_period)
            for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
                errors += validate_probe(container.get(kind), at.child(kind), kind, grace_period)
        else:
            for kind in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(kind) is not None:
                    errors.append(forbidden(
                        at.child(kind),
                        "may not be set for init containers without restartPolicy=Always"))
    return errors


# -- pod spec (ValidatePodSpec) ------------------------------------------------------------------
_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
_DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
_NODE_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")


def validate_tolerations(tolerations: list | None, path: Path) -> Errors:
    errors: Errors = []
    for i, toleration in enumerate(tolerations or []):
        at = path.index(i)
        key = toleration.get("key") or ""
        operator = toleration.get("operator") or ""
        effect = toleration.get("effect") or ""
        value = toleration.get("value") or ""
        if key:
            errors += [invalid(at.child("key"), key, msg) for msg in is_qualified_name(key)]
        if not key and operator != "Exists":
            errors.append(invalid(at.child("operator"), operator,
                                  "operator must be Exists when `key` is empty, which means "
                                  "\"match all values and all keys\""))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errors.append(invalid(at.child("effect"), effect,
                                  "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator in ("Equal", ""):
            problems = is_valid_label_value(value)
            if problems:
                errors.append(invalid(at.child("operator"), value, ";".join(problems)))
        elif operator == "Exists":
            if value:
                errors.append(invalid(at.child("operator"), value,
                                      "value must be empty when `operator` is 'Exists'"))
        else:
            errors.append(not_supported(at.child("operator"), operator, ["Equal", "Exists"]))
        if effect and effect not in _TAINT_EFFECTS:
            errors.append(not_supported(at.child("effect"), effect, _TAINT_EFFECTS))
    return errors


def _validate_node_selector_term(term: Mapping, path: Path, check_values: bool) -> Errors:
    errors: Errors = []
    for j, requirement in enumerate(term.get("matchExpressions") or []):
        at = path.child("matchExpressions").index(j)
        operator, values = requirement.get("operator"), requirement.get("values") or []
        if operator in ("In", "NotIn") and not values:
            errors.append(required(at.child("values"),
                                   "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist") and values:
            errors.append(forbidden(at.child("values"), "may not be specified when `operator` "
                                                        "is 'Exists' or 'DoesNotExist'"))
        elif operator in ("Gt", "Lt") and len(values) != 1:
            errors.append(required(at.child("values"), "must be specified single value when "
                                                       "`operator` is 'Lt' or 'Gt'"))
        elif operator not in _NODE_SELECTOR_OPERATORS:
            errors.append(invalid(at.child("operator"), operator or "",
                                  "not a valid selector operator"))
        key = requirement.get("key") or ""
        errors += [invalid(at.child("key"), key, msg) for msg in is_qualified_name(key)]
        if check_values:
            for k, value in enumerate(values):
                errors += [invalid(at.child("values").index(k), value, msg)
                           for msg in is_valid_label_value(value)]
    return errors


def _validate_pod_affinity_term(term: Mapping, path: Path) -> Errors:
    errors = validate_label_selector(term.get("labelSelector"), path.child("labelSelector"))
    for name in term.get("namespaces") or []:
        errors += _dns_label_errors(name, path.child("namespace"))
    topology_key = term.get("topologyKey") or ""
    if not topology_key:
        errors.append(required(path.child("topologyKey"), "can not be empty"))
    errors += [invalid(path.child("topologyKey"), topology_key, msg)
               for msg in is_qualified_name(topology_key)]
    return errors


def validate_affinity(affinity: Mapping | None, path: Path) -> Errors:
    if not affinity:
        return []
    errors: Errors = []
    node = affinity.get("nodeAffinity")
    if node:
        node_path = path.child("nodeAffinity")
        required_terms = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if required_terms is not None:
            terms_path = node_path.child("requiredDuringSchedulingIgnoredDuringExecution",
                                         "nodeSelectorTerms")
            terms = required_terms.get("nodeSelectorTerms") or []
            if not terms:
                errors.append(required(terms_path, "must have at least one node selector term"))
            for i, term in enumerate(terms):
                errors += _validate_node_selector_term(term, terms_path.index(i), True)
        preferred_path = node_path.child("preferredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution")
                                 or []):
            weight = term.get("weight", 0)
            if not 1 <= weight <= 100:
                errors.append(invalid(preferred_path.index(i).child("weight"), weight,
                                      "must be in the range 1-100"))
            errors += _validate_node_selector_term(term.get("preference") or {},
                                                   preferred_path.index(i).child("preference"),
                                                   False)
    for kind in ("podAffinity", "podAntiAffinity"):
        spec = affinity.get(kind)
        if not spec:
            continue
        kind_path = path.child(kind)
        required_path = kind_path.child("requiredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(spec.get("requiredDuringSchedulingIgnoredDuringExecution")
                                 or []):
            errors += _validate_pod_affinity_term(term, required_path.index(i))
        preferred_path = kind_path.child("preferredDuringSchedulingIgnoredDuringExecution")
        for i, weighted in enumerate(spec.get("preferredDuringSchedulingIgnoredDuringExecution")
                                     or []):
            weight = weighted.get("weight", 0)
            if not 1 <= weight <= 100:
                errors.append(invalid(preferred_path.index(i).child("weight"), weight,
                                      "must be in the range 1-100"))
            errors += _validate_pod_affinity_term(weighted.get("podAffinityTerm") or {},
                                                  preferred_path.index(i).child("podAffinityTerm"))
    return errors


# Verdicts on pod specs already seen, by (path, the spec as canonical JSON). A cluster validates
# the same spec over and over: every pod of a ReplicaSet comes from one template, every scale of
# the ReplicaSet and every binding of a pod writes an unchanged spec again. Validation is a pure
# function of the spec, so each distinct one is checked once (and the memo is forgotten when it
# grows past POD_SPEC_VERDICTS_KEPT).
POD_SPEC_VERDICTS_KEPT = 1024
_pod_spec_verdicts: dict[tuple[str, str], Errors] = {}


def validate_pod_spec(spec: Mapping | None, path: Path) -> Errors:
    """``ValidatePodSpec``: every problem of a pod spec found at ``path``."""
    try:
        key = (path.text, canonical_json(spec))
    except (TypeError, ValueError):
        # Keys of mixed types or values JSON cannot write: only a malformed spec, checked afresh.
        return _validate_pod_spec(spec, path)
    verdict = _pod_spec_verdicts.get(key)
    if verdict is None:
        if len(_pod_spec_verdicts) >= POD_SPEC_VERDICTS_KEPT:
            _pod_spec_verdicts.clear()
        verdict = _pod_spec_verdicts[key] = _validate_pod_spec(spec, path)
    return list(verdict)


def _validate_pod_spec(spec: Mapping | None, path: Path) -> Errors:
    spec = spec or {}
    errors: Errors = []
    grace_period = spec.get("terminationGracePeriodSeconds")
    if grace_period is None:
        errors.append(required(path.child("terminationGracePeriodSeconds")))
    volumes, volume_errors = validate_volumes(spec.get("volumes"), path.child("volumes"))
    errors += volume_errors
    errors += validate_containers(spec.get("containers"), volumes, path.child("containers"),
                                  grace_period)
    errors += validate_init_containers(spec.get("initContainers"), spec.get("containers"),
                                       volumes, path.child("initContainers"), grace_period)
    restart_policy = spec.get("restartPolicy") or ""
    if not restart_policy:
        errors.append(required(path.child("restartPolicy")))
    elif restart_policy not in _RESTART_POLICIES:
        errors.append(not_supported(path.child("restartPolicy"), restart_policy,
                                    _RESTART_POLICIES))
    dns_policy = spec.get("dnsPolicy") or ""
    if not dns_policy:
        errors.append(required(path.child("dnsPolicy")))
    elif dns_policy not in _DNS_POLICIES:
        errors.append(not_supported(path.child("dnsPolicy"), dns_policy, _DNS_POLICIES))
    errors += validate_labels(spec.get("nodeSelector"), path.child("nodeSelector"))
    errors += _validate_pod_security_context(spec.get("securityContext"),
                                             path.child("securityContext"))
    errors += validate_affinity(spec.get("affinity"), path.child("affinity"))
    if spec.get("serviceAccountName"):
        errors += _dns_subdomain_errors(spec["serviceAccountName"],
                                        path.child("serviceAccountName"))
    if spec.get("nodeName"):
        errors += _dns_subdomain_errors(spec["nodeName"], path.child("nodeName"))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= 2**31 - 1:
        errors.append(invalid(path.child("activeDeadlineSeconds"), deadline,
                              "must be between 1 and 2147483647, inclusive"))
    for field in ("hostname", "subdomain"):
        if spec.get(field):
            errors += _dns_label_errors(spec[field], path.child(field))
    errors += validate_tolerations(spec.get("tolerations"), path.child("tolerations"))
    if spec.get("priorityClassName"):
        errors += _dns_subdomain_errors(spec["priorityClassName"], path.child("priorityClassName"))
    preemption = spec.get("preemptionPolicy")
    if preemption is not None and preemption not in ("PreemptLowerPriority", "Never"):
        errors.append(not_supported(path.child("preemptionPolicy"), preemption,
                                    ["PreemptLowerPriority", "Never"]))
    return errors


def _validate_pod_security_context(context: Mapping | None, path: Path) -> Errors:
    errors: Errors = []
    for field in ("runAsUser", "runAsGroup", "fsGroup"):
        value = (context or {}).get(field)
        if value is not None and not 0 <= value <= 2**31 - 1:
            errors.append(invalid(path.child(field), value,
                                  "must be between 0 and 2147483647, inclusive"))
    return errors


def validate_pod_template(template: Mapping | None, path: Path) -> Errors:
    """``ValidatePodTemplateSpec``: note that upstream checks labels at ``<path>.labels``."""
    template = template or {}
    meta = template.get("metadata") or {}
    errors = validate_labels(meta.get("labels"), path.child("labels"))
    errors += validate_annotations(meta.get("annotations"), path.child("annotations"))
    return errors + validate_pod_spec(template.get("spec"), path.child("spec"))


# -- kinds ---------------------------------------------------------------------------------------
def validate_pod(pod: Mapping) -> Errors:
    errors = validate_object_meta(pod.get("metadata"), True, is_dns1123_subdomain)
    spec_path = Path("spec")
    errors += validate_pod_spec(pod.get("spec"), spec_path)
    spec = pod.get("spec") or {}
    for kind in ("containers", "initContainers"):
        for i, container in enumerate(spec.get(kind) or []):
            image = container.get("image") or ""
            if image != image.strip():
                errors.append(invalid(spec_path.child(kind).index(i).child("image"), image,
                                      "must not have leading or trailing whitespace"))
    return errors


def _validate_replica_template(spec: Mapping, path: Path) -> Errors:
    """``ValidatePodTemplateSpecForReplicaSet`` (shared by Deployments and ReplicaSets)."""
    template_path = path.child("template")
    template = spec.get("template")
    if template is None:
        return [required(template_path)]
    errors: Errors = []
    labels = (template.get("metadata") or {}).get("labels")
    selector = _as_selector(spec.get("selector"))
    # A missing selector selects nothing, so it "does not match" too, as upstream reports.
    if selector is not None and not selector.empty and not selector.matches(labels or {}):
        errors.append(invalid_go(template_path.child("metadata", "labels"), go_string_map(labels),
                                 "`selector` does not match template `labels`"))
    errors += validate_pod_template(template, template_path)
    template_spec = template.get("spec") or {}
    restart_policy = template_spec.get("restartPolicy") or ""
    if restart_policy != "Always":
        errors.append(not_supported(template_path.child("spec", "restartPolicy"), restart_policy,
                                    ["Always"]))
    if template_spec.get("activeDeadlineSeconds") is not None:
        errors.append(forbidden(template_path.child("spec", "activeDeadlineSeconds"),
                                "activeDeadlineSeconds in ReplicaSet is not Supported"))
    return errors


def _validate_workload_selector(spec: Mapping, path: Path) -> Errors:
    selector = spec.get("selector")
    selector_path = path.child("selector")
    if selector is None:
        return [required(selector_path)]
    errors = validate_label_selector(selector, selector_path)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errors.append(invalid_go(selector_path, go_label_selector(selector),
                                 "empty selector is invalid for deployment"))
    if _as_selector(selector) is None:
        errors.append(invalid_go(selector_path, go_label_selector(selector),
                                 "invalid label selector"))
    return errors


def _validate_int_or_percent(value: object, path: Path) -> Errors:
    """``ValidatePositiveIntOrPercent``; an IntOrString prints unquoted (its String())."""
    if isinstance(value, str):
        return [invalid_go(path, value, msg) for msg in is_valid_percent(value)]
    return validate_nonnegative(value, path)


def _int_or_percent_value(value: object) -> int:
    if isinstance(value, str):
        return int(value[:-1]) if _PERCENT_RE.match(value) else 0
    return value if isinstance(value, int) else 0


def validate_deployment_strategy(strategy: Mapping | None, path: Path) -> Errors:
    strategy = strategy or {}
    kind = strategy.get("type") or ""
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [forbidden(path.child("rollingUpdate"),
                              "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [required(path.child("rollingUpdate"),
                             "this should be defaulted and never be nil")]
        at = path.child("rollingUpdate")
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errors = _validate_int_or_percent(unavailable, at.child("maxUnavailable"))
        errors += _validate_int_or_percent(surge, at.child("maxSurge"))
        if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
            errors.append(invalid_go(at.child("maxUnavailable"), str(unavailable),
                                     "may not be 0 when `maxSurge` is 0"))
        if isinstance(unavailable, str) and _int_or_percent_value(unavailable) > 100:
            errors.append(invalid_go(at.child("maxUnavailable"), unavailable,
                                     "must not be greater than 100%"))
        return errors
    shown = ('apps.DeploymentStrategy{Type:' + _go_string(kind) + ', RollingUpdate:'
             + ("(*apps.RollingUpdateDeployment)(nil)" if rolling is None
                else "&apps.RollingUpdateDeployment{...}") + "}")
    return [FieldError(str(path), "Unsupported value", OMIT,
                       f'{shown}: supported values: "Recreate", "RollingUpdate"')]


def validate_deployment(deployment: Mapping) -> Errors:
    errors = validate_object_meta(deployment.get("metadata"), True, is_dns1123_subdomain)
    spec, path = deployment.get("spec") or {}, Path("spec")
    errors += validate_nonnegative(spec.get("replicas", 1), path.child("replicas"))
    errors += _validate_workload_selector(spec, path)
    errors += _validate_replica_template(spec, path)
    errors += validate_deployment_strategy(spec.get("strategy"), path.child("strategy"))
    min_ready = spec.get("minReadySeconds", 0)
    errors += validate_nonnegative(min_ready, path.child("minReadySeconds"))
    if spec.get("revisionHistoryLimit") is not None:
        errors += validate_nonnegative(spec["revisionHistoryLimit"],
                                       path.child("revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errors += validate_nonnegative(deadline, path.child("progressDeadlineSeconds"))
        if deadline <= min_ready:
            errors.append(invalid(path.child("progressDeadlineSeconds"), deadline,
                                  "must be greater than minReadySeconds"))
    return errors


def validate_replica_set(replica_set: Mapping) -> Errors:
    errors = validate_object_meta(replica_set.get("metadata"), True, is_dns1123_subdomain)
    spec, path = replica_set.get("spec") or {}, Path("spec")
    errors += validate_nonnegative(spec.get("replicas", 1), path.child("replicas"))
    errors += validate_nonnegative(spec.get("minReadySeconds", 0), path.child("minReadySeconds"))
    errors += _validate_workload_selector(spec, path)
    return errors + _validate_replica_template(spec, path)


_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def _go_service_port_key(protocol: str, port: int) -> str:
    """The ``core.ServicePort{Protocol, Port}`` key upstream reports for a duplicate port."""
    return (f'core.ServicePort{{Name:"", Protocol:{_go_string(protocol)}, '
            f'AppProtocol:(*string)(nil), Port:{port}, '
            'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')


def validate_service(service: Mapping) -> Errors:
    errors = validate_object_meta(service.get("metadata"), True, is_dns1035_label)
    spec, path = service.get("spec") or {}, Path("spec")
    kind = spec.get("type") or ""
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless and kind != "ExternalName":
        errors.append(required(path.child("ports")))
    if kind in ("LoadBalancer", "NodePort") and headless:
        errors.append(invalid(path.child("clusterIPs").index(0), "None",
                              f"may not be set to 'None' for {kind} services"))
    if kind == "ExternalName":
        external_name = (spec.get("externalName") or "").removesuffix(".")
        if external_name:
            errors += _dns_subdomain_errors(external_name, path.child("externalName"))
        else:
            errors.append(required(path.child("externalName")))
    names: set[str] = set()
    for i, port in enumerate(ports):
        errors += _validate_service_port(port, len(ports) > 1, names, path.child("ports").index(i))
    if spec.get("selector") is not None:
        errors += validate_labels(spec["selector"], path.child("selector"))
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        errors.append(required(path.child("sessionAffinity")))
    elif affinity not in ("ClientIP", "None"):
        errors.append(not_supported(path.child("sessionAffinity"), affinity, ["ClientIP", "None"]))
    if affinity == "ClientIP":
        timeout = (((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {})
                   .get("timeoutSeconds"))
        timeout_path = path.child("sessionAffinityConfig", "clientIP", "timeoutSeconds")
        if timeout is None:
            errors.append(required(timeout_path, "when session affinity type is ClientIP"))
        elif not 0 < timeout <= MAX_CLIENT_IP_AFFINITY_SECONDS:
            errors.append(invalid(timeout_path, timeout, "must be greater than 0 and less than "
                                                         f"{MAX_CLIENT_IP_AFFINITY_SECONDS}"))
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errors.append(forbidden(path.child("sessionAffinityConfig"),
                                "must not be set when session affinity is None"))
    cluster_ip = spec.get("clusterIP") or ""
    if cluster_ip and cluster_ip != "None" and not _is_valid_ip(cluster_ip):
        errors.append(invalid(path.child("clusterIPs").index(0), cluster_ip,
                              "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
    for i, ip in enumerate(spec.get("externalIPs") or []):
        if not _is_valid_ip(ip):
            errors.append(invalid(path.child("externalIPs").index(i), ip,
                                  "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
    if not kind:
        errors.append(required(path.child("type")))
    elif kind not in _SERVICE_TYPES:
        errors.append(not_supported(path.child("type"), kind, _SERVICE_TYPES))
    errors += _validate_node_ports(spec, kind, path)
    seen: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        key = (port.get("protocol") or "", port.get("port") or 0)
        if key in seen:
            errors.append(FieldError(str(path.child("ports").index(i)), "Duplicate value", OMIT,
                                     _go_service_port_key(*key)))
        seen.add(key)
    errors += _validate_traffic_policies(spec, kind, path)
    return errors


def _validate_service_port(port: Mapping, require_name: bool, names: set[str],
                           path: Path) -> Errors:
    errors: Errors = []
    name = port.get("name") or ""
    if require_name and not name:
        errors.append(required(path.child("name")))
    elif name:
        errors += _dns_label_errors(name, path.child("name"))
        if name in names:
            errors.append(duplicate(path.child("name"), name))
        names.add(name)
    number = port.get("port") or 0
    errors += [invalid(path.child("port"), number, msg) for msg in is_valid_port_num(number)]
    protocol = port.get("protocol") or ""
    if not protocol:
        errors.append(required(path.child("protocol")))
    elif protocol not in _PROTOCOLS:
        errors.append(not_supported(path.child("protocol"), protocol, _PROTOCOLS))
    errors += _port_num_or_name(port.get("targetPort", 0), path.child("targetPort"))
    return errors


def _validate_node_ports(spec: Mapping, kind: str, path: Path) -> Errors:
    """nodePort: forbidden on ClusterIP, unique, and inside the node port range.

    The range check is the port allocator's (``pkg/registry/core/service/portallocator``),
    which answers with an Invalid error on the port itself.
    """
    errors: Errors = []
    low, high = NODE_PORT_RANGE
    seen: set[tuple[str, int]] = set()
    for i, port in enumerate(spec.get("ports") or []):
        node_port = port.get("nodePort") or 0
        if not node_port:
            continue
        at = path.child("ports").index(i).child("nodePort")
        if kind == "ClusterIP":
            errors.append(forbidden(at, "may not be used when `type` is 'ClusterIP'"))
            continue
        key = (port.get("protocol") or "", node_port)
        if key in seen:
            errors.append(duplicate(at, node_port))
        seen.add(key)
        if not low <= node_port <= high:
            errors.append(invalid(at, node_port, "provided port is not in the valid range. "
                                                  f"The range of valid ports is {low}-{high}"))
    return errors


def _validate_traffic_policies(spec: Mapping, kind: str, path: Path) -> Errors:
    errors: Errors = []
    external = spec.get("externalTrafficPolicy") or ""
    externally_accessible = kind in ("NodePort", "LoadBalancer") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs")))
    if not externally_accessible:
        if external:
            errors.append(invalid(path.child("externalTrafficPolicy"), external,
                                  "may only be set for externally-accessible services"))
    elif not external:
        errors.append(required(path.child("externalTrafficPolicy")))
    elif external not in ("Cluster", "Local"):
        errors.append(not_supported(path.child("externalTrafficPolicy"), external,
                                    ["Cluster", "Local"]))
    internal = spec.get("internalTrafficPolicy")
    if internal is None and kind in ("NodePort", "LoadBalancer", "ClusterIP"):
        errors.append(required(path.child("internalTrafficPolicy")))
    elif internal is not None and internal not in ("Cluster", "Local"):
        errors.append(not_supported(path.child("internalTrafficPolicy"), internal,
                                    ["Cluster", "Local"]))
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        errors.append(forbidden(path.child("allocateLoadBalancerNodePorts"),
                                "may only be used when `type` is 'LoadBalancer'"))
    return errors


def _data_size_and_key_errors(data: Mapping | None, path: Path, decoded: bool) -> tuple[int,
                                                                                        Errors]:
    total, errors = 0, []
    for key in sorted(data or {}):
        errors += [invalid(path.key(key), key, msg) for msg in is_config_map_key(key)]
        value = (data or {})[key] or ""
        total += len(_decoded(value)) if decoded else len(str(value).encode("utf-8"))
    return total, errors


def _decoded(value: str) -> bytes:
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        return value.encode("utf-8")


def validate_config_map(config_map: Mapping) -> Errors:
    errors = validate_object_meta(config_map.get("metadata"), True, is_dns1123_subdomain)
    data, binary = config_map.get("data") or {}, config_map.get("binaryData") or {}
    size, key_errors = _data_size_and_key_errors(data, Path("data"), decoded=False)
    errors += key_errors
    for key in sorted(data):
        if key in binary:
            errors.append(invalid(Path("data").key(key), key,
                                  "duplicate of key present in binaryData"))
    binary_size, key_errors = _data_size_and_key_errors(binary, Path("binaryData"), decoded=True)
    errors += key_errors
    if size + binary_size > MAX_SECRET_SIZE:
        errors.append(too_long(Path("").key(""), MAX_SECRET_SIZE))
    return errors


_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
}


def validate_secret(secret: Mapping) -> Errors:
    errors = validate_object_meta(secret.get("metadata"), True, is_dns1123_subdomain)
    data = secret.get("data") or {}
    data_path = Path("data")
    size, key_errors = _data_size_and_key_errors(data, data_path, decoded=True)
    errors += key_errors
    if size > MAX_SECRET_SIZE:
        errors.append(too_long(data_path, MAX_SECRET_SIZE))
    kind = secret.get("type") or ""
    if kind == "kubernetes.io/service-account-token":
        annotations = (secret.get("metadata") or {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            errors.append(required(Path("metadata").child("annotations")
                                   .key("kubernetes.io/service-account.name")))
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errors += [required(data_path.key("username")), required(data_path.key("password"))]
    else:
        errors += [required(data_path.key(key))
                   for key in _SECRET_REQUIRED_KEYS.get(kind, ()) if key not in data]
    return errors


_ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
_VOLUME_MODES = ["Block", "Filesystem"]


def _validate_access_modes(modes: list | None, path: Path) -> Errors:
    if not modes:
        return [required(path, "at least 1 access mode is required")]
    errors = [not_supported(path, mode, _ACCESS_MODES) for mode in modes
              if mode not in _ACCESS_MODES]
    if "ReadWriteOncePod" in modes and len(set(modes)) > 1:
        errors.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errors


def validate_persistent_volume_claim(claim: Mapping) -> Errors:
    errors = validate_object_meta(claim.get("metadata"), True, is_dns1123_subdomain)
    spec, path = claim.get("spec") or {}, Path("spec")
    errors += _validate_access_modes(spec.get("accessModes"), path.child("accessModes"))
    errors += validate_label_selector(spec.get("selector"), path.child("selector"))
    storage_path = path.child("resources").key("storage")
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if storage is None:
        errors.append(required(storage_path))
    else:
        quantity = _quantity(storage, storage_path, errors)
        if quantity is not None and quantity.sign() <= 0:
            errors.append(invalid(storage_path, str(quantity), "must be greater than zero"))
    if spec.get("storageClassName"):
        errors += _dns_subdomain_errors(spec["storageClassName"], path.child("storageClassName"))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errors.append(not_supported(path.child("volumeMode"), mode, _VOLUME_MODES))
    return errors


_PV_SOURCES = [s for s in _VOLUME_SOURCES if s not in (
    "emptyDir", "gitRepo", "secret", "persistentVolumeClaim", "downwardAPI", "configMap",
    "projected", "ephemeral", "image")] + ["local"]


def validate_persistent_volume(volume: Mapping) -> Errors:
    errors = validate_object_meta(volume.get("metadata"), False, is_dns1123_subdomain)
    spec, path = volume.get("spec") or {}, Path("spec")
    errors += _validate_access_modes(spec.get("accessModes"), path.child("accessModes"))
    capacity = spec.get("capacity") or {}
    if not capacity:
        errors.append(required(path.child("capacity")))
    for name in sorted(capacity):
        if name != "storage":
            errors.append(not_supported(path.child("capacity"), name, ["storage"]))
            continue
        at = path.child("capacity").key(name)
        quantity = _quantity(capacity[name], at, errors)
        if quantity is not None and quantity.sign() <= 0:
            errors.append(invalid(at, str(quantity), "must be greater than zero"))
    sources = [s for s in _PV_SOURCES if spec.get(s) is not None]
    if not sources:
        errors.append(required(path, "must specify a volume type"))
    for extra in sources[1:]:
        errors.append(forbidden(path.child(extra), "may not specify more than 1 volume type"))
    if sources and sources[0] == "hostPath" and not spec["hostPath"].get("path"):
        errors.append(required(path.child("hostPath", "path")))
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy and policy not in ("Delete", "Recycle", "Retain"):
        errors.append(not_supported(path.child("persistentVolumeReclaimPolicy"), policy,
                                    ["Delete", "Recycle", "Retain"]))
    if spec.get("storageClassName"):
        errors += _dns_subdomain_errors(spec["storageClassName"], path.child("storageClassName"))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errors.append(not_supported(path.child("volumeMode"), mode, _VOLUME_MODES))
    return errors


def validate_storage_class(storage_class: Mapping) -> Errors:
    errors = validate_object_meta(storage_class.get("metadata"), False, is_dns1123_subdomain)
    provisioner = storage_class.get("provisioner") or ""
    if not provisioner:
        errors.append(required(Path("provisioner")))
    else:
        errors += [invalid(Path("provisioner"), provisioner, msg)
                   for msg in is_qualified_name(provisioner.lower())]
    policy = storage_class.get("reclaimPolicy")
    if policy is not None and policy not in ("Delete", "Retain"):
        errors.append(not_supported(Path("reclaimPolicy"), policy, ["Delete", "Retain"]))
    mode = storage_class.get("volumeBindingMode")
    if mode is not None and mode not in ("Immediate", "WaitForFirstConsumer"):
        errors.append(not_supported(Path("volumeBindingMode"), mode,
                                    ["Immediate", "WaitForFirstConsumer"]))
    return errors


def validate_node(node: Mapping) -> Errors:
    errors = validate_object_meta(node.get("metadata"), False, is_dns1123_subdomain)
    # Upstream validates node taints under metadata.taints (fldPath is "metadata").
    taints_path = Path("metadata").child("taints")
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate((node.get("spec") or {}).get("taints") or []):
        at = taints_path.index(i)
        key, effect = taint.get("key") or "", taint.get("effect") or ""
        errors += [invalid(at.child("key"), key, msg) for msg in is_qualified_name(key)]
        problems = is_valid_label_value(taint.get("value") or "")
        if problems:
            errors.append(invalid(at.child("value"), taint.get("value") or "", ";".join(problems)))
        if not effect:
            errors.append(required(at.child("effect")))
        elif effect not in _TAINT_EFFECTS:
            errors.append(not_supported(at.child("effect"), effect, _TAINT_EFFECTS))
        if (key, effect) in seen:
            errors.append(FieldError(str(at), "Duplicate value", OMIT,
                                     "taints must be unique by key and effect pair"))
        seen.add((key, effect))
    status = node.get("status") or {}
    for field in ("capacity", "allocatable"):
        for name, value in sorted((status.get(field) or {}).items()):
            at = Path("status").child(field, name)
            quantity = _quantity(value, at, errors)
            if quantity is not None and quantity.sign() < 0:
                errors.append(invalid(at, str(quantity), IS_NEGATIVE_ERROR))
    return errors


def validate_namespace(namespace: Mapping) -> Errors:
    return validate_object_meta(namespace.get("metadata"), False, is_dns1123_label)


def _validate_named(namespaced: bool) -> Callable[[Mapping], Errors]:
    def check(obj: Mapping) -> Errors:
        return validate_object_meta(obj.get("metadata"), namespaced, is_dns1123_subdomain)

    return check


_VALIDATORS: dict[str, Callable[[Mapping], Errors]] = {
    "Pod": validate_pod,
    "Deployment": validate_deployment,
    "ReplicaSet": validate_replica_set,
    "Service": validate_service,
    "ConfigMap": validate_config_map,
    "Secret": validate_secret,
    "PersistentVolumeClaim": validate_persistent_volume_claim,
    "PersistentVolume": validate_persistent_volume,
    "StorageClass": validate_storage_class,
    "Node": validate_node,
    "Namespace": validate_namespace,
    "Endpoints": _validate_named(True),
    "EndpointSlice": _validate_named(True),
    "ServiceAccount": _validate_named(True),
    "Event": _validate_named(True),
    "Lease": _validate_named(True),
}


def validate(obj: Mapping) -> list[FieldError]:
    """Every problem the API server would report for ``obj`` (already defaulted)."""
    check = _VALIDATORS.get(obj.get("kind", ""))
    return check(obj) if check else []


# -- updates -------------------------------------------------------------------------------------
_UPDATABLE_POD_SPEC_FIELDS = ",".join([
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
])


def _changed_paths(old: object, new: object, path: str) -> list[str]:
    """The leaves where ``old`` and ``new`` differ, as ``- path: old`` / ``+ path: new`` lines."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new)):
            lines += _changed_paths(old.get(key), new.get(key), f"{path}.{key}")
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        lines = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            lines += _changed_paths(a, b, f"{path}[{i}]")
        return lines
    if old == new:
        return []
    return [f"- {path}: {json.dumps(old)}", f"+ {path}: {json.dumps(new)}"]


def _validate_pod_update(new: Mapping, old: Mapping) -> Errors:
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    errors: Errors = []
    for kind in ("containers", "initContainers"):
        if len(new_spec.get(kind) or []) != len(old_spec.get(kind) or []):
            return [forbidden(Path("spec").child(kind),
                              "pod updates may not add or remove containers")]
    for toleration in old_spec.get("tolerations") or []:
        wanted = {k: v for k, v in toleration.items() if k != "tolerationSeconds"}
        if not any({k: v for k, v in t.items() if k != "tolerationSeconds"} == wanted
                   for t in new_spec.get("tolerations") or []):
            errors.append(forbidden(Path("spec").child("tolerations"),
                                    "existing toleration can not be modified except its "
                                    "tolerationSeconds"))
            break
    munged, before = copy.deepcopy(dict(new_spec)), copy.deepcopy(dict(old_spec))
    for kind in ("containers", "initContainers"):
        for container, previous in zip(munged.get(kind) or [], before.get(kind) or [],
                                       strict=True):
            container["image"] = previous.get("image")
    for field in ("activeDeadlineSeconds", "tolerations", "schedulingGates"):
        munged.pop(field, None)
        if field in before:
            munged[field] = before[field]
    if not before.get("nodeName"):
        # The simulated scheduler binds a pod by setting spec.nodeName once, which a real
        # scheduler does through the Binding subresource.
        munged.pop("nodeName", None)
        before.pop("nodeName", None)
    if munged != before:
        diff = "\n".join(_changed_paths(before, munged, "spec"))
        errors.append(forbidden(Path("spec"), "pod updates may not change fields other than "
                                              f"{_UPDATABLE_POD_SPEC_FIELDS}\n{diff}"))
    return errors


def _validate_selector_immutable(new: Mapping, old: Mapping) -> Errors:
    selector = (new.get("spec") or {}).get("selector")
    if selector != (old.get("spec") or {}).get("selector"):
        return [invalid_go(Path("spec").child("selector"), go_label_selector(selector),
                           FIELD_IMMUTABLE)]
    return []


def _validate_immutable_data(new: Mapping, old: Mapping) -> Errors:
    if not old.get("immutable"):
        return []
    errors: Errors = []
    detail = "field is immutable when `immutable` is set"
    if not new.get("immutable"):
        errors.append(forbidden(Path("immutable"), detail))
    for field in ("data", "binaryData"):
        if (new.get(field) or None) != (old.get(field) or None):
            errors.append(forbidden(Path(field), detail))
    return errors


def _validate_service_update(new: Mapping, old: Mapping) -> Errors:
    old_ips = (old.get("spec") or {}).get("clusterIPs") or []
    new_ips = (new.get("spec") or {}).get("clusterIPs") or []
    if old_ips and new_ips and old_ips[0] != new_ips[0]:
        shown = "[]string{" + ", ".join(_go_string(ip) for ip in new_ips) + "}"
        return [invalid_go(Path("spec").child("clusterIPs").index(0), shown,
                           "may not change once set")]
    return []


def _validate_claim_update(new: Mapping, old: Mapping) -> Errors:
    """A claim's spec is fixed once created, but for its size and its first volumeName."""
    after, before = copy.deepcopy(new.get("spec") or {}), copy.deepcopy(old.get("spec") or {})
    for spec in (after, before):
        (spec.get("resources") or {}).pop("requests", None)
    if not before.get("volumeName"):
        after.pop("volumeName", None)
        before.pop("volumeName", None)
    if after != before:
        diff = "\n".join(_changed_paths(before, after, "spec"))
        return [forbidden(Path("spec"), "spec is immutable after creation except "
                                        "resources.requests and volumeAttributesClassName for "
                                        f"bound claims\n{diff}")]
    return []


_UPDATE_VALIDATORS: dict[str, Callable[[Mapping, Mapping], Errors]] = {
    "Pod": _validate_pod_update,
    "Deployment": _validate_selector_immutable,
    "ReplicaSet": _validate_selector_immutable,
    "ConfigMap": _validate_immutable_data,
    "Secret": _validate_immutable_data,
    "Service": _validate_service_update,
    "PersistentVolumeClaim": _validate_claim_update,
}


def validate_update(new: Mapping, old: Mapping) -> list[FieldError]:
    """The extra rules of an update, comparing ``new`` with the stored ``old``."""
    check = _UPDATE_VALIDATORS.get(new.get("kind", ""))
    return check(new, old) if check else []
