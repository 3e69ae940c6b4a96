"""Orders: create, read, change, delete, addresses, from-user, lists and me/orders."""

from __future__ import annotations

from decimal import Decimal

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.helpers import error_code


async def test_buyer_creates_outgoing_order_with_every_field(world: World) -> None:
    order = await world.new_order(body={"ID": "o1", "Comments": "rush", "xp": {"A": 1}})
    assert order["ID"] == "o1"
    assert order["FromCompanyID"] == "b1" and order["FromUserID"] == "alice"
    assert order["ToCompanyID"] == world.api.services.marketplace_id
    assert order["FromUser"]["Username"] == "alice" and order["FromUser"]["Password"] is None
    assert order["Status"] == "Unsubmitted" and order["IsSubmitted"] is False
    assert order["LineItemCount"] == 0 and order["Total"] == 0 and order["Currency"] == "USD"
    assert order["Comments"] == "rush" and order["xp"] == {"A": 1}
    assert order["DateCreated"] and order["DateSubmitted"] is None
    assert not [k for k in order if k.startswith("_")]
    dup = await world.api.post("/orders/Outgoing", {"ID": "o1"}, token=await world.token("alice"))
    assert dup.status_code == 409 and error_code(dup) == "IdExists"


async def test_read_only_fields_are_ignored_on_create_and_patch(world: World) -> None:
    body = {
        "ID": "o1",
        "Status": "Open",
        "Subtotal": 99,
        "Total": 99,
        "IsSubmitted": True,
        "LineItemCount": 5,
    }
    order = await world.new_order(body=body)
    assert order["Status"] == "Unsubmitted" and order["Subtotal"] == 0 and order["IsSubmitted"] is False
    token = await world.token("alice")
    patched = await world.api.ok(
        "PATCH",
        "/orders/Outgoing/o1",
        {"Total": 5, "DateSubmitted": "2024-01-01", "Comments": "x"},
        token=token,
    )
    assert patched["Total"] == 0 and patched["DateSubmitted"] is None and patched["Comments"] == "x"


async def test_direction_is_case_insensitive_and_validated(world: World) -> None:
    await world.new_order(body={"ID": "o1"})
    token = await world.token("alice")
    assert (await world.api.ok("GET", "/orders/outgoing/o1", token=token))["ID"] == "o1"
    assert (await world.api.ok("GET", "/orders/ALL/o1", token=token))["ID"] == "o1"
    bad = await world.api.get("/orders/Sideways/o1", token=token)
    assert bad.status_code == 400
    # A buyer receives no orders: its own order is not Incoming.
    assert (await world.api.get("/orders/Incoming/o1", token=token)).status_code == 404


async def test_seller_creates_order_on_behalf_of_buyer_user(world: World) -> None:
    seller = await world.seller()
    missing = await world.api.post("/orders/Incoming", {"ID": "x"}, token=seller)
    assert missing.status_code == 400 and error_code(missing) == "Order.CreateIncomingRequiresFromUser"
    order = await world.api.ok("POST", "/orders/Incoming", {"ID": "ob", "FromUserID": "alice"}, token=seller)
    assert order["FromCompanyID"] == "b1" and order["FromUserID"] == "alice"
    assert order["ToCompanyID"] == world.api.services.marketplace_id
    nobody = await world.api.post("/orders/Incoming", {"FromUserID": "ghost"}, token=seller)
    assert nobody.status_code == 404
    # The buyer user sees it as its own Outgoing order.
    assert (await world.api.ok("GET", "/orders/Outgoing/ob", token=await world.token("alice")))["ID"] == "ob"


async def test_save_replaces_writable_fields_and_patch_merges_xp(world: World) -> None:
    await world.new_order(body={"ID": "o1", "Comments": "c", "xp": {"A": 1, "B": {"C": 1}}})
    token = await world.token("alice")
    api = world.api
    patched = await api.ok("PATCH", "/orders/Outgoing/o1", {"xp": {"B": {"D": 2}}}, token=token)
    assert patched["xp"] == {"A": 1, "B": {"C": 1, "D": 2}} and patched["Comments"] == "c"
    saved = await api.ok("PUT", "/orders/Outgoing/o1", {"ID": "o1", "Gratuity": 5}, token=token)
    assert saved["Comments"] is None and saved["xp"] is None
    assert saved["Gratuity"] == 5 and saved["Total"] == 5
    negative = await api.patch("/orders/Outgoing/o1", {"Gratuity": -1}, token=token)
    assert negative.status_code == 400
    too_long = await api.patch("/orders/Outgoing/o1", {"Comments": "x" * 2001}, token=token)
    assert too_long.status_code == 400
    assert (await api.ok("GET", "/orders/Outgoing/o1", token=token))["Gratuity"] == 5


