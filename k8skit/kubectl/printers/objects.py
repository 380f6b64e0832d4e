"""Whole objects as kubectl prints them: ``-o yaml``, ``-o json``, ``-o name``, ``-o jsonpath``
and ``-o custom-columns``.

kubectl turns the object into JSON first (Go's ``encoding/json``, which sorts map keys) and,
for YAML, converts that JSON with ``sigs.k8s.io/yaml`` (go-yaml v2). The consequences a learner
sees, all reproduced here:

- keys are in alphabetical order (``apiVersion, kind, metadata, spec, status``);
- YAML quotes a string only when it would read back as something else: ``"80"``, ``"true"``,
  ``""`` and timestamps in double quotes, text containing ``": "`` in single quotes, text with
  newlines as a ``|`` block; long lines are folded at 80 columns as go-yaml does;
- lists sit at the same indentation as their key (``containers:`` then ``- image: nginx``);
- JSON is indented by four spaces and escapes ``<``, ``>`` and ``&`` (``\\u003cnone\\u003e``).

Several objects print as one ``kind: List``. Sources: ``staging/src/k8s.io/cli-runtime/pkg/
printers/{json,yaml,name,jsonpath}.go``, ``staging/src/k8s.io/kubectl/pkg/cmd/get/customcolumn.go``
and go-yaml v2's ``encode.go`` / ``resolve.go``.
"""

from __future__ import annotations

import json
import re

import yaml

from k8skit.api.kinds import KINDS
from k8skit.kubectl.printers import jsonpath
from k8skit.kubectl.printers.tabwriter import format_cells


def as_list(objects: list[dict]) -> dict:
    """Several objects as kubectl wraps them: ``kind: List`` with an empty resourceVersion."""
    return {"apiVersion": "v1", "items": objects, "kind": "List",
            "metadata": {"resourceVersion": ""}}


# -- JSON ------------------------------------------------------------------------------------
# Go's encoder escapes these so that JSON is safe inside HTML (encoding/json: HTMLEscape).
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}
_HTML_UNSAFE = re.compile("[<>&\u2028\u2029]")


def to_json(obj: object) -> str:
    """``-o json``: sorted keys, four-space indentation, HTML-safe escapes."""
    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    return _HTML_UNSAFE.sub(lambda m: _HTML_ESCAPES[m.group()], text) + "\n"


# -- YAML ------------------------------------------------------------------------------------
# go-yaml v2 (resolve.go) reads these plain scalars as something other than a string.
_GO_YAML_WORDS = {
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
    "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "", "~", "null", "Null",
    "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
    "-.Inf", "-.INF", "<<",
}
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$")
_GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?$"
)
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


def _reads_as_string(text: str) -> bool:
    """Whether go-yaml would read ``text`` back as a string if it were written unquoted."""
    if text in _GO_YAML_WORDS:
        return False
    plain = text.replace("_", "")
    if _GO_INT.match(plain) or _GO_FLOAT.match(plain):
        return False
    return not (_GO_TIMESTAMP.match(text) or _BASE60_FLOAT.match(text))


# libyaml's own C emitter when PyYAML was built with it (a pure-Python port otherwise): the
# same emitter go-yaml ports, and many times faster for long lists.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _GoYAMLDumper(_BaseDumper):
    """libyaml's emitter (go-yaml's is a port of it) with go-yaml's choice of styles."""

    def resolve(self, kind, value, implicit):
        # Whether a plain scalar may stay unquoted is go-yaml's question, not PyYAML's: PyYAML
        # would also quote text such as 0o17 that go-yaml reads as a string.
        if kind is yaml.ScalarNode and implicit[0] and _reads_as_string(value):
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


def _represent_str(dumper: _BaseDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        style = "|"
    elif _reads_as_string(text):
        style = None  # plain when the emitter allows it, else single-quoted
    else:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_GoYAMLDumper.add_representer(str, _represent_str)


def to_yaml(obj: object) -> str:
    """``-o yaml``: sorted keys, go-yaml's quoting, block style, 80-column folding."""
    return yaml.dump(obj, Dumper=_GoYAMLDumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True, width=80, indent=2)


# -- names, jsonpath, custom columns ---------------------------------------------------------
def resource_name(obj: dict) -> str:
    """``-o name``: ``pod/web``, ``deployment.apps/web``."""
    kind = KINDS.get(obj.get("kind", ""))
    prefix = kind.resource if kind else obj.get("kind", "").lower()
    return f"{prefix}/{obj['metadata']['name']}"


def to_jsonpath(template: str, data: object) -> str:
    """``-o jsonpath=TEMPLATE`` run against one object or a List."""
    return jsonpath.execute(jsonpath.parse(template), data)


class CustomColumnsError(ValueError):
    pass


def parse_custom_columns(spec: str) -> list[tuple[str, list]]:
    """``NAME:.metadata.name,NODE:.spec.nodeName`` -> [(header, parsed path), ...]."""
    columns = []
    for part in spec.split(","):
        header, sep, expression = part.partition(":")
        if not sep or not header:
            raise CustomColumnsError(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        columns.append((header, jsonpath.parse(jsonpath.relaxed(expression))))
    return columns


def _go_value(value: object) -> str:
    """A value as Go's ``%v`` prints it: ``map[app:web]``, ``[a b]``, ``true``."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    return str(value)


def to_custom_columns(spec: str, objects: list[dict], no_headers: bool = False) -> str:
    """``-o custom-columns=...``: one column per jsonpath, ``<none>`` where nothing is found."""
    columns = parse_custom_columns(spec)
    rows = [] if no_headers else [[header for header, _ in columns]]
    for obj in objects:
        row = []
        for _, nodes in columns:
            found = jsonpath.values(nodes, obj)
            row.append(",".join(_go_value(v) for v in found) if found else "<none>")
        rows.append(row)
    return format_cells("".join("\t".join(row) + "\n" for row in rows))
