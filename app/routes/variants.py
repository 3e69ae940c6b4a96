"""Product variants: generated from the product's variant-defining specs, then edited one by one."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import specs
from app.catalog.stock import stamp_inventory
from app.http import Ctx, endpoint
from app.models.catalog import Variant, VariantOverrides
from app.resources import Doc, ResourceSpec, crud, load, normalize, public, store
from app.routes.access import seller_only
from app.wire import id_or, validate

READ = ("ProductReader", "ProductAdmin")
WRITE = ("ProductAdmin",)


async def product_scope(ctx: Ctx, caller: Caller) -> str:
    await seller_only(ctx, caller)
    return await specs.require_product(ctx.docs, ctx.param("productID"))


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return stamp_inventory(doc, existing)


SPEC = ResourceSpec(
    "variant",
    "Variant",
    "/products/{productID}/variants",
    "variantID",
    Variant,
    READ,
    WRITE,
    readonly=("Specs",),
    searchable=("ID", "Name", "Description"),
    sortable=("ID", "Name"),
    default_sort=("ID",),
    scope=product_scope,
    on_write=_on_write,
    operations=("list", "get", "patch"),
)


@endpoint("PUT", "/products/{productID}/variants/{variantID}")
async def save_variant(ctx: Ctx) -> Any:
    """Variants only come from GenerateVariants, so saving a missing one is a 404, not a create."""
    caller = await ctx.caller(*WRITE)
    scope = await product_scope(ctx, caller)
    current_id = ctx.param("variantID")
    existing = await load(ctx, SPEC, caller, scope, current_id, lock=True)
    data = await ctx.body_object()
    data["ID"] = id_or(data, current_id)
    return await store(ctx, SPEC, caller, scope, normalize(SPEC, data, existing), existing, current_id)


@endpoint("POST", "/products/{productID}/variants/generate", status=200)
async def generate(ctx: Ctx) -> Any:
    """One variant per combination of options of the product's variant-defining specs.

    Without `overwriteExisting=true`, a variant that already exists keeps its edits (only its
    Specs are refreshed); with it, every variant is rebuilt. Variants whose combination no longer
    exists are removed either way."""
    caller = await ctx.caller(*WRITE)
    product_id = await product_scope(ctx, caller)
    overrides = validate(await ctx.body_object(required=False), VariantOverrides)
    overwrite = (ctx.query("overwriteExisting") or "").lower() == "true"
    active = overrides.active if overrides.active is not None else True
    product = await specs.generate_variants(ctx.docs, product_id, active=active, overwrite=overwrite)
    return public(product)


ROUTES = [generate, *crud(SPEC), save_variant]
