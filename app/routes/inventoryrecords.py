"""Inventory records: stock held at an address, per product or per variant.

Both levels are `inventoryrecord` documents scoped to the product (so a line item's
InventoryRecordID is found with the product ID alone); a variant-level record carries the private
`_VariantID`. Record IDs are therefore unique per product across both levels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog import assignments, inventory_assignments, specs, stock
from app.catalog.inventory_assignments import KEYS as ASSIGN_KEYS
from app.catalog.inventory_assignments import KIND as ASSIGN_KIND
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import InventoryRecord
from app.models.config import InventoryRecordAssignment
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


# ----------------------------------------------------------------------------- assignments
# Which buyers (or user groups) see a record that is not open to all buyers. An assignment
# carries the private `_VariantID` of its record's level, so each level lists its own.


def _assignment_routes(path: str, scope: Any) -> list[Any]:
    """List, save and delete the assignments of one level's records (`path` is the level's
    collection, `/products/{productID}/inventoryrecords` or its variant form)."""

    @endpoint("GET", f"{path}/assignments")
    async def list_assignments(ctx: Ctx) -> Any:
        product_id = await scope(ctx, await ctx.caller(*READ))
        return await assignments.list_page(
            ctx,
            ctx.list_options,
            ASSIGN_KIND,
            InventoryRecordAssignment,
            params={
                "inventoryRecordID": "InventoryRecordID",
                "buyerID": "BuyerID",
                "userGroupID": "UserGroupID",
            },
            conds=inventory_assignments.level_conds(ctx.docs, _variant_id(ctx), ctx.query("level")),
            scope=product_id,
            sort=ASSIGN_KEYS,
            extra_params=("level",),
        )

    @endpoint("POST", f"{path}/assignments")
    async def save_assignment(ctx: Ctx) -> Any:
        product_id = await scope(ctx, await ctx.caller(*WRITE))
        doc = assignments.parse(await ctx.body_object(), InventoryRecordAssignment)
        await inventory_assignments.save(ctx.docs, product_id, _variant_id(ctx), doc)
        return NO_CONTENT, 204

    @endpoint("DELETE", f"{path}/{{inventoryRecordID}}/assignments")
    async def delete_assignment(ctx: Ctx) -> Any:
        product_id = await scope(ctx, await ctx.caller(*WRITE))
        await inventory_assignments.delete(
            ctx.docs,
            product_id,
            _variant_id(ctx),
            ctx.param("inventoryRecordID"),
            ctx.query("buyerID"),
            ctx.query("userGroupID"),
        )
        return NO_CONTENT, 204

    return [list_assignments, save_assignment, delete_assignment]


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    """A deleted record takes its assignments with it."""
    await inventory_assignments.delete_for_record(ctx.docs, scope, doc["ID"])


PRODUCT_LEVEL.on_delete = VARIANT_LEVEL.on_delete = _on_delete

# The static `.../inventoryrecords/assignments` routes come before `.../{inventoryRecordID}`.
ROUTES = [
    *_assignment_routes(PRODUCT_LEVEL.path, _product_scope),
    *_assignment_routes(VARIANT_LEVEL.path, _variant_scope),
    *crud(PRODUCT_LEVEL),
    *crud(VARIANT_LEVEL),
]
