"""Resource quantities: ``500m`` of CPU, ``64Mi`` of memory, exactly as Kubernetes reads them.

Kubernetes never stores a CPU or memory amount as a floating point number: a ``Quantity`` is a
fixed-point decimal plus the *format* it was written in (binary ``Ki Mi Gi ...``, decimal
``m k M G ...`` or an exponent ``e3``). When the API server writes an object back out, every
quantity is put in *canonical form*: no fractional digits, the largest suffix that loses no
precision, and the same family of suffix the user chose. That is why ``cpu: 0.5`` comes back
from ``kubectl get -o yaml`` as ``500m`` and ``memory: 1.5Gi`` as ``1536Mi``.

This module follows ``staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go`` (parsing,
rounding and canonical form), ``amount.go`` (the factor removal behind canonical form) and
``suffix.go`` (the suffix tables). Python's :class:`decimal.Decimal` plays the part of Go's
``inf.Dec``: an exact decimal of any size.

Grammar (from quantity.go)::

    <quantity>        ::= <signedNumber><suffix>
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

There is no ``K``: one thousand is ``1k`` and 1024 is ``1Ki``.
"""

from __future__ import annotations

import decimal
import functools
from decimal import ROUND_UP, Decimal
from typing import Union

DECIMAL_EXPONENT = "DecimalExponent"  # 12e6
BINARY_SI = "BinarySI"  # 12Mi (12 * 2**20)
DECIMAL_SI = "DecimalSI"  # 12M (12 * 10**6)

# The pattern upstream quotes in its error message (splitREString in quantity.go).
QUANTITY_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_WRONG = f"quantities must match the regular expression '{QUANTITY_PATTERN}'"
NUMERIC_WRONG = "unable to parse numeric part of quantity"
SUFFIX_WRONG = "unable to parse quantity's suffix"

