"""`/shipments[/{shipmentID}[/items[/{orderID}/{lineItemID}]|/shipfrom|/shipto]]`."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions
from app.models.fulfilment import Shipment
from app.resources import Doc, ResourceSpec, crud, normalize, public, shown, store
from app.services import shipping
from app.services.shipping import SHIPMENT_READ_ROLES, SHIPMENT_WRITE_ROLES
from app.wire import check_id, id_or, merge_patch
from domain.clock import utcnow

SHIPMENT_SEARCH = ("ID", "BuyerID", "Shipper", "DateShipped", "DateDelivered", "TrackingNumber")
SHIPMENT_SORT = ("DateShipped", "OwnerID", "ID", "BuyerID", "Shipper", "DateDelivered", "Cost")


async def _visible(ctx: Ctx, caller: Caller, scope: str) -> list[Any]:
    return shipping.visible_conds(ctx, caller)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await shipping.prepare_shipment(ctx, caller, doc, existing, await ctx.body_object())


async def _on_delete(ctx: Ctx, caller: Caller, existing: Doc, scope: str) -> None:
    await shipping.delete_shipment(ctx, caller, existing)


async def order_id_conds(ctx: Ctx, caller: Caller, scope: str, opts: ListOptions) -> list[Any]:
    """The `orderID` list parameter: shipments carrying lines of that order."""
    order_id = opts.params.get("orderID")
    return [shipping.carrying([order_id])] if order_id else []


SPEC = ResourceSpec(
    kind="shipment",
    object_type="Shipment",
    path="/shipments",
    id_param="shipmentID",
    struct=Shipment,
    read_roles=SHIPMENT_READ_ROLES,
    write_roles=SHIPMENT_WRITE_ROLES,
    readonly=("OwnerID", "FromAddress", "ToAddress"),
    searchable=SHIPMENT_SEARCH,
    sortable=SHIPMENT_SORT,
    visible=_visible,
    on_write=_on_write,
    on_delete=_on_delete,
    list_params=("orderID",),
    list_conds=order_id_conds,
    operations=("list", "create", "get", "delete"),
)


async def _write_and_complete(
    ctx: Ctx, caller: Caller, doc: Doc, existing: Doc, current_id: str
) -> dict[str, Any]:
    """Save a changed shipment; a DateShipped it just got may complete the orders it carries."""
    out = await store(ctx, SPEC, caller, "", doc, existing, current_id)
    await shipping.after_save(ctx, current_id, doc["ID"])
    return out


@endpoint("PUT", "/shipments/{shipmentID}")
async def save_shipment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    current_id = ctx.param("shipmentID")
    data = await ctx.body_object()
    data["ID"] = id_or(data, current_id)
    found = await shipping.find_for_save(ctx, caller, current_id)
    if found is None:
        check_id(current_id)
        return await store(ctx, SPEC, caller, "", normalize(SPEC, data, None), None, None)
    existing = found.doc
    return await _write_and_complete(ctx, caller, normalize(SPEC, data, existing), existing, current_id)


@endpoint("PATCH", "/shipments/{shipmentID}")
async def patch_shipment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    current_id = ctx.param("shipmentID")
    existing = (await shipping.load_shipment(ctx, caller, current_id, write=True)).doc
    changes = {k: v for k, v in (await ctx.body_object()).items() if k not in SPEC.readonly}
    if "ID" in changes:
        check_id(changes["ID"])
    doc = normalize(SPEC, merge_patch(public(existing), changes), existing)
    return await _write_and_complete(ctx, caller, doc, existing, current_id)


@endpoint("GET", "/shipments/{shipmentID}/items")
async def list_items(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_READ_ROLES)
    return await item_page(ctx, caller)


async def item_page(ctx: Ctx, caller: Caller) -> dict[str, Any]:
    return await shipping.item_page(ctx, caller, ctx.param("shipmentID"), ctx.list_options())


@endpoint("POST", "/shipments/{shipmentID}/items", status=200)
async def save_item(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    shipment = await shipping.load_shipment(ctx, caller, ctx.param("shipmentID"), write=True)
    return await shipping.save_item(ctx, caller, shipment, await ctx.body_object(), utcnow()), 200


async def _item(ctx: Ctx, caller: Caller, *, write: bool) -> tuple[str, Doc]:
    return await shipping.load_item(
        ctx, caller, ctx.param("shipmentID"), ctx.param("orderID"), ctx.param("lineItemID"), write=write
    )


@endpoint("GET", "/shipments/{shipmentID}/items/{orderID}/{lineItemID}")
async def get_item(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_READ_ROLES)
    _, item = await _item(ctx, caller, write=False)
    return shipping.present_item(caller, item)


@endpoint("DELETE", "/shipments/{shipmentID}/items/{orderID}/{lineItemID}")
async def delete_item(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    shipment_id, item = await _item(ctx, caller, write=True)
    await shipping.remove_item(ctx, shipment_id, item)
    return NO_CONTENT, 204


async def _set_address(ctx: Ctx, prefix: str) -> dict[str, Any]:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    body = await ctx.body_object()
    return await shown(
        ctx, SPEC, await shipping.set_address(ctx, caller, ctx.param("shipmentID"), prefix, body)
    )


@endpoint("PUT", "/shipments/{shipmentID}/shipfrom")
async def set_ship_from(ctx: Ctx) -> Any:
    return await _set_address(ctx, "From")


@endpoint("PUT", "/shipments/{shipmentID}/shipto")
async def set_ship_to(ctx: Ctx) -> Any:
    return await _set_address(ctx, "To")


ROUTES = [
    *crud(SPEC),
    save_shipment,
    patch_shipment,
    list_items,
    save_item,
    get_item,
    delete_item,
    set_ship_from,
    set_ship_to,
]
