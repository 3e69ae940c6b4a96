"""Channel adapters (docs/channels.md): realistic Shopify and WooCommerce payloads and native
OrderCloud orders mapped to the common shape, money kept exact, statuses normalized, and
malformed payloads refused naming the field."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.models.channels import UnifiedOrder
from app.wire import decode_json, encode, validate
from domain.errors import ValidationFailed
from integrations.channels import ordercloud, shopify, woocommerce

SAMPLES = Path(__file__).parent / "channel_samples"


def sample(name: str) -> dict[str, Any]:
    # The app's own JSON decoding: non-integer numbers arrive as Decimal, never float.
    data: dict[str, Any] = decode_json((SAMPLES / name).read_bytes())
    return data


def refused(fn: Any, payload: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        fn(payload)
    assert info.value.code == "Channels.InvalidPayload"
    return info.value


# --------------------------------------------------------------------------- Shopify


def test_shopify_order_maps_to_the_common_shape() -> None:
    doc = shopify.to_unified(sample("shopify_order.json"))
    validate(doc, UnifiedOrder)
    assert (doc["ID"], doc["Channel"], doc["ExternalID"]) == ("shopify-450789469", "shopify", "450789469")
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == (
        "partially_fulfilled",
        "paid",
        "partially_fulfilled",
    )
    assert doc["Customer"] == {
        "ID": "207119551",
        "Email": "bob.norman@mail.example.com",
        "FirstName": "Bob",
        "LastName": "Norman",
        "Phone": "+16136120707",
    }
    ship = doc["ShippingAddress"]
    assert (
        ship["CompanyName"],
        ship["Street1"],
        ship["Street2"],
        ship["State"],
        ship["Zip"],
        ship["Country"],
    ) == (
        "Norman Traders",
        "Chestnut Street 92",
        "Suite 4",
        "KY",
        "40202",
        "US",
    )
    assert doc["BillingAddress"]["Street2"] is None and doc["BillingAddress"]["CompanyName"] is None
    assert doc["Currency"] == "USD"
    totals = [doc[k] for k in ("Subtotal", "Discount", "Shipping", "Tax", "Total")]
    assert totals == [
        Decimal("597.99"),
        Decimal("19.90"),
        Decimal("10.00"),
        Decimal("45.85"),
        Decimal("633.94"),
    ]
    green, red = doc["LineItems"]
    assert green == {
        "ID": "466157049",
        "SKU": "IPOD2008GREEN",
        "ProductID": "632910392",
        "Name": "IPod Nano - 8gb",
        "Quantity": 2,
        "QuantityShipped": 2,
        "UnitPrice": Decimal("199.00"),
        "Subtotal": Decimal("398.00"),
        "Discount": Decimal("19.90"),
        "Tax": Decimal("29.85"),
        "Total": Decimal("407.95"),
        "VariantID": "39072856",
        "UnitCost": None,
    }
    # Order-level fields of the completed common shape.
    assert doc["OrderNumber"] == "1001" and doc["ShippingMethod"] == "Free Shipping"
    assert doc["RemoteDeleted"] is False
    assert (red["QuantityShipped"], red["Tax"], red["Total"]) == (0, Decimal("16.00"), Decimal("215.99"))
    # Dates in OrderCloud's UTC form, whatever offset the shop used.
    assert doc["DateCreated"] == "2024-03-05T19:02:11.000+00:00"
    assert doc["DateUpdated"] == "2024-03-06T14:30:00.000+00:00"
    assert doc["DateSubmitted"] == doc["DateCreated"]
    assert doc["xp"] == {"Name": "#1001", "Tags": "wholesale, vip", "Note": "Please gift wrap the red one"}


def test_shopify_tracking_and_gateway() -> None:
    order = sample("shopify_order.json")
    order["payment_gateway_names"] = ["shopify_payments"]
    order["fulfillments"] = [
        {"id": 1, "tracking_number": "1Z999", "tracking_numbers": ["1Z999", "1Z998"]},
        {"id": 2, "tracking_number": "1Z997"},
    ]
    doc = shopify.to_unified(order)
    assert doc["TrackingNumbers"] == ["1Z999", "1Z998", "1Z997"]
    assert doc["PaymentGateway"] == "shopify_payments"


def test_shopify_rest_envelope_is_unwrapped() -> None:
    order = sample("shopify_order.json")
    assert shopify.to_unified({"order": order}) == shopify.to_unified(order)


def test_shopify_money_stays_exact() -> None:
    order = sample("shopify_order.json")
    line = order["line_items"][1]
    line.update(price="0.10", quantity=3, tax_lines=[], discount_allocations=[], fulfillable_quantity=3)
    order["line_items"] = [line]
    order.update(total_line_items_price=None, total_price="12345678901234.57")
    doc = shopify.to_unified(order)
    # 3 x 0.10 is 0.30 exactly (a float would give 0.30000000000000004).
    assert doc["LineItems"][0]["Subtotal"] == Decimal("0.30") and doc["Subtotal"] == Decimal("0.30")
    assert b'"Total":12345678901234.57' in encode(doc)


@pytest.mark.parametrize(
    ("financial", "fulfilment", "cancelled", "status"),
    [
        ("pending", None, False, "pending"),
        ("authorized", None, False, "open"),
        ("paid", None, False, "open"),
        ("paid", "unfulfilled", False, "open"),
        ("paid", "partial", False, "partially_fulfilled"),
        ("paid", "fulfilled", False, "fulfilled"),
        ("partially_refunded", "fulfilled", False, "fulfilled"),
        ("refunded", "fulfilled", False, "returned"),
        ("refunded", None, False, "canceled"),
        ("paid", "restocked", False, "returned"),
        ("voided", None, True, "canceled"),
        ("refunded", "fulfilled", True, "canceled"),
    ],
)
def test_shopify_status_mapping(financial: str, fulfilment: str | None, cancelled: bool, status: str) -> None:
    order = sample("shopify_order.json")
    order.update(
        financial_status=financial,
        fulfillment_status=fulfilment,
        cancelled_at="2024-03-07T10:00:00-05:00" if cancelled else None,
    )
    doc = shopify.to_unified(order)
    assert doc["Status"] == status
    validate(doc, UnifiedOrder)


def test_shopify_expired_payment_is_voided() -> None:
    order = sample("shopify_order.json")
    order["financial_status"] = "expired"
    assert shopify.to_unified(order)["FinancialStatus"] == "voided"


def test_shopify_taxes_included_are_not_added_again() -> None:
    order = sample("shopify_order.json")
    order["taxes_included"] = True
    green = shopify.to_unified(order)["LineItems"][0]
    assert (green["Tax"], green["Total"]) == (Decimal("29.85"), Decimal("378.10"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o.pop("id"), "id"),
        (lambda o: o.update(id="45 07"), "id"),
        (lambda o: o.pop("line_items"), "line_items"),
        (lambda o: o.update(line_items={"id": 1}), "line_items"),
        (lambda o: o["line_items"][1].update(price="abc"), "line_items[1].price"),
        (lambda o: o["line_items"][0].update(price=True), "line_items[0].price"),
        (lambda o: o["line_items"][0].update(quantity=-1), "line_items[0].quantity"),
        (lambda o: o["line_items"][0].update(quantity="1.5"), "line_items[0].quantity"),
        (
            lambda o: o["line_items"][1]["tax_lines"][0].update(price="NaN"),
            "line_items[1].tax_lines[0].price",
        ),
        (lambda o: o.update(total_price=None), "total_price"),
        (lambda o: o.update(financial_status="settled"), "financial_status"),
        (lambda o: o.update(created_at="yesterday"), "created_at"),
        (lambda o: o["shipping_address"].update(country_code="USA"), "shipping_address.country_code"),
        (lambda o: o["total_shipping_price_set"].pop("shop_money"), "total_shipping_price_set.shop_money"),
    ],
)
def test_shopify_malformed_payload_names_the_field(change: Any, field: str) -> None:
    order = sample("shopify_order.json")
    change(order)
    error = refused(shopify.to_unified, order)
    assert error.data == {"Channel": "shopify", "Field": field}
    assert field in error.message


def test_float_money_is_refused() -> None:
    # JSON reaching the API is decoded with Decimal; a float means someone bypassed that.
    order = sample("shopify_order.json")
    order["total_price"] = 633.94
    assert refused(shopify.to_unified, order).data["Field"] == "total_price"


# --------------------------------------------------------------------------- WooCommerce


def test_woocommerce_order_maps_to_the_common_shape() -> None:
    doc = woocommerce.to_unified(sample("woocommerce_order.json"))
    validate(doc, UnifiedOrder)
    assert (doc["ID"], doc["ExternalID"], doc["Channel"]) == ("woocommerce-727", "727", "woocommerce")
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == (
        "open",
        "paid",
        "unfulfilled",
    )
    assert doc["Customer"] == {
        "ID": "12",
        "Email": "john.doe@example.com",
        "FirstName": "John",
        "LastName": "Doe",
        "Phone": "(555) 555-5555",
    }
    assert doc["ShippingAddress"]["Street2"] == "Floor 2" and doc["ShippingAddress"]["Phone"] is None
    assert doc["BillingAddress"]["Zip"] == "94103" and doc["BillingAddress"]["CompanyName"] is None
    totals = [doc[k] for k in ("Subtotal", "Discount", "Shipping", "Tax", "Total")]
    assert totals == [Decimal("54.00"), Decimal("5.00"), Decimal("10.00"), Decimal("3.06"), Decimal("62.06")]
    single, variation = doc["LineItems"]
    assert single == {
        "ID": "315",
        "SKU": "WOO-SINGLE-1",
        "ProductID": "93",
        "Name": "Woo Single #1",
        "Quantity": 2,
        "QuantityShipped": 0,
        "UnitPrice": Decimal("21.00"),
        "Subtotal": Decimal("42.00"),
        "Discount": Decimal("5.00"),
        "Tax": Decimal("2.22"),
        "Total": Decimal("39.22"),
        "VariantID": None,
        "UnitCost": None,
    }
    assert (variation["ProductID"], variation["Total"]) == ("23", Decimal("12.84"))
    assert variation["VariantID"] == "23"
    assert (doc["OrderNumber"], doc["ShippingMethod"], doc["PaymentGateway"], doc["TransactionID"]) == (
        "727",
        "Flat Rate",
        "bacs",
        None,
    )
    assert (
        woocommerce.to_unified({**sample("woocommerce_order.json"), "status": "trash"})["RemoteDeleted"]
        is True
    )
    assert doc["DateCreated"] == "2024-03-05T15:12:01.000+00:00"
    assert doc["DateUpdated"] == "2024-03-05T15:12:04.000+00:00"
    assert doc["xp"] == {
        "Number": "727",
        "PaymentMethod": "Direct Bank Transfer",
        "CustomerNote": "Leave at the back door",
        "CreatedVia": "checkout",
    }


@pytest.mark.parametrize(
    ("woo_status", "completed", "status", "financial", "fulfilment"),
    [
        ("pending", False, "pending", "pending", "unfulfilled"),
        ("on-hold", False, "pending", "pending", "unfulfilled"),
        ("processing", False, "open", "paid", "unfulfilled"),
        ("completed", True, "fulfilled", "paid", "fulfilled"),
        ("cancelled", False, "canceled", "voided", "unfulfilled"),
        ("failed", False, "canceled", "voided", "unfulfilled"),
        ("refunded", True, "returned", "refunded", "fulfilled"),
        ("refunded", False, "canceled", "refunded", "unfulfilled"),
    ],
)
def test_woocommerce_status_mapping(
    woo_status: str, completed: bool, status: str, financial: str, fulfilment: str
) -> None:
    order = sample("woocommerce_order.json")
    order.update(status=woo_status, date_completed_gmt="2024-03-08T12:00:00" if completed else None)
    doc = woocommerce.to_unified(order)
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == (
        status,
        financial,
        fulfilment,
    )
    shipped = [line["QuantityShipped"] for line in doc["LineItems"]]
    assert shipped == ([2, 1] if fulfilment == "fulfilled" else [0, 0])


def test_woocommerce_partial_refund() -> None:
    order = sample("woocommerce_order.json")
    order.update(status="completed", refunds=[{"id": 730, "reason": "damaged", "total": "-12.84"}])
    assert woocommerce.to_unified(order)["FinancialStatus"] == "partially_refunded"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o.update(status="shipped"), "status"),
        (lambda o: o.pop("status"), "status"),
        (lambda o: o["line_items"][0].update(subtotal="4 2"), "line_items[0].subtotal"),
        (lambda o: o["line_items"][1].pop("total"), "line_items[1].total"),
        (lambda o: o["billing"].update(country="United States"), "billing.country"),
        (lambda o: o["shipping"].update(address_1="x" * 101), "shipping.address_1"),
        (lambda o: o.update(shipping="969 Market"), "shipping"),
        (lambda o: o.update(total="sixty-two"), "total"),
        (lambda o: o.update(date_created_gmt=None, date_created=None), "date_created"),
    ],
)
def test_woocommerce_malformed_payload_names_the_field(change: Any, field: str) -> None:
    order = sample("woocommerce_order.json")
    change(order)
    assert refused(woocommerce.to_unified, order).data == {"Channel": "woocommerce", "Field": field}


# --------------------------------------------------------------------------- OrderCloud


def native(status: str = "Open", **extra: Any) -> dict[str, Any]:
    order = {
        "ID": "o1",
        "FromUser": {"ID": "alice", "Email": "alice@example.com", "FirstName": "Alice", "LastName": "T"},
        "FromUserID": "alice",
        "FromCompanyID": "b1",
        "ToCompanyID": "ordercore",
        "BillingAddress": {"ID": None, "Street1": "1 Main St", "City": "Springfield", "Country": "US"},
        "Status": status,
        "IsSubmitted": True,
        "DateCreated": "2024-01-01T00:00:00.000+00:00",
        "DateSubmitted": "2024-01-02T00:00:00.000+00:00",
        "LastUpdated": "2024-01-03T00:00:00.000+00:00",
        "Subtotal": Decimal("40.00"),
        "ShippingCost": Decimal("5.00"),
        "TaxCost": Decimal("3.20"),
        "PromotionDiscount": Decimal("0"),
        "Total": Decimal("48.20"),
        "Currency": "USD",
        "xp": {"PO": "123"},
        "_ShippingAddress": {"Street1": "2 Side St", "City": "Springfield", "Country": "US", "_x": 1},
    }
    order.update(extra)
    return order


def native_lines(shipped: tuple[int, int] = (0, 0)) -> list[dict[str, Any]]:
    return [
        {
            "ID": "l1",
            "ProductID": "widget",
            "Quantity": 3,
            "QuantityShipped": shipped[0],
            "UnitPrice": Decimal("10.00"),
            "LineSubtotal": Decimal("30.00"),
            "LineTotal": Decimal("30.00"),
            "PromotionDiscount": None,
            "Product": {"ID": "widget", "Name": "Widget"},
            "Variant": None,
        },
        {
            "ID": "l2",
            "ProductID": "shirt",
            "Quantity": 1,
            "QuantityShipped": shipped[1],
            "UnitPrice": Decimal("10.00"),
            "LineSubtotal": Decimal("10.00"),
            "LineTotal": Decimal("10.00"),
            "Product": {"ID": "shirt", "Name": "Shirt"},
            "Variant": {"ID": "shirt-red-m"},
        },
    ]


def test_ordercloud_order_maps_to_the_common_shape() -> None:
    accepted = {"ID": "p1", "Amount": None, "Accepted": True}
    doc = ordercloud.to_unified(native(), native_lines(), [accepted])
    validate(doc, UnifiedOrder)
    assert (doc["ID"], doc["Channel"], doc["ExternalID"]) == ("ordercloud-o1", "ordercloud", "o1")
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == (
        "open",
        "paid",
        "unfulfilled",
    )
    assert doc["Customer"] == {
        "ID": "alice",
        "Email": "alice@example.com",
        "FirstName": "Alice",
        "LastName": "T",
        "Phone": None,
    }
    assert doc["ShippingAddress"]["Street1"] == "2 Side St" and "_x" not in doc["ShippingAddress"]
    assert [doc[k] for k in ("Subtotal", "Discount", "Shipping", "Tax", "Total")] == [
        Decimal("40.00"),
        0,
        Decimal("5.00"),
        Decimal("3.20"),
        Decimal("48.20"),
    ]
    assert [(li["SKU"], li["Name"], li["Total"]) for li in doc["LineItems"]] == [
        ("widget", "Widget", Decimal("30.00")),
        ("shirt-red-m", "Shirt", Decimal("10.00")),
    ]
    assert (doc["DateSubmitted"], doc["DateUpdated"], doc["xp"]) == (
        "2024-01-02T00:00:00.000+00:00",
        "2024-01-03T00:00:00.000+00:00",
        {"PO": "123"},
    )


@pytest.mark.parametrize(
    ("status", "shipped", "payments", "expected"),
    [
        ("Open", (0, 0), [], ("open", "pending", "unfulfilled")),
        (
            "Open",
            (1, 0),
            [{"Amount": Decimal("20"), "Accepted": True}],
            ("partially_fulfilled", "partially_paid", "partially_fulfilled"),
        ),
        (
            "Open",
            (3, 1),
            [{"Amount": Decimal("48.20"), "Accepted": True}],
            ("fulfilled", "paid", "fulfilled"),
        ),
        ("Completed", (3, 1), [{"Amount": None, "Accepted": True}], ("fulfilled", "paid", "fulfilled")),
        ("Completed", (0, 0), [], ("fulfilled", "pending", "fulfilled")),
        (
            "Completed",
            (3, 1),
            [
                {"Amount": None, "Accepted": True},
                {"Amount": Decimal("-10"), "Accepted": True, "OrderReturnID": "r"},
            ],
            ("fulfilled", "partially_refunded", "fulfilled"),
        ),
        (
            "Completed",
            (3, 1),
            [
                {"Amount": None, "Accepted": True},
                {"Amount": Decimal("-48.20"), "Accepted": True, "OrderReturnID": "r"},
            ],
            ("returned", "refunded", "fulfilled"),
        ),
        ("Canceled", (0, 0), [], ("canceled", "voided", "unfulfilled")),
        ("Canceled", (0, 0), [{"Amount": None, "Accepted": True}], ("canceled", "paid", "unfulfilled")),
        ("AwaitingApproval", (0, 0), [], ("pending", "pending", "unfulfilled")),
    ],
)
def test_ordercloud_status_mapping(
    status: str, shipped: tuple[int, int], payments: list[dict[str, Any]], expected: tuple[str, str, str]
) -> None:
    doc = ordercloud.to_unified(native(status), native_lines(shipped), copy.deepcopy(payments))
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == expected


def test_ordercloud_tracking_numbers_follow_the_shipments_in_shipping_order() -> None:
    shipments = [
        {"ID": "s3", "DateShipped": None, "TrackingNumber": "1Z-LATE"},
        {"ID": "s2", "DateShipped": "2024-01-05T00:00:00.000+00:00", "TrackingNumber": "1Z-B"},
        {"ID": "s1", "DateShipped": "2024-01-04T00:00:00.000+00:00", "TrackingNumber": "1Z-A"},
        {"ID": "s4", "DateShipped": "2024-01-06T00:00:00.000+00:00", "TrackingNumber": "1Z-A"},
        {"ID": "s5", "DateShipped": "2024-01-06T00:00:00.000+00:00", "TrackingNumber": " "},
    ]
    doc = ordercloud.to_unified(native(), native_lines((1, 0)), [], shipments)
    assert doc["TrackingNumbers"] == ["1Z-A", "1Z-B", "1Z-LATE"]  # no repeats, no blanks
    assert ordercloud.to_unified(native(), native_lines())["TrackingNumbers"] == []


def test_ordercloud_gateway_and_transaction_come_from_the_collecting_payment() -> None:
    pending = {"ID": "p0", "Type": "CreditCard", "Amount": None, "Accepted": False, "Transactions": []}
    card = {
        "ID": "p1",
        "Type": "CreditCard",
        "Amount": None,
        "Accepted": True,
        "xp": {"Gateway": "stripe"},
        "Transactions": [
            {"ID": "t1", "Type": "authorize", "Succeeded": True, "ResultCode": "auth_1"},
            {"ID": "t2", "Type": "capture", "Succeeded": True, "ResultCode": "ch_9", "xp": None},
            {"ID": "t3", "Type": "capture", "Succeeded": False, "ResultCode": "failed"},
        ],
    }
    refund = {
        "ID": "r",
        "Type": "CreditCard",
        "Amount": Decimal("-5"),
        "Accepted": True,
        "OrderReturnID": "r1",
    }
    doc = ordercloud.to_unified(native(), native_lines(), [pending, refund, card])
    assert (doc["PaymentGateway"], doc["TransactionID"]) == ("stripe", "ch_9")
    # xp.TransactionID wins over the ResultCode; without xp.Gateway the payment's Type is the gateway.
    card["Transactions"] = [
        {"ID": "t4", "Succeeded": True, "ResultCode": "00", "xp": {"TransactionID": "pi_1"}}
    ]
    card["xp"] = None
    doc = ordercloud.to_unified(native(), native_lines(), [card])
    assert (doc["PaymentGateway"], doc["TransactionID"]) == ("CreditCard", "pi_1")
    # Nothing accepted: no gateway, no transaction.
    assert ordercloud.to_unified(native(), native_lines(), [pending])["PaymentGateway"] is None
