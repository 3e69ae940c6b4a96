"""Promotions through the checkout integration: the worksheet's OrderPromotions, PromotionOverrides
from the calculate answer, and promotion changes clearing the calculation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.api.order_fixtures import World
from tests.helpers import Api, error_code
from tests.integration.checkout_support import fill_cart, make_event, make_shop, only, payload_of, reply
from tests.integration.receivers import ReceiverPool, RecordedRequest, Reply


@pytest.fixture
async def shop(api: Api) -> World:
    return await make_shop(api)


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def test_overrides_worksheet_and_invalidation(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    seen: list[dict[str, Any]] = []

    def calculate(request: RecordedRequest, _index: int) -> Reply:
        sheet = payload_of(request)["OrderWorksheet"]
        seen.append(sheet)
        return reply(
            {
                "TaxTotal": "1.00",
                "LineItemOverrides": [
                    {"LineItemID": "l1", "PromotionOverrides": [{"PromotionID": "ten", "Amount": "2.50"}]},
                    {"LineItemID": "l2", "PromotionOverrides": [{"PromotionID": "ten", "Amount": "1.50"}]},
                ],
            }
        )

    await make_event(api, receivers.custom(only(calculate, "ordercalculate")).url)
    for promo_id, value in (("ten", "10"), ("one", "1")):
        await api.ok(
            "POST",
            "/promotions",
            {
                "ID": promo_id,
                "Code": promo_id,
                "EligibleExpression": "order.Subtotal > 10",
                "ValueExpression": value,
                "AllowAllBuyers": True,
                "CanCombine": True,
            },
        )
    token = await shop.token("alice")
    await fill_cart(shop, token)  # p1 3 x 10.00 + p2 2 x 7.50 = 45.00
    await api.ok("POST", "/cart/promotions/ten", token=token)

    sheet = await api.ok("POST", "/cart/calculate", token=token, status=200)
    [sent] = seen[0]["OrderPromotions"]
    assert (sent["ID"], money(sent["Amount"])) == ("ten", 10)
    # The order-level promotion's amount is what the answer gave it across lines: 2.50 + 1.50.
    [promo] = sheet["OrderPromotions"]
    assert (money(promo["Amount"]), promo["AmountOverridden"]) == (4, True)
    order = sheet["Order"]
    assert (money(order["PromotionDiscount"]), money(order["Total"])) == (4, 42)  # 45 + 1 tax - 4
    worksheet = await api.ok("GET", "/cart/worksheet", token=token)
    assert worksheet["OrderCalculateResponse"] is not None
    assert [p["ID"] for p in worksheet["OrderPromotions"]] == ["ten"]

    # Adding a promotion changes the order: the calculation is cleared and submit waits for it.
    await api.ok("POST", "/cart/promotions/one", token=token)
    assert (await api.ok("GET", "/cart/worksheet", token=token))["OrderCalculateResponse"] is None
    refused = await api.post("/cart/submit", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Order.CannotSubmitUncalculatedOrder"
    sheet = await api.ok("POST", "/cart/calculate", token=token, status=200)
    assert money(sheet["Order"]["PromotionDiscount"]) == 5  # 4 (still overridden) + 1
    submitted = await api.ok("POST", "/cart/submit", token=token)
    assert (submitted["Status"], money(submitted["Total"])) == ("Open", 41)
    assert (await api.ok("GET", "/promotions/ten"))["RedemptionCount"] == 1
