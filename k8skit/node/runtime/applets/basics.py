"""``echo``, ``printf``, ``test``/``[``, ``true``, ``false``: shell built-ins that are also
binaries (``kubectl exec pod -- echo hi`` runs ``/bin/echo``, no shell involved)."""

from __future__ import annotations

import os
import re

from k8skit.node.runtime.process import Context
from k8skit.node.runtime.registry import program

# printf field widths beyond this would only build huge strings in memory.
MAX_FIELD_WIDTH = 10_000

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t", "v": "\v", "\\": "\\"}


def interpret_escapes(text: str, octal_needs_zero: bool = True) -> tuple[str, bool]:
    """Backslash escapes as ``echo -e`` and ``printf %b`` read them; True if ``\\c`` ended
    the output early."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "c":
            return "".join(out), True
        if nxt in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[nxt])
            i += 2
        elif nxt == "0" or (not octal_needs_zero and nxt in "1234567"):
            start = i + 2 if nxt == "0" else i + 1
            match = re.match(r"[0-7]{1,3}", text[start:])
            digits = match.group(0) if match else ""
            out.append(chr(int(digits, 8) & 0xFF) if digits else "\0")
            i = start + len(digits)
        elif nxt == "x" and re.match(r"[0-9a-fA-F]", text[i + 2:i + 3]):
            digits = re.match(r"[0-9a-fA-F]{1,2}", text[i + 2:]).group(0)
            out.append(chr(int(digits, 16)))
            i += 2 + len(digits)
        else:
            out.append(c)
            i += 1
    return "".join(out), False


@program("echo")
def echo(ctx: Context, dash: bool = False) -> int:
    """``echo [-neE] ARG...``; dash's built-in takes only ``-n`` and always reads escapes."""
    args = ctx.argv[1:]
    newline, escapes = True, dash
    if dash:
        if args and args[0] == "-n":
            newline = False
            args = args[1:]
    else:
        while args and re.fullmatch(r"-[neE]+", args[0]):
            for letter in args.pop(0)[1:]:
                if letter == "n":
                    newline = False
                else:
                    escapes = letter == "e"
    text = " ".join(args)
    if escapes:
        text, stopped = interpret_escapes(text)
        newline = newline and not stopped
    ctx.write(text + ("\n" if newline else ""))
    return 0


@program("true")
def true(ctx: Context) -> int:
    return 0


@program("false")
def false(ctx: Context) -> int:
    return 1


# -- printf ------------------------------------------------------------------------------------
_CONVERSION = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXcsbfFeEgG%])")


@program("printf")
def printf(ctx: Context) -> int:
    """``printf FORMAT [ARG...]``: the format is reused until the arguments run out."""
    if len(ctx.argv) < 2:
        ctx.error("printf: missing operand" if ctx.flavour == "gnu" else
                  "printf: usage: printf FORMAT [ARGUMENT]...")
        return 1 if ctx.flavour == "gnu" else 2
    fmt, args = ctx.argv[1], ctx.argv[2:]
    state = {"status": 0}
    while True:
        text, used, stopped = _format_once(ctx, fmt, args, state)
        ctx.write(text)
        args = args[used:]
        if stopped or not args or not used:
            return state["status"]


