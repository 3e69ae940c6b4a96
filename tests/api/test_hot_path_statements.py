"""The hot paths run a fixed number of SQL statements, however many lines an order has: no
per-line or per-product query creeps back into submit or add-line (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.store.repo import Docs
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.api.storefront_setup import viewall_storefront


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


@contextmanager
def counting_begins(world: World) -> Iterator[list[str]]:
    """The statements run and, as "BEGIN" entries, the transactions begun (on every connection of
    the engine, readers included)."""
    seen: list[str] = []

    def on_begin(_conn: Any) -> None:
        seen.append("BEGIN")

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN [IMMEDIATE]
            seen.append(statement)

    engine = world.api.services.db.engine.sync_engine
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_execute)


async def footprint(world: World, request: Callable[[], Awaitable[Any]]) -> tuple[int, int]:
    """(transactions begun, SQL statements) of one request."""
    with counting_begins(world) as seen:
        await request()
    begins = seen.count("BEGIN")
    return begins, len(seen) - begins


async def test_checkout_writes_run_one_transaction_and_pinned_statement_counts(world: World) -> None:
    """Issue #13 item 2: each write is one transaction; submit runs at most 8 statements; adding a
    line, setting the ship-to address and submitting cost the same on a 1-line and a 5-line order
    (docs/performance.md, "The write path"). The counts are pinned: a new statement on these
    paths must be a decision, recorded there."""
    for n in range(6):
        await cat.product(world.api, f"p{n}", price=f"{5 + n}.00", inventory=cat.inventory(100))
    token = await world.token("alice")
    # Warm the per-process configuration cache (the API client's checkout event, event
    # subscriptions, approval rules, the user's groups): the counts are those of warm requests.
    await order_of(world, "warm", 1)
    await world.submit("warm")

    created = await footprint(world, lambda: world.new_order(body={"ID": "small"}))
    assert created[0] == 1
    await world.add_line("small", "p0", 1)
    await order_of(world, "large", 5)

    def ship(order_id: str) -> Callable[[], Awaitable[Any]]:
        return lambda: world.api.ok("PUT", f"/orders/Outgoing/{order_id}/shipto", ADDRESS, token=token)

    def bill(order_id: str) -> Callable[[], Awaitable[Any]]:
        return lambda: world.api.ok("PUT", f"/orders/Outgoing/{order_id}/billto", ADDRESS, token=token)

    for name, small, large in (
        ("add line", lambda: world.add_line("small", "p5", 2), lambda: world.add_line("large", "p5", 2)),
        ("ship-to", ship("small"), ship("large")),
        ("bill-to", bill("small"), bill("large")),
        ("submit", lambda: world.submit("small"), lambda: world.submit("large")),
    ):
        one, five = await footprint(world, small), await footprint(world, large)
        assert one == five, (name, one, five)
        assert one[0] == 1, (name, "transactions", one[0])
        # Add line 8 -> 5: the product, its assignments to the buyer, the price schedules and the
        # order's promotion rows are one statement (docs/performance.md, "Checkout: one statement
        # per offer"); 5 -> 4: the line and its timeline entry are one ("Checkout: every
        # statement prepared, fewer round trips").
        expected = {"add line": 4, "ship-to": 4, "bill-to": 2, "submit": 8}[name]
        assert one[1] == expected, (name, "statements", one[1])
    # The orders were written in full: every line ships to the address, the totals add up.
    order = await world.api.ok("GET", "/orders/Outgoing/large", token=token)
    assert order["Status"] == "Open" and order["LineItemCount"] == 6
    lines = (await world.api.ok("GET", "/orders/Outgoing/large/lineitems", token=token))["Items"]
    assert {line["ShippingAddress"]["Street1"] for line in lines} == {ADDRESS["Street1"]}
    assert order["Subtotal"] == sum(line["LineSubtotal"] for line in lines)


async def test_add_line_reads_none_of_the_other_lines(world: World) -> None:
    """Adding a line touches only that line and the order's totals (issue #13 item 2): no
    statement reads the order's lines, so the 1,000th line costs what the first does."""
    for n in range(3):
        await cat.product(world.api, f"p{n}", price=f"{5 + n}.00")
    await order_of(world, "o1", 2)
    params: list[Any] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT RESOURCES.DOC"):
            params.append(parameters)

    engine = world.api.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        added = await world.add_line("o1", "p2", 3)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert not [p for p in params if "lineitem" in (p.values() if isinstance(p, dict) else p)], params
    order = await world.api.ok("GET", "/orders/Outgoing/o1", token=await world.token("alice"))
    # 5.00 x 1 + 6.00 x 2 + 7.00 x 3, counted without reading the first two lines again.
    assert added["LineSubtotal"] == 21.0
    assert (order["LineItemCount"], order["Subtotal"], order["Total"]) == (3, 38.0, 38.0)


