"""Subscriptions (recurring orders) and their items (the SDK's `Subscription`,
`SubscriptionPayment` and the `LineItem` shape of subscription items). docs/subscriptions.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from app.models.common import DateTime, Str50, Xp
from app.models.orders import LineItemSpec
from app.wire import Wire, WireID

Interval = Literal["Days", "Weeks", "Months", "Years"]
PaymentType = Literal["PurchaseOrder", "CreditCard", "SpendingAccount"]
Frequency = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class SubscriptionPayment(Wire, kw_only=True):
    type: PaymentType | None = None
    credit_card_id: str | None = None
    spending_account_id: str | None = None


class Subscription(Wire, kw_only=True):
    id: WireID | None = None
    frequency: Frequency
    interval: Interval
    next_order_date: DateTime
    last_order_date: str | None = None
    notification_date: str | None = None
    date_created: str | None = None
    end_date: DateTime | None = None
    active: bool = True
    from_company_id: WireID | None = None
    from_user_id: WireID | None = None
    to_company_id: WireID | None = None
    payment: SubscriptionPayment | None = None
    shipping_address_id: WireID | None = None
    billing_address_id: WireID | None = None
    # ordercore (read-only): the order of the last run, or why it was refused.
    last_order_id: str | None = None
    last_order_refusal: dict[str, Any] | None = None
    xp: Xp = None


class SubscriptionItem(Wire, kw_only=True):
    id: WireID | None = None
    product_id: WireID
    quantity: Quantity = 1
    specs: list[LineItemSpec] | None = None
    shipping_address_id: WireID | None = None
    date_added: str | None = None
    # Read-only: the subscription bundle the item was added in (BundleSubscriptionItems).
    bundle_item_id: WireID | None = None
    xp: Xp = None


class SubscriptionIntegration(Wire, kw_only=True):
    """The marketplace's one subscription integration (`/integrations/subscription`): the API
    client scheduled orders are placed through, and the middleware told of each one."""

    api_client_id: WireID
    hash_key: Str50
    elevated_roles: list[str] | None = None
    active: bool = True
    notification_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None
    url: str | None = None
    xp: Xp = None
    custom_auth_header_name: str | None = None
    custom_auth_header_value: str | None = None
