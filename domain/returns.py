"""Order returns: their status machine and the refund arithmetic (pure; no I/O).

Statuses are OrderCloud's `OrderReturn.Status` values, the same six as an order's. Events, and the
ErrorCode raised (as `InvalidTransition`) when the return's status does not allow them:

- submit: Unsubmitted -> Open; else `OrderReturn.CannotSubmitBadStatus` [ours].
- submit_for_approval: Unsubmitted -> AwaitingApproval; else the same.
- approve: AwaitingApproval -> Open; else `OrderReturn.NotEligibleToApproveOrDecline`.
- decline: AwaitingApproval -> Declined; else the same.
- complete: Open -> Completed; else `OrderReturn.CannotCompleteBadStatus`.
- cancel: AwaitingApproval, Declined, Open -> Canceled; Completed -> Canceled only with
  `may_cancel_completed` (else `OrderReturn.NotAuthorizedToDelete`); Unsubmitted is
  `OrderReturn.CannotCancelUnsubmitted` ("please delete instead"); Canceled is
  `OrderReturn.CannotCancelBadStatus` [ours].

OrderCloud publishes no code for submitting a submitted return or canceling a canceled one; the two
marked [ours] follow its naming. Declining is final (OrderCloud's ApprovalInfo for returns has no
AllowResubmit).

Dates stamped on success (plus `LastUpdated` always): submit `DateSubmitted`; submit_for_approval
nothing (OrderCloud: DateSubmitted "will be null until the order return passes from the buyer to the
seller, including when Status is PendingApproval"); approve `DateApproved` and `DateSubmitted`;
decline `DateDeclined`; complete `DateCompleted`; cancel `DateCanceled`.

Like `domain.order_status`, one module-level Machine serves every return; returns are wrapped in a
throwaway `StatusRef` whose `state` is `doc["Status"]`.

Refunds
-------
A returned item's default refund is its share of the line's `LineTotal` (so line-level promotions
are already netted out): `LineTotal / line Quantity x returned quantity`. Rounding to the currency
(`round_money`) happens once, on the cumulative share, and the refunds the line's other live returns
already carry are subtracted: refund = round(LineTotal x (claimed + returned) / Quantity) - refunded
so far, clamped to [0, LineTotal - refunded so far]. Pennies therefore never accumulate: several
partial returns of one line never refund more than its LineTotal, and returning every unit refunds
exactly the LineTotal (20.00 over 3 units: 6.67, 6.66, 6.67).

How many units may be returned: an Open order's line may return what has shipped
(`QuantityShipped`), a Completed order's line its whole `Quantity` (OrderCloud: "If Order.Status is
Open, only the quantity of a given item that has already shipped will be eligible to return"),
minus what the order's other live returns (every status but Canceled and Declined) already claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, cast

from transitions import EventData, Machine, MachineError

from domain.clock import iso
from domain.errors import InvalidTransition, NotFound, ValidationFailed
from domain.money import round_money, to_decimal
from domain.order_status import (
    AWAITING_APPROVAL,
    CANCELED,
    COMPLETED,
    DECLINED,
    OPEN,
    STATES,
    UNSUBMITTED,
    StatusRef,
)

__all__ = [
    "DEAD_STATUSES",
    "EVENTS",
    "ITEM_EXTENSIONS",
    "Claim",
    "OrderCharges",
    "ReturnLine",
    "apply",
    "can",
    "claims_of",
    "eligible_quantity",
    "item_refund",
    "line_shares",
    "non_negative",
    "price_items",
    "refundable_pool",
    "restock_quantities",
]

# Returns in these statuses claim no quantity and no refund any more.
DEAD_STATUSES: Final = frozenset({CANCELED, DECLINED})
# While a return is in one of these, an OrderAdmin may still override its refund amounts.
SETTLING: Final = frozenset({UNSUBMITTED, AWAITING_APPROVAL, OPEN})


def is_unsubmitted(ret: Mapping[str, Any]) -> bool:
    """Its items may change, and anyone who may change it may delete it."""
    return ret.get("Status") == UNSUBMITTED


def is_open(ret: Mapping[str, Any]) -> bool:
    """Approved and not yet refunded in full: refund payments may be made and changed."""
    return ret.get("Status") == OPEN


def is_settling(ret: Mapping[str, Any]) -> bool:
    return ret.get("Status") in SETTLING


_ZERO: Final = Decimal(0)
# ordercore's extension fields of an OrderReturnItem (docs/returns.md): the seller's reason code,
# the condition the goods came back in (Damaged ones are not restocked), and where to restock.
ITEM_EXTENSIONS: Final = ("ReasonCode", "Condition", "RestockInventoryRecordID")
NOT_RESTOCKABLE: Final = frozenset({"Damaged"})

_REFUSAL: Final[dict[str, tuple[str, str]]] = {
    "submit": ("OrderReturn.CannotSubmitBadStatus", "Only an Unsubmitted order return can be submitted."),
    "submit_for_approval": (
        "OrderReturn.CannotSubmitBadStatus",
        "Only an Unsubmitted order return can be submitted.",
    ),
    "approve": ("OrderReturn.NotEligibleToApproveOrDecline", "The order return is not awaiting approval."),
    "decline": ("OrderReturn.NotEligibleToApproveOrDecline", "The order return is not awaiting approval."),
    "complete": (
        "OrderReturn.CannotCompleteBadStatus",
        "Cannot complete an order return with this status. OrderReturn status must be Open.",
    ),
    "cancel": ("OrderReturn.CannotCancelBadStatus", "This order return cannot be canceled."),
}
_CANCEL_REFUSAL: Final[dict[str, tuple[str, str]]] = {
    UNSUBMITTED: (
        "OrderReturn.CannotCancelUnsubmitted",
        "Cannot cancel an unsubmitted OrderReturn, please delete instead.",
    ),
    COMPLETED: (
        "OrderReturn.NotAuthorizedToDelete",
        "Only OrderAdmins are authorized to delete or cancel completed OrderReturns.",
    ),
}
EVENTS: Final[tuple[str, ...]] = tuple(_REFUSAL)


def _may_cancel_completed(event: EventData) -> bool:
    return bool(event.kwargs.get("may_cancel_completed", False))


def _stamper(*fields: str) -> Callable[..., None]:
    def stamp(event: EventData) -> None:
        doc = cast(StatusRef, event.model).doc
        for field in fields:
            doc[field] = event.kwargs["_stamp"]
        doc["LastUpdated"] = event.kwargs["_stamp"]

    return stamp


_TRANSITIONS: Final[list[dict[str, Any]]] = [
    {"trigger": "submit", "source": UNSUBMITTED, "dest": OPEN, "after": _stamper("DateSubmitted")},
    {"trigger": "submit_for_approval", "source": UNSUBMITTED, "dest": AWAITING_APPROVAL, "after": _stamper()},
    {"trigger": "approve", "source": AWAITING_APPROVAL, "dest": OPEN,
     "after": _stamper("DateApproved", "DateSubmitted")},
    {"trigger": "decline", "source": AWAITING_APPROVAL, "dest": DECLINED, "after": _stamper("DateDeclined")},
    {"trigger": "complete", "source": OPEN, "dest": COMPLETED, "after": _stamper("DateCompleted")},
    {"trigger": "cancel", "source": [AWAITING_APPROVAL, DECLINED, OPEN], "dest": CANCELED,
     "after": _stamper("DateCanceled")},
    {"trigger": "cancel", "source": COMPLETED, "dest": CANCELED, "conditions": _may_cancel_completed,
     "after": _stamper("DateCanceled")},
]  # fmt: skip

_MACHINE: Final = Machine(
    model=None,
    states=list(STATES),
    transitions=_TRANSITIONS,
    initial=UNSUBMITTED,
    auto_transitions=False,
    send_event=True,
    model_attribute="state",
)


def _refusal(event: str, status: Any) -> tuple[str, str]:
    if event not in _REFUSAL:
        raise ValueError(f"unknown order return event: {event!r}")
    if event == "cancel" and status in _CANCEL_REFUSAL:
        return _CANCEL_REFUSAL[status]
    return _REFUSAL[event]


def can(doc: MutableMapping[str, Any], event: str, *, may_cancel_completed: bool = False) -> bool:
    """Whether `apply(doc, event, ...)` would succeed. Never mutates `doc`."""
    _refusal(event, None)
    if doc.get("Status") not in STATES:
        return False
    return bool(_MACHINE._can_trigger(StatusRef(doc), event, may_cancel_completed=may_cancel_completed))


def apply(
    doc: MutableMapping[str, Any], event: str, *, now: datetime, may_cancel_completed: bool = False
) -> None:
    """Fire `event` on the return `doc` in place (Status and the dates in the module doc).
    Raises `InvalidTransition` and leaves `doc` untouched when its status does not allow it."""
    code, message = _refusal(event, doc.get("Status"))
    if doc.get("Status") in STATES:
        try:
            done = _MACHINE.events[event].trigger(
                StatusRef(doc), _stamp=iso(now), may_cancel_completed=may_cancel_completed
            )
        except MachineError:
            done = False
        if done:
            return
    raise InvalidTransition(
        message, code, {"OrderReturnID": doc.get("ID"), "Status": doc.get("Status"), "Event": event}
    )


# --------------------------------------------------------------------------- refunds


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """What a return needs to know of one order line."""

    id: str
    quantity: int
    quantity_shipped: int
    line_total: Decimal
    returnable: bool
    # What returning every unit refunds: the line's prorated share of the order (`line_shares`);
    # None is the LineTotal alone.
    refundable: Decimal | None = None

    @property
    def full_refund(self) -> Decimal:
        return self.line_total if self.refundable is None else self.refundable


@dataclass(frozen=True, slots=True)
class Claim:
    """What the order's other live returns already hold of one line."""

    quantity: int = 0
    refund: Decimal = _ZERO


