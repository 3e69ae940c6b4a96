"""Inventory taken at submit and given back at cancel.

Each line draws from one stock bucket: its InventoryRecord when it names one, else its variant's
inventory when the product tracks by variant, else the product's inventory. Demand is summed per
bucket, every bucket row is locked (FOR UPDATE on PostgreSQL; SQLite has one writer) in a fixed
order so that two submits never deadlock, checked with `domain.inventory`, then written back. The
order remembers what it took (`_Reserved`) so cancel returns exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.store.repo import Docs
from app.store.tables import resources
from domain.clock import iso
from domain.errors import NotFound
from domain.inventory import InventoryState, check_available, release, reserve
from domain.order_status import Reservation
from domain.returns import restock_quantities

Bucket = tuple[str, str, str]  # (kind, scope, id)


@dataclass
class Draw:
    bucket: Bucket
    quantity: int


def _inventory_of(kind: str, doc: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "inventoryrecord":
        return doc
    inv = doc.get("Inventory")
    return inv if isinstance(inv, dict) else None


def _set_available(kind: str, doc: dict[str, Any], quantity: int, now: datetime) -> dict[str, Any]:
    doc = dict(doc)
    if kind == "inventoryrecord":
        doc["QuantityAvailable"] = quantity
        doc["LastUpdated"] = iso(now)
        return doc
    inv = dict(doc.get("Inventory") or {})
    inv["QuantityAvailable"] = quantity
    inv["LastUpdated"] = iso(now)
    doc["Inventory"] = inv
    return doc


def bucket_of(line: dict[str, Any], product: dict[str, Any]) -> Bucket | None:
    """Where a line's stock is counted, or None when the product tracks no inventory."""
    product_id = line["ProductID"]
    if line.get("InventoryRecordID"):
        return ("inventoryrecord", product_id, line["InventoryRecordID"])
    inv = product.get("Inventory") or {}
    if not inv.get("Enabled"):
        return None
    variant_id = (line.get("Variant") or {}).get("ID")
    if inv.get("VariantLevelTracking") and variant_id:
        return ("variant", product_id, variant_id)
    return ("product", "", product_id)


def demand(lines: Iterable[dict[str, Any]], products: dict[str, dict[str, Any]]) -> list[Draw]:
    totals: dict[Bucket, int] = {}
    for line in lines:
        bucket = bucket_of(line, products[line["ProductID"]])
        if bucket is not None:
            totals[bucket] = totals.get(bucket, 0) + int(line["Quantity"])
    return [Draw(b, q) for b, q in sorted(totals.items())]


async def take(
    docs: Docs, draws: list[Draw], products: dict[str, dict[str, Any]], now: datetime, *, dry_run: bool
) -> list[Reservation]:
    """Check every draw (refusing with Inventory.Insufficient) and, unless `dry_run`, write the new
    QuantityAvailable. Returns what was taken (the order's `Bookkeeping.reserved`).

    `products` are the order's products as read in this transaction, locked unless `dry_run`
    (submit and approval read them so, first): they are the truth for product-level stock, so
    those buckets are not read again; variant and inventory-record buckets are read and locked
    here, in bucket order."""
    taken: list[Reservation] = []
    updates: list[tuple[Bucket, dict[str, Any], int]] = []
    for draw in draws:
        kind, scope, obj_id = draw.bucket
        if kind == "product":
            doc = products[obj_id]
            state = InventoryState.from_doc(doc.get("Inventory"))
        else:
            stored = await docs.get(kind, obj_id, scope, lock=not dry_run)
            if stored is None:
                raise NotFound("InventoryRecord" if kind == "inventoryrecord" else kind.capitalize(), obj_id)
            doc = stored.doc
            product_state = InventoryState.from_doc(products[scope].get("Inventory"))
            state = InventoryState.from_doc(_inventory_of(kind, doc), defaults=product_state)
        check_available(state, draw.quantity, object_id=obj_id)
        if not state.enabled:
            continue
        new_quantity = reserve(state, draw.quantity, object_id=obj_id)
        updates.append((draw.bucket, doc, new_quantity))
        taken.append(Reservation(kind, scope, obj_id, draw.quantity))
    if not dry_run:
        # One write per kind and scope (all the products at once), not one per bucket.
        writes: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for (kind, scope, _), doc, quantity in updates:
            writes.setdefault((kind, scope), []).append(_set_available(kind, doc, quantity, now))
        for (kind, scope), changed in writes.items():
            await docs.replace_many(kind, changed, scope)
    return taken


async def give_back(docs: Docs, reserved: list[Reservation], now: datetime) -> None:
    """Return what submit took; buckets deleted since are skipped (nothing to return to).

    Locks follow submit's order (the products first, by row, then the buckets sorted) so that a
    cancel and a submit over the same stock cannot deadlock."""
    product_ids = sorted({r.id if r.kind == "product" else r.scope for r in reserved})
    if product_ids:
        await docs.all_stored("product", resources.c.id.in_(product_ids), scope="", lock=True)
    for item in sorted(reserved, key=lambda r: (r.kind, r.scope, r.id)):
        kind, scope, obj_id = item.kind, item.scope, item.id
        stored = await docs.get(kind, obj_id, scope, lock=True)
        if stored is None:
            continue
        state = InventoryState.from_doc(_inventory_of(kind, stored.doc))
        # What was taken goes back even if tracking was switched off since.
        state = InventoryState(True, state.quantity_available, state.order_can_exceed)
        quantity = release(state, item.quantity)
        await docs.replace(kind, obj_id, _set_available(kind, stored.doc, quantity, now), scope)


async def restock(docs: Docs, order: dict[str, Any], ret: dict[str, Any], now: datetime) -> None:
    """A completed return puts its goods back (docs/returns.md "Restock"): each item with a
    Quantity whose Condition is not Damaged goes to its RestockInventoryRecordID, else to the
    bucket its line drew from (the line's inventory record, the variant or the product when they
    track inventory; nothing when they do not). Done once per return (`_Restocked`)."""
    if ret.get("_Restocked"):
        return
    ret["_Restocked"] = True
    wanted = restock_quantities(ret)
    if not wanted:
        return
    lines = {line["ID"]: line for line in await docs.all("lineitem", scope=order["ID"])}
    product_ids = sorted({lines[line_id]["ProductID"] for line_id, _, _ in wanted if line_id in lines})
    products = {p["ID"]: p for p in await docs.all("product", resources.c.id.in_(product_ids), scope="")}
    back: list[Reservation] = []
    for line_id, units, record in wanted:
        line = lines.get(line_id)
        if line is None:
            continue
        if record is not None:
            bucket: Bucket | None = ("inventoryrecord", line["ProductID"], record)
        else:
            product = products.get(line["ProductID"])
            bucket = bucket_of(line, product) if product is not None else None
        if bucket is not None:
            back.append(Reservation(bucket[0], bucket[1], bucket[2], units))
    if back:
        await give_back(docs, back, now)
