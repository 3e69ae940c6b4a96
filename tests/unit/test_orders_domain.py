from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain import order_status
from domain.errors import ValidationFailed
from domain.orders import (
    ORDER_FIELDS,
    SUBMITTED_STATUSES,
    UNSUBMITTED_STATUSES,
    Direction,
    direction_of,
    new_order_doc,
    parse_direction,
    sees,
)

NOW = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
MODELS = Path("/work/shared/reference/ordercloud-models.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Incoming", Direction.INCOMING),
        ("incoming", Direction.INCOMING),
        ("INCOMING", Direction.INCOMING),
        ("Outgoing", Direction.OUTGOING),
        ("oUtGoInG", Direction.OUTGOING),
        ("All", Direction.ALL),
        ("all", Direction.ALL),
    ],
)
def test_parse_direction_is_case_insensitive(text: str, expected: Direction) -> None:
    assert parse_direction(text) is expected


@pytest.mark.parametrize("bad", ["", "In", "incomings", " All", "Both", None, 3])
def test_parse_direction_rejects_anything_else(bad: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_direction(bad)
    assert info.value.code == "ValidationFailure"
    assert info.value.status == 400


def test_direction_values_are_wire_values() -> None:
    assert [d.value for d in Direction] == ["Incoming", "Outgoing", "All"]
    assert Direction.INCOMING == "Incoming"


BUYER_ORDER = {"FromCompanyID": "buyer1", "ToCompanyID": "mpo"}
FORWARDED = {"FromCompanyID": "mpo", "ToCompanyID": "supplier1"}


@pytest.mark.parametrize(
    ("doc", "company", "expected"),
    [
        (BUYER_ORDER, "buyer1", Direction.OUTGOING),
        (BUYER_ORDER, "mpo", Direction.INCOMING),
        (BUYER_ORDER, "supplier1", None),
        (FORWARDED, "mpo", Direction.OUTGOING),
        (FORWARDED, "supplier1", Direction.INCOMING),
        (FORWARDED, "buyer1", None),
        ({"FromCompanyID": "x", "ToCompanyID": "x"}, "x", Direction.OUTGOING),
    ],
)
def test_direction_of(doc: dict[str, str], company: str, expected: Direction | None) -> None:
    assert direction_of(doc, company) is expected


@pytest.mark.parametrize(
    ("doc", "company", "incoming", "outgoing", "all_"),
    [
        (BUYER_ORDER, "buyer1", False, True, True),
        (BUYER_ORDER, "mpo", True, False, True),
        (BUYER_ORDER, "supplier1", False, False, False),
        (FORWARDED, "mpo", False, True, True),
        (FORWARDED, "supplier1", True, False, True),
        ({"FromCompanyID": "x", "ToCompanyID": "x"}, "x", True, True, True),
    ],
)
def test_sees(doc: dict[str, str], company: str, incoming: bool, outgoing: bool, all_: bool) -> None:
    assert sees(doc, company, Direction.INCOMING) is incoming
    assert sees(doc, company, Direction.OUTGOING) is outgoing
    assert sees(doc, company, Direction.ALL) is all_


def test_status_partitions() -> None:
    assert {"Unsubmitted", "AwaitingApproval", "Declined"} == UNSUBMITTED_STATUSES
    assert {"Open", "Completed", "Canceled"} == SUBMITTED_STATUSES
    assert set(order_status.STATES) == SUBMITTED_STATUSES | UNSUBMITTED_STATUSES
    assert not SUBMITTED_STATUSES & UNSUBMITTED_STATUSES


EXPECTED_FIELDS = [
    "ID", "FromUser", "FromCompanyID", "ToCompanyID", "FromUserID", "BillingAddressID", "BillingAddress",
    "ShippingAddressID", "Comments", "LineItemCount", "Status", "DateCreated", "DateSubmitted",
    "DateApproved", "DateDeclined", "DateCanceled", "DateCompleted", "LastUpdated", "Subtotal",
    "ShippingCost", "TaxCost", "Gratuity", "Fees", "PromotionDiscount", "Currency", "Total",
    "IsSubmitted", "SubscriptionID", "xp",
]  # fmt: skip


def test_order_fields_match_the_model() -> None:
    assert list(ORDER_FIELDS) == EXPECTED_FIELDS


@pytest.mark.skipif(not MODELS.exists(), reason="shared reference not available")
def test_order_fields_match_the_reference_file() -> None:
    text = MODELS.read_text()
    section = text.split("## Order\n", 1)[1].split("\n## ", 1)[0]
    fields = re.findall(r"^  (\w+):", section, flags=re.M)
    assert list(ORDER_FIELDS) == fields


def test_new_order_doc_defaults() -> None:
    doc = new_order_doc(order_id="o1", from_company_id="buyer1", to_company_id="mpo", now=NOW)
    assert list(doc) == EXPECTED_FIELDS
    assert doc["Status"] == "Unsubmitted"
    assert doc["IsSubmitted"] is False
    assert doc["LineItemCount"] == 0
    assert doc["xp"] is None
    assert doc["DateCreated"] == doc["LastUpdated"] == "2024-05-06T07:08:09.123+00:00"
    for money in ("Subtotal", "ShippingCost", "TaxCost", "Gratuity", "Fees", "PromotionDiscount", "Total"):
        assert doc[money] == Decimal("0")
        assert isinstance(doc[money], Decimal)
    for nullable in (
        "FromUser", "FromUserID", "BillingAddressID", "BillingAddress", "ShippingAddressID", "Comments",
        "DateSubmitted", "DateApproved", "DateDeclined", "DateCanceled", "DateCompleted", "Currency",
        "SubscriptionID",
    ):  # fmt: skip
        assert doc[nullable] is None, nullable


def test_new_order_doc_with_values() -> None:
    user = {"ID": "u1", "Username": "ann", "xp": None}
    address = {"ID": "a1", "Street1": "1 Main", "City": "X", "Country": "US"}
    doc = new_order_doc(
        order_id="o2",
        from_company_id="buyer1",
        to_company_id="mpo",
        now=NOW,
        from_user=user,
        billing_address_id="a1",
        billing_address=address,
        shipping_address_id="a2",
        comments="hi",
        currency="USD",
        gratuity=Decimal("2.50"),
        xp={"a": 1},
    )
    assert doc["FromUser"] == user and doc["FromUser"] is not user
    assert doc["FromUserID"] == "u1"
    assert doc["BillingAddress"] == address
    assert doc["ShippingAddressID"] == "a2"
    assert doc["Currency"] == "USD"
    assert doc["Gratuity"] == doc["Total"] == Decimal("2.50")
    assert doc["xp"] == {"a": 1}


def test_new_order_doc_rejects_negative_gratuity() -> None:
    with pytest.raises(ValidationFailed):
        new_order_doc(order_id="o", from_company_id="b", to_company_id="m", now=NOW, gratuity=Decimal("-1"))


def test_new_order_doc_goes_through_the_lifecycle() -> None:
    doc = new_order_doc(order_id="o1", from_company_id="buyer1", to_company_id="mpo", now=NOW)
    order_status.apply(doc, "submit", now=NOW)
    assert doc["Status"] in SUBMITTED_STATUSES
    assert doc["IsSubmitted"] is True
