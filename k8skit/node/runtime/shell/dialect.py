"""How each shell words its errors: busybox ``ash``, Debian's ``dash`` and ``bash``.

Images bring their own shell: busybox and alpine images have ash as ``/bin/sh``; Debian-based
images (nginx, redis, the bootcamp) have dash as ``/bin/sh`` and bash as ``/bin/bash``. The same
mistake reads differently in each, and a learner copying an error into a search engine should
find the real thing::

    ash:  sh: foo: not found
    dash: sh: 1: foo: not found
    bash: bash: line 1: foo: command not found
"""

from __future__ import annotations

from dataclasses import dataclass

from k8skit.node.runtime.shell.syntax import ShellSyntaxError


@dataclass(frozen=True)
class Dialect:
    """One shell's name and wording. ``echo_escapes``: dash's builtin echo always interprets
    backslash escapes (and has no ``-e``); ash and bash need ``echo -e``."""

    shell: str  # "ash", "dash" or "bash"
    echo_escapes: bool

    def prefix(self, name: str, line: int) -> str:
        if self.shell == "dash":
            return f"{name}: {line}: "
        if self.shell == "bash":
            return f"{name}: line {line}: "
        return f"{name}: "

    def not_found(self, name: str, command: str, line: int) -> str:
        if self.shell == "bash":
            if "/" in command:
                return f"{self.prefix(name, line)}{command}: No such file or directory"
            return f"{self.prefix(name, line)}{command}: command not found"
        return f"{self.prefix(name, line)}{command}: not found"

    def cannot_run(self, name: str, command: str, reason: str, line: int) -> str:
        return f"{self.prefix(name, line)}{command}: {reason}"

    def cannot_create(self, name: str, path: str, reason: str, line: int) -> str:
        if self.shell == "dash":
            return f"{self.prefix(name, line)}cannot create {path}: {reason}"
        if self.shell == "bash":
            return f"{self.prefix(name, line)}{path}: {reason}"
        return f"{name}: can't create {path}: {reason}"

    def cannot_open(self, name: str, path: str, reason: str, line: int) -> str:
        if self.shell == "dash":
            return f"{self.prefix(name, line)}cannot open {path}: {reason}"
        if self.shell == "bash":
            return f"{self.prefix(name, line)}{path}: {reason}"
        return f"{name}: can't open '{path}': {reason}"

    def syntax_error(self, name: str, err: ShellSyntaxError) -> str:
        if self.shell == "dash":
            if err.kind == "unterminated":
                detail = "Unterminated quoted string"
            elif err.kind == "eof":
                detail = f'end of file unexpected (expecting "{err.expecting}")'
            elif err.kind == "nesting":
                detail = "nesting too deep"
            else:
                detail = f'"{err.token}" unexpected' if err.token not in (
                    "newline", "end of file") else f"{err.token} unexpected"
            return f"{name}: {err.line}: Syntax error: {detail}"
        if self.shell == "bash":
            where = f"{name}: -c: line {err.line}: "
            if err.kind == "unterminated":
                return f"{where}unexpected EOF while looking for matching `{err.token}'"
            if err.kind == "eof" or err.token == "end of file":
                return f"{where}syntax error: unexpected end of file"
            if err.kind == "nesting":
                return f"{where}syntax error: nesting too deep"
            return f"{where}syntax error near unexpected token `{err.token}'"
        if err.kind == "unterminated":
            return f"{name}: syntax error: unterminated quoted string"
        if err.kind == "eof":
            return f'{name}: syntax error: unexpected end of file (expecting "{err.expecting}")'
        if err.kind == "nesting":
            return f"{name}: syntax error: nesting too deep"
        token = err.token if err.token in ("newline", "end of file") else f'"{err.token}"'
        return f"{name}: syntax error: unexpected {token}"


DIALECTS = {
    "ash": Dialect("ash", echo_escapes=False),
    "dash": Dialect("dash", echo_escapes=True),
    "bash": Dialect("bash", echo_escapes=False),
}
