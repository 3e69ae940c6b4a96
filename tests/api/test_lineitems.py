"""Line items: pricing from the buyer's schedule, specs, variants, overrides, refusals, lists."""

from __future__ import annotations

from decimal import Decimal

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code


def money(value: object) -> Decimal:
    return Decimal(str(value))


async def test_add_line_snapshots_product_and_prices_it(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="12.50", supplier="s1")
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line("o1", "p1", 4, ID="L1", xp={"Gift": True}, CostCenter="cc")
    assert line["ID"] == "L1" and line["Quantity"] == 4
    assert money(line["UnitPrice"]) == Decimal("12.50") and money(line["LineSubtotal"]) == 50
    assert money(line["LineTotal"]) == 50 and line["PriceScheduleID"] == "ps-p1"
    assert line["SupplierID"] == "s1" and line["IsOnSale"] is False and line["PriceOverridden"] is False
    assert line["Product"]["Name"] == "Product p1" and line["Product"]["xp"] == {"Color": "red"}
    assert line["Product"]["DefaultSupplierID"] == "s1" and line["DateAdded"]
    assert line["xp"] == {"Gift": True} and line["CostCenter"] == "cc"
    order = await api.ok("GET", "/orders/Outgoing/o1", token=await world.token("alice"))
    assert order["LineItemCount"] == 1 and money(order["Subtotal"]) == 50 and money(order["Total"]) == 50
    dup = await api.post(
        "/orders/Outgoing/o1/lineitems", {"ID": "L1", "ProductID": "p1"}, token=await world.token("alice")
    )
    assert dup.status_code == 409


