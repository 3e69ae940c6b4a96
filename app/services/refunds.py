"""Refunds of order returns, recorded as payments on the order (OrderCloud's `Payment.OrderReturnID`).

A refund is a Payment with `OrderReturnID` set and a negative `Amount` (OrderCloud: "Payment.Amount
should be negative to reflect a refund"). Rules, with OrderCloud's codes:
- only the company receiving the order (the seller) with OrderAdmin records refunds (403);
- the return must belong to the order (404) and be Open (`OrderReturn.CannotCreatePaymentBadStatus`);
- Amount must be negative (`OrderReturn.PaymentValueMustBeNegative`);
- a return's refunds may not exceed its RefundAmount, nor the order's refunds its Total
  (`OrderReturn.TotalRefundsExceedRefundAmount`);
- once a return's refunds reach its RefundAmount it is Completed ("Once a payment (or payments) has
  been created with an Amount equal to the OrderReturn.RefundAmount the OrderReturn will be marked as
  complete"); `POST /orderreturns/{id}/complete` records whatever is still owed as one payment.
The payment's ID is added to the return's read-only `PaymentIDs`. The order itself is not re-priced.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.auth.tokens import Caller
from app.services import activities, reservations, unified_orders
from app.services.order_access import receives
from app.store.repo import Docs, Stored
from app.wire import new_id
from domain import returns as machine
from domain.clock import iso
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.money import round_money, to_decimal

RETURN_KIND = "orderreturn"


def require_refunder(caller: Caller, order: dict[str, Any]) -> None:
    if not (caller.has("OrderAdmin") and receives(caller, order)):
        raise Forbidden(
            "Only an OrderAdmin of the company receiving the order may record refunds",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["OrderAdmin"], "AssignedRoles": sorted(caller.roles)},
        )


def amount_of(payment: dict[str, Any]) -> Decimal:
    """The refunded amount of a refund payment, as a positive number."""
    return -to_decimal(payment.get("Amount") or 0)


async def refunds_of(docs: Docs, order_id: str) -> list[dict[str, Any]]:
    return [p for p in await docs.all("payment", scope=order_id) if p.get("OrderReturnID")]


async def refunded(docs: Docs, order_id: str, return_id: str) -> Decimal:
    return sum(
        (amount_of(p) for p in await refunds_of(docs, order_id) if p["OrderReturnID"] == return_id),
        Decimal(0),
    )


async def _check_room(
    docs: Docs, order: dict[str, Any], ret: dict[str, Any], amount: Decimal, code: str
) -> None:
    """`amount` more may be refunded for `ret` without passing its RefundAmount or the order Total."""
    earlier = await refunds_of(docs, order["ID"])
    for_return = sum((amount_of(p) for p in earlier if p["OrderReturnID"] == ret["ID"]), Decimal(0))
    for_order = sum((amount_of(p) for p in earlier), Decimal(0))
    limit = to_decimal(ret.get("RefundAmount") or 0)
    if for_return + amount > limit:
        raise ValidationFailed(
            "The total of the refunds for this OrderReturn cannot exceed the RefundAmount",
            code,
            {"OrderReturnID": ret["ID"], "RefundAmount": limit, "Refunded": for_return, "Amount": amount},
        )
    total = to_decimal(order.get("Total") or 0)
    if for_order + amount > total:
        raise ValidationFailed(
            "Refunds may not exceed the order's Total",
            code,
            {"OrderID": order["ID"], "Total": total, "Refunded": for_order, "Amount": amount},
        )


async def check_new(docs: Docs, caller: Caller, order: dict[str, Any], payment: dict[str, Any]) -> Stored:
    """Refuse a refund payment that breaks a rule of the module doc; returns its (locked) return."""
    require_refunder(caller, order)
    found = await docs.get(RETURN_KIND, payment["OrderReturnID"], lock=True)
    if found is None or found.doc.get("OrderID") != order["ID"]:
        raise NotFound("OrderReturn", payment["OrderReturnID"])
    if not machine.is_open(found.doc):
        raise ValidationFailed(
            "Cannot create a payment for an OrderReturn with this status. OrderReturn Status must be Open.",
            "OrderReturn.CannotCreatePaymentBadStatus",
            {"OrderReturnID": found.doc["ID"], "Status": found.doc.get("Status")},
        )
    amount = payment.get("Amount")
    if amount is None or to_decimal(amount) >= 0:
        raise ValidationFailed(
            "OrderReturn payment value must be negative",
            "OrderReturn.PaymentValueMustBeNegative",
            {"Amount": amount},
        )
    await _check_room(
        docs, order, found.doc, -to_decimal(amount), "OrderReturn.TotalRefundsExceedRefundAmount"
    )
    return found


async def note(
    docs: Docs, order: dict[str, Any], stored: Stored, payment: dict[str, Any], now: datetime
) -> None:
    """After `payment` was stored: list it on the return, completing the return when paid in full."""
    ret = dict(stored.doc)
    ret["PaymentIDs"] = [*(ret.get("PaymentIDs") or []), payment["ID"]]
    ret["LastUpdated"] = iso(now)
    if machine.is_open(ret) and await refunded(docs, order["ID"], ret["ID"]) >= to_decimal(
        ret.get("RefundAmount") or 0
    ):
        machine.apply(ret, "complete", now=now)
        await reservations.restock(docs, order, ret, now)
    await docs.replace(RETURN_KIND, ret["ID"], ret, version=stored.version)
    await activities.return_changed(docs, stored.doc, ret, None)  # completed by its last refund
    stored.doc = ret


async def record_rest(
    docs: Docs, order: dict[str, Any], ret: dict[str, Any], now: datetime
) -> dict[str, Any] | None:
    """The refund still owed on `ret`, stored as one accepted payment (None when nothing is owed).
    It takes the Type (and card or spending account) of the order's first payment, so the money
    goes back the way it came; PurchaseOrder when the order had none."""
    currency = order.get("Currency")
    owed = round_money(
        to_decimal(ret.get("RefundAmount") or 0) - await refunded(docs, order["ID"], ret["ID"]), currency
    )
    if owed < 0:
        raise ValidationFailed(
            "The refunds recorded for this order return exceed its RefundAmount",
            "OrderReturn.CannotCompleteInvalidAmount",
            {"OrderReturnID": ret["ID"], "RefundAmount": ret.get("RefundAmount")},
        )
    if owed == 0:
        return None
    await _check_room(docs, order, ret, owed, "OrderReturn.CannotCompleteInvalidAmount")
    paid_with = next(
        (p for p in await docs.all("payment", scope=order["ID"]) if not p.get("OrderReturnID")), None
    )
    kind = paid_with["Type"] if paid_with else "PurchaseOrder"
    payment = {
        "ID": new_id(),
        "Type": kind,
        "DateCreated": iso(now),
        "CreditCardID": paid_with.get("CreditCardID") if paid_with and kind == "CreditCard" else None,
        "SpendingAccountID": paid_with.get("SpendingAccountID")
        if paid_with and kind == "SpendingAccount"
        else None,
        "Description": f"Refund for order return {ret['ID']}",
        "Currency": currency,
        "Amount": -owed,
        "Accepted": True,
        "OrderReturnID": ret["ID"],
        "xp": None,
        "Transactions": [],
    }
    await docs.insert("payment", payment, order["ID"], object_type="Payment")
    await activities.payment_recorded(docs, order, payment, None)  # the return's completion records it
    await unified_orders.project(docs, order)
    ret["PaymentIDs"] = [*(ret.get("PaymentIDs") or []), payment["ID"]]
    return payment


async def forget(docs: Docs, caller: Caller, order: dict[str, Any], payment: dict[str, Any]) -> None:
    """Before a refund payment is deleted: only while its return is Open, and it leaves PaymentIDs."""
    require_refunder(caller, order)
    found = await docs.get(RETURN_KIND, payment["OrderReturnID"], lock=True)
    if found is None:
        return  # the return was deleted; its payments stay as a record and may go
    if not machine.is_open(found.doc):
        raise ValidationFailed(
            "Refund payments can only change while their OrderReturn is Open",
            "OrderReturn.CannotCreatePaymentBadStatus",
            {"OrderReturnID": found.doc["ID"], "Status": found.doc.get("Status")},
        )
    ret = dict(found.doc)
    ret["PaymentIDs"] = [p for p in ret.get("PaymentIDs") or [] if p != payment["ID"]]
    await docs.replace(RETURN_KIND, ret["ID"], ret, version=found.version)
