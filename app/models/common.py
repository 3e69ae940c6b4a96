"""Types shared by many wire structs."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from app.wire import Wire, WireID

Xp = dict[str, Any] | None
Str100 = Annotated[str, msgspec.Meta(max_length=100)]
Str2000 = Annotated[str, msgspec.Meta(max_length=2000)]
Country = Annotated[str, msgspec.Meta(max_length=2)]


class Address(Wire, kw_only=True):
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
