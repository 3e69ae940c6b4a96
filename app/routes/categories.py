"""Categories of a catalog (a `ParentID` tree), their assignments to buyers and user groups, and
the products in them. Rules chosen where OrderCloud is silent: docs/catalog.md, "Categories"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog import assignments
from app.catalog import categories as store
from app.catalog.rename import repoint
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions
from app.models.catalog import Category, CategoryAssignment, CategoryProductAssignment
from app.resources import Doc, ResourceSpec, crud, public
from app.routes.access import seller_only
from domain.categories import Tree, parse_depth
from domain.errors import ValidationFailed

READ = ("CategoryReader", "CategoryAdmin")
WRITE = ("CategoryAdmin",)
SEARCH = ("ID", "Name", "Description")
SORT = ("ListOrder", "Name", "ID")
ASSIGN_KEYS = ("CategoryID", "BuyerID", "UserGroupID")
PRODUCT_KEYS = ("CategoryID", "ProductID")


async def catalog_scope(ctx: Ctx, caller: Caller) -> str:
    """Categories live in a catalog: the seller's users only, and the catalog must exist."""
    await seller_only(ctx, caller)
    catalog_id = ctx.param("catalogID")
    await ctx.docs.require("catalog", catalog_id, object_type="Catalog")
    return catalog_id


async def _category(ctx: Ctx, catalog_id: str, category_id: str | None) -> Doc:
    return (await ctx.docs.require(store.KIND, category_id or "", catalog_id, object_type="Category")).doc


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    docs = ctx.docs
    parent_id = doc.get("ParentID")
    if parent_id:
        await _category(ctx, scope, parent_id)
        current = existing["ID"] if existing else doc["ID"]
        if parent_id in (current, doc["ID"]) or (
            existing and (await store.tree(docs, scope)).would_cycle(current, parent_id)
        ):
            raise ValidationFailed(
                "A category cannot be its own ancestor",
                "Category.CircularReference",
                {"CategoryID": doc["ID"], "ParentID": parent_id},
            )
    if existing is None:
        # The category is inserted right after this hook, so the catalog's count includes it.
        await _set_category_count(ctx, scope, 1)
    elif existing["ID"] != doc["ID"]:
        # Children and assignments follow a renamed category, within this catalog only.
        await repoint(docs, store.KIND, "ParentID", existing["ID"], doc["ID"], scope=scope)
        for kind in (store.ASSIGN_KIND, store.PRODUCT_KIND):
            await repoint(docs, kind, "CategoryID", existing["ID"], doc["ID"], scope=scope)
    doc["ChildCount"] = None  # counted when shown
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    """OrderCloud: deleting a parent category also deletes its children (every level below),
    and with them their assignments."""
    docs = ctx.docs
    below = sorted((await store.tree(docs, scope)).below(doc["ID"], None))
    gone = [doc["ID"], *below]
    for kind in (store.ASSIGN_KIND, store.PRODUCT_KIND):
        await docs.delete_where(kind, docs.field_in("CategoryID", gone), scope=scope)
    if below:
        await docs.delete_where(store.KIND, store.R.id.in_(below), scope=scope)
    # The category itself is deleted right after this hook.
    await _set_category_count(ctx, scope, -1)


async def _set_category_count(ctx: Ctx, catalog_id: str, pending: int) -> None:
    """Catalog.CategoryCount: the categories stored now plus the one insert (+1) or delete (-1)
    the handler makes after its hook, in the same transaction."""
    found = await ctx.docs.get("catalog", catalog_id, lock=True)
    if found is None:
        return
    count = await ctx.docs.count(store.KIND, scope=catalog_id) + pending
    await ctx.docs.replace("catalog", catalog_id, {**found.doc, "CategoryCount": count})


async def _present(ctx: Ctx, doc: Doc) -> Doc:
    catalog_id = ctx.param("catalogID")
    return (await store.with_child_counts(ctx.docs, catalog_id, [doc]))[0]


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


async def depth_conds(
    ctx: Ctx, catalog_id: str, opts: ListOptions, tree: Tree | None = None
) -> list[ColumnElement[bool]]:
    """`depth` (default 1) counted from a plain `ParentID` filter, else from the catalog's top."""
    depth = parse_depth(ctx.query("depth"), 1)
    # An unknown ParentID is a filter that matches nothing (no 404, which would tell a shopper
    # whether a hidden category exists).
    root = store.plain_parent(opts)
    cond = store.within_depth(tree or await store.tree(ctx.docs, catalog_id), root, depth)
    return [] if cond is None else [cond]


