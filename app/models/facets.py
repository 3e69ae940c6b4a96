"""Product facets and xp indices (OrderCloud's `ProductFacet` and `XpIndex`, ordercloud-openapi.json)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.models.common import Str100, Xp
from app.wire import Wire, WireID

Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
# Dot-separated xp keys (`Facets.Color`), each of the characters an xp filter accepts.
XpPath = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$", max_length=200)]

# OrderCloud's XpThingType (ordercloud-openapi.json).
XpThingType = Literal[
    "Address",
    "Variant",
    "Order",
    "OrderReturn",
    "LineItem",
    "CostCenter",
    "CreditCard",
    "Payment",
    "Spec",
    "SpecOption",
    "UserGroup",
    "Company",
    "Category",
    "PriceSchedule",
    "Shipment",
    "SpendingAccount",
    "User",
    "Promotion",
    "ApprovalRule",
    "SellerApprovalRule",
    "Catalog",
    "ProductFacet",
    "MessageSender",
    "InventoryRecord",
]


class ProductFacet(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    # Named explicitly: the wire-name rule keeps an `xp` segment lower-case (`xpPath`).
    xp_path: XpPath | None = msgspec.field(default=None, name="XpPath")
    list_order: Int32 | None = None
    min_count: Int32 = 1
    xp: Xp = None


class XpIndex(Wire, kw_only=True):
    thing_type: XpThingType
    key: XpPath
