"""Product collections: a buyer user's saved lists of products, and who else may read them."""

from __future__ import annotations

from typing import Any

from app.services import product_collections
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

MINE = "/me/productcollections"


def ids(page: dict[str, Any]) -> list[str]:
    return [item["ID"] for item in page["Items"]]


async def test_a_user_keeps_lists_of_products_it_sees(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="5", buyers=("b1",))
    await cat.product(api, "p2", price="7", buyers=("b1",))
    await cat.product(api, "elsewhere", buyers=("b2",))
    alice = await world.token("alice")
    made = await api.ok("POST", MINE, {"ID": "wish", "Name": "Wish list"}, token=alice)
    assert made == {"ID": "wish", "Name": "Wish list", "xp": None, "AccessLevel": "Private"}
    generated = await api.ok("POST", MINE, {"Name": "Later"}, token=alice)
    assert generated["ID"] and generated["AccessLevel"] == "Private"
    assert ids(await api.ok("GET", MINE, token=alice)) == [generated["ID"], "wish"]  # by Name
    assert (await api.post(MINE, {"Name": "x", "AccessLevel": "Everyone"}, token=alice)).status_code == 400

    await api.ok("PUT", f"{MINE}/wish/p2", token=alice, status=204)
    body = {"ProductID": "p1", "ListOrder": 1}
    await api.ok("POST", f"{MINE}/wish/products", body, token=alice, status=204)
    page = await api.ok("GET", f"{MINE}/wish/products", token=alice)
    # Entries are BuyerProducts with the entry's ListOrder and DateAdded, by ListOrder.
    assert ids(page) == ["p1", "p2"] and page["Meta"]["Facets"] == []
    first = page["Items"][0]
    assert first["ListOrder"] == 1 and first["DateAdded"] and first["PriceSchedule"]["ID"] == "ps-p1"
    assert "OwnerID" not in first and "DefaultPriceScheduleID" not in first
    # Saving a product again keeps one entry; a product the user does not see is refused.
    await api.ok("PUT", f"{MINE}/wish/p1", token=alice, status=204)
    assert len((await api.ok("GET", f"{MINE}/wish/products", token=alice))["Items"]) == 2
    hidden = await api.put(f"{MINE}/wish/elsewhere", token=alice)
    assert hidden.status_code == 404 and hidden.json()["Errors"][0]["Data"]["ObjectType"] == "Product"
    await api.ok("DELETE", f"{MINE}/wish/p2", token=alice, status=204)
    assert ids(await api.ok("GET", f"{MINE}/wish/products", token=alice)) == ["p1"]
    # A product hidden since it was saved drops out of the list.
    await cat.replace(api, "product", {**await cat.read(api, "product", "p1"), "Active": False})
    assert ids(await api.ok("GET", f"{MINE}/wish/products", token=alice)) == []

    # Renaming the collection keeps its entries; deleting it takes them.
    await api.ok("PATCH", f"{MINE}/wish", {"ID": "wish2", "Name": "Wishes"}, token=alice)
    seller = await world.seller("ProductCollectionReader")
    entries = await api.ok("GET", "/buyers/b1/productcollections/wish2/products", token=seller)
    assert ids(entries) == ["p1"] and entries["Items"][0]["OwnerID"] is None  # the seller's view
    await api.ok("DELETE", f"{MINE}/wish2", token=alice, status=204)
    assert (await api.get(f"{MINE}/wish2/products", token=alice)).status_code == 404
    assert (await api.get("/buyers/b1/productcollections/wish2/products", token=seller)).status_code == 404


