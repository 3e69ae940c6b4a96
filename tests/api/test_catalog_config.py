"""Marketplace configuration (issue #14): incrementors and `{incrementorID}` in IDs, locales and
currencies, impersonation configs, OpenID Connect configs, inventory record assignments."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.helpers import Api, error_code


async def test_incrementor_crud(api: Api) -> None:
    made = await api.ok(
        "POST", "/incrementors", {"ID": "orders", "Name": "Orders", "LastNumber": 0, "LeftPaddingCount": 4}
    )
    assert made == {"ID": "orders", "Name": "Orders", "LastNumber": 0, "LeftPaddingCount": 4}
    # LastNumber and LeftPaddingCount are required, as in OrderCloud's contract.
    assert (await api.post("/incrementors", {"ID": "bare"})).status_code == 400
    assert (await api.ok("GET", "/incrementors/orders"))["LeftPaddingCount"] == 4
    await api.ok("PATCH", "/incrementors/orders", {"LastNumber": 41})
    saved = await api.ok(
        "PUT", "/incrementors/orders", {"Name": "Orders", "LastNumber": 41, "LeftPaddingCount": 0}
    )
    assert saved == {"ID": "orders", "Name": "Orders", "LastNumber": 41, "LeftPaddingCount": 0}
    page = await api.ok("GET", "/incrementors", params={"depth": "all", "LastNumber": ">40"})
    assert [i["ID"] for i in page["Items"]] == ["orders"]
    bad = await api.post("/incrementors", {"ID": "neg", "LastNumber": -1, "LeftPaddingCount": 0})
    assert bad.status_code == 400 and error_code(bad) == "ValidationFailure"
    assert (await api.delete("/incrementors/orders")).status_code == 204
    assert (await api.get("/incrementors/orders")).status_code == 404


async def test_incrementor_fills_ids_of_products_addresses_and_orders(world: World) -> None:
    api = world.api
    await api.ok("POST", "/incrementors", {"ID": "prod", "LastNumber": 0, "LeftPaddingCount": 4})
    await api.ok("POST", "/incrementors", {"ID": "ord", "LastNumber": 99, "LeftPaddingCount": 0})
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
    await api.ok("POST", "/incrementors", {"ID": "seq", "LastNumber": 0, "LeftPaddingCount": 0})
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
    # A renamed locale keeps its assignments; deleting it deletes them.
    await api.ok("PATCH", "/locales/CA", {"ID": "CAN"})
    assert [a["LocaleID"] for a in (await api.ok("GET", "/locales/assignments"))["Items"]] == ["CAN"]
    assert (await api.delete("/locales/CAN")).status_code == 204
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
    assert canadian["FromUser"]["Locale"] == {"ID": "CA", "Currency": "CAD", "Language": "en-CA"}
    me = await api.ok("GET", "/me", token=await world.token("bob"))
    assert me["Locale"] == {"ID": "CA", "Currency": "CAD", "Language": "en-CA"}
    assert (await api.ok("GET", "/me", token=await world.token("alice")))["Locale"] is None
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


async def test_impersonation_configs(world: World) -> None:
    api = world.api
    await api.ok("POST", "/securityprofiles", {"ID": "imp", "Name": "Impersonation", "Roles": ["Shopper"]})
    body = {
        "ID": "cfg",
        "ImpersonationBuyerID": None,
        "ImpersonationGroupID": None,
        "ImpersonationUserID": None,
        "BuyerID": "b1",
        "GroupID": None,
        "UserID": "alice",
        "SecurityProfileID": "imp",
        "ClientID": "ordercore-admin",
    }
    assert await api.ok("POST", "/impersonationconfig", body) == body
    assert await api.ok("GET", "/impersonationconfig/cfg") == body
    dup = await api.post("/impersonationconfig", {**body, "ID": "cfg2"})
    assert (
        dup.status_code == 409
        and error_code(dup) == "ImpersonationConfig.ConflictingImpersonationConfigExists"
    )
    patched = await api.ok("PATCH", "/impersonationconfig/cfg", {"UserID": None})
    assert patched["UserID"] is None
    page = await api.ok("GET", "/impersonationconfig", params={"BuyerID": "b1", "depth": "all"})
    assert [c["ID"] for c in page["Items"]] == ["cfg"]
    for bad, missing in (
        ({**body, "ID": "x", "SecurityProfileID": "nope"}, "SecurityProfile"),
        ({**body, "ID": "x", "ClientID": "nope"}, "ApiClient"),
        ({**body, "ID": "x", "UserID": "bob"}, "User"),  # bob is b2's user
    ):
        res = await api.post("/impersonationconfig", bad)
        assert res.status_code == 404 and res.json()["Errors"][0]["Data"]["ObjectType"] == missing
    no_profile = await api.post("/impersonationconfig", {"ClientID": "ordercore-admin"})
    assert no_profile.status_code == 400
    # An API client an impersonation config uses cannot be deleted.
    used = await api.delete("/apiclients/ordercore-admin")
    assert used.status_code == 400 and error_code(used) == "ApiClient.UsedByImpersonationConfig"
    assert (await api.delete("/impersonationconfig/cfg")).status_code == 204


async def test_openid_connects_hide_the_secret_from_readers(world: World) -> None:
    api = world.api
    body = {
        "ID": "idp",
        "OrderCloudApiClientID": "ordercore-admin",
        "ConnectClientID": "client",
        "ConnectClientSecret": "s3cret",
        "AppStartUrl": "https://shop.example/login?token={0}",
        "AuthorizationEndpoint": "https://idp.example/authorize",
        "TokenEndpoint": "https://idp.example/token",
        "UrlEncoded": False,
        "IntegrationEventID": None,
        "CallSyncUserIntegrationEvent": False,
        "IntegrationEventName": "ignored",
        "AdditionalIdpScopes": ["profile"],
        "CustomErrorUrl": None,
    }
    made = await api.ok("POST", "/openidconnects", body)
    assert made == {**body, "IntegrationEventName": None}
    reader = await world.seller("OpenIDConnectReader")
    seen = await api.ok("GET", "/openidconnects/idp", token=reader)
    assert seen["ConnectClientSecret"] is None and seen["ConnectClientID"] == "client"
    listed = await api.ok("GET", "/openidconnects", token=reader)
    assert listed["Items"][0]["ConnectClientSecret"] is None
    assert (
        await api.get("/openidconnects", params={"ConnectClientSecret": "s*"}, token=reader)
    ).status_code == 400
    assert (await api.post("/openidconnects", body, token=reader)).status_code == 403
    await api.ok("PATCH", "/openidconnects/idp", {"ConnectClientID": "other"})
    assert (await api.ok("GET", "/openidconnects/idp"))["ConnectClientSecret"] == "s3cret"
    unknown = await api.post("/openidconnects", {**body, "ID": "x", "OrderCloudApiClientID": "nope"})
    assert unknown.status_code == 404
    missing = await api.post("/openidconnects", {"ID": "x", "OrderCloudApiClientID": "ordercore-admin"})
    assert missing.status_code == 400
    assert (await api.delete("/openidconnects/idp")).status_code == 204


async def test_inventory_record_assignments_choose_who_sees_a_record(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", buyers=("b1", "b2"), variant_count=1)
    await cat.variant(api, "p1", "v1", [])
    await api.ok("POST", "/addresses", {**ADDRESS, "ID": "wh"})
    await api.ok(
        "POST", "/products/p1/inventoryrecords", {"ID": "open", "AddressID": "wh", "AllowAllBuyers": True}
    )
    await api.ok("POST", "/products/p1/inventoryrecords", {"ID": "closed", "AddressID": "wh"})
    base = "/products/p1/inventoryrecords"

    async def seen(user: str) -> list[str]:
        page = await api.ok("GET", "/me/products/p1/inventoryrecords", token=await world.token(user))
        return [r["ID"] for r in page["Items"]]

    assert await seen("alice") == ["open"] and await seen("bob") == ["open"]
    await api.ok("POST", f"{base}/assignments", {"InventoryRecordID": "closed", "BuyerID": "b1"}, status=204)
    assert await seen("alice") == ["closed", "open"] and await seen("bob") == ["open"]
    listed = await api.ok("GET", f"{base}/assignments", params={"buyerID": "b1"})
    assert listed["Items"] == [{"InventoryRecordID": "closed", "BuyerID": "b1", "UserGroupID": None}]
    # A group assignment: only the group's members.
    await api.ok("POST", "/buyers/b2/usergroups", {"ID": "vip", "Name": "VIP"})
    await api.ok(
        "POST", "/buyers/b2/usergroups/assignments", {"UserGroupID": "vip", "UserID": "bob"}, status=204
    )
    await api.ok(
        "POST",
        f"{base}/assignments",
        {"InventoryRecordID": "closed", "BuyerID": "b2", "UserGroupID": "vip"},
        status=204,
    )
    assert await seen("bob") == ["closed", "open"]
    group_level = await api.ok("GET", f"{base}/assignments", params={"level": "Group"})
    assert [a["BuyerID"] for a in group_level["Items"]] == ["b2"]
    await api.ok("DELETE", f"{base}/closed/assignments", params={"buyerID": "b1"}, status=204)
    assert await seen("alice") == ["open"] and await seen("bob") == ["closed", "open"]
    missing = await api.post(f"{base}/assignments", {"InventoryRecordID": "nope", "BuyerID": "b1"})
    assert missing.status_code == 404
    # Variant level: its own records and assignments; a product-level record is not one of them.
    variant = "v1"
    vbase = f"/products/p1/variants/{variant}/inventoryrecords"
    await api.ok("POST", vbase, {"ID": "vrec", "AddressID": "wh"})
    wrong_level = await api.post(f"{vbase}/assignments", {"InventoryRecordID": "closed", "BuyerID": "b1"})
    assert wrong_level.status_code == 404
    await api.ok("POST", f"{vbase}/assignments", {"InventoryRecordID": "vrec", "BuyerID": "b1"}, status=204)
    assert [a["InventoryRecordID"] for a in (await api.ok("GET", f"{vbase}/assignments"))["Items"]] == [
        "vrec"
    ]
    assert [a["InventoryRecordID"] for a in (await api.ok("GET", f"{base}/assignments"))["Items"]] == [
        "closed"
    ]
    vseen = await api.ok(
        "GET", f"/me/products/p1/variants/{variant}/inventoryrecords", token=await world.token("alice")
    )
    assert [r["ID"] for r in vseen["Items"]] == ["vrec"]
    # A renamed record keeps its assignments; deleting it deletes them.
    await api.ok("PATCH", f"{base}/closed", {"ID": "shut"})
    assert [a["InventoryRecordID"] for a in (await api.ok("GET", f"{base}/assignments"))["Items"]] == ["shut"]
    await api.ok("PATCH", f"{base}/shut", {"ID": "closed"})
    assert (await api.delete(f"{base}/closed")).status_code == 204
    assert (await api.ok("GET", f"{base}/assignments"))["Items"] == []
