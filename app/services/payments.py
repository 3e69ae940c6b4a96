"""Payments on an order, with their transactions stored inside the payment document.

- Type is PurchaseOrder, CreditCard or SpendingAccount. A credit card is referenced by
  CreditCardID only: ordercore never accepts card numbers or security codes (a body carrying
  such a field, or a card number in any string, is refused, so a client bug cannot store one).
- The card or spending account must be one the order's user may use (`app.services.instruments`);
  spending-account balances move at submit and cancel (`app.services.reservations`).
- Amount null means "the rest of the order" and is stored and returned as null.
- Accepted: purchase-order and spending-account payments are accepted when created, card
  payments wait for an OrderAdmin; only an OrderAdmin sets anything else (`domain.payments`).
  Submit requires every payment to be Accepted. An order needs no payment at all to be submitted.
- Nothing on a Canceled order's payments can change (`Payment.CannotEditCancelled`).
- A payment with `OrderReturnID` is a refund of that order return: see `app.services.refunds`.
  `OrderReturnID` is set on create only, and a refund's Amount cannot be patched.
"""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.incrementors import id_or_next
from app.models.orders import PAYMENT_WRITABLE, Payment, PaymentTransaction
from app.services import activities, instruments, refunds, unified_orders
from app.store.repo import Docs, Stored
from app.wire import id_or, id_or_new, merge_patch, public, to_doc, validate
from domain.cards import refuse_card_data
from domain.clock import iso, parse_iso, utcnow
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.money import to_decimal
from domain.order_status import Op, is_submitted, require
from domain.payments import ACCEPTING_ROLES, accepted_on_create, check_patch

CREATE_ONLY = ("Type", "CreditCardID", "SpendingAccountID", "OrderReturnID")


def _require_not_canceled(order: dict[str, Any]) -> None:
    require(order, Op.EDIT_PAYMENTS)


def _check(doc: dict[str, Any]) -> None:
    kind = doc["Type"]
    if doc.get("CreditCardID") and kind != "CreditCard":
        raise ValidationFailed(
            "CreditCardID is only for CreditCard payments", "Payment.CannotSetCreditCard", None
        )
    if doc.get("SpendingAccountID") and kind != "SpendingAccount":
        raise ValidationFailed(
            "SpendingAccountID is only for SpendingAccount payments", "Payment.CannotSetSpendingAccount", None
        )
    if kind == "SpendingAccount" and not doc.get("SpendingAccountID"):
        raise ValidationFailed("SpendingAccountID is required", "Payment.SpendingAccountIdMissing", None)
    amount = doc.get("Amount")
    if amount is not None and to_decimal(amount) <= 0 and not doc.get("OrderReturnID"):
        raise ValidationFailed(
            "Amount must be greater than zero", "Payment.AmountGreaterThanZero", {"Amount": amount}
        )


async def find(docs: Docs, order_id: str, payment_id: str, *, lock: bool = False) -> Stored:
    found = await docs.get("payment", payment_id, order_id, lock=lock)
    if found is None:
        raise NotFound("Payment", payment_id)
    return found


