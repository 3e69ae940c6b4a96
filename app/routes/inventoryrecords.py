"""Inventory records: stock held at an address, per product or per variant.

Both levels are `inventoryrecord` documents scoped to the product (so a line item's
InventoryRecordID is found with the product ID alone); a variant-level record carries the private
`_VariantID`. Record IDs are therefore unique per product across both levels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog import specs, stock
from app.http import Ctx
from app.models.catalog import InventoryRecord
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import addresses
from domain.clock import iso, utcnow

READ = ("ProductReader", "ProductAdmin")
WRITE = ("ProductAdmin",)
KIND = "inventoryrecord"


async def _product_scope(ctx: Ctx, caller: Caller) -> str:
    await seller_only(ctx, caller)
    return await specs.require_product(ctx.docs, ctx.param("productID"))


async def _variant_scope(ctx: Ctx, caller: Caller) -> str:
    await seller_only(ctx, caller)
    return await specs.require_product(ctx.docs, ctx.param("productID"), ctx.param("variantID"))


def _variant_id(ctx: Ctx) -> str | None:
    return ctx.param("variantID") if "variantID" in ctx.params else None


async def _level(ctx: Ctx, caller: Caller, scope: str) -> Sequence[ColumnElement[bool]]:
    return stock.records_of_variant(ctx.docs, _variant_id(ctx))


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["Address"] = await addresses.inventory_address(ctx.docs, doc["AddressID"])
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    doc["LastUpdated"] = iso(utcnow())
    doc["_VariantID"] = _variant_id(ctx)
    return doc


def _spec(path: str, scope: Any) -> ResourceSpec:
    return ResourceSpec(
        KIND,
        "InventoryRecord",
        path,
        "inventoryRecordID",
        InventoryRecord,
        READ,
        WRITE,
        readonly=("Address", "LastUpdated"),
        searchable=("ID", "AddressID"),
        sortable=("ID", "AddressID"),
        default_sort=("ID",),
        scope=scope,
        visible=_level,
        on_write=_on_write,
    )


PRODUCT_LEVEL = _spec("/products/{productID}/inventoryrecords", _product_scope)
VARIANT_LEVEL = _spec("/products/{productID}/variants/{variantID}/inventoryrecords", _variant_scope)

ROUTES = [*crud(PRODUCT_LEVEL), *crud(VARIANT_LEVEL)]
