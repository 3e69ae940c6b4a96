"""Specs, their options, and their assignments to products."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments, specs
from app.catalog.specs import OPTION_KIND, SPEC_ASSIGN_KIND
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import Spec, SpecOption, SpecProductAssignment
from app.resources import Doc, ResourceSpec, crud, page_of
from app.routes.access import seller_only

READ = ("ProductReader", "ProductAdmin")
WRITE = ("ProductAdmin",)
SPEC_SEARCH = ("ID", "Name")
SPEC_SORT = ("ListOrder", "Name", "ID")


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await specs.prepare_spec(ctx.docs, doc, existing, ctx.services.marketplace_id)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await specs.forget_spec(ctx.docs, doc["ID"])


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
    return await specs.require_spec(ctx.docs, ctx.param("specID"))


async def _option_written(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await specs.prepare_option(ctx.docs, scope, doc, existing)


async def _option_deleted(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await specs.option_deleted(ctx.docs, scope, doc["ID"])


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
    await specs.assign_product(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/specs/{specID}/productassignments/{productID}")
async def delete_product_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    await seller_only(ctx, caller)
    spec_id, product_id = ctx.param("specID"), ctx.param("productID")
    await specs.unassign_product(ctx.docs, spec_id, product_id)
    return NO_CONTENT, 204


@endpoint("GET", "/products/{productID}/specs")
async def list_product_specs(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ)
    await seller_only(ctx, caller)
    conds = [await specs.specs_of_product(ctx.docs, ctx.param("productID"))]
    return await page_of(ctx, SPEC, caller, ctx.list_options(), conds)


ROUTES = [
    list_product_assignments,
    save_product_assignment,
    delete_product_assignment,
    *crud(SPEC),
    *crud(OPTION_SPEC),
    list_product_specs,
]
