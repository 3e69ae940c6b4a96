"""The BigCommerce adapter (docs/channels.md): a v2 order with its products sub-resource inlined
(documented shapes), statuses mapped, bad payloads refused naming the field."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.models.channels import UnifiedOrder
from app.wire import decode_json, validate
from domain.errors import ValidationFailed
from integrations.channels import IMPORTERS, bigcommerce

SAMPLE = Path(__file__).parent / "channel_samples" / "bigcommerce_order.json"


def order(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = decode_json(SAMPLE.read_bytes())
    data.update(changes)
    return data


def test_bigcommerce_order_maps_to_the_common_shape() -> None:
    doc = bigcommerce.to_unified(order())
    validate(doc, UnifiedOrder)
    assert IMPORTERS["bigcommerce"] is bigcommerce.to_unified
    assert doc["ID"] == "bigcommerce-118"
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == (
        "open",
        "paid",
        "unfulfilled",
    )
    assert doc["Customer"] == {
        "ID": "11",
        "Email": "jane@example.com",
        "FirstName": "Jane",
        "LastName": "Doe",
        "Phone": "512-555-0100",
    }
    assert doc["BillingAddress"]["Country"] == "US" and doc["BillingAddress"]["Street2"] == "Suite 100"
    assert doc["ShippingAddress"]["City"] == "Austin"
    towel, terrarium = doc["LineItems"]
    assert (towel["SKU"], towel["ProductID"], terrarium["ProductID"]) == ("TOWEL-BEIGE", "1", "80")
    assert (towel["UnitPrice"], towel["Subtotal"], towel["Discount"], towel["Tax"], towel["Total"]) == (
        Decimal("24.9500"),
        Decimal("49.9000"),
        Decimal("5.0000"),
        Decimal("4.0000"),
        Decimal("53.9000"),
    )
    assert (doc["Subtotal"], doc["Discount"], doc["Shipping"], doc["Tax"], doc["Total"]) == (
        Decimal("89.9000"),
        Decimal("5.0000"),
        Decimal("10.0000"),
        Decimal("7.2000"),
        Decimal("102.1000"),
    )
    assert doc["DateCreated"] == "2024-03-05T14:02:11.000+00:00"
    assert doc["DateUpdated"] == "2024-03-05T14:10:40.000+00:00"
    assert doc["xp"]["PaymentMethod"] == "Credit Card" and doc["xp"]["ShippingMethod"] == "Flat Rate"
    assert (doc["OrderNumber"], doc["ShippingMethod"], doc["PaymentGateway"], doc["TransactionID"]) == (
        "118",
        "Flat Rate",
        "Credit Card",
        "ch_3OqA1b2C3d4E5f6G",
    )
    assert (towel["VariantID"], terrarium["VariantID"], doc["RemoteDeleted"]) == ("1", None, False)
    costed = order()
    costed["products"][0]["cost_price_ex_tax"] = "11.2000"
    assert bigcommerce.to_unified(costed)["LineItems"][0]["UnitCost"] == Decimal("11.2000")


def shipped(doc: dict[str, Any], quantities: tuple[int, int]) -> dict[str, Any]:
    for line, quantity in zip(doc["products"], quantities, strict=True):
        line["quantity_shipped"] = quantity
    return doc


@pytest.mark.parametrize(
    ("status_id", "payment", "quantities", "expected"),
    [
        (7, "", (0, 0), ("pending", "pending", "unfulfilled")),
        (11, "authorized", (0, 0), ("open", "authorized", "unfulfilled")),
        (3, "captured", (1, 0), ("partially_fulfilled", "paid", "partially_fulfilled")),
        (2, "captured", (2, 1), ("fulfilled", "paid", "fulfilled")),
        (10, "captured", (2, 1), ("fulfilled", "paid", "fulfilled")),
        (14, "partially refunded", (2, 1), ("fulfilled", "partially_refunded", "fulfilled")),
        (4, "refunded", (2, 1), ("returned", "refunded", "fulfilled")),
        (4, "refunded", (0, 0), ("canceled", "refunded", "unfulfilled")),
        (5, "void", (0, 0), ("canceled", "voided", "unfulfilled")),
    ],
)
def test_bigcommerce_status_mapping(
    status_id: int, payment: str, quantities: tuple[int, int], expected: tuple[str, str, str]
) -> None:
    doc = bigcommerce.to_unified(shipped(order(status_id=status_id, payment_status=payment), quantities))
    assert (doc["Status"], doc["FinancialStatus"], doc["FulfillmentStatus"]) == expected


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("products",), {"url": "https://api.bigcommerce.com/stores/x/v2/orders/118/products"}, "products"),
        (("status_id",), 99, "status_id"),
        (("payment_status",), "maybe", "payment_status"),
        (("date_created",), "2024-03-05", "date_created"),
        (("products", 0, "base_price"), "abc", "products[0].base_price"),
        (("billing_address", "country_iso2"), "USA", "billing_address.country_iso2"),
    ],
)
def test_malformed_bigcommerce_payload_names_the_field(path: tuple[Any, ...], value: Any, field: str) -> None:
    payload = copy.deepcopy(order())
    target: Any = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationFailed) as info:
        bigcommerce.to_unified(payload)
    assert info.value.code == "Channels.InvalidPayload"
    assert info.value.data["Field"] == field
