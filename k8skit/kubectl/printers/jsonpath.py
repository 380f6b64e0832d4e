"""kubectl's JSONPath templates: ``-o jsonpath='{.items[*].metadata.name}'``.

A template is plain text with actions in braces. Supported, as in client-go's
``staging/src/k8s.io/client-go/util/jsonpath`` (``parser.go`` and ``jsonpath.go``):

- fields ``{.status.podIP}``, keys with dots escaped
  ``{.metadata.labels.app\\.kubernetes\\.io/name}`` or quoted ``{.metadata.labels['app']}``,
  the root ``$`` and the current object ``@``;
- ``[*]``, ``[0]``, ``[-1]``, slices ``[1:3]``, the wildcard ``.*`` and recursive descent
  ``..name``;
- filters ``[?(@.type=="Ready")]`` with ``== != < > <= >=`` or a bare ``@.field`` (exists);
- ``{range .items[*]}...{end}`` and string literals ``{"\\n"}``.

Like ``kubectl get``, a missing field prints nothing rather than failing (``AllowMissingKeys``).
Several results of one action are separated by a space; maps and lists print as JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


class JSONPathError(ValueError):
    """A template that cannot be parsed; the message is client-go's wording where it has one."""


@dataclass
class _Text:
    text: str


@dataclass
class _Field:
    path: list[tuple]


@dataclass
class _Range:
    path: list[tuple]
    body: list


_ACTION = re.compile(r"\{((?:[^{}\"']|\"(?:[^\"\\]|\\.)*\"|'[^']*')*)\}")


def parse(template: str) -> list:
    """A template as a list of text, field and range nodes."""
    nodes: list = []
    stack: list[list] = [nodes]
    position = 0
    for match in _ACTION.finditer(template):
        if match.start() > position:
            stack[-1].append(_Text(template[position:match.start()]))
        position = match.end()
        action = match.group(1).strip()
        if action == "end":
            if len(stack) == 1:
                raise JSONPathError("not in range, nothing to end")
            stack.pop()
        elif action.startswith("range "):
            node = _Range(_parse_path(action[len("range "):].strip()), [])
            stack[-1].append(node)
            stack.append(node.body)
        elif len(action) >= 2 and action[0] == action[-1] == '"':
            try:
                stack[-1].append(_Text(json.loads(action, strict=False)))
            except ValueError:
                raise JSONPathError(f"invalid string literal {action}") from None
        else:
            stack[-1].append(_Field(_parse_path(action)))
    if template[position:]:
        if "{" in template[position:]:
            raise JSONPathError(f"unclosed action in {template!r}")
        stack[-1].append(_Text(template[position:]))
    if len(stack) != 1:
        raise JSONPathError("range without end")
    return nodes


_NAME = re.compile(r"(?:\\.|[^.\[\]\\])+")
_FILTER = re.compile(r"^\?\((.*)\)$", re.DOTALL)
_COMPARISON = re.compile(r"^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$", re.DOTALL)


def _parse_path(text: str) -> list[tuple]:
    """``.items[*].metadata.name`` -> [("field","items"), ("all",), ("field","metadata"), ...]."""
    steps: list[tuple] = []
    i = 0
    if text[:1] in ("$", "@"):
        steps.append(("root",) if text[0] == "$" else ("current",))
        i = 1
    while i < len(text):
        if text.startswith("..", i):
            match = _NAME.match(text, i + 2)
            if not match:
                raise JSONPathError(f"invalid recursive descent in {text!r}")
            steps.append(("recursive", _unescape(match.group())))
            i = match.end()
        elif text[i] == ".":
            match = _NAME.match(text, i + 1)
            if not match:
                i += 1  # a lone "." is the current object
                continue
            name = _unescape(match.group())
            steps.append(("all_values",) if name == "*" else ("field", name))
            i = match.end()
        elif text[i] == "[":
            end = _closing_bracket(text, i)
            steps.append(_parse_bracket(text[i + 1:end]))
            i = end + 1
        else:
            match = _NAME.match(text, i)
            if not match:
                raise JSONPathError(f"unrecognized character in action: {text[i]!r}")
            steps.append(("field", _unescape(match.group())))
            i = match.end()
    return steps


def _closing_bracket(text: str, start: int) -> int:
    depth, quote = 0, ""
    for j in range(start, len(text)):
        char = text[j]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return j
    raise JSONPathError(f"unterminated array in {text!r}")


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


