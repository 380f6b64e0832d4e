"""Reading manifests the way ``kubectl apply -f`` reads them.

kubectl accepts YAML or JSON from a file, a folder of files or standard input. A file may hold
several YAML documents separated by ``---``; empty documents are skipped and a ``kind: List``
is unpacked into its items. Before anything reaches the API server, kubectl turns every YAML
document into JSON (with ``sigs.k8s.io/yaml``, built on go-yaml) and checks that each one says
which ``apiVersion`` and ``kind`` it is, and that the cluster serves that kind in that version.

This module does the same and, when something is wrong, raises :class:`ManifestError` whose
``str()`` is the line kubectl prints, for example::

    error: error parsing web.yaml: error converting YAML to JSON: yaml: line 3: mapping values
    are not allowed in this context

YAML is read safely (PyYAML's ``SafeLoader``, on libyaml when it is installed, which words its
errors as go-yaml does since go-yaml is a port of it; nothing in a manifest can run Python), with
the scalar rules of go-yaml v2 rather than PyYAML's, so a value means what it means to kubectl:
``1e3`` is the number 1000 (so ``cpu: 1e3`` becomes ``1k``), ``1:30`` and dates stay strings,
``y`` and ``n`` are booleans, and a key written twice in one mapping is an error.

Sources: ``staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go`` (files, folders, streams,
``List`` flattening), ``sigs.k8s.io/yaml`` and ``gopkg.in/yaml.v2`` ``resolve.go`` (scalars),
``staging/src/k8s.io/kubectl/pkg/validation/schema.go`` (``apiVersion not set``),
``staging/src/k8s.io/cli-runtime/pkg/resource/mapper.go`` (``resource mapping not found``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from k8skit.api.kinds import kind_for

STDIN = "STDIN"
MANIFEST_SUFFIXES = (".json", ".yaml", ".yml")  # FileExtensions in kubectl's visitor.go


class ManifestError(ValueError):
    """A manifest kubectl would refuse before sending it; ``str()`` is kubectl's line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"error: {self.message}"


@dataclass(frozen=True)
class Document:
    """One object from a manifest and where it came from (for ``error when creating "x"``)."""

    source: str
    object: dict


# -- YAML the way go-yaml reads it --------------------------------------------------------------
_PLAIN_TAG = "tag:k8skit,2026:go-yaml-plain-scalar"
_GO_YAML_WORDS: dict[str, object] = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"],
                    True),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"],
                    False),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], None),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], float("nan")),
    **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], float("inf")),
    **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], float("-inf")),
}
# yamlStyleFloat in go-yaml's resolve.go.
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9]+([eE][-+]?[0-9]+)?$")
_GO_INT_PREFIXES = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}


def _go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)`` with a ``ParseUint`` fallback, as go-yaml tries it."""
    sign, body = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    base = _GO_INT_PREFIXES.get(body[:2], 0)
    if base:
        body = body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, body = 8, body[1:]  # a leading zero means octal in Go
    else:
        base = 10
    try:
        number = int(body, base) if body and body.isascii() and body.isalnum() else None
    except ValueError:
        return None
    if number is None:
        return None
    number = -number if sign == "-" else number
    return number if -(2**63) <= number < 2**64 else None


def _go_yaml_scalar(text: str) -> object:
    """The value go-yaml v2 gives an unquoted scalar when decoding into ``interface{}``."""
    if text in _GO_YAML_WORDS:
        return _GO_YAML_WORDS[text]
    first = text[0]
    if first.isdigit() or first in "+-":
        plain = text.replace("_", "")
        number = _go_parse_int(plain)
        if number is not None:
            return number
        if _YAML_STYLE_FLOAT.match(plain):
            return float(plain)
    elif first == "." and _DOT_FLOAT.match(text):
        return float(text)
    # Everything else, timestamps included, stays a string.
    return text


class _KubectlYAMLLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader with go-yaml's scalar rules and duplicate-key check."""

    yaml_implicit_resolvers: dict = {}

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.start_mark.line + 1, key_node.value)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, line: int, key: str) -> None:
        super().__init__(f'line {line}: key "{key}" already set in map')


