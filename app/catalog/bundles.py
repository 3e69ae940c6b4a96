"""Bundles in storage: a bundle being written or deleted, its assignments (products, buyers and
groups, catalogs, categories), which bundles a list parameter selects, and whether a buyer user
may see (and so buy) a bundle. docs/catalog.md, "Bundles".

Storage contract (kinds in the `resources` table):
- `bundle`: the Bundle wire shape, top-level.
- `bundleproductassignment` {BundleID, ProductID, Required, DefaultQuantity}.
- `bundleassignment` {SellerID, BundleID, BuyerID, UserGroupID}.
- `bundlecatalogassignment` {CatalogID, BundleID}.
- `categorybundleassignment` {CategoryID, BundleID, ListOrder}, scoped to the catalog (category
  IDs are unique only within their catalog), as category product assignments are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.catalog import assignments
from app.catalog import categories as category_store
from app.catalog.access import visible_product_ids
from app.catalog.visibility import BuyerView
from app.store.repo import Docs
from domain.errors import NotFound, ValidationFailed

Doc = dict[str, Any]
KIND = "bundle"
PRODUCT_KIND = "bundleproductassignment"
ASSIGN_KIND = "bundleassignment"
CATALOG_KIND = "bundlecatalogassignment"
CATEGORY_KIND = "categorybundleassignment"
PRODUCT_KEYS = ("BundleID", "ProductID")
ASSIGN_KEYS = ("BundleID", "BuyerID", "UserGroupID")
CATALOG_KEYS = ("CatalogID", "BundleID")
CATEGORY_KEYS = ("CategoryID", "BundleID")


async def require_bundle(docs: Docs, bundle_id: str | None) -> Doc:
    return (await docs.require(KIND, bundle_id or "", object_type="Bundle")).doc


async def prepare(doc: Doc, existing: Doc | None, marketplace_id: str) -> Doc:
    """A bundle being written: OwnerID kept once set (default: the marketplace), as products'."""
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or marketplace_id
    return doc


async def forget(docs: Docs, bundle_id: str) -> None:
    """A deleted bundle takes every assignment naming it with it (order lines bought through it
    stay: they are a record of the sale)."""
    for kind in (PRODUCT_KIND, ASSIGN_KIND, CATALOG_KIND, CATEGORY_KIND):
        await docs.delete_where(kind, *docs.eq(BundleID=bundle_id))


# --------------------------------------------------------------------------- product assignments


async def assign_product(docs: Docs, doc: Doc, marketplace_id: str) -> None:
    """A product joins a bundle. A parent product (one with variants to choose between) or a
    child product cannot, and the bundle's owner must own the product."""
    bundle = await require_bundle(docs, doc["BundleID"])
    product = (await docs.require("product", doc["ProductID"], object_type="Product")).doc
    if product.get("IsParent"):
        raise ValidationFailed(
            "A parent product cannot be assigned to a bundle",
            "Bundle.ParentProductAssigned",
            {"BundleID": bundle["ID"], "ProductID": product["ID"]},
        )
    if product.get("ParentID"):
        raise ValidationFailed(
            "A child product cannot be assigned to a bundle",
            "Bundle.ChildProductsAssigned",
            {"BundleID": bundle["ID"], "ProductID": product["ID"], "ParentID": product["ParentID"]},
        )
    # A product or bundle without an OwnerID is the marketplace's.
    if (product.get("OwnerID") or marketplace_id) != (bundle.get("OwnerID") or marketplace_id):
        raise ValidationFailed(
            "A bundle's products must have the bundle's owner",
            "Bundle.OwnerIDMustMatch",
            {"BundleOwnerID": bundle.get("OwnerID"), "ProductOwnerID": product.get("OwnerID")},
        )
    doc.update(BundleID=bundle["ID"], ProductID=product["ID"])  # the stored spellings
    await assignments.upsert(docs, PRODUCT_KIND, doc, PRODUCT_KEYS)


async def unassign_product(docs: Docs, bundle_id: str, product_id: str) -> None:
    bundle = await require_bundle(docs, bundle_id)
    await docs.delete(PRODUCT_KIND, assignments.synthetic_id(bundle["ID"], product_id))


async def bundle_products(docs: Docs, bundle_id: str) -> list[Doc]:
    """The bundle's product assignments, in product ID order (the order its lines are added in)."""
    rows = await docs.all(PRODUCT_KIND, *docs.eq(BundleID=bundle_id))
    return sorted(rows, key=lambda r: str(r["ProductID"]).lower())


async def refuse_if_in_bundle(docs: Docs, product_id: str) -> None:
    """OrderCloud refuses to delete a product a bundle holds: remove it from the bundle first."""
    rows = await docs.all(PRODUCT_KIND, *docs.eq(ProductID=product_id), limit=1)
    if rows:
        raise ValidationFailed(
            "A product assigned to a bundle cannot be deleted; remove it from the bundle first",
            "Product.CannotDeleteProductAssingedToBundle",
            {"ProductID": product_id, "BundleID": rows[0]["BundleID"]},
        )


# --------------------------------------------------------------------------- party assignments


async def assign(docs: Docs, doc: Doc) -> None:
    await require_bundle(docs, doc["BundleID"])
    await docs.require("buyer", doc["BuyerID"], object_type="Buyer")
    if doc.get("UserGroupID"):
        await docs.require("usergroup", doc["UserGroupID"], doc["BuyerID"], object_type="UserGroup")
    await assignments.upsert(docs, ASSIGN_KIND, doc, ASSIGN_KEYS)


