"""What the `/catalogs/{catalogID}/categories` routes do to storage: a category being written
(no cycles; children and assignments follow a rename; the catalog's CategoryCount), a deleted
category taking its subtree with it, and category assignments. docs/catalog.md, "Categories"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.catalog import assignments
from app.catalog import categories as store
from app.catalog.rename import repoint
from app.store.repo import Docs
from domain.errors import ValidationFailed

Doc = dict[str, Any]
ASSIGN_KEYS = ("CategoryID", "BuyerID", "UserGroupID")
PRODUCT_KEYS = ("CategoryID", "ProductID")


async def require_catalog(docs: Docs, catalog_id: str) -> str:
    await docs.require("catalog", catalog_id, object_type="Catalog")
    return catalog_id


async def require_category(docs: Docs, catalog_id: str, category_id: str | None) -> Doc:
    return (await docs.require(store.KIND, category_id or "", catalog_id, object_type="Category")).doc


async def prepare(docs: Docs, catalog_id: str, doc: Doc, existing: Doc | None) -> Doc:
    """A category being written: its parent exists and is not itself or below it; a new one
    counts in its catalog; a renamed one's children and assignments follow (in this catalog)."""
    parent_id = doc.get("ParentID")
    if parent_id:
        await require_category(docs, catalog_id, parent_id)
        current = existing["ID"] if existing else doc["ID"]
        if parent_id in (current, doc["ID"]) or (
            existing and (await store.tree(docs, catalog_id)).would_cycle(current, parent_id)
        ):
            raise ValidationFailed(
                "A category cannot be its own ancestor",
                "Category.CircularReference",
                {"CategoryID": doc["ID"], "ParentID": parent_id},
            )
    if existing is None:
        # The category is inserted right after this hook, so the catalog's count includes it.
        await _set_category_count(docs, catalog_id, 1)
    elif existing["ID"] != doc["ID"]:
        await repoint(docs, store.KIND, "ParentID", existing["ID"], doc["ID"], scope=catalog_id)
        for kind in (store.ASSIGN_KIND, store.PRODUCT_KIND, store.BUNDLE_KIND):
            await repoint(docs, kind, "CategoryID", existing["ID"], doc["ID"], scope=catalog_id)
    doc["ChildCount"] = None  # counted when shown
    return doc


async def forget(docs: Docs, catalog_id: str, category_id: str) -> None:
    """OrderCloud: deleting a parent category also deletes its children (every level below),
    and with them their assignments. The category itself is deleted by the caller."""
    below = sorted((await store.tree(docs, catalog_id)).below(category_id, None))
    gone = [category_id, *below]
    for kind in (store.ASSIGN_KIND, store.PRODUCT_KIND, store.BUNDLE_KIND):
        await docs.delete_where(kind, docs.field_in("CategoryID", gone), scope=catalog_id)
    if below:
        await docs.delete_where(store.KIND, docs.id_in(below), scope=catalog_id)
    await _set_category_count(docs, catalog_id, -1)


async def _set_category_count(docs: Docs, catalog_id: str, pending: int) -> None:
    """Catalog.CategoryCount: the categories stored now plus the one insert (+1) or delete (-1)
    the handler makes after its hook, in the same transaction."""
    found = await docs.get("catalog", catalog_id, lock=True)
    if found is None:
        return
    count = await docs.count(store.KIND, scope=catalog_id) + pending
    await docs.replace("catalog", catalog_id, {**found.doc, "CategoryCount": count})


def level_conds(docs: Docs, level: str, user_id: str | None) -> list[ColumnElement[bool]]:
    """The `level` (User, Group, Company) and `userID` parameters of the assignment list."""
    if level == "group":
        return [~docs.json.is_null(["UserGroupID"])]
    if level == "company":
        return list(docs.eq(UserGroupID=None))
    if level == "user" or user_id:
        # ordercore has no user-level category assignments, so none match.
        return [store.R.id.is_(None)]
    if level:
        raise ValidationFailed("level must be User, Group or Company", "ValidationFailure", {"level": level})
    return []


async def assign(docs: Docs, catalog_id: str, doc: Doc) -> None:
    if not doc.get("BuyerID"):
        raise ValidationFailed(
            "A category assignment needs a BuyerID", "Category.NoBuyer", {"Field": "BuyerID"}
        )
    await require_category(docs, catalog_id, doc["CategoryID"])
    await docs.require("buyer", doc["BuyerID"], object_type="Buyer")
    if doc.get("UserGroupID"):
        await docs.require("usergroup", doc["UserGroupID"], doc["BuyerID"], object_type="UserGroup")
    await assignments.upsert(docs, store.ASSIGN_KIND, doc, ASSIGN_KEYS, scope=catalog_id)


async def unassign(
    docs: Docs, catalog_id: str, category_id: str, buyer_id: str | None, group_id: str | None
) -> None:
    await require_category(docs, catalog_id, category_id)
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "Category.NoBuyer", {"Field": "buyerID"})
    await docs.delete(
        store.ASSIGN_KIND, assignments.synthetic_id(category_id, buyer_id, group_id), catalog_id
    )


async def assign_product(docs: Docs, catalog_id: str, doc: Doc) -> None:
    await require_category(docs, catalog_id, doc["CategoryID"])
    product = (await docs.require("product", doc["ProductID"], object_type="Product")).doc
    if product.get("ParentID"):
        raise ValidationFailed(
            "A child product cannot be assigned to a category; assign its parent",
            "Category.CannotAssignChildProduct",
            {"ProductID": doc["ProductID"], "ParentID": product["ParentID"]},
        )
    await assignments.upsert(docs, store.PRODUCT_KIND, doc, PRODUCT_KEYS, scope=catalog_id)


async def unassign_product(docs: Docs, catalog_id: str, category_id: str, product_id: str) -> None:
    await require_category(docs, catalog_id, category_id)
    await docs.delete(store.PRODUCT_KIND, assignments.synthetic_id(category_id, product_id), catalog_id)
