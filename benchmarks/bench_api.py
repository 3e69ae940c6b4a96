"""In-process latency of the API's hot paths, through the whole app (ASGI, auth, transaction,
encoding) on a SQLite file database.

Run: python -m pytest benchmarks/bench_api.py --benchmark-only -q
The store: buyer b1, 200 products (one price schedule each, tracked inventory) assigned to b1,
500 submitted orders to the marketplace (2/3 Open). Measured:
- `test_add_line`: POST /v1/cart/lineitems, adding an 11th line to a 10-line cart;
- `test_submit`: POST /v1/cart/submit of a 10-line cart (inventory taken);
- `test_me_products`: GET /v1/me/products, a page of 20 of the 200 products, as the buyer user;
- `test_incoming_orders`: GET /v1/orders/Incoming?Status=Open, a page of 20, as the seller.
Each also records `sql_statements`: the statements one such request runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from app.auth.revocation import identity_claims
from app.store.repo import Docs
from benchmarks.appenv import AppEnv, app_env
from domain.clock import iso, utcnow
from domain.orders import new_order_doc

PRODUCTS = 200
ORDERS = 500
CART_LINES = 10
EXTRA_LINE = "extra"
pytestmark = pytest.mark.benchmark(group="api")


class Store(AppEnv):
    shopper: str  # buyer user `shopper` (Shopper): the add-line cart and the storefront
    submitter: str  # buyer user `submitter` (Shopper): a new cart for every submit


def product_id(n: int) -> str:
    return f"p{n:03d}"


async def _catalog(env: AppEnv) -> None:
    for n in range(PRODUCTS):
        schedule = {
            "ID": f"ps{n:03d}",
            "Name": f"Schedule {n}",
            "PriceBreaks": [{"Quantity": 1, "Price": 10 + n % 7}, {"Quantity": 10, "Price": 9 + n % 7}],
        }
        await env.call("POST", "/priceschedules", schedule)
        product = {
            "ID": product_id(n),
            "Name": f"Product {n:03d}",
            "DefaultPriceScheduleID": schedule["ID"],
            "Active": True,
            "Inventory": {"Enabled": True, "OrderCanExceed": False, "QuantityAvailable": 10**9},
            "xp": {"Color": ("red", "green", "blue")[n % 3]},
        }
        await env.call("POST", "/products", product)
        await env.call("POST", "/products/assignments", {"ProductID": product_id(n), "BuyerID": "b1"})


async def _orders(env: AppEnv) -> None:
    """Submitted orders inserted directly (placing 500 through the API would take the whole
    benchmark's time); they are what a seller's list has to page through."""
    start = utcnow() - timedelta(days=30)
    marketplace = env.services.marketplace_id
    async with env.services.db.transaction() as conn:
        docs = Docs(conn)
        for n in range(ORDERS):
            when = start + timedelta(minutes=n)
            order = new_order_doc(
                order_id=f"o{n:04d}",
                from_company_id="b1",
                to_company_id=marketplace,
                now=when,
                from_user={"ID": "shopper", "Username": "shopper"},
                currency="USD",
            )
            total = Decimal(20 + n % 180)
            order.update(
                Status=("Open", "Open", "Completed")[n % 3],
                IsSubmitted=True,
                DateSubmitted=iso(when),
                LineItemCount=1 + n % 10,
                Subtotal=total,
                Total=total,
            )
            await docs.insert("order", order)


async def _user(env: AppEnv, user_id: str) -> str:
    body = {
        "ID": user_id,
        "Username": user_id,
        "FirstName": "Bench",
        "LastName": "User",
        "Email": f"{user_id}@example.com",
        "Active": True,
    }
    await env.call("POST", "/buyers/b1/users", body)
    # Bound to the user as the password grant binds it (docs/security-tokens.md).
    async with env.services.db.reader() as conn:
        docs = Docs(conn)
        user, buyer = await docs.get("user", user_id, "b1"), await docs.get("buyer", "b1")
    assert user is not None and buyer is not None
    bound = identity_claims(user.doc, buyer.doc)
    return await env.mint(
        {"usr": user_id, "u": user_id, "usrtype": "buyer", "cmp": "b1", "role": ["Shopper"], **bound}
    )


async def _fill_cart(env: AppEnv, token: str) -> None:
    for n in range(CART_LINES):
        line = {"ID": f"l{n}", "ProductID": product_id(n), "Quantity": 1 + n}
        await env.call("POST", "/cart/lineitems", line, token=token)


@pytest.fixture(scope="module", params=["caches", "no-caches"])
def store(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The same store twice: with the per-process caches (token standing, webhook configuration)
    and without (ORDERCORE_CACHES=false, what every request paid before): the baseline of the
    same run (docs/performance.md)."""
    caches = request.param == "caches"
    with app_env(tmp_path_factory.mktemp("bench-api"), webhook_worker=False, caches=caches) as app:
        env = Store(app.loop, app.services, app.client, app.token)
        env.run(env.call("POST", "/buyers", {"ID": "b1", "Name": "Bench buyer"}))
        env.run(_catalog(env))
        env.run(_orders(env))
        env.shopper = env.run(_user(env, "shopper"))
        env.submitter = env.run(_user(env, "submitter"))
        env.run(_fill_cart(env, env.shopper))
        yield env


def count_statements(env: AppEnv, request: Callable[[], Awaitable[Any]]) -> int:
    """How many SQL statements `request` runs (counted on one run outside the timed rounds)."""
    seen = 0

    def on_execute(*_args: Any) -> None:
        nonlocal seen
        seen += 1

    engine = env.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        env.run(request())
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return seen


def test_add_line(benchmark: Any, store: Store) -> None:
    body = {"ID": EXTRA_LINE, "ProductID": product_id(CART_LINES), "Quantity": 3}
    state = {"added": False}

    async def add() -> None:
        response = await store.call("POST", "/cart/lineitems", body, token=store.shopper)
        assert response.json()["LineSubtotal"] == 30 + 3 * (CART_LINES % 7)
        state["added"] = True

    def reset() -> None:
        if state["added"]:
            store.run(store.call("DELETE", f"/cart/lineitems/{EXTRA_LINE}", token=store.shopper))
            state["added"] = False

    benchmark.pedantic(lambda: store.run(add()), setup=reset, rounds=200, warmup_rounds=10)
    reset()
    benchmark.extra_info["sql_statements"] = count_statements(store, add)
    cart = store.run(store.call("GET", "/cart", token=store.shopper)).json()
    assert cart["LineItemCount"] == CART_LINES + 1


def test_submit(benchmark: Any, store: Store) -> None:
    async def submit() -> None:
        response = await store.call("POST", "/cart/submit", token=store.submitter)
        submitted = response.json()
        assert submitted["Status"] == "Open" and submitted["LineItemCount"] == CART_LINES

    def new_cart() -> None:
        store.run(_fill_cart(store, store.submitter))

    benchmark.pedantic(lambda: store.run(submit()), setup=new_cart, rounds=40, warmup_rounds=3)
    new_cart()
    benchmark.extra_info["sql_statements"] = count_statements(store, submit)


def test_get_me(benchmark: Any, store: Store) -> None:
    """The smallest authenticated GET: what a request costs around one keyed read."""
    headers = {"Authorization": f"Bearer {store.shopper}"}

    async def me() -> None:
        response = await store.client.get("/v1/me", headers=headers)
        assert response.status_code == 200 and response.json()["ID"] == "shopper"

    benchmark.pedantic(lambda: store.run(me()), rounds=300, warmup_rounds=10)
    benchmark.extra_info["sql_statements"] = count_statements(store, me)


def test_me_products(benchmark: Any, store: Store) -> None:
    params = {"pageSize": 20, "page": 3}

    async def page() -> None:
        headers = {"Authorization": f"Bearer {store.shopper}"}
        response = await store.client.get("/v1/me/products", params=params, headers=headers)
        listed = response.json()
        assert response.status_code == 200 and listed["Meta"]["TotalCount"] == PRODUCTS
        assert len(listed["Items"]) == 20 and listed["Items"][0]["PriceSchedule"]["PriceBreaks"]

    benchmark.pedantic(lambda: store.run(page()), rounds=300, warmup_rounds=10)
    benchmark.extra_info["sql_statements"] = count_statements(store, page)


def test_incoming_orders(benchmark: Any, store: Store) -> None:
    params: dict[str, str | int] = {
        "Status": "Open",
        "Total": ">50",
        "pageSize": 20,
        "page": 2,
        "sortBy": "!DateSubmitted",
    }

    async def page() -> None:
        headers = {"Authorization": f"Bearer {store.token}"}
        response = await store.client.get("/v1/orders/Incoming", params=params, headers=headers)
        listed = response.json()
        assert response.status_code == 200 and listed["Meta"]["TotalCount"] > 200
        assert len(listed["Items"]) == 20 and all(o["Status"] == "Open" for o in listed["Items"])

    benchmark.pedantic(lambda: store.run(page()), rounds=300, warmup_rounds=10)
    benchmark.extra_info["sql_statements"] = count_statements(store, page)
