"""The order timeline and business events (ordercore extensions; docs/orders.md "Timeline",
docs/events.md).

Every use case that changes an order calls one function here, in its own transaction: the
domain (`domain.events`) says which timeline entry the change leaves and which business events it
raises; this module stores the entry (an `orderactivity` document scoped to the order, append-only)
and writes one outbox row per subscribed event subscription, so the change, its entry and its
deliveries commit together or not at all. The outbox worker delivers the rows like webhook
post-hooks, signed with the Standard Webhooks headers and the subscription's secret.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.list_options import ListOptions, Page, parse_terms, schema_of
from app.models.activities import OrderActivity
from app.observability import current_request_id
from app.store.invalidation import cached_config
from app.store.repo import Docs, Stored
from app.webhooks import store as outbox_store
from app.wire import encode
from domain import events as ev
from domain.clock import iso, utcnow
from domain.errors import ValidationFailed
from domain.money import to_decimal
from domain.payments import from_financial_status, payment_status

KIND = "orderactivity"
SUBSCRIPTION_KIND = "eventsubscription"
# Outbox rows of an event subscription name it `evs:<ID>` (webhook rows name the webhook's ID).
OUTBOX_PREFIX = "evs:"
SCHEMA = schema_of(OrderActivity, enums={"Type": ev.ACTIVITY_TYPES})
SEARCHABLE = ("Text", "Type", "ActorUserID")
SORTABLE = ("Date", "ID", "Type", "ActorUserID", "ActorType")
DEFAULT_SORT = ("Date", "ID")
ARCHIVED = "Archived"
# Private fields of the common-shape projection: the statuses last announced for the order.
PAYMENT_STATUS = "_PaymentStatus"
FULFILLMENT_STATUS = "_FulfillmentStatus"


# --------------------------------------------------------------------------- writing entries


def _actor(actor: Caller | None) -> dict[str, Any]:
    if actor is None:
        return {"ActorUserID": None, "ActorUsername": None, "ActorCompanyID": None, "ActorType": "System"}
    kind = "Seller" if actor.is_seller else "Supplier" if actor.is_supplier else "Buyer"
    return {
        "ActorUserID": actor.user_id or None,
        "ActorUsername": actor.username or None,
        "ActorCompanyID": actor.company_id or None,
        "ActorType": kind,
    }


def _entry_id() -> str:
    """Time-ordered (entries written in one transaction keep their order), then random."""
    return f"{time.time_ns():016x}{secrets.token_hex(3)}"


def _entry(type_: str, *, actor: Caller | None, data: Mapping[str, Any], text: str | None) -> dict[str, Any]:
    return {
        "ID": _entry_id(),
        "Type": type_,
        "Date": iso(utcnow()),
        **_actor(actor),
        "Text": text,
        "Data": dict(data) or None,
    }


async def _insert(
    docs: Docs, order_id: str, type_: str, *, actor: Caller | None, data: Mapping[str, Any], text: str | None
) -> dict[str, Any]:
    entry = _entry(type_, actor=actor, data=data, text=text)
    await docs.insert(KIND, entry, order_id, absent=True)
    return entry


# A document a change inserts: (kind, document, scope).
NewRow = tuple[str, dict[str, Any], str]


async def apply_change(
    docs: Docs,
    order_id: str,
    change: ev.Change | None,
    actor: Caller | None,
    *,
    with_rows: Sequence[NewRow] = (),
) -> None:
    """Store the change's timeline entry on `order_id` and raise its events. `with_rows`: new
    documents the change itself writes (its order, payment or line: IDs nobody else has, or
    already looked up), inserted in the same statement as the entry (one round trip instead of
    two: docs/performance.md, "Checkout: every statement prepared, fewer round trips")."""
    rows = list(with_rows)
    if change is not None and change.activity is not None:
        entry = _entry(change.activity, actor=actor, data=change.data, text=None)
        rows.append((KIND, entry, order_id))
    if rows:
        await docs.insert_many(rows)
    if change is not None:
        await raise_events(docs, change.events)


async def order_created(
    docs: Docs, order: Mapping[str, Any], actor: Caller | None, *, with_rows: Sequence[NewRow] = ()
) -> None:
    """`with_rows`: see `apply_change` (the new order itself)."""
    change = ev.Change(ev.CREATED, {"Status": order.get("Status")})
    await apply_change(docs, order["ID"], change, actor, with_rows=with_rows)


async def order_changed(
    docs: Docs, before: Mapping[str, Any], after: Mapping[str, Any], actor: Caller | None
) -> None:
    """After an order was written: its status change, if any (submit, approval, decline, cancel,
    complete), as `domain.events.order_transition` decides."""
    await apply_change(docs, after["ID"], ev.order_transition(before, after), actor)


async def line_changed(
    docs: Docs,
    order_id: str,
    type_: str,
    line: Mapping[str, Any],
    actor: Caller | None,
    *,
    with_rows: Sequence[NewRow] = (),
) -> None:
    """`type_`: LineAdded, LineChanged or LineRemoved. `with_rows`: see `apply_change`."""
    data = {
        "LineItemID": line.get("ID"),
        "ProductID": line.get("ProductID"),
        "Quantity": line.get("Quantity"),
    }
    await apply_change(docs, order_id, ev.Change(type_, data), actor, with_rows=with_rows)


async def payment_recorded(
    docs: Docs,
    order: Mapping[str, Any],
    payment: Mapping[str, Any],
    actor: Caller | None,
    *,
    with_rows: Sequence[NewRow] = (),
) -> None:
    change = ev.payment_recorded(order["ID"], payment)
    await apply_change(docs, order["ID"], change, actor, with_rows=with_rows)


async def forwarded(
    docs: Docs, order: Mapping[str, Any], created: Sequence[Mapping[str, Any]], *, submitted: bool
) -> None:
    """New outgoing orders were made from `order` (forward or split)."""
    change = ev.forwarded([str(o["ID"]) for o in created], submitted=submitted)
    # Forwarding is done by the seller (or its auto-forwarding user): entries name no actor.
    await apply_change(docs, order["ID"], change, None)


async def shipment_linked(
    docs: Docs, shipment_id: str, before: Iterable[str], after: Iterable[str], actor: Caller | None
) -> None:
    """A shipment's order links were rebuilt: each newly linked order gets a Shipped entry, and a
    shipment linked to its first order raises `shipment.created`."""
    old = set(before)
    new = [o for o in after if o not in old]
    if not new:
        return
    shipment = await docs.get("shipment", shipment_id)
    if shipment is None:
        return
    for n, order_id in enumerate(new):
        await apply_change(docs, order_id, ev.shipped(shipment.doc, order_id, not old and n == 0), actor)


async def return_changed(
    docs: Docs, before: Mapping[str, Any] | None, after: Mapping[str, Any], actor: Caller | None
) -> None:
    """An order return was created (`before` None) or changed status; the entry goes on its order."""
    order_id = after.get("OrderID")
    if order_id:
        await apply_change(docs, str(order_id), ev.return_transition(before, after), actor)


async def statuses_projected(
    docs: Docs,
    before: Mapping[str, Any] | None,
    after: dict[str, Any],
    order: Mapping[str, Any],
    payments: Iterable[Mapping[str, Any]] | None = None,
) -> None:
    """The common-shape projection `after` of an order is about to replace `before`: raise
    `order.payment_status_changed` / `order.fulfillment_status_changed` when they moved. Native
    orders compute their payment status from their payments (`domain.payments.payment_status`);
    imported ones take the channel's. The statuses announced are kept on the projection."""
    paid: str | None
    if payments is not None:
        total = order.get("Total")
        paid = payment_status(to_decimal(total or 0), [dict(p) for p in payments])
    else:
        paid = from_financial_status(after.get("FinancialStatus"))
    after[PAYMENT_STATUS] = paid
    after[FULFILLMENT_STATUS] = after.get("FulfillmentStatus")
    previous = (
        None
        if before is None or PAYMENT_STATUS not in before
        else {
            "PaymentStatus": before.get(PAYMENT_STATUS),
            "FulfillmentStatus": before.get(FULFILLMENT_STATUS),
        }
    )
    current = {"PaymentStatus": paid, "FulfillmentStatus": after.get("FulfillmentStatus")}
    order_id = str(order.get("ID") or after.get("ExternalID"))
    shown = ev.public(order)
    await raise_events(docs, ev.status_changes(order_id, previous, current, shown))


