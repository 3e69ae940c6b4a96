"""Subscriptions (docs/subscriptions.md): the seller's and a buyer user's CRUD, and the scheduler
turning due subscriptions into submitted orders, priced at that moment, one per period, with
refusals recorded on the subscription. The clock is passed in: a year of schedules runs here."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from app.services import subscriptions
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

START = datetime(2030, 1, 31, 9, 0, tzinfo=UTC)
SUB = {
    "ID": "weekly",
    "Frequency": 1,
    "Interval": "Weeks",
    "NextOrderDate": "2030-01-31T09:00:00Z",
    "FromUserID": "alice",
    "Active": True,
}


async def _subscription(world: World, body: dict[str, Any] | None = None, qty: int = 2) -> dict[str, Any]:
    sub: dict[str, Any] = await world.api.ok("POST", "/subscriptions", {**SUB, **(body or {})})
    await world.api.ok(
        "POST", f"/subscriptions/{sub['ID']}/items", {"ID": "i1", "ProductID": "p1", "Quantity": qty}
    )
    return sub


async def _orders(world: World) -> list[dict[str, Any]]:
    page = await world.api.ok("GET", "/orders/Incoming?pageSize=100", token=await world.seller())
    return list(page["Items"])


async def test_seller_crud_and_items(world: World) -> None:
    await cat.product(world.api, "p1", price="4.50")
    sub = await _subscription(world)
    assert sub["FromCompanyID"] == "b1" and sub["NextOrderDate"] == "2030-01-31T09:00:00.000+00:00"
    assert sub["LastOrderDate"] is None and sub["DateCreated"]
    patched = await world.api.ok(
        "PATCH", "/subscriptions/weekly", {"Frequency": 2, "LastOrderDate": "2020-01-01"}
    )
    assert patched["Frequency"] == 2 and patched["LastOrderDate"] is None
    items = await world.api.ok("GET", "/subscriptions/weekly/items")
    assert [(i["ProductID"], i["Quantity"]) for i in items["Items"]] == [("p1", 2)]
    assert (await world.api.ok("PATCH", "/subscriptions/weekly/items/i1", {"Quantity": 5}))["Quantity"] == 5
    bad = await world.api.post("/subscriptions", {**SUB, "ID": "x", "Interval": "Fortnights"})
    assert bad.status_code == 400
    no_user = await world.api.post("/subscriptions", {k: v for k, v in SUB.items() if k != "FromUserID"})
    assert error_code(no_user) == "Subscription.CreateRequiresFromUser"
    missing = await world.api.post("/subscriptions/weekly/items", {"ProductID": "nope"})
    assert missing.status_code == 404
    assert (await world.api.get("/subscriptions/nope/items")).status_code == 404
    await world.api.ok("DELETE", "/subscriptions/weekly")
    assert (await world.api.get("/subscriptions/weekly")).status_code == 404


async def test_me_subscriptions_are_the_users_own(world: World) -> None:
    await cat.product(world.api, "p1")
    alice = await world.token("alice", "MeSubscriptionAdmin")
    bob = await world.token("bob", "MeSubscriptionAdmin")
    body = {k: v for k, v in SUB.items() if k != "FromUserID"}
    mine = await world.api.ok("POST", "/me/subscriptions", {**body, "FromUserID": "carol"}, token=alice)
    assert mine["FromUserID"] == "alice" and mine["FromCompanyID"] == "b1"
    await world.api.ok("POST", "/me/subscriptions/weekly/items", {"ProductID": "p1"}, token=alice)
    assert (await world.api.ok("GET", "/me/subscriptions", token=alice))["Meta"]["TotalCount"] == 1
    assert (await world.api.ok("GET", "/me/subscriptions", token=bob))["Meta"]["TotalCount"] == 0
    assert (await world.api.get("/me/subscriptions/weekly", token=bob)).status_code == 404
    assert (await world.api.get("/me/subscriptions/weekly/items", token=bob)).status_code == 404
    shopper = await world.token("alice")
    assert (await world.api.get("/me/subscriptions", token=shopper)).status_code == 403
    seen = await world.api.ok("GET", "/subscriptions/weekly")
    assert seen["FromUserID"] == "alice"


async def test_a_year_of_weekly_orders_one_per_period(world: World) -> None:
    await cat.product(world.api, "p1", price="4.50")
    await _subscription(world)
    services = world.api.services
    now = START
    placed = []
    for _ in range(53):
        placed += await subscriptions.run_due(services, now)
        # Running again at the same instant orders nothing more.
        assert await subscriptions.run_due(services, now) == []
        now += timedelta(weeks=1)
    assert len(placed) == 53 and all(r.order_id and r.refusal is None for r in placed)
    assert len({r.period for r in placed}) == 53
    orders = await _orders(world)
    assert len(orders) == 53
    assert {o["Status"] for o in orders} == {"Open"}
    assert {o["SubscriptionID"] for o in orders} == {"weekly"}
    assert {str(o["Subtotal"]) for o in orders} == {"9.0"} or {o["Subtotal"] for o in orders} == {9}
    sub = await world.api.ok("GET", "/subscriptions/weekly")
    assert sub["LastOrderDate"] == "2031-01-30T09:00:00.000+00:00"
    assert sub["NextOrderDate"] == "2031-02-06T09:00:00.000+00:00"
    assert sub["LastOrderID"] == placed[-1].order_id


async def test_monthly_schedule_clamps_and_prices_at_the_time(world: World) -> None:
    await cat.product(world.api, "p1", price="4.50")
    await _subscription(world, {"Interval": "Months"}, qty=1)
    services = world.api.services
    first = await subscriptions.run_due(services, START)
    await world.api.ok("PATCH", "/priceschedules/ps-p1", {"PriceBreaks": [{"Quantity": 1, "Price": 6}]})
    second = await subscriptions.run_due(services, datetime(2030, 3, 1, tzinfo=UTC))
    assert [r.period for r in first + second] == [
        "2030-01-31T09:00:00.000+00:00",
        "2030-02-28T09:00:00.000+00:00",
    ]
    totals = {o["ID"]: o["Subtotal"] for o in await _orders(world)}
    assert float(totals[first[0].order_id or ""]) == 4.5 and float(totals[second[0].order_id or ""]) == 6


async def test_a_refusal_is_recorded_and_the_schedule_moves_on(world: World) -> None:
    await cat.product(world.api, "p1", price="4.50", inventory=cat.inventory(3))
    await _subscription(world, qty=2)
    services = world.api.services
    ok = await subscriptions.run_due(services, START)
    refused = await subscriptions.run_due(services, START + timedelta(weeks=1))
    assert ok[0].order_id and refused[0].order_id is None
    assert refused[0].refusal and refused[0].refusal["ErrorCode"].startswith("Inventory")
    sub = await world.api.ok("GET", "/subscriptions/weekly")
    assert sub["LastOrderRefusal"]["ErrorCode"] == refused[0].refusal["ErrorCode"]
    assert sub["NextOrderDate"] == "2030-02-14T09:00:00.000+00:00"
    assert len(await _orders(world)) == 1
    # Inactive subscriptions and ones past their EndDate do not order.
    await world.api.ok("PATCH", "/subscriptions/weekly", {"Active": False})
    assert await subscriptions.run_due(services, START + timedelta(weeks=5)) == []


async def test_concurrent_schedulers_never_order_a_period_twice(world: World) -> None:
    await cat.product(world.api, "p1", price="1")
    for n in range(5):
        await _subscription(world, {"ID": f"s{n}"}, qty=1)
    services = world.api.services
    now = START
    for _ in range(4):
        await asyncio.gather(*(subscriptions.run_due(services, now) for _ in range(4)))
        now += timedelta(weeks=1)
    orders = await _orders(world)
    periods = [(o["SubscriptionID"], o["xp"]["SubscriptionPeriod"]) for o in orders]
    assert len(orders) == 20 and len(set(periods)) == 20
