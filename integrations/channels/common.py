"""What every channel adapter shares: a reader for the channel's JSON that names the offending
field when it refuses a payload, the normalized vocabulary, and the document builders.

Adapters are pure: JSON in, a `UnifiedOrder`-shaped dict out (PascalCase keys, Decimal money),
no I/O. Money is read from strings (or JSON numbers already decoded as Decimal), never floats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.clock import iso, parse_iso
from domain.errors import ValidationFailed
from domain.money import to_decimal
from domain.payments import from_financial

# The normalized vocabulary (docs/channels.md has the mapping from each source).
PENDING, OPEN, PARTIALLY_FULFILLED, FULFILLED, CANCELED, RETURNED = (
    "pending",
    "open",
    "partially_fulfilled",
    "fulfilled",
    "canceled",
    "returned",
)
UNFULFILLED = "unfulfilled"
ZERO = Decimal(0)

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
ADDRESS_KEYS = (
    "ID",
    "DateCreated",
    "CompanyName",
    "FirstName",
    "LastName",
    "Street1",
    "Street2",
    "City",
    "State",
    "Zip",
    "Country",
    "Phone",
    "AddressName",
    "xp",
)


def invalid(channel: str, path: str, problem: str) -> ValidationFailed:
    return ValidationFailed(
        f"Invalid {channel} order: {path} {problem}",
        "Channels.InvalidPayload",
        {"Channel": channel, "Field": path},
    )


def unified_id(channel: str, external_id: str) -> str:
    """The common shape's ID: unique across channels (`shopify-450789469`)."""
    return f"{channel}-{external_id}"


