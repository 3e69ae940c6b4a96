"""What a buyer user's storefront (`/me/products`, `/me/catalogs`, `/me/categories` and what
hangs off a product) reads: which documents the user may see and each product with the price
schedule that applies to that user. Visibility is SQL (`app.catalog.visibility`), so filters,
search, sorting and paging all run in the database; the `/me` routes list with these conditions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.catalog import categories
from app.catalog.access import BuyerView, schedule_id_for
from app.catalog.inventory_assignments import visible_records
from app.catalog.schedules import present_schedule
from app.catalog.specs import product_spec_ids
from app.catalog.visibility import catalog_visible, in_catalog, product_visible, product_visible_in_bulk
from app.list_options import ListOptions
from app.store.repo import Docs
from domain.categories import Tree, parse_depth
from domain.errors import NotFound, ValidationFailed
from domain.pricing import ProductAssignment

Doc = dict[str, Any]
# Product fields a buyer never sees (BuyerProduct has none of them).
SELLER_ONLY_FIELDS = ("OwnerID", "DefaultPriceScheduleID", "AutoForward")


def _public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


async def buyer_products(docs: Docs, view: BuyerView, items: list[Doc]) -> list[Doc]:
    """BuyerProducts for a page of products: two queries for the whole page (assignments, then
    schedules), not one per product."""
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
        d["ID"]: present_schedule(_public(d))
        for d in (await docs.all("priceschedule", docs.id_in(wanted), scope="") if wanted else [])
    }
    out = []
    for product in items:
        shown = {k: v for k, v in _public(product).items() if k not in SELLER_ONLY_FIELDS}
        schedule_id = chosen[product["ID"]]
        shown["PriceSchedule"] = schedules.get(schedule_id) if schedule_id else None
        out.append(shown)
    return out


async def visible_product(docs: Docs, view: BuyerView, product_id: str) -> Doc:
    if await docs.count("product", docs.id_in([product_id]), product_visible(docs.pg, view), scope="") == 0:
        raise NotFound("Product", product_id)
    return (await docs.require("product", product_id, object_type="Product")).doc


async def product_conds(docs: Docs, view: BuyerView, params: dict[str, str]) -> list[ColumnElement[bool]]:
    """The products the user sees, narrowed by `catalogID`, `categoryID` and `depth`."""
    conds: list[ColumnElement[bool]] = [product_visible(docs.pg, view)]
    catalog_id = params.get("catalogID")
    category_id = params.get("categoryID")
    if category_id:
        # The category's products: no statement is added to the plain list's hot path.
        in_cat = await catalog_for(docs, view, catalog_id, required=True)
        assert in_cat is not None  # required=True raises instead
        conds.append(await _in_category(docs, view, in_cat, category_id, params.get("depth")))
    elif catalog_id:
        await _require_catalog(docs, view, catalog_id)
        conds.append(in_catalog(docs.pg, catalog_id))
    return conds


def bulk_conds(docs: Docs, view: BuyerView, conds: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """`product_conds` for reading every matching product in one statement (facet counts): the
    visibility rule in its set form (`visibility.product_visible_in_bulk`), the rest as is."""
    paged = product_visible(docs.pg, view)  # the same object product_conds used (cached)
    return [product_visible_in_bulk(docs.pg, view) if c is paged else c for c in conds]


async def _require_catalog(docs: Docs, view: BuyerView, catalog_id: str) -> None:
    if await docs.count("catalog", docs.id_in([catalog_id]), catalog_visible(docs.pg, view)) == 0:
        raise NotFound("Catalog", catalog_id)


async def catalog_for(docs: Docs, view: BuyerView, catalog_id: str | None, *, required: bool) -> str | None:
    """The catalog a category call works in: `catalogID` when given (it must be visible), else
    the buyer's DefaultCatalogID when visible, else the buyer's only visible catalog. With no
    visible catalog: None (400 when `required`); with several and no default: 400."""
    if catalog_id:
        await _require_catalog(docs, view, catalog_id)
        return catalog_id
    buyer = await docs.get("buyer", view.buyer_id)
    default = buyer.doc.get("DefaultCatalogID") if buyer else None
    if default and await docs.count("catalog", docs.id_in([default]), catalog_visible(docs.pg, view)) > 0:
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


async def visible_categories(docs: Docs, view: BuyerView, catalog_id: str) -> tuple[Tree, set[str]]:
    tree = await categories.tree(docs, catalog_id)
    return tree, await categories.buyer_visible(docs, catalog_id, view, tree)


async def _in_category(
    docs: Docs, view: BuyerView, catalog_id: str, category_id: str, raw_depth: str | None
) -> ColumnElement[bool]:
    """Products in a category the user sees and, `depth` (default all) levels down, in its
    visible descendants: depth 1 is the category alone."""
    depth = parse_depth(raw_depth, None)
    tree, visible = await visible_categories(docs, view, catalog_id)
    if category_id not in visible:
        raise NotFound("Category", category_id)
    below = tree.below(category_id, None if depth is None else depth - 1)
    return categories.products_in_categories(docs.pg, catalog_id, [category_id, *(below & visible)])


def catalog_conds(docs: Docs, view: BuyerView) -> list[ColumnElement[bool]]:
    return [catalog_visible(docs.pg, view)]


async def visible_catalog(docs: Docs, view: BuyerView, catalog_id: str) -> Doc:
    await _require_catalog(docs, view, catalog_id)
    return (await docs.require("catalog", catalog_id, object_type="Catalog")).doc


async def category_conds(
    docs: Docs, catalog_id: str, tree: Tree, visible: set[str], opts: ListOptions
) -> list[ColumnElement[bool]]:
    """The visible categories of a catalog, narrowed by `depth` and `productID`."""
    conds: list[ColumnElement[bool]] = [docs.id_in(sorted(visible))]
    conds.extend(await categories.depth_conds(docs, catalog_id, opts, opts.params.get("depth"), tree))
    product_id = opts.params.get("productID")
    if product_id:
        rows = await docs.all(categories.PRODUCT_KIND, *docs.eq(ProductID=product_id), scope=catalog_id)
        conds.append(docs.id_in(sorted({r["CategoryID"] for r in rows})))
    return conds


async def visible_category(
    docs: Docs, view: BuyerView, catalog_id: str | None, category_id: str
) -> tuple[Doc, Tree, set[str]]:
    """A category the user sees, with the tree and the visible IDs its ChildCount needs."""
    if catalog_id is None:
        raise NotFound("Category", category_id)
    tree, visible = await visible_categories(docs, view, catalog_id)
    if category_id not in visible:
        raise NotFound("Category", category_id)
    found = await docs.require(categories.KIND, category_id, catalog_id, object_type="Category")
    return found.doc, tree, visible


def spec_conds(docs: Docs, product_id: str) -> list[ColumnElement[bool]]:
    """The specs assigned to a product."""
    return [docs.id_in(product_spec_ids(docs.pg, product_id))]


async def product_spec(docs: Docs, product_id: str, spec_id: str) -> Doc:
    if await docs.count("spec", docs.id_in([spec_id]), *spec_conds(docs, product_id)) == 0:
        raise NotFound("Spec", spec_id)
    return (await docs.require("spec", spec_id, object_type="Spec")).doc


def active(docs: Docs) -> list[ColumnElement[bool]]:
    """Only active variants show in the storefront."""
    return [docs.json.is_bool(["Active"], True)]


async def active_variant(docs: Docs, product_id: str, variant_id: str) -> Doc:
    if await docs.count("variant", docs.id_in([variant_id]), *active(docs), scope=product_id) == 0:
        raise NotFound("Variant", variant_id)
    return (await docs.require("variant", variant_id, product_id, object_type="Variant")).doc


async def record_conds(
    docs: Docs, view: BuyerView, product_id: str, variant_id: str | None
) -> list[ColumnElement[bool]]:
    """Stock records a buyer may draw on: those open to all buyers and those assigned to the
    buyer or one of the user's groups (app.catalog.inventory_assignments); of a variant, which
    must exist."""
    if variant_id is not None:
        await docs.require("variant", variant_id, product_id, object_type="Variant")
    seen = await visible_records(docs, product_id, view.buyer_id, view.group_ids)
    return [*docs.eq(_VariantID=variant_id), seen]
