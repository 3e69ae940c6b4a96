"""Catalogs, their assignments to buyers, and the products they hold."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments, bundles, catalog_admin
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import BundleCatalogAssignment, Catalog, CatalogAssignment, ProductCatalogAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only

READ = ("CatalogReader", "CatalogAdmin")
WRITE = ("CatalogAdmin",)
ASSIGN_KIND = catalog_admin.ASSIGN_KIND
PRODUCT_KIND = catalog_admin.PRODUCT_KIND


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await catalog_admin.prepare(ctx.docs, doc, existing, ctx.services.marketplace_id)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await catalog_admin.forget(ctx.docs, doc["ID"])


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


async def _admin(ctx: Ctx, *roles: str) -> Caller:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    return caller


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
    await catalog_admin.assign(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    await catalog_admin.unassign(ctx.docs, ctx.param("catalogID"), ctx.query("buyerID"))
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
    await catalog_admin.assign_product(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, "CatalogAdmin", "ProductAdmin")
    await catalog_admin.unassign_product(ctx.docs, ctx.param("catalogID"), ctx.param("productID"))
    return NO_CONTENT, 204


@endpoint("GET", "/catalogs/bundleassignments")
async def list_bundle_assignments(ctx: Ctx) -> Any:
    await _admin(ctx, *READ)
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        bundles.CATALOG_KIND,
        BundleCatalogAssignment,
        params={"catalogID": "CatalogID", "bundleID": "BundleID"},
        sort=bundles.CATALOG_KEYS,
    )


@endpoint("POST", "/catalogs/bundleassignments")
async def save_bundle_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    doc = assignments.parse(await ctx.body_object(), BundleCatalogAssignment)
    await bundles.assign_catalog(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/bundleassignments/{bundleID}")
async def delete_bundle_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    await bundles.unassign_catalog(ctx.docs, ctx.param("catalogID"), ctx.param("bundleID"))
    return NO_CONTENT, 204


# Static `/catalogs/assignments` routes are registered before `/catalogs/{catalogID}`.
ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_product_assignments,
    save_product_assignment,
    delete_product_assignment,
    list_bundle_assignments,
    save_bundle_assignment,
    delete_bundle_assignment,
    *crud(SPEC),
]
