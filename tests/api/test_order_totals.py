"""Totals worked out by hand: price breaks, an active and an expired sale, half-up rounding,
and Total = Subtotal + TaxCost + ShippingCost + Gratuity + Fees - PromotionDiscount."""

from __future__ import annotations

from decimal import Decimal

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World


def money(value: object) -> Decimal:
    return Decimal(str(value))


async def test_totals_by_hand(world: World) -> None:
    api = world.api
    # Breaks at 1, 10 and 50; the sale window is open now, so the 10-break's SalePrice applies.
    await cat.price_schedule(
        api,
        "ps-a",
        [(1, "20.00", "18.00"), (10, "17.50", "15.75"), (50, "15.00")],
        sale_start="2000-01-01T00:00:00+00:00",
        sale_end="2999-01-01T00:00:00+00:00",
    )
    await cat.product(api, "a", schedule_id="ps-a")
    # 4.995 rounds half-up to 5.00.
    await cat.product(api, "b", price="4.995")
    # The sale ended: the regular price applies and IsOnSale is false.
    await cat.price_schedule(api, "ps-c", [(1, "8", "6")], sale_end="2001-01-01T00:00:00+00:00")
    await cat.product(api, "c", schedule_id="ps-c")
    await world.new_order(body={"ID": "o1"})

    a = await world.add_line("o1", "a", 12)
    assert (money(a["UnitPrice"]), money(a["LineSubtotal"]), a["IsOnSale"]) == (Decimal("15.75"), 189, True)
    b = await world.add_line("o1", "b", 3)
    assert (money(b["UnitPrice"]), money(b["LineSubtotal"])) == (Decimal("5.00"), 15)
    c = await world.add_line("o1", "c", 2)
    assert (money(c["UnitPrice"]), money(c["LineSubtotal"]), c["IsOnSale"]) == (8, 16, False)

    token = await world.token("alice", "Shopper OverrideShipping OverrideTax")
    order = await api.ok(
        "PATCH",
        "/orders/Outgoing/o1",
        {"ShippingCost": "12.34", "TaxCost": "16.32", "Gratuity": 5},
        token=token,
    )
    # Subtotal 189 + 15 + 16 = 220.00; Total 220 + 16.32 + 12.34 + 5 + 0 - 0 = 253.66
    assert money(order["Subtotal"]) == Decimal("220.00")
    assert money(order["Total"]) == Decimal("253.66")
    assert order["LineItemCount"] == 3

    # Quantity 50 reaches the last break (no sale price there): 50 * 15.00 = 750.
    a = await api.ok("PATCH", f"/orders/Outgoing/o1/lineitems/{a['ID']}", {"Quantity": 50}, token=token)
    assert (money(a["UnitPrice"]), a["IsOnSale"]) == (15, False)
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert money(order["Subtotal"]) == Decimal("781.00") and money(order["Total"]) == Decimal("814.66")
