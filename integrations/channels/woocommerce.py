"""WooCommerce REST (v3) order JSON -> the common order shape (pure mapping, no I/O).

WooCommerce has no per-line fulfilment: an order is shipped when it reaches `completed`.
Status mapping and money rules: docs/channels.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.money import round_money
from integrations.channels.common import (
    CANCELED,
    FULFILLED,
    OPEN,
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

CHANNEL = "woocommerce"
# WooCommerce status -> (Status, FinancialStatus). `refunded` is decided below: a return when
# the order had completed (shipped) first, a cancelation otherwise.
STATUSES: dict[str, tuple[str, str]] = {
    "pending": (PENDING, "pending"),  # awaiting payment
    "on-hold": (PENDING, "pending"),  # awaiting a manual payment (bank transfer, cheque)
    "checkout-draft": (PENDING, "pending"),
    "processing": (OPEN, "paid"),  # paid, to be shipped
    "completed": (FULFILLED, "paid"),
    "cancelled": (CANCELED, "voided"),
    "failed": (CANCELED, "voided"),
    "trash": (CANCELED, "voided"),
    "refunded": (RETURNED, "refunded"),
}


def _line(line: Payload, shipped: bool, currency: str | None) -> dict[str, Any]:
    quantity = line.quantity("quantity")
    subtotal = line.money("subtotal", required=True)
    total = line.money("total", required=True)
    tax = line.money("total_tax")
    # `price` is WooCommerce's after-discount unit price; the common shape's UnitPrice is the
    # price before discounts, so that Subtotal = UnitPrice x Quantity.
    unit = round_money(subtotal / quantity, currency) if quantity else None
    variation = line.text("variation_id")
    product = line.text("product_id")
    return line_doc(
        line_id=line.ident("id"),
        sku=line.text("sku") or None,
        product_id=variation if variation and variation != "0" else product,
        variant_id=variation if variation and variation != "0" else None,
        name=line.text("name"),
        quantity=quantity,
        shipped=quantity if shipped else 0,
        unit_price=unit,
        subtotal=subtotal,
        discount=subtotal - total,
        tax=tax,
        total=total + tax,
    )


def _address(source: Payload | None) -> dict[str, Any] | None:
    return address(
        source,
        company="company",
        first="first_name",
        last="last_name",
        street1="address_1",
        street2="address_2",
        city="city",
        state="state",
        zip_code="postcode",
        country="country",
        phone="phone",
    )


def to_unified(body: dict[str, Any]) -> dict[str, Any]:
    order = Payload(CHANNEL, body)
    external_id = order.ident("id")
    woo_status = order.choice("status", STATUSES, required=True) or "pending"
    status, financial = STATUSES[woo_status]
    completed = order.date("date_completed_gmt") is not None
    if woo_status == "refunded" and not completed:
        status = CANCELED
    refunded = sum((-r.money("total") for r in order.objects("refunds")), ZERO)
    if refunded and financial == "paid":
        financial = "partially_refunded"
    shipped = woo_status == "completed" or (woo_status == "refunded" and completed)
    currency = (order.text("currency") or "").upper() or None
    lines = [_line(line, shipped, currency) for line in order.objects("line_items", required=True)]
    billing = order.obj("billing")
    customer_id = order.text("customer_id")
    created = order.date("date_created_gmt") or order.date("date_created", required=True)
    xp = {
        k: v
        for k, v in {
            "Number": order.text("number"),
            "PaymentMethod": order.text("payment_method_title") or None,
            "CustomerNote": order.text("customer_note") or None,
            "CreatedVia": order.text("created_via") or None,
        }.items()
        if v is not None
    }
    subtotal: Decimal = sum((line["Subtotal"] for line in lines), ZERO)
    return order_doc(
        channel=CHANNEL,
        external_id=external_id,
        status=status,
        financial_status=financial,
        fulfillment_status=FULFILLED if shipped and lines else UNFULFILLED,
        customer=customer_doc(
            customer_id if customer_id and customer_id != "0" else None,  # 0: a guest checkout
            billing.text("email") if billing else None,
            billing.text("first_name") if billing else None,
            billing.text("last_name") if billing else None,
            billing.text("phone") if billing else None,
        ),
        billing=_address(billing),
        shipping_address=_address(order.obj("shipping")),
        lines=lines,
        currency=currency,
        subtotal=subtotal,
        discount=order.money("discount_total"),
        shipping=order.money("shipping_total"),
        tax=order.money("total_tax"),
        total=order.money("total", required=True),
        created=created,
        updated=order.date("date_modified_gmt") or order.date("date_modified") or created,
        submitted=created,
        xp=xp or None,
        order_number=order.text("number"),
        remote_deleted=woo_status == "trash",
        shipping_method=next((m.text("method_title") for m in order.objects("shipping_lines")), None),
        payment_gateway=order.text("payment_method") or None,
        transaction_id=order.text("transaction_id") or None,
    )
