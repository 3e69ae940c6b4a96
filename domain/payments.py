"""Who accepts a payment (OrderCloud v1.0.50: submit requires every payment `Accepted`).

Payments that need no capture by anyone (a purchase order: invoiced later; a spending account:
debited by ordercore itself at submit) are accepted when created. A credit-card payment waits
until an OrderAdmin (the seller, or middleware calling with an elevated token) accepts it, once
the card was authorized. Only an OrderAdmin (FullAccess counts) may set `Accepted` to anything
other than that default, and a Shopper cannot change an accepted card payment or any accepted
payment of a submitted order. See docs/payments.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.errors import Forbidden, ValidationFailed
from domain.money import to_decimal

ACCEPTED_WHEN_CREATED = frozenset({"PurchaseOrder", "SpendingAccount"})
ACCEPTING_ROLES = ("OrderAdmin",)


def default_accepted(payment_type: str) -> bool:
    return payment_type in ACCEPTED_WHEN_CREATED


def _refuse_accepting() -> Forbidden:
    return Forbidden(
        "Only an OrderAdmin can set a payment's Accepted",
        "Auth.InsufficientRoles",
        {"SufficientRoles": list(ACCEPTING_ROLES), "Property": "Accepted"},
    )


def accepted_on_create(payment_type: str, requested: Any, *, may_accept: bool) -> bool:
    """`Accepted` of a new payment: the type's default unless an OrderAdmin chose otherwise.
    A caller who may not accept payments may still send the default (SDK code often sends
    `Accepted: true` with a purchase order) but nothing else."""
    default = default_accepted(payment_type)
    if requested is None or bool(requested) == default:
        return default
    if not may_accept:
        raise _refuse_accepting()
    return bool(requested)


def check_patch(
    current: dict[str, Any], changes: dict[str, Any], *, may_accept: bool, submitted: bool
) -> None:
    """Refuse a patch the caller may not make because of who accepts payments."""
    if may_accept:
        return
    if "Accepted" in changes and bool(changes["Accepted"]) != bool(current.get("Accepted")):
        raise _refuse_accepting()
    if current.get("Accepted") and (current.get("Type") == "CreditCard" or submitted):
        raise ValidationFailed(
            "Only an OrderAdmin can change an accepted credit-card payment or a submitted order's",
            "Payment.CannotPatchAccepted",
            {"PaymentID": current.get("ID")},
        )


# --------------------------------------------------------------------------- payment status

# An order's payment status (the Wix vocabulary the common order view uses; issue #17 item 4).
NOT_PAID, PENDING, PARTIALLY_PAID, PAID, PARTIALLY_REFUNDED, FULLY_REFUNDED = (
    "NOT_PAID",
    "PENDING",
    "PARTIALLY_PAID",
    "PAID",
    "PARTIALLY_REFUNDED",
    "FULLY_REFUNDED",
)
PAYMENT_STATUSES = (NOT_PAID, PENDING, PARTIALLY_PAID, PAID, PARTIALLY_REFUNDED, FULLY_REFUNDED)


def payment_status(total: Decimal, payments: Iterable[dict[str, Any]]) -> str:
    """An order's payment status from its payments. Accepted payments pay (a payment without
    Amount covers the whole order); refunds are the payments made for an order return (or with a
    negative Amount). Unaccepted payments make the order PENDING while nothing is paid. An order
    with nothing to pay (Total 0) is PAID."""
    paid = refunded = awaiting = Decimal(0)
    for payment in payments:
        amount = payment.get("Amount")
        value = total if amount is None else to_decimal(amount)
        if payment.get("OrderReturnID") or value < 0:
            if payment.get("Accepted") is True:
                refunded += abs(value)
        elif payment.get("Accepted") is True:
            paid += value
        else:
            awaiting += value
    if refunded > 0:
        return FULLY_REFUNDED if refunded >= paid else PARTIALLY_REFUNDED
    if total <= 0 or (paid > 0 and paid >= total):
        return PAID
    if paid > 0:
        return PARTIALLY_PAID
    return PENDING if awaiting > 0 else NOT_PAID


# The common order view's financial statuses of imported orders (docs/channels.md) in this vocabulary.
_FROM_FINANCIAL = {
    "pending": PENDING,
    "partially_paid": PARTIALLY_PAID,
    "paid": PAID,
    "partially_refunded": PARTIALLY_REFUNDED,
    "refunded": FULLY_REFUNDED,
    "voided": NOT_PAID,
}


def from_financial_status(value: str | None) -> str | None:
    """An imported order's payment status from its common-view financial status (values already in
    this vocabulary pass through)."""
    if value is None:
        return None
    return value if value in PAYMENT_STATUSES else _FROM_FINANCIAL.get(value.lower(), value.upper())