async def test_shipping_and_tax_need_override_roles(world: World) -> None:
    await world.new_order(body={"ID": "o1"})
    api = world.api
    shopper = await world.token("alice")
    ship = await api.patch("/orders/Outgoing/o1", {"ShippingCost": 7}, token=shopper)
    assert ship.status_code == 403 and error_code(ship) == "Order.OverrideShippingPermission"
    tax = await api.patch("/orders/Outgoing/o1", {"TaxCost": 3}, token=shopper)
    assert tax.status_code == 403 and error_code(tax) == "Order.OverrideTaxPermission"
    # Echoing the current value back (a fetched order saved again) needs no role.
    same = await api.ok("PATCH", "/orders/Outgoing/o1", {"ShippingCost": 0, "TaxCost": 0}, token=shopper)
    assert same["Total"] == 0
    elevated = await world.token("alice", "Shopper OverrideShipping OverrideTax")
    order = await api.ok(
        "PATCH", "/orders/Outgoing/o1", {"ShippingCost": "7.50", "TaxCost": 3, "Gratuity": 1}, token=elevated
    )
    assert Decimal(str(order["Total"])) == Decimal("11.50")


async def test_rename_moves_lines_and_payments(world: World) -> None:
    await cat.product(world.api, "p1")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 2)
    token = await world.token("alice")
    await world.api.ok("POST", "/orders/Outgoing/o1/payments", {"Type": "PurchaseOrder"}, token=token)
    await world.new_order(body={"ID": "taken"})
    clash = await world.api.patch("/orders/Outgoing/o1", {"ID": "taken"}, token=token)
    assert clash.status_code == 409
    renamed = await world.api.ok("PATCH", "/orders/Outgoing/o1", {"ID": "o2"}, token=token)
    assert renamed["ID"] == "o2" and renamed["LineItemCount"] == 1
    lines = await world.api.ok("GET", "/orders/Outgoing/o2/lineitems", token=token)
    payments = await world.api.ok("GET", "/orders/Outgoing/o2/payments", token=token)
    assert lines["Meta"]["TotalCount"] == 1 and payments["Meta"]["TotalCount"] == 1
    assert (await world.api.get("/orders/Outgoing/o1", token=token)).status_code == 404