# --------------------------------------------------------------------------- business events


def _wants(subscription: Mapping[str, Any], event_type: str) -> bool:
    return subscription.get("Active") is not False and event_type in (subscription.get("EventTypes") or [])


async def _subscriptions(docs: Docs) -> list[dict[str, Any]]:
    """Every event subscription, from the per-process configuration cache
    (app.store.invalidation: dropped on any event subscription write, in every process)."""

    async def read(conn: AsyncConnection) -> list[dict[str, Any]]:
        return await Docs(conn).all(SUBSCRIPTION_KIND, scope="")

    found: list[dict[str, Any]] = await cached_config(docs.conn, ("eventsubscriptions",), read)
    return found


async def raise_events(docs: Docs, events: Sequence[ev.BusinessEvent]) -> None:
    """One outbox row per (event, active subscription to its type), in this transaction."""
    if not events:
        return
    subscriptions = await _subscriptions(docs)
    if not subscriptions:
        return
    now = utcnow()
    for event in events:
        body = encode(ev.envelope(event, now)).decode("utf-8")
        for subscription in subscriptions:
            if _wants(subscription, event.type):
                await outbox_store.enqueue(
                    docs.conn,
                    webhook_id=OUTBOX_PREFIX + str(subscription["ID"]),
                    delivery_id=f"msg_{uuid.uuid4().hex}",
                    ordering_key=event.key,
                    body=body,
                    now=now,
                    request_id=current_request_id(),
                )