@endpoint("GET", "/catalogs/{catalogID}/categories")
async def list_categories(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    catalog_id = await catalog_scope(ctx, caller)
    opts = ctx.list_options(params=("depth",))
    conds = await depth_conds(ctx, catalog_id, opts)
    page = await ctx.docs.page(
        store.KIND,
        opts,
        SPEC.schema,
        conds=conds,
        scope=catalog_id,
        searchable=SEARCH,
        sortable=SORT,
        default_sort=SORT,
    )
    page.items[:] = await store.with_child_counts(ctx.docs, catalog_id, [public(d) for d in page.items])
    return page.wire()


# --------------------------------------------------------------------------- assignments


def _level(ctx: Ctx) -> list[ColumnElement[bool]]:
    level = (ctx.query("level") or "").lower()
    if level == "group":
        return [~ctx.docs.json.is_null(["UserGroupID"])]
    if level == "company":
        return list(ctx.docs.eq(UserGroupID=None))
    if level == "user" or ctx.query("userID"):
        # ordercore has no user-level category assignments, so none match.
        return [store.R.id.is_(None)]
    if level:
        raise ValidationFailed("level must be User, Group or Company", "ValidationFailure", {"level": level})
    return []


@endpoint("GET", "/catalogs/{catalogID}/categories/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*READ))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        store.ASSIGN_KIND,
        CategoryAssignment,
        params={"categoryID": "CategoryID", "buyerID": "BuyerID", "userGroupID": "UserGroupID"},
        conds=_level(ctx),
        scope=catalog_id,
        sort=ASSIGN_KEYS,
        extra_params=("level", "userID"),
    )


@endpoint("POST", "/catalogs/{catalogID}/categories/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), CategoryAssignment)
    if not doc.get("BuyerID"):
        raise ValidationFailed(
            "A category assignment needs a BuyerID", "Category.NoBuyer", {"Field": "BuyerID"}
        )
    await _category(ctx, catalog_id, doc["CategoryID"])
    await ctx.docs.require("buyer", doc["BuyerID"], object_type="Buyer")
    if doc.get("UserGroupID"):
        await ctx.docs.require("usergroup", doc["UserGroupID"], doc["BuyerID"], object_type="UserGroup")
    await assignments.upsert(ctx.docs, store.ASSIGN_KIND, doc, ASSIGN_KEYS, scope=catalog_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/categories/{categoryID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    category_id = ctx.param("categoryID")
    await _category(ctx, catalog_id, category_id)
    buyer_id = ctx.query("buyerID")
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "Category.NoBuyer", {"Field": "buyerID"})
    key = assignments.synthetic_id(category_id, buyer_id, ctx.query("userGroupID") or None)
    await ctx.docs.delete(store.ASSIGN_KIND, key, catalog_id)
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
        sort=("ListOrder", *PRODUCT_KEYS),
    )


@endpoint("POST", "/catalogs/{catalogID}/categories/productassignments")
async def save_product_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), CategoryProductAssignment)
    await _category(ctx, catalog_id, doc["CategoryID"])
    product = (await ctx.docs.require("product", doc["ProductID"], object_type="Product")).doc
    if product.get("ParentID"):
        raise ValidationFailed(
            "A child product cannot be assigned to a category; assign its parent",
            "Category.CannotAssignChildProduct",
            {"ProductID": doc["ProductID"], "ParentID": product["ParentID"]},
        )
    await assignments.upsert(ctx.docs, store.PRODUCT_KIND, doc, PRODUCT_KEYS, scope=catalog_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/catalogs/{catalogID}/categories/{categoryID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    catalog_id = await catalog_scope(ctx, await ctx.caller(*WRITE))
    category_id, product_id = ctx.param("categoryID"), ctx.param("productID")
    await _category(ctx, catalog_id, category_id)
    await ctx.docs.delete(store.PRODUCT_KIND, assignments.synthetic_id(category_id, product_id), catalog_id)
    return NO_CONTENT, 204


# Static `.../categories/assignments` routes are registered before `.../categories/{categoryID}`.
ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_product_assignments,
    save_product_assignment,
    delete_product_assignment,
    list_categories,
    *crud(SPEC),
]
