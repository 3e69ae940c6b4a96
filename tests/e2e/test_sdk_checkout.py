"""A buyer's checkout through the official SDK against a node middleware built with
`@ordercloud/catalyst` (js/checkout.mjs): catalyst's hash check accepts every call, its token check
accepts the OrderCloudAccessToken, and the totals carry the middleware's shipping and tax."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def result(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("checkout", sdk_env)


def test_catalyst_accepts_every_signature_and_the_token(result: dict[str, Any]) -> None:
    seen = result["middleware"]
    assert seen["rejected"] == 0
    assert seen["hooks"] == ["shippingrates", "ordercalculate", "ordersubmit"]
    assert seen["environment"] == ["Production"] * 3 and seen["configData"] == [{"Store": "e2e"}] * 3
    # catalyst names our usrtype "admin" "Seller".
    assert seen["tokenCheck"] == {"ok": True, "usrtype": "Seller", "roles": ["OrderReader"]}


def test_middleware_calls_back_with_its_token(result: dict[str, Any]) -> None:
    callback = result["middleware"]["callback"]
    assert callback["id"] == result["submitted"]["id"] and callback["status"] == "Unsubmitted"
    assert callback["shippingCost"] == 14.98  # the selection was applied before calculate


def test_rates_per_supplier_and_totals(result: dict[str, Any]) -> None:
    supplier = result["supplierID"]
    assert result["estimates"] == [
        ["est-marketplace", 1, [["STANDARD", 7.99], ["OVERNIGHT", 19.99]]],
        [f"est-{supplier}", 1, [["STANDARD", 6.99], ["OVERNIGHT", 19.99]]],
    ]
    assert result["shippingAfterSelection"] == 14.98
    # 2 x 12.50 + 3 x 8.00 = 49.00; shipping 6.99 + 7.99; tax 10 % of 49.00.
    assert result["calculated"] == {
        "subtotal": 49,
        "shipping": 14.98,
        "tax": 4.9,
        "total": 68.88,
        "calcXp": {"Engine": "e2e"},
        "succeeded": True,
    }
    assert result["worksheetMatches"] is True


def test_submit_and_its_callout(result: dict[str, Any]) -> None:
    submitted = result["submitted"]
    assert submitted["status"] == "Open" and submitted["total"] == 68.88
    # The Shopper's purchase order, made without Accepted, was accepted and let the order submit.
    assert result["payment"] == {"type": "PurchaseOrder", "amount": 68.88, "accepted": True}
    assert result["submitResponse"] == {
        "HttpStatusCode": 200,
        "UnhandledErrorBody": None,
        "xp": {"Received": submitted["id"]},
        "Succeeded": True,
    }
