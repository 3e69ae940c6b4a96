"""Submit, validate, cancel and complete: refusals in OrderCloud's order, inventory taken and
returned, and a refused transition changing nothing."""

from __future__ import annotations

from typing import Any

from app.store.repo import Docs
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code


async def stock_of(world: World, product_id: str) -> Any:
    return (await cat.read(world.api, "product", product_id))["Inventory"]["QuantityAvailable"]


async def test_submit_opens_order_and_takes_product_inventory(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", inventory=cat.inventory(10))
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 3)
    await world.add_line("o1", "p1", 2)
    token = await world.token("alice")
    assert (await api.post("/orders/Outgoing/o1/validate", token=token)).status_code == 204
    order = await world.submit("o1")
    assert order["Status"] == "Open" and order["IsSubmitted"] is True and order["DateSubmitted"]
    assert "_Reserved" not in order
    assert await stock_of(world, "p1") == 5
    again = await api.post("/orders/Outgoing/o1/submit", token=token)
    assert again.status_code == 400 and error_code(again) == "Order.CannotSubmitBadStatus"
    invalid = await api.post("/orders/Outgoing/o1/validate", token=token)
    assert error_code(invalid) == "Order.CannotSubmitBadStatus"
    assert await stock_of(world, "p1") == 5


async def test_submit_refusals_in_order(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    await cat.product(api, "p1", inventory=cat.inventory(1))
    await cat.product(api, "p2")
    await world.new_order(body={"ID": "o1"})

    async def refusal() -> str:
        validate = await api.post("/orders/Outgoing/o1/validate", token=token)
        submit = await api.post("/orders/Outgoing/o1/submit", token=token)
        assert validate.status_code == submit.status_code == 400, submit.text
        assert error_code(validate) == error_code(submit)
        return error_code(submit)

    assert await refusal() == "Order.CannotSubmitWithNoLineItems"
    await world.add_line("o1", "p1", 2)
    await world.add_line("o1", "p2", 1)
    p2 = await cat.read(api, "product", "p2")
    await cat.replace(api, "product", {**p2, "Active": False})
    p1 = await cat.read(api, "product", "p1")
    async with api.services.db.transaction() as conn:
        await Docs(conn).delete("product", "p1")
    assert await refusal() == "Order.ProductsNotFound"
    await cat.insert(api, "product", p1)
    assert await refusal() == "Order.CannotSubmitWithInactiveProduct"
    await cat.replace(api, "product", {**p2, "Active": True})
    payment = await api.ok("POST", "/orders/Outgoing/o1/payments", {"Type": "CreditCard"}, token=token)
    assert await refusal() == "Order.CannotSubmitWithUnaccceptedPayments"
    admin = await world.token("alice", "Shopper OrderAdmin")
    await api.ok("PATCH", f"/orders/Outgoing/o1/payments/{payment['ID']}", {"Accepted": True}, token=admin)
    assert await refusal() == "Inventory.Insufficient"
    order = await api.ok("GET", "/orders/Outgoing/o1", token=token)
    assert order["Status"] == "Unsubmitted" and order["DateSubmitted"] is None
    assert await stock_of(world, "p1") == 1
    await api.ok(
        "PATCH",
        "/orders/Outgoing/o1/lineitems/" + (await _line_id(world, "o1", "p1")),
        {"Quantity": 1},
        token=token,
    )
    assert (await world.submit("o1"))["Status"] == "Open"
    assert await stock_of(world, "p1") == 0


async def _line_id(world: World, order_id: str, product_id: str) -> str:
    page = await world.api.ok(
        "GET",
        f"/orders/Outgoing/{order_id}/lineitems",
        params={"ProductID": product_id},
        token=await world.token("alice"),
    )
    return str(page["Items"][0]["ID"])


async def test_unassigned_product_is_not_found_at_submit(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1")
    async with api.services.db.transaction() as conn:
        await Docs(conn).delete_where("productassignment")
    r = await api.post("/orders/Outgoing/o1/submit", token=await world.token("alice"))
    assert error_code(r) == "Order.ProductsNotFound"


async def test_variant_and_inventory_record_stock(world: World) -> None:
    api = world.api
    await cat.product(api, "shirt", inventory=cat.inventory(100, variant_level=True), variant_count=1)
    await cat.spec(api, "color", [{"ID": "red", "Value": "Red"}])
    await cat.variant(api, "shirt", "shirt-red", [("color", "red")], stock=2)
    await cat.product(api, "bolt", inventory=cat.inventory(100))
    await cat.inventory_record(api, "bolt", "wh-east", 4)
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "shirt", 2, Specs=[{"SpecID": "color", "OptionID": "red"}])
    await world.add_line("o1", "bolt", 3, InventoryRecordID="wh-east")
    await world.submit("o1")
    assert (await cat.read(api, "variant", "shirt-red", "shirt"))["Inventory"]["QuantityAvailable"] == 0
    assert (await cat.read(api, "inventoryrecord", "wh-east", "bolt"))["QuantityAvailable"] == 1
    assert await stock_of(world, "shirt") == 100 and await stock_of(world, "bolt") == 100
    await world.new_order(body={"ID": "o2"})
    await world.add_line("o2", "bolt", 2, InventoryRecordID="wh-east")
    r = await api.post("/orders/Outgoing/o2/submit", token=await world.token("alice"))
    assert error_code(r) == "Inventory.Insufficient"
    # The seller cancels the open order: both stock buckets get their units back.
    await api.ok("POST", "/orders/Incoming/o1/cancel", token=await world.seller())
    assert (await cat.read(api, "variant", "shirt-red", "shirt"))["Inventory"]["QuantityAvailable"] == 2
    assert (await cat.read(api, "inventoryrecord", "wh-east", "bolt"))["QuantityAvailable"] == 4


async def test_order_can_exceed_and_untracked_stock(world: World) -> None:
    api = world.api
    await cat.product(api, "back", inventory=cat.inventory(1, can_exceed=True))
    await cat.product(api, "free")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "back", 3)
    await world.add_line("o1", "free", 50)
    await world.submit("o1")
    assert await stock_of(world, "back") == -2