async def test_list_pages_run_a_pinned_number_of_statements(world: World) -> None:
    """Issue #13: each list query's statement count is pinned. A page is one statement, full or
    not: its bounded count rides in the page statement (Docs.page; two statements before,
    docs/performance.md "Orders.List in one statement")."""
    for n in range(3):
        await world.new_order(body={"ID": f"o{n}"})
    token = await world.token("alice", "Shopper OrderReader")

    async def listing(direction: str, page_size: int) -> Any:
        params = {"Status": "Unsubmitted", "sortBy": "!DateCreated", "pageSize": str(page_size)}
        return await world.api.ok("GET", f"/orders/{direction}", params=params, token=token)

    await listing("Outgoing", 2)  # warm: the token's standing
    for direction in ("Outgoing", "All"):
        full = await footprint(world, lambda d=direction: listing(d, 2))  # type: ignore[misc]
        last = await footprint(world, lambda d=direction: listing(d, 20))  # type: ignore[misc]
        assert (full[1], last[1]) == (1, 1), direction


async def test_warm_get_of_an_order_is_its_read_alone_outside_a_transaction(world: World) -> None:
    """A warm GET of an order sends one statement: no BEGIN and ROLLBACK around it (readers are
    autocommit, app.store.db.Database.reader) and nothing for the token (verified and standing
    cached per process)."""
    await cat.product(world.api, "p0")
    await order_of(world, "g1", 1)
    token = await world.token("alice")
    await world.api.ok("GET", "/orders/Outgoing/g1", token=token)
    with counting(world) as seen:
        assert (await world.api.ok("GET", "/orders/Outgoing/g1", token=token))["ID"] == "g1"
    # SQLite's BEGIN would be a statement here; PostgreSQL's is asserted on the driver below.
    assert len(seen) == 1, seen
    async with world.api.services.db.reader() as conn:
        assert await Docs(conn).get("order", "g1") is not None
        driver = (await conn.get_raw_connection()).driver_connection
        pg = world.api.services.db.is_sqlite is False
        assert not (driver.is_in_transaction() if pg else driver._conn.in_transaction)


async def test_storefront_page_runs_a_pinned_number_of_statements(world: World) -> None:
    """Issue #13: `/me/products` runs a fixed number of statements whatever the page holds: the
    page with its bounded count (one statement, docs/performance.md "Orders.List in one
    statement"), the page's product assignments, their price schedules and the facet definitions
    (docs/performance.md, "The storefront page at scale")."""
    token = await viewall_storefront(world.api, 30)  # 24 active: a full first page of 20

    async def listing(page_size: int) -> Any:
        return await world.api.ok("GET", "/me/products", params={"pageSize": str(page_size)}, token=token)

    await listing(20)  # warm: the token's standing
    full = await footprint(world, lambda: listing(20))
    last = await footprint(world, lambda: listing(30))
    assert (full, last) == ((1, 4), (1, 4))
    page = await listing(20)
    assert len(page["Items"]) == 20 and page["Meta"]["TotalCount"] == 24


async def test_cart_checkout_runs_a_pinned_number_of_statements(world: World) -> None:
    """The checkout `benchmarks/load_checkout.py` runs, through /cart: 3 line adds (the first
    makes the cart, after a submitted one), ship-to, bill-to, a payment, submit. Each request is
    one transaction and its statements are pinned (docs/performance.md, "Checkout: hot rows and
    the cart", "Checkout: one statement per offer" and "Checkout: every statement prepared,
    fewer round trips"): the whole checkout is 32 statements (66, then 52: the cart's pointer and
    order were two reads on every request, its creation read again what its transaction had
    read; then 37: an add-line reads product, assignments, price schedules and the order's
    promotion rows in one statement instead of four; generated order and payment IDs and an
    existing cart pointer are no longer probed before they are written; the cart, pointed or
    latest, is one read, so the first add-line's two reads of it, before and after the user's
    lock, are two statements instead of four; then 32: a new order, line or payment goes in with
    its timeline entry, one statement (executemany) instead of two)."""
    for n in range(3):
        await cat.product(world.api, f"p{n}")
    token = await world.token("alice", "Shopper MeAdmin")
    api = world.api

    async def checkout() -> list[tuple[int, int]]:
        steps: list[Callable[[], Awaitable[Any]]] = [
            *(
                lambda n=n: api.ok(
                    "POST", "/cart/lineitems", {"ProductID": f"p{n}", "Quantity": 1}, token=token
                )  # type: ignore[misc]
                for n in range(3)
            ),
            lambda: api.ok("PUT", "/cart/shipto", ADDRESS, token=token),
            lambda: api.ok("PUT", "/cart/billto", ADDRESS, token=token),
            lambda: api.ok("POST", "/cart/payments", {"Type": "PurchaseOrder"}, token=token),
            lambda: api.ok("POST", "/cart/submit", token=token),
        ]
        return [await footprint(world, step) for step in steps]

    await checkout()  # warm: the first submit fills the per-process caches
    counts = await checkout()
    assert [begins for begins, _ in counts] == [1] * 7
    assert [statements for _, statements in counts] == [9, 4, 4, 4, 2, 2, 7]
