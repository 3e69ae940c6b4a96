"""What an order takes when it becomes Open (submit, or its last approval) and gives back when an
Open order is canceled: stock and spending-account balances, always inside the transaction that
changes the order's status. The order remembers what it took (`Bookkeeping.reserved` and
`.debits`), so cancel returns exactly that.

Stock. Each line draws from one stock bucket: its InventoryRecord when it names one, else its
variant's inventory when the product tracks by variant, else the product's inventory. Demand is
summed per bucket, every bucket row is locked (FOR UPDATE on PostgreSQL; SQLite has one writer)
in a fixed order so that two submits never deadlock, checked with `domain.inventory`, then
written back. A return's restock puts units back in the same buckets.

Spending accounts. Each spending-account payment owes its share of the order's Total (`amounts`);
`debit` takes it, `credit_back` returns it. See docs/payments.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.services.instruments import exceeds, usable_account
from app.store.repo import Docs
from app.store.tables import resources
from domain.clock import iso
from domain.errors import NotFound
from domain.inventory import InventoryState, check_available, release, reserve
from domain.money import round_money, to_decimal
from domain.order_status import Debit, Reservation
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


# --------------------------------------------------------------------------- spending accounts

Doc = dict[str, Any]


def amounts(order: Doc, payments: list[Doc]) -> dict[str, Decimal]:
    """What each spending account pays for the order. A payment with a null Amount pays the rest
    of the order (Total less every other stated, non-refund payment), the first such payment
    taking all of it."""
    own = [p for p in payments if not p.get("OrderReturnID")]
    stated = sum((to_decimal(p["Amount"]) for p in own if p.get("Amount") is not None), Decimal(0))
    rest = max(to_decimal(order.get("Total") or 0) - stated, Decimal(0))
    owed: dict[str, Decimal] = {}
    for p in own:
        if p.get("Amount") is None:
            amount, rest = rest, Decimal(0)
        else:
            amount = to_decimal(p["Amount"])
        if p.get("Type") == "SpendingAccount" and p.get("SpendingAccountID"):
            account_id = p["SpendingAccountID"]
            owed[account_id] = owed.get(account_id, Decimal(0)) + amount
    return {k: round_money(v, order.get("Currency")) for k, v in owed.items() if v > 0}


async def debit(
    docs: Docs, order: Doc, now: datetime, *, dry_run: bool, payments: list[Doc] | None = None
) -> list[Debit]:
    """Check (and unless `dry_run`, take) what the order's spending-account payments owe. Accounts
    are locked in ID order so two submits never deadlock. Refuses `Payment.ExceedsBalance` when an
    account lacks the funds and no assignment reaching the user has AllowExceed. `payments`: the
    order's payments when the caller already read them in this transaction."""
    if payments is None:
        payments = await docs.all("payment", scope=order["ID"])
    owed = amounts(order, payments)
    taken: list[Debit] = []
    for account_id in sorted(owed):
        amount = owed[account_id]
        usable = await usable_account(docs, order, account_id, now, lock=not dry_run)
        account = dict(usable.account.doc)
        balance = to_decimal(account.get("Balance") or 0)
        if amount > balance and not usable.allow_exceed:
            raise exceeds(account_id, amount, balance)
        if not dry_run:
            account["Balance"] = balance - amount
            await docs.replace(
                "spendingaccount", account_id, account, order["FromCompanyID"], version=usable.account.version
            )
        taken.append(Debit(account_id, amount))
    return taken


async def credit_back(docs: Docs, order: Doc, debits: list[Debit]) -> None:
    """Return what `debit` took (an account deleted since keeps nothing to return to)."""
    for entry in sorted(debits, key=lambda e: e.spending_account_id):
        found = await docs.get(
            "spendingaccount", entry.spending_account_id, order["FromCompanyID"], lock=True
        )
        if found is None:
            continue
        account = dict(found.doc)
        account["Balance"] = to_decimal(account.get("Balance") or 0) + entry.amount
        await docs.replace(
            "spendingaccount", account["ID"], account, order["FromCompanyID"], version=found.version
        )
