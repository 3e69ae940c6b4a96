"""The storefront: the products, catalogs, specs, variants and stock a buyer user may see, each
product with the price schedule that applies to that user. What the user may see is decided in
`app.catalog.storefront` (SQL, so filters, search, sorting and paging all run in the database)."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import bundles, storefront
from app.catalog.access import BuyerView, buyer_view
from app.http import Ctx, endpoint
from app.listing import Page, schema_of
from app.models.catalog import InventoryRecord, Variant
from app.resources import Doc, Listing, listing_page, public
from app.routes import catalogs, categories, products, specs
from domain.categories import Tree
from domain.errors import Forbidden

SHOPPER = ("Shopper",)
PRODUCTS = Listing(
    "product", products.SPEC.schema, searchable=products.PRODUCT_SEARCH, default_sort=("Name",)
)
CATALOGS = Listing(
    "catalog",
    catalogs.SPEC.schema,
    searchable=catalogs.SPEC.searchable,
    sortable=catalogs.SPEC.sortable,
    default_sort=catalogs.SPEC.default_sort,
)
CATEGORIES = Listing(
    "category",
    categories.SPEC.schema,
    searchable=categories.SEARCH,
    sortable=categories.SORT,
    default_sort=categories.SORT,
)
SPECS = Listing(
    "spec",
    specs.SPEC.schema,
    searchable=specs.SPEC_SEARCH,
    sortable=specs.SPEC_SORT,
    default_sort=specs.SPEC.default_sort,
)
VARIANTS = Listing(
    "variant", schema_of(Variant), searchable=("ID", "Name", "Description"), sortable=("ID", "Name")
)
RECORDS = Listing(
    "inventoryrecord",
    schema_of(InventoryRecord),
    searchable=("ID", "AddressID"),
    sortable=("ID", "AddressID"),
)


async def shopper(ctx: Ctx) -> tuple[Caller, BuyerView]:
    caller = await ctx.caller(*SHOPPER)
    if not caller.is_buyer:
        raise Forbidden(
            "Only buyer users have a storefront", "Auth.InsufficientRoles", {"UserType": caller.user_type}
        )
    return caller, await buyer_view(ctx.docs, caller)


async def _visible_product(ctx: Ctx) -> tuple[BuyerView, str]:
    """The shopper's view and the path's product, which the shopper must see."""
    _, view = await shopper(ctx)
    product_id = ctx.param("productID")
    await storefront.visible_product(ctx.docs, view, product_id)
    return view, product_id


@endpoint("GET", "/me/products")
async def list_products(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    opts = ctx.list_options(params=("catalogID", "categoryID", "depth", "sellerID"))
    conds = [
        *await storefront.product_conds(ctx.docs, view, opts.params),
        *bundles.products_of_bundles(ctx.docs, opts),
    ]
    # Stored products as they are: `buyer_products` decides what a buyer sees of them. Products
    # are all top-level (scope ""), so no scope condition: without it the count of visible
    # products can merge the products' (kind, id) index with the keyed reach rows in ID order.
    page = await listing_page(ctx, PRODUCTS, opts, conds=conds, scope=None, show=lambda d: d)
    page["Items"] = await storefront.buyer_products(ctx.docs, view, page["Items"])
    counted = storefront.bulk_conds(ctx.docs, view, conds)
    return await products.with_facets(ctx, page, opts, counted)


@endpoint("GET", "/me/products/{productID}")
async def get_product(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    product = await storefront.visible_product(ctx.docs, view, ctx.param("productID"))
    return (await storefront.buyer_products(ctx.docs, view, [product]))[0]


@endpoint("GET", "/me/catalogs")
async def list_catalogs(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    conds = storefront.catalog_conds(ctx.docs, view)
    return await listing_page(ctx, CATALOGS, ctx.list_options(), conds=conds, scope="")


@endpoint("GET", "/me/catalogs/{catalogID}")
async def get_catalog(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    return public(await storefront.visible_catalog(ctx.docs, view, ctx.param("catalogID")))


@endpoint("GET", "/me/categories")
async def list_categories(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    opts = ctx.list_options(params=("catalogID", "productID", "depth"))
    catalog_id = await storefront.catalog_for(ctx.docs, view, opts.params.get("catalogID"), required=False)
    if catalog_id is None:
        return Page([], opts.page, opts.page_size, 0).wire()  # no catalog: nothing to browse
    tree, visible = await storefront.visible_categories(ctx.docs, view, catalog_id)
    conds = await storefront.category_conds(ctx.docs, catalog_id, tree, visible, opts)
    return await listing_page(
        ctx, CATEGORIES, opts, conds=conds, scope=catalog_id, show=lambda d: _shown(d, tree, visible)
    )


def _shown(doc: Doc, tree: Tree, visible: set[str]) -> Doc:
    """A category as a shopper sees it: ChildCount counts the children this user sees, so a
    menu never offers to open a branch that would be empty."""
    return {**public(doc), "ChildCount": sum(c in visible for c in tree.children.get(doc["ID"], []))}


@endpoint("GET", "/me/categories/{categoryID}")
async def get_category(ctx: Ctx) -> Any:
    _, view = await shopper(ctx)
    category_id = ctx.param("categoryID")
    catalog_id = await storefront.catalog_for(ctx.docs, view, ctx.query("catalogID"), required=False)
    doc, tree, visible = await storefront.visible_category(ctx.docs, view, catalog_id, category_id)
    return _shown(doc, tree, visible)


@endpoint("GET", "/me/products/{productID}/specs")
async def list_specs(ctx: Ctx) -> Any:
    _, product_id = await _visible_product(ctx)
    conds = storefront.spec_conds(ctx.docs, product_id)
    return await listing_page(ctx, SPECS, ctx.list_options(), conds=conds, scope="")


@endpoint("GET", "/me/products/{productID}/specs/{specID}")
async def get_spec(ctx: Ctx) -> Any:
    _, product_id = await _visible_product(ctx)
    return public(await storefront.product_spec(ctx.docs, product_id, ctx.param("specID")))


@endpoint("GET", "/me/products/{productID}/variants")
async def list_variants(ctx: Ctx) -> Any:
    _, product_id = await _visible_product(ctx)
    conds = storefront.active(ctx.docs)
    return await listing_page(ctx, VARIANTS, ctx.list_options(), conds=conds, scope=product_id)


@endpoint("GET", "/me/products/{productID}/variants/{variantID}")
async def get_variant(ctx: Ctx) -> Any:
    _, product_id = await _visible_product(ctx)
    return public(await storefront.active_variant(ctx.docs, product_id, ctx.param("variantID")))


async def _records(ctx: Ctx, variant_id: str | None) -> Any:
    view, product_id = await _visible_product(ctx)
    conds = await storefront.record_conds(ctx.docs, view, product_id, variant_id)
    opts = ctx.list_options(params=("includeAddress",))
    return await listing_page(ctx, RECORDS, opts, conds=conds, scope=product_id)


@endpoint("GET", "/me/products/{productID}/inventoryrecords")
async def list_inventory_records(ctx: Ctx) -> Any:
    return await _records(ctx, None)


@endpoint("GET", "/me/products/{productID}/variants/{variantID}/inventoryrecords")
async def list_variant_inventory_records(ctx: Ctx) -> Any:
    return await _records(ctx, ctx.param("variantID"))


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
