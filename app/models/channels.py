"""The common order shape (an ordercore extension, not OrderCloud): every order, native or
imported from another sales channel, read the same way. See docs/channels.md.

Like the other wire structs these give list filters their field types; the documents themselves
are plain dicts built by the adapters in `integrations/channels/`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from app.models.common import AddressSnapshot, Xp
from app.wire import Wire

Channel = Literal["ordercloud", "shopify", "woocommerce", "wix", "bigcommerce"]
Status = Literal["pending", "open", "partially_fulfilled", "fulfilled", "canceled", "returned"]
FinancialStatus = Literal[
    "pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided"
]
FulfillmentStatus = Literal["unfulfilled", "partially_fulfilled", "fulfilled"]
# domain.payments.PaymentStatus (Wix's vocabulary), the one payment status of every channel.
PaymentStatus = Literal[
    "NOT_PAID", "PENDING", "PARTIALLY_PAID", "PAID", "PARTIALLY_REFUNDED", "FULLY_REFUNDED"
]


class UnifiedCustomer(Wire, kw_only=True):
    id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class UnifiedLineItem(Wire, kw_only=True):
    id: str
    sku: str | None = msgspec.field(name="SKU", default=None)
    product_id: str | None = None
    name: str | None = None
    quantity: int
    quantity_shipped: int
    unit_price: Decimal | None = None
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    variant_id: str | None = None
    unit_cost: Decimal | None = None


class UnifiedOrder(Wire, kw_only=True):
    id: str
    channel: Channel
    external_id: str
    status: Status
    financial_status: FinancialStatus
    fulfillment_status: FulfillmentStatus
    payment_status: PaymentStatus | None = None
    customer: UnifiedCustomer | None = None
    billing_address: AddressSnapshot | None = None
    shipping_address: AddressSnapshot | None = None
    line_items: list[UnifiedLineItem]
    currency: str | None = None
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    date_created: str | None = None
    date_updated: str | None = None
    date_submitted: str | None = None
    order_number: str | None = None
    remote_deleted: bool = False
    shipping_method: str | None = None
    tracking_numbers: list[str] = msgspec.field(default_factory=list)
    payment_gateway: str | None = None
    transaction_id: str | None = None
    xp: Xp = None


class ChannelSettings(Wire, kw_only=True, forbid_unknown_fields=True):
    """The seller's settings of one channel (docs/channels.md). `WebhookSecret` is write-only."""

    as_order: bool = False
    buyer_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    webhook_secret: Annotated[str, msgspec.Meta(min_length=8, max_length=5000)] | None = None
    # BigCommerce only (its webhooks carry no order: ordercore calls the store's API back).
    # `ApiToken` is write-only like the secret; `WebhookHeader` names the custom header the
    # webhook was registered with, whose value must be `WebhookSecret`.
    api_url: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None = None
    api_token: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)] | None = None
    webhook_header: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9-]{1,100}$")] | None = None


class SkuMapping(Wire, kw_only=True, forbid_unknown_fields=True):
    """One line of a channel's SKU map: the channel's SKU (or variant ID) -> product / variant."""

    sku: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^/\\?#]+$")] = msgspec.field(
        name="SKU"
    )
    product_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    variant_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
