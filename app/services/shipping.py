"""Shipments and what they do to orders: shipped quantities on lines (rolled up from a supplier's
outgoing order to the buyer's incoming order), automatic completion, and who sees which shipment.

Storage (docs/fulfilment.md):
- `shipment` (scope ""): the wire Shipment.
- `shipmentitem` (scope = shipment ID, ID `{OrderID}:{LineItemID}`): the wire ShipmentItem with the
  line's details copied in, plus private `_IncomingOrderID` when the line was forwarded.
- `shipmentorder` (scope = order ID, ID = shipment ID): "this shipment carries lines of this
  order", for the item's order and for the buyer's order it was forwarded from, so that order
  lists of shipments and visibility are one indexed lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update

from app.auth.tokens import Caller
from app.list_options import ListOptions, schema_of
from app.listing import JsonAccess
from app.models.fulfilment import ShipmentItem
from app.services import activities, unified_orders
from app.services.addresses import Use, resolve, saved_address
from app.services.forwarding import is_forwarded_elsewhere, outgoing_orders
from app.services.lineitems import order_lines
from app.services.order_access import direction_conds, receives
from app.store.repo import Docs, Stored
from app.store.tables import resources
from app.unit import Unit
from app.wire import check_id, public, to_doc, validate
from domain.clock import iso, parse_iso, utcnow
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.fulfilment import (
    add_shipped,
    check_can_ship,
    check_no_conflicts,
    is_fully_shipped,
    remove_shipped,
)
from domain.order_status import OrderAggregate, is_open
from domain.orders import Direction

SHIPMENT_READ_ROLES = ("ShipmentAdmin", "ShipmentReader", "OrderAdmin", "OrderReader")
SHIPMENT_WRITE_ROLES = ("ShipmentAdmin", "OrderAdmin")
ITEM_COPIED = ("UnitPrice", "CostCenter", "DateNeeded", "Product", "Variant", "Specs", "xp")
R = resources.c


def item_key(order_id: str, line_id: str) -> str:
    return f"{order_id}:{line_id}"


# --------------------------------------------------------------------------- visibility


def visible_order_ids(docs: Docs, caller: Caller) -> Any:
    """A subquery of the IDs of every order the caller may see (either direction)."""
    o = resources.alias("o")
    conds = direction_conds(JsonAccess(docs.pg, o.c.doc), caller, Direction.ALL)
    return select(o.c.id).where(o.c.kind == "order", o.c.scope == "", *conds)


def shipments_of(order_ids: Any) -> Any:
    """A subquery of the IDs of shipments carrying lines of `order_ids` (a subquery or a list)."""
    link = resources.alias("l")
    return select(link.c.id).where(link.c.kind == "shipmentorder", link.c.scope.in_(order_ids))


def shipment_conds(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    """The seller sees every shipment; others those their company made and those carrying lines
    of orders they may see."""
    if caller.is_seller:
        return []
    return [
        or_(
            docs.json.text(["OwnerID"]) == caller.company_id,
            R.id.in_(shipments_of(visible_order_ids(docs, caller))),
        )
    ]


def item_conds(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    """A buyer sees the items of its own orders only, including forwarded ones."""
    if not caller.is_buyer:
        return []
    visible = visible_order_ids(docs, caller)
    return [or_(docs.json.text(["OrderID"]).in_(visible), docs.json.text(["_IncomingOrderID"]).in_(visible))]


def present_item(caller: Caller, item: dict[str, Any]) -> dict[str, Any]:
    """A buyer knows its own order, not the supplier's: a forwarded line shows the buyer's order."""
    out = {k: v for k, v in public(item).items() if k != "ID"}
    if caller.is_buyer and item.get("_IncomingOrderID"):
        out["OrderID"] = item["_IncomingOrderID"]
    return out


async def load_shipment(ctx: Unit, caller: Caller, shipment_id: str, *, write: bool = False) -> Stored:
    docs = ctx.docs
    found = await docs.get("shipment", shipment_id, lock=write)
    conds = shipment_conds(docs, caller)
    if found is None or (conds and await docs.count("shipment", R.id == shipment_id, *conds, scope="") == 0):
        raise NotFound("Shipment", shipment_id)
    if write:
        check_may_write(caller, found.doc)
    return found


def check_may_write(caller: Caller, shipment: dict[str, Any] | None) -> None:
    """Buyers never write shipments; a supplier writes only its own."""
    if caller.is_buyer or (
        shipment is not None and not caller.is_seller and shipment.get("OwnerID") != caller.company_id
    ):
        raise Forbidden(
            "Only the company that owns a shipment (or the marketplace owner) may change it",
            "Auth.InsufficientRoles",
            {"OwnerID": (shipment or {}).get("OwnerID")},
        )


# --------------------------------------------------------------------------- shipment documents


def _date(doc: dict[str, Any], field: str) -> None:
    value = doc.get(field)
    if value is None:
        return
    try:
        doc[field] = iso(parse_iso(value))
    except ValueError:
        raise ValidationFailed(
            f"{field} is not a date: {value}", "ValidationFailure", {"Field": field}
        ) from None


async def _address(
    docs: Docs,
    caller: Caller,
    doc: dict[str, Any],
    existing: dict[str, Any] | None,
    prefix: str,
    company: str | None,
) -> None:
    """`{prefix}AddressID` names a saved address of `company` (the owner for From, the buyer for
    To), copied into `{prefix}Address`; clearing the ID clears an address set by ID, while a
    one-time address set through shipfrom/shipto stays."""
    id_field, address_field = f"{prefix}AddressID", f"{prefix}Address"
    new_id = doc.get(id_field)
    old_id = (existing or {}).get(id_field)
    if new_id:
        if new_id != old_id or not (existing or {}).get(address_field):
            # A parcel goes to a buyer, not to one of its users: no user's personal address fits.
            use = Use(caller, {"FromCompanyID": company or ""})
            doc[address_field] = await saved_address(docs, company or "", new_id, user=use)
    elif old_id:
        doc[address_field] = None


async def prepare_shipment(
    ctx: Unit, caller: Caller, doc: dict[str, Any], existing: dict[str, Any] | None, body: dict[str, Any]
) -> dict[str, Any]:
    """Server-side fields of a shipment being written: OwnerID (the creating company; the
    marketplace owner may name a supplier on create), normalized dates, address snapshots."""
    check_may_write(caller, existing)
    docs = ctx.docs
    marketplace = ctx.services.marketplace_id
    if existing is not None:
        doc["OwnerID"] = existing.get("OwnerID")
    else:
        # OwnerID is read-only for the struct (normalize drops it), so it is checked here.
        owner = body.get("OwnerID") if caller.is_seller else None
        owner = None if owner is None or owner == "" else check_id(owner, "OwnerID")
        if owner and owner != marketplace and not await docs.exists("supplier", owner):
            raise NotFound("Supplier", owner)
        doc["OwnerID"] = owner or caller.company_id
    for field in ("DateShipped", "DateDelivered"):
        _date(doc, field)
    await _address(docs, caller, doc, existing, "From", doc["OwnerID"])
    await _address(docs, caller, doc, existing, "To", doc.get("BuyerID"))
    return doc


# --------------------------------------------------------------------------- shipped quantities


async def _shift_line(docs: Docs, order_id: str, line: dict[str, Any], delta: int) -> dict[str, Any]:
    new = dict(line)
    new["QuantityShipped"] = add_shipped(line, delta) if delta > 0 else remove_shipped(line, -delta)
    await docs.replace("lineitem", line["ID"], new, order_id)
    return new


async def shift_shipped(docs: Docs, order: dict[str, Any], line: dict[str, Any], delta: int) -> None:
    """Add `delta` (or take it back, when negative) to the line's QuantityShipped, and to the
    buyer's line it was forwarded from, so the buyer's order shows what the supplier shipped."""
    if delta == 0:
        return
    await _shift_line(docs, order["ID"], line, delta)
    incoming_id = order.get("_IncomingOrderID")
    if incoming_id:
        found = await docs.get("lineitem", line["ID"], incoming_id)
        if found is not None:
            await _shift_line(docs, incoming_id, found.doc, delta)


async def dated_quantities(docs: Docs, order_ids: list[str]) -> dict[str, int]:
    """line ID -> quantity on shipments with a DateShipped, over the given orders' items."""
    items = await docs.all_stored("shipmentitem", docs.field_in("OrderID", order_ids))
    if not items:
        return {}
    shipment_ids = sorted({s.scope for s in items})
    dated = {
        s["ID"] for s in await docs.all("shipment", R.id.in_(shipment_ids), scope="") if s.get("DateShipped")
    }
    out: dict[str, int] = {}
    for stored in items:
        if stored.scope in dated:
            line_id = stored.doc["LineItemID"]
            out[line_id] = out.get(line_id, 0) + int(stored.doc["QuantityShipped"])
    return out


