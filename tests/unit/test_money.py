from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.money import minor_units, quantum, round_money, to_decimal, to_decimal_or_none


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10, Decimal("10")),
        ("12.345", Decimal("12.345")),
        (" 7.5 ", Decimal("7.5")),
        (Decimal("1.1"), Decimal("1.1")),
    ],
)
def test_to_decimal_accepts_int_str_decimal(value: object, expected: Decimal) -> None:
    result = to_decimal(value)
    assert type(result) is Decimal
    assert result == expected


def test_to_decimal_takes_floats_through_their_repr_not_binary_expansion() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(0.1) != Decimal.from_float(0.1)


@pytest.mark.parametrize(
    "bad", [True, "abc", "", "NaN", "Infinity", float("nan"), float("inf"), Decimal("NaN"), None, [1]]
)
def test_to_decimal_refuses_junk(bad: object) -> None:
    with pytest.raises(ValidationFailed):
        to_decimal(bad)


def test_to_decimal_or_none_passes_none() -> None:
    assert to_decimal_or_none(None) is None
    assert to_decimal_or_none("2") == Decimal(2)


@pytest.mark.parametrize(
    ("currency", "units"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("usd", 2),
        ("jpy", 0),
        ("XYZ", 2),
        (None, 2),
    ],
)
def test_minor_units(currency: str | None, units: int) -> None:
    assert minor_units(currency) == units
    assert quantum(currency) == Decimal(1).scaleb(-units)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "USD", "1.01"),  # half goes up
        ("1.004", "USD", "1.00"),
        ("-1.005", "USD", "-1.01"),  # half away from zero
        ("2.5", "JPY", "3"),
        ("1234.4", "KRW", "1234"),
        ("1.0005", "KWD", "1.001"),
        ("1.2344", "BHD", "1.234"),
        ("10", "USD", "10.00"),
        ("10", None, "10.00"),
        ("3.14159", "XYZ", "3.14"),
    ],
)
def test_round_money_half_up_to_minor_units(amount: str, currency: str | None, expected: str) -> None:
    result = round_money(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected  # exponent too, not just value


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6),
    st.sampled_from(["USD", "JPY", "KWD", None, "ZZZ"]),
)
def test_round_money_exponent_and_error_bound(amount: Decimal, currency: str | None) -> None:
    result = round_money(amount, currency)
    units = minor_units(currency)
    assert type(result) is Decimal
    assert result.as_tuple().exponent == -units
    assert abs(result - amount) <= Decimal(1).scaleb(-units) / 2
