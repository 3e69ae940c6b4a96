"""`GET /me/orders` (orders the caller placed) and `GET /me/orders/approvable`."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.listing import Page
from app.resources import public
from app.routes.orders import ORDER_SCHEMA, ORDER_SEARCH, ORDER_SORT, order_page
from app.services import orders
from app.services.approvals import approvable_order_ids
from domain.lifecycle import AWAITING_APPROVAL

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
    """Orders awaiting approval by a user group the caller is in (docs/approvals.md). They are
    unsubmitted, so OrderCloud's submitted-only default of order lists does not apply here."""
    caller = await ctx.caller(*ME_ORDER_ROLES)
    docs = ctx.docs
    opts = ctx.list_options(params=("from", "to"))
    order_ids = await approvable_order_ids(docs, caller)
    if not order_ids:
        return Page([], opts.page, opts.page_size, 0).wire()
    conds = [
        docs.id_in(order_ids),
        *docs.eq(Status=AWAITING_APPROVAL, FromCompanyID=caller.company_id),
        *orders.date_range_conds(docs, opts),
    ]
    page = await docs.page(
        "order",
        opts,
        ORDER_SCHEMA,
        conds=conds,
        scope="",
        searchable=ORDER_SEARCH,
        sortable=ORDER_SORT,
        default_sort=("ID",),
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


ROUTES = [list_my_orders, list_approvable_orders]
