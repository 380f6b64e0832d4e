"""Word expansion: from the text a user typed to the arguments a command receives.

POSIX (XCU 2.6) expands each word in this order: tilde, parameters (``$X``, ``${X:-d}``),
command substitution (``$(cmd)``, backquotes), arithmetic (``$((i+1))``); then splits the
results of unquoted expansions into fields on ``$IFS``, expands unquoted ``*``/``?``/``[..]``
into matching path names, and finally removes the quotes. A word first becomes a list of
:class:`Part` (cached: loops expand the same words again and again), then each expansion runs
through the shell (:class:`~k8skit.node.runtime.shell.interpreter.Shell`), which owns the
variables and can run the commands of a ``$(...)``.

Expansion is a generator because ``$(sleep 1; date)`` takes simulated time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k8skit.node.runtime.patterns import escape_glob, glob_regex
from k8skit.node.runtime.shell.syntax import (
    ShellSyntaxError,
    is_name,
    scan_backquoted,
    scan_braced,
    scan_dollar_paren,
    scan_double_quoted,
)

if TYPE_CHECKING:
    from k8skit.node.runtime.shell.interpreter import Shell

SPECIAL_PARAMETERS = set("@*#?-$!0")
PARAMETER_OPERATORS = (":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%")


class ExpansionError(Exception):
    """``${x:?msg}`` on an unset ``x``, a bad ``${...}``, or ``set -u`` meeting an unset name."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a word. ``kind``: "lit" (text), "var" (``name``, ``op``, ``arg``),
    "cmd" (command text), "arith" (expression text), "tilde"; ``quoted`` inside quotes."""

    kind: str
    text: str = ""
    quoted: bool = False
    op: str | None = None
    arg: str = ""


# -- reading a word ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def parse_word(raw: str) -> tuple[Part, ...]:
    """Split a raw word into its literal, quoted and expansion parts."""
    parts: list[Part] = []
    i, n = 0, len(raw)
    if raw.startswith("~") and (n == 1 or raw[1] == "/"):
        parts.append(Part("tilde"))
        i = 1
    while i < n:
        c = raw[i]
        if c == "\\":
            if i + 1 < n and raw[i + 1] != "\n":
                parts.append(Part("lit", raw[i + 1], quoted=True))
            elif i + 1 >= n:
                parts.append(Part("lit", "\\"))
            i += 2
        elif c == "'":
            end = raw.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated", "'")
            parts.append(Part("lit", raw[i + 1:end], quoted=True))
            i = end + 1
        elif c == '"':
            end = scan_double_quoted(raw, i + 1)
            inner = _parse_double_quoted(raw[i + 1:end - 1])
            parts.extend(inner or [Part("lit", "", quoted=True)])
            i = end
        elif c == "`":
            end = scan_backquoted(raw, i + 1)
            parts.append(Part("cmd", _unescape_backquoted(raw[i + 1:end - 1])))
            i = end
        elif c == "$":
            part, i = _parse_dollar(raw, i, quoted=False)
            parts.append(part)
        else:
            j = i
            while j < n and raw[j] not in "\\'\"`$":
                j += 1
            parts.append(Part("lit", raw[i:j]))
            i = j
    return tuple(parts)


def _parse_double_quoted(text: str) -> list[Part]:
    parts: list[Part] = []
    i, n = 0, len(text)
    literal: list[str] = []

    def flush() -> None:
        if literal:
            parts.append(Part("lit", "".join(literal), quoted=True))
            literal.clear()

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                literal.append(text[i + 1])
            i += 2
        elif c == "`":
            flush()
            end = scan_backquoted(text, i + 1)
            parts.append(Part("cmd", _unescape_backquoted(text[i + 1:end - 1]), quoted=True))
            i = end
        elif c == "$":
            flush()
            part, i = _parse_dollar(text, i, quoted=True)
            parts.append(part)
        else:
            literal.append(c)
            i += 1
    flush()
    return parts


def _unescape_backquoted(text: str) -> str:
    """Inside backquotes a backslash only escapes ``$``, backquote and backslash."""
    return re.sub(r"\\([$`\\])", r"\1", text)


def _parse_dollar(s: str, i: int, quoted: bool) -> tuple[Part, int]:
    """The expansion starting with the ``$`` at ``i``, and the index after it."""
    n = len(s)
    nxt = s[i + 1] if i + 1 < n else ""
    if nxt == "(":
        end = scan_dollar_paren(s, i + 2)
        if s.startswith("$((", i) and s[end - 2:end] == "))":
            return Part("arith", s[i + 3:end - 2], quoted), end
        return Part("cmd", s[i + 2:end - 1], quoted), end
    if nxt == "{":
        end = scan_braced(s, i + 2)
        return _parse_braced(s[i + 2:end - 1], quoted), end
    if nxt.isdecimal() or nxt in SPECIAL_PARAMETERS:
        return Part("var", nxt, quoted), i + 2
    if nxt.isalpha() or nxt == "_":
        j = i + 1
        while j < n and (s[j].isalnum() or s[j] == "_") and s[j].isascii():
            j += 1
        return Part("var", s[i + 1:j], quoted), j
    return Part("lit", "$", quoted), i + 1


def _parse_braced(inner: str, quoted: bool) -> Part:
    """``${...}``: a name, ``#name`` (its length), or a name, an operator and a word."""
    if inner.startswith("#") and len(inner) > 1 and _parameter_name(inner[1:]) == inner[1:]:
        return Part("var", inner[1:], quoted, op="len")
    name = _parameter_name(inner)
    if not name:
        raise ExpansionError(f"${{{inner}}}: bad substitution")
    rest = inner[len(name):]
    if not rest:
        return Part("var", name, quoted)
    for op in PARAMETER_OPERATORS:
        if rest.startswith(op):
            return Part("var", name, quoted, op=op, arg=rest[len(op):])
    raise ExpansionError(f"${{{inner}}}: bad substitution")


