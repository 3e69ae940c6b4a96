"""`/orders/{direction}/{orderID}/split|forward|ship|shipments` and `/me/shipments...`."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.incrementors import id_or_next
from app.order_paths import direction_param
from app.resources import normalize, page_of, shown
from app.routes.shipments import SPEC, item_page
from app.services import forwarding, shipping
from app.services.order_access import ORDER_READ_ROLES, load_order
from domain.clock import iso, utcnow

SHIP_ROLES = ("OrderAdmin", "ShipmentAdmin")
ORDER_SHIPMENT_READ_ROLES = (*ORDER_READ_ROLES, "ShipmentReader", "ShipmentAdmin")
ME_SHIPMENT_ROLES = ("Shopper", "MeAdmin", *shipping.SHIPMENT_READ_ROLES)


async def _split(ctx: Ctx, *, submit: bool) -> Any:
    caller = await ctx.caller(*forwarding.SPLIT_ROLES)
    stored = await forwarding.load_splittable(ctx, caller, direction_param(ctx), ctx.param("orderID"))
    user = await forwarding.seller_user(ctx, caller)
    return await forwarding.split_order(ctx, stored.doc, user, submit=submit), 200


@endpoint("POST", "/orders/{direction}/{orderID}/split", status=200)
async def split_order(ctx: Ctx) -> Any:
    return await _split(ctx, submit=False)


@endpoint("POST", "/orders/{direction}/{orderID}/forward", status=200)
async def forward_order(ctx: Ctx) -> Any:
    return await _split(ctx, submit=True)


@endpoint("POST", "/orders/{direction}/{orderID}/ship")
async def ship_order(ctx: Ctx) -> Any:
    """One shipment with every line the caller ships, in full; DateShipped defaults to now."""
    caller = await ctx.caller(*SHIP_ROLES)
    stored = await load_order(ctx, caller, direction_param(ctx), ctx.param("orderID"), write=True)
    body = await ctx.body_object(required=False)
    data = dict(body)
    data["ID"] = await id_or_next(ctx.docs, data)
    now = utcnow()
    doc = normalize(SPEC, data, None)
    doc["DateShipped"] = doc.get("DateShipped") or iso(now)
    doc = await shipping.prepare_shipment(ctx, caller, doc, None, body)
    return await shipping.ship_order(ctx, caller, stored, doc, now), 201


async def _shipment_page(ctx: Ctx, caller: Caller, conds: list[Any]) -> dict[str, Any]:
    return await page_of(ctx, SPEC, caller, ctx.list_options(params=SPEC.list_params), conds)


@endpoint("GET", "/orders/{direction}/{orderID}/shipments")
async def list_order_shipments(ctx: Ctx) -> Any:
    """Shipments of an order the caller may see; a buyer's order includes what its suppliers
    shipped of its forwarded lines."""
    caller = await ctx.caller(*ORDER_SHIPMENT_READ_ROLES)
    stored = await load_order(ctx, caller, direction_param(ctx), ctx.param("orderID"))
    return await _shipment_page(ctx, caller, [shipping.carrying([stored.doc["ID"]])])


@endpoint("GET", "/me/shipments")
async def list_my_shipments(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_SHIPMENT_ROLES)
    return await _shipment_page(ctx, caller, shipping.visible_conds(ctx, caller))


@endpoint("GET", "/me/shipments/{shipmentID}")
async def get_my_shipment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_SHIPMENT_ROLES)
    return await shown(ctx, SPEC, (await shipping.load_shipment(ctx, caller, ctx.param("shipmentID"))).doc)


@endpoint("GET", "/me/shipments/{shipmentID}/items")
async def list_my_shipment_items(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_SHIPMENT_ROLES)
    return await item_page(ctx, caller)


ROUTES = [
    split_order,
    forward_order,
    ship_order,
    list_order_shipments,
    list_my_shipments,
    get_my_shipment,
    list_my_shipment_items,
]
