"""What the `/products` routes do to storage: a product being saved or deleted, which products a
list parameter selects, the suppliers that sell a product, and its buyer assignments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import buyer_user_reach
from app.catalog import assignments, categories
from app.catalog.bundles import refuse_bundle_product, refuse_if_in_bundle
from app.catalog.counts import product_counts
from app.catalog.stock import stamp_inventory
from app.catalog.visibility import in_catalog
from app.store.repo import Docs
from app.store.tables import resources
from domain.categories import parse_depth
from domain.errors import ValidationFailed

Doc = dict[str, Any]
ASSIGN_KIND = "productassignment"
SUPPLIER_KIND = "productsupplier"
# Everything scoped to a product, and every assignment naming it, goes with it.
PRODUCT_SCOPED = ("variant", "inventoryrecord", "inventoryrecordassignment", SUPPLIER_KIND)
NAMING_PRODUCT = (
    ASSIGN_KIND,
    "productcatalogassignment",
    "specproductassignment",
    "categoryproductassignment",
    "productcollectionentry",
)


ASSIGN_VIA_BUNDLE = "A bundle's product is assigned through the bundle's assignments"
EDIT_VIA_BUNDLE = "A bundle's product is written and deleted through /bundles"


async def require(docs: Docs, kind: str, object_type: str, id: str | None, scope: str = "") -> Doc:
    return (await docs.require(kind, id or "", scope, object_type=object_type)).doc


async def prepare(docs: Docs, doc: Doc, existing: Doc | None, marketplace_id: str) -> Doc:
    """A product being written: what it names exists, OwnerID kept (default: the marketplace),
    inventory stamped, and its read-only counts."""
    if doc.get("DefaultPriceScheduleID"):
        await require(docs, "priceschedule", "PriceSchedule", doc["DefaultPriceScheduleID"])
    if doc.get("DefaultSupplierID"):
        await require(docs, "supplier", "Supplier", doc["DefaultSupplierID"])
    if doc.get("AutoForward") and not doc.get("DefaultSupplierID"):
        raise ValidationFailed(
            "AutoForward requires a DefaultSupplierID", "ValidationFailure", {"Field": "DefaultSupplierID"}
        )
    if existing is not None:
        refuse_bundle_product(existing, EDIT_VIA_BUNDLE, "Product.IsBundle")
    old = existing or {}
    doc["OwnerID"] = old.get("OwnerID") or doc.get("OwnerID") or marketplace_id
    doc["IsBundle"] = False
    stamp_inventory(doc, existing)
    doc.update(await product_counts(docs, doc["ID"]))
    return doc


def refuse_if_bundle(doc: Doc) -> None:
    """Products.Delete of a bundle's product: delete the bundle instead."""
    refuse_bundle_product(doc, EDIT_VIA_BUNDLE, "Product.IsBundle")


async def forget(docs: Docs, product_id: str) -> None:
    """What a deleted product takes with it: everything scoped to it, every assignment naming it
    (and buyers' saved entries of it); a product a bundle holds is not deleted."""
    await refuse_if_in_bundle(docs, product_id)
    for kind in PRODUCT_SCOPED:
        await docs.delete_where(kind, scope=product_id)
    for kind in NAMING_PRODUCT:
        await docs.delete_where(kind, *docs.eq(ProductID=product_id))


async def list_conds(docs: Docs, params: dict[str, str]) -> list[ColumnElement[bool]]:
    """The `catalogID`, `categoryID` (with `depth`) and `supplierID` list parameters."""
    conds: list[ColumnElement[bool]] = []
    if params.get("categoryID"):
        category_id, catalog_id = params["categoryID"], params.get("catalogID")
        conds.append(await _in_category(docs, catalog_id, category_id, params.get("depth")))
    elif params.get("catalogID"):
        conds.append(in_catalog(docs.pg, params["catalogID"]))
    if params.get("supplierID"):
        conds.append(docs.id_in(await _sold_by(docs, params["supplierID"])))
    return conds


