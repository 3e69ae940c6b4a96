"""An order's timeline as the console shows it: the order's activity log
(`GET /orders/{direction}/{orderID}/activities`, app/services/activities.py) beside the webhook
deliveries about it. Orders written before the log existed have no entries: for them the
timeline is rebuilt from what the order's records say (its dates, approvals, shipments, returns).

This is the one place that decides the timeline; the templates only show its entries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ORDER_DATES = (
    ("DateCreated", "Created"),
    ("DateSubmitted", "Submitted"),
    ("DateApproved", "Approved"),
    ("DateDeclined", "Declined"),
    ("DateCanceled", "Canceled"),
    ("DateCompleted", "Completed"),
)


@dataclass(frozen=True)
class TimelineEntry:
    when: str  # ISO-8601 UTC, as the API writes dates
    kind: str  # order | approval | shipment | return | webhook
    title: str
    detail: str = ""
    failed: bool = False


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _split_words(name: str) -> str:
    """`ReturnOpened` -> `Return opened`."""
    words = re.findall(r"[A-Z][a-z]*", name) or [name]
    return " ".join([words[0], *(w.lower() for w in words[1:])])


def activity_entries(activities: Iterable[Mapping[str, Any]]) -> list[TimelineEntry]:
    """The activity log's entries (the API's `Activity` objects) as timeline entries."""
    entries = []
    for activity in activities:
        who = _s(activity.get("ActorUsername") or activity.get("ActorUserID") or activity.get("ActorType"))
        detail = " ".join(p for p in (f"by {who}" if who else "", _s(activity.get("Text"))) if p)
        kind = _s(activity.get("Type"))
        entries.append(TimelineEntry(_s(activity.get("Date")), "activity", _split_words(kind), detail))
    return entries


def order_timeline(
    order: Mapping[str, Any],
    *,
    activities: Iterable[Mapping[str, Any]] = (),
    approvals: Iterable[Mapping[str, Any]] = (),
    shipments: Iterable[Mapping[str, Any]] = (),
    returns: Iterable[Mapping[str, Any]] = (),
    deliveries: Iterable[Mapping[str, Any]] = (),
) -> list[TimelineEntry]:
    """Newest first. `approvals`, `shipments` and `returns` are the API's own objects
    (`/orders/{d}/{id}/approvals`, `/shipments`, `/orderreturns`); `deliveries` are delivery-log
    entries (`/webhooks/{id}/deliveries`) about this order."""
    entries = activity_entries(activities)
    if not entries:
        entries = _from_records(order, approvals, shipments, returns)
    entries.extend(_delivery_entries(deliveries))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _from_records(
    order: Mapping[str, Any],
    approvals: Iterable[Mapping[str, Any]],
    shipments: Iterable[Mapping[str, Any]],
    returns: Iterable[Mapping[str, Any]],
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for field, title in ORDER_DATES:
        if order.get(field):
            detail = ""
            if field == "DateSubmitted":
                detail = f"by {_s(order.get('FromUserID'))} for {_s(order.get('FromCompanyID'))}"
            entries.append(TimelineEntry(_s(order[field]), "order", f"Order {title.lower()}", detail))
    for approval in approvals:
        status = _s(approval.get("Status"))
        when = approval.get("DateCompleted") or approval.get("DateCreated")
        if when:
            who = _s(approval.get("ApproverID") or approval.get("ApprovingGroupID"))
            detail = " ".join(p for p in (who, _s(approval.get("Comments"))) if p)
            entries.append(TimelineEntry(_s(when), "approval", f"Approval {status.lower()}", detail))
    for shipment in shipments:
        when = shipment.get("DateShipped") or shipment.get("DateCreated")
        if when:
            detail = " ".join(
                p for p in (_s(shipment.get("Shipper")), _s(shipment.get("TrackingNumber"))) if p
            )
            entries.append(TimelineEntry(_s(when), "shipment", f"Shipment {_s(shipment.get('ID'))}", detail))
        if shipment.get("DateDelivered"):
            entries.append(
                TimelineEntry(
                    _s(shipment["DateDelivered"]), "shipment", f"Shipment {shipment.get('ID')} delivered"
                )
            )
    for ret in returns:
        for field, title in (
            ("DateCreated", "created"),
            ("DateSubmitted", "submitted"),
            ("DateApproved", "approved"),
            ("DateDeclined", "declined"),
            ("DateCanceled", "canceled"),
            ("DateCompleted", "completed"),
        ):
            if ret.get(field):
                entries.append(TimelineEntry(_s(ret[field]), "return", f"Return {_s(ret.get('ID'))} {title}"))
    return entries


def _delivery_entries(deliveries: Iterable[Mapping[str, Any]]) -> list[TimelineEntry]:
    entries = []
    for delivery in deliveries:
        status = _s(delivery.get("Status"))
        route = f"{_s(delivery.get('Verb'))} {_s(delivery.get('Route'))}".strip()
        detail = f"to webhook {_s(delivery.get('WebhookID'))}: {status}"
        if delivery.get("LastError") and status != "Delivered":
            detail += f" ({delivery['LastError']})"
        entries.append(
            TimelineEntry(
                _s(delivery.get("DateCreated")),
                "webhook",
                f"Webhook {route}",
                detail,
                failed=status == "Failed",
            )
        )
    return entries
