"""Bundles: products sold together, their products, and who may buy them. The rules are in
`app.catalog.bundles`; docs/catalog.md, "Bundles". Catalog and category bundle assignments live
with the catalog and category routes."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments, bundles, products
from app.http import NO_CONTENT, Ctx, endpoint
from app.list_options import ListOptions
from app.models.catalog import Bundle, BundleAssignment, BundleProductAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only

# OrderCloud has Bundle* roles; the Product* roles a catalog manager already holds count too.
READ = ("BundleReader", "BundleAdmin", "ProductReader", "ProductAdmin")
WRITE = ("BundleAdmin", "ProductAdmin")
ASSIGN = ("BundleAssignmentAdmin", "ProductAssignmentAdmin")
LIST_PARAMS = ("catalogID", "categoryID", "supplierID")


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await bundles.prepare(ctx.docs, doc, existing, ctx.services.marketplace_id)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await bundles.forget(ctx.docs, doc["ID"])
    await products.forget(ctx.docs, doc["ID"])  # what names its product (wish-list entries, ...)


async def _list_conds(ctx: Ctx, caller: Caller, scope: str, opts: ListOptions) -> list[Any]:
    return await bundles.list_conds(ctx.docs, opts.params)


SPEC = ResourceSpec(
    bundles.KIND,
    "Bundle",
    "/bundles",
    "bundleID",
    Bundle,
    READ,
    WRITE,
    readonly=(),
    searchable=("ID", "Name", "Description"),
    default_sort=("Name",),
    scope=seller_only,
    on_write=_on_write,
    on_delete=_on_delete,
    list_params=LIST_PARAMS,
    list_conds=_list_conds,
)


async def _admin(ctx: Ctx, *roles: str) -> Caller:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    return caller


@endpoint("GET", "/bundles/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    await _admin(ctx, *READ, *ASSIGN)
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        bundles.ASSIGN_KIND,
        BundleAssignment,
        params={"bundleID": "BundleID", "buyerID": "BuyerID", "userGroupID": "UserGroupID"},
        conds=assignments.group_level_conds(ctx.docs, (ctx.query("level") or "").lower()),
        sort=bundles.ASSIGN_KEYS,
        extra_params=("level",),
    )


@endpoint("POST", "/bundles/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *ASSIGN)
    doc = assignments.parse(await ctx.body_object(), BundleAssignment)
    await bundles.assign(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/bundles/{bundleID}/assignments/{buyerID}")
async def delete_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *ASSIGN)
    await bundles.unassign(
        ctx.docs, ctx.param("bundleID"), ctx.param("buyerID"), ctx.query("userGroupID") or None
    )
    return NO_CONTENT, 204


@endpoint("GET", "/bundles/productassignments")
async def list_product_assignments(ctx: Ctx) -> Any:
    await _admin(ctx, *READ)
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        bundles.PRODUCT_KIND,
        BundleProductAssignment,
        params={"bundleID": "BundleID", "productID": "ProductID"},
        sort=bundles.PRODUCT_KEYS,
    )


@endpoint("POST", "/bundles/productassignments")
async def save_product_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    doc = assignments.parse(await ctx.body_object(), BundleProductAssignment)
    await bundles.assign_product(ctx.docs, doc, ctx.services.marketplace_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/bundles/{bundleID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    await _admin(ctx, *WRITE)
    await bundles.unassign_product(ctx.docs, ctx.param("bundleID"), ctx.param("productID"))
    return NO_CONTENT, 204


# Static `/bundles/assignments` routes are registered before `/bundles/{bundleID}`.
ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_product_assignments,
    save_product_assignment,
    delete_product_assignment,
    *crud(SPEC),
]
