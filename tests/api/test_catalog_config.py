"""Marketplace configuration (issue #14): incrementors and `{incrementorID}` in IDs, locales and
currencies, impersonation configs, OpenID Connect configs, inventory record assignments."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.helpers import Api, error_code


async def test_incrementor_crud(api: Api) -> None:
    made = await api.ok("POST", "/incrementors", {"ID": "orders", "Name": "Orders", "LeftPaddingCount": 4})
    assert made == {"ID": "orders", "Name": "Orders", "LastNumber": 0, "LeftPaddingCount": 4}
    assert (await api.ok("GET", "/incrementors/orders"))["LeftPaddingCount"] == 4
    await api.ok("PATCH", "/incrementors/orders", {"LastNumber": 41})
    saved = await api.ok("PUT", "/incrementors/orders", {"Name": "Orders", "LastNumber": 41})
    assert saved == {"ID": "orders", "Name": "Orders", "LastNumber": 41, "LeftPaddingCount": 0}
    page = await api.ok("GET", "/incrementors", params={"depth": "all", "LastNumber": ">40"})
    assert [i["ID"] for i in page["Items"]] == ["orders"]
    bad = await api.post("/incrementors", {"ID": "neg", "LastNumber": -1})
    assert bad.status_code == 400 and error_code(bad) == "ValidationFailure"
    assert (await api.delete("/incrementors/orders")).status_code == 204
    assert (await api.get("/incrementors/orders")).status_code == 404


async def test_incrementor_fills_ids_of_products_addresses_and_orders(world: World) -> None:
    api = world.api
    await api.ok("POST", "/incrementors", {"ID": "prod", "LeftPaddingCount": 4})
    await api.ok("POST", "/incrementors", {"ID": "ord", "LastNumber": 99})
    first = await api.ok("POST", "/products", {"ID": "P-{prod}", "Name": "one"})
    second = await api.ok("POST", "/products", {"ID": "P-{prod}-{prod}", "Name": "two"})
    assert (first["ID"], second["ID"]) == ("P-0001", "P-0002-0003")
    assert (await api.ok("GET", "/incrementors/prod"))["LastNumber"] == 3
    address = await api.ok("POST", "/buyers/b1/addresses", {**ADDRESS, "ID": "ADDR{ord}"})
    assert address["ID"] == "ADDR100"
    order = await world.new_order(body={"ID": "ORD-{ord}"})
    assert order["ID"] == "ORD-101"
    assert (await api.ok("GET", "/orders/Outgoing/ORD-101", token=await world.token("alice")))["ID"] == "ORD-101"
    # An unknown incrementor is a 404 naming it, and nothing is created or counted.
    missing = await api.post("/products", {"ID": "X-{nope}", "Name": "x"})
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Incrementor"
    # A request that fails after taking a number gives it back (one transaction).
    refused = await api.post("/products", {"ID": "P-{prod}", "Name": "x" * 101})
    assert refused.status_code == 400
    assert (await api.ok("GET", "/incrementors/prod"))["LastNumber"] == 3
    # A malformed token is no token: the ID is refused as ever.
    assert (await api.post("/products", {"ID": "P-{pr od}", "Name": "x"})).status_code == 400


async def test_concurrent_creates_never_share_a_number(world: World) -> None:
    api = world.api
    await api.ok("POST", "/incrementors", {"ID": "seq"})
    token = await world.token("alice")
    results = await asyncio.gather(
        *(api.post("/products", {"ID": "C-{seq}", "Name": f"n{i}"}) for i in range(12)),
        *(api.post("/orders/Outgoing", {"ID": "O-{seq}"}, token=token) for _ in range(8)),
    )
    assert Counter(r.status_code for r in results) == {201: 20}
    numbers = sorted(int(r.json()["ID"].split("-")[1]) for r in results)
    assert numbers == list(range(1, 21))
    assert (await api.ok("GET", "/incrementors/seq"))["LastNumber"] == 20
