"""Product facets through the official OrderCloud JavaScript SDK (`js/facets.mjs`): the seller's
ProductFacets.Create, and a shopper's Me.ListProducts answering `Meta.Facets` whose counts follow
the shopper's catalog, a facet filter narrowing the list (docs/facets.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(server: Any) -> dict[str, Any]:
    return run_node("facets", server.env())


def test_the_seller_declares_a_facet(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["facet"] == [f"colour-{run}", f"Colour_{run}", 1]


def test_the_list_answers_counts_of_the_shoppers_products_only(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["all"]["ids"] == [f"{p}-{run}" for p in ("crimson", "navy", "plain", "scarlet")]
    assert summary["all"]["total"] == 4
    # The most frequent value first; the product outside the catalog and the one without a colour
    # add nothing.
    assert summary["all"]["facet"] == {"name": "Colour", "values": [["red", 2], ["blue", 1]]}


def test_a_facet_filter_narrows_the_list(summary: dict[str, Any]) -> None:
    run = summary["run"]
    assert summary["red"]["ids"] == [f"crimson-{run}", f"scarlet-{run}"]
    assert summary["red"]["total"] == 2
    # The facet's own filter is left out of its counts: blue stays a choice to switch to.
    assert summary["red"]["facet"]["values"] == [["red", 2], ["blue", 1]]
    assert summary["either"] == 3
    assert summary["green"]["ids"] == []


def test_a_search_narrows_the_counts(summary: dict[str, Any]) -> None:
    assert summary["searched"] == {"name": "Colour", "values": [["blue", 1]]}
