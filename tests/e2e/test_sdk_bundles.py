"""A bundle sold through the official OrderCloud JavaScript SDK (`js/bundles.mjs`): the seller's
Bundles.* and bundle assignments, a shopper browsing a category tree (Me.ListCategories with
depth, Me.ListProducts by categoryID, where the bundle is listed with IsBundle),
BundleSubscriptionItems.Create/Delete, Cart.CreateBundleItem / DeleteBundleItem, a product
collection, and the cart's submit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(server: Any) -> dict[str, Any]:
    return run_node("bundles", server.env())


def test_the_seller_builds_a_bundle(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["bundleProducts"] == [
        {"ProductID": f"stove-{run}", "BundleID": f"camp-kit-{run}", "Required": False, "DefaultQuantity": 2},
        {"ProductID": f"tent-{run}", "BundleID": f"camp-kit-{run}", "Required": True, "DefaultQuantity": 1},
    ]
    assert summary["bundlesInGear"] == [f"camp-kit-{run}"]


def test_a_shopper_browses_the_category_tree(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["roots"] == [[f"gear-{run}", 2]]
    assert summary["tree"] == [f"gear-{run}", f"stoves-{run}", f"tents-{run}"]
    # The bundle in the branch is listed as a product of its own (IsBundle), by its Name.
    assert summary["gearProducts"] == [f"camp-kit-{run}", f"stove-{run}", f"tent-{run}"]
    assert summary["bundleListed"] == {"IsBundle": True, "PriceSchedule": None}
    assert summary["stovesOnly"] == [f"stove-{run}"]


def test_a_bundle_on_a_subscription(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["subscribed"] == [[f"stove-{run}", 2, True], [f"tent-{run}", 1, True]]
    assert summary["afterUnsubscribe"] == 0


def test_a_bundle_goes_into_the_cart_and_out_as_one(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["first"] == {"ProductID": f"stove-{run}", "sameItem": True}
    assert summary["lines"] == [[f"stove-{run}", 2, 40, True], [f"tent-{run}", 1, 100, True]]
    assert summary["requiredAlone"]["errorCode"] == "LineItem.CannotRemoveRequiredBundleItem"
    assert summary["afterRemove"] == 0
    assert summary["again"] == [f"tent-{run}", 1]  # only the required product when none is named
    assert summary["unknown"]["status"] == 404


def test_a_wish_list_and_the_submitted_order(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["wish"] == [[f"tent-{run}", f"ps-tent-{run}"], [f"stove-{run}", f"ps-stove-{run}"]]
    assert summary["collections"] == [f"wish-{run}"]
    assert summary["submitted"] == {"status": "Open", "subtotal": 100, "lines": 1}
