"""Promotions driven by the official OrderCloud JavaScript SDK (`js/promotions.mjs`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("promotions", sdk_env)


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def test_definitions_and_visibility(summary: dict[str, Any]) -> None:
    assert summary["badPromo"]["status"] == 400
    assert summary["badPromo"]["errorCode"] == "Expression.InvalidSyntax"
    save10 = summary["save10"]
    assert save10["RedemptionCount"] == 0 and save10["Active"] is True and save10["AutoApply"] is False
    assert summary["assignments"] == [
        {"PromotionID": save10["ID"], "BuyerID": f"buyer-{summary['run']}", "UserGroupID": None}
    ]
    assert summary["mine"] == sorted([save10["ID"], summary["half"]["ID"], summary["auto"]["ID"]])
    assert summary["mineOne"] == save10["Code"]


def test_cart_promotions_and_totals(summary: dict[str, Any]) -> None:
    assert summary["notEligible"]["errorCode"] == "Promotion.NotEligible"
    added = summary["added"]
    # 10 % of 4 x 24.99 = 9.996 -> 10.00
    assert money(added["Amount"]) == Decimal("10.00") and added["LineItemID"] is None
    assert summary["again"]["errorCode"] == "Promotion.AlreadyAdded"
    line_promo = summary["lineAdded"]
    assert line_promo["LineItemID"] == summary["line"]["ID"] and money(line_promo["Amount"]) == Decimal(
        "49.98"
    )
    order = summary["applied"]
    # 99.96 - 10.00 - 49.98 - 5 (auto-applied) = 34.98
    assert money(order["Subtotal"]) == Decimal("99.96")
    assert money(order["PromotionDiscount"]) == Decimal("64.98")
    assert money(order["Total"]) == Decimal("34.98")
    line = summary["line"]
    assert money(line["PromotionDiscount"]) == Decimal("49.98") and money(line["LineTotal"]) == Decimal(
        "49.98"
    )
    assert sorted(p["ID"] for p in summary["listed"]) == sorted(
        [summary["save10"]["ID"], summary["half"]["ID"], summary["auto"]["ID"]]
    )
    assert summary["eligible"] == sorted(
        [summary["save10"]["ID"], summary["half"]["ID"], summary["auto"]["ID"]]
    )
    after = summary["afterDelete"]
    assert money(after["PromotionDiscount"]) == Decimal("54.98") and money(after["Total"]) == Decimal("44.98")
    assert summary["refreshed"] == {"PromosAdded": [], "PromosRemoved": []}


def test_submit_counts_the_redemption(summary: dict[str, Any]) -> None:
    assert summary["submitted"]["Status"] == "Open" and money(summary["submitted"]["Total"]) == Decimal(
        "44.98"
    )
    assert len(summary["orderPromotions"]) == 2
    assert summary["badStatus"]["errorCode"] == "Order.CannotApplyPromoBadStatus"
    assert summary["redemptions"] == 1