def _format_once(ctx: Context, fmt: str, args: list[str],
                 state: dict) -> tuple[str, int, bool]:
    out: list[str] = []
    used = 0
    pos = 0

    def next_arg() -> str | None:
        nonlocal used
        if used < len(args):
            used += 1
            return args[used - 1]
        return None

    while pos < len(fmt):
        c = fmt[pos]
        if c == "\\":
            end = pos + 2
            if fmt[pos + 1:pos + 2] in ("0", "1", "2", "3", "4", "5", "6", "7"):
                match = re.match(r"[0-7]{1,3}", fmt[pos + 1:])
                end = pos + 1 + len(match.group(0))
            elif fmt[pos + 1:pos + 2] == "x":
                match = re.match(r"[0-9a-fA-F]{1,2}", fmt[pos + 2:])
                end = pos + 2 + (len(match.group(0)) if match else 0)
            text, stopped = interpret_escapes(fmt[pos:end], octal_needs_zero=False)
            out.append(text)
            if stopped:
                return "".join(out), used, True
            pos = end
            continue
        if c != "%":
            out.append(c)
            pos += 1
            continue
        match = _CONVERSION.match(fmt, pos)
        if match is None:
            out.append(c)
            pos += 1
            continue
        pos = match.end()
        flags, width, precision, conv = match.groups()
        if conv == "%":
            out.append("%")
            continue
        if width == "*":
            width = str(_integer(ctx, next_arg() or "0", state))
        if precision == "*":
            precision = str(_integer(ctx, next_arg() or "0", state))
        width = min(abs(int(width)), MAX_FIELD_WIDTH) if width else None
        precision = min(int(precision), MAX_FIELD_WIDTH) if precision else \
            (0 if precision == "" else None)
        spec = "%" + flags + (str(width) if width is not None else "") + \
            (f".{precision}" if precision is not None else "")
        arg = next_arg()
        if conv in "sb":
            value = arg or ""
            if conv == "b":
                value, stopped = interpret_escapes(value, octal_needs_zero=True)
                out.append((spec + "s") % value)
                if stopped:
                    return "".join(out), used, True
                continue
            out.append((spec + "s") % value)
        elif conv == "c":
            out.append((spec.split(".")[0] + "s") % (arg or "")[:1])
        elif conv in "diouxX":
            number = _integer(ctx, arg or "0", state)
            if conv in "uoxX" and number < 0:
                number += 1 << 64
            out.append((spec + {"i": "d", "u": "d"}.get(conv, conv)) % number)
        else:
            out.append((spec + conv) % _float(ctx, arg or "0", state))
    return "".join(out), used, False


def _integer(ctx: Context, text: str, state: dict) -> int:
    """printf's numeric argument: decimal, 0x hex, 0 octal, or 'c (a character's code)."""
    stripped = text.strip()
    if stripped[:1] in ("'", '"') and len(stripped) > 1:
        return ord(stripped[1])
    match = re.fullmatch(r"([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)", stripped)
    if match:
        sign, digits = match.groups()
        base = 16 if digits[:2] in ("0x", "0X") else 8 if digits.startswith("0") else 10
        value = int(digits, base) if digits not in ("0",) else 0
        return -value if sign == "-" else value
    prefix = re.match(r"[-+]?\d+", stripped)
    ctx.error(f"printf: invalid number '{text}'" if ctx.flavour != "gnu" else
              f"printf: '{text}': expected a numeric value")
    state["status"] = 1
    return int(prefix.group(0)) if prefix else 0


def _float(ctx: Context, text: str, state: dict) -> float:
    try:
        return float(text)
    except ValueError:
        ctx.error(f"printf: invalid number '{text}'" if ctx.flavour != "gnu" else
                  f"printf: '{text}': expected a numeric value")
        state["status"] = 1
        return 0.0


# -- test --------------------------------------------------------------------------------------
_UNARY = {"-e", "-f", "-d", "-s", "-r", "-w", "-x", "-z", "-n", "-L", "-h", "-b", "-c", "-p",
          "-S", "-t", "-g", "-u", "-k", "-O", "-G", "-N"}
_BINARY = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot",
           "-ef"}


class _TestError(Exception):
    pass


@program("test", "[")
def test(ctx: Context) -> int:
    """``test EXPR`` / ``[ EXPR ]``: 0 true, 1 false, 2 for a malformed expression."""
    args = ctx.argv[1:]
    name = ctx.argv[0] if ctx.argv else "test"
    if name == "[":
        if not args or args[-1] != "]":
            ctx.error("[: missing ]" if ctx.flavour != "gnu" else "[: missing ']'")
            return 2
        args = args[:-1]
    try:
        return 0 if _TestParser(ctx, args).evaluate() else 1
    except _TestError as err:
        ctx.error(f"{name}: {err}")
        return 2


