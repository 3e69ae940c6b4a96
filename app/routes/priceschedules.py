"""Price schedules and their price breaks."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog.schedules import check_schedule, present_schedule
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.catalog import PriceBreak, PriceSchedule
from app.resources import Doc, ResourceSpec, crud, load, public, store
from app.routes.access import seller_only
from app.wire import to_doc
from domain.errors import NotFound, ValidationFailed

READ = ("PriceScheduleReader", "PriceScheduleAdmin")


async def _present(ctx: Ctx, doc: Doc) -> Doc:
    return present_schedule(doc)


WRITE = ("PriceScheduleAdmin",)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    check_schedule(doc, existing)
    return doc


SPEC = ResourceSpec(
    "priceschedule",
    "PriceSchedule",
    "/priceschedules",
    "priceScheduleID",
    PriceSchedule,
    READ,
    WRITE,
    readonly=("IsOnSale",),
    searchable=("ID", "Name", "Currency"),
    sortable=("Name", "ID", "OwnerID"),
    default_sort=("Name",),
    scope=seller_only,
    on_write=_on_write,
    present=_present,
)


class PriceBreakNotFound(NotFound):
    def __init__(self, schedule_id: str, quantity: Any) -> None:
        super().__init__("PriceBreak", str(quantity), f"No price break with Quantity {quantity}")
        self.code = "PriceSchedule.QtyNotFound"
        self.data = {"PriceScheduleID": schedule_id, "Quantity": quantity}


@endpoint("POST", "/priceschedules/{priceScheduleID}/PriceBreaks")
async def save_price_break(ctx: Ctx) -> Any:
    """Add a break, or replace the one with the same Quantity; answers the whole schedule."""
    caller = await ctx.caller(*WRITE)
    scope = await seller_only(ctx, caller)
    schedule_id = ctx.param("priceScheduleID")
    existing = await load(ctx, SPEC, caller, scope, schedule_id, lock=True)
    new_break = to_doc(await ctx.body_as(PriceBreak))
    breaks = [b for b in existing.get("PriceBreaks") or [] if b["Quantity"] != new_break["Quantity"]]
    doc = {**public(existing), "PriceBreaks": [*breaks, new_break]}
    return await store(ctx, SPEC, caller, scope, doc, existing, schedule_id)


@endpoint("DELETE", "/priceschedules/{priceScheduleID}/PriceBreaks")
async def delete_price_break(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE)
    scope = await seller_only(ctx, caller)
    schedule_id = ctx.param("priceScheduleID")
    existing = await load(ctx, SPEC, caller, scope, schedule_id, lock=True)
    raw = ctx.query("quantity")
    try:
        quantity = int(raw) if raw is not None else None
    except ValueError:
        quantity = None
    if quantity is None:
        raise ValidationFailed("quantity must be a whole number", "ValidationFailure", {"quantity": raw})
    breaks = existing.get("PriceBreaks") or []
    kept = [b for b in breaks if b["Quantity"] != quantity]
    if len(kept) == len(breaks):
        raise PriceBreakNotFound(schedule_id, quantity)
    if not kept:
        raise ValidationFailed(
            "The last price break of a schedule cannot be deleted",
            "PriceSchedule.CannotDeleteLastPriceBreak",
            {"PriceScheduleID": schedule_id},
        )
    await store(ctx, SPEC, caller, scope, {**public(existing), "PriceBreaks": kept}, existing, schedule_id)
    return NO_CONTENT, 204


ROUTES = [*crud(SPEC), save_price_break, delete_price_break]
