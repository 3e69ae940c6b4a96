"""`GET /me/orders` (orders the caller placed) and `GET /me/orders/approvable`."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.listing import Page
from app.routes.orders import order_page

ME_ORDER_ROLES = ("Shopper", "MeAdmin", "OrderAdmin", "OrderReader")


@endpoint("GET", "/me/orders")
async def list_my_orders(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_ORDER_ROLES)
    docs = ctx.docs
    opts = ctx.list_options(params=("from", "to"))
    conds = docs.eq(FromUserID=caller.user_id, FromCompanyID=caller.company_id)
    return await order_page(ctx, caller, conds, opts, own=True)


@endpoint("GET", "/me/orders/approvable")
async def list_approvable_orders(ctx: Ctx) -> Any:
    """Approval rules belong to another issue: nothing awaits this user's approval yet."""
    await ctx.caller(*ME_ORDER_ROLES)
    opts = ctx.list_options(params=("from", "to"))
    return Page([], opts.page, opts.page_size, 0).wire()


ROUTES = [list_my_orders, list_approvable_orders]
