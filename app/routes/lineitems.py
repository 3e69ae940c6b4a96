"""`/orders/{direction}/{orderID}/lineitems[/{lineItemID}[/shipto]]` and `/lineitems/{direction}`."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.order_paths import direction_param, order_at_path
from app.resources import Listing, listing_page
from app.routes.orders import LINE_SCHEMA, LIST_PARAMS, ORDER_SCHEMA
from app.services import group_access, lineitem_lists, lineitems
from app.services.lineitem_lists import LINE_SEARCH, LINE_SORT
from app.services.order_access import ORDER_LIST_ROLES, ORDER_READ_ROLES, ORDER_WRITE_ROLES, line_view

# The lines of one order (here and under /cart).
LINES = Listing(
    "lineitem", LINE_SCHEMA, searchable=LINE_SEARCH, sortable=LINE_SORT, default_sort=("DateAdded",)
)


@endpoint("GET", "/orders/{direction}/{orderID}/lineitems")
async def list_lines(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    return await listing_page(
        ctx,
        LINES,
        ctx.list_options(),
        conds=group_access.line_conds(ctx.docs, caller),
        scope=stored.doc["ID"],
        show=lambda line: line_view(caller, line),
    )


@endpoint("POST", "/orders/{direction}/{orderID}/lineitems")
async def create_line(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return line_view(caller, await lineitems.add_line(ctx, caller, stored, await ctx.body_object()))


@endpoint("GET", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def get_line(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    line = await lineitems.find_line(ctx, stored.doc["ID"], ctx.param("lineItemID"), caller)
    return line_view(caller, line)


@endpoint("PUT", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def save_line(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    line, _ = await lineitems.update_line(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), replace=True
    )
    return line_view(caller, line)


@endpoint("PATCH", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def patch_line(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    line, _ = await lineitems.update_line(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), replace=False
    )
    return line_view(caller, line)


@endpoint("DELETE", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def delete_line(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    await lineitems.delete_line(ctx, stored, ctx.param("lineItemID"))
    return NO_CONTENT, 204


@endpoint("PUT", "/orders/{direction}/{orderID}/lineitems/{lineItemID}/shipto")
async def set_line_shipto(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    line = await lineitems.set_line_shipto(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), patch=False
    )
    return line_view(caller, line)


@endpoint("PATCH", "/orders/{direction}/{orderID}/lineitems/{lineItemID}/shipto")
async def patch_line_shipto(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    line = await lineitems.set_line_shipto(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), patch=True
    )
    return line_view(caller, line)


@endpoint("GET", "/lineitems/{direction}")
async def list_across_orders(ctx: Ctx) -> Any:
    """Lines of every order the caller may list in `direction`. `Order.*` filters run on the order
    documents in a subquery; `OrderID` filters the line's order. Another company's unsubmitted
    orders need UnsubmittedOrderReader, as in order lists; there is no submitted-only default
    (filter `Order.IsSubmitted=true` for that). `buyerID`, `supplierID`, `from` and `to` bound
    the orders as they do on Orders.List."""
    caller = await ctx.caller(*ORDER_LIST_ROLES)
    opts = ctx.list_options(params=LIST_PARAMS)
    page = await lineitem_lists.across_orders(
        ctx, caller, direction_param(ctx), opts, order_schema=ORDER_SCHEMA, line_schema=LINE_SCHEMA
    )
    return page.wire()


ROUTES = [
    list_lines,
    create_line,
    get_line,
    save_line,
    patch_line,
    delete_line,
    set_line_shipto,
    patch_line_shipto,
    list_across_orders,
]
