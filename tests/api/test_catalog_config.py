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
    assert (await api.ok("GET", "/orders/Outgoing/ORD-101", token=await world.token("alice")))[
        "ID"
    ] == "ORD-101"
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


async def locales(api: Api) -> None:
    await api.ok("POST", "/locales", {"ID": "US", "Currency": "USD", "Language": "en-US"})
    await api.ok("POST", "/locales", {"ID": "CA", "Currency": "CAD", "Language": "en-CA"})


async def test_locale_crud_and_assignments(world: World) -> None:
    api = world.api
    await locales(api)
    got = await api.ok("GET", "/locales/CA")
    assert got == {"ID": "CA", "OwnerID": api.services.marketplace_id, "Currency": "CAD", "Language": "en-CA"}
    dup = await api.post("/locales", {"ID": "CA2", "Currency": "CAD", "Language": "en-CA"})
    assert dup.status_code == 409 and error_code(dup) == "Locale.DuplicateLanguageAndCurrency"
    await api.ok("PATCH", "/locales/CA", {"Language": "fr-CA"})
    assert [i["ID"] for i in (await api.ok("GET", "/locales", params={"Currency": "CAD"}))["Items"]] == ["CA"]
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    for body in (
        {"LocaleID": "US", "BuyerID": "b1"},
        {"LocaleID": "CA", "BuyerID": "b1", "UserGroupID": "g1"},
    ):
        await api.ok("POST", "/locales/assignments", body, status=204)
    listed = await api.ok("GET", "/locales/assignments", params={"buyerID": "b1"})
    assert listed["Items"] == [
        {"LocaleID": "CA", "BuyerID": "b1", "UserGroupID": "g1"},
        {"LocaleID": "US", "BuyerID": "b1", "UserGroupID": None},
    ]
    company = await api.ok("GET", "/locales/assignments", params={"level": "Company"})
    assert [a["LocaleID"] for a in company["Items"]] == ["US"]
    # A buyer has one locale: assigning another replaces it.
    await api.ok("POST", "/locales/assignments", {"LocaleID": "CA", "BuyerID": "b1"}, status=204)
    company = await api.ok("GET", "/locales/assignments", params={"level": "Company"})
    assert [a["LocaleID"] for a in company["Items"]] == ["CA"]
    missing = await api.post("/locales/assignments", {"LocaleID": "nope", "BuyerID": "b1"})
    assert missing.status_code == 404
    no_buyer = await api.post("/locales/assignments", {"LocaleID": "US"})
    assert no_buyer.status_code == 400
    await api.ok(
        "DELETE", "/locales/CA/assignments", params={"buyerID": "b1", "userGroupID": "g1"}, status=204
    )
    assert len((await api.ok("GET", "/locales/assignments"))["Items"]) == 1
    # Deleting a locale deletes its assignments.
    assert (await api.delete("/locales/CA")).status_code == 204
    assert (await api.ok("GET", "/locales/assignments"))["Items"] == []


async def test_orders_are_in_the_buyers_currency_and_schedules_must_match(world: World) -> None:
    api = world.api
    await locales(api)
    await api.ok("POST", "/locales/assignments", {"LocaleID": "CA", "BuyerID": "b2"}, status=204)
    await cat.price_schedule(api, "ps-usd", [(1, "2.00")], currency="USD")
    await cat.price_schedule(api, "ps-cad", [(1, "3.00")], currency="CAD")
    await cat.product(api, "pa", price=None, buyers=())
    await cat.assign(api, "pa", "b1", schedule_id="ps-usd")
    await cat.assign(api, "pa", "b2", schedule_id="ps-cad")
    await cat.product(api, "pusd", schedule_id="ps-usd", buyers=("b2",))
    canadian = await world.new_order("bob", body={"ID": "ca1"})
    assert canadian["Currency"] == "CAD"
    line = await world.add_line("ca1", "pa", 2, username="bob")
    assert line["UnitPrice"] == 3 and line["LineSubtotal"] == 6
    assert (await api.ok("GET", "/cart", token=await world.token("bob")))["Currency"] == "CAD"
    # No conversion: a USD schedule never prices a CAD order.
    refused = await api.post(
        "/orders/Outgoing/ca1/lineitems", {"ProductID": "pusd", "Quantity": 1}, token=await world.token("bob")
    )
    assert refused.status_code == 400 and error_code(refused) == "PriceSchedule.CurrencyMismatch"
    american = await world.new_order("alice", body={"ID": "us1"})
    assert american["Currency"] == "USD"
    assert (await world.add_line("us1", "pa", 1))["UnitPrice"] == 2
    # A user group's locale wins over its buyer's.
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "canadians", "Name": "Canadians"})
    await api.ok(
        "POST",
        "/buyers/b1/usergroups/assignments",
        {"UserGroupID": "canadians", "UserID": "carol"},
        status=204,
    )
    await api.ok(
        "POST",
        "/locales/assignments",
        {"LocaleID": "CA", "BuyerID": "b1", "UserGroupID": "canadians"},
        status=204,
    )
    assert (await world.new_order("carol"))["Currency"] == "CAD"
    assert (await world.new_order("alice"))["Currency"] == "USD"
