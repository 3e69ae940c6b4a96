"""Wire structs for checkout integration events: the IntegrationEvent resource, the ship-method
selection callers send, and the answers merchant middleware gives (`/shippingrates`,
`/ordercalculate`, and the submit/approval hooks).

The answer structs validate what middleware sends before anything is applied; unknown fields are
ignored (as everywhere), wrong types are refused. Stored documents stay plain dicts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import msgspec

from app.models.common import Str50, Xp
from app.wire import Wire, WireID


class IntegrationEvent(Wire, kw_only=True):
    id: WireID | None = None
    name: str
    # The contract's three plus SDK 12's AddToCart; anything else is a 400.
    event_type: Literal["OrderCheckout", "OpenIDConnect", "OrderReturn", "AddToCart"] | None = None
    custom_implementation_url: str
    hash_key: Str50
    elevated_roles: list[str] | None = None
    config_data: Xp = None
    custom_auth_header_name: str | None = None
    custom_auth_header_value: str | None = None


class ShipMethodSelection(Wire, kw_only=True):
    ship_estimate_id: str
    ship_method_id: str


class OrderShipMethodSelection(Wire, kw_only=True):
    ship_method_selections: list[ShipMethodSelection] = msgspec.field(default_factory=list)


# ------------------------------------------------------------------ what middleware answers


class ShipMethodAnswer(Wire, kw_only=True):
    id: str
    name: str | None = None
    cost: Decimal = Decimal(0)
    estimated_transit_days: int | None = None
    xp: Xp = None


class ShipEstimateItemAnswer(Wire, kw_only=True):
    line_item_id: str
    quantity: int | None = None


class ShipEstimateAnswer(Wire, kw_only=True):
    id: str | None = None
    xp: Xp = None
    selected_ship_method_id: str | None = None
    ship_estimate_items: list[ShipEstimateItemAnswer] | None = None
    ship_methods: list[ShipMethodAnswer] | None = None


class ShipEstimateResponseAnswer(Wire, kw_only=True):
    ship_estimates: list[ShipEstimateAnswer] | None = None
    xp: Xp = None


class PromotionOverrideAnswer(Wire, kw_only=True):
    promotion_id: str | None = None
    amount: Decimal | None = None


class LineItemOverrideAnswer(Wire, kw_only=True):
    line_item_id: str
    unit_price: Decimal | None = None
    product: dict[str, Any] | None = None
    promotion_overrides: list[PromotionOverrideAnswer] | None = None
    inventory_record_id: str | None = None
    remove: bool | None = None


class OrderCalculateResponseAnswer(Wire, kw_only=True):
    line_item_overrides: list[LineItemOverrideAnswer] | None = None
    shipping_total: Decimal | None = None
    tax_total: Decimal | None = None
    fee_total: Decimal | None = None
    xp: Xp = None


class HookAnswer(Wire, kw_only=True):
    """`/ordersubmit`, `/ordersubmitforapproval`, `/orderapproved`: `{"xp": {...}}` or `{}`."""

    xp: Xp = None
