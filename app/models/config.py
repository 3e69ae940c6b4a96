"""Marketplace configuration resources: incrementors, locales, impersonation configs, OpenID
Connect configs, and inventory record assignments (OrderCloud's shapes, ordercloud-openapi.json)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.models.common import Str100
from app.wire import Wire, WireID

NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
# LeftPaddingCount: an ID is at most 100 characters, so no padding beyond that.
Padding = Annotated[int, msgspec.Meta(ge=0, le=100)]
Url = Annotated[str, msgspec.Meta(max_length=2000)]


class Incrementor(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100 | None = None
    last_number: NonNegativeInt
    left_padding_count: Padding


class Locale(Wire, kw_only=True):
    id: WireID | None = None
    owner_id: WireID | None = None
    currency: Str100
    language: Str100 | None = None


class LocaleAssignment(Wire, kw_only=True):
    locale_id: WireID
    buyer_id: WireID
    user_group_id: WireID | None = None


class ImpersonationConfig(Wire, kw_only=True):
    id: WireID | None = None
    impersonation_buyer_id: WireID | None = None
    impersonation_group_id: WireID | None = None
    impersonation_user_id: WireID | None = None
    buyer_id: WireID
    group_id: WireID | None = None
    user_id: WireID | None = None
    security_profile_id: WireID
    client_id: str


class InventoryRecordAssignment(Wire, kw_only=True):
    inventory_record_id: WireID
    buyer_id: WireID
    user_group_id: WireID | None = None
