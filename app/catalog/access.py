"""What a buyer user may buy, and at which price schedule.

Storage contract (kinds in the `resources` table):
- `product` (scope ""), `priceschedule` (scope ""), `variant` (scope = product ID),
  `inventoryrecord` (scope = product ID), `spec` (scope ""), `specproductassignment`.
- `productassignment` (scope ""): {ProductID, BuyerID, UserGroupID, PriceScheduleID}.
- `catalog` (scope ""), `catalogassignment` {CatalogID, BuyerID, ViewAllCategories,
  ViewAllProducts}, `productcatalogassignment` {CatalogID, ProductID}.

Visibility rule (documented in docs/catalog.md): a buyer user sees an active product when it is in
a catalog assigned to the user's buyer, or when a product assignment names the buyer (or one of
the user's groups). The price schedule follows `domain.pricing.select_price_schedule_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.store.repo import Docs
from domain.pricing import ProductAssignment, select_price_schedule_id


@dataclass
class BuyerView:
    buyer_id: str
    group_ids: list[str]


@dataclass
class Purchasable:
    product: dict[str, Any]
    price_schedule: dict[str, Any] | None


async def assignments_for(docs: Docs, product_id: str, buyer_id: str) -> list[ProductAssignment]:
    rows = await docs.all("productassignment", *docs.eq(ProductID=product_id, BuyerID=buyer_id))
    return [ProductAssignment.from_doc(r) for r in rows]


async def in_assigned_catalog(docs: Docs, product_id: str, buyer_id: str) -> bool:
    catalogs = [r["CatalogID"] for r in await docs.all("catalogassignment", *docs.eq(BuyerID=buyer_id))]
    if not catalogs:
        return False
    hits = await docs.all(
        "productcatalogassignment",
        *docs.eq(ProductID=product_id),
        docs.field_in("CatalogID", catalogs),
        limit=1,
    )
    return bool(hits)


async def purchasable(docs: Docs, view: BuyerView, product_id: str) -> Purchasable | None:
    """The product and its price schedule for this buyer user, or None when not visible."""
    found = await docs.get("product", product_id)
    if found is None:
        return None
    product = found.doc
    assignments = await assignments_for(docs, product_id, view.buyer_id)
    groups = set(view.group_ids)
    assigned = any(a.user_group_id is None or a.user_group_id in groups for a in assignments)
    if not assigned and not await in_assigned_catalog(docs, product_id, view.buyer_id):
        return None
    schedule_id = select_price_schedule_id(
        product_id, product.get("DefaultPriceScheduleID"), assignments, view.buyer_id, view.group_ids
    )
    schedule = None
    if schedule_id:
        stored = await docs.get("priceschedule", schedule_id)
        schedule = stored.doc if stored else None
    return Purchasable(product, schedule)
