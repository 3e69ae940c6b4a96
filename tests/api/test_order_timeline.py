"""The order timeline (`/orders/{direction}/{orderID}/activities`) and Archived orders: what each
change leaves on the order, notes, who sees what, list options, and archiving."""

from __future__ import annotations

from typing import Any

from app.store.repo import Docs
from app.webhooks import store as outbox_store
from tests.api import fulfilment_fixtures as ff
from tests.api.order_fixtures import World
from tests.api.return_fixtures import RETURNS, catalog
from tests.helpers import error_code


async def timeline(
    world: World, order_id: str, token: str, direction: str = "Outgoing", **params: Any
) -> Any:
    return await world.api.ok("GET", f"/orders/{direction}/{order_id}/activities", params=params, token=token)


def types(page: dict[str, Any]) -> list[str]:
    return [entry["Type"] for entry in page["Items"]]


async def test_an_orders_life_leaves_one_entry_per_change(world: World) -> None:
    api = world.api
    await catalog(world)
    alice = await world.token("alice")
    seller = await world.token("seller", "OrderAdmin OrderReader ShipmentAdmin")
    await world.new_order(body={"ID": "o1", "ShippingAddressID": "addr1"})
    await world.add_line("o1", "plain", 2, ID="l1")
    await world.add_line("o1", "pb", 1, ID="l2")
    await api.ok("PATCH", "/orders/Outgoing/o1/lineitems/l1", {"Quantity": 3}, token=alice)
    await api.ok("DELETE", "/orders/Outgoing/o1/lineitems/l2", token=alice)
    await api.ok("POST", "/orders/Outgoing/o1/payments", {"Type": "PurchaseOrder"}, token=alice)
    await world.submit("o1")
    await api.ok("POST", "/orders/Incoming/o1/ship", {}, token=seller, status=201)
    ret = {"OrderID": "o1", "ItemsToReturn": [{"LineItemID": "l1", "Quantity": 1}], "ID": "r1"}
    await api.ok("POST", RETURNS, ret, token=alice)
    await api.ok("POST", f"{RETURNS}/r1/submit", token=alice)
    await api.ok("POST", f"{RETURNS}/r1/complete", token=seller)

    page = await timeline(world, "o1", alice)
    assert types(page) == [
        "Created",
        "LineAdded",
        "LineAdded",
        "LineChanged",
        "LineRemoved",
        "PaymentRecorded",
        "Submitted",
        "Shipped",
        "Completed",
        "ReturnOpened",
        "ReturnSubmitted",
        "Refunded",
        "ReturnCompleted",
    ]
    entries = page["Items"]
    assert page["Meta"]["TotalCount"] == 13
    assert all(e["OrderID"] == "o1" and e["Date"] for e in entries)
    created, changed = entries[0], entries[3]
    assert (created["ActorUserID"], created["ActorType"], created["ActorCompanyID"]) == (
        "alice",
        "Buyer",
        "b1",
    )
    assert changed["Data"] == {"LineItemID": "l1", "ProductID": "plain", "Quantity": 3}
    assert entries[6]["Data"] == {"From": "Unsubmitted", "To": "Open"}
    shipped = entries[7]
    assert (
        shipped["ActorType"] == "Seller"
        and shipped["ActorUserID"] == "seller"
        and shipped["Data"]["ShipmentID"]
    )
    # The last shipment completed the order: nobody asked for that, the shipments did.
    assert entries[8]["ActorType"] == "System" and entries[8]["ActorUserID"] is None
    assert entries[11]["Data"]["OrderReturnID"] == "r1" and entries[11]["Data"]["Amount"] == -12.35
    # The seller reads the same timeline from its side.
    assert types(await timeline(world, "o1", seller, "Incoming")) == types(page)


async def test_status_changes_by_approval_cancel_and_decline(world: World) -> None:
    api = world.api
    await catalog(world)
    seller = await world.seller()
    for order_id in ("c1", "c2"):
        await world.new_order(body={"ID": order_id})
        await world.add_line(order_id, "plain", 1)
    await world.submit("c1")
    await api.ok("POST", "/orders/Incoming/c1/cancel", token=seller)
    await api.ok("POST", "/orders/Outgoing/c2/cancel", token=await world.token("alice"))
    c1 = await timeline(world, "c1", seller, "Incoming")
    assert types(c1)[-2:] == ["Submitted", "Canceled"]
    assert c1["Items"][-1]["Data"] == {"From": "Open", "To": "Canceled"}
    assert c1["Items"][-1]["ActorType"] == "Seller"
    c2 = await timeline(world, "c2", await world.token("alice"))
    assert types(c2)[-1] == "Canceled" and c2["Items"][-1]["ActorUserID"] == "alice"