class Payload:
    """One JSON object of a channel's payload and its path from the root, for error messages."""

    def __init__(self, channel: str, data: Any, path: str = "") -> None:
        if not isinstance(data, dict):
            raise invalid(channel, path or "$", "must be an object")
        self.channel = channel
        self.data: dict[str, Any] = data
        self.path = path

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> ValidationFailed:
        return invalid(self.channel, self.where(key), problem)

    def raw(self, key: str, *, required: bool = False) -> Any:
        value = self.data.get(key)
        if value is None and required:
            raise self.fail(key, "is required")
        return value

    def obj(self, key: str) -> Payload | None:
        value = self.data.get(key)
        return None if value is None else Payload(self.channel, value, self.where(key))

    def objects(self, key: str, *, required: bool = False) -> list[Payload]:
        value = self.raw(key, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return [Payload(self.channel, item, f"{self.where(key)}[{i}]") for i, item in enumerate(value)]

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(key, "must be a string")
        return str(value)

    def ident(self, key: str) -> str:
        """A required ID (channels send numbers or strings), usable in a URL path segment."""
        value = self.raw(key, required=True)
        if isinstance(value, bool) or not isinstance(value, str | int) or not _EXTERNAL_ID.match(str(value)):
            raise self.fail(key, "must be an ID of letters, digits, - or _ (at most 80)")
        return str(value)

    def money(self, key: str, *, required: bool = False) -> Decimal:
        value = self.raw(key, required=required)
        if value is None or value == "":
            if required:
                raise self.fail(key, "is required")
            return ZERO
        if isinstance(value, float):
            # Only reached when a caller bypasses the Decimal-decoding JSON parser.
            raise self.fail(key, "must be a decimal string or number, not a float")
        try:
            return to_decimal(value)
        except ValidationFailed:
            raise self.fail(key, f"must be a decimal amount (got {value!r})") from None

    def quantity(self, key: str, *, required: bool = True) -> int:
        value = self.raw(key, required=required)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise self.fail(key, "must be a whole number")
        try:
            number = to_decimal(value)
        except ValidationFailed:
            raise self.fail(key, f"must be a whole number (got {value!r})") from None
        if number != number.to_integral_value() or number < 0:
            raise self.fail(key, f"must be a whole number of at least 0 (got {value!r})")
        return int(number)

    def date(self, key: str, *, required: bool = False) -> str | None:
        """An ISO-8601 date in OrderCloud's UTC form; a value without an offset is UTC."""
        value = self.raw(key, required=required)
        if value is None or value == "":
            return None
        try:
            return iso(parse_iso(value))
        except (ValueError, TypeError):
            raise self.fail(key, f"must be an ISO-8601 date (got {value!r})") from None

    def choice(self, key: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        options = tuple(allowed)
        if value.lower() not in options:
            raise self.fail(key, f"must be one of {', '.join(options)} (got {value!r})")
        return value.lower()


def address(
    source: Payload | None,
    *,
    company: str,
    first: str,
    last: str,
    street1: str,
    street2: str,
    city: str,
    state: str,
    zip_code: str,
    country: str,
    phone: str,
) -> dict[str, Any] | None:
    """A channel address in OrderCloud's Address shape (keys named by the channel's field names);
    an address with nothing in it is None."""
    if source is None:
        return None
    names = {
        "CompanyName": company,
        "FirstName": first,
        "LastName": last,
        "Street1": street1,
        "Street2": street2,
        "City": city,
        "State": state,
        "Zip": zip_code,
        "Country": country,
        "Phone": phone,
    }
    values = {key: source.text(name) or None for key, name in names.items()}
    if not any(values.values()):
        return None
    for key, value in values.items():
        if value is not None and len(value) > 100:
            raise source.fail(names[key], "must be at most 100 characters")
    if values["Country"] is not None:
        if len(values["Country"]) != 2:
            raise source.fail(country, "must be a two-letter ISO country code")
        values["Country"] = values["Country"].upper()
    return {k: values.get(k) for k in ADDRESS_KEYS}


def ordercloud_address(value: Any) -> dict[str, Any] | None:
    """An OrderCloud address snapshot reduced to the Address fields (None stays None)."""
    if not isinstance(value, dict):
        return None
    return {k: value.get(k) for k in ADDRESS_KEYS}


def fulfillment_of(lines: list[dict[str, Any]]) -> str:
    """From shipped quantities: nothing shipped, everything shipped, or some of it."""
    ordered = sum(line["Quantity"] for line in lines)
    shipped = sum(min(line["QuantityShipped"], line["Quantity"]) for line in lines)
    if ordered == 0 or shipped == 0:
        return UNFULFILLED
    return FULFILLED if shipped >= ordered else PARTIALLY_FULFILLED


def line_doc(
    *,
    line_id: str,
    sku: str | None,
    product_id: str | None,
    name: str | None,
    quantity: int,
    shipped: int,
    unit_price: Decimal | None,
    subtotal: Decimal,
    discount: Decimal,
    tax: Decimal,
    total: Decimal,
    variant_id: str | None = None,
    unit_cost: Decimal | None = None,
) -> dict[str, Any]:
    return {
        "ID": line_id,
        "SKU": sku,
        "ProductID": product_id,
        "Name": name,
        "Quantity": quantity,
        "QuantityShipped": min(shipped, quantity),
        "UnitPrice": unit_price,
        "Subtotal": subtotal,
        "Discount": discount,
        "Tax": tax,
        "Total": total,
        "VariantID": variant_id,
        "UnitCost": unit_cost,
    }


def order_doc(
    *,
    channel: str,
    external_id: str,
    status: str,
    financial_status: str,
    fulfillment_status: str,
    payment_status: str | None = None,
    customer: dict[str, Any] | None,
    billing: dict[str, Any] | None,
    shipping_address: dict[str, Any] | None,
    lines: list[dict[str, Any]],
    currency: str | None,
    subtotal: Decimal,
    discount: Decimal,
    shipping: Decimal,
    tax: Decimal,
    total: Decimal,
    created: str | None,
    updated: str | None,
    submitted: str | None,
    xp: dict[str, Any] | None,
    order_number: str | None = None,
    remote_deleted: bool = False,
    shipping_method: str | None = None,
    tracking_numbers: list[str] | None = None,
    payment_gateway: str | None = None,
    transaction_id: str | None = None,
) -> dict[str, Any]:
    """The `UnifiedOrder` document, every field present (nulls included), in the wire order.
    `payment_status`: a `domain.payments.PaymentStatus` value; None maps `financial_status`."""
    return {
        "ID": unified_id(channel, external_id),
        "Channel": channel,
        "ExternalID": external_id,
        "Status": status,
        "FinancialStatus": financial_status,
        # One vocabulary for every channel (domain.payments.PaymentStatus); channels that only
        # report a financial status get it mapped.
        "PaymentStatus": payment_status or from_financial(financial_status).value,
        "FulfillmentStatus": fulfillment_status,
        "Customer": customer,
        "BillingAddress": billing,
        "ShippingAddress": shipping_address,
        "LineItems": lines,
        "Currency": currency,
        "Subtotal": subtotal,
        "Discount": discount,
        "Shipping": shipping,
        "Tax": tax,
        "Total": total,
        "DateCreated": created,
        "DateUpdated": updated,
        "DateSubmitted": submitted,
        "OrderNumber": order_number,
        "RemoteDeleted": remote_deleted,
        "ShippingMethod": shipping_method,
        "TrackingNumbers": tracking_numbers or [],
        "PaymentGateway": payment_gateway,
        "TransactionID": transaction_id,
        "xp": xp,
    }


def customer_doc(
    customer_id: str | None,
    email: str | None,
    first: str | None,
    last: str | None,
    phone: str | None,
) -> dict[str, Any] | None:
    values = {"ID": customer_id, "Email": email, "FirstName": first, "LastName": last, "Phone": phone}
    values = {k: (v or None) for k, v in values.items()}
    return values if any(values.values()) else None
