"""The storefront: the products, catalogs, specs, variants and stock a buyer user may see, each
product with the price schedule that applies to that user. Visibility is SQL
(`app.catalog.visibility`), so filters, search, sorting and paging all run in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog import categories as category_store
from app.catalog.access import BuyerView, buyer_view, schedule_id_for
from app.catalog.inventory_assignments import visible_records
from app.catalog.schedules import present_schedule
from app.catalog.specs import product_spec_ids
from app.catalog.visibility import catalog_visible, in_catalog, product_visible
from app.http import Ctx, endpoint
from app.listing import Page, schema_of
from app.models.catalog import InventoryRecord, Variant
from app.resources import Doc, public
from app.routes import catalogs, categories, products, specs
from app.store.tables import resources
from domain.categories import Tree, parse_depth
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.pricing import ProductAssignment

SHOPPER = ("Shopper",)
# Product fields a buyer never sees (BuyerProduct has none of them).
SELLER_ONLY_FIELDS = ("OwnerID", "DefaultPriceScheduleID", "AutoForward")
R = resources.c


async def shopper(ctx: Ctx) -> tuple[Caller, BuyerView]:
    caller = await ctx.caller(*SHOPPER)
    if not caller.is_buyer:
        raise Forbidden(
            "Only buyer users have a storefront", "Auth.InsufficientRoles", {"UserType": caller.user_type}
        )
    return caller, await buyer_view(ctx.docs, caller)


async def buyer_products(ctx: Ctx, view: BuyerView, items: list[Doc]) -> list[Doc]:
    """BuyerProducts for a page of products: two queries for the whole page (assignments, then
    schedules), not one per product."""
    docs = ctx.docs
    ids = [p["ID"] for p in items]
    rows = (
        await docs.all("productassignment", *docs.eq(BuyerID=view.buyer_id), docs.field_in("ProductID", ids))
        if ids
        else []
    )
    by_product: dict[str, list[ProductAssignment]] = {}
    for row in rows:
        by_product.setdefault(row["ProductID"], []).append(ProductAssignment.from_doc(row))
    chosen = {p["ID"]: schedule_id_for(p, by_product.get(p["ID"], []), view) for p in items}
    wanted = sorted({s for s in chosen.values() if s})
    schedules = {
        d["ID"]: present_schedule(public(d))
        for d in (await docs.all("priceschedule", R.id.in_(wanted), scope="") if wanted else [])
    }
    out = []
    for product in items:
        shown = {k: v for k, v in public(product).items() if k not in SELLER_ONLY_FIELDS}
        schedule_id = chosen[product["ID"]]
        shown["PriceSchedule"] = schedules.get(schedule_id) if schedule_id else None
        out.append(shown)
    return out


async def visible_product(ctx: Ctx, view: BuyerView, product_id: str) -> Doc:
    docs = ctx.docs
    if await docs.count("product", R.id == product_id, product_visible(docs.pg, view), scope="") == 0:
        raise NotFound("Product", product_id)
    return (await docs.require("product", product_id, object_type="Product")).doc


@endpoint("GET", "/me/products")
async def list_products(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    opts = ctx.list_options(params=("catalogID", "categoryID", "depth", "sellerID"))
    conds: list[ColumnElement[bool]] = [product_visible(ctx.docs.pg, view)]
    catalog_id = opts.params.get("catalogID")
    category_id = opts.params.get("categoryID")
    if category_id:
        # The category's products: no statement is added to the plain list's hot path.
        in_cat = await _catalog_for(ctx, view, catalog_id, required=True)
        assert in_cat is not None  # required=True raises instead
        conds.append(await _in_category(ctx, view, in_cat, category_id))
    elif catalog_id:
        await _require_catalog(ctx, view, catalog_id)
        conds.append(in_catalog(ctx.docs.pg, catalog_id))
    page = await ctx.docs.page(
        "product",
        opts,
        products.SPEC.schema,
        conds=conds,
        scope="",
        searchable=products.PRODUCT_SEARCH,
        default_sort=("Name",),
    )
    page.items[:] = await buyer_products(ctx, view, page.items)
    return products.with_facets(page.wire())


async def _require_catalog(ctx: Ctx, view: BuyerView, catalog_id: str) -> None:
    if await ctx.docs.count("catalog", R.id == catalog_id, catalog_visible(ctx.docs.pg, view)) == 0:
        raise NotFound("Catalog", catalog_id)


async def _catalog_for(ctx: Ctx, view: BuyerView, catalog_id: str | None, *, required: bool) -> str | None:
    """The catalog a category call works in: `catalogID` when given (it must be visible), else
    the buyer's DefaultCatalogID when visible, else the buyer's only visible catalog. With no
    visible catalog: None (400 when `required`); with several and no default: 400."""
    docs = ctx.docs
    if catalog_id:
        await _require_catalog(ctx, view, catalog_id)
        return catalog_id
    buyer = await docs.get("buyer", view.buyer_id)
    default = buyer.doc.get("DefaultCatalogID") if buyer else None
    if default and await docs.count("catalog", R.id == default, catalog_visible(docs.pg, view)) > 0:
        return str(default)
    visible = await docs.all("catalog", catalog_visible(docs.pg, view), scope="", limit=2)
    if len(visible) == 1:
        return str(visible[0]["ID"])
    if not visible and not required:
        return None
    raise ValidationFailed(
        "catalogID is required: the buyer has no default catalog",
        "Product.CategoryFilterRequiresCatalogID" if required else "ValidationFailure",
        {"Field": "catalogID"},
    )


async def _visible_categories(ctx: Ctx, view: BuyerView, catalog_id: str) -> tuple[Tree, set[str]]:
    tree = await category_store.tree(ctx.docs, catalog_id)
    return tree, await category_store.buyer_visible(ctx.docs, catalog_id, view, tree)


async def _in_category(ctx: Ctx, view: BuyerView, catalog_id: str, category_id: str) -> ColumnElement[bool]:
    """Products in a category the user sees and, `depth` (default all) levels down, in its
    visible descendants: depth 1 is the category alone."""
    depth = parse_depth(ctx.query("depth"), None)
    tree, visible = await _visible_categories(ctx, view, catalog_id)
    if category_id not in visible:
        raise NotFound("Category", category_id)
    below = tree.below(category_id, None if depth is None else depth - 1)
    return category_store.products_in_categories(ctx.docs.pg, catalog_id, [category_id, *(below & visible)])


@endpoint("GET", "/me/products/{productID}")
async def get_product(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product = await visible_product(ctx, view, ctx.param("productID"))
    return (await buyer_products(ctx, view, [product]))[0]


@endpoint("GET", "/me/catalogs")
async def list_catalogs(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    page = await ctx.docs.page(
        "catalog",
        ctx.list_options(),
        catalogs.SPEC.schema,
        conds=[catalog_visible(ctx.docs.pg, view)],
        scope="",
        searchable=catalogs.SPEC.searchable,
        sortable=catalogs.SPEC.sortable,
        default_sort=catalogs.SPEC.default_sort,
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


@endpoint("GET", "/me/catalogs/{catalogID}")
async def get_catalog(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    catalog_id = ctx.param("catalogID")
    if await ctx.docs.count("catalog", R.id == catalog_id, catalog_visible(ctx.docs.pg, view)) == 0:
        raise NotFound("Catalog", catalog_id)
    return public((await ctx.docs.require("catalog", catalog_id, object_type="Catalog")).doc)


@endpoint("GET", "/me/categories")
async def list_categories(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    opts = ctx.list_options(params=("catalogID", "productID", "depth"))
    catalog_id = await _catalog_for(ctx, view, opts.params.get("catalogID"), required=False)
    if catalog_id is None:
        return Page([], opts.page, opts.page_size, 0).wire()  # no catalog: nothing to browse
    tree, visible = await _visible_categories(ctx, view, catalog_id)
    conds: list[ColumnElement[bool]] = [R.id.in_(sorted(visible))]
    conds.extend(await categories.depth_conds(ctx, catalog_id, opts, tree))
    product_id = opts.params.get("productID")
    if product_id:
        links = ctx.docs.eq(ProductID=product_id)
        rows = await ctx.docs.all(category_store.PRODUCT_KIND, *links, scope=catalog_id)
        conds.append(R.id.in_(sorted({r["CategoryID"] for r in rows})))
    page = await ctx.docs.page(
        category_store.KIND,
        opts,
        categories.SPEC.schema,
        conds=conds,
        scope=catalog_id,
        searchable=categories.SEARCH,
        sortable=categories.SORT,
        default_sort=categories.SORT,
    )
    page.items[:] = [_shown(d, tree, visible) for d in page.items]
    return page.wire()


def _shown(doc: Doc, tree: Tree, visible: set[str]) -> Doc:
    """A category as a shopper sees it: ChildCount counts the children this user sees, so a
    menu never offers to open a branch that would be empty."""
    return {**public(doc), "ChildCount": sum(c in visible for c in tree.children.get(doc["ID"], []))}


@endpoint("GET", "/me/categories/{categoryID}")
async def get_category(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    category_id = ctx.param("categoryID")
    catalog_id = await _catalog_for(ctx, view, ctx.query("catalogID"), required=False)
    if catalog_id is None:
        raise NotFound("Category", category_id)
    tree, visible = await _visible_categories(ctx, view, catalog_id)
    if category_id not in visible:
        raise NotFound("Category", category_id)
    found = await ctx.docs.require(category_store.KIND, category_id, catalog_id, object_type="Category")
    return _shown(found.doc, tree, visible)


@endpoint("GET", "/me/products/{productID}/specs")
async def list_specs(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product_id = ctx.param("productID")
    await visible_product(ctx, view, product_id)
    page = await ctx.docs.page(
        "spec",
        ctx.list_options(),
        specs.SPEC.schema,
        conds=[R.id.in_(product_spec_ids(ctx.docs.pg, product_id))],
        scope="",
        searchable=specs.SPEC_SEARCH,
        sortable=specs.SPEC_SORT,
        default_sort=specs.SPEC.default_sort,
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


@endpoint("GET", "/me/products/{productID}/specs/{specID}")
async def get_spec(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product_id, spec_id = ctx.param("productID"), ctx.param("specID")
    await visible_product(ctx, view, product_id)
    hit = await ctx.docs.count("spec", R.id == spec_id, R.id.in_(product_spec_ids(ctx.docs.pg, product_id)))
    if hit == 0:
        raise NotFound("Spec", spec_id)
    return public((await ctx.docs.require("spec", spec_id, object_type="Spec")).doc)


def _active(ctx: Ctx) -> ColumnElement[bool]:
    return ctx.docs.json.is_bool(["Active"], True)


@endpoint("GET", "/me/products/{productID}/variants")
async def list_variants(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product_id = ctx.param("productID")
    await visible_product(ctx, view, product_id)
    page = await ctx.docs.page(
        "variant",
        ctx.list_options(),
        schema_of(Variant),
        conds=[_active(ctx)],
        scope=product_id,
        searchable=("ID", "Name", "Description"),
        sortable=("ID", "Name"),
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


@endpoint("GET", "/me/products/{productID}/variants/{variantID}")
async def get_variant(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product_id, variant_id = ctx.param("productID"), ctx.param("variantID")
    await visible_product(ctx, view, product_id)
    if await ctx.docs.count("variant", R.id == variant_id, _active(ctx), scope=product_id) == 0:
        raise NotFound("Variant", variant_id)
    return public((await ctx.docs.require("variant", variant_id, product_id, object_type="Variant")).doc)


async def _records(ctx: Ctx, view: BuyerView, product_id: str, variant_id: str | None) -> Any:
    """Stock records a buyer may draw on: those open to all buyers and those assigned to the
    buyer or one of the user's groups (app.catalog.inventory_assignments)."""
    docs = ctx.docs
    seen = await visible_records(docs, product_id, view.buyer_id, view.group_ids)
    page = await docs.page(
        "inventoryrecord",
        ctx.list_options(params=("includeAddress",)),
        schema_of(InventoryRecord),
        conds=[*docs.eq(_VariantID=variant_id), seen],
        scope=product_id,
        searchable=("ID", "AddressID"),
        sortable=("ID", "AddressID"),
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


@endpoint("GET", "/me/products/{productID}/inventoryrecords")
async def list_inventory_records(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product_id = ctx.param("productID")
    await visible_product(ctx, view, product_id)
    return await _records(ctx, view, product_id, None)


@endpoint("GET", "/me/products/{productID}/variants/{variantID}/inventoryrecords")
async def list_variant_inventory_records(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product_id, variant_id = ctx.param("productID"), ctx.param("variantID")
    await visible_product(ctx, view, product_id)
    await ctx.docs.require("variant", variant_id, product_id, object_type="Variant")
    return await _records(ctx, view, product_id, variant_id)


ROUTES = [
    list_products,
    get_product,
    list_catalogs,
    get_catalog,
    list_categories,
    get_category,
    list_specs,
    get_spec,
    list_variants,
    get_variant,
    list_inventory_records,
    list_variant_inventory_records,
]
