"""Labels and label selectors: how a Service finds its pods and a Deployment its ReplicaSets.

A label is a ``key: value`` pair on an object's metadata. A *selector* is a list of requirements
that are all ANDed together; an object is selected when its labels meet every one of them:

==========================  ================================================================
requirement                  matches labels that ...
==========================  ================================================================
``app=web``, ``app==web``    have ``app`` set to ``web``
``app!=web``                 do not have ``app`` set to ``web`` (or have no ``app`` at all)
``env in (prod,qa)``         have ``env`` set to ``prod`` or ``qa``
``env notin (dev)``          do not have ``env`` set to ``dev`` (or have no ``env`` at all)
``tier``                     have a ``tier`` label, whatever its value
``!canary``                  have no ``canary`` label
``replicas>2``               have an integer ``replicas`` label greater than 2 (also ``<``)
==========================  ================================================================

Selectors come in three shapes, all turned into the same :class:`Selector`:

- the string ``kubectl get -l`` takes (:func:`parse`),
- a ``LabelSelector`` object (``matchLabels`` + ``matchExpressions`` with the operators ``In``,
  ``NotIn``, ``Exists``, ``DoesNotExist``) as in a Deployment's ``spec.selector``
  (:meth:`Selector.from_label_selector`),
- a plain map of equalities, as in a Service's ``spec.selector`` (:meth:`Selector.from_set`).

Sources: ``staging/src/k8s.io/apimachinery/pkg/labels/selector.go`` (grammar, matching and
printing), ``labels.go`` (``FormatLabels``), ``pkg/apis/meta/v1/helpers.go``
(``LabelSelectorAsSelector``, ``FormatLabelSelector``). The checks on keys, values and names
follow ``staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`` word for word,
because the API server's messages quote them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from k8skit.api.meta import canonical_json

# -- names, keys and values (apimachinery/pkg/util/validation/validation.go) ---------------------
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
QUALIFIED_NAME_MAX_LENGTH = 63
_LABEL_VALUE_FMT = f"({_QUALIFIED_NAME_FMT})?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end with an alphanumeric character"
)
LABEL_VALUE_MAX_LENGTH = 63
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_LABEL_MAX_LENGTH = 63
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MAX_LENGTH = 253

_QUALIFIED_NAME_RE = re.compile(f"^{_QUALIFIED_NAME_FMT}$")
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE_FMT}$")
_DNS1123_LABEL_RE = re.compile(f"^{_DNS1123_LABEL_FMT}$")
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN_FMT}$")


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """The wording upstream uses for a string that fails a pattern (``RegexError``)."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    quoted = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {quoted}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


EMPTY_ERROR = "must be non-empty"


def _fullmatch(pattern: re.Pattern[str], value: str) -> bool:
    # Go's regexp "$" never matches before a trailing newline; Python's does, so forbid it.
    return "\n" not in value and pattern.match(value) is not None


