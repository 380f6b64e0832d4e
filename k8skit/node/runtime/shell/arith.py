"""Shell arithmetic, ``$(( ... ))``: signed 64-bit integers, C operators, shell variables.

POSIX (XCU 2.6.4) asks for C's integer operators with the shell's variables as operands; shells
compute in ``intmax_t``, so results wrap at 64 bits. This is a small Pratt parser over those
operators: it reads numbers and names, never evaluates Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_BITS = 1 << 64
# Expressions are evaluated through nested closures; a bound on their length keeps that nesting
# well inside Python's recursion limit (no real script comes near it).
MAX_TOKENS = 200


class ArithError(Exception):
    """An expression that cannot be computed: ``detail`` is "syntax error" or
    "division by zero"."""

    def __init__(self, detail: str, expression: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.expression = expression


def wrap(value: int) -> int:
    """``value`` as a signed 64-bit integer."""
    return (value + (1 << 63)) % _BITS - (1 << 63)


_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z_0-9]*)|"
                    r"(<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|"
                    r"[-+*/%<>=!~&|^?:()]))")

_BINARY = {  # operator: (precedence, right associative)
    "||": (4, False), "&&": (5, False), "|": (6, False), "^": (7, False), "&": (8, False),
    "==": (9, False), "!=": (9, False), "<": (10, False), "<=": (10, False),
    ">": (10, False), ">=": (10, False), "<<": (11, False), ">>": (11, False),
    "+": (12, False), "-": (12, False), "*": (13, False), "/": (13, False),
    "%": (13, False), "**": (14, True),
}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="}


def evaluate(expression: str, get: Callable[[str], str],
             set_: Callable[[str, str], None]) -> int:
    """The value of ``expression``; ``get``/``set_`` read and assign shell variables."""
    tokens = _tokenize(expression)
    if not tokens:
        return 0
    if len(tokens) > MAX_TOKENS:
        raise ArithError("expression too long", expression)
    parser = _Parser(tokens, expression, get, set_)
    value = parser.expression(0)
    if parser.pos != len(tokens):
        raise ArithError("syntax error", expression)
    return value()


def _tokenize(expression: str) -> list[str]:
    tokens, pos = [], 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:
            if expression[pos:].strip():
                raise ArithError("syntax error", expression)
            break
        tokens.append(match.group(1) or match.group(2) or match.group(3))
        pos = match.end()
    return tokens


def _number(text: str, expression: str) -> int:
    try:
        if text[:2] in ("0x", "0X"):
            return wrap(int(text, 16))
        if len(text) > 1 and text[0] == "0":
            return wrap(int(text, 8))
        return wrap(int(text))
    except ValueError:
        raise ArithError("syntax error", expression) from None


class _Parser:
    """Builds closures (evaluated later, so ``&&``, ``||`` and ``?:`` can skip a side)."""

    def __init__(self, tokens: list[str], text: str, get, set_) -> None:
        self.tokens = tokens
        self.pos = 0
        self.text = text
        self.get = get
        self.set = set_
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        if self.pos >= len(self.tokens):
            raise ArithError("syntax error", self.text)
        self.pos += 1
        return self.tokens[self.pos - 1]

    def variable(self, name: str) -> int:
        raw = self.get(name).strip()
        if not raw:
            return 0
        return _number(raw.lstrip("+-"), self.text) * (-1 if raw.startswith("-") else 1)

    def expression(self, min_precedence: int):
        left = self.unary()
        while True:
            op = self.peek()
            if op in _ASSIGN and min_precedence <= 1:
                left = self.assignment(left)
                continue
            if op == "?" and min_precedence <= 3:
                self.take()
                if_true = self.expression(0)
                if self.take() != ":":
                    raise ArithError("syntax error", self.text)
                if_false = self.expression(3)
                cond = left
                left = (lambda c, a, b: lambda: a() if c() else b())(cond, if_true, if_false)
                continue
            if op not in _BINARY:
                return left
            precedence, right_assoc = _BINARY[op]
            if precedence < min_precedence:
                return left
            self.take()
            right = self.expression(precedence if right_assoc else precedence + 1)
            left = self.binary(op, left, right)

    def assignment(self, target):
        name = getattr(target, "name", None)
        op = self.take()
        if name is None:
            raise ArithError("syntax error", self.text)
        value = self.expression(1)
        binary = None if op == "=" else self.binary(op[:-1], target, value)

        def assign() -> int:
            result = value() if binary is None else binary()
            self.set(name, str(result))
            return result
        return assign

    def binary(self, op: str, left, right):
        text = self.text

        def divide(a: int, b: int) -> int:
            if b == 0:
                raise ArithError("division by zero", text)
            quotient = abs(a) // abs(b)
            return quotient if (a >= 0) == (b >= 0) else -quotient

        def modulo(a: int, b: int) -> int:
            if b == 0:
                raise ArithError("division by zero", text)
            return a - divide(a, b) * b

        def power(a: int, b: int) -> int:
            if b < 0:
                raise ArithError("exponent less than 0", text)
            return pow(a, b, _BITS)

        if op == "&&":
            return lambda: int(bool(left()) and bool(right()))
        if op == "||":
            return lambda: int(bool(left()) or bool(right()))
        fn = {
            "|": lambda a, b: a | b, "^": lambda a, b: a ^ b, "&": lambda a, b: a & b,
            "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
            "<": lambda a, b: int(a < b), "<=": lambda a, b: int(a <= b),
            ">": lambda a, b: int(a > b), ">=": lambda a, b: int(a >= b),
            "<<": lambda a, b: a << (b & 63), ">>": lambda a, b: a >> (b & 63),
            "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
            "/": divide, "%": modulo, "**": power,
        }[op]
        return lambda: wrap(fn(left(), right()))

    def unary(self):
        self.depth += 1
        if self.depth > 60:
            raise ArithError("syntax error", self.text)
        try:
            return self._unary()
        finally:
            self.depth -= 1

    def _unary(self):
        op = self.peek()
        if op in ("+", "-", "!", "~"):
            self.take()
            operand = self.unary()
            return {"+": lambda: operand(), "-": lambda: wrap(-operand()),
                    "!": lambda: int(not operand()), "~": lambda: wrap(~operand())}[op]
        if op in ("++", "--"):
            self.take()
            token = self.take()
            if not (token[0].isalpha() or token[0] == "_"):
                raise ArithError("syntax error", self.text)
            step = 1 if op == "++" else -1

            def pre() -> int:
                value = wrap(self.variable(token) + step)
                self.set(token, str(value))
                return value
            return pre
        return self.postfix(self.primary())

    def postfix(self, operand):
        name = getattr(operand, "name", None)
        if name is not None and self.peek() in ("++", "--"):
            step = 1 if self.take() == "++" else -1

            def post() -> int:
                value = self.variable(name)
                self.set(name, str(wrap(value + step)))
                return value
            return post
        return operand

    def primary(self):
        token = self.take()
        if token == "(":
            inner = self.expression(0)
            if self.take() != ")":
                raise ArithError("syntax error", self.text)
            return inner
        if token[0].isdecimal():
            value = _number(token, self.text)
            return lambda: value
        if token[0].isalpha() or token[0] == "_":
            def read() -> int:
                return self.variable(token)
            read.name = token
            return read
        raise ArithError("syntax error", self.text)
