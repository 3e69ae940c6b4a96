"""A category tree built and browsed through the official OrderCloud JavaScript SDK
(`js/categories.mjs`): the seller's Categories.* calls and a shopper's Me.ListCategories,
Me.GetCategory and Me.ListProducts by category and depth."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(server: Any) -> dict[str, Any]:
    return run_node("categories", server.env())


def test_the_seller_builds_the_tree(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["adminRoots"] == [f"clothing-{run}", f"shoes-{run}", f"secret-{run}"]
    assert summary["adminAll"] == 6
    assert summary["clothing"]["ChildCount"] == 2 and summary["clothing"]["ParentID"] is None
    bad_depth = summary["badDepth"]
    assert bad_depth["status"] == 400 and bad_depth["errorCode"] == "Category.InvalidDepth"
    assert summary["cycle"]["errorCode"] == "Category.CircularReference"
    assert summary["categoryAssignments"] == [
        {
            "CategoryID": f"secret-{run}",
            "BuyerID": f"buyer-{run}",
            "UserGroupID": None,
            "Visible": False,
            "ViewAllProducts": None,
        }
    ]
    assert summary["productAssignments"] == [
        {"CategoryID": f"tees-{run}", "ProductID": f"tee-{run}", "ListOrder": 1}
    ]


def test_a_shopper_browses_the_tree(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["roots"] == [[f"clothing-{run}", 2], [f"shoes-{run}", 0]]
    assert summary["children"] == [f"shirts-{run}", f"pants-{run}"]
    assert summary["grandchildren"] == [f"tees-{run}"]
    assert summary["everything"] == 5  # `secret` is hidden from this buyer
    assert summary["tees"]["ParentID"] == f"shirts-{run}"
    assert summary["secret"]["status"] == 404
    assert summary["clothingProducts"] == [f"jeans-{run}", f"shirt-{run}", f"tee-{run}"]
    assert summary["shirtsOnly"] == [f"shirt-{run}"]
    assert summary["pantsProducts"] == [f"jeans-{run}"]
    assert summary["withProduct"] == [f"shoes-{run}"]


def test_renames_and_deletes_reach_the_storefront(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["afterChanges"] == [f"tops-{run}"]
    assert summary["renamedProducts"] == [f"shirt-{run}", f"tee-{run}"]
    assert summary["catalogCount"] == 5
