"""Shell patterns: ``*``, ``?``, ``[a-z]``, ``[!x]`` and ``\\*``, as path name expansion,
``case``, ``${x#...}``, ``find -name`` and Redis ``KEYS`` match them (fnmatch(3) rules).

They are translated to Python regular expressions character by character, so no pattern text is
ever interpreted as regular expression syntax of its own.
"""

from __future__ import annotations

import functools
import re


def escape_glob(text: str) -> str:
    """``text`` with its pattern characters escaped, so that it only matches itself."""
    return re.sub(r"([*?\[\\])", r"\\\1", text)


@functools.lru_cache(maxsize=1024)
def glob_regex(pattern: str, match_slash: bool = False) -> re.Pattern:
    """A compiled regex for a shell pattern (``*``, ``?``, ``[a-z]``, ``[!x]``, ``\\*``)."""
    any_char = "." if match_slash else "[^/]"
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "*":
            out.append(any_char + "*")
            i += 1
        elif c == "?":
            out.append(any_char)
            i += 1
        elif c == "[":
            end = i + 1
            if end < n and pattern[end] in "!^":
                end += 1
            if end < n and pattern[end] == "]":
                end += 1
            while end < n and pattern[end] != "]":
                end += 1
            if end >= n:
                out.append(re.escape(c))
                i += 1
                continue
            body = pattern[i + 1:end]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            members = "".join("\\" + ch if ch in "\\^[]" else ch for ch in body)
            out.append(f"[{'^' if negate else ''}{members}]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return re.compile(re.escape(pattern), re.DOTALL)


def match_pattern(pattern: str, text: str) -> bool:
    """Whether ``text`` matches the ``case`` pattern."""
    return glob_regex(pattern, match_slash=True).fullmatch(text) is not None
