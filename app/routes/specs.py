"""Specs, their options, and their assignments to products."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments
from app.catalog.counts import refresh_product_counts
from app.catalog.specs import OPTION_KIND, SPEC_ASSIGN_KIND, product_spec_ids, sync_options
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import Spec, SpecOption, SpecProductAssignment
from app.resources import Doc, ResourceSpec, crud, public
from app.routes.access import seller_only
from app.store.tables import resources
from domain.errors import NotFound

READ = ("ProductReader", "ProductAdmin")
WRITE = ("ProductAdmin",)
SPEC_SEARCH = ("ID", "Name")
SPEC_SORT = ("ListOrder", "Name", "ID")


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    options = await ctx.docs.all(OPTION_KIND, scope=doc["ID"])
    option_ids = {o["ID"] for o in options}
    if doc.get("DefaultOptionID") and doc["DefaultOptionID"] not in option_ids:
        raise NotFound("SpecOption", doc["DefaultOptionID"])
    return sync_options(doc, options)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    spec_id = doc["ID"]
    await ctx.docs.delete_where(OPTION_KIND, scope=spec_id)
    linked = await ctx.docs.all(SPEC_ASSIGN_KIND, *ctx.docs.eq(SpecID=spec_id))
    await ctx.docs.delete_where(SPEC_ASSIGN_KIND, *ctx.docs.eq(SpecID=spec_id))
    for link in linked:
        await refresh_product_counts(ctx.docs, link["ProductID"])


SPEC = ResourceSpec(
    "spec",
    "Spec",
    "/specs",
    "specID",
    Spec,
    READ,
    WRITE,
    readonly=("OptionCount", "Options"),
    searchable=SPEC_SEARCH,
    sortable=SPEC_SORT,
    default_sort=("ListOrder", "ID"),
    scope=seller_only,
    on_write=_on_write,
    on_delete=_on_delete,
)


async def _spec_scope(ctx: Ctx, caller: Caller) -> str:
    await seller_only(ctx, caller)
    spec_id = ctx.param("specID")
    await ctx.docs.require("spec", spec_id, object_type="Spec")
    return spec_id


async def _resync_spec(ctx: Ctx, spec_id: str, drop: set[str], add: Doc | None) -> None:
    """Keep the spec's embedded `Options` in step with its option documents (the hooks run
    before the option itself is written, so the change is applied to the list here)."""
    stored = (await ctx.docs.require("spec", spec_id, object_type="Spec", lock=True)).doc
    options = [o for o in await ctx.docs.all(OPTION_KIND, scope=spec_id) if o["ID"] not in drop]
    if add is not None:
        options.append(add)
    if stored.get("DefaultOptionID") in drop and (add is None or add["ID"] != stored["DefaultOptionID"]):
        stored["DefaultOptionID"] = None
    await ctx.docs.replace("spec", spec_id, sync_options(stored, options))


async def _option_written(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["PriceMarkupType"] = doc.get("PriceMarkupType") or "NoMarkup"
    drop = {doc["ID"]} | ({existing["ID"]} if existing else set())
    await _resync_spec(ctx, scope, drop, doc)
    return doc


async def _option_deleted(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await _resync_spec(ctx, scope, {doc["ID"]}, None)


OPTION_SPEC = ResourceSpec(
    OPTION_KIND,
    "SpecOption",
    "/specs/{specID}/options",
    "optionID",
    SpecOption,
    READ,
    WRITE,
    readonly=(),
    searchable=("ID", "Value"),
    sortable=("ListOrder", "ID"),
    default_sort=("ListOrder", "ID"),
    scope=_spec_scope,
    on_write=_option_written,
    on_delete=_option_deleted,
)


# --------------------------------------------------------------------------- product assignments


@endpoint("GET", "/specs/productassignments")
async def list_product_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        SPEC_ASSIGN_KIND,
        SpecProductAssignment,
        params={"specID": "SpecID", "productID": "ProductID"},
        sort=("SpecID", "ProductID"),
    )


@endpoint("POST", "/specs/productassignments")
async def save_product_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    doc = assignments.parse(await ctx.body_object(), SpecProductAssignment)
    await ctx.docs.require("spec", doc["SpecID"], object_type="Spec")
    await ctx.docs.require("product", doc["ProductID"], object_type="Product")
    if doc.get("DefaultOptionID"):
        await ctx.docs.require(OPTION_KIND, doc["DefaultOptionID"], doc["SpecID"], object_type="SpecOption")
    await assignments.upsert(ctx.docs, SPEC_ASSIGN_KIND, doc, ("SpecID", "ProductID"))
    await refresh_product_counts(ctx.docs, doc["ProductID"])
    return NO_CONTENT, 204


@endpoint("DELETE", "/specs/{specID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    spec_id, product_id = ctx.param("specID"), ctx.param("productID")
    await ctx.docs.require("spec", spec_id, object_type="Spec")
    await ctx.docs.delete(SPEC_ASSIGN_KIND, assignments.synthetic_id(spec_id, product_id))
    await refresh_product_counts(ctx.docs, product_id)
    return NO_CONTENT, 204


@endpoint("GET", "/products/{productID}/specs")
async def list_product_specs(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    product_id = ctx.param("productID")
    await ctx.docs.require("product", product_id, object_type="Product")
    page = await ctx.docs.page(
        "spec",
        ctx.list_options(),
        SPEC.schema,
        conds=[resources.c.id.in_(product_spec_ids(ctx.docs.pg, product_id))],
        scope="",
        searchable=SPEC_SEARCH,
        sortable=SPEC_SORT,
        default_sort=("ListOrder", "ID"),
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


ROUTES = [
    list_product_assignments,
    save_product_assignment,
    delete_product_assignment,
    *crud(SPEC),
    *crud(OPTION_SPEC),
    list_product_specs,
]