def eligible_quantity(line: ReturnLine, order_status: str, claim: Claim) -> int:
    """Units of `line` this return may still take (see the module doc)."""
    base = line.quantity if order_status == COMPLETED else line.quantity_shipped
    return max(0, base - claim.quantity)


def item_refund(line: ReturnLine, returned: int, claim: Claim, currency: str | None) -> Decimal:
    """The default refund for returning `returned` units of `line` (see the module doc)."""
    if returned <= 0 or line.quantity <= 0:
        return round_money(_ZERO, currency)
    units = min(claim.quantity + returned, line.quantity)
    full = line.full_refund
    cumulative = round_money(full * units / line.quantity, currency)
    left = full - claim.refund
    return round_money(max(_ZERO, min(cumulative - claim.refund, left)), currency)


def claims_of(returns: Iterable[Mapping[str, Any]], *, excluding: str | None) -> dict[str, Claim]:
    """Per line ID, the quantities and refunds of the live returns among `returns`."""
    out: dict[str, Claim] = {}
    for ret in returns:
        if ret.get("ID") == excluding or ret.get("Status") in DEAD_STATUSES:
            continue
        for item in ret.get("ItemsToReturn") or ():
            before = out.get(item["LineItemID"], Claim())
            refund = item.get("RefundAmount")
            out[item["LineItemID"]] = Claim(
                before.quantity + int(item.get("Quantity") or 0),
                before.refund + (to_decimal(refund) if refund is not None else _ZERO),
            )
    return out


