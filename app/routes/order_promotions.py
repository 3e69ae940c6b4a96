"""Promotions on an order: `/orders/{direction}/{orderID}/promotions[/{promoCode}]`,
`.../applypromotions`, `.../refreshpromotions`, `.../eligiblepromotions`, and the same on
`/cart/...`. Rules: `app/services/order_promotions.py`, docs/promotions.md."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.listing import Page
from app.order_paths import order_at_path
from app.services import cart, order_promotions
from app.services.order_access import ORDER_READ_ROLES, ORDER_WRITE_ROLES

BASE = "/orders/{direction}/{orderID}"


def _empty(ctx: Ctx) -> dict[str, Any]:
    opts = ctx.list_options()
    return Page([], opts.page, opts.page_size, 0).wire()


@endpoint("GET", BASE + "/promotions")
async def list_promotions(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    return await order_promotions.page(ctx, stored.doc, ctx.list_options())


@endpoint("POST", BASE + "/promotions/{promoCode}")
async def add_promotion(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await order_promotions.add(ctx, stored, ctx.param("promoCode"))


@endpoint("DELETE", BASE + "/promotions/{promoCode}")
async def remove_promotion(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await order_promotions.remove(ctx, stored, ctx.param("promoCode")), 200


@endpoint("POST", BASE + "/applypromotions")
async def apply_promotions(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await order_promotions.apply_auto(ctx, stored)


@endpoint("POST", BASE + "/refreshpromotions")
async def refresh_promotions(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await order_promotions.refresh(ctx, stored)


@endpoint("GET", BASE + "/eligiblepromotions")
async def list_eligible(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    return await order_promotions.eligible_page(ctx, stored.doc, ctx.list_options())


@endpoint("GET", "/cart/promotions")
async def list_cart_promotions(ctx: Ctx) -> Any:
    found = await cart.current(ctx, await cart.caller(ctx))
    if found is None:
        return _empty(ctx)
    return await order_promotions.page(ctx, found.doc, ctx.list_options())


@endpoint("POST", "/cart/promotions/{promoCode}")
async def add_cart_promotion(ctx: Ctx) -> Any:
    stored = await cart.require(ctx, await cart.caller(ctx), lock=True)
    return await order_promotions.add(ctx, stored, ctx.param("promoCode"))


@endpoint("DELETE", "/cart/promotions/{promoCode}")
async def remove_cart_promotion(ctx: Ctx) -> Any:
    stored = await cart.require(ctx, await cart.caller(ctx), lock=True)
    return await order_promotions.remove(ctx, stored, ctx.param("promoCode")), 200


@endpoint("POST", "/cart/applypromotions")
async def apply_cart_promotions(ctx: Ctx) -> Any:
    stored = await cart.require(ctx, await cart.caller(ctx), lock=True)
    return await order_promotions.apply_auto(ctx, stored)


@endpoint("POST", "/cart/refreshpromotions")
async def refresh_cart_promotions(ctx: Ctx) -> Any:
    stored = await cart.require(ctx, await cart.caller(ctx), lock=True)
    return await order_promotions.refresh(ctx, stored)


@endpoint("GET", "/cart/eligiblepromotions")
async def list_cart_eligible(ctx: Ctx) -> Any:
    found = await cart.current(ctx, await cart.caller(ctx))
    if found is None:
        return _empty(ctx)
    return await order_promotions.eligible_page(ctx, found.doc, ctx.list_options())


ROUTES = [
    list_promotions,
    add_promotion,
    remove_promotion,
    apply_promotions,
    refresh_promotions,
    list_eligible,
    list_cart_promotions,
    add_cart_promotion,
    remove_cart_promotion,
    apply_cart_promotions,
    refresh_cart_promotions,
    list_cart_eligible,
]
