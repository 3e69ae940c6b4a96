"""`/orders/{direction}[/{orderID}[/billto|shipto|fromuser|validate|submit|cancel|complete]]`."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions, Relation, schema_of
from app.models.orders import LineItem, Order
from app.order_paths import direction_param, order_at_path
from app.resources import Listing, listing_page, public
from app.services import order_lists, orders
from app.services.order_access import (
    ORDER_ADMIN_ROLES,
    ORDER_LIST_ROLES,
    ORDER_READ_ROLES,
    ORDER_WRITE_ROLES,
)
from domain.order_status import STATES

LINE_SCHEMA = schema_of(LineItem)
# `Status` is set by the server, so the struct types it as text; filters still know its values.
# `LineItems.*` filters (`LineItems.ProductID=x`) keep orders with a matching line, as
# OrderCloud's order search documents.
ORDER_SCHEMA = schema_of(
    Order, enums={"Status": STATES}, relations={"LineItems": Relation("lineitem", LINE_SCHEMA)}
)
ORDER_SEARCH = ("ID", "FromCompanyID", "ToCompanyID", "Comments")
ORDER_SORT = (
    "DateSubmitted",
    "DateCreated",
    "ID",
    "FromCompanyID",
    "ToCompanyID",
    "FromUserID",
    "Status",
    "DateApproved",
    "DateDeclined",
    "DateCanceled",
    "DateCompleted",
    "LastUpdated",
    "Subtotal",
    "ShippingCost",
    "TaxCost",
    "Gratuity",
    "Fees",
    "PromotionDiscount",
    "Total",
    "IsSubmitted",
)
LIST_PARAMS = ("buyerID", "supplierID", "from", "to")


ORDERS = Listing("order", ORDER_SCHEMA, searchable=ORDER_SEARCH, sortable=ORDER_SORT)


async def order_page(
    ctx: Ctx, caller: Caller, whose: list[Any], opts: ListOptions, *, own: bool
) -> dict[str, Any]:
    """One page of `whose` orders with OrderCloud's list rules (`app.services.order_lists`)."""
    conds = order_lists.list_conds(ctx.docs, caller, whose, opts, own=own)
    return await listing_page(ctx, ORDERS, opts, conds=conds, scope="")


@endpoint("GET", "/orders/{direction}")
async def list_orders(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_LIST_ROLES)
    direction = direction_param(ctx)
    opts = ctx.list_options(params=LIST_PARAMS)
    return await order_page(
        ctx, caller, order_lists.in_direction(ctx.docs, caller, direction), opts, own=False
    )


@endpoint("POST", "/orders/{direction}")
async def create_order(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    direction = direction_param(ctx)
    return await orders.create_order(ctx, caller, direction, await ctx.body_object())


@endpoint("GET", "/orders/{direction}/{orderID}")
async def get_order(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    return public(stored.doc)


@endpoint("PUT", "/orders/{direction}/{orderID}")
async def save_order(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.update_order(ctx, caller, stored, await ctx.body_object(), full=True)


@endpoint("PATCH", "/orders/{direction}/{orderID}")
async def patch_order(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.update_order(ctx, caller, stored, await ctx.body_object(), full=False)


@endpoint("DELETE", "/orders/{direction}/{orderID}")
async def delete_order(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    await orders.delete_order(ctx, stored)
    return NO_CONTENT, 204


@endpoint("PUT", "/orders/{direction}/{orderID}/billto")
async def set_billto(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.set_billto(ctx, caller, stored, await ctx.body_object(), patch=False)


@endpoint("PATCH", "/orders/{direction}/{orderID}/billto")
async def patch_billto(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.set_billto(ctx, caller, stored, await ctx.body_object(), patch=True)


@endpoint("PUT", "/orders/{direction}/{orderID}/shipto")
async def set_shipto(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.set_shipto(ctx, caller, stored, await ctx.body_object(), patch=False)


@endpoint("PATCH", "/orders/{direction}/{orderID}/shipto")
async def patch_shipto(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.set_shipto(ctx, caller, stored, await ctx.body_object(), patch=True)


@endpoint("PATCH", "/orders/{direction}/{orderID}/fromuser")
async def patch_from_user(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.patch_from_user(ctx, stored, await ctx.body_object())


@endpoint("POST", "/orders/{direction}/{orderID}/validate", status=204)
async def validate_order(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES, lock=False)
    await orders.validate_order(ctx, stored)
    return NO_CONTENT, 204


@endpoint("POST", "/orders/{direction}/{orderID}/submit")
async def submit_order(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.submit_order(ctx, stored)


@endpoint("POST", "/orders/{direction}/{orderID}/cancel")
async def cancel_order(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await orders.cancel_order(ctx, caller, stored)


@endpoint("POST", "/orders/{direction}/{orderID}/complete")
async def complete_order(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_ADMIN_ROLES)
    return await orders.complete_order(ctx, stored)


ROUTES = [
    list_orders,
    create_order,
    get_order,
    save_order,
    patch_order,
    delete_order,
    set_billto,
    patch_billto,
    set_shipto,
    patch_shipto,
    patch_from_user,
    validate_order,
    submit_order,
    cancel_order,
    complete_order,
]