class _TestParser:
    """The POSIX rules by argument count, with ``!``, ``-a``, ``-o`` and parentheses."""

    def __init__(self, ctx: Context, args: list[str]) -> None:
        self.ctx = ctx
        self.args = args
        self.pos = 0

    def evaluate(self) -> bool:
        args = self.args
        if not args:
            return False
        if len(args) == 1:
            return args[0] != ""
        if len(args) == 2 and args[0] == "!":
            return args[1] == ""
        if len(args) == 2 and args[0] in _UNARY:
            return self.unary(args[0], args[1])
        if len(args) == 3 and args[1] in _BINARY:
            return self.binary(args[0], args[1], args[2])
        result = self.or_expr()
        if self.pos != len(args):
            raise _TestError(f"{args[self.pos]}: unexpected operator")
        return result

    def take(self) -> str:
        if self.pos >= len(self.args):
            raise _TestError("argument expected")
        self.pos += 1
        return self.args[self.pos - 1]

    def peek(self, offset: int = 0) -> str | None:
        index = self.pos + offset
        return self.args[index] if index < len(self.args) else None

    def or_expr(self) -> bool:
        result = self.and_expr()
        while self.peek() == "-o":
            self.take()
            right = self.and_expr()
            result = result or right
        return result

    def and_expr(self) -> bool:
        result = self.not_expr()
        while self.peek() == "-a":
            self.take()
            right = self.not_expr()
            result = result and right
        return result

    def not_expr(self) -> bool:
        depth = 0
        while self.peek() == "!" and self.peek(1) is not None:
            self.take()
            depth += 1
        return self.primary() != bool(depth % 2)

    def primary(self) -> bool:
        token = self.take()
        if token == "(" and self.pos < len(self.args):
            result = self.or_expr()
            if self.take() != ")":
                raise _TestError("missing )")
            return result
        if self.peek() in _BINARY and self.peek(1) is not None:
            op = self.take()
            return self.binary(token, op, self.take())
        if token in _UNARY and self.peek() is not None:
            return self.unary(token, self.take())
        return token != ""

    def unary(self, op: str, operand: str) -> bool:
        if op == "-z":
            return operand == ""
        if op == "-n":
            return operand != ""
        if op == "-t":
            return False
        fs = self.ctx.fs
        path = self.ctx.path(operand) if operand else ""
        if not operand or not fs.exists(path):
            return False
        info = fs.stat(path)
        return {
            "-e": True, "-f": info.kind == "file", "-d": info.kind == "dir",
            "-s": info.size > 0, "-r": True, "-w": not self.ctx.fs.read_only_at(path),
            "-x": info.executable or info.kind == "dir", "-L": False, "-h": False,
            "-O": True, "-G": True, "-N": False,
        }.get(op, False)

    def binary(self, left: str, op: str, right: str) -> bool:
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op in ("-nt", "-ot", "-ef"):
            return self.compare_files(left, op, right)
        a, b = self.number(left), self.number(right)
        return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b,
                "-ge": a >= b}[op]

    def number(self, text: str) -> int:
        if not re.fullmatch(r"\s*[-+]?\d+\s*", text):
            raise _TestError(f"{text}: integer expression expected"
                             if self.ctx.flavour == "gnu" else f"{text}: bad number")
        return int(text)

    def compare_files(self, left: str, op: str, right: str) -> bool:
        fs = self.ctx.fs
        a, b = self.ctx.path(left), self.ctx.path(right)
        if op == "-ef":
            return os.path.normpath(a) == os.path.normpath(b) and fs.exists(a)
        if not (fs.exists(a) and fs.exists(b)):
            return fs.exists(a) if op == "-nt" else fs.exists(b)
        ta, tb = fs.stat(a).mtime, fs.stat(b).mtime
        return ta > tb if op == "-nt" else ta < tb