def _parameter_name(text: str) -> str:
    if not text:
        return ""
    if text[0] in SPECIAL_PARAMETERS:
        return text[0]
    if text[0].isdecimal():
        j = 0
        while j < len(text) and text[j].isdecimal():
            j += 1
        return text[:j]
    j = 0
    while j < len(text) and (text[j].isalnum() or text[j] == "_") and text[j].isascii():
        j += 1
    return text[:j] if is_name(text[:j]) else ""


# -- expanding ---------------------------------------------------------------------------------
# A chunk of expanded text: "q" quoted (kept whole, no globbing), "l" an unquoted literal (no
# splitting, globbing), "x" an unquoted expansion (split on IFS, globbing), "b" a field break
# (between the words of "$@").
Chunk = tuple[str, str]


@functools.lru_cache(maxsize=4096)
def literal_word(raw: str) -> str | None:
    """The word itself when it needs no expansion at all (no quotes, ``$``, globs, ``~``)."""
    parts = parse_word(raw)
    if len(parts) == 1 and parts[0].kind == "lit" and not parts[0].quoted and \
            not any(c in parts[0].text for c in "*?["):
        return parts[0].text
    return None


def expand_words(sh: Shell, words: list[str]) -> Generator[Any, Any, list[str]]:
    """Expand command words into arguments (with field splitting and path names)."""
    fields: list[str] = []
    for word in words:
        plain = literal_word(word)
        if plain is not None:
            fields.append(plain)
            continue
        chunks = yield from _expand_parts(sh, parse_word(word), quoted=False)
        for field in _split_fields(chunks, sh.get("IFS", " \t\n")):
            fields.extend(_pathnames(sh, field))
    return fields


def expand_word(sh: Shell, word: str) -> Generator[Any, Any, str]:
    """Expand one word into one string (assignments, redirection targets, ``case`` words)."""
    chunks = yield from _expand_parts(sh, parse_word(word), quoted=False)
    return "".join(text for text, kind in chunks if kind != "b")


def expand_pattern(sh: Shell, word: str) -> Generator[Any, Any, str]:
    """Expand a ``case`` or ``${x#...}`` pattern, keeping quoted characters literal."""
    chunks = yield from _expand_parts(sh, parse_word(word), quoted=False)
    return "".join(text if kind in ("l", "x") else escape_glob(text)
                   for text, kind in chunks if kind != "b")