async def complete_if_shipped(docs: Docs, order_ids: Iterable[str], now: datetime) -> None:
    """Complete each Open order whose every line has shipped in full on dated shipments. A buyer's
    order counts what its suppliers shipped on the outgoing orders made from it. Each order's
    common-shape projection follows its shipped quantities (docs/channels.md)."""
    for order_id in dict.fromkeys(order_ids):
        stored = await docs.get("order", order_id, lock=True)
        if stored is None:
            continue
        if not is_open(stored.doc):
            await unified_orders.project(docs, stored.doc)
            continue
        lines = await order_lines(docs, order_id)
        sources = [order_id, *(s.doc["ID"] for s in await outgoing_orders(docs, order_id))]
        dated = await dated_quantities(docs, sources)
        if is_fully_shipped([{**line, "QuantityShipped": dated.get(line["ID"], 0)} for line in lines]):
            completed = OrderAggregate.load(stored.doc)
            completed.transition("complete", now=now)
            completed.last_updated = iso(now)
            order = completed.dump()
            await docs.replace("order", order_id, order, version=stored.version)
            await activities.order_changed(docs, stored.doc, order, None)  # completed by its shipments
            stored.doc = order
        await unified_orders.project(docs, stored.doc)


async def linked_orders(docs: Docs, shipment_id: str) -> list[str]:
    return [d["OrderID"] for d in await docs.all("shipmentorder", R.id == shipment_id)]


