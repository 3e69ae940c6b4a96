"""Wix eCommerce order JSON -> the common order shape (pure mapping, no I/O), and back for the
statuses.

The order is read as the eCommerce Orders API returns it (`GET /ecom/v1/orders/{id}`, also in
the `{"order": {...}}` envelope) and as its Order Created / Updated events carry it. Money is
`{"amount": "12.50"}` objects. Status mapping: docs/channels.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.payments import (
    FULLY_REFUNDED,
    NOT_PAID,
    PAID,
    PARTIALLY_PAID,
    PARTIALLY_REFUNDED,
)
from domain.payments import (
    PENDING as PAYMENT_PENDING,
)
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

CHANNEL = "wix"
# Wix `paymentStatus` -> the common FinancialStatus. The six documented values are the same
# vocabulary as `domain.payments`; AUTHORIZED, CANCELED and DECLINED appear on orders paid with
# authorize-then-capture providers.
FINANCIAL = {
    NOT_PAID: "pending",
    PAYMENT_PENDING: "pending",
    PARTIALLY_PAID: "partially_paid",
    PAID: "paid",
    PARTIALLY_REFUNDED: "partially_refunded",
    FULLY_REFUNDED: "refunded",
    "AUTHORIZED": "authorized",
    "CANCELED": "voided",
    "DECLINED": "voided",
    "UNSPECIFIED_PAYMENT_STATUS": "pending",
}
FULFILMENT = {
    "NOT_FULFILLED": UNFULFILLED,
    "PARTIALLY_FULFILLED": PARTIALLY_FULFILLED,
    "FULFILLED": FULFILLED,
}
ORDER_STATUSES = ("INITIALIZED", "APPROVED", "CANCELED", "PENDING", "REJECTED")
# Back: the common FulfillmentStatus -> Wix `fulfillmentStatus`.
TO_WIX_FULFILMENT = {v: k for k, v in FULFILMENT.items()}


def unwrap(body: dict[str, Any]) -> dict[str, Any]:
    inner = body.get("order")
    return inner if len(body) == 1 and isinstance(inner, dict) else body


def to_wix_statuses(unified: dict[str, Any], payment_status: str) -> dict[str, str]:
    """The statuses to send back to Wix for an order in the common shape: its fulfilment, and its
    payment status (`domain.payments.payment_status` of the OrderCloud order: already Wix's
    vocabulary)."""
    return {
        "fulfillmentStatus": TO_WIX_FULFILMENT[unified["FulfillmentStatus"]],
        "paymentStatus": payment_status,
    }


def _amount(parent: Payload, key: str, *, required: bool = False) -> Decimal:
    money = parent.obj(key)
    if money is None:
        if required:
            raise parent.fail(key, "is required")
        return ZERO
    return money.money("amount", required=True)


def _status(order_status: str, payment: str, fulfilment: str) -> str:
    if order_status in ("CANCELED", "REJECTED"):
        return CANCELED
    if payment == FULLY_REFUNDED:
        return RETURNED if fulfilment in ("FULFILLED", "PARTIALLY_FULFILLED") else CANCELED
    if fulfilment == "FULFILLED":
        return FULFILLED
    if fulfilment == "PARTIALLY_FULFILLED":
        return PARTIALLY_FULFILLED
    if order_status in ("INITIALIZED", "PENDING") or payment in (NOT_PAID, PAYMENT_PENDING):
        return PENDING
    return OPEN


def _line(line: Payload, shipped: bool) -> dict[str, Any]:
    quantity = line.quantity("quantity")
    price = _amount(line, "price", required=True)
    subtotal = price * quantity
    discount = _amount(line, "totalDiscount")
    tax_details = line.obj("taxDetails")
    tax = _amount(tax_details, "totalTax") if tax_details is not None else ZERO
    after_tax = line.obj("totalPriceAfterTax")
    total = after_tax.money("amount", required=True) if after_tax is not None else subtotal - discount + tax
    name = line.obj("productName")
    reference = line.obj("catalogReference")
    options = reference.obj("options") if reference is not None else None
    variant = options.text("variantId") if options is not None else None
    physical = line.obj("physicalProperties")
    return line_doc(
        line_id=line.ident("id"),
        sku=(physical.text("sku") if physical is not None else None) or None,
        product_id=variant or (reference.text("catalogItemId") if reference is not None else None),
        name=name.text("original") if name is not None else None,
        quantity=quantity,
        shipped=quantity if shipped else 0,
        unit_price=price,
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=total,
        variant_id=variant,
    )


def _address(holder: Payload | None) -> dict[str, Any] | None:
    """Wix keeps the street in `address` and the name in `contactDetails`; `subdivision` is ISO
    3166-2 (`US-NY`): the State is the part after the country."""
    if holder is None:
        return None
    place = holder.obj("address")
    contact = holder.obj("contactDetails")
    merged: dict[str, Any] = {}
    if place is not None:
        merged.update(place.data)
        subdivision = place.text("subdivision")
        if subdivision and "-" in subdivision:
            merged["subdivision"] = subdivision.split("-", 1)[1]
    if contact is not None:
        merged.update(contact.data)
    return address(
        # Errors name the address's path (where the fields that can be wrong live).
        Payload(holder.channel, merged, place.path if place is not None else holder.path),
        company="company",
        first="firstName",
        last="lastName",
        street1="addressLine",
        street2="addressLine2",
        city="city",
        state="subdivision",
        zip_code="postalCode",
        country="country",
        phone="phone",
    )


def to_unified(body: dict[str, Any]) -> dict[str, Any]:
    order = Payload(CHANNEL, unwrap(body))
    external_id = order.ident("id")
    order_status = (order.choice("status", [s.lower() for s in ORDER_STATUSES]) or "approved").upper()
    payment = (order.choice("paymentStatus", [s.lower() for s in FINANCIAL]) or NOT_PAID.lower()).upper()
    fulfilment = (
        order.choice("fulfillmentStatus", [s.lower() for s in FULFILMENT]) or "not_fulfilled"
    ).upper()
    shipped = fulfilment == "FULFILLED"
    lines = [_line(line, shipped) for line in order.objects("lineItems", required=True)]
    summary = order.obj("priceSummary")
    if summary is None:
        raise order.fail("priceSummary", "is required")
    billing = order.obj("billingInfo")
    shipping_info = order.obj("shippingInfo")
    logistics = shipping_info.obj("logistics") if shipping_info is not None else None
    destination = logistics.obj("shippingDestination") if logistics is not None else None
    buyer = order.obj("buyerInfo")
    contact = billing.obj("contactDetails") if billing is not None else None
    customer = customer_doc(
        (buyer.text("contactId") or buyer.text("memberId")) if buyer is not None else None,
        buyer.text("email") if buyer is not None else None,
        contact.text("firstName") if contact is not None else None,
        contact.text("lastName") if contact is not None else None,
        contact.text("phone") if contact is not None else None,
    )
    xp = {
        k: v
        for k, v in {
            "Number": order.text("number"),
            "ShippingMethod": shipping_info.text("title") if shipping_info is not None else None,
            "PaymentStatus": payment,
            "Archived": order.raw("archived") if isinstance(order.raw("archived"), bool) else None,
        }.items()
        if v is not None
    }
    created = order.date("createdDate", required=True)
    return order_doc(
        channel=CHANNEL,
        external_id=external_id,
        status=_status(order_status, payment, fulfilment),
        financial_status=FINANCIAL[payment],
        fulfillment_status=FULFILMENT[fulfilment],
        customer=customer,
        billing=_address(billing),
        shipping_address=_address(destination),
        lines=lines,
        currency=(order.text("currency") or "").upper() or None,
        subtotal=_amount(summary, "subtotal"),
        discount=_amount(summary, "discount"),
        shipping=_amount(summary, "shipping"),
        tax=_amount(summary, "tax"),
        total=_amount(summary, "total", required=True),
        created=created,
        updated=order.date("updatedDate") or created,
        submitted=created,
        xp=xp or None,
        order_number=order.text("number"),
        shipping_method=shipping_info.text("title") if shipping_info is not None else None,
    )
