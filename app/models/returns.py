"""Wire structs for order returns and their approvals (SDK 12 `OrderReturn`, `OrderReturnItem`,
`OrderReturnApproval`). Read-only fields are declared for list filters and sorts and so that an
echoed object validates; the service ignores them on writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from app.models.common import Str100, Str400, Str2000, Xp
from app.wire import Wire, WireID

Str500 = Annotated[str, msgspec.Meta(max_length=500)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]


class OrderReturnItem(Wire, kw_only=True):
    line_item_id: WireID
    quantity: NonNegativeInt | None = None
    refund_amount: Decimal | None = None
    comments: Str500 | None = None
    # ordercore extensions (docs/returns.md): a code of the seller's return reasons
    # (`/returnreasons`), the condition the goods came back in (Damaged: not restocked when the
    # return completes) and the inventory record to restock into (default: where they came from).
    reason_code: WireID | None = None
    condition: Literal["Resellable", "Damaged"] | None = None
    restock_inventory_record_id: WireID | None = None


class OrderReturn(Wire, kw_only=True):
    id: WireID | None = None
    order_id: WireID
    payment_ids: list[str] | None = None
    status: str | None = None
    date_created: str | None = None
    date_submitted: str | None = None
    date_approved: str | None = None
    date_declined: str | None = None
    date_canceled: str | None = None
    date_completed: str | None = None
    last_updated: str | None = None
    refund_amount: Decimal | None = None
    comments: Str2000 | None = None
    items_to_return: list[OrderReturnItem] | None = None
    xp: Xp = None


RETURN_WRITABLE = ("ID", "OrderID", "RefundAmount", "Comments", "ItemsToReturn", "xp")


class OrderReturnApproval(Wire, kw_only=True):
    order_return_id: str | None = None
    approval_rule_id: str | None = None
    approving_group_id: str | None = None
    status: str | None = None
    date_created: str | None = None
    date_completed: str | None = None
    approver: dict[str, object] | None = None
    comments: str | None = None


class ApprovalInfo(Wire, kw_only=True):
    comments: Str2000 | None = None


class SellerApprovalRule(Wire, kw_only=True):
    owner_id: str | None = None
    approval_type: Literal["OrderReturn"]
    id: WireID | None = None
    name: Str100 | None = None
    description: Str2000 | None = None
    approving_group_id: WireID
    rule_expression: Str400
    xp: Xp = None


class ReturnReason(Wire, kw_only=True):
    """A seller-defined reason code for returned items (ordercore extension, `/returnreasons`)."""

    id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    active: bool = True
    xp: Xp = None


# ------------------------------------------------------------------ what middleware answers


class LineItemReturnCalculation(Wire, kw_only=True):
    line_item_id: str
    refund_amount: Decimal | None = None


class OrderReturnCalculateResponse(Wire, kw_only=True):
    """The answer of `{CustomImplementationUrl}/calculateorderreturn` (SDK 12
    `OrderReturnCalculateResponse`)."""

    refund_amount: Decimal | None = None
    items_to_return_calcs: list[LineItemReturnCalculation] | None = None
