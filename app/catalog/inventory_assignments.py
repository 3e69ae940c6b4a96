"""Inventory record assignments: which buyers (or user groups of a buyer) see an inventory record
that is not open to all buyers (`AllowAllBuyers` false). Stored as `inventoryrecordassignment`
documents scoped to the product, like the records themselves. docs/catalog-config.md."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_

from app.store.repo import Docs

KIND = "inventoryrecordassignment"
KEYS = ("InventoryRecordID", "BuyerID", "UserGroupID")


async def visible_records(
    docs: Docs, product_id: str, buyer_id: str, groups: Sequence[str]
) -> ColumnElement[bool]:
    """The records of `product_id` a buyer user sees: open to all buyers, or assigned to its buyer
    (with no group) or to one of its groups."""
    rows = await docs.all(KIND, *docs.eq(BuyerID=buyer_id), scope=product_id)
    mine = {group.lower() for group in groups}
    ids = [
        r["InventoryRecordID"]
        for r in rows
        if not r.get("UserGroupID") or str(r["UserGroupID"]).lower() in mine
    ]
    open_to_all = docs.json.is_bool(["AllowAllBuyers"], True)
    return or_(open_to_all, docs.id_in(ids)) if ids else open_to_all