def non_negative(amount: Any, line_id: str | None = None) -> Decimal:
    """A RefundAmount as a Decimal; negative ones are `OrderReturn.RefundAmountMustNotBeNegative`."""
    value = to_decimal(amount)
    if value < 0:
        raise ValidationFailed(
            "RefundAmount must not be negative",
            "OrderReturn.RefundAmountMustNotBeNegative",
            {"LineItemID": line_id, "RefundAmount": amount} if line_id else {"RefundAmount": amount},
        )
    return value


def price_items(
    items: Sequence[Mapping[str, Any]],
    lines: Mapping[str, ReturnLine],
    claims: Mapping[str, Claim],
    *,
    order_status: str,
    currency: str | None,
    any_product: bool = False,
    overrides: Mapping[str, Any] | None = None,
    calculate: bool = True,
) -> tuple[list[dict[str, Any]], Decimal | None]:
    """Check `items` (ItemsToReturn as sent) against the order and fill in each RefundAmount.

    `any_product`: lines whose product is not Returnable may be returned too (OrderAdmin).
    `overrides`: line ID -> the RefundAmount an OrderAdmin set for that item; every other item gets
    the computed default (a RefundAmount in `items` itself is ignored). Without `calculate` (no
    return calculation is configured: OrderCloud's behaviour) there is no default: an item's
    RefundAmount is its override or null. Returns (items, the sum of their refunds, None when no
    item has one).
    """
    overrides = overrides or {}
    seen: set[str] = set()
    priced: list[dict[str, Any]] = []
    total = _ZERO
    any_amount = False
    for raw in items:
        line_id = raw["LineItemID"]
        if line_id in seen:
            raise ValidationFailed(
                "LineItemID must be unique across ItemsToReturn",
                "OrderReturn.CannotCreateDuplicateItemToReturn",
                {"LineItemID": line_id},
            )
        seen.add(line_id)
        line = lines.get(line_id)
        if line is None:
            raise NotFound("LineItem", line_id)
        if not line.returnable and not any_product:
            raise ValidationFailed(
                "Product is not eligible to return",
                "OrderReturn.ProductNotEligibleToReturn",
                {"LineItemID": line_id},
            )
        quantity = int(raw.get("Quantity") or 0)
        claim = claims.get(line_id, Claim())
        allowed = eligible_quantity(line, order_status, claim)
        if quantity > allowed:
            raise ValidationFailed(
                "The quantity requested exceeds the quantity eligible to return",
                "OrderReturn.ItemQuantityExceeded",
                {"LineItemID": line_id, "Quantity": quantity, "QuantityEligible": allowed},
            )
        sent = overrides.get(line_id)
        refund: Decimal | None
        if sent is not None:
            refund = round_money(non_negative(sent, line_id), currency)
        elif calculate:
            refund = item_refund(line, quantity, claim, currency)
        else:
            refund = None
        priced.append(
            {
                "LineItemID": line_id,
                "Quantity": raw.get("Quantity"),
                "RefundAmount": refund,
                "Comments": raw.get("Comments"),
                **{k: raw.get(k) for k in ITEM_EXTENSIONS},
            }
        )
        if refund is not None:
            total += refund
            any_amount = True
    return priced, round_money(total, currency) if any_amount or calculate else None


