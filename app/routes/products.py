"""Products, the suppliers that sell them, and their assignments to buyers and user groups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import buyer_user_reach
from app.auth.tokens import Caller
from app.catalog import assignments, categories
from app.catalog.counts import product_counts
from app.catalog.stock import stamp_inventory
from app.catalog.visibility import in_catalog
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.catalog import Product, ProductAssignment
from app.models.orgs import Supplier
from app.resources import Doc, ResourceSpec, crud, public
from app.routes.access import seller_only
from app.store.tables import resources
from domain.categories import parse_depth
from domain.errors import ValidationFailed

READ = ("ProductReader", "ProductAdmin")
WRITE = ("ProductAdmin",)
ASSIGN_KIND = "productassignment"
SUPPLIER_KIND = "productsupplier"
PRODUCT_SEARCH = ("ID", "Name", "Description")
# Everything scoped to a product, and every assignment naming it, goes with it.
PRODUCT_SCOPED = ("variant", "inventoryrecord", "inventoryrecordassignment", SUPPLIER_KIND)
NAMING_PRODUCT = (
    ASSIGN_KIND,
    "productcatalogassignment",
    "specproductassignment",
    "categoryproductassignment",
)


async def require(ctx: Ctx, kind: str, object_type: str, id: str | None, scope: str = "") -> Doc:
    return (await ctx.docs.require(kind, id or "", scope, object_type=object_type)).doc


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    if doc.get("DefaultPriceScheduleID"):
        await require(ctx, "priceschedule", "PriceSchedule", doc["DefaultPriceScheduleID"])
    if doc.get("DefaultSupplierID"):
        await require(ctx, "supplier", "Supplier", doc["DefaultSupplierID"])
    if doc.get("AutoForward") and not doc.get("DefaultSupplierID"):
        raise ValidationFailed(
            "AutoForward requires a DefaultSupplierID", "ValidationFailure", {"Field": "DefaultSupplierID"}
        )
    old = existing or {}
    doc["OwnerID"] = old.get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    doc["IsBundle"] = False
    stamp_inventory(doc, existing)
    doc.update(await product_counts(ctx.docs, doc["ID"]))
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    product_id = doc["ID"]
    for kind in PRODUCT_SCOPED:
        await ctx.docs.delete_where(kind, scope=product_id)
    for kind in NAMING_PRODUCT:
        await ctx.docs.delete_where(kind, *ctx.docs.eq(ProductID=product_id))


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
)


def with_facets(page: dict[str, Any]) -> dict[str, Any]:
    """Product lists are `ListPageWithFacets`; ordercore has no facets, so the list is empty."""
    page["Meta"]["Facets"] = []
    return page


@endpoint("GET", "/products")
async def list_products(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    opts = ctx.list_options(params=("catalogID", "categoryID", "supplierID", "depth"))
    conds: list[ColumnElement[bool]] = []
    if opts.params.get("categoryID"):
        conds.append(await _in_category(ctx, opts.params.get("catalogID"), opts.params["categoryID"]))
    elif opts.params.get("catalogID"):
        conds.append(in_catalog(ctx.docs.pg, opts.params["catalogID"]))
    if opts.params.get("supplierID"):
        supplier_id = opts.params["supplierID"]
        conds.append(resources.c.id.in_(await _products_sold_by(ctx, supplier_id)))
    page = await ctx.docs.page(
        "product", opts, SPEC.schema, conds=conds, scope="", searchable=PRODUCT_SEARCH, default_sort=("Name",)
    )
    page.items[:] = [public(d) for d in page.items]
    return with_facets(page.wire())


async def _in_category(ctx: Ctx, catalog_id: str | None, category_id: str) -> ColumnElement[bool]:
    """Products in the category and, `depth` (default all) levels down, its descendants; a
    category ID is unique only within its catalog, so catalogID is required (as in OrderCloud)."""
    if not catalog_id:
        raise ValidationFailed(
            "Filtering by categoryID requires a catalogID",
            "Product.CategoryFilterRequiresCatalogID",
            {"Field": "catalogID"},
        )
    await require(ctx, "catalog", "Catalog", catalog_id)
    await require(ctx, categories.KIND, "Category", category_id, catalog_id)
    depth = parse_depth(ctx.query("depth"), None)
    tree = await categories.tree(ctx.docs, catalog_id)
    below = tree.below(category_id, None if depth is None else depth - 1)
    return categories.products_in_categories(ctx.docs.pg, catalog_id, [category_id, *below])


async def _products_sold_by(ctx: Ctx, supplier_id: str) -> list[str]:
    rows = await ctx.docs.all_stored(SUPPLIER_KIND, *ctx.docs.eq(SupplierID=supplier_id))
    defaults = await ctx.docs.all("product", *ctx.docs.eq(DefaultSupplierID=supplier_id), scope="")
    return sorted({r.scope for r in rows} | {d["ID"] for d in defaults})


# --------------------------------------------------------------------------- suppliers


@endpoint("GET", "/products/{productID}/suppliers")
async def list_suppliers(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    product_id = ctx.param("productID")
    await require(ctx, "product", "Product", product_id)
    links = {d["SupplierID"]: d for d in await ctx.docs.all(SUPPLIER_KIND, scope=product_id)}
    page = await ctx.docs.page(
        "supplier",
        ctx.list_options(),
        schema_of(Supplier),
        conds=[resources.c.id.in_(sorted(links))],
        scope="",
        searchable=("ID", "Name"),
        sortable=("ID", "Name", "DateCreated"),
        default_sort=("Name",),
    )
    page.items[:] = [
        {**public(d), "DefaultPriceScheduleID": links[d["ID"]].get("DefaultPriceScheduleID")}
        for d in page.items
    ]
    return page.wire()


@endpoint("PUT", "/products/{productID}/suppliers/{supplierID}")
async def save_supplier(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    product_id, supplier_id = ctx.param("productID"), ctx.param("supplierID")
    await require(ctx, "product", "Product", product_id)
    await require(ctx, "supplier", "Supplier", supplier_id)
    schedule_id = ctx.query("defaultPriceScheduleID") or None
    if schedule_id:
        await require(ctx, "priceschedule", "PriceSchedule", schedule_id)
    doc = {"ID": supplier_id, "SupplierID": supplier_id, "DefaultPriceScheduleID": schedule_id}
    if await ctx.docs.exists(SUPPLIER_KIND, supplier_id, product_id):
        await ctx.docs.replace(SUPPLIER_KIND, supplier_id, doc, product_id)
    else:
        await ctx.docs.insert(SUPPLIER_KIND, doc, product_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/products/{productID}/suppliers/{supplierID}")
async def remove_supplier(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    product_id, supplier_id = ctx.param("productID"), ctx.param("supplierID")
    await require(ctx, "product", "Product", product_id)
    await ctx.docs.delete(SUPPLIER_KIND, supplier_id, product_id)
    return NO_CONTENT, 204


# --------------------------------------------------------------------------- assignments


@endpoint("GET", "/products/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller("ProductReader", "ProductAdmin", "ProductAssignmentAdmin")
    await seller_only(ctx, caller)
    level = (ctx.query("level") or "").lower()
    conds: list[ColumnElement[bool]] = []
    if level == "group":
        conds.append(~ctx.docs.json.is_null(["UserGroupID"]))
    elif level == "company":
        conds.append(ctx.docs.json.is_null(["UserGroupID"]))
    elif level:
        raise ValidationFailed("level must be Group or Company", "ValidationFailure", {"level": level})
    user_id = ctx.query("userID")
    if user_id:
        conds.append(await buyer_user_reach(ctx.docs, user_id, ctx.query("buyerID")))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        ASSIGN_KIND,
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
    await require(ctx, "product", "Product", doc["ProductID"])
    await require(ctx, "buyer", "Buyer", doc["BuyerID"])
    if doc.get("UserGroupID"):
        await require(ctx, "usergroup", "UserGroup", doc["UserGroupID"], doc["BuyerID"])
    if doc.get("PriceScheduleID"):
        await require(ctx, "priceschedule", "PriceSchedule", doc["PriceScheduleID"])
    await assignments.upsert(ctx.docs, ASSIGN_KIND, doc, ("ProductID", "BuyerID", "UserGroupID"))
    return NO_CONTENT, 204


@endpoint("DELETE", "/products/{productID}/assignments/{buyerID}")
async def delete_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller("ProductAssignmentAdmin")
    await seller_only(ctx, caller)
    product_id, buyer_id = ctx.param("productID"), ctx.param("buyerID")
    await require(ctx, "product", "Product", product_id)
    group_id = ctx.query("userGroupID") or None
    await ctx.docs.delete(ASSIGN_KIND, assignments.synthetic_id(product_id, buyer_id, group_id))
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