def _parse_bracket(inner: str) -> tuple:
    inner = inner.strip()
    if inner == "*":
        return ("all",)
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return ("field", inner[1:-1])
    if filter_match := _FILTER.match(inner):
        return ("filter", _parse_filter(filter_match.group(1).strip()))
    if ":" in inner:
        parts = [p.strip() for p in inner.split(":")]
        try:
            bounds = [int(p) if p else None for p in parts[:3]]
        except ValueError:
            raise JSONPathError(f"invalid array index {inner!r}") from None
        return ("slice", *bounds, *([None] * (3 - len(bounds))))
    try:
        return ("index", int(inner))
    except ValueError:
        raise JSONPathError(f"invalid array index {inner!r}") from None


def _parse_filter(expression: str) -> tuple:
    comparison = _COMPARISON.match(expression)
    if not comparison:
        return (_parse_path(expression), "exists", None)
    left, operator, right = comparison.groups()
    right = right.strip()
    if len(right) >= 2 and right[0] == right[-1] and right[0] in "'\"":
        value: object = right[1:-1]
    else:
        try:
            value = json.loads(right)
        except ValueError:
            raise JSONPathError(f"unrecognized filter value {right!r}") from None
    return (_parse_path(left.strip()), operator, value)


# -- evaluation ------------------------------------------------------------------------------
_MISSING = object()


def find(steps: list[tuple], current: object, root: object) -> list[object]:
    """Every value a path reaches from ``current`` (missing fields reach nothing)."""
    values = [current]
    for step in steps:
        found: list[object] = []
        for value in values:
            found.extend(_step(step, value, root))
        values = found
    return values


def _step(step: tuple, value: object, root: object) -> list[object]:
    kind = step[0]
    if kind == "root":
        return [root]
    if kind == "current":
        return [value]
    if kind == "field":
        if isinstance(value, dict) and step[1] in value:
            return [value[step[1]]]
        return []
    if kind == "all_values":
        if isinstance(value, dict):
            return [value[k] for k in sorted(value)]
        return list(value) if isinstance(value, list) else []
    if kind == "all":
        if isinstance(value, list):
            return list(value)
        return [value[k] for k in sorted(value)] if isinstance(value, dict) else []
    if kind == "index":
        if isinstance(value, list) and -len(value) <= step[1] < len(value):
            return [value[step[1]]]
        return []
    if kind == "slice":
        return list(value[slice(*step[1:])]) if isinstance(value, list) else []
    if kind == "recursive":
        return _descend(value, step[1])
    if kind == "filter":
        items = value if isinstance(value, list) else []
        return [item for item in items if _passes(step[1], item, root)]
    raise JSONPathError(f"unknown step {kind}")


def _descend(value: object, name: str) -> list[object]:
    found = []
    if isinstance(value, dict):
        if name in value:
            found.append(value[name])
        for key in sorted(value):
            found.extend(_descend(value[key], name))
    elif isinstance(value, list):
        for item in value:
            found.extend(_descend(item, name))
    return found


def _passes(condition: tuple, item: object, root: object) -> bool:
    path, operator, expected = condition
    found = find(path[1:] if path and path[0] == ("current",) else path, item, root)
    if operator == "exists":
        return bool(found)
    if not found:
        return False
    actual = found[0]
    try:
        return {
            "==": lambda: actual == expected, "!=": lambda: actual != expected,
            "<": lambda: actual < expected, ">": lambda: actual > expected,
            "<=": lambda: actual <= expected, ">=": lambda: actual >= expected,
        }[operator]()
    except TypeError:
        return False


def text_of(value: object) -> str:
    """A result as jsonpath prints it: strings raw, maps and lists as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return str(value)


def execute(nodes: list, data: object) -> str:
    """Run a parsed template against ``data`` (an object or a ``List``)."""
    out: list[str] = []
    _run(nodes, data, data, out)
    return "".join(out)


def _run(nodes: list, current: object, root: object, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
        elif isinstance(node, _Field):
            out.append(" ".join(text_of(v) for v in find(node.path, current, root)))
        else:
            for item in find(node.path, current, root):
                _run(node.body, item, root, out)


def values(nodes: list, data: object) -> list[object]:
    """The values the field actions of a template reach (custom columns and --sort-by)."""
    return [value for node in nodes if isinstance(node, _Field)
            for value in find(node.path, data, data)]


def relaxed(expression: str) -> str:
    """``RelaxedJSONPathExpression``: ``.metadata.name`` and ``metadata.name`` both mean
    ``{.metadata.name}`` in custom columns and ``--sort-by``."""
    expression = expression.strip()
    if expression.startswith("{") and expression.endswith("}"):
        return expression
    if not expression.startswith("."):
        expression = "." + expression
    return "{" + expression + "}"
