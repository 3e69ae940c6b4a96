"""The common-shape projection of orders (an ordercore extension; docs/channels.md).

Every order readable through `/v1/channels/orders` is a `unifiedorder` document (scope = the
channel, ID = `<channel>-<external ID>`), so that one SQL query pages, filters and sorts across
channels. Imported orders are written by `app.services.channels`; native orders by `project`,
which the order use cases call in the same transaction as the change they make.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from app.services import activities
from app.store.repo import Docs
from app.store.tables import resources
from integrations.channels import ordercloud
from integrations.channels.common import unified_id

KIND = "unifiedorder"
# Private: which company receives the order. The common list is the seller's view, so it shows
# only orders addressed to the marketplace (not those forwarded to suppliers).
TO_COMPANY = "_ToCompanyID"
# Private on an order imported from another channel: {"Channel", "ExternalID"}.
CHANNEL_KEY = "_Channel"


async def put(
    docs: Docs,
    doc: dict[str, Any],
    *,
    order: Mapping[str, Any] | None = None,
    payments: list[dict[str, Any]] | None = None,
    absent: bool = False,
) -> None:
    """Insert or overwrite one projected order (`order`, `payments`: the native order it
    projects; imported orders pass neither). Raises the order's payment and fulfillment status
    events when they moved (app.services.activities). `absent`: the caller knows there is no
    projection yet (the order's first submit), which skips reading it."""
    scope = doc["Channel"]
    before = None if absent else await docs.get(KIND, doc["ID"], scope)
    await activities.statuses_projected(docs, before.doc if before else None, doc, order or doc, payments)
    if before is None:
        await docs.insert(KIND, doc, scope, absent=True)  # the read just found no row
    else:
        await docs.replace(KIND, doc["ID"], doc, scope)


async def project(
    docs: Docs,
    order: dict[str, Any],
    *,
    previous_id: str | None = None,
    lines: list[dict[str, Any]] | None = None,
    payments: list[dict[str, Any]] | None = None,
    first: bool = False,
) -> None:
    """Refresh the projection of a native order after it changed (status, totals, shipped
    quantities, payments). Carts cost nothing: only submitted orders are projected, and an order
    never goes back to unsubmitted. `previous_id`: the order was renamed from it. `lines`,
    `payments`: the order's current ones when the caller already holds them (else read).
    `first`: the order was a cart before this change, so it has no projection yet (only
    unsubmitted orders can be deleted, and a rename moves the projection away)."""
    if previous_id is not None and previous_id != order["ID"]:
        await docs.delete(KIND, unified_id(ordercloud.CHANNEL, previous_id), ordercloud.CHANNEL)
    if not order.get("IsSubmitted") or order.get("_IncomingOrderID"):
        return  # a cart, or a copy forwarded to a supplier (its buyer order is projected)
    if lines is None:
        lines = await docs.all("lineitem", scope=order["ID"])
    if payments is None:
        payments = await docs.all("payment", scope=order["ID"])
    doc = ordercloud.to_unified(order, lines, payments, await _shipments(docs, order["ID"], lines))
    source = order.get(CHANNEL_KEY)
    if source:
        # An order imported from another channel (app.services.channel_orders): listed once, under
        # its channel's name and ID, with the state of its OrderCloud order.
        doc.update(ID=order["ID"], Channel=source["Channel"], ExternalID=source["ExternalID"])
        _channel_fields(doc, source.get("Fields") or {})
    doc[TO_COMPANY] = order.get("ToCompanyID")
    await put(docs, doc, order=order, payments=payments, absent=first and previous_id is None)


async def _shipments(docs: Docs, order_id: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The shipments carrying the order's lines (its own, or its suppliers' for lines forwarded to
    them: both link the order). Nothing shipped yet: no shipment, and no query."""
    if not any(line.get("QuantityShipped") for line in lines):
        return []
    link = resources.alias("link")
    carrying = select(link.c.id).where(
        link.c.kind == "shipmentorder", func.lower(link.c.scope) == order_id.lower()
    )
    return await docs.all("shipment", resources.c.id.in_(carrying), scope="")


def _channel_fields(doc: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """The channel's order number, shipping method and payment data where it gave them; tracking
    numbers are the channel's and then those of the shipments made here, without repeats."""
    for name, value in fields.items():
        if name == "TrackingNumbers":
            doc[name] = list(dict.fromkeys([*(value or []), *doc.get(name, [])]))
        elif value is not None or name not in ("PaymentGateway", "TransactionID"):
            doc[name] = value


async def project_id(docs: Docs, order_id: str) -> None:
    """`project` for an order known by ID (the shipment and payment paths)."""
    found = await docs.get("order", order_id)
    if found is not None:
        await project(docs, found.doc)
