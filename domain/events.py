"""Business events and order timeline entries: what the domain says happened (pure; no I/O).

A status change decided by `domain.order_status` (orders) or `domain.returns` (order returns) is
turned here into the timeline entry it leaves on the order (`Change.activity`) and the semantic
business events it raises (`Change.events`); the services collect both and write them in the
transaction that makes the change (app/services/activities.py). docs/events.md lists the events
and their payloads; docs/orders.md ("Timeline") the timeline entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from domain.clock import iso
from domain.order_status import AWAITING_APPROVAL, CANCELED, COMPLETED, DECLINED, OPEN, UNSUBMITTED

# --------------------------------------------------------------------------- business events

ORDER_SUBMITTED: Final = "order.submitted"
ORDER_APPROVED: Final = "order.approved"
ORDER_DECLINED: Final = "order.declined"
ORDER_CANCELED: Final = "order.canceled"
ORDER_PAYMENT_STATUS_CHANGED: Final = "order.payment_status_changed"
ORDER_FULFILLMENT_STATUS_CHANGED: Final = "order.fulfillment_status_changed"
SHIPMENT_CREATED: Final = "shipment.created"
RETURN_COMPLETED: Final = "return.completed"
REFUND_CREATED: Final = "refund.created"
EVENT_TYPES: Final[tuple[str, ...]] = (
    ORDER_SUBMITTED,
    ORDER_APPROVED,
    ORDER_DECLINED,
    ORDER_CANCELED,
    ORDER_PAYMENT_STATUS_CHANGED,
    ORDER_FULFILLMENT_STATUS_CHANGED,
    SHIPMENT_CREATED,
    RETURN_COMPLETED,
    REFUND_CREATED,
)

# --------------------------------------------------------------------------- timeline entries

CREATED: Final = "Created"
LINE_ADDED: Final = "LineAdded"
LINE_CHANGED: Final = "LineChanged"
LINE_REMOVED: Final = "LineRemoved"
SUBMITTED: Final = "Submitted"
APPROVAL_REQUESTED: Final = "ApprovalRequested"
APPROVED: Final = "Approved"
DECLINED_ENTRY: Final = "Declined"
PAYMENT_RECORDED: Final = "PaymentRecorded"
FORWARDED: Final = "Forwarded"
SHIPPED: Final = "Shipped"
COMPLETED_ENTRY: Final = "Completed"
CANCELED_ENTRY: Final = "Canceled"
RETURN_OPENED: Final = "ReturnOpened"
RETURN_SUBMITTED: Final = "ReturnSubmitted"
RETURN_APPROVED: Final = "ReturnApproved"
RETURN_DECLINED: Final = "ReturnDeclined"
RETURN_COMPLETED_ENTRY: Final = "ReturnCompleted"
RETURN_CANCELED: Final = "ReturnCanceled"
REFUNDED: Final = "Refunded"
NOTE: Final = "Note"
ARCHIVED: Final = "Archived"
UNARCHIVED: Final = "Unarchived"
ACTIVITY_TYPES: Final[tuple[str, ...]] = (
    CREATED,
    LINE_ADDED,
    LINE_CHANGED,
    LINE_REMOVED,
    SUBMITTED,
    APPROVAL_REQUESTED,
    APPROVED,
    DECLINED_ENTRY,
    PAYMENT_RECORDED,
    FORWARDED,
    SHIPPED,
    COMPLETED_ENTRY,
    CANCELED_ENTRY,
    RETURN_OPENED,
    RETURN_SUBMITTED,
    RETURN_APPROVED,
    RETURN_DECLINED,
    RETURN_COMPLETED_ENTRY,
    RETURN_CANCELED,
    REFUNDED,
    NOTE,
    ARCHIVED,
    UNARCHIVED,
)
# Entries about the seller's own business (which suppliers got which lines): shown to the
# marketplace owner's users only, as line items hide their forwarding links from others.
SELLER_ONLY_ACTIVITIES: Final = frozenset({FORWARDED})


@dataclass(frozen=True)
class BusinessEvent:
    """One semantic event. `key`: what it is about (an order ID, a shipment ID); deliveries with
    one key go out in the order they were raised."""

    type: str
    key: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    """What one decided change leaves behind: a timeline entry (its Type and Data) and events."""

    activity: str | None
    data: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[BusinessEvent, ...] = ()


def public(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A stored document as callers see it (keys starting with `_` are server-private)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def envelope(event: BusinessEvent, at: datetime) -> dict[str, Any]:
    """The Standard Webhooks payload: `type`, `timestamp` (ISO-8601 UTC), `data`."""
    return {"type": event.type, "timestamp": iso(at), "data": dict(event.data)}


# --------------------------------------------------------------------------- orders

# (status before, status after) -> (timeline entry, business event or None).
_ORDER_TRANSITIONS: Final[dict[tuple[str, str], tuple[str, str | None]]] = {
    (UNSUBMITTED, OPEN): (SUBMITTED, ORDER_SUBMITTED),
    (UNSUBMITTED, AWAITING_APPROVAL): (APPROVAL_REQUESTED, ORDER_SUBMITTED),
    (AWAITING_APPROVAL, OPEN): (APPROVED, ORDER_APPROVED),
    (AWAITING_APPROVAL, DECLINED): (DECLINED_ENTRY, ORDER_DECLINED),
    (AWAITING_APPROVAL, UNSUBMITTED): (DECLINED_ENTRY, ORDER_DECLINED),
    (OPEN, COMPLETED): (COMPLETED_ENTRY, None),
}


def order_transition(before: Mapping[str, Any], after: Mapping[str, Any]) -> Change | None:
    """The entry and events of an order's status change (None when the status did not change).
    `order.submitted` is raised when the buyer submits, also into approval (`Status` then reads
    AwaitingApproval); the seller hears `order.approved` when such an order opens."""
    old, new = before.get("Status"), after.get("Status")
    if old == new or not isinstance(old, str) or not isinstance(new, str):
        return None
    entry: str
    event: str | None
    if new == CANCELED:
        entry, event = CANCELED_ENTRY, ORDER_CANCELED
    elif (old, new) in _ORDER_TRANSITIONS:
        entry, event = _ORDER_TRANSITIONS[(old, new)]
    else:
        return None
    data = {"From": old, "To": new}
    order_id = str(after["ID"])
    events = (BusinessEvent(event, order_id, {"OrderID": order_id, "Order": public(after)}),) if event else ()
    return Change(entry, data, events)


def status_changes(
    order_id: str,
    before: Mapping[str, str | None] | None,
    after: Mapping[str, str | None],
    order: Mapping[str, Any],
) -> tuple[BusinessEvent, ...]:
    """`order.payment_status_changed` / `order.fulfillment_status_changed` when the order's
    payment status (`domain.payments.payment_status`) or fulfillment status (unfulfilled,
    partially_fulfilled, fulfilled) moved. `before` None: the order was not followed until now
    (first submitted or imported); what it is then is said by `order.submitted`, not by these."""
    if before is None:
        return ()
    events = []
    for name, type_ in (
        ("PaymentStatus", ORDER_PAYMENT_STATUS_CHANGED),
        ("FulfillmentStatus", ORDER_FULFILLMENT_STATUS_CHANGED),
    ):
        old, new = before.get(name), after.get(name)
        if old != new and new is not None:
            data = {"OrderID": order_id, "Previous": old, "Current": new, "Order": dict(order)}
            events.append(BusinessEvent(type_, order_id, data))
    return tuple(events)


# --------------------------------------------------------------------------- shipments, returns, refunds


def shipped(shipment: Mapping[str, Any], order_id: str, first_link: bool) -> Change:
    """A shipment now carries lines of `order_id`. `first_link`: the shipment was linked to no
    order before, so this is when it was created as far as anyone waiting for goods is concerned."""
    shipment_id = str(shipment["ID"])
    data = {"ShipmentID": shipment_id, "TrackingNumber": shipment.get("TrackingNumber")}
    events: tuple[BusinessEvent, ...] = ()
    if first_link:
        events = (
            BusinessEvent(SHIPMENT_CREATED, order_id, {"OrderID": order_id, "Shipment": public(shipment)}),
        )
    return Change(SHIPPED, data, events)


_RETURN_TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    (UNSUBMITTED, OPEN): RETURN_SUBMITTED,
    (UNSUBMITTED, AWAITING_APPROVAL): RETURN_SUBMITTED,
    (AWAITING_APPROVAL, OPEN): RETURN_APPROVED,
    (AWAITING_APPROVAL, DECLINED): RETURN_DECLINED,
    (OPEN, COMPLETED): RETURN_COMPLETED_ENTRY,
}


def return_transition(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> Change | None:
    """The entry (on the return's order) and events of an order return's creation (`before`
    None) or status change."""
    return_id = str(after["ID"])
    data: dict[str, Any] = {"OrderReturnID": return_id, "Status": after.get("Status")}
    if before is None:
        return Change(RETURN_OPENED, data)
    old, new = before.get("Status"), after.get("Status")
    if old == new or not isinstance(old, str) or not isinstance(new, str):
        return None
    entry = RETURN_CANCELED if new == CANCELED else _RETURN_TRANSITIONS.get((old, new))
    if entry is None:
        return None
    events: tuple[BusinessEvent, ...] = ()
    if new == COMPLETED:
        order_id = str(after.get("OrderID"))
        payload = {"OrderID": order_id, "OrderReturnID": return_id, "OrderReturn": public(after)}
        events = (BusinessEvent(RETURN_COMPLETED, order_id, payload),)
    return Change(entry, {**data, "From": old}, events)


def payment_recorded(order_id: str, payment: Mapping[str, Any]) -> Change:
    """A payment stored on the order; one made for an order return is a refund."""
    data = {
        "PaymentID": payment.get("ID"),
        "Type": payment.get("Type"),
        "Amount": payment.get("Amount"),
        "OrderReturnID": payment.get("OrderReturnID"),
    }
    if not payment.get("OrderReturnID"):
        return Change(PAYMENT_RECORDED, data)
    event = BusinessEvent(
        REFUND_CREATED,
        order_id,
        {"OrderID": order_id, "OrderReturnID": payment.get("OrderReturnID"), "Payment": public(payment)},
    )
    return Change(REFUNDED, data, (event,))


def forwarded(order_ids: Sequence[str], *, submitted: bool) -> Change | None:
    """Lines went to suppliers on new outgoing orders (submitted: forwarded, else split only)."""
    if not order_ids:
        return None
    return Change(FORWARDED, {"OutgoingOrderIDs": list(order_ids), "Submitted": submitted})
