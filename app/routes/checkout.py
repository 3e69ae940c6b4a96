"""Checkout integration calls for an order and for the cart:
`POST .../estimateshipping`, `POST .../shipmethods`, `POST .../calculate`, `GET .../worksheet`
under `/orders/{direction}/{orderID}` and `/cart`. All answer the OrderWorksheet with 200.

estimateshipping and calculate call the merchant's middleware: they are not transactional and
open short transactions of their own (see app/services/checkout.py)."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.order_paths import direction_param
from app.services import cart, checkout
from app.services.checkout import ACTION_ROLES, WORKSHEET_ROLES, Loader
from app.services.order_access import load_order


def _order_loader(ctx: Ctx) -> Loader:
    return checkout.order_loader(direction_param(ctx), ctx.param("orderID"))


@endpoint("POST", "/orders/{direction}/{orderID}/estimateshipping", status=200, transactional=False)
async def estimate_shipping(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ACTION_ROLES)
    return await checkout.estimate_shipping(ctx, caller, _order_loader(ctx))


@endpoint("POST", "/orders/{direction}/{orderID}/shipmethods", status=200)
async def select_ship_methods(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ACTION_ROLES)
    stored = await _order_loader(ctx)(ctx, caller, True)
    return await checkout.select_ship_methods(ctx, stored, await ctx.body_object())


@endpoint("POST", "/orders/{direction}/{orderID}/calculate", status=200, transactional=False)
async def calculate(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ACTION_ROLES)
    return await checkout.calculate(ctx, caller, _order_loader(ctx))


@endpoint("GET", "/orders/{direction}/{orderID}/worksheet")
async def get_worksheet(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WORKSHEET_ROLES)
    stored = await load_order(ctx, caller, direction_param(ctx), ctx.param("orderID"))
    return await checkout.get_worksheet(ctx, stored)


@endpoint("POST", "/cart/estimateshipping", status=200, transactional=False)
async def cart_estimate_shipping(ctx: Ctx) -> Any:
    return await checkout.estimate_shipping(ctx, await cart.caller(ctx), cart.load_for_checkout)


@endpoint("POST", "/cart/shipmethods", status=200)
async def cart_select_ship_methods(ctx: Ctx) -> Any:
    stored = await cart.load_for_checkout(ctx, await cart.caller(ctx), True)
    return await checkout.select_ship_methods(ctx, stored, await ctx.body_object())


@endpoint("POST", "/cart/calculate", status=200, transactional=False)
async def cart_calculate(ctx: Ctx) -> Any:
    return await checkout.calculate(ctx, await cart.caller(ctx), cart.load_for_checkout)


@endpoint("GET", "/cart/worksheet")
async def cart_worksheet(ctx: Ctx) -> Any:
    """Without a cart, as `GET /cart`: the empty cart (ID null) and no lines, never a 404 (a
    storefront reads it on every first page)."""
    caller = await cart.caller(ctx)
    found = await cart.current(ctx, caller)
    if found is None:
        return checkout.worksheet(await cart.empty_cart(ctx, caller), [])
    return await checkout.get_worksheet(ctx, found)


ROUTES = [
    estimate_shipping,
    select_ship_methods,
    calculate,
    get_worksheet,
    cart_estimate_shipping,
    cart_select_ship_methods,
    cart_calculate,
    cart_worksheet,
]
