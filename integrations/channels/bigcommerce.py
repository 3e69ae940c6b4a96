"""BigCommerce v2 order JSON -> the common order shape (pure mapping, no I/O).

BigCommerce's `GET /v2/orders/{id}` answers the order with its lines as a sub-resource link
(`"products": {"url": ..., "resource": "/orders/{id}/products"}`). The import takes the order
with the sub-resources fetched and inlined: `products` = the array `GET /v2/orders/{id}/products`
answers, and optionally `shipping_addresses` = `GET /v2/orders/{id}/shipping_addresses`. Dates
are RFC 2822 (`Tue, 05 Mar 2024 14:02:11 +0000`). Status mapping: docs/channels.md.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

from domain.clock import iso
from integrations.channels.common import (
    CANCELED,
    FULFILLED,
    OPEN,
    PARTIALLY_FULFILLED,
    PENDING,
    RETURNED,
    ZERO,
    Payload,
    address,
    customer_doc,
    fulfillment_of,
    line_doc,
    order_doc,
)

CHANNEL = "bigcommerce"
# BigCommerce `status_id` -> (Status, FinancialStatus when `payment_status` says nothing).
STATUSES: dict[int, tuple[str, str]] = {
    0: (PENDING, "pending"),  # Incomplete
    1: (PENDING, "pending"),  # Pending
    2: (FULFILLED, "paid"),  # Shipped
    3: (PARTIALLY_FULFILLED, "paid"),  # Partially Shipped
    4: (RETURNED, "refunded"),  # Refunded (decided below: canceled when nothing shipped)
    5: (CANCELED, "voided"),  # Cancelled
    6: (CANCELED, "voided"),  # Declined
    7: (PENDING, "pending"),  # Awaiting Payment
    8: (OPEN, "paid"),  # Awaiting Pickup
    9: (OPEN, "paid"),  # Awaiting Shipment
    10: (FULFILLED, "paid"),  # Completed
    11: (OPEN, "paid"),  # Awaiting Fulfillment
    12: (PENDING, "pending"),  # Manual Verification Required
    13: (OPEN, "paid"),  # Disputed
    14: (OPEN, "partially_refunded"),  # Partially Refunded (fulfilment decides below)
}
# BigCommerce `payment_status` -> FinancialStatus.
PAYMENT = {
    "": None,
    "authorized": "authorized",
    "captured": "paid",
    "paid": "paid",
    "partially refunded": "partially_refunded",
    "refunded": "refunded",
    "void": "voided",
    "declined": "voided",
    "pending": "pending",
}


def _date(order: Payload, key: str, *, required: bool = False) -> str | None:
    value = order.text(key, required=required)
    if not value:
        return None
    try:
        return iso(parsedate_to_datetime(value))
    except (TypeError, ValueError):
        raise order.fail(key, f"must be an RFC 2822 date (got {value!r})") from None


def _line(line: Payload) -> dict[str, Any]:
    quantity = line.quantity("quantity")
    price = line.money("base_price", required=True)
    subtotal = price * quantity
    discount = sum((d.money("amount", required=True) for d in line.objects("applied_discounts")), ZERO)
    tax = line.money("total_tax")
    variant = line.text("variant_id")
    return line_doc(
        line_id=line.ident("id"),
        sku=line.text("sku") or None,
        product_id=variant if variant and variant != "0" else line.text("product_id"),
        name=line.text("name"),
        quantity=quantity,
        shipped=line.quantity("quantity_shipped", required=False),
        unit_price=price,
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=line.money("total_inc_tax") or subtotal - discount + tax,
        variant_id=variant if variant and variant != "0" else None,
        unit_cost=line.money("cost_price_ex_tax")
        if line.raw("cost_price_ex_tax") not in (None, "")
        else None,
    )


def _address(source: Payload | None) -> dict[str, Any] | None:
    return address(
        source,
        company="company",
        first="first_name",
        last="last_name",
        street1="street_1",
        street2="street_2",
        city="city",
        state="state",
        zip_code="zip",
        country="country_iso2",
        phone="phone",
    )


def to_unified(body: dict[str, Any]) -> dict[str, Any]:
    order = Payload(CHANNEL, body)
    external_id = order.ident("id")
    if isinstance(order.raw("products"), dict):
        raise order.fail(
            "products", "must be the order's products (GET /v2/orders/{id}/products), not its link"
        )
    lines = [_line(line) for line in order.objects("products", required=True)]
    status_id = order.quantity("status_id")
    if status_id not in STATUSES:
        raise order.fail("status_id", f"must be a BigCommerce order status 0-14 (got {status_id})")
    status, financial = STATUSES[status_id]
    payment_status = (order.text("payment_status") or "").lower()
    if payment_status not in PAYMENT:
        raise order.fail("payment_status", f"must be one of {', '.join(p for p in PAYMENT if p)}")
    financial = PAYMENT[payment_status] or financial
    fulfilment = fulfillment_of(lines)
    if status == RETURNED and fulfilment == "unfulfilled":
        status = CANCELED  # refunded before anything shipped: the sale did not happen
    if status_id == 14:
        status = {"fulfilled": FULFILLED, "partially_fulfilled": PARTIALLY_FULFILLED}.get(fulfilment, OPEN)
    billing = order.obj("billing_address")
    shipping = order.objects("shipping_addresses")
    customer_id = order.text("customer_id")
    customer = customer_doc(
        customer_id if customer_id and customer_id != "0" else None,  # 0: a guest
        billing.text("email") if billing is not None else None,
        billing.text("first_name") if billing is not None else None,
        billing.text("last_name") if billing is not None else None,
        billing.text("phone") if billing is not None else None,
    )
    xp = {
        k: v
        for k, v in {
            "PaymentMethod": order.text("payment_method"),
            "PaymentProviderID": order.text("payment_provider_id"),
            "ShippingMethod": shipping[0].text("shipping_method") if shipping else None,
            "CustomerMessage": order.text("customer_message") or None,
            "Refunded": order.money("refunded_amount") or None,
        }.items()
        if v is not None
    }
    created = _date(order, "date_created", required=True)
    return order_doc(
        channel=CHANNEL,
        external_id=external_id,
        status=status,
        financial_status=financial,
        fulfillment_status=fulfilment,
        customer=customer,
        billing=_address(billing),
        shipping_address=_address(shipping[0]) if shipping else None,
        lines=lines,
        currency=(order.text("currency_code") or "").upper() or None,
        subtotal=order.money("subtotal_ex_tax"),
        discount=order.money("discount_amount") + order.money("coupon_discount"),
        shipping=order.money("shipping_cost_ex_tax"),
        tax=order.money("total_tax"),
        total=order.money("total_inc_tax", required=True),
        created=created,
        updated=_date(order, "date_modified") or created,
        submitted=created,
        xp=xp or None,
        order_number=external_id,
        remote_deleted=order.raw("is_deleted") is True,
        shipping_method=shipping[0].text("shipping_method") if shipping else None,
        payment_gateway=order.text("payment_method") or None,
        transaction_id=order.text("payment_provider_id") or None,
    )