async def test_cancel_rules(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", inventory=cat.inventory(5))
    token = await world.token("alice")
    await world.new_order(body={"ID": "cart"})
    canceled = await api.ok("POST", "/orders/Outgoing/cart/cancel", token=token)
    assert canceled["Status"] == "Canceled" and canceled["DateCanceled"]
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 2)
    await world.submit("o1")
    buyer_cancel = await api.post("/orders/Outgoing/o1/cancel", token=token)
    assert buyer_cancel.status_code == 400 and error_code(buyer_cancel) == "Order.CannotCancelInCurrentStatus"
    assert (await api.ok("GET", "/orders/Outgoing/o1", token=token))["Status"] == "Open"
    assert await stock_of(world, "p1") == 3
    # The buyer's own OrderAdmin is not the receiving side: still refused.
    buyer_admin = await world.token("b1admin", "OrderAdmin")
    assert error_code(await api.post("/orders/Outgoing/o1/cancel", token=buyer_admin)) == (
        "Order.CannotCancelInCurrentStatus"
    )
    seller = await world.seller("OrderAdmin")
    order = await api.ok("POST", "/orders/Incoming/o1/cancel", token=seller)
    assert order["Status"] == "Canceled"
    assert await stock_of(world, "p1") == 5
    again = await api.post("/orders/Incoming/o1/cancel", token=seller)
    assert error_code(again) == "Order.CannotCancelInCurrentStatus"
    assert await stock_of(world, "p1") == 5


async def test_complete_only_open_and_only_order_admin(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1")
    seller = await world.seller("OrderAdmin")
    early = await api.post("/orders/Incoming/o1/complete", token=seller)
    assert error_code(early) == "Order.CannotCompleteBadStatus"
    await world.submit("o1")
    shopper = await api.post("/orders/Outgoing/o1/complete", token=await world.token("alice"))
    assert shopper.status_code == 403
    done = await api.ok("POST", "/orders/Incoming/o1/complete", token=seller)
    assert done["Status"] == "Completed" and done["DateCompleted"]
    late_cancel = await api.post("/orders/Incoming/o1/cancel", token=seller)
    assert error_code(late_cancel) == "Order.CannotCancelInCurrentStatus"


async def test_seller_submits_order_built_on_behalf(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="4")
    seller = await world.seller("OrderAdmin")
    await api.ok(
        "POST", "/orders/Incoming", {"ID": "ob", "FromUserID": "bob", "FromCompanyID": "b2"}, token=seller
    )
    line = await api.ok(
        "POST", "/orders/Incoming/ob/lineitems", {"ProductID": "p1", "Quantity": 2}, token=seller
    )
    assert line["UnitPrice"] == 4
    order = await api.ok("POST", "/orders/Incoming/ob/submit", token=seller)
    assert order["Status"] == "Open" and order["FromUserID"] == "bob" and order["Total"] == 8


async def test_a_cart_canceled_before_submit_never_reaches_the_seller(world: World) -> None:
    api = world.api
    order = await world.new_order()
    await api.ok("POST", f"/orders/Outgoing/{order['ID']}/cancel", token=await world.token("alice"))
    seller = await world.seller("OrderAdmin OrderReader UnsubmittedOrderReader")
    submitted = await api.ok("GET", "/orders/Incoming", token=seller)
    assert order["ID"] not in [o["ID"] for o in submitted["Items"]]
    unsubmitted = await api.ok("GET", "/orders/Incoming", params={"IsSubmitted": "false"}, token=seller)
    assert [o["Status"] for o in unsubmitted["Items"] if o["ID"] == order["ID"]] == ["Canceled"]
