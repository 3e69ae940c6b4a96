"""Inventory record assignments: which buyers (or user groups of a buyer) see an inventory record
that is not open to all buyers (`AllowAllBuyers` false). Stored as `inventoryrecordassignment`
documents scoped to the product, like the records themselves. docs/catalog-config.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_

from app.catalog import assignments
from app.store.repo import Docs
from domain.errors import NotFound, ValidationFailed

Doc = dict[str, Any]

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


async def record(docs: Docs, product_id: str, record_id: str | None, variant_id: str | None) -> Doc:
    """The record at this level (product or variant): a record of the other level is not found."""
    found = await docs.get("inventoryrecord", record_id or "", product_id)
    if found is None or found.doc.get("_VariantID") != variant_id:
        raise NotFound("InventoryRecord", record_id or "")
    return found.doc


def level_conds(docs: Docs, variant_id: str | None, level: str | None) -> list[ColumnElement[bool]]:
    return [*docs.eq(_VariantID=variant_id), *assignments.group_level_conds(docs, level)]


async def save(docs: Docs, product_id: str, variant_id: str | None, doc: Doc) -> None:
    doc["InventoryRecordID"] = (await record(docs, product_id, doc["InventoryRecordID"], variant_id))["ID"]
    doc["BuyerID"] = (await docs.require("buyer", doc["BuyerID"], object_type="Buyer")).doc["ID"]
    if doc.get("UserGroupID"):
        group = await docs.require("usergroup", doc["UserGroupID"], doc["BuyerID"], object_type="UserGroup")
        doc["UserGroupID"] = group.doc["ID"]
    doc["_VariantID"] = variant_id
    await assignments.upsert(docs, KIND, doc, KEYS, scope=product_id)


async def delete(
    docs: Docs,
    product_id: str,
    variant_id: str | None,
    record_id: str,
    buyer_id: str | None,
    group_id: str | None,
) -> None:
    found = await record(docs, product_id, record_id, variant_id)
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    conds = docs.eq(InventoryRecordID=found["ID"], BuyerID=buyer_id, UserGroupID=group_id or None)
    await docs.delete_where(KIND, *conds, scope=product_id)


async def delete_for_record(docs: Docs, product_id: str, record_id: str) -> None:
    """A deleted record takes its assignments with it."""
    await docs.delete_where(KIND, *docs.eq(InventoryRecordID=record_id), scope=product_id)