async def _in_category(
    docs: Docs, catalog_id: str | None, category_id: str, raw_depth: str | None
) -> ColumnElement[bool]:
    """Products in the category and, `depth` (default all) levels down, its descendants; a
    category ID is unique only within its catalog, so catalogID is required (as in OrderCloud)."""
    if not catalog_id:
        raise ValidationFailed(
            "Filtering by categoryID requires a catalogID",
            "Product.CategoryFilterRequiresCatalogID",
            {"Field": "catalogID"},
        )
    await require(docs, "catalog", "Catalog", catalog_id)
    await require(docs, categories.KIND, "Category", category_id, catalog_id)
    depth = parse_depth(raw_depth, None)
    tree = await categories.tree(docs, catalog_id)
    below = tree.below(category_id, None if depth is None else depth - 1)
    return categories.products_in_categories(docs.pg, catalog_id, [category_id, *below])


async def _sold_by(docs: Docs, supplier_id: str) -> list[str]:
    rows = await docs.all_stored(SUPPLIER_KIND, *docs.eq(SupplierID=supplier_id))
    defaults = await docs.all("product", *docs.eq(DefaultSupplierID=supplier_id), scope="")
    return sorted({r.scope for r in rows} | {d["ID"] for d in defaults})


async def supplier_links(docs: Docs, product_id: str) -> dict[str, Doc]:
    """The suppliers selling an existing product: supplier ID -> its link (DefaultPriceScheduleID)."""
    await require(docs, "product", "Product", product_id)
    return {d["SupplierID"]: d for d in await docs.all(SUPPLIER_KIND, scope=product_id)}


async def link_supplier(docs: Docs, product_id: str, supplier_id: str, schedule_id: str | None) -> None:
    await require(docs, "product", "Product", product_id)
    await require(docs, "supplier", "Supplier", supplier_id)
    if schedule_id:
        await require(docs, "priceschedule", "PriceSchedule", schedule_id)
    doc = {"ID": supplier_id, "SupplierID": supplier_id, "DefaultPriceScheduleID": schedule_id}
    if await docs.exists(SUPPLIER_KIND, supplier_id, product_id):
        await docs.replace(SUPPLIER_KIND, supplier_id, doc, product_id)
    else:
        await docs.insert(SUPPLIER_KIND, doc, product_id)


async def unlink_supplier(docs: Docs, product_id: str, supplier_id: str) -> None:
    await require(docs, "product", "Product", product_id)
    await docs.delete(SUPPLIER_KIND, supplier_id, product_id)


async def assignment_conds(
    docs: Docs, level: str, user_id: str | None, buyer_id: str | None
) -> list[ColumnElement[bool]]:
    """The `level` (Group or Company) and `userID` (+ `buyerID`) parameters of the assignment list."""
    conds = assignments.group_level_conds(docs, level)
    if user_id:
        conds.append(await buyer_user_reach(docs, user_id, buyer_id))
    return conds


async def assign(docs: Docs, doc: Doc) -> None:
    """Save a product assignment (what it names must exist)."""
    product = await require(docs, "product", "Product", doc["ProductID"])
    refuse_bundle_product(product, ASSIGN_VIA_BUNDLE, "Product.IsBundle")
    await require(docs, "buyer", "Buyer", doc["BuyerID"])
    if doc.get("UserGroupID"):
        await require(docs, "usergroup", "UserGroup", doc["UserGroupID"], doc["BuyerID"])
    if doc.get("PriceScheduleID"):
        await require(docs, "priceschedule", "PriceSchedule", doc["PriceScheduleID"])
    await assignments.upsert(docs, ASSIGN_KIND, doc, ("ProductID", "BuyerID", "UserGroupID"))


async def unassign(docs: Docs, product_id: str, buyer_id: str, group_id: str | None) -> None:
    await require(docs, "product", "Product", product_id)
    await docs.delete(ASSIGN_KIND, assignments.synthetic_id(product_id, buyer_id, group_id))


def ids_in(ids: list[str]) -> ColumnElement[bool]:
    """Documents whose stored ID is one of `ids` (IDs read from other documents)."""
    return resources.c.id.in_(ids)
