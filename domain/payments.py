"""Who accepts a payment (OrderCloud v1.0.50: submit requires every payment `Accepted`).

Payments that need no capture by anyone (a purchase order: invoiced later; a spending account:
debited by ordercore itself at submit) are accepted when created. A credit-card payment waits
until an OrderAdmin (the seller, or middleware calling with an elevated token) accepts it, once
the card was authorized. Only an OrderAdmin (FullAccess counts) may set `Accepted` to anything
other than that default, and a Shopper cannot change an accepted card payment or any accepted
payment of a submitted order. See docs/payments.md.
"""

from __future__ import annotations

from typing import Any

from domain.errors import Forbidden, ValidationFailed

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
