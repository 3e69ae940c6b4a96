"""An order's timeline as the console shows it, built from what the order's records say today:
its own dates, approvals, shipments, returns and the webhook deliveries about it.

This is the one place that decides the timeline: when the order activity log
(app/services/activities.py, `list_activities`) lands, `order_timeline` becomes a call to it and
the templates stay as they are."""

from __future__ import annotations

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


def order_timeline(
    order: Mapping[str, Any],
    *,
    approvals: Iterable[Mapping[str, Any]] = (),
    shipments: Iterable[Mapping[str, Any]] = (),
    returns: Iterable[Mapping[str, Any]] = (),
    deliveries: Iterable[Mapping[str, Any]] = (),
) -> list[TimelineEntry]:
    """Newest first. `approvals`, `shipments` and `returns` are the API's own objects
    (`/orders/{d}/{id}/approvals`, `/shipments`, `/orderreturns`); `deliveries` are delivery-log
    entries (`/webhooks/{id}/deliveries`) about this order."""
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
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
