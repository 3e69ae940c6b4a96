"""What a buyer user may buy, and at which price schedule.

Storage contract (kinds in the `resources` table, documents in OrderCloud wire shape):
- `product` (scope ""), `priceschedule` (scope ""; `IsOnSale` is stored null and computed when
  shown, see `app.catalog.schedules.present_schedule`).
- `variant` (scope = product ID), `inventoryrecord` (scope = product ID; variant-level records
  live there too, with the private field `_VariantID`).
- `spec` (scope ""; its `Options` list is kept in step with the `specoption` documents, scope =
  spec ID), `specproductassignment` {SpecID, ProductID, DefaultValue, DefaultOptionID}.
- `productassignment` (scope ""): {SellerID, ProductID, BuyerID, UserGroupID, PriceScheduleID}.
- `catalog` (scope ""), `catalogassignment` {CatalogID, BuyerID, ViewAllCategories,
  ViewAllProducts}, `productcatalogassignment` {CatalogID, ProductID}.
- `productsupplier` (scope = product ID, ID = supplier ID): {SupplierID, DefaultPriceScheduleID}.
Assignments carry a synthetic `ID` (`app.catalog.assignments.synthetic_id`) that is never shown.

Visibility (one rule, `app.catalog.visibility.product_visible`, documented in docs/catalog.md):
an active product that a product assignment gives the user's buyer (or one of the user's groups),
or that sits in an active catalog assigned to the buyer with ViewAllProducts. The price schedule
follows `domain.pricing.select_price_schedule_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.catalog.visibility import BuyerView, buyer_view, product_visible
from app.store.repo import Docs
from app.store.tables import resources
from domain.pricing import ProductAssignment, select_price_schedule_id

__all__ = [
    "BuyerView",
    "Purchasable",
    "assignments_for",
    "buyer_view",
    "purchasable",
    "purchasables",
    "schedule_id_for",
    "schedules_by_id",
    "visible_product_ids",
]


@dataclass
class Purchasable:
    product: dict[str, Any]
    price_schedule: dict[str, Any] | None


async def assignments_for(docs: Docs, product_id: str, buyer_id: str) -> list[ProductAssignment]:
    rows = await docs.all("productassignment", *docs.eq(ProductID=product_id, BuyerID=buyer_id))
    return [ProductAssignment.from_doc(r) for r in rows]


def schedule_id_for(
    product: dict[str, Any], assignments: list[ProductAssignment], view: BuyerView
) -> str | None:
    return select_price_schedule_id(
        product["ID"], product.get("DefaultPriceScheduleID"), assignments, view.buyer_id, view.group_ids
    )


async def schedules_by_id(docs: Docs, schedule_ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """The price schedules named (None skipped), by ID, in one statement."""
    wanted = sorted({s for s in schedule_ids if s})
    if not wanted:
        return {}
    return {d["ID"]: d for d in await docs.all("priceschedule", resources.c.id.in_(wanted), scope="")}


async def purchasables(
    docs: Docs, view: BuyerView, product_ids: Iterable[str], *, active_only: bool = True
) -> dict[str, Purchasable]:
    """`purchasable` for several products at once, in three statements whatever their number
    (the visible products, their assignments to the buyer, their schedules). Products the user
    may not see are absent from the result."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    visible = product_visible(docs.pg, view, active_only=active_only)
    products = await docs.all("product", resources.c.id.in_(ids), visible, scope="")
    if not products:
        return {}
    rows = await docs.all(
        "productassignment",
        *docs.eq(BuyerID=view.buyer_id),
        docs.field_in("ProductID", [p["ID"] for p in products]),
    )
    by_product: dict[str, list[ProductAssignment]] = {}
    for row in rows:
        by_product.setdefault(row["ProductID"], []).append(ProductAssignment.from_doc(row))
    chosen = {p["ID"]: schedule_id_for(p, by_product.get(p["ID"], []), view) for p in products}
    schedules = await schedules_by_id(docs, chosen.values())
    found = {}
    for product in products:
        schedule_id = chosen[product["ID"]]
        found[product["ID"]] = Purchasable(product, schedules.get(schedule_id) if schedule_id else None)
    return found


async def visible_product_ids(docs: Docs, view: BuyerView, product_ids: Iterable[str]) -> set[str]:
    """Which of these (active) products the buyer user may see and buy, in one statement."""
    ids = sorted(set(product_ids))
    if not ids:
        return set()
    r = resources.c
    stmt = select(r.id).where(
        r.kind == "product", r.scope == "", r.id.in_(ids), product_visible(docs.pg, view)
    )
    return {row.id for row in await docs.conn.execute(stmt)}


async def purchasable(
    docs: Docs, view: BuyerView, product_id: str, *, active_only: bool = True
) -> Purchasable | None:
    """The product and its price schedule for this buyer user, or None when the user may not see
    it. Inactive products count as not visible unless `active_only=False` (for callers that want
    to tell "inactive" apart, e.g. `Order.CannotSubmitWithInactiveProduct`)."""
    return (await purchasables(docs, view, [product_id], active_only=active_only)).get(product_id)
