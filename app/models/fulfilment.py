"""Wire structs for shipments and shipment items (split and forward reuse Order and LineItem)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from app.models.common import AddressSnapshot, DateTime, Price, Xp
from app.models.orders import LineItemProduct, LineItemSpec, LineItemVariant
from app.wire import Wire, WireID

Str3000 = Annotated[str, msgspec.Meta(max_length=3000)]


class Shipment(Wire, kw_only=True):
    id: WireID | None = None
    buyer_id: str | None = None
    shipper: str | None = None
    date_shipped: DateTime | None = None
    date_delivered: DateTime | None = None
    tracking_number: Str3000 | None = None
    cost: Price | None = None
    owner_id: WireID | None = None
    xp: Xp = None
    account: str | None = None
    from_address_id: str | None = None
    to_address_id: str | None = None
    from_address: AddressSnapshot | None = None
    to_address: AddressSnapshot | None = None


class ShipmentItem(Wire, kw_only=True):
    order_id: WireID
    line_item_id: WireID
    quantity_shipped: int
    unit_price: Decimal | None = None
    cost_center: str | None = None
    date_needed: str | None = None
    product: LineItemProduct | None = None
    variant: LineItemVariant | None = None
    specs: list[LineItemSpec] | None = None
    xp: Xp = None
