"""Who accepts a payment (OrderCloud v1.0.50: submit requires every payment `Accepted`).

Payments that need no capture by anyone (a purchase order: invoiced later; a spending account:
debited by ordercore itself at submit) are accepted when created. A credit-card payment waits
until an OrderAdmin (the seller, or middleware calling with an elevated token) accepts it, once
the card was authorized. Only an OrderAdmin (FullAccess counts) may set `Accepted` to anything
other than that default, and a Shopper cannot change an accepted card payment or any accepted
payment of a submitted order. See docs/payments.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
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
#
# One vocabulary for "how much of this order is paid", used by the common order view
# (`/v1/channels/orders`, its `PaymentStatus` field and filter) for native orders and for the
# orders imported from other channels: Wix eCommerce's `paymentStatus` values.


class PaymentStatus(StrEnum):
    NOT_PAID = "NOT_PAID"
    PENDING = "PENDING"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    FULLY_REFUNDED = "FULLY_REFUNDED"


PAYMENT_STATUSES: tuple[str, ...] = tuple(s.value for s in PaymentStatus)
_ZERO = Decimal(0)


def is_refund(payment: Mapping[str, Any]) -> bool:
    """A refund is a payment made for an order return or with a negative Amount."""
    amount = payment.get("Amount")
    return bool(payment.get("OrderReturnID")) or (amount is not None and to_decimal(amount) < 0)


def payment_status(total: Any, payments: Iterable[Mapping[str, Any]]) -> PaymentStatus:
    """The payment status of an order of `total` with `payments` (OrderCloud Payment documents).

    - charges are the payments that are not refunds; a charge without Amount covers the whole
      order (OrderCloud's meaning of a null Payment.Amount). Accepted charges are paid; charges
      not (yet) accepted are pending.
    - refunds (payments with OrderReturnID or a negative Amount) count when Accepted: the money
      went back.
    - Any refund: FULLY_REFUNDED when the refunds reach what was paid (or, with nothing accepted,
      the order total), else PARTIALLY_REFUNDED.
    - Else PAID when the accepted charges cover the total (an order of 0 is paid), PARTIALLY_PAID
      when some money was accepted, PENDING when only unaccepted charges exist, NOT_PAID when
      there is no charge at all.
    """
    order_total = to_decimal(total if total is not None else 0)
    paid = pending = refunded = _ZERO
    for payment in payments:
        amount = payment.get("Amount")
        accepted = payment.get("Accepted") is True
        if is_refund(payment):
            if accepted:
                refunded += abs(to_decimal(amount or 0))
            continue
        value = order_total if amount is None else to_decimal(amount)
        if accepted:
            paid += value
        else:
            pending += value
    if refunded > 0:
        base = paid if paid > 0 else order_total
        return PaymentStatus.FULLY_REFUNDED if refunded >= base else PaymentStatus.PARTIALLY_REFUNDED
    if paid >= order_total:
        return PaymentStatus.PAID  # covered (an order of 0 owes nothing)
    if paid > 0:
        return PaymentStatus.PARTIALLY_PAID
    return PaymentStatus.PENDING if pending > 0 else PaymentStatus.NOT_PAID


# Other channels' financial statuses (Shopify `financial_status`, the common shape's
# `FinancialStatus`) in this vocabulary.
FROM_FINANCIAL: dict[str, PaymentStatus] = {
    "pending": PaymentStatus.PENDING,
    "authorized": PaymentStatus.PENDING,
    "partially_paid": PaymentStatus.PARTIALLY_PAID,
    "paid": PaymentStatus.PAID,
    "partially_refunded": PaymentStatus.PARTIALLY_REFUNDED,
    "refunded": PaymentStatus.FULLY_REFUNDED,
    "voided": PaymentStatus.NOT_PAID,
    "expired": PaymentStatus.NOT_PAID,
}


def from_financial(financial_status: str) -> PaymentStatus:
    """A channel's financial status as a PaymentStatus (unknown values: NOT_PAID)."""
    return FROM_FINANCIAL.get(financial_status.lower(), PaymentStatus.NOT_PAID)


# The vocabulary as plain names, and imported statuses that may already be in it (the timeline's
# business events use these: app.services.activities).
NOT_PAID, PENDING, PARTIALLY_PAID, PAID, PARTIALLY_REFUNDED, FULLY_REFUNDED = (
    PaymentStatus.NOT_PAID,
    PaymentStatus.PENDING,
    PaymentStatus.PARTIALLY_PAID,
    PaymentStatus.PAID,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.FULLY_REFUNDED,
)


def from_financial_status(value: str | None) -> str | None:
    """`from_financial`, letting values already in this vocabulary (and None) through."""
    if value is None:
        return None
    if value in PAYMENT_STATUSES:
        return value
    return from_financial(value).value