_DECIMAL_SUFFIXES = {
    "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}
_DECIMAL_SUFFIX_OF_EXPONENT = {exponent: s for s, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_BINARY_SUFFIX_OF_POWER = {power // 10: s for s, power in _BINARY_SUFFIXES.items()}
_SUFFIX_CHARACTERS = set("eEinumkKMGTP")
_DIGITS = set("0123456789")

_NANO = Decimal("1e-9")
_MAX_INT32 = 2**31 - 1
# A binary quantity is capped at 2**63-1 when parsed (maxAllowed in quantity.go).
_MAX_BINARY = Decimal(2**63 - 1)
# The fast path of ParseQuantity keeps the user's text when it is already canonical; it only
# runs for values whose digits fit an int64 (maxInt64Factors in amount.go).
_MAX_INT64_FACTORS = 18

# Exact arithmetic for any value a manifest can hold: enough digits for an int64 at nano scale,
# and exponents as wide as upstream's int32 scale.
_CONTEXT = decimal.Context(prec=200, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


class QuantityError(ValueError):
    """A string that is not a quantity; the message is the API server's."""


QuantityLike = Union["Quantity", str, int, float]


class Quantity:
    """An exact amount and the format (suffix family) it is written back in.

    Equality and ordering compare the amount only: ``Quantity("1Gi") == Quantity("1024Mi")``.
    ``str()`` gives the form the API server stores and ``kubectl get -o yaml`` prints.
    """

    __slots__ = ("amount", "format", "_text")

    def __init__(self, amount: Decimal | int, format: str = DECIMAL_SI, text: str | None = None):
        self.amount = Decimal(amount)
        self.format = format
        # The user's own text, kept when it already is canonical (the cached ``s`` upstream).
        self._text = text

    # -- constructors (NewQuantity, NewMilliQuantity in quantity.go) ------------------------------
    @classmethod
    def from_value(cls, value: int, format: str = DECIMAL_SI) -> Quantity:
        """``value`` units, e.g. ``Quantity.from_value(2**30, BINARY_SI)`` is ``1Gi``."""
        return cls(Decimal(value), format)

    @classmethod
    def from_millis(cls, millis: int, format: str = DECIMAL_SI) -> Quantity:
        """``millis`` thousandths, e.g. ``Quantity.from_millis(250)`` is ``250m`` of CPU."""
        return cls(Decimal(millis).scaleb(-3, _CONTEXT), format)

    # -- reading the amount ------------------------------------------------------------------------
    def value(self) -> int:
        """The amount in whole units, rounded away from zero (``Value()`` upstream)."""
        return _round_away_from_zero(self.amount)

    def milli_value(self) -> int:
        """The amount in thousandths, rounded away from zero (``MilliValue()`` upstream).

        ``parse_quantity("0.0001").milli_value()`` is 1: asking for a little CPU gets some.
        """
        return _round_away_from_zero(self.amount.scaleb(3, _CONTEXT))

    def is_zero(self) -> bool:
        return self.amount == 0

    def sign(self) -> int:
        return (self.amount > 0) - (self.amount < 0)

    # -- arithmetic (Add, Sub, Neg, Mul in quantity.go) --------------------------------------------
    def _combine(self, other: Quantity, amount: Decimal) -> Quantity:
        # Upstream: "If the current value is zero, the format of the quantity will be updated
        # to the format of y", so 0 + 1Gi prints as 1Gi.
        return Quantity(amount, other.format if self.is_zero() else self.format)

    def __add__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other, _CONTEXT.add(self.amount, other.amount))

    def __radd__(self, other: object) -> Quantity:
        # Lets sum() start from the integer 0.
        if other == 0 and not isinstance(other, bool):
            return self
        return NotImplemented

    def __sub__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other, _CONTEXT.subtract(self.amount, other.amount))

    def __neg__(self) -> Quantity:
        return Quantity(-self.amount, self.format)

    def __mul__(self, factor: int) -> Quantity:
        if not isinstance(factor, int) or isinstance(factor, bool):
            return NotImplemented
        return Quantity(_CONTEXT.multiply(self.amount, Decimal(factor)), self.format)

    __rmul__ = __mul__

    # -- comparison (Cmp) --------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.amount == other.amount

    def __hash__(self) -> int:
        return hash(self.amount)

    def __lt__(self, other: Quantity) -> bool:
        return self.amount < other.amount if isinstance(other, Quantity) else NotImplemented

    def __le__(self, other: Quantity) -> bool:
        return self.amount <= other.amount if isinstance(other, Quantity) else NotImplemented

    def __gt__(self, other: Quantity) -> bool:
        return self.amount > other.amount if isinstance(other, Quantity) else NotImplemented

    def __ge__(self, other: Quantity) -> bool:
        return self.amount >= other.amount if isinstance(other, Quantity) else NotImplemented

    # -- canonical form (CanonicalizeBytes) --------------------------------------------------------
    def __str__(self) -> str:
        if self._text is not None:
            return self._text
        if self.is_zero():
            return "0"
        format = self.format
        if format == BINARY_SI and (-1024 < self.amount < 1024 or self.amount % 1 != 0):
            # Small or fractional binary amounts would need rounding: show them in decimal.
            format = DECIMAL_SI
        if format == BINARY_SI:
            number, power = _remove_factors(int(self.amount), 1024, limit=6)
            return f"{number}{_BINARY_SUFFIX_OF_POWER.get(power, '')}"
        number, exponent = _decimal_mantissa(self.amount)
        if format == DECIMAL_SI and exponent in _DECIMAL_SUFFIX_OF_EXPONENT:
            return f"{number}{_DECIMAL_SUFFIX_OF_EXPONENT[exponent]}"
        # DecimalSI has no suffix beyond E (10**18): upstream falls back to an exponent.
        return f"{number}e{exponent}" if exponent else str(number)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"


def _round_away_from_zero(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_UP, context=_CONTEXT))


def _remove_factors(value: int, base: int, limit: int) -> tuple[int, int]:
    """Divide ``base`` out of ``value`` as often as it goes (removeInt64Factors in amount.go)."""
    times = 0
    while times < limit and value != 0 and value % base == 0:
        value //= base
        times += 1
    return value, times


def _decimal_mantissa(amount: Decimal) -> tuple[int, int]:
    """``amount`` as ``number * 10**exponent`` with an exponent that is a multiple of 3.

    All trailing zeros move into the exponent, then the exponent steps down to a multiple of
    3 (AsCanonicalBytes in amount.go): 1500 -> (1500, 0), 3000 -> (3, 3), 0.5 -> (500, -3).
    """
    sign, digits, exponent = amount.as_tuple()
    number = int("".join(map(str, digits)))
    while number % 10 == 0:
        number //= 10
        exponent += 1
    step = exponent % 3
    number, exponent = number * 10**step, exponent - step
    return (-number if sign else number), exponent


# -- parsing (parseQuantityString and ParseQuantity in quantity.go) --------------------------------
def _scan(text: str) -> tuple[bool, str, str, str]:
    """Split ``text`` into (positive, numerator, denominator, suffix).

    ``-1.5Gi`` -> (False, "1", "5", "Gi"). Leading zeros of the numerator are dropped; like
    upstream, ``1.`` and ``.5`` are numbers and a bare sign is zero.
    """
    positive, pos, end = True, 0, len(text)
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos += 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "", ""
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    numerator = text[start:pos] or "0"
    denominator = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denominator = text[start:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARACTERS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(FORMAT_WRONG)
    return positive, numerator, denominator, text[suffix_start:]


def _interpret_suffix(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix (suffixHandler.interpret in suffix.go)."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[1:].lstrip("+-")
        if digits.isdigit() and digits.isascii() and int(digits) <= _MAX_INT32:
            return 10, int(suffix[1:]), DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_WRONG)


def _kept_text(text: str, numerator: str, denominator: str, base: int, exponent: int,
               format: str) -> bool:
    """Whether upstream's fast path keeps the user's text as the canonical string.

    ParseQuantity reuses the input when it is "already canonical" by a cheap test: a binary
    amount whose number is not a multiple of 8 (``1Ki``, ``100Mi``), or a decimal amount whose
    scale is a multiple of 3 and whose digits neither start with 0 nor end in ``000``. The test
    is cheap, not perfect, so ``1.500k`` stays ``1.500k``: the simulator shows what a real API
    server shows.
    """
    if format == BINARY_SI:
        if denominator:
            return False
        precision = 15 - len(numerator) - int(exponent * 3 / 10) - 1
        value = int(numerator)
        return precision >= 0 and (value << exponent) < 2**63 and value & 0x07 != 0
    scale = exponent - len(denominator)
    shifted = numerator + denominator
    return (
        _MAX_INT64_FACTORS - len(shifted) >= 0
        and scale >= -9
        and scale % 3 == 0
        and not shifted.endswith("000")
        and shifted[0] != "0"
    )


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Quantity:
    # Remembered (a Quantity never changes): the kubelet and the scheduler read the same
    # few requests and capacities for every pod.
    if not text:
        raise QuantityError(FORMAT_WRONG)
    if text == "0":
        return Quantity(Decimal(0), DECIMAL_SI)
    positive, numerator, denominator, suffix = _scan(text)
    base, exponent, format = _interpret_suffix(suffix)
    amount = Decimal(f"{numerator}.{denominator or '0'}")
    if base == 10:
        amount = amount.scaleb(exponent, _CONTEXT)
    else:
        amount = _CONTEXT.multiply(amount, Decimal(2**exponent))
    magnitude = abs(amount)
    if magnitude != 0 and magnitude.as_tuple().exponent < -9:
        # "If you want some resources, you should get some resources": finer than a nano
        # rounds away from zero, so 0.9n is 1n.
        magnitude = magnitude.quantize(_NANO, rounding=ROUND_UP, context=_CONTEXT)
    if format == BINARY_SI and magnitude > _MAX_BINARY:
        magnitude = _MAX_BINARY
    if format == BINARY_SI and 0 < magnitude < 1:
        format = DECIMAL_SI
    amount = magnitude if positive else -magnitude
    kept = text if _kept_text(text, numerator, denominator, base, exponent, format) else None
    return Quantity(amount, format, kept)


def json_number_text(number: float) -> str:
    """The text Go's encoding/json writes for a float64 (what kubectl sends for ``cpu: 0.5``).

    Go writes plain digits for magnitudes in [1e-6, 1e21) and an exponent otherwise, always
    with the shortest digits that round-trip, and without a zero-padded exponent.
    """
    if number == 0 or 1e-6 <= abs(number) < 1e21:
        text = format(Decimal(repr(number)), "f")
        return text[:-2] if text.endswith(".0") else text
    mantissa, _, exponent = repr(number).partition("e")
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def parse_quantity(value: QuantityLike) -> Quantity:
    """Read a quantity as the API server reads it from JSON.

    ``value`` is a string (``"500m"``, ``"1.5Gi"``), a YAML number (``cpu: 1``, ``cpu: 0.5``)
    or a :class:`Quantity`. Raises :class:`QuantityError` (a ``ValueError``) worded as upstream.
    """
    if isinstance(value, Quantity):
        return value
    if isinstance(value, bool) or value is None:
        raise QuantityError(FORMAT_WRONG)
    if isinstance(value, int):
        return _parse_text(str(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise QuantityError(FORMAT_WRONG)
        return _parse_text(json_number_text(value))
    if isinstance(value, str):
        # Quantity.UnmarshalJSON trims surrounding spaces before parsing.
        return _parse_text(value.strip())
    raise QuantityError(FORMAT_WRONG)


def canonical(value: QuantityLike) -> str:
    """The string the API server stores for ``value``: ``canonical(0.5) == "500m"``."""
    return str(parse_quantity(value))


def cpu_millis(value: QuantityLike) -> int:
    """CPU in millicores, as the scheduler and kubelet count it: ``cpu_millis("0.5") == 500``."""
    return parse_quantity(value).milli_value()


def memory_bytes(value: QuantityLike) -> int:
    """Memory (or storage) in bytes: ``memory_bytes("64Mi") == 67108864``."""
    return parse_quantity(value).value()


def format_cpu_millis(millis: int) -> str:
    """CPU as ``kubectl top`` prints it: always millicores, ``250m``.

    Source: ``staging/src/k8s.io/kubectl/pkg/metricsutil/metrics_printer.go``
    (``printSingleResourceUsage``).
    """
    return f"{millis}m"


def format_bytes(size: int) -> str:
    """Memory as ``kubectl top`` prints it: whole mebibytes, rounded down, ``64Mi``.

    Source: ``printSingleResourceUsage`` in kubectl's metrics_printer.go.
    """
    return f"{size // (1024 * 1024)}Mi"