async def relink(docs: Docs, shipment_id: str, actor: Caller | None = None) -> list[str]:
    """Rebuild the shipment's order links from its items; returns the linked order IDs. Orders
    newly linked get a Shipped entry on their timeline (`actor`: who shipped)."""
    before = await linked_orders(docs, shipment_id)
    await docs.delete_where("shipmentorder", R.id == shipment_id)
    order_ids: dict[str, None] = {}
    for item in await docs.all("shipmentitem", scope=shipment_id):
        order_ids[item["OrderID"]] = None
        if item.get("_IncomingOrderID"):
            order_ids[item["_IncomingOrderID"]] = None
    for order_id in order_ids:
        await docs.insert("shipmentorder", {"ID": shipment_id, "OrderID": order_id}, order_id)
    await activities.shipment_linked(docs, shipment_id, before, order_ids, actor)
    return list(order_ids)


# --------------------------------------------------------------------------- items


def buyer_of(order: dict[str, Any], marketplace_id: str) -> str | None:
    """The buyer a shipment of this order goes to (a forwarded order's buyer is the incoming one's)."""
    company = order.get("FromCompanyID")
    if company != marketplace_id:
        return str(company) if company else None
    return None


async def _shippable(ctx: Unit, caller: Caller, order_id: str) -> Stored:
    """The order, locked, if the caller may ship it: the seller any order, a supplier the orders
    it receives."""
    found = await ctx.docs.get("order", order_id, lock=True)
    if found is None or not (caller.is_seller or receives(caller, found.doc)):
        raise NotFound("Order", order_id)
    return found


async def put_item(
    docs: Docs, shipment: dict[str, Any], order: dict[str, Any], line: dict[str, Any], quantity: int
) -> dict[str, Any]:
    """Create or replace the shipment's item for `line`, moving the line's QuantityShipped by the
    difference."""
    if is_forwarded_elsewhere(line, order["ID"]):
        raise ValidationFailed(
            "This line item was forwarded to a supplier; ship it on the forwarded order",
            "ValidationFailure",
            {"LineItemID": line["ID"], "OutgoingOrderID": line.get("OutgoingOrderID")},
        )
    if isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed(
            "QuantityShipped must be at least 1", "ValidationFailure", {"Field": "QuantityShipped"}
        )
    key = item_key(order["ID"], line["ID"])
    existing = await docs.get("shipmentitem", key, shipment["ID"])
    before = int(existing.doc["QuantityShipped"]) if existing else 0
    await shift_shipped(docs, order, line, quantity - before)
    item: dict[str, Any] = {
        "ID": key,
        "OrderID": order["ID"],
        "LineItemID": line["ID"],
        "QuantityShipped": quantity,
        **{k: line.get(k) for k in ITEM_COPIED},
        "_IncomingOrderID": order.get("_IncomingOrderID"),
    }
    if existing:
        await docs.replace("shipmentitem", key, item, shipment["ID"])
    else:
        await docs.insert("shipmentitem", item, shipment["ID"], object_type="ShipmentItem")
    return item