async def test_notes_by_buyer_and_seller_and_who_reads_them(world: World) -> None:
    api = world.api
    await catalog(world)
    alice, carol, bob = [await world.token(u) for u in ("alice", "carol", "bob")]
    seller = await world.seller()
    await world.new_order(body={"ID": "o1"})
    mine = await api.ok("POST", "/orders/Outgoing/o1/activities", {"Text": "Leave at the door"}, token=alice)
    assert mine["Type"] == "Note" and mine["Text"] == "Leave at the door" and mine["ActorUserID"] == "alice"
    assert mine["OrderID"] == "o1"
    theirs = await api.ok("POST", "/orders/Incoming/o1/activities", {"Text": "Will do"}, token=seller)
    assert theirs["ActorType"] == "Seller"

    notes = await timeline(world, "o1", alice, Type="Note")
    assert [n["Text"] for n in notes["Items"]] == ["Leave at the door", "Will do"]
    newest = await timeline(world, "o1", alice, Type="Note", sortBy="!Date,!ID", pageSize=1)
    assert [n["Text"] for n in newest["Items"]] == ["Will do"]
    assert newest["Meta"]["TotalCount"] == 2 and newest["Meta"]["TotalPages"] == 2
    found = await timeline(world, "o1", alice, search="door")
    assert [n["ID"] for n in found["Items"]] == [mine["ID"]]
    by_seller = await timeline(world, "o1", alice, ActorType="Seller")
    assert [n["ID"] for n in by_seller["Items"]] == [theirs["ID"]]

    # Another shopper of the buyer, and another buyer, do not see the order: 404, as for the order.
    for token in (carol, bob):
        hidden = await api.get("/orders/Outgoing/o1/activities", token=token)
        assert hidden.status_code == 404 and error_code(hidden) == "NotFound"
        refused = await api.post("/orders/Outgoing/o1/activities", {"Text": "x"}, token=token)
        assert refused.status_code == 404
    # A buyer OrderReader reads the timeline but writes no note.
    reader = await world.token("b1admin", "OrderReader")
    assert len((await timeline(world, "o1", reader))["Items"]) == 3
    assert (await api.post("/orders/Outgoing/o1/activities", {"Text": "x"}, token=reader)).status_code == 403

    for body in ({}, {"Text": ""}, {"Text": "x" * 2001}, {"Text": 5}, None):
        bad = await api.post("/orders/Outgoing/o1/activities", body, token=alice)
        assert bad.status_code == 400, body
    bad_filter = await api.get("/orders/Outgoing/o1/activities", params={"Nope": "1"}, token=alice)
    assert bad_filter.status_code == 400


async def test_entries_are_written_with_the_change_or_not_at_all(world: World) -> None:
    api = world.api
    await catalog(world)
    await world.new_order(body={"ID": "o1"})
    # Submitting an order without lines is refused: no Submitted entry is left behind.
    refused = await api.post("/orders/Outgoing/o1/submit", token=await world.token("alice"))
    assert refused.status_code == 400
    assert types(await timeline(world, "o1", await world.token("alice"))) == ["Created"]
    # Deleting the cart takes its timeline with it; renaming the order moves it along.
    await world.add_line("o1", "plain", 1)
    await api.ok("PATCH", "/orders/Outgoing/o1", {"ID": "o2"}, token=await world.token("alice"))
    moved = await timeline(world, "o2", await world.token("alice"))
    assert types(moved) == ["Created", "LineAdded"] and {e["OrderID"] for e in moved["Items"]} == {"o2"}
    await api.ok("DELETE", "/orders/Outgoing/o2", token=await world.token("alice"))
    async with api.services.db.reader() as conn:
        assert await Docs(conn).count("orderactivity", scope="o2") == 0