# --------------------------------------------------------------------------- the built-in calculator


@dataclass(frozen=True, slots=True)
class OrderCharges:
    """What an order charged beyond its lines' LineTotals."""

    tax: Decimal = _ZERO
    shipping: Decimal = _ZERO
    # Order-level promotions: Order.PromotionDiscount minus the lines' own PromotionDiscounts.
    order_discount: Decimal = _ZERO
    # Fees and Gratuity: refunded with the goods, like tax.
    other: Decimal = _ZERO


def refundable_pool(
    line_totals: Sequence[Decimal], charges: OrderCharges, *, refund_shipping: bool
) -> Decimal:
    """What returning the whole order refunds: the Total, less ShippingCost unless shipping is
    refundable (never below zero)."""
    pool = sum(line_totals, _ZERO) - charges.order_discount + charges.tax + charges.other
    if refund_shipping:
        pool += charges.shipping
    return max(_ZERO, pool)


def line_shares(
    lines: Sequence[tuple[str, Decimal, int]],
    charges: OrderCharges,
    *,
    refund_shipping: bool,
    currency: str | None,
) -> dict[str, Decimal]:
    """Per line ID, what returning all its units refunds: the refundable pool (`refundable_pool`)
    prorated across the lines by amount (their LineTotals; by quantity when every LineTotal is 0),
    so tax, shipping and order-level discounts each fall on the lines in proportion to what they
    cost. Rounding is cumulative in line order (share of line i = round(pool x C_i / W) -
    round(pool x C_{i-1} / W), C_i the running weight): every share is >= 0, the shares sum to the
    pool exactly, and the rounding remainder lands on the last line.

    `lines`: (ID, LineTotal, Quantity) in the order's line order."""
    weights = [max(_ZERO, total) for _, total, _ in lines]
    if not any(weights):
        weights = [Decimal(max(0, quantity)) for _, _, quantity in lines]
    if not any(weights):
        weights = [Decimal(1)] * len(lines)
    whole = sum(weights, _ZERO)
    pool = round_money(
        refundable_pool([t for _, t, _ in lines], charges, refund_shipping=refund_shipping), currency
    )
    shares: dict[str, Decimal] = {}
    running = _ZERO
    before = round_money(_ZERO, currency)
    for (line_id, _, _), weight in zip(lines, weights, strict=True):
        running += weight
        upto = pool if running == whole else round_money(pool * running / whole, currency)
        shares[line_id] = upto - before
        before = upto
    return shares


def restock_quantities(ret: Mapping[str, Any]) -> list[tuple[str, int, str | None]]:
    """(line ID, units, inventory record ID or None) that completing `ret` puts back in stock:
    every item with a Quantity whose Condition is not Damaged."""
    out: list[tuple[str, int, str | None]] = []
    for item in ret.get("ItemsToReturn") or ():
        units = int(item.get("Quantity") or 0)
        if units > 0 and item.get("Condition") not in NOT_RESTOCKABLE:
            out.append((item["LineItemID"], units, item.get("RestockInventoryRecordID") or None))
    return out
