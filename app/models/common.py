"""Types shared by many wire structs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.wire import NON_NEGATIVE, Wire, WireID

Xp = dict[str, Any] | None
Str100 = Annotated[str, msgspec.Meta(max_length=100)]
Str2000 = Annotated[str, msgspec.Meta(max_length=2000)]
# Prices and costs a caller sets: never below zero (a negative ShippingCost would lower Total).
# Magnitude and decimal places are bounded for every Decimal (app.wire.check_decimal).
Price = Annotated[Decimal, NON_NEGATIVE]
Str50 = Annotated[str, msgspec.Meta(max_length=50)]
Str200 = Annotated[str, msgspec.Meta(max_length=200)]
Str400 = Annotated[str, msgspec.Meta(max_length=400)]
Country = Annotated[str, msgspec.Meta(max_length=2)]
# The contract's `date-time`: ISO 8601 (a date, optionally a time and an offset), so stored dates
# compare and parse the same everywhere; "" or "tomorrow" is a 400, not a silently useless value.
DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$"
DateTime = Annotated[str, msgspec.Meta(pattern=DATE_TIME_PATTERN)]


class AddressSnapshot(Wire, kw_only=True):
    """An address copied into another document (an order's BillingAddress, a line's
    ShippingAddress, a shipment's ToAddress): kept as it was, so every field is optional."""

    id: WireID | None = None
    date_created: str | None = None
    company_name: Str100 | None = None
    first_name: Str100 | None = None
    last_name: Str100 | None = None
    street1: Str100 | None = None
    street2: Str100 | None = None
    city: Str100 | None = None
    state: Str100 | None = None
    zip: Str100 | None = None
    country: Country | None = None
    phone: Str100 | None = None
    address_name: Str100 | None = None
    xp: Xp = None


class Address(AddressSnapshot, kw_only=True):
    """An address a caller writes (address books, bill-to/ship-to): the contract requires these
    on every create and replace; a PATCH is merged first, so it cannot remove them."""

    street1: Str100
    city: Str100
    state: Str100
    zip: Str100
    country: Country
