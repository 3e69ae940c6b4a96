"""OrderCloud's field names on the wire: lists of IDs are `...IDs` (found by the contract test's
review of issue #11: an order return carried both `PaymentIDs` and a stray `PaymentIds: null`)."""

from __future__ import annotations

from app.wire import oc_name
from tests.api.order_fixtures import World
from tests.api.return_fixtures import RETURNS, catalog, new_return, open_order, ship


def test_lists_of_ids_are_spelled_ids() -> None:
    assert oc_name("payment_ids") == "PaymentIDs"
    assert oc_name("api_client_ids") == "ApiClientIDs"
    assert oc_name("order_id") == "OrderID"


async def test_order_return_has_payment_ids_once(world: World) -> None:
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 2})
    await ship(world, "o1", lines["plain"], 2)
    created = await new_return(world, "o1", [(lines["plain"], 1)], ID="r1")
    patched = await world.api.ok(
        "PATCH", f"{RETURNS}/r1", {"Comments": "changed"}, token=await world.token("alice")
    )
    for ret in (created, patched):
        assert ret["PaymentIDs"] == []
        assert "PaymentIds" not in ret
