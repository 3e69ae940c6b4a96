"""Orders as OrderCloud wire-shaped dicts: direction, visibility and a fresh order document.

Direction is always from the caller's company's point of view: a buyer's own order is Outgoing, the
marketplace owner sees buyer orders as Incoming and its forwarded orders as Outgoing, a supplier sees
Incoming. `sees` answers only the direction question; the "submitted only unless
UnsubmittedOrderReader" list rule is a filter the list query applies on top (it needs the caller's
roles, which the domain does not model).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from domain.clock import iso
from domain.errors import ValidationFailed
from domain.order_status import (
    AWAITING_APPROVAL,
    CANCELED,
    COMPLETED,
    DECLINED,
    OPEN,
    UNSUBMITTED,
)

__all__ = [
    "ORDER_FIELDS",
    "SUBMITTED_STATUSES",
    "UNSUBMITTED_STATUSES",
    "Direction",
    "direction_of",
    "new_order_doc",
    "order_user",
    "parse_direction",
    "sees",
]


class Direction(StrEnum):
    INCOMING = "Incoming"
    OUTGOING = "Outgoing"
    ALL = "All"


_DIRECTIONS: Final[dict[str, Direction]] = {d.value.lower(): d for d in Direction}

# OrderCloud's list semantics: `IsSubmitted=false` returns exactly these three statuses, and the
# default list (submitted only) returns the other three. A Canceled order counts as submitted here
# even if it was canceled before submit, because that is how the status filter partitions them.
UNSUBMITTED_STATUSES: Final[frozenset[str]] = frozenset({UNSUBMITTED, AWAITING_APPROVAL, DECLINED})
SUBMITTED_STATUSES: Final[frozenset[str]] = frozenset({OPEN, COMPLETED, CANCELED})

# Every field of the OrderCloud Order model, in the model's order (ordercloud-models.txt).
ORDER_FIELDS: Final[tuple[str, ...]] = (
    "ID",
    "FromUser",
    "FromCompanyID",
    "ToCompanyID",
    "FromUserID",
    "BillingAddressID",
    "BillingAddress",
    "ShippingAddressID",
    "Comments",
    "LineItemCount",
    "Status",
    "DateCreated",
    "DateSubmitted",
    "DateApproved",
    "DateDeclined",
    "DateCanceled",
    "DateCompleted",
    "LastUpdated",
    "Subtotal",
    "ShippingCost",
    "TaxCost",
    "Gratuity",
    "Fees",
    "PromotionDiscount",
    "Currency",
    "Total",
    "IsSubmitted",
    "SubscriptionID",
    "xp",
)


def parse_direction(s: str) -> Direction:
    """`Incoming` / `Outgoing` / `All`, any case (the docs themselves mix `incoming` and `Outgoing`)."""
    found = _DIRECTIONS.get(s.lower()) if isinstance(s, str) else None
    if found is None:
        raise ValidationFailed(
            f"Invalid order direction: {s!r}. Expected Incoming, Outgoing or All.",
            data={"Direction": s},
        )
    return found


def direction_of(order: Mapping[str, Any], company_id: str) -> Direction | None:
    """How `company_id` sees `order`: Outgoing if it placed it, Incoming if it receives it, else None.

    Outgoing wins when a company is on both ends, because the placing side is the one that may
    still edit the order.
    """
    if order.get("FromCompanyID") == company_id:
        return Direction.OUTGOING
    if order.get("ToCompanyID") == company_id:
        return Direction.INCOMING
    return None


def sees(order: Mapping[str, Any], company_id: str, direction: Direction) -> bool:
    """Whether `order` belongs in `company_id`'s list for `direction` (All = either side)."""
    if direction is Direction.OUTGOING:
        return order.get("FromCompanyID") == company_id
    if direction is Direction.INCOMING:
        return order.get("ToCompanyID") == company_id
    return order.get("FromCompanyID") == company_id or order.get("ToCompanyID") == company_id


# The user snapshot an order keeps as `FromUser` (OrderCloud's User model, password blanked).
ORDER_USER_FIELDS: Final[tuple[str, ...]] = (
    "ID",
    "CompanyID",
    "Username",
    "Password",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "TermsAccepted",
    "Active",
    "xp",
    "AvailableRoles",
    "Locale",
    "DateCreated",
    "LastActive",
    "PasswordLastSetDate",
)


def order_user(user: Mapping[str, Any], company_id: str) -> dict[str, Any]:
    """The `FromUser` snapshot of `user` as a member of `company_id`; never carries a password."""
    snapshot = {k: user.get(k) for k in ORDER_USER_FIELDS}
    snapshot["CompanyID"] = company_id
    snapshot["Password"] = None
    return snapshot


def new_order_doc(
    *,
    order_id: str,
    from_company_id: str,
    to_company_id: str,
    now: datetime,
    from_user: Mapping[str, Any] | None = None,
    from_user_id: str | None = None,
    billing_address_id: str | None = None,
    billing_address: Mapping[str, Any] | None = None,
    shipping_address_id: str | None = None,
    comments: str | None = None,
    currency: str | None = None,
    gratuity: Decimal = Decimal("0"),
    subscription_id: str | None = None,
    xp: Any = None,
) -> dict[str, Any]:
    """A fresh Unsubmitted order with every Order field present (null where unknown, money 0).

    `FromUserID` defaults to `from_user["ID"]` so the two never disagree.
    """
    if gratuity < 0:
        raise ValidationFailed("Gratuity must be at least 0.", data={"Gratuity": gratuity})
    stamp = iso(now)
    if from_user_id is None and from_user is not None:
        from_user_id = from_user.get("ID")
    zero = Decimal("0")
    return {
        "ID": order_id,
        "FromUser": dict(from_user) if from_user is not None else None,
        "FromCompanyID": from_company_id,
        "ToCompanyID": to_company_id,
        "FromUserID": from_user_id,
        "BillingAddressID": billing_address_id,
        "BillingAddress": dict(billing_address) if billing_address is not None else None,
        "ShippingAddressID": shipping_address_id,
        "Comments": comments,
        "LineItemCount": 0,
        "Status": UNSUBMITTED,
        "DateCreated": stamp,
        "DateSubmitted": None,
        "DateApproved": None,
        "DateDeclined": None,
        "DateCanceled": None,
        "DateCompleted": None,
        "LastUpdated": stamp,
        "Subtotal": zero,
        "ShippingCost": zero,
        "TaxCost": zero,
        "Gratuity": gratuity,
        "Fees": zero,
        "PromotionDiscount": zero,
        "Currency": currency,
        "Total": gratuity,
        "IsSubmitted": False,
        "SubscriptionID": subscription_id,
        "xp": xp,
    }
