"""The catalog and the storefront driven by the official OrderCloud JavaScript SDK
(`js/catalog.mjs`) against a running server.

The `server` fixture and `run_node` come from the e2e harness; they are looked up when the test
runs, so this module is collected (and skipped) in a tree that does not have the harness yet."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _run_node() -> Callable[[str, dict[str, str]], dict[str, Any]]:
    for name in ("tests.e2e.harness", "tests.e2e.conftest"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "run_node"):
            return module.run_node  # type: ignore[no-any-return]
    pytest.skip("the e2e harness (run_node) is not available in this tree")


@pytest.fixture(scope="module")
def summary(request: pytest.FixtureRequest) -> dict[str, Any]:
    try:
        server = request.getfixturevalue("server")
    except pytest.FixtureLookupError:
        pytest.skip("the e2e `server` fixture is not available in this tree")
    return _run_node()("catalog", server.env())


def test_price_schedules_through_the_sdk(summary: dict[str, Any]) -> None:
    schedule = summary["schedule"]
    assert [(b["Quantity"], b["Price"]) for b in schedule["PriceBreaks"]] == [(1, 20), (10, 17.5)]
    assert schedule["IsOnSale"] is False and schedule["MinQuantity"] == 1
    assert summary["badSchedule"]["status"] == 400
    assert summary["badSchedule"]["errorCode"] == "PriceSchedule.MinGreaterThanMax"
    assert summary["missingSchedule"]["status"] == 404


def test_products_through_the_sdk(summary: dict[str, Any]) -> None:
    run = summary["run"]
    product = summary["createdProduct"]
    assert (
        product["ID"] == f"widget-{run}" and product["Active"] is True and product["xp"] == {"Color": "blue"}
    )
    assert product["Inventory"]["QuantityAvailable"] == 5 and product["Inventory"]["LastUpdated"]
    assert summary["notFound"]["status"] == 404 and summary["notFound"]["data"]["ObjectType"] == "Product"
    assert summary["duplicate"]["status"] == 409 and summary["duplicate"]["errorCode"] == "IdExists"
    assert summary["generated"]["VariantCount"] == 2 and summary["generated"]["SpecCount"] == 1
    assert summary["variants"] == [f"widget-{run}-L", f"widget-{run}-S"]
    assert summary["record"]["Address"]["ID"] == f"wh-{run}" and summary["record"]["QuantityAvailable"] == 4
    assert all("ID" not in a for a in summary["assignments"]) and len(summary["assignments"]) == 3


def test_each_buyer_user_sees_its_products_at_its_prices(summary: dict[str, Any]) -> None:
    run = summary["run"]
    store = summary["storefront"]
    assert store["alice"] == [[f"widget-{run}", f"price-a-{run}", 15]]
    assert store["victor"] == [[f"widget-{run}", f"price-vip-{run}", 12.5]]
    assert store["bob"] == [[f"gadget-{run}", f"list-{run}", 20], [f"widget-{run}", f"price-b-{run}", 18]]
    # Each buyer also sees the default catalog created with it (DefaultCatalogID null on POST).
    assert store["aliceCatalogs"] == [f"buyer-a-{run}"]
    assert sorted(store["bobCatalogs"]) == sorted([f"cat-{run}", f"buyer-b-{run}"])
    for name in ("alice", "victor", "bob"):
        assert store[f"{name}Retired"]["status"] == 404
    assert summary["meVariants"] == [f"widget-{run}-L", f"widget-{run}-S"]
    assert summary["meSpecs"] == [[f"size-{run}", 2]]
    assert summary["meSearch"] == [f"gadget-{run}"]
