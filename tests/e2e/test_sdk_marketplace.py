"""The marketplace flow driven by the official SDK (`js/marketplace.mjs`): forward to three
suppliers, supplier shipments in parts, the buyer following them, completion."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def summary(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("marketplace", sdk_env)


def test_forward_splits_by_supplier(summary: dict[str, Any]) -> None:
    order_id = summary["ids"]["order"]
    suppliers = summary["ids"]["suppliers"]
    assert summary["submitted"]["Status"] == "Open"
    forward = summary["forward"]
    assert forward["RemainingLineItemIDs"] == ["line-own"]
    outgoing = {o["ToCompanyID"]: o for o in forward["OutgoingOrders"]}
    assert sorted(outgoing) == sorted(suppliers.values())
    for key, supplier in suppliers.items():
        assert outgoing[supplier]["ID"] == f"{order_id}-{supplier}"
        assert outgoing[supplier]["Status"] == "Open" and outgoing[supplier]["LineItemCount"] == 1
        assert summary["sellerLinks"][f"line-{key}"] == f"{order_id}-{supplier}"
    assert summary["sellerLinks"]["line-own"] is None
    assert summary["forwardAgain"] == forward
    assert all(link is None for link in summary["buyerLinks"])
    assert summary["splitOutgoing"]["errorCode"] == "Order.CannotSplitOutgoing"
    assert summary["deleteForwarded"]["errorCode"] == "Order.CannotDeleteForwardedOrder"


def test_each_supplier_sees_and_ships_only_its_order(summary: dict[str, Any]) -> None:
    order_id = summary["ids"]["order"]
    quantities = {"a": 2, "b": 3, "c": 1}
    for key, seen in summary["suppliers"].items():
        assert seen["incoming"] == [f"{order_id}-{seen['supplierID']}"]
        assert seen["lines"] == [[f"line-{key}", quantities[key], None]]
        assert seen["shipments"] == quantities[key]
        assert seen["buyerAfterFirst"] == 1
        assert seen["item"]["OrderID"] == f"{order_id}-{seen['supplierID']}"
        # After the first part; supplier c's single unit already completed its order.
        expected = "ShipmentItem.QuantityExceeded" if quantities[key] > 1 else "Order.CannotShipBadStatus"
        assert seen["exceeded"]["errorCode"] == expected
        assert seen["afterCompletion"]["errorCode"] == "Order.CannotShipBadStatus"
        assert seen["status"] == "Completed"
        assert seen["otherOrders"] == quantities[key]


def test_buyer_follows_shipments_and_completes_after_the_seller_ships(summary: dict[str, Any]) -> None:
    run = summary["run"]
    order_id = summary["ids"]["order"]
    supplier_shipments = sorted(
        f"mship-{key}-{n}-{run}" for key, count in (("a", 2), ("b", 3), ("c", 1)) for n in range(1, count + 1)
    )
    assert summary["buyerStatusBeforeSeller"] == "Open"
    assert summary["meShipments"] == supplier_shipments
    assert sorted(summary["meShipmentsForOrder"]) == supplier_shipments
    assert summary["meShipment"]["Shipper"] == "UPS" and summary["meShipment"]["DateShipped"]
    assert [(i["OrderID"], i["LineItemID"], i["QuantityShipped"]) for i in summary["meItems"]] == [
        (order_id, "line-a", 1)
    ]
    assert summary["shipped"]["Status"] == "Completed"
    assert summary["final"]["Status"] == "Completed" and summary["final"]["DateCompleted"]
    assert len(summary["orderShipments"]) == len(supplier_shipments) + 1
    assert sorted(summary["finalLines"]) == [["line-a", 2], ["line-b", 3], ["line-c", 1], ["line-own", 1]]
