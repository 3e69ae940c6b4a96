"""Concurrent requests against one app (asyncio.gather on the in-process client), on SQLite and
PostgreSQL: no double submit, no oversold stock, no lost line or field update."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code


async def test_two_simultaneous_submits_one_wins(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", inventory=cat.inventory(10))
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 3)
    token = await world.token("alice")
    results = await asyncio.gather(*(api.post("/orders/Outgoing/o1/submit", token=token) for _ in range(2)))
    assert sorted(r.status_code for r in results) == [201, 400]
    loser = next(r for r in results if r.status_code == 400)
    assert error_code(loser) == "Order.CannotSubmitBadStatus"
    assert (await cat.read(api, "product", "p1"))["Inventory"]["QuantityAvailable"] == 7


async def test_two_buyers_race_for_the_last_unit(world: World) -> None:
    api = world.api
    await cat.product(api, "last", inventory=cat.inventory(1))
    for user, oid in (("alice", "a"), ("bob", "b")):
        await world.new_order(user, body={"ID": oid})
        await world.add_line(oid, "last", 1, username=user)
    results = await asyncio.gather(
        api.post("/orders/Outgoing/a/submit", token=await world.token("alice")),
        api.post("/orders/Outgoing/b/submit", token=await world.token("bob")),
    )
    assert sorted(r.status_code for r in results) == [201, 400]
    assert error_code(next(r for r in results if r.status_code == 400)) == "Inventory.Insufficient"
    assert (await cat.read(api, "product", "last"))["Inventory"]["QuantityAvailable"] == 0


async def test_twenty_concurrent_line_adds_all_land(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="1.25")
    await world.new_order(body={"ID": "o1"})
    token = await world.token("alice")
    results = await asyncio.gather(
        *(
            api.post("/orders/Outgoing/o1/lineitems", {"ProductID": "p1", "Quantity": i + 1}, token=token)
            for i in range(20)
        )
    )
    assert Counter(r.status_code for r in results) == {201: 20}
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert order["LineItemCount"] == 20
    # 1.25 * (1 + 2 + ... + 20) = 1.25 * 210
    assert Decimal(str(order["Subtotal"])) == Decimal("262.50") == Decimal(str(order["Total"]))
    page = await api.ok("GET", "/orders/Outgoing/o1/lineitems", params={"pageSize": 100}, token=token)
    assert sorted(li["Quantity"] for li in page["Items"]) == list(range(1, 21))


async def test_parallel_patches_of_different_fields_lose_nothing(world: World) -> None:
    api = world.api
    await world.new_order(body={"ID": "o1"})
    token = await world.token("alice")
    bodies = [
        {"Comments": "note"},
        {"xp": {"A": 1}},
        {"xp": {"B": 2}},
        {"Gratuity": 3},
        {"BillingAddressID": "addr1"},
    ]
    results = await asyncio.gather(*(api.patch("/orders/Outgoing/o1", b, token=token) for b in bodies))
    assert [r.status_code for r in results] == [200] * len(bodies)
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert order["Comments"] == "note" and order["xp"] == {"A": 1, "B": 2}
    assert order["Gratuity"] == 3 and order["Total"] == 3 and order["BillingAddressID"] == "addr1"


async def test_concurrent_first_cart_adds_make_one_cart(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    token = await world.token("alice")
    results = await asyncio.gather(
        *(api.post("/cart/lineitems", {"ProductID": "p1"}, token=token) for _ in range(5))
    )
    assert [r.status_code for r in results] == [201] * 5
    reader = await world.token("alice", "OrderReader")
    page = await api.ok("GET", "/orders/Outgoing", params={"IsSubmitted": "false"}, token=reader)
    assert page["Meta"]["TotalCount"] == 1 and page["Items"][0]["LineItemCount"] == 5


async def test_cancel_and_submit_over_the_same_stock_run_concurrently(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", inventory=cat.inventory(2))
    await cat.product(api, "p2", inventory=cat.inventory(2))
    await cat.inventory_record(api, "p2", "wh", 5)
    await world.new_order(body={"ID": "a"})
    await world.add_line("a", "p1", 2)
    await world.add_line("a", "p2", 1, InventoryRecordID="wh")
    await world.add_line("a", "p2", 2)
    await world.submit("a")
    await world.new_order("bob", body={"ID": "b"})
    await world.add_line("b", "p2", 1, username="bob", InventoryRecordID="wh")
    await world.add_line("b", "p1", 1, username="bob")
    seller = await world.seller("OrderAdmin")
    cancel, submit = await asyncio.gather(
        api.post("/orders/Incoming/a/cancel", token=seller),
        api.post("/orders/Outgoing/b/submit", token=await world.token("bob")),
    )
    assert cancel.status_code == 201, cancel.text
    # b needs one p1: it succeeds only if the cancel returned a's two units first.
    stock = (await cat.read(api, "product", "p1"))["Inventory"]["QuantityAvailable"]
    record = (await cat.read(api, "inventoryrecord", "wh", "p2"))["QuantityAvailable"]
    if submit.status_code == 201:
        assert (stock, record) == (1, 4)
    else:
        assert error_code(submit) == "Inventory.Insufficient" and (stock, record) == (2, 5)
    assert (await cat.read(api, "product", "p2"))["Inventory"]["QuantityAvailable"] == 2


async def test_submit_locks_only_the_products_whose_stock_it_takes(world: World) -> None:
    """Checkouts of one product that tracks no stock do not queue on its row; a product whose
    stock submit takes is locked, so a submit waits for another writer of it and then takes from
    what that writer left (PostgreSQL: SQLite has one writer for the whole database)."""
    import pytest

    from app.store.repo import Docs

    db = world.api.services.db
    if db.is_sqlite:
        pytest.skip("SQLite serialises every write transaction on its one lock")
    await cat.product(world.api, "free")
    await cat.product(world.api, "stocked", inventory=cat.inventory(10))
    for oid, product in (("o-free", "free"), ("o-stocked", "stocked")):
        await world.new_order(body={"ID": oid})
        await world.add_line(oid, product, 2)
    token = await world.token("alice")
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_both_rows() -> None:
        async with db.transaction() as conn:
            docs = Docs(conn)
            for product_id in ("free", "stocked"):
                assert await docs.get("product", product_id, lock=True) is not None
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold_both_rows())
    await holding.wait()
    free = await asyncio.wait_for(world.api.post("/orders/Outgoing/o-free/submit", token=token), 10)
    assert free.status_code == 201, free.text
    stocked = asyncio.create_task(world.api.post("/orders/Outgoing/o-stocked/submit", token=token))
    await asyncio.sleep(0.5)
    assert not stocked.done()  # waiting for the stocked product's row
    release.set()
    await holder
    assert (await stocked).status_code == 201
    assert (await cat.read(world.api, "product", "stocked"))["Inventory"]["QuantityAvailable"] == 8
