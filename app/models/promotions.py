"""Wire structs for promotions, their assignments and the promotions on an order."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from app.models.common import DateTime, Str100, Str2000, Xp
from app.wire import Wire, WireID

# OrderCloud: "Both EligibleExpression and ValueExpression are limited to 400 characters each".
Expression400 = Annotated[str, msgspec.Meta(max_length=400)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class Promotion(Wire, kw_only=True):
    id: WireID | None = None
    line_item_level: bool = False
    code: Code
    name: Str100 | None = None
    redemption_limit: int | None = None
    redemption_limit_per_user: int | None = None
    redemption_count: int | None = None
    quantity_limit_per_order: int | None = None
    item_limit_per_order: int | None = None
    item_sort_by: Str100 | None = None
    description: Str2000 | None = None
    fine_print: Str2000 | None = None
    start_date: DateTime | None = None
    expiration_date: DateTime | None = None
    eligible_expression: Expression400
    value_expression: Expression400 | None = None
    can_combine: bool = False
    allow_all_buyers: bool = False
    owner_id: str | None = None
    auto_apply: bool = False
    active: bool = True
    use_integration: bool = False
    priority: int | None = None
    xp: Xp = None


class OrderPromotion(Promotion, kw_only=True):
    """Read-only; declared for list filters and sorts."""

    code: Code | None = None  # type: ignore[assignment]
    eligible_expression: str | None = None  # type: ignore[assignment]
    amount: Decimal | None = None
    line_item_id: str | None = None
    amount_overridden: bool | None = None
    date_applied: str | None = None


class PromotionAssignment(Wire, kw_only=True):
    promotion_id: WireID
    buyer_id: WireID
    user_group_id: WireID | None = None