async def create(docs: Docs, caller: Caller, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    refuse_card_data(body)
    _require_not_canceled(order)
    data = {k: body[k] for k in PAYMENT_WRITABLE if k in body}
    # A generated ID (128 random bits) is not looked up; one the caller chose is, once.
    chosen = data.get("ID") not in (None, "")
    data["ID"] = await id_or_next(docs, data)
    payment: dict[str, Any] = to_doc(validate(data, Payment))
    payment.update(
        DateCreated=iso(utcnow()),
        Currency=order.get("Currency"),
        Accepted=accepted_on_create(
            payment["Type"], payment.get("Accepted"), may_accept=caller.has(*ACCEPTING_ROLES)
        ),
        Transactions=[],
    )
    _check(payment)
    await instruments.check_payment(docs, caller, order, payment, utcnow())
    refunded = await refunds.check_new(docs, caller, order, payment) if payment.get("OrderReturnID") else None
    if chosen and await docs.exists("payment", payment["ID"], order["ID"]):
        raise Conflict(
            f"Payment already exists: {payment['ID']}",
            "IdExists",
            {"ObjectType": "Payment", "ObjectID": payment["ID"]},
        )
    # The payment with its timeline entry, in one statement (its ID was looked up above, or is new).
    await activities.payment_recorded(
        docs, order, payment, caller, with_rows=[("payment", payment, order["ID"])]
    )
    if refunded is not None:
        await refunds.note(docs, order, refunded, payment, utcnow())
    await unified_orders.project(docs, order)
    return public(payment)


async def patch(
    docs: Docs, caller: Caller, order: dict[str, Any], payment_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    refuse_card_data(body)
    _require_not_canceled(order)
    stored = await find(docs, order["ID"], payment_id, lock=True)
    current = stored.doc
    changes = {k: body[k] for k in PAYMENT_WRITABLE if k in body}
    check_patch(
        current,
        changes,
        may_accept=caller.has(*ACCEPTING_ROLES),
        submitted=is_submitted(order),
    )
    fixed = (*CREATE_ONLY, "Amount") if current.get("OrderReturnID") else CREATE_ONLY
    for field in fixed:
        if field in changes and changes[field] != current.get(field):
            raise ValidationFailed(
                f"{field} can only be set when the payment is created",
                "Payment.CannotPatchProperty",
                {"Property": field},
            )
    merged = merge_patch({k: current.get(k) for k in PAYMENT_WRITABLE}, changes)
    merged["ID"] = id_or(merged, payment_id)
    payment: dict[str, Any] = to_doc(validate(merged, Payment))
    payment.update(
        DateCreated=current["DateCreated"],
        Currency=current.get("Currency"),
        Accepted=bool(payment.get("Accepted")),
        Transactions=current.get("Transactions") or [],
    )
    _check(payment)
    new_payment_id = payment["ID"] if payment["ID"] != payment_id else None
    if new_payment_id and await docs.exists("payment", new_payment_id, order["ID"]):
        raise Conflict(
            f"Payment already exists: {new_payment_id}",
            "IdExists",
            {"ObjectType": "Payment", "ObjectID": new_payment_id},
        )
    await docs.replace(
        "payment", payment_id, payment, order["ID"], version=stored.version, new_id=new_payment_id
    )
    await unified_orders.project(docs, order)
    return public(payment)


async def delete(docs: Docs, caller: Caller, order: dict[str, Any], payment_id: str) -> None:
    _require_not_canceled(order)
    payment = (await find(docs, order["ID"], payment_id)).doc
    if payment.get("OrderReturnID"):
        await refunds.forget(docs, caller, order, payment)
    await docs.delete("payment", payment_id, order["ID"])
    await unified_orders.project(docs, order)


async def add_transaction(
    docs: Docs, order: dict[str, Any], payment_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    refuse_card_data(body)
    _require_not_canceled(order)
    stored = await find(docs, order["ID"], payment_id, lock=True)
    data = dict(body)
    data["ID"] = id_or_new(data)
    transaction: dict[str, Any] = to_doc(validate(data, PaymentTransaction))
    executed = transaction.get("DateExecuted")
    try:
        transaction["DateExecuted"] = iso(parse_iso(executed)) if executed else iso(utcnow())
    except ValueError:
        raise ValidationFailed(
            "DateExecuted is not a date", "ValidationFailure", {"Field": "DateExecuted"}
        ) from None
    payment = dict(stored.doc)
    existing = payment.get("Transactions") or []
    if any(t["ID"] == transaction["ID"] for t in existing):
        raise Conflict(
            f"PaymentTransaction already exists: {transaction['ID']}",
            "IdExists",
            {"ObjectType": "PaymentTransaction", "ObjectID": transaction["ID"]},
        )
    payment["Transactions"] = [*existing, transaction]
    await docs.replace("payment", payment_id, payment, order["ID"], version=stored.version)
    return public(payment)


async def delete_transaction(docs: Docs, order: dict[str, Any], payment_id: str, transaction_id: str) -> None:
    _require_not_canceled(order)
    stored = await find(docs, order["ID"], payment_id, lock=True)
    payment = dict(stored.doc)
    existing = payment.get("Transactions") or []
    kept = [t for t in existing if t.get("ID") != transaction_id]
    if len(kept) == len(existing):
        raise NotFound("PaymentTransaction", transaction_id)
    payment["Transactions"] = kept
    await docs.replace("payment", payment_id, payment, order["ID"], version=stored.version)
