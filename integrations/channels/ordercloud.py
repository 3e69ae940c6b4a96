"""An OrderCloud order (with its line items and payments, as ordercore stores them) -> the common
order shape (pure mapping, no I/O). Status mapping: docs/channels.md."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.money import to_decimal
from domain.payments import PaymentStatus, payment_status
from integrations.channels.common import (
    CANCELED,
    FULFILLED,
    OPEN,
    PARTIALLY_FULFILLED,
    PENDING,
    RETURNED,
    ZERO,
    customer_doc,
    fulfillment_of,
    line_doc,
    order_doc,
    ordercloud_address,
)

CHANNEL = "ordercloud"


def _money(value: Any) -> Decimal:
    return ZERO if value is None else to_decimal(value)


# PaymentStatus -> the common shape's FinancialStatus (Shopify's words).
_FINANCIAL = {
    PaymentStatus.NOT_PAID: "pending",
    PaymentStatus.PENDING: "pending",
    PaymentStatus.PARTIALLY_PAID: "partially_paid",
    PaymentStatus.PAID: "paid",
    PaymentStatus.PARTIALLY_REFUNDED: "partially_refunded",
    PaymentStatus.FULLY_REFUNDED: "refunded",
}


def financial_status(order: dict[str, Any], payments: Iterable[dict[str, Any]]) -> str:
    """FinancialStatus from the PaymentStatus of `domain.payments.payment_status` (the one
    definition); a canceled order with nothing paid is `voided`."""
    status = payment_status(order.get("Total"), payments)
    if order.get("Status") == "Canceled" and status in (PaymentStatus.NOT_PAID, PaymentStatus.PENDING):
        return "voided"
    return _FINANCIAL[status]


def _status(order: dict[str, Any], fulfilment: str, paid: PaymentStatus) -> str:
    status = order.get("Status")
    if status == "Canceled":
        return CANCELED
    if status == "Completed":
        # Returned only when everything paid went back; a partial refund leaves it fulfilled.
        return RETURNED if paid == PaymentStatus.FULLY_REFUNDED else FULFILLED
    if status == "Open":
        # Shipped lines show before OrderCloud completes the order (it waits for dated shipments).
        return fulfilment if fulfilment in (PARTIALLY_FULFILLED, FULFILLED) else OPEN
    return PENDING  # Unsubmitted, AwaitingApproval, Declined: not (yet) an order to fulfil


def _line(line: dict[str, Any]) -> dict[str, Any]:
    product = line.get("Product") or {}
    variant = line.get("Variant") or {}
    quantity = int(line.get("Quantity") or 0)
    return line_doc(
        line_id=line["ID"],
        sku=variant.get("ID") or line.get("ProductID"),
        product_id=line.get("ProductID"),
        name=product.get("Name"),
        quantity=quantity,
        shipped=int(line.get("QuantityShipped") or 0),
        unit_price=None if line.get("UnitPrice") is None else to_decimal(line["UnitPrice"]),
        subtotal=_money(line.get("LineSubtotal")),
        discount=_money(line.get("PromotionDiscount")),
        tax=ZERO,  # OrderCloud line items carry no tax; the order's TaxCost has it
        total=_money(line.get("LineTotal")),
        variant_id=variant.get("ID"),
    )


def tracking_numbers(shipments: Iterable[dict[str, Any]]) -> list[str]:
    """The shipments' tracking numbers, in shipping order (dated first, by DateShipped, then by
    ID), without repeats or blanks."""
    ordered = sorted(
        shipments, key=lambda s: (s.get("DateShipped") is None, s.get("DateShipped") or "", s["ID"])
    )
    numbers = (str(s.get("TrackingNumber") or "").strip() for s in ordered)
    return list(dict.fromkeys(n for n in numbers if n))


def _collected(payments: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The payment that collected the order: the first accepted one that is no refund."""
    for payment in payments:
        amount = payment.get("Amount")
        refund = payment.get("OrderReturnID") or (amount is not None and to_decimal(amount) < 0)
        if payment.get("Accepted") and not refund:
            return payment
    return None


def _xp(doc: dict[str, Any]) -> dict[str, Any]:
    xp = doc.get("xp")
    return xp if isinstance(xp, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def gateway_and_transaction(payments: Iterable[dict[str, Any]]) -> tuple[str | None, str | None]:
    """PaymentGateway and TransactionID of a native order (docs/channels.md): from the payment
    that collected it, its `xp.Gateway` (else its Type), and of its succeeded transactions the
    last one's `xp.TransactionID` (else its ResultCode)."""
    payment = _collected(payments)
    if payment is None:
        return None, None
    gateway = _text(_xp(payment).get("Gateway")) or _text(payment.get("Type"))
    succeeded = [t for t in payment.get("Transactions") or [] if t.get("Succeeded")]
    if not succeeded:
        return gateway, None
    last = succeeded[-1]
    return gateway, _text(_xp(last).get("TransactionID")) or _text(last.get("ResultCode"))


def to_unified(
    order: dict[str, Any],
    lines: Iterable[dict[str, Any]],
    payments: Iterable[dict[str, Any]] = (),
    shipments: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    lines = list(lines)
    line_docs = [_line(line) for line in lines]
    fulfilment = fulfillment_of(line_docs)
    payments = list(payments)
    financial = financial_status(order, payments)
    paid_status = payment_status(order.get("Total"), payments)
    user = order.get("FromUser") or {}
    ship_to = order.get("_ShippingAddress") or next(
        (line.get("ShippingAddress") for line in lines if line.get("ShippingAddress")), None
    )
    if order.get("Status") == "Completed":
        fulfilment = FULFILLED  # completed by hand or by shipments: either way, done
    gateway, transaction = gateway_and_transaction(payments)
    return order_doc(
        channel=CHANNEL,
        external_id=order["ID"],
        status=_status(order, fulfilment, paid_status),
        financial_status=financial,
        fulfillment_status=fulfilment,
        payment_status=paid_status.value,
        customer=customer_doc(
            user.get("ID") or order.get("FromUserID"),
            user.get("Email"),
            user.get("FirstName"),
            user.get("LastName"),
            user.get("Phone"),
        ),
        billing=ordercloud_address(order.get("BillingAddress")),
        shipping_address=ordercloud_address(ship_to),
        lines=line_docs,
        currency=order.get("Currency"),
        subtotal=_money(order.get("Subtotal")),
        discount=_money(order.get("PromotionDiscount")),
        shipping=_money(order.get("ShippingCost")),
        tax=_money(order.get("TaxCost")),
        total=_money(order.get("Total")),
        created=order.get("DateCreated"),
        updated=order.get("LastUpdated"),
        submitted=order.get("DateSubmitted"),
        xp=order.get("xp"),
        order_number=order["ID"],
        tracking_numbers=tracking_numbers(shipments),
        payment_gateway=gateway,
        transaction_id=transaction,
    )