async def test_refusals_on_add(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    await cat.product(api, "p1")
    await cat.product(api, "unassigned", buyers=())
    await cat.product(api, "inactive", active=False)
    await cat.price_schedule(api, "ps-q", [(1, "5"), (10, "4")], min_quantity=2, max_quantity=20)
    await cat.product(api, "pq", schedule_id="ps-q")
    await cat.price_schedule(api, "ps-r", [(6, "5"), (12, "4")], restricted=True, min_quantity=None)
    await cat.product(api, "pr", schedule_id="ps-r")
    await world.new_order(body={"ID": "o1"})
    path = "/orders/Outgoing/o1/lineitems"

    async def code(body: dict[str, object]) -> tuple[int, str]:
        r = await api.post(path, body, token=token)
        return r.status_code, error_code(r)

    assert await code({"ProductID": "missing"}) == (404, "NotFound")
    assert await code({"ProductID": "unassigned"}) == (404, "NotFound")
    assert await code({"ProductID": "inactive"}) == (404, "NotFound")
    assert await code({"ProductID": "p1", "Quantity": 0}) == (400, "LineItem.QuantityMustBePositive")
    assert await code({"ProductID": "p1", "Quantity": -3}) == (400, "LineItem.QuantityMustBePositive")
    assert await code({"ProductID": "pq", "Quantity": 1}) == (400, "PriceSchedule.CannotBeLessThanMin")
    assert await code({"ProductID": "pq", "Quantity": 21}) == (400, "PriceSchedule.CannotExceedMax")
    assert await code({"ProductID": "pr", "Quantity": 7}) == (400, "PriceSchedule.QuantityNotAllowed")
    assert await code({"Quantity": 1}) == (400, "ValidationFailure")
    assert await code({"ProductID": "p1", "UnitPrice": 1}) == (403, "Auth.InsufficientRoles")
    assert await code({"ProductID": "p1", "InventoryRecordID": "nope"}) == (404, "NotFound")
    # Nothing was added by the refused calls.
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert order["LineItemCount"] == 0 and order["Subtotal"] == 0
    # Bob's buyer cannot buy a product assigned to b1 only.
    await cat.product(api, "b1only", buyers=("b1",))
    await world.new_order("bob", body={"ID": "ob"})
    r = await api.post(
        "/orders/Outgoing/ob/lineitems", {"ProductID": "b1only"}, token=await world.token("bob")
    )
    assert r.status_code == 404


async def test_patch_put_delete_keep_totals_right(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    await cat.price_schedule(api, "ps-b", [(1, "10"), (5, "8")])
    await cat.product(api, "p1", schedule_id="ps-b")
    await cat.product(api, "p2", price="3")
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line("o1", "p1", 2, ID="L1")
    await world.add_line("o1", "p2", 1, ID="L2")
    patched = await api.ok("PATCH", "/orders/Outgoing/o1/lineitems/L1", {"Quantity": 5}, token=token)
    assert money(patched["UnitPrice"]) == 8 and money(patched["LineSubtotal"]) == 40
    assert patched["DateAdded"] == line["DateAdded"]
    change = await api.patch("/orders/Outgoing/o1/lineitems/L1", {"ProductID": "p2"}, token=token)
    assert change.status_code == 400 and error_code(change) == "LineItem.CannotChangeProductID"
    # The SDK's Save sends the fetched line back, UnitPrice included: that is not an override.
    fetched = await api.ok("GET", "/orders/Outgoing/o1/lineitems/L1", token=token)
    saved = await api.ok("PUT", "/orders/Outgoing/o1/lineitems/L1", {**fetched, "Quantity": 1}, token=token)
    assert money(saved["UnitPrice"]) == 10 and saved["PriceOverridden"] is False
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert money(order["Subtotal"]) == 13 and order["LineItemCount"] == 2
    await api.ok("DELETE", "/orders/Outgoing/o1/lineitems/L2", token=token)
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert money(order["Subtotal"]) == 10 and order["LineItemCount"] == 1
    assert (await api.delete("/orders/Outgoing/o1/lineitems/L2", token=token)).status_code == 404
    assert (
        await api.patch("/orders/Outgoing/o1/lineitems/L2", {"Quantity": 1}, token=token)
    ).status_code == 404
    created = await api.ok(
        "PUT", "/orders/Outgoing/o1/lineitems/L9", {"ProductID": "p2", "Quantity": 2}, token=token
    )
    assert created["ID"] == "L9" and money(created["LineSubtotal"]) == 6


async def test_a_changed_schedule_prices_the_next_change(world: World) -> None:
    # Parsed schedules are reused while the stored schedule is unchanged
    # (app.services.pricing.parsed_schedule): each kind of change must show at once.
    api = world.api
    token = await world.token("alice")
    await cat.price_schedule(api, "ps-c", [(1, "10")])
    await cat.product(api, "p1", schedule_id="ps-c")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 1, ID="L1")

    async def unit_price(quantity: int) -> Decimal:
        path = "/orders/Outgoing/o1/lineitems/L1"
        return money((await api.ok("PATCH", path, {"Quantity": quantity}, token=token))["UnitPrice"])

    assert await unit_price(2) == 10
    await api.ok("PATCH", "/priceschedules/ps-c", {"PriceBreaks": [{"Quantity": 1, "Price": 7}]})
    assert await unit_price(3) == 7
    await api.ok("POST", "/priceschedules/ps-c/PriceBreaks", {"Quantity": 1, "Price": "6.5"})
    assert await unit_price(2) == Decimal("6.5")
    await api.ok("POST", "/priceschedules/ps-c/PriceBreaks", {"Quantity": 3, "Price": 6})
    assert await unit_price(3) == 6
    # Deleted and created again under the same ID: the row starts over at version 1.
    await api.ok("DELETE", "/priceschedules/ps-c")
    await cat.price_schedule(api, "ps-c", [(1, "4")])
    await api.ok("PATCH", "/products/p1", {"DefaultPriceScheduleID": "ps-c"})
    assert await unit_price(2) == 4


async def test_unit_price_override_needs_role_and_sticks(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="10")
    await world.new_order(body={"ID": "o1"})
    override = await world.token("alice", "Shopper OverrideUnitPrice")
    line = await api.ok(
        "POST",
        "/orders/Outgoing/o1/lineitems",
        {"ProductID": "p1", "Quantity": 3, "UnitPrice": "7.25"},
        token=override,
    )
    assert line["PriceOverridden"] is True and money(line["UnitPrice"]) == Decimal("7.25")
    assert money(line["LineSubtotal"]) == Decimal("21.75")
    # A later quantity change by a plain shopper keeps the overridden price.
    shopper = await world.token("alice")
    patched = await api.ok(
        "PATCH", f"/orders/Outgoing/o1/lineitems/{line['ID']}", {"Quantity": 4}, token=shopper
    )
    assert money(patched["UnitPrice"]) == Decimal("7.25") and money(patched["LineSubtotal"]) == 29
    refused = await api.patch(f"/orders/Outgoing/o1/lineitems/{line['ID']}", {"UnitPrice": 1}, token=shopper)
    assert refused.status_code == 403


async def test_specs_markups_from_options_both_storage_shapes(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="50")
    await cat.spec(
        api,
        "size",
        [
            {
                "ID": "L",
                "Value": "Large",
                "PriceMarkupType": "AmountPerQuantity",
                "PriceMarkup": Decimal("2"),
            },
            {"ID": "S", "Value": "Small", "PriceMarkupType": "NoMarkup", "PriceMarkup": None},
        ],
    )
    await cat.spec(
        api,
        "engrave",
        [{"ID": "yes", "Value": "Yes", "PriceMarkupType": "AmountTotal", "PriceMarkup": Decimal("10")}],
        embedded=True,
    )
    await cat.spec(
        api, "pct", [{"ID": "p10", "Value": "Ten", "PriceMarkupType": "Percentage", "PriceMarkup": 10}]
    )
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line(
        "o1",
        "p1",
        10,
        Specs=[
            {"SpecID": "size", "OptionID": "L"},
            {"SpecID": "engrave", "OptionID": "yes", "PriceMarkup": 999},
        ],
    )
    # (50 + 2) * 10 + 10 = 530; the caller's PriceMarkup is ignored.
    assert money(line["LineSubtotal"]) == 530 and money(line["UnitPrice"]) == 53
    size = next(s for s in line["Specs"] if s["SpecID"] == "size")
    assert size == {
        "SpecID": "size",
        "Name": "Spec size",
        "OptionID": "L",
        "Value": "Large",
        "PriceMarkupType": "AmountPerQuantity",
        "PriceMarkup": 2,
    }
    pct = await world.add_line("o1", "p1", 10, Specs=[{"SpecID": "pct", "OptionID": "p10"}])
    assert money(pct["LineSubtotal"]) == 550
    token = await world.token("alice")
    bad = await api.post(
        "/orders/Outgoing/o1/lineitems",
        {"ProductID": "p1", "Specs": [{"SpecID": "size", "OptionID": "XL"}]},
        token=token,
    )
    assert bad.status_code == 404
    bad = await api.post(
        "/orders/Outgoing/o1/lineitems", {"ProductID": "p1", "Specs": [{"SpecID": "nope"}]}, token=token
    )
    assert bad.status_code == 404


async def test_variant_snapshot_from_chosen_options(world: World) -> None:
    api = world.api
    await cat.product(api, "shirt", price="20", variant_count=2)
    await cat.spec(api, "color", [{"ID": "red", "Value": "Red"}, {"ID": "blue", "Value": "Blue"}])
    await cat.variant(api, "shirt", "shirt-red", [("color", "red")])
    await cat.variant(api, "shirt", "shirt-blue", [("color", "blue")])
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line("o1", "shirt", 1, Specs=[{"SpecID": "color", "OptionID": "blue"}])
    assert line["Variant"]["ID"] == "shirt-blue" and line["Variant"]["Name"] == "Variant shirt-blue"
    r = await api.post(
        "/orders/Outgoing/o1/lineitems", {"ProductID": "shirt"}, token=await world.token("alice")
    )
    assert r.status_code == 400 and error_code(r) == "LineItem.VariantNotFound"


async def test_cumulative_quantity_reprices_every_line_of_the_product(world: World) -> None:
    api = world.api
    await cat.price_schedule(api, "ps-c", [(1, "10"), (5, "7")], cumulative=True, max_quantity=8)
    await cat.product(api, "p1", schedule_id="ps-c")
    await world.new_order(body={"ID": "o1"})
    first = await world.add_line("o1", "p1", 3, ID="A")
    assert money(first["UnitPrice"]) == 10
    second = await world.add_line("o1", "p1", 2, ID="B")
    assert money(second["UnitPrice"]) == 7
    token = await world.token("alice")
    a = await api.ok("GET", "/orders/Outgoing/o1/lineitems/A", token=token)
    assert money(a["UnitPrice"]) == 7 and money(a["LineSubtotal"]) == 21
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert money(order["Subtotal"]) == 35
    too_many = await api.post(
        "/orders/Outgoing/o1/lineitems", {"ProductID": "p1", "Quantity": 4}, token=token
    )
    assert too_many.status_code == 400 and error_code(too_many) == "PriceSchedule.CumulativeCannotExceedMax"
    await api.ok("DELETE", "/orders/Outgoing/o1/lineitems/B", token=token)
    a = await api.ok("GET", "/orders/Outgoing/o1/lineitems/A", token=token)
    assert money(a["UnitPrice"]) == 10
    assert money((await api.ok("GET", "/orders/Outgoing/o1", token=token))["Subtotal"]) == 30


async def test_group_price_schedule_wins(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="10", buyers=())
    await cat.price_schedule(api, "ps-vip", [(1, "6")])
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "vip", "Name": "VIP"})
    await cat.insert(
        api, "usergroupassignment", {"ID": "vip:alice", "UserGroupID": "vip", "UserID": "alice"}, "b1"
    )
    await cat.assign(api, "p1", "b1")
    await cat.assign(api, "p1", "b1", group_id="vip", schedule_id="ps-vip")
    await world.new_order(body={"ID": "a"})
    await world.new_order("carol", body={"ID": "c"})
    assert money((await world.add_line("a", "p1"))["UnitPrice"]) == 6
    assert money((await world.add_line("c", "p1", username="carol"))["UnitPrice"]) == 10


