"""`/channels/...`: orders from every sales channel in one common shape (an ordercore extension,
not part of OrderCloud's API; docs/channels.md)."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.listing import schema_of
from app.models.channels import UnifiedOrder
from app.resources import Listing, listing_page
from app.routes.access import seller_only
from app.services import channels, unified_orders
from app.services.order_access import ORDER_ADMIN_ROLES
from domain.errors import ValidationFailed

UNIFIED_SCHEMA = schema_of(UnifiedOrder)
SEARCHABLE = ("ID", "ExternalID", "Customer.Email", "Customer.LastName", "xp.Name", "xp.Number")
SORTABLE = (
    "ID",
    "Channel",
    "ExternalID",
    "Status",
    "FinancialStatus",
    "FulfillmentStatus",
    "Currency",
    "Subtotal",
    "Discount",
    "Shipping",
    "Tax",
    "Total",
    "DateCreated",
    "DateUpdated",
    "DateSubmitted",
    "Customer.Email",
    "Customer.LastName",
)
UNIFIED_ORDERS = Listing(
    unified_orders.KIND,
    UNIFIED_SCHEMA,
    searchable=SEARCHABLE,
    sortable=SORTABLE,
    default_sort=("!DateCreated",),
)

# The common order list is the seller's back office: Shopper alone does not open it.
CHANNEL_READ_ROLES = ("OrderAdmin", "OrderReader")


@endpoint("POST", "/channels/{channel}/orders")
async def import_order(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_ADMIN_ROLES)
    await seller_only(ctx, caller)
    channel = channels.channel_name(ctx.param("channel"))
    if (ctx.query("asOrder") or "").lower() == "true":
        raise ValidationFailed(
            "Imported orders are not materialised as OrderCloud orders (see docs/channels.md)",
            "Channels.AsOrderNotSupported",
            {"Parameter": "asOrder"},
        )
    order, created = await channels.import_order(
        ctx.docs, channel, await ctx.body_object(), ctx.services.marketplace_id
    )
    return order, 201 if created else 200


@endpoint("GET", "/channels/orders")
async def list_orders(ctx: Ctx) -> Any:
    caller = await ctx.caller(*CHANNEL_READ_ROLES)
    await seller_only(ctx, caller)
    conds = channels.received_conds(ctx.docs, ctx.services.marketplace_id)
    return await listing_page(ctx, UNIFIED_ORDERS, ctx.list_options(), conds=conds)


@endpoint("GET", "/channels/orders/{channel}/{orderID}")
async def get_order(ctx: Ctx) -> Any:
    caller = await ctx.caller(*CHANNEL_READ_ROLES)
    await seller_only(ctx, caller)
    channel = channels.channel_name(ctx.param("channel"))
    return await channels.get_order(ctx.docs, channel, ctx.param("orderID"), ctx.services.marketplace_id)


ROUTES = [import_order, list_orders, get_order]
