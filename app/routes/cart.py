"""`/cart...`: the buyer user's current unsubmitted order, without direction or order ID.

POST/PUT of line items, PUT of the cart and PUT of its addresses create the cart when there is
none; other writes on a missing cart answer 404. GET /cart without a cart answers an Order with
ID null; the cart's line and payment lists are then empty pages.
"""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import Page
from app.resources import listing_page, public
from app.routes.lineitems import LINES
from app.routes.payments import payment_page
from app.services import cart, group_access, lineitems, orders, payments
from app.services.order_access import ORDER_ADMIN_ROLES


def _empty_page(ctx: Ctx) -> dict[str, Any]:
    opts = ctx.list_options()
    return Page([], opts.page, opts.page_size, 0).wire()


async def _target(ctx: Ctx, *, create: bool = False, roles: tuple[str, ...] = ()) -> tuple[Caller, Any]:
    """`cart.target` for this request: the cart is locked on writes."""
    return await cart.target(ctx, create=create, roles=roles, lock=ctx.writable)


@endpoint("GET", "/cart")
async def get_cart(ctx: Ctx) -> Any:
    caller = await cart.caller(ctx)
    found = await cart.current(ctx, caller)
    return public(found.doc) if found else await cart.empty_cart(ctx, caller)


async def _save(ctx: Ctx, *, full: bool) -> Any:
    caller = await cart.caller(ctx)
    body = await ctx.body_object()
    stored, created = await cart.current_or_new(ctx, caller, body)
    if created:
        return public(stored.doc)
    return await orders.update_order(ctx, caller, stored, body, full=full)


@endpoint("PUT", "/cart")
async def save_cart(ctx: Ctx) -> Any:
    return await _save(ctx, full=True)


@endpoint("PATCH", "/cart")
async def patch_cart(ctx: Ctx) -> Any:
    return await _save(ctx, full=False)


@endpoint("DELETE", "/cart")
async def delete_cart(ctx: Ctx) -> Any:
    _, stored = await _target(ctx)
    await orders.delete_order(ctx, stored)
    return NO_CONTENT, 204


@endpoint("PUT", "/cart/{orderID}")
async def set_active_cart(ctx: Ctx) -> Any:
    caller = await cart.caller(ctx)
    await cart.set_active(ctx, caller, ctx.param("orderID"))
    return NO_CONTENT, 204


@endpoint("PUT", "/cart/billto")
async def set_billto(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx, create=True)
    return await orders.set_billto(ctx, caller, stored, await ctx.body_object(), patch=False)


@endpoint("PATCH", "/cart/billto")
async def patch_billto(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    return await orders.set_billto(ctx, caller, stored, await ctx.body_object(), patch=True)


@endpoint("PUT", "/cart/shipto")
async def set_shipto(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx, create=True)
    return await orders.set_shipto(ctx, caller, stored, await ctx.body_object(), patch=False)


@endpoint("PATCH", "/cart/shipto")
async def patch_shipto(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    return await orders.set_shipto(ctx, caller, stored, await ctx.body_object(), patch=True)


@endpoint("PATCH", "/cart/fromuser")
async def patch_from_user(ctx: Ctx) -> Any:
    _, stored = await _target(ctx)
    return await orders.patch_from_user(ctx, stored, await ctx.body_object())


@endpoint("GET", "/cart/lineitems")
async def list_lines(ctx: Ctx) -> Any:
    caller = await cart.caller(ctx)
    found = await cart.current(ctx, caller)
    if found is None:
        return _empty_page(ctx)
    conds = group_access.line_conds(ctx.docs, caller)
    return await listing_page(ctx, LINES, ctx.list_options(), conds=conds, scope=found.doc["ID"])


@endpoint("POST", "/cart/lineitems")
async def create_line(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx, create=True)
    return await lineitems.add_line(ctx, caller, stored, await ctx.body_object())


@endpoint("GET", "/cart/lineitems/{lineItemID}")
async def get_line(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    return public(await lineitems.find_line(ctx, stored.doc["ID"], ctx.param("lineItemID"), caller))


@endpoint("PUT", "/cart/lineitems/{lineItemID}")
async def save_line(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx, create=True)
    line, _ = await lineitems.update_line(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), replace=True
    )
    return line


@endpoint("PATCH", "/cart/lineitems/{lineItemID}")
async def patch_line(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    line, _ = await lineitems.update_line(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), replace=False
    )
    return line


@endpoint("DELETE", "/cart/lineitems/{lineItemID}")
async def delete_line(ctx: Ctx) -> Any:
    _, stored = await _target(ctx)
    await lineitems.delete_line(ctx, stored, ctx.param("lineItemID"))
    return NO_CONTENT, 204


@endpoint("GET", "/cart/payments")
async def list_payments(ctx: Ctx) -> Any:
    caller = await cart.caller(ctx)
    found = await cart.current(ctx, caller)
    if found is None:
        return _empty_page(ctx)
    return await payment_page(ctx, found.doc["ID"])


@endpoint("POST", "/cart/payments")
async def create_payment(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    return await payments.create(ctx.docs, caller, stored.doc, await ctx.body_object())


@endpoint("GET", "/cart/payments/{paymentID}")
async def get_payment(ctx: Ctx) -> Any:
    _, stored = await _target(ctx)
    return public((await payments.find(ctx.docs, stored.doc["ID"], ctx.param("paymentID"))).doc)


@endpoint("PATCH", "/cart/payments/{paymentID}")
async def patch_payment(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    return await payments.patch(ctx.docs, caller, stored.doc, ctx.param("paymentID"), await ctx.body_object())


@endpoint("DELETE", "/cart/payments/{paymentID}")
async def delete_payment(ctx: Ctx) -> Any:
    caller, stored = await _target(ctx)
    await payments.delete(ctx.docs, caller, stored.doc, ctx.param("paymentID"))
    return NO_CONTENT, 204


@endpoint("POST", "/cart/payments/{paymentID}/transactions")
async def create_transaction(ctx: Ctx) -> Any:
    _, stored = await _target(ctx, roles=ORDER_ADMIN_ROLES)
    return await payments.add_transaction(
        ctx.docs, stored.doc, ctx.param("paymentID"), await ctx.body_object()
    )


@endpoint("DELETE", "/cart/payments/{paymentID}/transactions/{transactionID}")
async def delete_transaction(ctx: Ctx) -> Any:
    _, stored = await _target(ctx, roles=ORDER_ADMIN_ROLES)
    await payments.delete_transaction(
        ctx.docs, stored.doc, ctx.param("paymentID"), ctx.param("transactionID")
    )
    return NO_CONTENT, 204


@endpoint("POST", "/cart/validate", status=204)
async def validate_cart(ctx: Ctx) -> Any:
    _, stored = await _target(ctx)
    await orders.validate_order(ctx, stored)
    return NO_CONTENT, 204


@endpoint("POST", "/cart/submit")
async def submit_cart(ctx: Ctx) -> Any:
    _, stored = await _target(ctx)
    return await orders.submit_order(ctx, stored)


ROUTES = [
    get_cart,
    save_cart,
    patch_cart,
    delete_cart,
    set_active_cart,
    set_billto,
    patch_billto,
    set_shipto,
    patch_shipto,
    patch_from_user,
    list_lines,
    create_line,
    get_line,
    save_line,
    patch_line,
    delete_line,
    list_payments,
    create_payment,
    get_payment,
    patch_payment,
    delete_payment,
    create_transaction,
    delete_transaction,
    validate_cart,
    submit_cart,
]
