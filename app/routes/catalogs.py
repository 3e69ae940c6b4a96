"""Catalogs, their assignments to buyers, and the products they hold."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments, categories
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import Catalog, CatalogAssignment, ProductCatalogAssignment
from app.resources import Doc, ResourceSpec, crud, normalize
from app.routes.access import seller_only
from app.wire import new_id
from domain.errors import ValidationFailed

READ = ("CatalogReader", "CatalogAdmin")
WRITE = ("CatalogAdmin",)
ASSIGN_KIND = "catalogassignment"
PRODUCT_KIND = "productcatalogassignment"


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    doc["CategoryCount"] = await ctx.docs.count(categories.KIND, scope=doc["ID"])
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    for kind in (ASSIGN_KIND, PRODUCT_KIND):
        await ctx.docs.delete_where(kind, *ctx.docs.eq(CatalogID=doc["ID"]))
    for kind in categories.KINDS:
        await ctx.docs.delete_where(kind, scope=doc["ID"])


SPEC = ResourceSpec(
    "catalog",
    "Catalog",
    "/catalogs",
    "catalogID",
    Catalog,
    READ,
    WRITE,
    readonly=("CategoryCount",),
    searchable=("ID", "Name", "Description"),
    sortable=("OwnerID", "Name", "ID"),
    default_sort=("Name",),
    scope=seller_only,
    on_write=_on_write,
    on_delete=_on_delete,
)


async def create_default_catalog(ctx: Ctx, buyer: Doc) -> str:
    """`Buyer.DefaultCatalogID` null on POST: as the spec says, a new default catalog is created
    for the buyer (under the buyer's ID when no catalog has it) and assigned to it. The assignment
    shows every category and no product beyond those assigned (`ViewAllProducts` stays false,
    so creating a buyer never widens what it may see)."""
    catalog_id = buyer["ID"] if not await ctx.docs.exists(SPEC.kind, buyer["ID"]) else new_id()
    catalog = normalize(
        SPEC, {"ID": catalog_id, "Name": buyer.get("Name") or catalog_id, "Active": True}, None
    )
    catalog.update(OwnerID=ctx.services.marketplace_id, CategoryCount=0)
    await ctx.docs.insert(SPEC.kind, catalog, object_type=SPEC.object_type, absent=True)
    assignment = {
        "CatalogID": catalog_id,
        "BuyerID": buyer["ID"],
        "ViewAllCategories": True,
        "ViewAllProducts": False,
    }
    await assignments.upsert(ctx.docs, ASSIGN_KIND, assignment, ("CatalogID", "BuyerID"))
    return catalog_id


async def _admin(ctx: Ctx, *roles: str) -> Caller:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    return caller


async def require(ctx: Ctx, kind: str, object_type: str, id: str | None) -> Doc:
    return (await ctx.docs.require(kind, id or "", object_type=object_type)).doc


@endpoint("GET", "/catalogs/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    await _admin(ctx, *READ)
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        ASSIGN_KIND,
        CatalogAssignment,
        params={"catalogID": "CatalogID", "buyerID": "BuyerID"},
        sort=("CatalogID", "BuyerID"),
    )


@endpoint("POST", "/catalogs/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    doc = assignments.parse(await ctx.body_object(), CatalogAssignment)
    await require(ctx, "catalog", "Catalog", doc["CatalogID"])
    await require(ctx, "buyer", "Buyer", doc["BuyerID"])
    await assignments.upsert(ctx.docs, ASSIGN_KIND, doc, ("CatalogID", "BuyerID"))
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    catalog_id = ctx.param("catalogID")
    await require(ctx, "catalog", "Catalog", catalog_id)
    buyer_id = ctx.query("buyerID")
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    await ctx.docs.delete(ASSIGN_KIND, assignments.synthetic_id(catalog_id, buyer_id))
    return NO_CONTENT, 204


@endpoint("GET", "/catalogs/productassignments")
async def list_product_assignments(ctx: Ctx) -> Any:
    await _admin(ctx, *READ)
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        PRODUCT_KIND,
        ProductCatalogAssignment,
        params={"catalogID": "CatalogID", "productID": "ProductID"},
        sort=("CatalogID", "ProductID"),
    )


@endpoint("POST", "/catalogs/productassignments")
async def save_product_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, "CatalogAdmin", "ProductAdmin")
    doc = assignments.parse(await ctx.body_object(), ProductCatalogAssignment)
    await require(ctx, "catalog", "Catalog", doc["CatalogID"])
    await require(ctx, "product", "Product", doc["ProductID"])
    await assignments.upsert(ctx.docs, PRODUCT_KIND, doc, ("CatalogID", "ProductID"))
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, "CatalogAdmin", "ProductAdmin")
    catalog_id, product_id = ctx.param("catalogID"), ctx.param("productID")
    await require(ctx, "catalog", "Catalog", catalog_id)
    await ctx.docs.delete(PRODUCT_KIND, assignments.synthetic_id(catalog_id, product_id))
    return NO_CONTENT, 204


# Static `/catalogs/assignments` routes are registered before `/catalogs/{catalogID}`.
ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_product_assignments,
    save_product_assignment,
    delete_product_assignment,
    *crud(SPEC),
]
