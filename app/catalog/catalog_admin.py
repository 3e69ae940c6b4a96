"""What the `/catalogs` routes do to storage: a catalog being written or deleted, a new buyer's
default catalog, and catalog assignments (to buyers, of products)."""

from __future__ import annotations

from typing import Any

from app.catalog import assignments, categories
from app.catalog.bundles import refuse_bundle_product
from app.models.catalog import Catalog
from app.store.repo import Docs
from app.wire import new_id, to_doc, validate
from domain.errors import ValidationFailed

Doc = dict[str, Any]
KIND = "catalog"
ASSIGN_KIND = "catalogassignment"
PRODUCT_KIND = "productcatalogassignment"


async def require(docs: Docs, kind: str, object_type: str, id: str | None) -> Doc:
    return (await docs.require(kind, id or "", object_type=object_type)).doc


async def prepare(docs: Docs, doc: Doc, existing: Doc | None, marketplace_id: str) -> Doc:
    """A catalog being written: OwnerID kept (default: the marketplace), CategoryCount counted."""
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or marketplace_id
    doc["CategoryCount"] = await docs.count(categories.KIND, scope=doc["ID"])
    return doc


async def forget(docs: Docs, catalog_id: str) -> None:
    """A deleted catalog takes its assignments and its categories (with theirs) with it."""
    for kind in (ASSIGN_KIND, PRODUCT_KIND):
        await docs.delete_where(kind, *docs.eq(CatalogID=catalog_id))
    for kind in categories.KINDS:
        await docs.delete_where(kind, scope=catalog_id)


async def create_default_catalog(docs: Docs, buyer: Doc, marketplace_id: str) -> str:
    """`Buyer.DefaultCatalogID` null on POST: as the spec says, a new default catalog is created
    for the buyer (under the buyer's ID when no catalog has it) and assigned to it. The assignment
    shows every category and no product beyond those assigned (`ViewAllProducts` stays false,
    so creating a buyer never widens what it may see)."""
    catalog_id = buyer["ID"] if not await docs.exists(KIND, buyer["ID"]) else new_id()
    catalog: Doc = to_doc(
        validate({"ID": catalog_id, "Name": buyer.get("Name") or catalog_id, "Active": True}, Catalog)
    )
    catalog.update(OwnerID=marketplace_id, CategoryCount=0)
    await docs.insert(KIND, catalog, object_type="Catalog", absent=True)
    assignment = {
        "CatalogID": catalog_id,
        "BuyerID": buyer["ID"],
        "ViewAllCategories": True,
        "ViewAllProducts": False,
    }
    await assignments.upsert(docs, ASSIGN_KIND, assignment, ("CatalogID", "BuyerID"))
    return catalog_id


async def assign(docs: Docs, doc: Doc) -> None:
    await require(docs, "catalog", "Catalog", doc["CatalogID"])
    await require(docs, "buyer", "Buyer", doc["BuyerID"])
    await assignments.upsert(docs, ASSIGN_KIND, doc, ("CatalogID", "BuyerID"))


async def unassign(docs: Docs, catalog_id: str, buyer_id: str | None) -> None:
    await require(docs, "catalog", "Catalog", catalog_id)
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    await docs.delete(ASSIGN_KIND, assignments.synthetic_id(catalog_id, buyer_id))


async def assign_product(docs: Docs, doc: Doc) -> None:
    await require(docs, "catalog", "Catalog", doc["CatalogID"])
    product = await require(docs, "product", "Product", doc["ProductID"])
    refuse_bundle_product(
        product, "A bundle's product is assigned through Catalogs.SaveBundleAssignment", "Product.IsBundle"
    )
    await assignments.upsert(docs, PRODUCT_KIND, doc, ("CatalogID", "ProductID"))


async def unassign_product(docs: Docs, catalog_id: str, product_id: str) -> None:
    await require(docs, "catalog", "Catalog", catalog_id)
    await docs.delete(PRODUCT_KIND, assignments.synthetic_id(catalog_id, product_id))