def _expand_parts(sh: Shell, parts: tuple[Part, ...],
                  quoted: bool) -> Generator[Any, Any, list[Chunk]]:
    chunks: list[Chunk] = []
    for part in parts:
        in_quotes = quoted or part.quoted
        kind = "q" if in_quotes else "x"
        if part.kind == "lit":
            chunks.append((part.text, "q" if in_quotes else "l"))
        elif part.kind == "tilde":
            chunks.append((sh.get("HOME", "/root"), "q"))
        elif part.kind == "var":
            chunks.extend((yield from _parameter(sh, part, in_quotes)))
        elif part.kind == "cmd":
            output = yield from sh.command_substitution(part.text)
            chunks.append((output, kind))
        elif part.kind == "arith":
            expression = yield from expand_word(sh, part.text)
            chunks.append((str(sh.arithmetic(expression)), kind))
    return chunks


def _parameter(sh: Shell, part: Part, quoted: bool) -> Generator[Any, Any, list[Chunk]]:
    kind = "q" if quoted else "x"
    name, op = part.text, part.op
    if name in ("@", "*") and op is None:
        params = sh.positional
        if name == "@" and quoted:
            chunks: list[Chunk] = []
            for index, param in enumerate(params):
                if index:
                    chunks.append(("", "b"))
                chunks.append((param, "q"))
            return chunks
        separator = " " if name == "@" or not quoted else sh.get("IFS", " \t\n")[:1]
        return [(separator.join(params), kind)] if params else []
    value = sh.parameter(name)
    if op is None:
        if value is None:
            sh.check_unset(name)
            return []
        return [(value, kind)]
    if op == "len":
        if value is None:
            sh.check_unset(name)
        return [(str(len(value or "")), kind)]
    missing = value is None or (op.startswith(":") and value == "")
    if op in ("-", ":-"):
        if missing:
            return (yield from _expand_parts(sh, parse_word(part.arg), quoted))
        return [(value, kind)]
    if op in ("=", ":="):
        if missing:
            if not is_name(name):
                raise ExpansionError(f"{name}: bad variable name")
            value = yield from expand_word(sh, part.arg)
            sh.assign(name, value)
        return [(value, kind)]
    if op in ("+", ":+"):
        if missing:
            return []
        return (yield from _expand_parts(sh, parse_word(part.arg), quoted))
    if op in ("?", ":?"):
        if missing:
            message = (yield from expand_word(sh, part.arg)) or \
                ("parameter not set" if value is None else "parameter null or not set")
            raise ExpansionError(f"{name}: {message}")
        return [(value, kind)]
    # Pattern removal: # shortest prefix, ## longest prefix, % shortest suffix, %% longest.
    if value is None:
        sh.check_unset(name)
        value = ""
    pattern = yield from expand_pattern(sh, part.arg)
    return [(_remove_pattern(value, pattern, op), kind)]


def _remove_pattern(value: str, pattern: str, op: str) -> str:
    regex = glob_regex(pattern, match_slash=True)
    spans = range(len(value) + 1)
    if op in ("#", "##"):
        for cut in (spans if op == "#" else reversed(spans)):
            if regex.fullmatch(value[:cut]):
                return value[cut:]
    else:
        for cut in (reversed(spans) if op == "%" else spans):
            if regex.fullmatch(value[cut:]):
                return value[:cut]
    return value


def _split_fields(chunks: list[Chunk], ifs: str) -> list[list[tuple[str, bool]]]:
    """Field splitting (XCU 2.6.5): only unquoted expansion results are split.

    Each field is a list of ``(text, glob_active)`` pieces. IFS white space separates fields
    and is dropped at their ends; any other IFS character ends a field, even an empty one.
    """
    fields: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    started = False

    def end_field(always: bool) -> None:
        nonlocal current, started
        if started or always:
            fields.append(current)
        current, started = [], False

    for text, kind in chunks:
        if kind == "b":
            end_field(always=True)
        elif kind != "x" or not ifs:
            current.append((text, kind != "q"))
            started = True
        else:
            piece: list[str] = []
            for ch in text:
                if ch not in ifs:
                    piece.append(ch)
                    continue
                if piece:
                    current.append(("".join(piece), True))
                    piece, started = [], True
                end_field(always=ch not in " \t\n")
            if piece:
                current.append(("".join(piece), True))
                started = True
    if started:
        fields.append(current)
    return fields


# -- path names --------------------------------------------------------------------------------
def _pathnames(sh: Shell, field: list[tuple[str, bool]]) -> list[str]:
    text = "".join(t for t, _ in field)
    if not any(active and any(c in t for c in "*?[") for t, active in field):
        return [text]
    pattern = "".join(t if active else escape_glob(t) for t, active in field)
    matches = sh.glob(pattern)
    return matches or [text]