async def test_lines_only_on_unsubmitted_orders(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line("o1", "p1")
    await world.submit("o1")
    token = await world.token("alice")
    for method, path, body in (
        ("POST", "/orders/Outgoing/o1/lineitems", {"ProductID": "p1"}),
        ("PATCH", f"/orders/Outgoing/o1/lineitems/{line['ID']}", {"Quantity": 2}),
        ("DELETE", f"/orders/Outgoing/o1/lineitems/{line['ID']}", None),
    ):
        r = await api.call(method, path, body, token=token)
        assert r.status_code == 400 and error_code(r) == "Order.CannotModifyBadStatus", (method, r.text)


async def test_line_shipto_put_and_patch(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    token = await world.token("alice")
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line("o1", "p1", ID="L1")
    missing = await api.patch("/orders/Outgoing/o1/lineitems/L1/shipto", {"City": "X"}, token=token)
    assert (
        missing.status_code == 400 and error_code(missing) == "LineItem.CannotPatchShippingAddressIfMissing"
    )
    set_ = await api.ok("PUT", "/orders/Outgoing/o1/lineitems/L1/shipto", {"ID": "addr1"}, token=token)
    assert set_["ShippingAddressID"] == "addr1" and set_["ID"] == line["ID"]
    assert (await api.ok("GET", "/orders/Outgoing/o1", token=token))["ShippingAddressID"] == "addr1"
    await api.ok(
        "PUT",
        "/orders/Outgoing/o1/lineitems/L1/shipto",
        {"Street1": "7 Pine", "City": "Capital City", "State": "IL", "Zip": "11111", "Country": "US"},
        token=token,
    )
    patched = await api.ok("PATCH", "/orders/Outgoing/o1/lineitems/L1/shipto", {"Zip": "99999"}, token=token)
    assert patched["ShippingAddress"]["Zip"] == "99999" and patched["ShippingAddress"]["Street1"] == "7 Pine"
    assert (await api.ok("GET", "/orders/Outgoing/o1", token=token))["ShippingAddressID"] is None


async def test_list_lines_and_list_across_orders_with_order_filters(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await cat.product(api, "p2")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", ID="a")
    await world.add_line("o1", "p2", ID="b")
    await world.submit("o1")
    await world.new_order("bob", body={"ID": "o2"})
    await world.add_line("o2", "p1", username="bob", ID="c")
    token = await world.token("alice")
    page = await api.ok("GET", "/orders/Outgoing/o1/lineitems", params={"ProductID": "p2"}, token=token)
    assert [li["ID"] for li in page["Items"]] == ["b"]
    seller = await world.seller()
    page = await api.ok("GET", "/lineitems/Incoming", token=seller)
    assert {(li["OrderID"], li["ID"]) for li in page["Items"]} == {("o1", "a"), ("o1", "b")}
    assert all(li["Order"] is None for li in page["Items"])
    full = await world.seller("OrderReader UnsubmittedOrderReader")
    page = await api.ok("GET", "/lineitems/Incoming", params={"ProductID": "p1"}, token=full)
    assert {(li["OrderID"], li["ID"]) for li in page["Items"]} == {("o1", "a"), ("o2", "c")}
    page = await api.ok("GET", "/lineitems/All", params={"Order.DateSubmitted": ">=2000-01-01"}, token=full)
    assert {li["ID"] for li in page["Items"]} == {"a", "b"}
    page = await api.ok("GET", "/lineitems/All", params={"Order.FromCompanyID": "b2"}, token=full)
    assert [li["ID"] for li in page["Items"]] == ["c"]
    page = await api.ok("GET", "/lineitems/All", params={"OrderID": "o1", "sortBy": "!ID"}, token=full)
    assert [li["ID"] for li in page["Items"]] == ["b", "a"]
    reader = await world.token("alice", "OrderReader")
    page = await api.ok("GET", "/lineitems/Outgoing", token=reader)
    assert {li["ID"] for li in page["Items"]} == {"a", "b"}
    bad = await api.get("/lineitems/All", params={"Order.Nope": "1"}, token=full)
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidProperty"
