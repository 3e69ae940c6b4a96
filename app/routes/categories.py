"""Categories of a catalog (a `ParentID` tree), their assignments to buyers and user groups, and
the products in them. Rules chosen where OrderCloud is silent: docs/catalog.md, "Categories"."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments, bundles, category_admin
from app.catalog import categories as store
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import (
    Category,
    CategoryAssignment,
    CategoryBundleAssignment,
    CategoryProductAssignment,
)
from app.resources import Doc, Listing, ResourceSpec, crud, listing_page
from app.routes.access import seller_only

READ = ("CategoryReader", "CategoryAdmin")
WRITE = ("CategoryAdmin",)
SEARCH = ("ID", "Name", "Description")
SORT = ("ListOrder", "Name", "ID")


async def catalog_scope(ctx: Ctx, caller: Caller) -> str:
    """Categories live in a catalog: the seller's users only, and the catalog must exist."""
    await seller_only(ctx, caller)
    return await category_admin.require_catalog(ctx.docs, ctx.param("catalogID"))


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await category_admin.prepare(ctx.docs, scope, doc, existing)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await category_admin.forget(ctx.docs, scope, doc["ID"])


async def _present(ctx: Ctx, doc: Doc) -> Doc:
    return (await store.with_child_counts(ctx.docs, ctx.param("catalogID"), [doc]))[0]


SPEC = ResourceSpec(
    store.KIND,
    "Category",
    "/catalogs/{catalogID}/categories",
    "categoryID",
    Category,
    READ,
    WRITE,
    readonly=("ChildCount",),
    searchable=SEARCH,
    sortable=SORT,
    default_sort=SORT,
    scope=catalog_scope,
    on_write=_on_write,
    on_delete=_on_delete,
    present=_present,
    operations=("create", "get", "save", "patch", "delete"),
)
CATEGORIES = Listing(store.KIND, SPEC.schema, searchable=SEARCH, sortable=SORT, default_sort=SORT)


@endpoint("GET", "/catalogs/{catalogID}/categories")
async def list_categories(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    catalog_id = await catalog_scope(ctx, caller)
    opts = ctx.list_options(params=("depth",))
    conds = await store.depth_conds(ctx.docs, catalog_id, opts, ctx.query("depth"))
    page = await listing_page(ctx, CATEGORIES, opts, conds=conds, scope=catalog_id)
    page["Items"] = await store.with_child_counts(ctx.docs, catalog_id, page["Items"])
    return page


# --------------------------------------------------------------------------- assignments


@endpoint("GET", "/catalogs/{catalogID}/categories/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*READ))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        store.ASSIGN_KIND,
        CategoryAssignment,
        params={"categoryID": "CategoryID", "buyerID": "BuyerID", "userGroupID": "UserGroupID"},
        conds=category_admin.level_conds(ctx.docs, (ctx.query("level") or "").lower(), ctx.query("userID")),
        scope=catalog_id,
        sort=category_admin.ASSIGN_KEYS,
        extra_params=("level", "userID"),
    )


@endpoint("POST", "/catalogs/{catalogID}/categories/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), CategoryAssignment)
    await category_admin.assign(ctx.docs, catalog_id, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/categories/{categoryID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    await category_admin.unassign(
        ctx.docs, catalog_id, ctx.param("categoryID"), ctx.query("buyerID"), ctx.query("userGroupID") or None
    )
    return NO_CONTENT, 204


@endpoint("GET", "/catalogs/{catalogID}/categories/productassignments")
async def list_product_assignments(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*READ))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        store.PRODUCT_KIND,
        CategoryProductAssignment,
        params={"categoryID": "CategoryID", "productID": "ProductID"},
        scope=catalog_id,
        sort=("ListOrder", *category_admin.PRODUCT_KEYS),
    )


@endpoint("POST", "/catalogs/{catalogID}/categories/productassignments")
async def save_product_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), CategoryProductAssignment)
    await category_admin.assign_product(ctx.docs, catalog_id, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/categories/{categoryID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    await category_admin.unassign_product(
        ctx.docs, catalog_id, ctx.param("categoryID"), ctx.param("productID")
    )
    return NO_CONTENT, 204


@endpoint("GET", "/catalogs/{catalogID}/categories/bundleassignments")
async def list_bundle_assignments(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*READ))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        bundles.CATEGORY_KIND,
        CategoryBundleAssignment,
        params={"categoryID": "CategoryID", "bundleID": "BundleID"},
        scope=catalog_id,
        sort=("ListOrder", *bundles.CATEGORY_KEYS),
    )


@endpoint("POST", "/catalogs/{catalogID}/categories/bundleassignments")
async def save_bundle_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), CategoryBundleAssignment)
    await bundles.assign_category(ctx.docs, catalog_id, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/categories/{categoryID}/bundleassignments/{bundleID}")
async def delete_bundle_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    await bundles.unassign_category(ctx.docs, catalog_id, ctx.param("categoryID"), ctx.param("bundleID"))
    return NO_CONTENT, 204


# Static `.../categories/assignments` routes are registered before `.../categories/{categoryID}`.
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
    list_categories,
    *crud(SPEC),
]