async def test_forwarding_is_on_the_sellers_timeline_only(world: World) -> None:
    await ff.setup_market(world)
    await ff.buyer_order(world)
    await ff.forward(world)
    seller = await ff.seller(world)
    entries = (await timeline(world, "o1", seller, "Incoming"))["Items"]
    forwarded = [e for e in entries if e["Type"] == "Forwarded"]
    assert len(forwarded) == 1 and len(forwarded[0]["Data"]["OutgoingOrderIDs"]) == 2
    assert forwarded[0]["Data"]["Submitted"] is True
    assert "Forwarded" not in types(await timeline(world, "o1", await world.token("alice")))
    # The supplier's forwarded order starts its own timeline.
    sam = await ff.supplier_token(world, "sam", "s1")
    [outgoing] = (await world.api.ok("GET", "/orders/Incoming", token=sam))["Items"]
    assert outgoing["ID"] in forwarded[0]["Data"]["OutgoingOrderIDs"]
    theirs = await timeline(world, outgoing["ID"], sam, "Incoming")
    assert types(theirs)[0] == "Created" and theirs["Items"][0]["Data"] == {"Status": "Open"}


async def test_archived_orders_leave_default_lists_and_stay_readable(world: World) -> None:
    api = world.api
    await catalog(world)
    alice = await world.token("alice")
    seller = await world.seller()
    for order_id in ("o1", "o2"):
        await world.new_order(body={"ID": order_id})
        await world.add_line(order_id, "plain", 1)
        await world.submit(order_id)

    def ids(page: dict[str, Any]) -> list[str]:
        return [o["ID"] for o in page["Items"]]

    archived = await api.ok("POST", "/orders/Incoming/o1/archive", token=seller, status=200)
    assert archived["ID"] == "o1" and archived["Archived"] is True and archived["Status"] == "Open"
    assert ids(await api.ok("GET", "/orders/Incoming", token=seller)) == ["o2"]
    assert ids(await api.ok("GET", "/orders/Incoming", params={"Archived": "true"}, token=seller)) == ["o1"]
    assert ids(await api.ok("GET", "/orders/Incoming", params={"Archived": "false"}, token=seller)) == ["o2"]
    both = await api.ok("GET", "/orders/Incoming", params={"Archived": "true|false"}, token=seller)
    assert ids(both) == ["o1", "o2"]
    assert (await api.ok("GET", "/orders/Incoming/o1", token=seller))["Archived"] is True
    # The buyer's company list hides it too; the buyer user's own list (/me/orders) does not.
    assert ids(await api.ok("GET", "/orders/Outgoing", token=alice)) == ["o2"]
    assert ids(await api.ok("GET", "/me/orders", token=alice)) == ["o1", "o2"]
    assert ids(await api.ok("GET", "/me/orders", params={"Archived": "true"}, token=alice)) == ["o1"]
    assert (await api.ok("GET", "/orders/Outgoing/o1", token=alice))["Archived"] is True

    # Only the company receiving the order archives it.
    buyer_admin = await world.token("b1admin", "OrderAdmin")
    refused = await api.post("/orders/Outgoing/o2/archive", token=buyer_admin)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"
    no_role = await api.post("/orders/Incoming/o2/archive", token=await world.seller("OrderReader"))
    assert no_role.status_code == 403
    bad = await api.get("/orders/Incoming", params={"Archived": "maybe"}, token=seller)
    assert bad.status_code == 400 and error_code(bad) == "ValidationFailure"

    # Archiving twice changes nothing; unarchiving brings the order back.
    await api.ok("POST", "/orders/Incoming/o1/archive", token=seller, status=200)
    back = await api.ok("POST", "/orders/Incoming/o1/unarchive", token=seller, status=200)
    assert back["Archived"] is False
    assert ids(await api.ok("GET", "/orders/Incoming", token=seller)) == ["o1", "o2"]
    assert types(await timeline(world, "o1", seller, "Incoming"))[-2:] == ["Archived", "Unarchived"]


async def test_no_subscription_no_outbox_rows(world: World) -> None:
    """Events are only written for subscriptions that want them."""
    await catalog(world)
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "plain", 1)
    await world.submit("o1")
    async with world.api.services.db.reader() as conn:
        rows, total = await outbox_store.page(conn, "evs:none", page=1, page_size=10, status=None)
    assert rows == [] and total == 0
