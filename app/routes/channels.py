"""`/channels/...`: orders from every sales channel in one common shape (an ordercore extension,
not part of OrderCloud's API; docs/channels.md)."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import Elements, schema_of
from app.models.channels import ChannelSettings, SkuMapping, UnifiedLineItem, UnifiedOrder
from app.resources import Listing, listing_page, public
from app.routes.access import seller_only
from app.services import channel_orders, channels, unified_orders
from app.services.order_access import ORDER_ADMIN_ROLES
from app.wire import to_doc, validate
from domain.errors import ValidationFailed

# `LineItems.SKU=abc`: orders with at least one such line (docs/channels.md, "Lists").
UNIFIED_SCHEMA = schema_of(
    UnifiedOrder, relations={"LineItems": Elements("LineItems", schema_of(UnifiedLineItem))}
)
SKU_MAP = Listing(
    channel_orders.SKU_KIND,
    schema_of(SkuMapping),
    searchable=("SKU", "ProductID", "VariantID"),
    sortable=("SKU", "ProductID", "VariantID"),
    default_sort=("SKU",),
)
SEARCHABLE = (
    "ID",
    "ExternalID",
    "OrderNumber",
    "Customer.Email",
    "Customer.LastName",
    "xp.Name",
    "xp.Number",
)
SORTABLE = (
    "ID",
    "Channel",
    "ExternalID",
    "Status",
    "FinancialStatus",
    "FulfillmentStatus",
    "PaymentStatus",
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
    "OrderNumber",
    "RemoteDeleted",
    "ShippingMethod",
    "PaymentGateway",
    "TransactionID",
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
    as_order = ctx.query("asOrder")
    if as_order is not None and as_order.lower() not in ("true", "false"):
        raise ValidationFailed(
            "asOrder must be true or false", "Channels.InvalidParameter", {"Parameter": "asOrder"}
        )
    order, created = await channels.import_order(
        ctx.docs,
        channel,
        await ctx.body_object(),
        ctx.services.marketplace_id,
        caller=caller,
        as_order=as_order,
    )
    return order, 201 if created else 200


@endpoint("POST", "/channels/{channel}/orders/bulk", status=200)
async def import_bulk(ctx: Ctx) -> Any:
    """Many orders in one call: a JSON array, or NDJSON (one order a line). Each order is imported
    on its own (a savepoint): one refused order does not undo the others. The answer lists one
    result per order, in the order sent."""
    caller = await ctx.caller(*ORDER_ADMIN_ROLES)
    await seller_only(ctx, caller)
    channel = channels.importable(channels.channel_name(ctx.param("channel")))
    items = channels.bulk_items(await ctx.request.body())
    results = await channels.import_many(
        ctx.docs, channel, items, ctx.services.marketplace_id, caller=caller, as_order=ctx.query("asOrder")
    )
    return {"Channel": channel, "Results": results}


@endpoint("POST", "/channels/{channel}/webhook", transactional=False)
async def webhook(ctx: Ctx) -> Any:
    """The platform's own webhook delivery: no bearer token, the body's signature under the
    channel's WebhookSecret authenticates it (401 `Channels.InvalidSignature` otherwise). Not one
    transaction: a BigCommerce delivery calls the store's API back (the service steps)."""
    channel = channels.importable(channels.channel_name(ctx.param("channel")))
    raw = await ctx.request.body()
    return await channels.receive_webhook(ctx, channel, raw, ctx.request.headers)


async def _importable(ctx: Ctx, *roles: str) -> str:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    return channels.importable(channels.channel_name(ctx.param("channel")))


@endpoint("GET", "/channels/{channel}/settings")
async def get_settings(ctx: Ctx) -> Any:
    channel = await _importable(ctx, "OrderAdmin")
    return channel_orders.public_settings(await channel_orders.settings(ctx.docs, channel))


@endpoint("PUT", "/channels/{channel}/settings")
async def put_settings(ctx: Ctx) -> Any:
    channel = await _importable(ctx, "OrderAdmin")
    data = to_doc(await ctx.body_as(ChannelSettings))
    return await channel_orders.save_settings(
        ctx.docs, channel, data, allow_private=ctx.services.settings.outbound_allow_private
    )


@endpoint("GET", "/channels/{channel}/skumap")
async def list_skumap(ctx: Ctx) -> Any:
    channel = await _importable(ctx, *CHANNEL_READ_ROLES)
    return await listing_page(ctx, SKU_MAP, ctx.list_options(), scope=channel)


@endpoint("POST", "/channels/{channel}/skumap")
async def upload_skumap(ctx: Ctx) -> Any:
    """One mapping (an object) or a bulk upload (an array of them), each inserted or replaced."""
    channel = await _importable(ctx, "OrderAdmin")
    body = await ctx.body()
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > 1000:
        raise ValidationFailed("Send 1 to 1000 SKU mappings", "Channels.InvalidSkuMap", {"Count": len(items)})
    mappings = [to_doc(validate(item, SkuMapping)) for item in items]
    saved = await channel_orders.put_mappings(ctx.docs, channel, mappings)
    return (saved if isinstance(body, list) else saved[0]), 201


@endpoint("GET", "/channels/{channel}/skumap/{sku}")
async def get_skumap(ctx: Ctx) -> Any:
    channel = await _importable(ctx, *CHANNEL_READ_ROLES)
    return public(await channel_orders.mapping(ctx.docs, channel, ctx.param("sku")))


@endpoint("PUT", "/channels/{channel}/skumap/{sku}")
async def put_skumap(ctx: Ctx) -> Any:
    channel = await _importable(ctx, "OrderAdmin")
    data = {**await ctx.body_object(), "SKU": ctx.param("sku")}
    saved = await channel_orders.put_mappings(ctx.docs, channel, [to_doc(validate(data, SkuMapping))])
    return saved[0]


@endpoint("DELETE", "/channels/{channel}/skumap/{sku}", status=204)
async def delete_skumap(ctx: Ctx) -> Any:
    channel = await _importable(ctx, "OrderAdmin")
    await channel_orders.delete_mapping(ctx.docs, channel, ctx.param("sku"))
    return NO_CONTENT, 204


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


ROUTES = [
    import_order,
    import_bulk,
    webhook,
    list_orders,
    get_order,
    get_settings,
    put_settings,
    list_skumap,
    upload_skumap,
    get_skumap,
    put_skumap,
    delete_skumap,
]