async def unassign(docs: Docs, bundle_id: str, buyer_id: str, group_id: str | None) -> None:
    await require_bundle(docs, bundle_id)
    await docs.delete(ASSIGN_KIND, assignments.synthetic_id(bundle_id, buyer_id, group_id))


def level_conds(docs: Docs, level: str) -> list[ColumnElement[bool]]:
    """The `level` (Group, Company) parameter of the assignment list."""
    if level == "group":
        return [~docs.json.is_null(["UserGroupID"])]
    if level == "company":
        return list(docs.eq(UserGroupID=None))
    if level:
        raise ValidationFailed("level must be Group or Company", "ValidationFailure", {"level": level})
    return []


async def assign_catalog(docs: Docs, doc: Doc) -> None:
    await docs.require("catalog", doc["CatalogID"], object_type="Catalog")
    await require_bundle(docs, doc["BundleID"])
    await assignments.upsert(docs, CATALOG_KIND, doc, CATALOG_KEYS)


async def unassign_catalog(docs: Docs, catalog_id: str, bundle_id: str) -> None:
    await docs.require("catalog", catalog_id, object_type="Catalog")
    await docs.delete(CATALOG_KIND, assignments.synthetic_id(catalog_id, bundle_id))


async def assign_category(docs: Docs, catalog_id: str, doc: Doc) -> None:
    await docs.require(category_store.KIND, doc["CategoryID"], catalog_id, object_type="Category")
    await require_bundle(docs, doc["BundleID"])
    await assignments.upsert(docs, CATEGORY_KIND, doc, CATEGORY_KEYS, scope=catalog_id)


async def unassign_category(docs: Docs, catalog_id: str, category_id: str, bundle_id: str) -> None:
    await docs.require(category_store.KIND, category_id, catalog_id, object_type="Category")
    await docs.delete(CATEGORY_KIND, assignments.synthetic_id(category_id, bundle_id), catalog_id)


# --------------------------------------------------------------------------- lists


async def list_conds(docs: Docs, params: dict[str, str]) -> list[ColumnElement[bool]]:
    """`catalogID`, `categoryID` (with `catalogID`: category IDs are unique per catalog) and
    `supplierID` (the bundles that supplier owns) of Bundles.List."""
    conds: list[ColumnElement[bool]] = []
    catalog_id, category_id = params.get("catalogID"), params.get("categoryID")
    if category_id:
        if not catalog_id:
            raise ValidationFailed(
                "categoryID requires catalogID",
                "Product.CategoryFilterRequiresCatalogID",
                {"categoryID": category_id},
            )
        rows = await docs.all(CATEGORY_KIND, *docs.eq(CategoryID=category_id), scope=catalog_id)
        conds.append(docs.id_in([r["BundleID"] for r in rows]))
    elif catalog_id:
        rows = await docs.all(CATALOG_KIND, *docs.eq(CatalogID=catalog_id))
        conds.append(docs.id_in([r["BundleID"] for r in rows]))
    if params.get("supplierID"):
        conds.extend(docs.eq(OwnerID=params["supplierID"]))
    return conds


# --------------------------------------------------------------------------- what a buyer sees


async def _reaches(docs: Docs, view: BuyerView, bundle_id: str) -> bool:
    """Whether an assignment brings the bundle to the user: one to the buyer (or one of the
    user's groups), to an active catalog assigned to the buyer with ViewAllProducts, or to a
    category the user sees (in a catalog the user sees)."""
    for row in await docs.all(ASSIGN_KIND, *docs.eq(BundleID=bundle_id, BuyerID=view.buyer_id)):
        if not row.get("UserGroupID") or row["UserGroupID"] in view.group_ids:
            return True
    catalogs = {
        c["CatalogID"]: c
        for c in await docs.all("catalogassignment", *docs.eq(BuyerID=view.buyer_id))
        if await _active_catalog(docs, c["CatalogID"])
    }
    for row in await docs.all(CATALOG_KIND, *docs.eq(BundleID=bundle_id)):
        link = catalogs.get(row["CatalogID"])
        if link is not None and link.get("ViewAllProducts"):
            return True
    for stored in await docs.all_stored(CATEGORY_KIND, *docs.eq(BundleID=bundle_id), scope=None):
        if stored.scope in catalogs:
            seen = await category_store.buyer_visible(docs, stored.scope, view)
            if stored.doc["CategoryID"] in seen:
                return True
    return False


async def _active_catalog(docs: Docs, catalog_id: str) -> bool:
    found = await docs.get("catalog", catalog_id)
    return found is not None and found.doc.get("Active") is True


async def visible_bundle(docs: Docs, view: BuyerView, bundle_id: str) -> tuple[Doc, list[Doc]]:
    """The bundle and its product assignments, when the buyer user may buy it: it is active, an
    assignment brings it to the user, and the user sees every product in it (OrderCloud: a
    bundle whose products the user does not all see is not shown). Else 404 Bundle."""
    found = await docs.get(KIND, bundle_id)
    if found is None or found.doc.get("Active") is not True:
        raise NotFound("Bundle", bundle_id)
    bundle = found.doc
    items = await bundle_products(docs, bundle["ID"])
    ids = [r["ProductID"] for r in items]
    if not await _reaches(docs, view, bundle["ID"]) or await visible_product_ids(docs, view, ids) != set(ids):
        raise NotFound("Bundle", bundle_id)
    return bundle, items
