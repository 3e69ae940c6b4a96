"""The Wix eCommerce adapter (docs/channels.md): a Wix order (its documented shape) mapped to the
common shape, its paymentStatus / fulfillmentStatus values mapped both ways, bad payloads refused
naming the field."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.models.channels import UnifiedOrder
from app.wire import decode_json, validate
from domain.errors import ValidationFailed
from domain.payments import PAYMENT_STATUSES
from integrations.channels import IMPORTERS, wix

SAMPLE = Path(__file__).parent / "channel_samples" / "wix_order.json"


def order(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = decode_json(SAMPLE.read_bytes())
    data.update(changes)
    return data


def test_wix_order_maps_to_the_common_shape() -> None:
    doc = wix.to_unified(order())
    validate(doc, UnifiedOrder)
    assert IMPORTERS["wix"] is wix.to_unified
    assert doc["ID"] == "wix-a1b2c3d4-5e6f-4a1b-9c2d-3e4f5a6b7c8d" and doc["Channel"] == "wix"
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == (
        "open",
        "paid",
        "unfulfilled",
    )
    assert doc["Customer"] == {
        "ID": "f7c1b8a2-0c4d-4e5f-8a9b-1c2d3e4f5a6b",
        "Email": "jane.doe@example.com",
        "FirstName": "Jane",
        "LastName": "Doe",
        "Phone": "+1 212 555 0100",
    }
    billing = doc["BillingAddress"]
    assert (billing["Street1"], billing["Street2"], billing["State"], billing["Zip"], billing["Country"]) == (
        "235 W 23rd St",
        "Floor 2",
        "NY",
        "10011",
        "US",
    )
    assert doc["ShippingAddress"]["FirstName"] == "Jane" and doc["ShippingAddress"]["City"] == "New York"
    shirt, tote = doc["LineItems"]
    assert shirt["SKU"] == "SHIRT-LIN-M" and shirt["ProductID"] == "00000000-0000-0020-0005-ad9cdc10d3b8"
    assert (shirt["UnitPrice"], shirt["Subtotal"], shirt["Discount"], shirt["Tax"], shirt["Total"]) == (
        Decimal("30.00"),
        Decimal("60.00"),
        Decimal("6.00"),
        Decimal("5.40"),
        Decimal("59.40"),
    )
    assert tote["ProductID"] == "4c2f0e9a-8d7b-4f3e-9a1b-2c3d4e5f6a7b" and tote["QuantityShipped"] == 0
    assert (doc["Subtotal"], doc["Discount"], doc["Shipping"], doc["Tax"], doc["Total"]) == (
        Decimal("75.00"),
        Decimal("6.00"),
        Decimal("5.00"),
        Decimal("6.90"),
        Decimal("80.90"),
    )
    assert doc["DateCreated"] == "2024-03-05T14:02:11.000+00:00"
    assert (doc["OrderNumber"], doc["ShippingMethod"], shirt["VariantID"], tote["VariantID"]) == (
        "10001",
        "Standard Shipping",
        "00000000-0000-0020-0005-ad9cdc10d3b8",
        None,
    )
    assert doc["xp"] == {
        "Number": "10001",
        "ShippingMethod": "Standard Shipping",
        "PaymentStatus": "PAID",
        "Archived": False,
    }


def test_order_envelope_is_unwrapped() -> None:
    assert wix.to_unified({"order": order()}) == wix.to_unified(order())


@pytest.mark.parametrize(
    ("status", "payment", "fulfilment", "expected"),
    [
        ("INITIALIZED", "NOT_PAID", "NOT_FULFILLED", ("pending", "pending", "unfulfilled")),
        ("APPROVED", "PENDING", "NOT_FULFILLED", ("pending", "pending", "unfulfilled")),
        ("APPROVED", "PARTIALLY_PAID", "NOT_FULFILLED", ("open", "partially_paid", "unfulfilled")),
        ("APPROVED", "PAID", "PARTIALLY_FULFILLED", ("partially_fulfilled", "paid", "partially_fulfilled")),
        ("APPROVED", "PAID", "FULFILLED", ("fulfilled", "paid", "fulfilled")),
        ("APPROVED", "PARTIALLY_REFUNDED", "FULFILLED", ("fulfilled", "partially_refunded", "fulfilled")),
        ("APPROVED", "FULLY_REFUNDED", "FULFILLED", ("returned", "refunded", "fulfilled")),
        ("APPROVED", "FULLY_REFUNDED", "NOT_FULFILLED", ("canceled", "refunded", "unfulfilled")),
        ("CANCELED", "NOT_PAID", "NOT_FULFILLED", ("canceled", "pending", "unfulfilled")),
        ("APPROVED", "AUTHORIZED", "NOT_FULFILLED", ("open", "authorized", "unfulfilled")),
    ],
)
def test_wix_status_mapping(
    status: str, payment: str, fulfilment: str, expected: tuple[str, str, str]
) -> None:
    doc = wix.to_unified(order(status=status, paymentStatus=payment, fulfillmentStatus=fulfilment))
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == expected
    shipped = [line["QuantityShipped"] for line in doc["LineItems"]]
    assert shipped == ([2, 1] if fulfilment == "FULFILLED" else [0, 0])


def test_statuses_map_back_to_wix() -> None:
    for fulfilment in ("NOT_FULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"):
        doc = wix.to_unified(order(fulfillmentStatus=fulfilment))
        for payment in PAYMENT_STATUSES:  # domain.payments' vocabulary is Wix's own
            assert wix.to_wix_statuses(doc, payment) == {
                "fulfillmentStatus": fulfilment,
                "paymentStatus": payment,
            }
            assert payment in wix.FINANCIAL


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("id",), None, "id"),
        (("paymentStatus",), "MAYBE", "paymentStatus"),
        (("lineItems", 0, "price", "amount"), "1,5", "lineItems[0].price.amount"),
        (("lineItems", 1, "quantity"), "1.5", "lineItems[1].quantity"),
        (("priceSummary",), None, "priceSummary"),
        (("billingInfo", "address", "country"), "USA", "billingInfo.address.country"),
        (("createdDate",), "yesterday", "createdDate"),
    ],
)
def test_malformed_wix_payload_names_the_field(path: tuple[Any, ...], value: Any, field: str) -> None:
    payload = copy.deepcopy(order())
    target: Any = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationFailed) as info:
        wix.to_unified(payload)
    assert info.value.code == "Channels.InvalidPayload"
    assert info.value.data["Field"] == field
