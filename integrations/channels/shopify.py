"""Shopify Admin REST order JSON -> the common order shape (pure mapping, no I/O).

The order is read as Shopify sends it in `orders/*` webhooks and `GET /orders/{id}.json` (the
`{"order": {...}}` envelope is accepted too). Status mapping and money rules: docs/channels.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from integrations.channels.common import (
    CANCELED,
    FULFILLED,
    OPEN,
    PARTIALLY_FULFILLED,
    PENDING,
    RETURNED,
    UNFULFILLED,
    ZERO,
    Payload,
    address,
    customer_doc,
    line_doc,
    order_doc,
)

CHANNEL = "shopify"
FINANCIAL = {
    "pending": "pending",
    "authorized": "authorized",
    "partially_paid": "partially_paid",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
    "expired": "voided",
}
# Order-level `fulfillment_status`; null means nothing shipped yet. `restocked` (shipped, then
# returned to stock) is kept as fulfilled: the goods did go out.
FULFILMENT = {
    "unfulfilled": UNFULFILLED,
    "partial": PARTIALLY_FULFILLED,
    "fulfilled": FULFILLED,
    "restocked": FULFILLED,
}


def unwrap(body: dict[str, Any]) -> dict[str, Any]:
    """`GET /orders/{id}.json` answers `{"order": {...}}`; webhooks send the order itself."""
    inner = body.get("order")
    return inner if len(body) == 1 and isinstance(inner, dict) else body


def _status(financial: str, fulfilment: str | None, cancelled: bool) -> str:
    if cancelled:
        return CANCELED
    if fulfilment == "restocked":
        return RETURNED
    if financial == "refunded":
        # Money back after goods went out is a return; before, the order simply did not happen.
        return RETURNED if fulfilment in ("fulfilled", "partial") else CANCELED
    if fulfilment == "fulfilled":
        return FULFILLED
    if fulfilment == "partial":
        return PARTIALLY_FULFILLED
    return PENDING if financial == "pending" else OPEN


def _shipped(line: Payload, quantity: int, cancelled: bool) -> int:
    if line.text("fulfillment_status") == "fulfilled":
        return quantity
    if cancelled or line.raw("fulfillable_quantity") is None:
        return 0
    return max(quantity - line.quantity("fulfillable_quantity"), 0)


def _line(line: Payload, taxes_included: bool, cancelled: bool) -> dict[str, Any]:
    quantity = line.quantity("quantity")
    price = line.money("price", required=True)
    subtotal = price * quantity
    allocations = line.objects("discount_allocations")
    if allocations:
        discount = sum((a.money("amount", required=True) for a in allocations), ZERO)
    else:
        discount = line.money("total_discount")
    tax = sum((t.money("price", required=True) for t in line.objects("tax_lines")), ZERO)
    total = subtotal - discount + (ZERO if taxes_included else tax)
    sku = line.text("sku") or None
    return line_doc(
        line_id=line.ident("id"),
        sku=sku,
        product_id=line.text("product_id"),
        name=line.text("title") or line.text("name"),
        quantity=quantity,
        shipped=_shipped(line, quantity, cancelled),
        unit_price=price,
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=total,
        variant_id=line.text("variant_id"),
    )


def _shipping(order: Payload) -> Decimal:
    price_set = order.obj("total_shipping_price_set")
    if price_set is not None:
        shop_money = price_set.obj("shop_money")
        if shop_money is None:
            raise price_set.fail("shop_money", "is required")
        return shop_money.money("amount", required=True)
    return sum((s.money("price", required=True) for s in order.objects("shipping_lines")), ZERO)


def _address(source: Payload | None) -> dict[str, Any] | None:
    if source is not None and not source.text("country_code") and source.text("country"):
        raise source.fail("country_code", "is required when country is given")
    return address(
        source,
        company="company",
        first="first_name",
        last="last_name",
        street1="address1",
        street2="address2",
        city="city",
        state="province_code" if source is not None and source.text("province_code") else "province",
        zip_code="zip",
        country="country_code",
        phone="phone",
    )


def _customer(order: Payload, customer: Payload | None, billing: Payload | None) -> dict[str, Any] | None:
    """The customer record first, then the order's own contact fields, then the billing name."""

    def pick(key: str, *sources: Payload | None) -> str | None:
        return next((v for s in sources if s is not None and (v := s.text(key))), None)

    return customer_doc(
        customer.ident("id") if customer is not None and customer.raw("id") is not None else None,
        pick("email", order, customer) or order.text("contact_email"),
        pick("first_name", customer, billing),
        pick("last_name", customer, billing),
        pick("phone", customer, order),
    )


def to_unified(body: dict[str, Any]) -> dict[str, Any]:
    order = Payload(CHANNEL, unwrap(body))
    external_id = order.ident("id")
    financial = order.choice("financial_status", FINANCIAL) or "pending"
    fulfilment = order.choice("fulfillment_status", FULFILMENT)
    cancelled = order.date("cancelled_at") is not None
    taxes_included = order.raw("taxes_included") is True
    lines = [_line(line, taxes_included, cancelled) for line in order.objects("line_items", required=True)]
    subtotal = (
        order.money("total_line_items_price")
        if order.raw("total_line_items_price") is not None
        else sum((line["Subtotal"] for line in lines), ZERO)
    )
    customer = order.obj("customer")
    billing = order.obj("billing_address")
    xp = {
        k: v
        for k, v in {
            "Name": order.text("name"),
            "Tags": order.text("tags") or None,
            "Note": order.text("note"),
            "CancelReason": order.text("cancel_reason"),
        }.items()
        if v is not None
    }
    created = order.date("created_at", required=True)
    return order_doc(
        channel=CHANNEL,
        external_id=external_id,
        status=_status(financial, fulfilment, cancelled),
        financial_status=FINANCIAL[financial],
        fulfillment_status=FULFILMENT.get(fulfilment or "", UNFULFILLED),
        customer=_customer(order, customer, billing),
        billing=_address(billing),
        shipping_address=_address(order.obj("shipping_address")),
        lines=lines,
        currency=(order.text("currency") or "").upper() or None,
        subtotal=subtotal,
        discount=order.money("total_discounts"),
        shipping=_shipping(order),
        tax=order.money("total_tax"),
        total=order.money("total_price", required=True),
        created=created,
        updated=order.date("updated_at") or created,
        submitted=order.date("processed_at") or created,
        xp=xp or None,
        order_number=order.text("order_number") or order.text("name"),
        shipping_method=next((s.text("title") for s in order.objects("shipping_lines")), None),
        tracking_numbers=_tracking(order),
        payment_gateway=next((str(g) for g in order.raw("payment_gateway_names") or []), None)
        or order.text("gateway"),
    )


def _tracking(order: Payload) -> list[str]:
    """Tracking numbers of the order's fulfillments, in order, without repeats."""
    numbers: list[str] = []
    for fulfillment in order.objects("fulfillments"):
        for number in fulfillment.raw("tracking_numbers") or [fulfillment.text("tracking_number")]:
            if number and str(number) not in numbers:
                numbers.append(str(number))
    return numbers
