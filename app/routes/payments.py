"""`/orders/{direction}/{orderID}/payments[/{paymentID}[/transactions[/{transactionID}]]]`.
There is no PUT on payments in OrderCloud."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orders import Payment
from app.order_paths import order_at_path
from app.resources import Listing, listing_page, public
from app.services import payments
from app.services.order_access import ORDER_ADMIN_ROLES, ORDER_READ_ROLES, ORDER_WRITE_ROLES

PAYMENTS = Listing(
    "payment",
    schema_of(Payment),
    searchable=("ID", "Description"),
    sortable=("DateCreated", "ID", "Type", "CreditCardID", "SpendingAccountID"),
    default_sort=("DateCreated",),
)


async def payment_page(ctx: Ctx, order_id: str) -> dict[str, Any]:
    return await listing_page(ctx, PAYMENTS, ctx.list_options(), scope=order_id)


@endpoint("GET", "/orders/{direction}/{orderID}/payments")
async def list_payments(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    return await payment_page(ctx, stored.doc["ID"])


@endpoint("POST", "/orders/{direction}/{orderID}/payments")
async def create_payment(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await payments.create(ctx.docs, caller, stored.doc, await ctx.body_object())


@endpoint("GET", "/orders/{direction}/{orderID}/payments/{paymentID}")
async def get_payment(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False)
    return public((await payments.find(ctx.docs, stored.doc["ID"], ctx.param("paymentID"))).doc)


@endpoint("PATCH", "/orders/{direction}/{orderID}/payments/{paymentID}")
async def patch_payment(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    return await payments.patch(ctx.docs, caller, stored.doc, ctx.param("paymentID"), await ctx.body_object())


@endpoint("DELETE", "/orders/{direction}/{orderID}/payments/{paymentID}")
async def delete_payment(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    await payments.delete(ctx.docs, caller, stored.doc, ctx.param("paymentID"))
    return NO_CONTENT, 204


@endpoint("POST", "/orders/{direction}/{orderID}/payments/{paymentID}/transactions")
async def create_transaction(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_ADMIN_ROLES)
    return await payments.add_transaction(
        ctx.docs, stored.doc, ctx.param("paymentID"), await ctx.body_object()
    )


@endpoint("DELETE", "/orders/{direction}/{orderID}/payments/{paymentID}/transactions/{transactionID}")
async def delete_transaction(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_ADMIN_ROLES)
    await payments.delete_transaction(
        ctx.docs, stored.doc, ctx.param("paymentID"), ctx.param("transactionID")
    )
    return NO_CONTENT, 204


ROUTES = [
    list_payments,
    create_payment,
    get_payment,
    patch_payment,
    delete_payment,
    create_transaction,
    delete_transaction,
]
