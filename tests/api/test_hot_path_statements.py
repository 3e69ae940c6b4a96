"""The hot paths run a fixed number of SQL statements, however many lines an order has: no
per-line or per-product query creeps back into submit or add-line (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World


@contextmanager
def counting(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = world.api.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def statements(world: World, request: Callable[[], Awaitable[Any]]) -> int:
    with counting(world) as seen:
        await request()
    return len(seen)


async def order_of(world: World, order_id: str, lines: int) -> None:
    await world.new_order(body={"ID": order_id})
    for n in range(lines):
        await world.add_line(order_id, f"p{n}", 1 + n)


async def test_submit_and_add_line_do_not_query_per_line(world: World) -> None:
    for n in range(6):
        await cat.product(world.api, f"p{n}", price=f"{5 + n}.00", inventory=cat.inventory(100))
    await order_of(world, "small", 1)
    await order_of(world, "large", 5)
    # The first submit fills the per-process configuration cache (the API client's checkout
    # event); the counts compare warm requests.
    await order_of(world, "warm", 1)
    await world.submit("warm")

    added_to_small = await statements(world, lambda: world.add_line("small", "p5", 2))
    added_to_large = await statements(world, lambda: world.add_line("large", "p5", 2))
    assert added_to_small == added_to_large

    submit_small = await statements(world, lambda: world.submit("small"))
    submit_large = await statements(world, lambda: world.submit("large"))
    assert submit_small == submit_large
    # Each product's stock went down by what both orders took (the batched write hit every row).
    taken = {"p0": 1 + 1 + 1, "p1": 2, "p2": 3, "p3": 4, "p4": 5, "p5": 2 + 2}
    for product_id, quantity in taken.items():
        stock = (await cat.read(world.api, "product", product_id))["Inventory"]["QuantityAvailable"]
        assert stock == 100 - quantity, product_id


async def test_order_list_with_line_item_and_or_filters_is_one_query_pair(world: World) -> None:
    """`LineItems.ProductID` and `Comments|ID` filters run inside the list's count and page
    statements (an EXISTS over the lines' (kind, scope) key), never one query per order."""
    for n in range(2):
        await cat.product(world.api, f"p{n}")
    token = await world.token("alice")

    async def listing(**filters: str) -> Any:
        params = {"Status": "Unsubmitted", **filters}
        return await world.api.ok("GET", "/orders/Outgoing", params=params, token=token)

    filters = {"LineItems.ProductID": "p1", "Comments|ID": "o*"}
    await order_of(world, "o1", 2)
    plain_one = await statements(world, listing)
    filtered_one = await statements(world, lambda: listing(**filters))
    for n in range(2, 6):
        await order_of(world, f"o{n}", 2)
    with counting(world) as seen:
        page = await listing(**filters)
    assert len(page["Items"]) == 5
    assert len(seen) == filtered_one == plain_one
    # The page; a page shorter than pageSize is the last one, so it is its own count (no count
    # statement runs).
    assert sum("EXISTS" in s.upper() for s in seen) == 1


async def test_warm_authenticated_get_runs_no_auth_statement(world: World) -> None:
    """Once a user's standing is cached in the process, an authenticated GET runs only its own
    statements: none for the token's standing (app.auth.revocation.StandingCache)."""
    token = await world.token("alice")
    await world.api.ok("GET", "/me", token=token)
    with counting(world) as seen:
        assert (await world.api.ok("GET", "/me", token=token))["ID"] == "alice"
    # The standing statement reads `resources AS u` joined with `resources AS c`.
    assert [s for s in seen if "resources AS u " in s] == [], seen
    # ... while the uncached path is that very statement (so the assertion above can fail).
    world.api.services.standing.cache.clear()
    with counting(world) as seen:
        await world.api.ok("GET", "/me", token=token)
    assert len([s for s in seen if "resources AS u " in s]) == 1, seen
