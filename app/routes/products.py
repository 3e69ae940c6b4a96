"""Products, the suppliers that sell them, and their assignments to buyers and user groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog import assignments, bundles, facet_counts, products
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions, schema_of
from app.models.catalog import Product, ProductAssignment
from app.models.orgs import Supplier
from app.resources import Doc, Listing, ResourceSpec, crud, listing_page, page_of, public
from app.routes.access import seller_only

READ = ("ProductReader", "ProductAdmin")
WRITE = ("ProductAdmin",)
PRODUCT_SEARCH = ("ID", "Name", "Description")


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await products.prepare(ctx.docs, doc, existing, ctx.services.marketplace_id)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    products.refuse_if_bundle(doc)
    await products.forget(ctx.docs, doc["ID"])


SPEC = ResourceSpec(
    "product",
    "Product",
    "/products",
    "productID",
    Product,
    READ,
    WRITE,
    readonly=("DateCreated", "SpecCount", "VariantCount", "IsBundle"),
    searchable=PRODUCT_SEARCH,
    default_sort=("Name",),
    scope=seller_only,
    on_write=_on_write,
    on_delete=_on_delete,
    operations=("create", "get", "save", "patch", "delete"),
    xp_arrays=True,
)


SUPPLIERS = Listing(
    "supplier",
    schema_of(Supplier),
    searchable=("ID", "Name"),
    sortable=("ID", "Name", "DateCreated"),
    default_sort=("Name",),
)


async def with_facets(
    ctx: Ctx, page: dict[str, Any], opts: ListOptions, conds: Sequence[ColumnElement[bool]]
) -> dict[str, Any]:
    """Product lists are `ListPageWithFacets`: Meta.Facets counts the values of every product
    facet over the products meeting `conds` and the list's options (app/catalog/facet_counts.py)."""
    page["Meta"]["Facets"] = await facet_counts.list_facets(
        ctx.docs, opts, SPEC.schema, conds=conds, searchable=PRODUCT_SEARCH
    )
    return page


@endpoint("GET", "/products")
async def list_products(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    opts = ctx.list_options(params=("catalogID", "categoryID", "supplierID", "depth"))
    conds = [*await products.list_conds(ctx.docs, opts.params), *bundles.products_of_bundles(ctx.docs, opts)]
    return await with_facets(ctx, await page_of(ctx, SPEC, caller, opts, conds), opts, conds)


# --------------------------------------------------------------------------- suppliers


@endpoint("GET", "/products/{productID}/suppliers")
async def list_suppliers(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    links = await products.supplier_links(ctx.docs, ctx.param("productID"))

    def show(supplier: Doc) -> Doc:
        return {
            **public(supplier),
            "DefaultPriceScheduleID": links[supplier["ID"]].get("DefaultPriceScheduleID"),
        }

    conds = [products.ids_in(sorted(links))]
    return await listing_page(ctx, SUPPLIERS, ctx.list_options(), conds=conds, scope="", show=show)


@endpoint("PUT", "/products/{productID}/suppliers/{supplierID}")
async def save_supplier(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    schedule_id = ctx.query("defaultPriceScheduleID") or None
    await products.link_supplier(ctx.docs, ctx.param("productID"), ctx.param("supplierID"), schedule_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/products/{productID}/suppliers/{supplierID}")
async def remove_supplier(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    await products.unlink_supplier(ctx.docs, ctx.param("productID"), ctx.param("supplierID"))
    return NO_CONTENT, 204


# --------------------------------------------------------------------------- assignments


@endpoint("GET", "/products/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller("ProductReader", "ProductAdmin", "ProductAssignmentAdmin")
    await seller_only(ctx, caller)
    level = (ctx.query("level") or "").lower()
    conds = await products.assignment_conds(ctx.docs, level, ctx.query("userID"), ctx.query("buyerID"))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        products.ASSIGN_KIND,
        ProductAssignment,
        params={
            "productID": "ProductID",
            "priceScheduleID": "PriceScheduleID",
            "buyerID": "BuyerID",
            "userGroupID": "UserGroupID",
        },
        conds=conds,
        sort=("ProductID", "BuyerID", "UserGroupID"),
        extra_params=("level", "userID"),
    )


@endpoint("POST", "/products/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller("ProductAssignmentAdmin")
    await seller_only(ctx, caller)
    doc = assignments.parse(await ctx.body_object(), ProductAssignment)
    await products.assign(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/products/{productID}/assignments/{buyerID}")
async def delete_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller("ProductAssignmentAdmin")
    await seller_only(ctx, caller)
    group_id = ctx.query("userGroupID") or None
    await products.unassign(ctx.docs, ctx.param("productID"), ctx.param("buyerID"), group_id)
    return NO_CONTENT, 204


ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_products,
    *crud(SPEC),
    list_suppliers,
    save_supplier,
    remove_supplier,
]
