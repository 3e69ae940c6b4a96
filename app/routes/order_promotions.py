"""Promotions on an order: `/orders/{direction}/{orderID}/promotions[/{promoCode}]`,
`.../applypromotions`, `.../refreshpromotions`, `.../eligiblepromotions`, and the same on
`/cart/...`. Rules: `app/services/order_promotions.py`, docs/promotions.md."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.listing import Page
from app.services import cart, order_promotions
from app.services.order_access import ORDER_READ_ROLES, ORDER_WRITE_ROLES, direction_param, load_order
from app.store.repo import Stored

BASE = "/orders/{direction}/{orderID}"


async def _order(ctx: Ctx, *, write: bool) -> Stored:
    caller = await ctx.caller(*(ORDER_WRITE_ROLES if write else ORDER_READ_ROLES))
    return await load_order(ctx, caller, direction_param(ctx), ctx.param("orderID"), write=write)


async def _cart_caller(ctx: Ctx) -> Caller:
    caller = await ctx.caller(*cart.CART_ROLES)
    cart.require_buyer(caller)
    return caller


async def _cart(ctx: Ctx) -> Stored:
    return await cart.require(ctx, await _cart_caller(ctx), lock=True)


def _empty(ctx: Ctx) -> dict[str, Any]:
    opts = ctx.list_options()
    return Page([], opts.page, opts.page_size, 0).wire()


@endpoint("GET", BASE + "/promotions")
async def list_promotions(ctx: Ctx) -> Any:
    stored = await _order(ctx, write=False)
    return await order_promotions.page(ctx, stored.doc, ctx.list_options())


@endpoint("POST", BASE + "/promotions/{promoCode}")
async def add_promotion(ctx: Ctx) -> Any:
    return await order_promotions.add(ctx, await _order(ctx, write=True), ctx.param("promoCode"))


@endpoint("DELETE", BASE + "/promotions/{promoCode}")
async def remove_promotion(ctx: Ctx) -> Any:
    return await order_promotions.remove(ctx, await _order(ctx, write=True), ctx.param("promoCode")), 200


@endpoint("POST", BASE + "/applypromotions")
async def apply_promotions(ctx: Ctx) -> Any:
    return await order_promotions.apply_auto(ctx, await _order(ctx, write=True))


@endpoint("POST", BASE + "/refreshpromotions")
async def refresh_promotions(ctx: Ctx) -> Any:
    return await order_promotions.refresh(ctx, await _order(ctx, write=True))


@endpoint("GET", BASE + "/eligiblepromotions")
async def list_eligible(ctx: Ctx) -> Any:
    stored = await _order(ctx, write=False)
    return await order_promotions.eligible_page(ctx, stored.doc, ctx.list_options())


@endpoint("GET", "/cart/promotions")
async def list_cart_promotions(ctx: Ctx) -> Any:
    found = await cart.current(ctx, await _cart_caller(ctx))
    if found is None:
        return _empty(ctx)
    return await order_promotions.page(ctx, found.doc, ctx.list_options())


@endpoint("POST", "/cart/promotions/{promoCode}")
async def add_cart_promotion(ctx: Ctx) -> Any:
    return await order_promotions.add(ctx, await _cart(ctx), ctx.param("promoCode"))


@endpoint("DELETE", "/cart/promotions/{promoCode}")
async def remove_cart_promotion(ctx: Ctx) -> Any:
    return await order_promotions.remove(ctx, await _cart(ctx), ctx.param("promoCode")), 200


@endpoint("POST", "/cart/applypromotions")
async def apply_cart_promotions(ctx: Ctx) -> Any:
    return await order_promotions.apply_auto(ctx, await _cart(ctx))


@endpoint("POST", "/cart/refreshpromotions")
async def refresh_cart_promotions(ctx: Ctx) -> Any:
    return await order_promotions.refresh(ctx, await _cart(ctx))


@endpoint("GET", "/cart/eligiblepromotions")
async def list_cart_eligible(ctx: Ctx) -> Any:
    found = await cart.current(ctx, await _cart_caller(ctx))
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