async def _fill_buyer(ctx: Unit, shipment: Stored, order: dict[str, Any]) -> None:
    """A shipment without a BuyerID takes the buyer of its first order."""
    if shipment.doc.get("BuyerID"):
        return
    docs = ctx.docs
    source = order
    if order.get("_IncomingOrderID"):
        found = await docs.get("order", order["_IncomingOrderID"])
        source = found.doc if found else order
    buyer = buyer_of(source, ctx.services.marketplace_id)
    if buyer:
        doc = {**shipment.doc, "BuyerID": buyer}
        await docs.replace("shipment", doc["ID"], doc)
        shipment.doc = doc


async def save_item(
    ctx: Unit, caller: Caller, shipment: Stored, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    data: dict[str, Any] = to_doc(validate(body, ShipmentItem))
    docs = ctx.docs
    order = await _shippable(ctx, caller, data["OrderID"])
    found = await docs.get("lineitem", data["LineItemID"], data["OrderID"])
    if found is None:
        raise NotFound("LineItem", data["LineItemID"])
    check_can_ship(order.doc, [found.doc])
    item = await put_item(docs, shipment.doc, order.doc, found.doc, data["QuantityShipped"])
    await _fill_buyer(ctx, shipment, order.doc)
    await complete_if_shipped(docs, await relink(docs, shipment.doc["ID"], caller), now)
    return present_item(caller, item)


async def delete_item(docs: Docs, shipment_id: str, stored_item: dict[str, Any]) -> None:
    """Remove an item and give its quantity back to the line (and the buyer's line). An order
    that already completed stays Completed."""
    order = await docs.get("order", stored_item["OrderID"], lock=True)
    line = await docs.get("lineitem", stored_item["LineItemID"], stored_item["OrderID"])
    if order is not None and line is not None:
        taken = min(int(stored_item["QuantityShipped"]), int(line.doc.get("QuantityShipped") or 0))
        await shift_shipped(docs, order.doc, line.doc, -taken)
        await unified_orders.project(docs, order.doc)
        if order.doc.get("_IncomingOrderID"):
            await unified_orders.project_id(docs, order.doc["_IncomingOrderID"])
    await docs.delete("shipmentitem", stored_item["ID"], shipment_id)


async def delete_items(docs: Docs, shipment_id: str) -> None:
    for item in await docs.all("shipmentitem", scope=shipment_id):
        await delete_item(docs, shipment_id, item)
    await docs.delete_where("shipmentorder", R.id == shipment_id)


# --------------------------------------------------------------------------- ship a whole order


async def ship_order(
    ctx: Unit, caller: Caller, stored: Stored, shipment: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """One shipment carrying every line the caller ships (a buyer order's forwarded lines are the
    suppliers'), each in full. Returns the order, completed when nothing is left to ship."""
    order = stored.doc
    if not (caller.is_seller or receives(caller, order)):
        raise Forbidden(
            "Only the company receiving this order may ship it",
            "Auth.InsufficientRoles",
            {"OrderID": order["ID"]},
        )
    docs = ctx.docs
    lines = [
        line
        for line in await order_lines(docs, order["ID"])
        if not is_forwarded_elsewhere(line, order["ID"]) and not line.get("IsBundle")
    ]
    check_can_ship(order, lines)
    check_no_conflicts(lines)
    if not shipment.get("BuyerID"):
        incoming = None
        if order.get("_IncomingOrderID"):
            incoming = await docs.get("order", order["_IncomingOrderID"])
        shipment["BuyerID"] = buyer_of(incoming.doc if incoming else order, ctx.services.marketplace_id)
    await docs.insert("shipment", shipment, object_type="Shipment")
    for line in lines:
        await put_item(docs, shipment, order, line, int(line.get("Quantity") or 0))
    await complete_if_shipped(docs, await relink(docs, shipment["ID"], caller), now)
    reloaded = await docs.get("order", order["ID"])
    assert reloaded is not None
    return public(reloaded.doc)


# --------------------------------------------------------------------------- what the routes ask


ITEM_SCHEMA = schema_of(ShipmentItem)
ITEM_SORT = ("OrderID", "LineItemID")


def visible_conds(ctx: Unit, caller: Caller) -> list[ColumnElement[bool]]:
    """`shipment_conds` for a request."""
    return shipment_conds(ctx.docs, caller)


def carrying(order_ids: Any) -> ColumnElement[bool]:
    """Shipments carrying lines of `order_ids` (a list or a subquery)."""
    return R.id.in_(shipments_of(order_ids))


async def find_for_save(ctx: Unit, caller: Caller, shipment_id: str) -> Stored | None:
    """The shipment a PUT replaces (locked, writable by `caller`), or None when there is none
    (the PUT creates it); one `caller` may not see is 404."""
    if not await ctx.docs.exists("shipment", shipment_id):
        return None
    return await load_shipment(ctx, caller, shipment_id, write=True)


async def after_save(ctx: Unit, current_id: str, new_id: str) -> None:
    """A saved shipment's items and order links follow a new ID, and a DateShipped it just got
    may complete the orders it carries."""
    docs = ctx.docs
    if new_id != current_id:
        await ctx.conn.execute(
            update(resources).where(R.kind == "shipmentitem", R.scope == current_id).values(scope=new_id)
        )
        await ctx.conn.execute(
            update(resources).where(R.kind == "shipmentorder", R.id == current_id).values(id=new_id)
        )
    await complete_if_shipped(docs, await linked_orders(docs, new_id), utcnow())


async def delete_shipment(ctx: Unit, caller: Caller, shipment: dict[str, Any]) -> None:
    """What deleting a shipment does first: its items' quantities go back to their lines."""
    check_may_write(caller, shipment)
    await delete_items(ctx.docs, shipment["ID"])


async def item_page(ctx: Unit, caller: Caller, shipment_id: str, opts: ListOptions) -> dict[str, Any]:
    """The items of a shipment `caller` may see, as `caller` sees them."""
    shipment = await load_shipment(ctx, caller, shipment_id)
    page = await ctx.docs.page(
        "shipmentitem",
        opts,
        ITEM_SCHEMA,
        conds=item_conds(ctx.docs, caller),
        scope=shipment.doc["ID"],
        searchable=("OrderID", "LineItemID"),
        sortable=ITEM_SORT,
        default_sort=ITEM_SORT,
    )
    page.items[:] = [present_item(caller, d) for d in page.items]
    return page.wire()


async def load_item(
    ctx: Unit, caller: Caller, shipment_id: str, order_id: str, line_id: str, *, write: bool
) -> tuple[str, dict[str, Any]]:
    """The stored ID of the shipment and its item for one line; an item `caller` may not see is 404."""
    shipment = await load_shipment(ctx, caller, shipment_id, write=write)
    stored_id = shipment.doc["ID"]
    key = item_key(order_id, line_id)
    docs = ctx.docs
    found = await docs.get("shipmentitem", key, stored_id)
    conds = item_conds(docs, caller)
    if found is None or (
        conds and await docs.count("shipmentitem", R.id == key, *conds, scope=stored_id) == 0
    ):
        raise NotFound("ShipmentItem", line_id)
    return stored_id, found.doc


async def remove_item(ctx: Unit, shipment_id: str, item: dict[str, Any]) -> None:
    await delete_item(ctx.docs, shipment_id, item)
    await relink(ctx.docs, shipment_id)


async def set_address(
    ctx: Unit, caller: Caller, shipment_id: str, prefix: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A saved address (by `ID`) of the owner (From) or the buyer (To), or a one-time address."""
    stored = await load_shipment(ctx, caller, shipment_id, write=True)
    doc = dict(stored.doc)
    company = doc.get("OwnerID") if prefix == "From" else doc.get("BuyerID")
    use = Use(caller, {"FromCompanyID": company or ""})
    address_id, snapshot = await resolve(ctx.docs, company or "", body, user=use)
    doc[f"{prefix}AddressID"], doc[f"{prefix}Address"] = address_id, snapshot
    await ctx.docs.replace("shipment", doc["ID"], doc, version=stored.version)
    return doc
