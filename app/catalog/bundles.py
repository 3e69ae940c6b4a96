"""Bundles in storage: a bundle being written or deleted, its assignments (products, buyers and
groups, catalogs, categories), which bundles a list parameter selects, and whether a buyer user
may see (and so buy) a bundle. docs/catalog.md, "Bundles".

Storage contract (kinds in the `resources` table):
- `bundle`: the Bundle wire shape, top-level.
- `product` {..., IsBundle: true}: the product standing for the bundle in product lists, with
  the bundle's ID (`as_product`), written and deleted with the bundle.
- `bundleproductassignment` {BundleID, ProductID, Required, DefaultQuantity}.
- `bundleassignment` {SellerID, BundleID, BuyerID, UserGroupID}.
- `bundlecatalogassignment` {CatalogID, BundleID}.
- `categorybundleassignment` {CategoryID, BundleID, ListOrder}, scoped to the catalog (category
  IDs are unique only within their catalog), as category product assignments are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from app.catalog import assignments
from app.catalog import categories as category_store
from app.catalog.access import visible_product_ids
from app.catalog.rename import propagate_rename
from app.catalog.visibility import BuyerView
from app.list_options import ListOptions
from app.listing import JsonAccess
from app.models.catalog import Product
from app.store.repo import Docs
from app.store.tables import resources
from app.wire import to_doc, validate
from domain.clock import iso, utcnow
from domain.errors import Conflict, NotFound, ValidationFailed

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


async def prepare(docs: Docs, doc: Doc, existing: Doc | None, marketplace_id: str) -> Doc:
    """A bundle being written: OwnerID kept once set (default: the marketplace), as products';
    the product standing for it in product lists written with it."""
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or marketplace_id
    await _stand_in(docs, doc, existing)
    return doc


def as_product(bundle: Doc) -> Doc:
    """The product that stands for a bundle in product lists (OrderCloud creates one "alongside
    the bundle"): the bundle's ID, Name, Description, Active, xp and owner, `IsBundle: true`,
    no price schedule (each product of the bundle is priced on its own)."""
    fields = {k: bundle.get(k) for k in ("ID", "Name", "Description", "Active", "xp", "OwnerID")}
    doc: Doc = to_doc(validate(fields, Product))
    doc.update(IsBundle=True, SpecCount=0, VariantCount=0, DateCreated=iso(utcnow()))
    return doc


async def _stand_in(docs: Docs, bundle: Doc, existing: Doc | None) -> None:
    """Write the bundle's product. A bundle and a product share one ID space (the bundle is also
    a product): an ID a product already has is 409 IdExists."""
    old_id = existing["ID"] if existing is not None else None
    taken = await docs.get("product", bundle["ID"])
    if taken is not None and not (taken.doc.get("IsBundle") and taken.doc["ID"] == old_id):
        raise Conflict(
            f"Product already exists: {bundle['ID']}",
            "IdExists",
            {"ObjectType": "Product", "ObjectID": bundle["ID"]},
        )
    shown = as_product(bundle)
    if old_id is not None:
        # Renamed or not, the bundle's product is found under its old ID (read above when unchanged).
        before = taken if old_id == bundle["ID"] else await docs.get("product", old_id)
        if before is not None and before.doc.get("IsBundle"):
            shown["DateCreated"] = before.doc.get("DateCreated")
            await docs.delete("product", old_id)
            if old_id != bundle["ID"]:
                # What names the bundle's product (a wish-list entry of it) follows the rename.
                await propagate_rename(docs, "product", "", old_id, bundle["ID"])
    await docs.insert("product", shown)


async def forget(docs: Docs, bundle_id: str) -> None:
    """A deleted bundle takes every assignment naming it, and its product, with it (order lines
    bought through it stay: they are a record of the sale)."""
    for kind in (PRODUCT_KIND, ASSIGN_KIND, CATALOG_KIND, CATEGORY_KIND):
        await docs.delete_where(kind, *docs.eq(BundleID=bundle_id))
    found = await docs.get("product", bundle_id)
    if found is not None and found.doc.get("IsBundle"):
        await docs.delete("product", found.doc["ID"])


def refuse_bundle_product(product: Doc, message: str, code: str) -> None:
    """The product standing for a bundle is the bundle's: it is written, assigned and bought
    through the bundle, never as a product of its own."""
    if product.get("IsBundle"):
        raise ValidationFailed(message, code, {"ProductID": product["ID"], "BundleID": product["ID"]})


# --------------------------------------------------------------------------- product assignments


async def assign_product(docs: Docs, doc: Doc, marketplace_id: str) -> None:
    """A product joins a bundle. A parent product (one with variants to choose between) or a
    child product cannot, and the bundle's owner must own the product."""
    bundle = await require_bundle(docs, doc["BundleID"])
    product = (await docs.require("product", doc["ProductID"], object_type="Product")).doc
    refuse_bundle_product(product, "A bundle cannot be assigned to a bundle", "Bundle.BundleAssigned")
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


def products_of_bundles(docs: Docs, opts: ListOptions) -> list[ColumnElement[bool]]:
    """OrderCloud's `BundleID={id}` filter of product lists ("you can get all of the products
    assigned to a given bundle by filtering on BundleID"): taken out of the list's filters (a
    product has no BundleID field) and made a condition on `product` rows. `a|b` is either
    bundle; the value is an exact ID, no wildcards or negation **[choice]**."""
    conds: list[ColumnElement[bool]] = []
    for raw in opts.pop_filter("BundleID"):
        bpa = resources.alias("bfp")
        j = JsonAccess(docs.pg, bpa.c.doc)
        wanted = select(j.text(["ProductID"])).where(
            bpa.c.kind == PRODUCT_KIND, j.text(["BundleID"]).in_(raw.split("|"))
        )
        conds.append(resources.c.id.in_(wanted))
    return conds


# --------------------------------------------------------------------------- what a buyer sees


async def visible_bundle(docs: Docs, view: BuyerView, bundle_id: str) -> tuple[Doc, list[Doc]]:
    """The bundle and its product assignments, when the buyer user may buy it: the product
    standing for it is visible (`app.catalog.visibility`: active, the bundle's assignments bring
    it to the user, and the user sees every product in it). Else 404 Bundle."""
    found = await docs.get(KIND, bundle_id)
    if found is None or found.doc.get("Active") is not True:
        raise NotFound("Bundle", bundle_id)
    bundle = found.doc
    if not await visible_product_ids(docs, view, [bundle["ID"]]):
        raise NotFound("Bundle", bundle_id)
    return bundle, await bundle_products(docs, bundle["ID"])
