"""`GET /me/orders` (orders the caller placed) and `GET /me/orders/approvable`."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.listing import Page
from app.resources import listing_page
from app.routes.orders import ORDERS, order_page
from app.services import order_lists

ME_ORDER_ROLES = ("Shopper", "MeAdmin", "OrderAdmin", "OrderReader")


@endpoint("GET", "/me/orders")
async def list_my_orders(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_ORDER_ROLES)
    opts = ctx.list_options(params=("from", "to"))
    return await order_page(ctx, caller, order_lists.placed_by(ctx.docs, caller), opts, own=True)


@endpoint("GET", "/me/orders/approvable")
async def list_approvable_orders(ctx: Ctx) -> Any:
    """Orders awaiting approval by a user group the caller is in (docs/approvals.md). They are
    unsubmitted, so OrderCloud's submitted-only default of order lists does not apply here."""
    caller = await ctx.caller(*ME_ORDER_ROLES)
    opts = ctx.list_options(params=("from", "to"))
    conds = await order_lists.approvable_conds(ctx.docs, caller, opts)
    if conds is None:
        return Page([], opts.page, opts.page_size, 0).wire()
    return await listing_page(ctx, ORDERS, opts, conds=conds, scope="")


ROUTES = [list_my_orders, list_approvable_orders]