async def test_collections_are_private_unless_shared_and_only_the_owner_changes_them(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", buyers=("b1", "b2"))
    alice, carol, bob = [await world.token(u) for u in ("alice", "carol", "bob")]
    for body in (
        {"ID": "secret", "Name": "Secret"},
        {"ID": "open", "Name": "Open", "AccessLevel": "Public"},
        {"ID": "link", "Name": "Link", "AccessLevel": "Shareable"},
    ):
        await api.ok("POST", MINE, body, token=alice)
    await api.ok("PUT", f"{MINE}/open/p1", token=alice, status=204)
    # Carol (same buyer) lists the Public one, reads the Shareable one by ID, not the Private one.
    assert ids(await api.ok("GET", MINE, token=carol)) == ["open"]
    assert (await api.ok("GET", f"{MINE}/link", token=carol))["Name"] == "Link"
    assert (await api.get(f"{MINE}/secret", token=carol)).status_code == 404
    assert ids(await api.ok("GET", f"{MINE}/open/products", token=carol)) == ["p1"]
    for method, path, body in (
        ("PATCH", f"{MINE}/open", {"Name": "Mine now"}),
        ("PUT", f"{MINE}/open", {"Name": "Mine now"}),
        ("DELETE", f"{MINE}/open", None),
        ("PUT", f"{MINE}/open/p1", None),
        ("DELETE", f"{MINE}/open/p1", None),
    ):
        refused = await api.call(method, path, body, token=carol)
        assert refused.status_code == 403 and error_code(refused) == "ProductCollection.CannotModify", path
    assert (await api.ok("GET", f"{MINE}/open", token=alice))["Name"] == "Open"
    # Another buyer's user sees none of them, whatever their access level.
    assert ids(await api.ok("GET", MINE, token=bob)) == []
    for name in ("open", "link", "secret"):
        assert (await api.get(f"{MINE}/{name}", token=bob)).status_code == 404
    # Seller users have no collections of their own; with ProductCollectionReader they read a
    # buyer's, all of them.
    seller = await world.seller("ProductCollectionReader Shopper")
    assert (await api.get(MINE, token=seller)).status_code == 403
    assert ids(await api.ok("GET", "/buyers/b1/productcollections", token=seller)) == [
        "link",
        "open",
        "secret",
    ]
    assert (await api.ok("GET", "/buyers/b1/productcollections/secret", token=seller))["Name"] == "Secret"
    no_role = await api.get("/buyers/b1/productcollections", token=await world.seller("ProductReader"))
    assert no_role.status_code == 403
    # A buyer's reader reads its own buyer's collections only.
    reader = await world.token("carol", "ProductCollectionReader")
    assert len(ids(await api.ok("GET", "/buyers/b1/productcollections", token=reader))) == 3
    assert (await api.get("/buyers/b2/productcollections", token=reader)).status_code == 404


async def test_entry_limit_and_what_a_deleted_product_or_user_takes_along(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", buyers=("b1",))
    await cat.product(api, "p2", buyers=("b1",))
    alice = await world.token("alice")
    await api.ok("POST", MINE, {"ID": "wish", "Name": "Wish"}, token=alice)
    await api.ok("PUT", f"{MINE}/wish/p1", token=alice, status=204)
    limit = product_collections.MAX_ENTRIES
    product_collections.MAX_ENTRIES = 1
    try:
        full = await api.put(f"{MINE}/wish/p2", token=alice)
        assert full.status_code == 400 and error_code(full) == "ProductCollection.ProductEntryLimit"
        await api.ok("PUT", f"{MINE}/wish/p1", token=alice, status=204)  # already in: no new entry
    finally:
        product_collections.MAX_ENTRIES = limit
    seller = await world.seller("ProductAdmin ProductCollectionReader BuyerUserAdmin")
    await api.ok("PATCH", "/products/p1", {"ID": "p1b"}, token=seller)
    assert ids(await api.ok("GET", f"{MINE}/wish/products", token=alice)) == ["p1b"]
    await api.ok("DELETE", "/products/p1b", token=seller, status=204)
    assert ids(await api.ok("GET", "/buyers/b1/productcollections/wish/products", token=seller)) == []
    await api.ok("DELETE", "/buyers/b1/users/alice", token=seller, status=204)
    assert ids(await api.ok("GET", "/buyers/b1/productcollections", token=seller)) == []


async def test_put_replaces_the_users_own_collection_and_creates_none(world: World) -> None:
    api = world.api
    alice, carol = await world.token("alice"), await world.token("carol")
    await api.ok("POST", MINE, {"ID": "wish", "Name": "Wish", "xp": {"a": 1}}, token=alice)
    replaced = await api.ok("PUT", f"{MINE}/wish", {"Name": "Wishes"}, token=alice)
    assert replaced == {"ID": "wish", "Name": "Wishes", "xp": None, "AccessLevel": "Private"}
    assert (await api.put(f"{MINE}/new", {"Name": "New"}, token=alice)).status_code == 404
    assert (await api.put(f"{MINE}/wish", {"Name": "Carol's"}, token=carol)).status_code == 404


async def test_invitations_share_a_private_collection_within_the_buyer(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", buyers=("b1", "b2"))
    await cat.product(api, "p2", buyers=("b1",))
    alice, carol, bob = [await world.token(u) for u in ("alice", "carol", "bob")]
    await api.ok("POST", MINE, {"ID": "gifts", "Name": "Gifts"}, token=alice)
    await api.ok("PUT", f"{MINE}/gifts/p1", token=alice, status=204)
    invites = f"{MINE}/gifts/invitations"
    made = await api.ok("POST", invites, {"ID": "mine", "Name": "For Carol", "Accepted": True}, token=alice)
    assert made["ID"] != "mine" and made["Accepted"] is False and made["Admin"] is False
    assert ids(await api.ok("GET", invites, token=alice)) == [made["ID"]]
    # Only the owner manages invitations; a user who cannot read the collection gets 404.
    assert (await api.get(invites, token=carol)).status_code == 404
    assert (await api.post(invites, {"Name": "x"}, token=bob)).status_code == 404
    own = await api.post(f"{invites}/accept/{made['ID']}", token=alice)
    assert (
        own.status_code == 400 and error_code(own) == "ProductCollection.CannotAcceptOrDeclineOwnInvitation"
    )
    assert (await api.post(f"{invites}/accept/{made['ID']}", token=bob)).status_code == 404

    await api.ok("POST", f"{invites}/accept/{made['ID']}", token=carol, status=204)
    assert (await api.ok("GET", f"{invites}/{made['ID']}", token=alice))["Accepted"] is True
    again = await api.post(f"{invites}/accept/{made['ID']}", token=carol)
    assert error_code(again) == "ProductCollection.AlreadyAcceptedInvitation"
    # Carol now lists and reads it, but may not change it (her invitation is not Admin).
    assert ids(await api.ok("GET", MINE, token=carol)) == ["gifts"]
    assert ids(await api.ok("GET", f"{MINE}/gifts/products", token=carol)) == ["p1"]
    refused = await api.put(f"{MINE}/gifts/p2", token=carol)
    assert refused.status_code == 403 and error_code(refused) == "ProductCollection.CannotModify"
    # Made Admin, she changes its entries and name, but neither renames nor deletes it.
    await api.ok("PATCH", f"{invites}/{made['ID']}", {"Admin": True}, token=alice)
    await api.ok("PUT", f"{MINE}/gifts/p2", token=carol, status=204)
    assert (await api.ok("PATCH", f"{MINE}/gifts", {"Name": "Presents"}, token=carol))["Name"] == "Presents"
    for method, path, body in (("PATCH", f"{MINE}/gifts", {"ID": "x"}), ("DELETE", f"{MINE}/gifts", None)):
        assert (await api.call(method, path, body, token=carol)).status_code == 403
    # Declining gives the access back; a deleted invitation is gone.
    await api.ok("POST", f"{invites}/decline/{made['ID']}", token=carol, status=204)
    assert (await api.get(f"{MINE}/gifts", token=carol)).status_code == 404
    assert (await api.get(f"{invites}/{made['ID']}", token=alice)).status_code == 404
    late = await api.ok(
        "POST", invites, {"Name": "Late", "ExpirationDate": "2020-01-01T00:00:00Z"}, token=alice
    )
    assert (await api.post(f"{invites}/accept/{late['ID']}", token=carol)).status_code == 404
    await api.ok("DELETE", f"{invites}/{late['ID']}", token=alice, status=204)
    assert (await api.ok("GET", invites, token=alice))["Items"] == []
    bad = await api.post(invites, {"ExpirationDate": "soon"}, token=alice)
    assert bad.status_code == 400
