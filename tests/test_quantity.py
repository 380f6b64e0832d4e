"""Quantities read and print as the API server reads and prints them (quantity.go)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8skit.api.quantity import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    FORMAT_WRONG,
    SUFFIX_WRONG,
    Quantity,
    QuantityError,
    canonical,
    cpu_millis,
    format_bytes,
    format_cpu_millis,
    memory_bytes,
    parse_quantity,
)

REGEX_MESSAGE = (
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        # The canonical forms FIDELITY.md lists.
        ("0.5", "500m"),
        ("1.5Gi", "1536Mi"),
        ("1024Mi", "1Gi"),
        ("3000", "3k"),
        # Canonical input stays as written.
        ("500m", "500m"),
        ("100Mi", "100Mi"),
        ("1Ki", "1Ki"),
        ("2", "2"),
        ("250m", "250m"),
        ("1500m", "1500m"),
        # Decimal amounts drop their fraction for a smaller suffix.
        ("1.5", "1500m"),
        ("0.1", "100m"),
        ("2.5k", "2500"),
        ("1000m", "1"),
        ("1000000", "1M"),
        ("0.001", "1m"),
        # A binary amount under 1024, or with a fraction, prints in decimal.
        ("0.5Ki", "512"),
        ("0.3Ki", "307200m"),
        ("0.5Gi", "512Mi"),
        # An exponent stays an exponent.
        ("1e3", "1e3"),
        ("1E6", "1E6"),
        ("1.5e6", "1500e3"),
        ("12e3", "12e3"),
        ("1.2e3", "1200"),
        # Finer than nano rounds away from zero.
        ("0.9n", "1n"),
        ("0.00000012345", "124n"),
        ("-0.9n", "-1n"),
        # A binary amount is capped at 2**63-1.
        ("9Ei", "9223372036854775807"),
        # A decimal amount beyond E falls back to an exponent.
        ("1000E", "1e21"),
        # Negative amounts keep their sign.
        ("-1.5Gi", "-1536Mi"),
        ("-500m", "-500m"),
        # Zero is zero, whatever the suffix.
        ("0", "0"),
        ("0Ki", "0"),
        ("0m", "0"),
    ],
)
def test_canonical_form_matches_the_api_server(written, stored):
    assert canonical(written) == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [(0.5, "500m"), (1, "1"), (2.5, "2500m"), (1000.0, "1k"), (0.1, "100m"), (3000, "3k")],
)
def test_yaml_numbers_are_read_like_the_json_kubectl_sends(written, stored):
    assert canonical(written) == stored


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1Ki", 1024),
        ("1Mi", 2**20),
        ("1Gi", 2**30),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("1k", 10**3),
        ("1M", 10**6),
        ("1G", 10**9),
        ("1T", 10**12),
        ("1P", 10**15),
        ("1E", 10**18),
        ("5e2", 500),
        ("5E2", 500),
        ("64Mi", 67108864),
        ("129M", 129000000),
    ],
)
def test_suffixes_scale_the_number(text, value):
    assert memory_bytes(text) == value


def test_value_and_milli_value_round_up_like_upstream():
    assert cpu_millis("0.5") == 500
    assert cpu_millis("250m") == 250
    assert cpu_millis("1") == 1000
    assert cpu_millis("0.0001") == 1  # asking for a little gets some
    assert parse_quantity("1.5").value() == 2
    assert parse_quantity("1n").value() == 1
    assert parse_quantity("-1.5").value() == -2  # away from zero


@pytest.mark.parametrize(
    "text", ["", "abc", "1.1.M", "1+1.0M", "0.1am", "2 Gi", "2gi", "Non-Numeric"]
)
def test_malformed_quantity_quotes_the_upstream_pattern(text):
    with pytest.raises(QuantityError) as caught:
        parse_quantity(text)
    assert str(caught.value) == REGEX_MESSAGE == FORMAT_WRONG


@pytest.mark.parametrize("text", ["1K", "1i", "0.1mi", "1e", "1Ki1", "1e4294967297", "2Ki1"])
def test_unknown_suffix_is_refused(text):
    with pytest.raises(QuantityError, match=r"^unable to parse quantity's suffix$"):
        parse_quantity(text)
    assert SUFFIX_WRONG == "unable to parse quantity's suffix"


@pytest.mark.parametrize("value", [True, None, [1], {"cpu": 1}, float("nan"), float("inf")])
def test_non_quantity_values_are_a_value_error(value):
    with pytest.raises(ValueError):
        parse_quantity(value)


def test_surrounding_spaces_are_trimmed_like_unmarshal_json():
    assert canonical(" 250m ") == "250m"


def test_formats_follow_the_suffix_family():
    assert parse_quantity("1Gi").format == BINARY_SI
    assert parse_quantity("1G").format == DECIMAL_SI
    assert parse_quantity("1e9").format == DECIMAL_EXPONENT
    assert parse_quantity("0.5").format == DECIMAL_SI


def test_equal_amounts_in_different_suffixes_are_equal():
    assert parse_quantity("1Gi") == parse_quantity("1024Mi")
    assert parse_quantity("1") == parse_quantity("1000m")
    assert parse_quantity("1k") == parse_quantity("1e3")
    assert len({parse_quantity("1Gi"), parse_quantity("1024Mi")}) == 1
    assert parse_quantity("1G") < parse_quantity("1Gi")
    assert parse_quantity("10000T") > parse_quantity("100Gi")


def test_arithmetic_is_exact_and_keeps_the_format():
    total = parse_quantity("100m") + parse_quantity("0.2")
    assert str(total) == "300m"
    assert str(parse_quantity("1Gi") - parse_quantity("512Mi")) == "512Mi"
    assert str(sum([parse_quantity("1Gi"), parse_quantity("1Gi")])) == "2Gi"
    # 0 + 1Gi takes the format of the non-zero side, as Add does upstream.
    assert str(parse_quantity("0") + parse_quantity("1Gi")) == "1Gi"
    assert str(parse_quantity("250m") * 4) == "1"
    assert str(-parse_quantity("1Gi")) == "-1Gi"
    # Decimal arithmetic never drifts the way floats do.
    tenth = parse_quantity("0.1")
    assert tenth + tenth + tenth == parse_quantity("0.3")


def test_constructors_for_computed_amounts():
    assert str(Quantity.from_millis(250)) == "250m"
    assert str(Quantity.from_millis(2000)) == "2"
    assert str(Quantity.from_value(2**30, BINARY_SI)) == "1Gi"
    assert str(Quantity.from_value(3 * 2**29, BINARY_SI)) == "1536Mi"
    assert repr(parse_quantity("0.5")) == "Quantity('500m')"


def test_kubectl_top_style_formatting():
    assert format_cpu_millis(250) == "250m"
    assert format_cpu_millis(0) == "0m"
    assert format_bytes(64 * 2**20) == "64Mi"
    assert format_bytes(64 * 2**20 + 2**19) == "64Mi"  # whole mebibytes, rounded down
    assert format_bytes(2**30) == "1024Mi"


# -- properties ------------------------------------------------------------------------------------
_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]


@st.composite
def quantity_texts(draw):
    sign = draw(st.sampled_from(["", "-", "+"]))
    whole = draw(st.integers(min_value=0, max_value=10**7))
    fraction = draw(st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,6}", fullmatch=True)))
    suffix = draw(
        st.one_of(
            st.sampled_from(_SUFFIXES),
            st.integers(min_value=-12, max_value=21).map(lambda e: f"e{e}"),
        )
    )
    return f"{sign}{whole}{fraction}{suffix}"


@given(quantity_texts())
def test_printing_then_parsing_gives_the_same_amount(text):
    quantity = parse_quantity(text)
    assert parse_quantity(str(quantity)) == quantity


@given(quantity_texts())
def test_canonical_form_is_a_fixed_point(text):
    once = canonical(text)
    assert canonical(once) == once


@given(quantity_texts(), quantity_texts())
def test_ordering_follows_the_numeric_value(a, b):
    qa, qb = parse_quantity(a), parse_quantity(b)
    assert (qa < qb) == (qa.amount < qb.amount)
    assert (qa == qb) == (qa.amount == qb.amount)
    # And the printed forms denote the same numbers.
    assert (parse_quantity(str(qa)) < parse_quantity(str(qb))) == (qa < qb)


@given(st.integers(min_value=0, max_value=10**12))
def test_millicores_round_trip(millis):
    assert cpu_millis(Quantity.from_millis(millis)) == millis
    assert cpu_millis(str(Quantity.from_millis(millis))) == millis


@given(st.integers(min_value=0, max_value=2**62))
def test_binary_byte_counts_round_trip(size):
    printed = str(Quantity.from_value(size, BINARY_SI))
    assert memory_bytes(printed) == size


@given(st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=9))
def test_amounts_at_nano_precision_survive_printing(amount):
    quantity = parse_quantity(format(amount, "f"))
    assert quantity.amount == amount
    assert parse_quantity(str(quantity)).amount == amount
