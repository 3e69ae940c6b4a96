"""Decimal money helpers and the one rounding rule used for every amount ordercore reports.

Rounding rule
-------------
Every money amount the service reports (UnitPrice, LineSubtotal, Subtotal, Total, ...) is rounded
with :func:`round_money`: ``ROUND_HALF_UP`` (half away from zero) to the currency's minor units.
Minor units come from :data:`MINOR_UNITS` (ISO 4217 exponents). A currency not in the table, or no
currency at all, uses 2 decimal places, because OrderCloud's own examples are 2-decimal amounts and
most marketplaces trade in 2-decimal currencies.

Intermediate arithmetic stays unrounded; rounding happens once, where a figure is reported. Results
always carry exactly the currency's exponent (``Decimal("10")`` in USD becomes ``Decimal("10.00")``)
so stored and serialised amounts look the same whatever the input looked like.

Floats are accepted by :func:`to_decimal` only through their shortest ``repr`` (``0.1`` -> ``"0.1"``),
never through ``Decimal(float)``, which would carry the binary expansion (0.1000000000000000055...)
into prices. JSON decoders hand us floats, so refusing them outright would only move the problem.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from domain.errors import ValidationFailed

DEFAULT_MINOR_UNITS: Final = 2

MINOR_UNITS: Final[dict[str, int]] = {
    # 0 decimals
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # 3 decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # 4 decimals
    "CLF": 4, "UYW": 4,
    # Common 2-decimal currencies are listed for documentation; unknown codes default to 2 anyway.
    "USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "PLN": 2, "CZK": 2, "MXN": 2, "BRL": 2, "INR": 2, "CNY": 2, "HKD": 2, "SGD": 2,
    "ZAR": 2,
}  # fmt: skip

# Quantize exponents are built once per currency code seen; the hot path is then a dict hit.
_QUANTA: dict[str | None, Decimal] = {None: Decimal(1).scaleb(-DEFAULT_MINOR_UNITS)}


def minor_units(currency: str | None) -> int:
    """Decimal places of `currency` (ISO 4217); unknown or None -> 2."""
    if currency is None:
        return DEFAULT_MINOR_UNITS
    return MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNITS)


def quantum(currency: str | None) -> Decimal:
    """The Decimal exponent amounts in `currency` are quantized to, e.g. Decimal('0.01')."""
    q = _QUANTA.get(currency)
    if q is None:
        q = Decimal(1).scaleb(-minor_units(currency))
        _QUANTA[currency] = q
    return q


def round_money(amount: Decimal, currency: str | None) -> Decimal:
    """Round `amount` ROUND_HALF_UP to the minor units of `currency` (the module's one rule)."""
    q = _QUANTA.get(currency)
    if q is None:
        q = quantum(currency)
    return amount.quantize(q, ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Convert an int, str or Decimal (or a float, via its repr) to a finite Decimal.

    Refuses bools (a JSON `true` is not a price), non-numeric strings and NaN/Infinity with
    ValidationFailed, since these only ever arrive from bad input documents.
    """
    if type(value) is Decimal:
        if not value.is_finite():
            raise ValidationFailed(f"Not a finite number: {value}", data={"Value": str(value)})
        return value
    if isinstance(value, bool):
        raise ValidationFailed(f"Not a number: {value!r}", data={"Value": value})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str | Decimal):
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise ValidationFailed(f"Not a number: {value!r}", data={"Value": value}) from None
        if not result.is_finite():
            raise ValidationFailed(f"Not a finite number: {value!r}", data={"Value": str(value)})
        return result
    raise ValidationFailed(f"Not a number: {value!r}", data={"Value": repr(value)})


def to_decimal_or_none(value: object) -> Decimal | None:
    """:func:`to_decimal`, passing None through (OrderCloud's nullable decimals)."""
    return None if value is None else to_decimal(value)
