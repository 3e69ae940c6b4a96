"""Order API behaviour found while driving the server with the official SDK
(`tests/e2e/test_sdk_orders.py`): each test pins a fix made for it."""

from __future__ import annotations

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code


async def test_date_needed_is_an_iso_date_after_the_line_was_added(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    await cat.product(api, "p1")
    line = await api.ok(
        "POST", "/cart/lineitems", {"ProductID": "p1", "DateNeeded": "2099-01-02T03:04:05Z"}, token=token
    )
    assert line["DateNeeded"] == "2099-01-02T03:04:05.000+00:00"
    bare = await api.ok(
        "POST", "/cart/lineitems", {"ProductID": "p1", "DateNeeded": "2099-06-01"}, token=token
    )
    assert bare["DateNeeded"] == "2099-06-01T00:00:00.000+00:00"

    past = await api.post("/cart/lineitems", {"ProductID": "p1", "DateNeeded": "2020-01-01"}, token=token)
    assert past.status_code == 400 and error_code(past) == "LineItem.DateNeededMustBeGreaterThanDateAdded"
    garbage = await api.post("/cart/lineitems", {"ProductID": "p1", "DateNeeded": "soon"}, token=token)
    assert garbage.status_code == 400 and error_code(garbage) == "ValidationFailure"
    moved = await api.patch(f"/cart/lineitems/{line['ID']}", {"DateNeeded": "2001-01-01"}, token=token)
    assert moved.status_code == 400 and error_code(moved) == "LineItem.DateNeededMustBeGreaterThanDateAdded"

    # Refusals changed nothing, and the SDK's Save (the fetched line sent back whole) still works.
    lines = (await api.ok("GET", "/cart/lineitems", token=token))["Items"]
    assert sorted(li["ID"] for li in lines) == sorted([line["ID"], bare["ID"]])
    fetched = await api.ok("GET", f"/cart/lineitems/{line['ID']}", token=token)
    saved = await api.ok("PUT", f"/cart/lineitems/{line['ID']}", {**fetched, "Quantity": 2}, token=token)
    assert saved["DateNeeded"] == "2099-01-02T03:04:05.000+00:00" and saved["Quantity"] == 2