_KubectlYAMLLoader.add_implicit_resolver(
    "tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"]
)
_KubectlYAMLLoader.add_implicit_resolver(_PLAIN_TAG, re.compile(r"", re.DOTALL), None)
_KubectlYAMLLoader.add_constructor(
    _PLAIN_TAG, lambda loader, node: _go_yaml_scalar(loader.construct_scalar(node))
)
# go-yaml decodes an explicit "!!timestamp" into interface{} as a string, too, and "!!binary"
# as the text it encodes.
_KubectlYAMLLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)
_KubectlYAMLLoader.add_constructor(
    "tag:yaml.org,2002:binary",
    lambda loader, node: loader.construct_yaml_binary(node).decode("utf-8", "replace"),
)

# The pure-Python loader's wording of a syntax problem -> libyaml's (go-yaml's) wording.
_GO_YAML_PROBLEMS = [
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("found character", "found character that cannot start any token"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("expected '<document start>'", "did not find expected <document start>"),
    ("expected a comment or a line break", "did not find expected comment or line break"),
]


def _go_yaml_message(error: yaml.YAMLError, text: str) -> str:
    """A PyYAML error worded the way go-yaml words it, with go-yaml's line number.

    go-yaml counts lines from 1 for scanner errors but reports the raw (0-based) line of
    parser errors, and leaves out a line of 0 altogether; kubectl users see exactly that.
    """
    problem = getattr(error, "problem", None) or str(error)
    problem_mark = getattr(error, "problem_mark", None)
    if problem.startswith("found undefined alias"):
        at = problem_mark.index if problem_mark is not None else 0
        alias = re.match(r"\*([^\s,\[\]{}]+)", text[at:])
        return f"unknown anchor '{alias.group(1) if alias else ''}' referenced"
    context = getattr(error, "context", None) or ""
    if problem.startswith("expected <block end>"):
        text = ("did not find expected '-' indicator" if "block collection" in context
                else "did not find expected key")
    else:
        text = next((go for py, go in _GO_YAML_PROBLEMS if problem.startswith(py)), problem)
    context_mark = getattr(error, "context_mark", None)
    line = 0
    if problem_mark is not None and problem_mark.line != 0:
        line = problem_mark.line + (1 if isinstance(error, yaml.scanner.ScannerError) else 0)
    elif context_mark is not None:
        line = context_mark.line
    return f"line {line}: {text}" if line else text


def _as_json(value: object, source: str) -> object:
    """What survives sigs.k8s.io/yaml's YAML-to-JSON step: string keys, finite numbers."""
    if isinstance(value, dict):
        return {_json_key(k): _as_json(v, source) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(item, source) for item in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        shown = "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")
        raise ManifestError(
            f"error parsing {source}: error converting YAML to JSON: "
            f"json: unsupported value: {shown}"
        )
    return value


def _json_key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return key if isinstance(key, str) else str(key)


def _parse_yaml(text: str, source: str) -> list[object]:
    try:
        documents = list(yaml.load_all(text, Loader=_KubectlYAMLLoader))  # noqa: S506
    except _DuplicateKey as duplicate:
        raise ManifestError(
            f"error parsing {source}: error converting YAML to JSON: yaml: unmarshal errors:\n"
            f"  {duplicate}"
        ) from None
    except yaml.YAMLError as error:
        raise ManifestError(
            f"error parsing {source}: error converting YAML to JSON: yaml: "
            f"{_go_yaml_message(error, text)}"
        ) from None
    return [_as_json(document, source) for document in documents]


def _parse_json(text: str, source: str) -> list[object]:
    decoder, documents, position = json.JSONDecoder(), [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return documents
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ManifestError(
                f"error parsing {source}: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
        documents.append(document)


# -- from documents to objects ------------------------------------------------------------------
_TYPE_MESSAGE = (
    "json: cannot unmarshal {what} into Go value of type struct "
    '{{ APIVersion string "json:\\"apiVersion,omitempty\\""; '
    'Kind string "json:\\"kind,omitempty\\"" }}'
)
_JSON_TYPE_NAMES = [(bool, "bool"), (int, "number"), (float, "number"), (str, "string"),
                    (list, "array")]


def _objects(document: object, source: str) -> list[dict]:
    """Check one document's type, apiVersion and kind; unpack a ``List``."""
    if not isinstance(document, dict):
        what = next(name for kind, name in _JSON_TYPE_NAMES if isinstance(document, kind))
        raise ManifestError(f'unable to decode "{source}": ' + _TYPE_MESSAGE.format(what=what))
    missing = [f"{field} not set" for field in ("apiVersion", "kind") if not document.get(field)]
    if missing:
        raise ManifestError(
            f'error validating "{source}": error validating data: [{", ".join(missing)}]; '
            "if you choose to ignore these errors, turn validation off with --validate=false"
        )
    if document["kind"] == "List" and document["apiVersion"] == "v1":
        return [obj for item in document.get("items") or [] for obj in _objects(item, source)]
    api_version, kind = document["apiVersion"], document["kind"]
    if not isinstance(api_version, str) or not isinstance(kind, str) or not kind_for(
        api_version, kind
    ):
        metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
        raise ManifestError(
            f'resource mapping not found for name: "{metadata.get("name", "")}" namespace: '
            f'"{metadata.get("namespace", "")}" from "{source}": no matches for kind "{kind}" '
            f'in version "{api_version}"\nensure CRDs are installed first'
        )
    return [document]


def load_text(text: str, source: str = STDIN, *, json_only: bool = False) -> list[Document]:
    """The objects in YAML (or JSON) ``text``; ``source`` names it in messages."""
    documents = _parse_json(text, source) if json_only else _parse_yaml(text, source)
    return [
        Document(source, obj)
        for document in documents
        if document is not None
        for obj in _objects(document, source)
    ]


def load_path(path: str | Path, *, recursive: bool = False) -> list[Document]:
    """The objects in a file, or in every ``.json``/``.yaml``/``.yml`` file of a folder.

    Files of a folder are read in sorted order (kubectl walks the folder the same way);
    ``recursive`` descends into sub-folders like ``kubectl apply -R``.
    """
    path = Path(path)
    if not path.exists():
        raise ManifestError(f'the path "{path}" does not exist')
    if path.is_dir():
        pattern = "**/*" if recursive else "*"
        files = sorted(
            f for f in path.glob(pattern) if f.is_file() and f.suffix in MANIFEST_SUFFIXES
        )
        return [document for file in files for document in load_path(file)]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"error reading {path}: {error}") from None
    return load_text(text, str(path), json_only=path.suffix == ".json")


def load_documents(text_or_path: str | Path) -> list[Document]:
    """Objects from YAML text, a file or a folder: whatever ``kubectl apply -f`` would take.

    A :class:`~pathlib.Path`, an existing path, or a one-line string ending in ``.yaml``,
    ``.yml`` or ``.json`` is a path; anything else is manifest text.
    """
    if isinstance(text_or_path, Path):
        return load_path(text_or_path)
    if "\n" not in text_or_path and (
        text_or_path.endswith(MANIFEST_SUFFIXES) or _is_existing_path(text_or_path)
    ):
        return load_path(text_or_path)
    return load_text(text_or_path)


def _is_existing_path(text: str) -> bool:
    try:
        return Path(text).exists()
    except (OSError, ValueError):  # too long for a file name, or a NUL character
        return False


def load(text_or_path: str | Path) -> list[dict]:
    """Just the objects of :func:`load_documents`."""
    return [document.object for document in load_documents(text_or_path)]