def subscription_id(webhook_id: str) -> str | None:
    """The subscription an outbox row belongs to (None for a webhook's row)."""
    return webhook_id[len(OUTBOX_PREFIX) :] if webhook_id.startswith(OUTBOX_PREFIX) else None


async def delivery_targets(docs: Docs, outbox_ids: Iterable[str]) -> dict[str, dict[str, object]]:
    """For the outbox worker: the subscriptions named by `evs:` outbox IDs, shaped as a webhook
    (Url, HashKey = the subscription's secret). Deleted subscriptions are absent (the delivery
    then fails as for a deleted webhook)."""
    wanted = {i: sid for i in outbox_ids if (sid := subscription_id(i)) is not None}
    if not wanted:
        return {}
    found = {
        str(d["ID"]): d
        for d in await docs.all(SUBSCRIPTION_KIND, docs.field_in("ID", sorted(set(wanted.values()))))
    }
    out: dict[str, dict[str, object]] = {}
    for outbox_id, sid in wanted.items():
        doc = found.get(sid)
        if doc is not None:
            out[outbox_id] = {"ID": outbox_id, "Url": doc.get("Url"), "HashKey": doc.get("Secret") or ""}
    return out


# --------------------------------------------------------------------------- notes, archive, lists


async def add_note(docs: Docs, caller: Caller, order: Mapping[str, Any], text: str) -> dict[str, Any]:
    """A note written by a user who may see the order (seller, supplier or buyer user)."""
    entry = await _insert(docs, order["ID"], ev.NOTE, actor=caller, data={}, text=text)
    return shown(order["ID"], entry)


def archived_conds(docs: Docs, opts: ListOptions, *, default: bool) -> list[ColumnElement[bool]]:
    """The `Archived` filter of order lists (`true` or `false`), taken out of `opts`. Without it,
    `default` lists hide archived orders."""
    values = opts.pop_filter(ARCHIVED)
    json = docs.json
    archived = json.is_bool([ARCHIVED], True)
    if not values:
        return [or_(json.is_null([ARCHIVED]), not_(archived))] if default else []
    conds: list[ColumnElement[bool]] = []
    for value in values:
        terms = parse_terms(value)
        wanted: list[ColumnElement[bool]] = []
        for term in terms:
            flag = term.value.lower()
            if term.op != "=" or flag not in ("true", "false"):
                raise ValidationFailed(
                    f"Archived filters on true or false, not {value}",
                    "ValidationFailure",
                    {"Field": ARCHIVED, "Value": value},
                )
            yes = (flag == "true") != term.negate
            wanted.append(archived if yes else or_(json.is_null([ARCHIVED]), not_(archived)))
        conds.append(or_(*wanted) if len(wanted) > 1 else wanted[0])
    return [and_(*conds)] if len(conds) > 1 else conds


def visible_conds(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    """Entries about the seller's own business (Forwarded) are shown to its users only."""
    if caller.is_seller:
        return []
    return [docs.json.text(["Type"]).not_in(sorted(ev.SELLER_ONLY_ACTIVITIES))]


def shown(order_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ID": entry["ID"],
        "OrderID": order_id,
        "Type": entry.get("Type"),
        "Date": entry.get("Date"),
        "ActorUserID": entry.get("ActorUserID"),
        "ActorUsername": entry.get("ActorUsername"),
        "ActorCompanyID": entry.get("ActorCompanyID"),
        "ActorType": entry.get("ActorType"),
        "Text": entry.get("Text"),
        "Data": entry.get("Data"),
    }


async def list_activities(docs: Docs, caller: Caller, order: Stored, opts: ListOptions) -> Page:
    """One page of the order's timeline, oldest first unless `sortBy` says otherwise, with the
    OrderCloud list options (filters on Type, ActorUserID, ActorType, Date; search on Text).
    `order` must be one the caller may see (`order_access.load_order`): the console and the
    `/orders/{direction}/{orderID}/activities` route load it that way."""
    order_id = order.doc["ID"]
    page = await docs.page(
        KIND,
        opts,
        SCHEMA,
        conds=visible_conds(docs, caller),
        scope=order_id,
        searchable=SEARCHABLE,
        sortable=SORTABLE,
        default_sort=DEFAULT_SORT,
    )
    page.items[:] = [shown(order_id, d) for d in page.items]
    return page


async def set_archived(docs: Docs, caller: Caller, stored: Stored, archived: bool) -> dict[str, Any]:
    """Archive or unarchive an order (the receiving company's OrderAdmin; the route checks).
    Archiving changes nothing else: the order keeps its status and stays readable by ID."""
    order = dict(stored.doc)
    if bool(order.get(ARCHIVED)) == archived:
        return ev.public(order)
    order[ARCHIVED] = archived
    order["LastUpdated"] = iso(utcnow())
    await docs.replace("order", order["ID"], order, version=stored.version)
    stored.doc = order
    await apply_change(docs, order["ID"], ev.Change(ev.ARCHIVED if archived else ev.UNARCHIVED), caller)
    return ev.public(order)
