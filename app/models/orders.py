"""Wire structs for orders, line items and payments.

They validate what callers send and give list filters their field types (`app.listing.schema_of`);
stored documents stay plain dicts. Read-only fields are declared so that filters and sorts on them
work, and so that a client echoing a fetched object back (the SDK's Save) still validates; the
services drop them before applying a write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from app.models.common import AddressSnapshot, DateTime, Price, Str100, Str2000, Xp
from app.wire import Wire, WireID

Money = Decimal
PaymentType = Literal["PurchaseOrder", "CreditCard", "SpendingAccount"]
MarkupType = Literal["NoMarkup", "AmountPerQuantity", "AmountTotal", "Percentage"]
Str200 = Annotated[str, msgspec.Meta(max_length=200)]


class OrderUser(Wire, kw_only=True):
    id: str | None = None
    company_id: str | None = None
    username: str | None = None
    password: str | None = None
    first_name: Str100 | None = None
    last_name: Str100 | None = None
    email: Str200 | None = None
    phone: str | None = None
    terms_accepted: str | None = None
    active: bool | None = None
    xp: Xp = None
    available_roles: list[str] | None = None
    locale: dict[str, Any] | None = None
    date_created: str | None = None
    last_active: str | None = None
    password_last_set_date: str | None = None


class Order(Wire, kw_only=True):
    id: WireID | None = None
    from_user: OrderUser | None = None
    from_company_id: str | None = None
    to_company_id: str | None = None
    from_user_id: str | None = None
    billing_address_id: str | None = None
    billing_address: AddressSnapshot | None = None
    shipping_address_id: str | None = None
    comments: Str2000 | None = None
    line_item_count: int | None = None
    status: str | None = None
    date_created: str | None = None
    date_submitted: str | None = None
    date_approved: str | None = None
    date_declined: str | None = None
    date_canceled: str | None = None
    date_completed: str | None = None
    last_updated: str | None = None
    subtotal: Money | None = None
    shipping_cost: Price | None = None
    tax_cost: Price | None = None
    gratuity: Price | None = None
    fees: Price | None = None
    promotion_discount: Money | None = None
    currency: str | None = None
    total: Money | None = None
    is_submitted: bool | None = None
    subscription_id: str | None = None
    xp: Xp = None


# What a caller may write on an order; everything else in ORDER_FIELDS is read-only.
ORDER_WRITABLE = (
    "ID",
    "FromCompanyID",
    "ToCompanyID",
    "FromUserID",
    "BillingAddressID",
    "ShippingAddressID",
    "Comments",
    "ShippingCost",
    "TaxCost",
    "Gratuity",
    "xp",
)


class FromUserPatch(Wire, kw_only=True):
    first_name: Str100 | None = None
    last_name: Str100 | None = None
    email: Str200 | None = None


class LineItemSpec(Wire, kw_only=True):
    spec_id: str
    name: str | None = None
    option_id: str | None = None
    value: Str2000 | None = None
    price_markup_type: MarkupType | None = None
    price_markup: Money | None = None


class LineItemProduct(Wire, kw_only=True):
    id: str | None = None
    name: str | None = None
    description: str | None = None
    returnable: bool | None = None
    quantity_multiplier: int | None = None
    ship_weight: Money | None = None
    ship_height: Money | None = None
    ship_width: Money | None = None
    ship_length: Money | None = None
    default_supplier_id: str | None = None
    parent_id: str | None = None
    xp: Xp = None


class LineItemVariant(Wire, kw_only=True):
    id: str | None = None
    name: str | None = None
    description: str | None = None
    ship_weight: Money | None = None
    ship_height: Money | None = None
    ship_width: Money | None = None
    ship_length: Money | None = None
    xp: Xp = None


class LineItem(Wire, kw_only=True):
    id: WireID | None = None
    product_id: WireID
    quantity: int = 1
    bundle_item_id: str | None = None
    is_bundle: bool | None = None
    date_added: str | None = None
    quantity_shipped: int | None = None
    unit_price: Price | None = None
    promotion_discount: Money | None = None
    line_total: Money | None = None
    line_subtotal: Money | None = None
    cost_center: str | None = None
    date_needed: DateTime | None = None
    shipping_account: str | None = None
    shipping_address_id: str | None = None
    ship_from_address_id: str | None = None
    product: LineItemProduct | None = None
    variant: LineItemVariant | None = None
    shipping_address: AddressSnapshot | None = None
    ship_from_address: AddressSnapshot | None = None
    supplier_id: str | None = None
    inventory_record_id: str | None = None
    price_schedule_id: str | None = None
    is_on_sale: bool | None = None
    price_overridden: bool | None = None
    specs: list[LineItemSpec] | None = None
    incoming_order_id: str | None = None
    outgoing_order_id: str | None = None
    invitation_id: str | None = None
    xp: Xp = None


LINE_WRITABLE = (
    "ID",
    "ProductID",
    "Quantity",
    "UnitPrice",
    "CostCenter",
    "DateNeeded",
    "ShippingAccount",
    "ShippingAddressID",
    "ShipFromAddressID",
    "InventoryRecordID",
    "Specs",
    "xp",
)


class ExtendedLineItem(LineItem, kw_only=True):
    """A line item across orders: its order's ID, and `Order` (documented as unused; null)."""

    order_id: str | None = None
    order: Order | None = None


class PaymentTransaction(Wire, kw_only=True):
    id: WireID | None = None
    type: Str100
    date_executed: DateTime | None = None
    currency: Str100 | None = None
    amount: Money | None = None
    succeeded: bool = False
    result_code: str | None = None
    result_message: str | None = None
    xp: Xp = None


class Payment(Wire, kw_only=True):
    id: WireID | None = None
    type: PaymentType
    date_created: str | None = None
    credit_card_id: str | None = None
    spending_account_id: str | None = None
    description: Str2000 | None = None
    currency: str | None = None
    amount: Money | None = None
    accepted: bool | None = None
    order_return_id: str | None = None
    xp: Xp = None
    transactions: list[PaymentTransaction] | None = None


PAYMENT_WRITABLE = (
    "ID",
    "Type",
    "CreditCardID",
    "SpendingAccountID",
    "Description",
    "Amount",
    "Accepted",
    "OrderReturnID",
    "xp",
)