def is_dns1123_label(value: str) -> list[str]:
    """Problems with ``value`` as an RFC 1123 label (Service and Namespace names)."""
    errors = []
    if len(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _fullmatch(_DNS1123_LABEL_RE, value):
        errors.append(regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    """Problems with ``value`` as an RFC 1123 subdomain (most object names)."""
    errors = []
    if len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _fullmatch(_DNS1123_SUBDOMAIN_RE, value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def is_qualified_name(value: str) -> list[str]:
    """Problems with ``value`` as a label key: ``[prefix/]name``, e.g. ``app.kubernetes.io/name``.

    The optional prefix is a DNS subdomain; the name is at most 63 characters.
    """
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part " + EMPTY_ERROR)
        else:
            errors.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name "
            + regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part " + EMPTY_ERROR)
    elif len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _fullmatch(_QUALIFIED_NAME_RE, name):
        errors.append(
            "name part "
            + regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def is_valid_label_value(value: str) -> list[str]:
    """Problems with ``value`` as a label value (empty is allowed)."""
    errors = []
    if len(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _fullmatch(_LABEL_VALUE_RE, value):
        examples = ("MyValue", "my_value", "12345")
        errors.append(regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, *examples))
    return errors


# -- requirements and selectors (apimachinery/pkg/labels/selector.go) ------------------------------
class SelectorError(ValueError):
    """A selector that cannot be parsed or built; the message is the API server's."""


EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
IN, NOT_IN, EXISTS, DOES_NOT_EXIST = "in", "notin", "exists", "!"
GREATER_THAN, LESS_THAN = "gt", "lt"
_BINARY_OPERATORS = [IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN]

# metav1.LabelSelectorOperator -> selection.Operator (LabelSelectorAsSelector).
_LABEL_SELECTOR_OPERATORS = {
    "In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST,
}


def _field_error(path: str, value: object, detail: str) -> str:
    """A field error as Go's ``field.Error.Error()`` prints it (a nil path prints ``<nil>``)."""
    if isinstance(value, str):
        shown = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        shown = "[]string{" + ", ".join(f'"{v}"' for v in value) + "}"
    return f"{path}: Invalid value: {shown}: {detail}"


def _aggregate(messages: list[str]) -> str:
    """How upstream joins several errors into one (``utilerrors.NewAggregate``)."""
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


def _validate_key(key: str) -> str | None:
    problems = is_qualified_name(key)
    return _field_error("<nil>", key, "; ".join(problems)) if problems else None


@dataclass(frozen=True)
class Requirement:
    """One condition on one label key; build it with :meth:`new` so it is checked."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    @classmethod
    def new(cls, key: str, operator: str, values: Iterable[str] = ()) -> Requirement:
        """Check and build a requirement (``NewRequirement``); raises :class:`SelectorError`."""
        values = tuple(values)
        errors = []
        if problems := is_qualified_name(key):
            errors.append(_field_error("key", key, "; ".join(problems)))
        if operator in (IN, NOT_IN) and not values:
            detail = "for 'in', 'notin' operators, values set can't be empty"
            errors.append(_field_error("values", values, detail))
        elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(values) != 1:
            detail = "exact-match compatibility requires one single value"
            errors.append(_field_error("values", values, detail))
        elif operator in (EXISTS, DOES_NOT_EXIST) and values:
            detail = "values set must be empty for exists and does not exist"
            errors.append(_field_error("values", values, detail))
        elif operator in (GREATER_THAN, LESS_THAN):
            if len(values) != 1:
                detail = "for 'Gt', 'Lt' operators, exactly one value is required"
                errors.append(_field_error("values", values, detail))
            detail = "for 'Gt', 'Lt' operators, the value must be an integer"
            errors.extend(
                _field_error(f"values[{i}]", value, detail)
                for i, value in enumerate(values)
                if _as_int64(value) is None
            )
        elif operator not in (*_BINARY_OPERATORS, EXISTS, DOES_NOT_EXIST):
            supported = ", ".join(f'"{op}"' for op in (*_BINARY_OPERATORS, EXISTS, DOES_NOT_EXIST))
            errors.append(
                f'operator: Unsupported value: "{operator}": supported values: {supported}'
            )
        for i, value in enumerate(values):
            if problems := is_valid_label_value(value):
                errors.append(_field_error(f"values[{i}][{key}]", value, "; ".join(problems)))
        if errors:
            raise SelectorError(_aggregate(errors))
        return cls(key, operator, values)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` meet this requirement (``Requirement.Matches``).

        ``notin`` and ``!=`` also match labels that lack the key altogether.
        """
        has = self.key in labels
        if self.operator in (IN, EQUALS, DOUBLE_EQUALS):
            return has and labels[self.key] in self.values
        if self.operator in (NOT_IN, NOT_EQUALS):
            return not has or labels[self.key] not in self.values
        if self.operator == EXISTS:
            return has
        if self.operator == DOES_NOT_EXIST:
            return not has
        if not has or len(self.values) != 1:
            return False
        actual, bound = _as_int64(labels[self.key]), _as_int64(self.values[0])
        if actual is None or bound is None:
            return False
        return actual > bound if self.operator == GREATER_THAN else actual < bound

    def __str__(self) -> str:
        """``app=web``, ``env in (prod,qa)``, ``!canary`` ... values sorted, as upstream prints."""
        if self.operator == EXISTS:
            return self.key
        if self.operator == DOES_NOT_EXIST:
            return "!" + self.key
        values = ",".join(sorted(self.values)) if len(self.values) > 1 else "".join(self.values)
        if self.operator in (IN, NOT_IN):
            return f"{self.key} {self.operator} ({values})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(self.operator, self.operator)
        return f"{self.key}{symbol}{values}"


def _as_int64(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``: an optional sign and ASCII digits, in int64 range."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    number = int(text)
    return number if -(2**63) <= number < 2**63 else None


class Selector:
    """Requirements that must all hold; ``str()`` is the form kubectl prints."""

    __slots__ = ("requirements", "_matches_nothing")

    def __init__(self, requirements: Iterable[Requirement] = (), *, nothing: bool = False):
        # Sorted by key (stably), so equal selectors print the same way (ByKey upstream).
        self.requirements: tuple[Requirement, ...] = tuple(
            sorted(requirements, key=lambda r: r.key)
        )
        self._matches_nothing = nothing

    @classmethod
    def everything(cls) -> Selector:
        """Matches every object: an empty selector (``labels.Everything()``)."""
        return cls()

    @classmethod
    def nothing(cls) -> Selector:
        """Matches no object: what a missing (nil) LabelSelector means (``labels.Nothing()``)."""
        return cls(nothing=True)

    @classmethod
    def from_set(cls, labels: Mapping[str, str] | None) -> Selector:
        """Equality on every pair, as a Service's ``spec.selector`` (``SelectorFromSet``)."""
        return cls(Requirement(key, EQUALS, (value,)) for key, value in (labels or {}).items())

    @classmethod
    def from_label_selector(cls, selector: Mapping | None) -> Selector:
        """A ``LabelSelector`` (``matchLabels`` + ``matchExpressions``), all ANDed.

        ``None`` selects nothing and ``{}`` selects everything, as ``LabelSelectorAsSelector``.
        Raises :class:`SelectorError` for an unknown operator or a bad key or value.
        """
        if selector is None:
            return cls.nothing()
        try:
            text = canonical_json(selector)
        except (TypeError, ValueError):
            return _selector_of(selector)  # not JSON: only a malformed selector, parsed afresh
        return _selector_of_text(text)

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything (it matches every object)."""
        return not self.requirements and not self._matches_nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self._matches_nothing:
            return False
        labels = labels or {}
        return all(requirement.matches(labels) for requirement in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)

    def __repr__(self) -> str:
        return "Selector.nothing()" if self._matches_nothing else f"Selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Selector)
            and self._matches_nothing == other._matches_nothing
            and self.requirements == other.requirements
        )

    def __hash__(self) -> int:
        return hash((self.requirements, self._matches_nothing))


# -- the selector grammar (Lexer and Parser in selector.go) ----------------------------------------
_SPECIAL = set("=!(),><")
_WHITESPACE = set(" \t\r\n")
_SYMBOLS = {symbol: symbol for symbol in (")", ",", "!", "==", "=", ">", "<", "!=", "(")}
_KEYWORDS = {"in": IN, "notin": NOT_IN}
_IDENTIFIER, _END = "identifier", "end"


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split a selector into (token, literal) pairs, ending with an end-of-string token."""
    tokens, pos, end = [], 0, len(text)
    while True:
        while pos < end and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= end:
            tokens.append((_END, ""))
            return tokens
        if text[pos] in _SPECIAL:
            # The longest run of symbols that is an operator: "!=" rather than "!" then "=".
            start = pos
            pos += 1
            while pos < end and text[start:pos + 1] in _SYMBOLS:
                pos += 1
            tokens.append((_SYMBOLS[text[start:pos]], text[start:pos]))
            continue
        start = pos
        while pos < end and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        tokens.append((_KEYWORDS.get(word, _IDENTIFIER), word))


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self, values: bool = True) -> tuple[str, str]:
        token, literal = self.tokens[self.position]
        # Where a value is expected, "in" and "notin" are ordinary words: "x in (in)".
        return (_IDENTIFIER if values and token in (IN, NOT_IN) else token), literal

    def take(self, values: bool = True) -> tuple[str, str]:
        item = self.peek(values)
        self.position += 1
        return item

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            token, literal = self.peek()
            if token == _END:
                return requirements
            if token not in (_IDENTIFIER, "!"):
                raise SelectorError(
                    f"found '{literal}', expected: !, identifier, or 'end of string'"
                )
            try:
                requirements.append(self.requirement())
            except SelectorError as error:
                raise SelectorError(f"unable to parse requirement: {error}") from None
            token, literal = self.take()
            if token == _END:
                return requirements
            if token != ",":
                raise SelectorError(f"found '{literal}', expected: ',' or 'end of string'")
            token, literal = self.peek()
            if token not in (_IDENTIFIER, "!"):
                raise SelectorError(f"found '{literal}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        operator = None
        token, key = self.take()
        if token == "!":
            operator = DOES_NOT_EXIST
            token, key = self.take()
        if token != _IDENTIFIER:
            raise SelectorError(f"found '{key}', expected: identifier")
        if error := _validate_key(key):
            raise SelectorError(error)
        if operator == DOES_NOT_EXIST or self.peek()[0] in (_END, ","):
            # "!key" stands alone; a bare "key" means the key exists.
            return Requirement.new(key, operator or EXISTS)
        token, literal = self.take(values=False)
        operators = {IN: IN, NOT_IN: NOT_IN, "=": EQUALS, "==": DOUBLE_EQUALS,
                     "!=": NOT_EQUALS, ">": GREATER_THAN, "<": LESS_THAN}
        if token not in operators:
            raise SelectorError(
                f"found '{literal}', expected: {', '.join(_BINARY_OPERATORS)}"
            )
        operator = operators[token]
        values = self.value_set() if operator in (IN, NOT_IN) else self.exact_value()
        return Requirement.new(key, operator, sorted(values))

    def value_set(self) -> set[str]:
        token, literal = self.take()
        if token != "(":
            raise SelectorError(f"found '{literal}' expected: '('")
        token, literal = self.peek()
        if token == ")":
            self.take()
            return {""}
        if token not in (_IDENTIFIER, ","):
            raise SelectorError(f"found '{literal}', expected: ',', ')' or identifier")
        values = self.identifier_list()
        if self.take()[0] != ")":
            raise SelectorError(f"found '{literal}', expected: ')'")
        return values

    def identifier_list(self) -> set[str]:
        values: set[str] = set()
        while True:
            token, literal = self.take()
            if token == _IDENTIFIER:
                values.add(literal)
                following, text = self.peek()
                if following == ",":
                    continue
                if following == ")":
                    return values
                raise SelectorError(f"found '{text}', expected: ',' or ')'")
            if token != ",":
                raise SelectorError(f"found '{literal}', expected: ',', or identifier")
            # Empty strings are values too: "(,a)", "(a,)" and "(a,,b)" all contain "".
            if not values:
                values.add("")
            following = self.peek()[0]
            if following == ")":
                values.add("")
                return values
            if following == ",":
                self.take()
                values.add("")

    def exact_value(self) -> set[str]:
        token, _ = self.peek()
        if token in (_END, ","):
            return {""}
        token, literal = self.take()
        if token != _IDENTIFIER:
            raise SelectorError(f"found '{literal}', expected: identifier")
        return {literal}


def parse(text: str) -> Selector:
    """Parse a kubectl ``-l`` selector such as ``app=web,tier!=db`` or ``env in (prod,qa)``.

    Raises :class:`SelectorError` with upstream's message, e.g.
    ``unable to parse requirement: found 'prod', expected: ...``.
    """
    return Selector(_Parser(text).parse())


def as_selector(selector: Selector | str | Mapping | None) -> Selector:
    """Any selector shape the API accepts, as a :class:`Selector`.

    A string is parsed; a mapping with ``matchLabels`` / ``matchExpressions`` is a LabelSelector;
    any other mapping is a set of equalities (a Service selector); ``None`` selects everything.
    """
    if isinstance(selector, Selector):
        return selector
    if selector is None:
        return Selector.everything()
    if isinstance(selector, str):
        return parse(selector)
    if _is_label_selector(selector):
        return Selector.from_label_selector(selector)
    return Selector.from_set(selector)


def _is_label_selector(mapping: Mapping) -> bool:
    # A label map holds strings only; a LabelSelector holds a map and/or a list.
    return bool(mapping) and set(mapping) <= {"matchLabels", "matchExpressions"} and all(
        isinstance(value, dict | list) or value is None for value in mapping.values()
    )


def format_labels(labels: Mapping[str, str] | None) -> str:
    """``app=web,tier=db`` sorted by key, or ``<none>`` (``labels.FormatLabels``).

    This is what ``kubectl get --show-labels`` and a Service's wide SELECTOR column show.
    """
    text = ",".join(f"{key}={labels[key]}" for key in sorted(labels or {}))
    return text or "<none>"


def format_label_selector(selector: Mapping | None) -> str:
    """A LabelSelector as the wide SELECTOR column of Deployments and ReplicaSets shows it.

    ``metav1.FormatLabelSelector``: ``<none>`` when empty, ``<error>`` when it is invalid.
    """
    try:
        text = str(Selector.from_label_selector(selector))
    except SelectorError:
        return "<error>"
    return text or "<none>"


def _selector_of(selector: Mapping) -> Selector:
    requirements = [
        Requirement.new(key, EQUALS, [value])
        for key, value in (selector.get("matchLabels") or {}).items()
    ]
    for expression in selector.get("matchExpressions") or []:
        operator = expression.get("operator")
        if operator not in _LABEL_SELECTOR_OPERATORS:
            raise SelectorError(f'"{operator}" is not a valid label selector operator')
        requirements.append(Requirement.new(
            expression.get("key", ""), _LABEL_SELECTOR_OPERATORS[operator],
            expression.get("values") or [],
        ))
    return Selector(requirements)


@functools.lru_cache(maxsize=1024)
def _selector_of_text(text: str) -> Selector:
    """A LabelSelector parsed once per distinct text (a Selector never changes): controllers
    read their owner's selector at every sync."""
    return _selector_of(json.loads(text))