async def test_delete_only_unsubmitted_and_takes_lines(world: World) -> None:
    await cat.product(world.api, "p1")
    api = world.api
    token = await world.token("alice")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1")
    await api.ok("DELETE", "/orders/Outgoing/o1", token=token)
    assert (await api.get("/orders/Outgoing/o1", token=token)).status_code == 404
    assert (await api.get("/orders/Outgoing/o1/lineitems", token=token)).status_code == 404
    await world.new_order(body={"ID": "o2"})
    await world.add_line("o2", "p1")
    await world.submit("o2")
    refused = await api.delete("/orders/Outgoing/o2", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Order.CannotDeleteSubmittedOrder"


async def test_billto_by_saved_id_one_time_and_patch(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    await world.new_order(body={"ID": "o1"})
    no_address = await api.patch("/orders/Outgoing/o1/billto", {"City": "X"}, token=token)
    assert no_address.status_code == 400 and error_code(no_address) == "BillingAddress.CannotModifyNotFound"
    by_id = await api.ok("PUT", "/orders/Outgoing/o1/billto", {"ID": "addr1"}, token=token)
    assert by_id["BillingAddressID"] == "addr1" and by_id["BillingAddress"]["Street1"] == "1 Main St"
    by_id_patch = await api.patch("/orders/Outgoing/o1/billto", {"City": "X"}, token=token)
    assert by_id_patch.status_code == 400 and error_code(by_id_patch) == "BillingAddress.CannotPatchSetByID"
    one_time = await api.ok("PUT", "/orders/Outgoing/o1/billto", {**ADDRESS, "Street1": "9 Elm"}, token=token)
    assert one_time["BillingAddressID"] is None and one_time["BillingAddress"]["Street1"] == "9 Elm"
    patched = await api.ok("PATCH", "/orders/Outgoing/o1/billto", {"City": "Shelbyville"}, token=token)
    assert (
        patched["BillingAddress"]["City"] == "Shelbyville" and patched["BillingAddress"]["Street1"] == "9 Elm"
    )
    incomplete = await api.put("/orders/Outgoing/o1/billto", {"City": "Nowhere"}, token=token)
    assert incomplete.status_code == 400
    via_patch = await api.ok("PATCH", "/orders/Outgoing/o1", {"BillingAddressID": "addr2"}, token=token)
    assert via_patch["BillingAddress"]["Street1"] == "2 Side St"
    unknown = await api.patch("/orders/Outgoing/o1", {"BillingAddressID": "nope"}, token=token)
    assert unknown.status_code == 404


async def test_shipto_goes_to_every_line_and_later_lines(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    token = await world.token("alice")
    await world.new_order(body={"ID": "o1"})
    first = await world.add_line("o1", "p1")
    order = await api.ok("PUT", "/orders/Outgoing/o1/shipto", {"ID": "addr1"}, token=token)
    assert order["ShippingAddressID"] == "addr1"
    line = await api.ok("GET", f"/orders/Outgoing/o1/lineitems/{first['ID']}", token=token)
    assert line["ShippingAddressID"] == "addr1" and line["ShippingAddress"]["Street1"] == "1 Main St"
    later = await world.add_line("o1", "p1")
    assert later["ShippingAddress"]["Street1"] == "1 Main St"
    refused = await api.patch("/orders/Outgoing/o1/shipto", {"City": "X"}, token=token)
    assert refused.status_code == 400 and error_code(refused) == "ShippingAddress.CannotPatchSetByID"
    await api.ok("PUT", "/orders/Outgoing/o1/shipto", {**ADDRESS, "Street1": "5 Oak"}, token=token)
    order = await api.ok("PATCH", "/orders/Outgoing/o1/shipto", {"City": "Ogdenville"}, token=token)
    assert order["ShippingAddressID"] is None
    lines = (await api.ok("GET", "/orders/Outgoing/o1/lineitems", token=token))["Items"]
    assert {(li["ShippingAddress"]["Street1"], li["ShippingAddress"]["City"]) for li in lines} == {
        ("5 Oak", "Ogdenville")
    }


async def test_patch_from_user_changes_only_name_and_email(world: World) -> None:
    await world.new_order(body={"ID": "o1"})
    token = await world.token("alice")
    order = await world.api.ok(
        "PATCH",
        "/orders/Outgoing/o1/fromuser",
        {"FirstName": "Al", "Email": "al@example.com", "Username": "hacker", "ID": "other"},
        token=token,
    )
    user = order["FromUser"]
    assert (user["FirstName"], user["LastName"], user["Email"]) == ("Al", "Tester", "al@example.com")
    assert user["Username"] == "alice" and user["ID"] == "alice" and order["FromUserID"] == "alice"


async def test_list_shows_submitted_only_by_default(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    for oid in ("o1", "o2", "o3"):
        await world.new_order(body={"ID": oid})
        await world.add_line(oid, "p1")
    await world.submit("o2")
    await world.submit("o3")
    reader = await world.token("alice", "Shopper OrderReader")

    async def ids(params: dict[str, str] | None = None, token: str = reader) -> list[str]:
        page = await api.ok("GET", "/orders/Outgoing", params=params, token=token)
        return [o["ID"] for o in page["Items"]]

    assert await ids() == ["o2", "o3"]
    assert await ids({"IsSubmitted": "false"}) == ["o1"]
    assert await ids({"Status": "Unsubmitted"}) == ["o1"]
    assert await ids({"Status": "Open"}) == ["o2", "o3"]
    assert await ids({"sortBy": "!ID"}) == ["o3", "o2"]
    mixed = await api.get("/orders/Outgoing", params={"Status": "Open|Unsubmitted"}, token=reader)
    assert mixed.status_code == 400 and error_code(mixed) == "Order.CannotMixSubmittedAndUnsubmitted"
    mixed2 = await api.get(
        "/orders/Outgoing", params={"IsSubmitted": "false", "Status": "Open"}, token=reader
    )
    assert error_code(mixed2) == "Order.CannotMixSubmittedAndUnsubmitted"
    assert await ids(token=await world.token("alice")) == ["o2", "o3"]  # Shopper alone: own orders
    no_role = await api.get("/orders/Outgoing", token=await world.token("alice", "MeAdmin"))
    assert no_role.status_code == 403 and error_code(no_role) == "Auth.InsufficientRoles"


async def test_list_from_to_buyer_and_search(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await world.new_order(body={"ID": "a1", "Comments": "blue widgets"})
    await world.add_line("a1", "p1")
    await world.submit("a1")
    await world.new_order("bob", body={"ID": "b1o"})
    await world.add_line("b1o", "p1", username="bob")
    await world.submit("b1o", username="bob")
    seller = await world.seller()
    page = await api.ok("GET", "/orders/Incoming", token=seller)
    assert {o["ID"] for o in page["Items"]} == {"a1", "b1o"}
    page = await api.ok("GET", "/orders/Incoming", params={"buyerID": "b2"}, token=seller)
    assert [o["ID"] for o in page["Items"]] == ["b1o"]
    page = await api.ok("GET", "/orders/Incoming", params={"search": "widgets"}, token=seller)
    assert [o["ID"] for o in page["Items"]] == ["a1"]
    page = await api.ok(
        "GET", "/orders/Incoming", params={"from": "2000-01-01", "to": "2999-01-01"}, token=seller
    )
    assert page["Meta"]["TotalCount"] == 2
    page = await api.ok("GET", "/orders/Incoming", params={"from": "2999-01-01T00:00:00Z"}, token=seller)
    assert page["Meta"]["TotalCount"] == 0
    bad = await api.get("/orders/Incoming", params={"from": "yesterday"}, token=seller)
    assert bad.status_code == 400
    page = await api.ok("GET", "/orders/Incoming", params={"FromUser.Username": "bob"}, token=seller)
    assert [o["ID"] for o in page["Items"]] == ["b1o"]
    page = await api.ok("GET", "/orders/Incoming", params={"Total": ">5"}, token=seller)
    assert page["Meta"]["TotalCount"] == 2


async def test_unsubmitted_incoming_orders_need_unsubmitted_order_reader(world: World) -> None:
    await world.new_order(body={"ID": "cart1"})
    api = world.api
    plain = await world.seller("OrderAdmin OrderReader")
    page = await api.ok("GET", "/orders/Incoming", params={"IsSubmitted": "false"}, token=plain)
    assert page["Meta"]["TotalCount"] == 0
    reader = await world.seller("OrderReader UnsubmittedOrderReader")
    page = await api.ok("GET", "/orders/Incoming", params={"IsSubmitted": "false"}, token=reader)
    assert [o["ID"] for o in page["Items"]] == ["cart1"]
    # A single unsubmitted order is reachable (the seller may build orders on a buyer's behalf).
    assert (await api.ok("GET", "/orders/Incoming/cart1", token=plain))["ID"] == "cart1"


async def test_me_orders_lists_orders_the_user_placed(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    for user, oid in (("alice", "a1"), ("alice", "a2"), ("carol", "c1")):
        await world.new_order(user, body={"ID": oid})
        await world.add_line(oid, "p1", username=user)
        await world.submit(oid, username=user)
    await world.new_order(body={"ID": "a3"})
    token = await world.token("alice")
    page = await api.ok("GET", "/me/orders", token=token)
    assert [o["ID"] for o in page["Items"]] == ["a1", "a2"]
    page = await api.ok("GET", "/me/orders", params={"Status": "Unsubmitted"}, token=token)
    assert [o["ID"] for o in page["Items"]] == ["a3"]
    page = await api.ok("GET", "/me/orders", params={"to": "2000-01-01"}, token=token)
    assert page["Meta"]["TotalCount"] == 0
    approvable = await api.ok("GET", "/me/orders/approvable", token=token)
    assert approvable["Items"] == [] and approvable["Meta"]["TotalCount"] == 0


async def test_submitted_order_keeps_its_addresses_but_takes_comments(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1")
    await world.submit("o1")
    token = await world.token("alice")
    for method, path, body in (
        ("PATCH", "/orders/Outgoing/o1", {"BillingAddressID": "addr1"}),
        ("PATCH", "/orders/Outgoing/o1", {"ShippingAddressID": "addr1"}),
        ("PUT", "/orders/Outgoing/o1/billto", {"ID": "addr1"}),
        ("PUT", "/orders/Outgoing/o1/shipto", {"ID": "addr1"}),
    ):
        r = await api.call(method, path, body, token=token)
        assert r.status_code == 400 and error_code(r) == "Order.CannotModifyBadStatus", path
    order = await api.ok("PATCH", "/orders/Outgoing/o1", {"Comments": "after", "xp": {"X": 1}}, token=token)
    assert order["Comments"] == "after" and order["Status"] == "Open" and order["BillingAddressID"] is None
