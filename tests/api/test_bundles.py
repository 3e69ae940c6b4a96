"""Bundles: the seller's bundles and their assignments, and buyers buying one (every product of
the bundle a line of its own, priced from its own schedule; removing the bundle removes them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

ADMIN = "BundleAdmin BundleAssignmentAdmin ProductAdmin CatalogAdmin CategoryAdmin"


def ids(page: dict[str, Any], field: str = "ID") -> list[str]:
    return [item[field] for item in page["Items"]]


async def kit(world: World, *, buyers: tuple[str, ...] = ("b1",)) -> str:
    """Bundle `kit`: p1 (required, 2 by default, $5) and p2 (optional, $3), assigned to `buyers`."""
    api = world.api
    token = await world.seller(ADMIN)
    await cat.product(api, "p1", price="5", buyers=("b1", "b2"))
    await cat.product(api, "p2", price="3", buyers=("b1", "b2"))
    await api.ok("POST", "/bundles", {"ID": "kit", "Name": "Starter kit", "Active": True}, token=token)
    for body in (
        {"BundleID": "kit", "ProductID": "p1", "Required": True, "DefaultQuantity": 2},
        {"BundleID": "kit", "ProductID": "p2", "Required": False},
    ):
        await api.ok("POST", "/bundles/productassignments", body, token=token, status=204)
    for buyer in buyers:
        await api.ok(
            "POST", "/bundles/assignments", {"BundleID": "kit", "BuyerID": buyer}, token=token, status=204
        )
    return token


async def test_bundle_crud_and_its_product_assignments(world: World) -> None:
    api = world.api
    token = await kit(world)
    got = await api.ok("GET", "/bundles/kit", token=token)
    assert got == {
        "ID": "kit",
        "OwnerID": api.services.marketplace_id,
        "Name": "Starter kit",
        "Description": None,
        "Active": True,
        "xp": None,
    }
    reader = await world.seller("BundleReader")
    assert ids(await api.ok("GET", "/bundles", token=reader)) == ["kit"]
    assert (await api.post("/bundles", {"Name": "x"}, token=reader)).status_code == 403
    assert (await api.post("/bundles", {"ID": "x"}, token=token)).status_code == 400  # Name is required
    buyer = await api.get("/bundles", token=await world.token("alice", "BundleAdmin"))
    assert buyer.status_code == 403
    page = await api.ok("GET", "/bundles/productassignments", params={"bundleID": "kit"}, token=reader)
    assert page["Items"] == [
        {"ProductID": "p1", "BundleID": "kit", "Required": True, "DefaultQuantity": 2},
        {"ProductID": "p2", "BundleID": "kit", "Required": False, "DefaultQuantity": None},
    ]
    # Saving again replaces; a parent or child product, or another owner's, cannot join.
    again = {"BundleID": "kit", "ProductID": "p2", "Required": False, "DefaultQuantity": 4}
    await api.ok("POST", "/bundles/productassignments", again, token=token, status=204)
    page = await api.ok("GET", "/bundles/productassignments", params={"productID": "p2"}, token=token)
    assert [a["DefaultQuantity"] for a in page["Items"]] == [4]
    parent = await cat.product(api, "parent", buyers=())
    await cat.replace(api, "product", {**parent, "IsParent": True})
    child = await cat.product(api, "child", buyers=())
    await cat.replace(api, "product", {**child, "ParentID": "parent"})
    owned = await cat.product(api, "owned", buyers=())
    await cat.replace(api, "product", {**owned, "OwnerID": "s1"})
    for product_id, code in (
        ("parent", "Bundle.ParentProductAssigned"),
        ("child", "Bundle.ChildProductsAssigned"),
        ("owned", "Bundle.OwnerIDMustMatch"),
    ):
        body = {"BundleID": "kit", "ProductID": product_id, "Required": False}
        refused = await api.post("/bundles/productassignments", body, token=token)
        assert refused.status_code == 400 and error_code(refused) == code
    missing = await api.post(
        "/bundles/productassignments", {"BundleID": "nope", "ProductID": "p1", "Required": True}, token=token
    )
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Bundle"
    # A product a bundle holds is not deleted; renaming it moves the assignment.
    held = await api.delete("/products/p2", token=token)
    assert held.status_code == 400 and error_code(held) == "Product.CannotDeleteProductAssingedToBundle"
    await api.ok("PATCH", "/products/p2", {"ID": "p2b"}, token=token)
    page = await api.ok("GET", "/bundles/productassignments", token=token)
    assert sorted(ids(page, "ProductID")) == ["p1", "p2b"]
    await api.ok("DELETE", "/bundles/kit/productassignments/p2b", token=token, status=204)
    await api.ok("DELETE", "/products/p2b", token=token, status=204)
    # Renaming the bundle moves its assignments; deleting it takes them with it.
    await api.ok("PATCH", "/bundles/kit", {"ID": "kit2", "Description": "d"}, token=token)
    assert ids(await api.ok("GET", "/bundles/assignments", token=token), "BundleID") == ["kit2"]
    await api.ok("DELETE", "/bundles/kit2", token=token, status=204)
    for path in ("/bundles/assignments", "/bundles/productassignments"):
        assert (await api.ok("GET", path, token=token))["Items"] == []


async def test_bundle_assignments_to_buyers_catalogs_and_categories(world: World) -> None:
    api = world.api
    token = await kit(world, buyers=("b1", "b2"))
    await api.ok(
        "POST",
        "/buyers/b1/usergroups",
        {"ID": "g1", "Name": "G1"},
        token=await world.seller("UserGroupAdmin"),
    )
    group = {"BundleID": "kit", "BuyerID": "b1", "UserGroupID": "g1"}
    await api.ok("POST", "/bundles/assignments", group, token=token, status=204)
    every = await api.ok("GET", "/bundles/assignments", token=token)
    assert every["Meta"]["TotalCount"] == 3
    b2 = await api.ok("GET", "/bundles/assignments", params={"buyerID": "b2"}, token=token)
    assert b2["Items"] == [{"SellerID": None, "BundleID": "kit", "BuyerID": "b2", "UserGroupID": None}]
    groups = await api.ok("GET", "/bundles/assignments", params={"level": "Group"}, token=token)
    assert ids(groups, "UserGroupID") == ["g1"]
    wrong_group = await api.post("/bundles/assignments", {**group, "BuyerID": "b2"}, token=token)
    assert wrong_group.status_code == 404
    await api.ok(
        "DELETE", "/bundles/kit/assignments/b1", params={"userGroupID": "g1"}, token=token, status=204
    )
    await api.ok("DELETE", "/bundles/kit/assignments/b2", token=token, status=204)
    assert ids(await api.ok("GET", "/bundles/assignments", token=token), "BuyerID") == ["b1"]

    await api.ok("POST", "/catalogs", {"ID": "shop", "Name": "Shop", "Active": True}, token=token)
    await api.ok(
        "POST", "/catalogs/shop/categories", {"ID": "kits", "Name": "Kits", "Active": True}, token=token
    )
    await api.ok("POST", "/bundles", {"ID": "other", "Name": "Other"}, token=token)
    await api.ok(
        "POST",
        "/catalogs/bundleassignments",
        {"CatalogID": "shop", "BundleID": "kit"},
        token=token,
        status=204,
    )
    body = {"CategoryID": "kits", "BundleID": "kit", "ListOrder": 3}
    await api.ok("POST", "/catalogs/shop/categories/bundleassignments", body, token=token, status=204)
    assert (await api.ok("GET", "/catalogs/bundleassignments", token=token))["Items"] == [
        {"CatalogID": "shop", "BundleID": "kit"}
    ]
    assert (await api.ok("GET", "/catalogs/shop/categories/bundleassignments", token=token))["Items"] == [
        body
    ]
    assert ids(await api.ok("GET", "/bundles", params={"catalogID": "shop"}, token=token)) == ["kit"]
    by_category = await api.ok(
        "GET", "/bundles", params={"catalogID": "shop", "categoryID": "kits"}, token=token
    )
    assert ids(by_category) == ["kit"]
    assert len(ids(await api.ok("GET", "/bundles", token=token))) == 2
    unknown = await api.post(
        "/catalogs/shop/categories/bundleassignments", {**body, "CategoryID": "x"}, token=token
    )
    assert unknown.status_code == 404
    # Deleting the category, then the catalog, takes the bundle's assignments to them along.
    await api.ok("DELETE", "/catalogs/shop/categories/kits", token=token, status=204)
    assert (await api.ok("GET", "/catalogs/shop/categories/bundleassignments", token=token))["Items"] == []
    await api.ok("DELETE", "/catalogs/shop/bundleassignments/kit", token=token, status=204)
    assert (await api.ok("GET", "/catalogs/bundleassignments", token=token))["Items"] == []


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def test_a_bundle_in_the_cart_is_one_line_per_product_and_goes_as_one(world: World) -> None:
    api = world.api
    await kit(world)
    token = await world.token("alice")
    first = await api.ok("POST", "/cart/bundles/kit", {"LineItems": []}, token=token)
    # The required product at its DefaultQuantity; the bundle's item ID is its first line's ID.
    assert first["ProductID"] == "p1" and first["Quantity"] == 2 and first["BundleItemID"] == first["ID"]
    assert money(first["UnitPrice"]) == 5 and first["IsBundle"] is False
    assert not any(k.startswith("_") for k in first)
    chosen = {"LineItems": [{"ProductID": "p2", "Quantity": 3}, {"ProductID": "p1", "Quantity": 1}]}
    second = await api.ok("POST", "/cart/bundles/kit", chosen, token=token)
    lines = (await api.ok("GET", "/cart/lineitems", token=token))["Items"]
    assert len(lines) == 3
    mine = [line for line in lines if line["BundleItemID"] == second["ID"]]
    assert sorted((line["ProductID"], line["Quantity"]) for line in mine) == [("p1", 1), ("p2", 3)]
    cart = await api.ok("GET", "/cart", token=token)
    assert cart["LineItemCount"] == 3 and money(cart["Subtotal"]) == 10 + 9 + 5
    # A required line goes only with its bundle; an optional one may go alone.
    required = next(line for line in mine if line["ProductID"] == "p1")
    refused = await api.delete(f"/cart/lineitems/{required['ID']}", token=token)
    assert refused.status_code == 400 and error_code(refused) == "LineItem.CannotRemoveRequiredBundleItem"
    optional = next(line for line in mine if line["ProductID"] == "p2")
    await api.ok("DELETE", f"/cart/lineitems/{optional['ID']}", token=token, status=204)
    # Editing a bundle's line keeps it in the bundle.
    edited = await api.ok("PATCH", f"/cart/lineitems/{required['ID']}", {"Quantity": 4}, token=token)
    assert edited["BundleItemID"] == second["ID"]
    await api.ok("DELETE", f"/cart/bundles/kit/{second['ID']}", token=token, status=204)
    lines = (await api.ok("GET", "/cart/lineitems", token=token))["Items"]
    assert [line["ID"] for line in lines] == [first["ID"]]
    gone = await api.delete(f"/cart/bundles/kit/{second['ID']}", token=token)
    assert gone.status_code == 404
    cart = await api.ok("GET", "/cart", token=token)
    assert cart["LineItemCount"] == 1 and money(cart["Subtotal"]) == 10

    # And it submits as any order does.
    await api.ok("PUT", "/cart/shipto", {"ID": "addr1"}, token=token)
    await api.ok("PUT", "/cart/billto", {"ID": "addr1"}, token=token)
    submitted = await api.ok("POST", "/cart/submit", token=token)
    assert submitted["Status"] == "Open" and money(submitted["Subtotal"]) == 10


async def test_a_bundle_is_bought_only_as_its_rules_allow_and_a_refusal_changes_nothing(world: World) -> None:
    api = world.api
    token = await kit(world)
    alice = await world.token("alice")
    order = await world.new_order(body={"ID": "o1"})
    path = f"/orders/Outgoing/{order['ID']}/bundles"
    for body, status, code in (
        ({"LineItems": [{"ProductID": "p3"}]}, 400, "Bundle.ProductNotAssigned"),
        (
            {"LineItems": [{"ProductID": "p2", "Quantity": 1}, {"ProductID": "p1", "Quantity": 0}]},
            400,
            "LineItem.QuantityMustBePositive",
        ),
        ({"LineItems": "p1"}, 400, "ValidationFailure"),
    ):
        r = await api.post(f"{path}/kit", body, token=alice)
        assert r.status_code == status and error_code(r) == code, body
    # Optional product without a Quantity or DefaultQuantity.
    await api.ok(
        "POST",
        "/bundles/productassignments",
        {"BundleID": "kit", "ProductID": "p2", "Required": False},
        token=token,
        status=204,
    )
    r = await api.post(f"{path}/kit", {"LineItems": [{"ProductID": "p2"}]}, token=alice)
    assert error_code(r) == "Bundle.DefaultQuantityMissing"
    # A required product without a DefaultQuantity must be named.
    await api.ok("PATCH", "/bundles/kit", {"Name": "Kit"}, token=token)
    body = {"BundleID": "kit", "ProductID": "p1", "Required": True}
    await api.ok("POST", "/bundles/productassignments", body, token=token, status=204)
    r = await api.post(f"{path}/kit", {}, token=alice)
    assert error_code(r) == "Bundle.RequiredBundleItemMissing"
    assert (await api.ok("GET", f"/orders/Outgoing/{order['ID']}/lineitems", token=alice))["Items"] == []

    # b2 has no assignment; an inactive bundle, or one with a product b1 does not see, is hidden.
    bob_order = await world.new_order("bob", body={"ID": "o2"})
    bob = await api.post(
        f"/orders/Outgoing/{bob_order['ID']}/bundles/kit", {}, token=await world.token("bob")
    )
    assert bob.status_code == 404 and bob.json()["Errors"][0]["Data"]["ObjectType"] == "Bundle"
    named = {"LineItems": [{"ProductID": "p1", "Quantity": 1}]}
    await api.ok("POST", f"{path}/kit", named, token=alice)
    await cat.product(api, "hidden", buyers=("b2",))
    await api.ok(
        "POST",
        "/bundles/productassignments",
        {"BundleID": "kit", "ProductID": "hidden", "Required": False},
        token=token,
        status=204,
    )
    assert (await api.post(f"{path}/kit", named, token=alice)).status_code == 404
    await api.ok("DELETE", "/bundles/kit/productassignments/hidden", token=token, status=204)
    await api.ok("PATCH", "/bundles/kit", {"Active": False}, token=token)
    assert (await api.post(f"{path}/kit", named, token=alice)).status_code == 404
    assert (await api.post(f"{path}/nope", named, token=alice)).status_code == 404


async def test_a_bundle_reaches_buyers_through_catalogs_as_products_do(world: World) -> None:
    api = world.api
    token = await kit(world, buyers=())
    alice = await world.token("alice")
    await world.new_order(body={"ID": "o1"})
    path = "/orders/Outgoing/o1/bundles/kit"
    assert (await api.post(path, {}, token=alice)).status_code == 404
    await api.ok("POST", "/catalogs", {"ID": "shop", "Name": "Shop", "Active": True}, token=token)
    await api.ok(
        "POST",
        "/catalogs/bundleassignments",
        {"CatalogID": "shop", "BundleID": "kit"},
        token=token,
        status=204,
    )
    link = {"CatalogID": "shop", "BuyerID": "b1", "ViewAllProducts": False}
    await api.ok("POST", "/catalogs/assignments", link, token=token, status=204)
    assert (await api.post(path, {}, token=alice)).status_code == 404  # the catalog shows no products
    await api.ok("POST", "/catalogs/assignments", {**link, "ViewAllProducts": True}, token=token, status=204)
    await api.ok("POST", path, {}, token=alice)
    assert len((await api.ok("GET", "/orders/Outgoing/o1/lineitems", token=alice))["Items"]) == 1
    await api.ok("POST", "/catalogs/assignments", {**link, "ViewAllProducts": False}, token=token, status=204)
    # A category places a bundle, as it places a product: it brings it to no one by itself.
    await api.ok(
        "POST", "/catalogs/assignments", {**link, "ViewAllCategories": True}, token=token, status=204
    )
    await api.ok(
        "POST", "/catalogs/shop/categories", {"ID": "kits", "Name": "Kits", "Active": True}, token=token
    )
    body = {"CategoryID": "kits", "BundleID": "kit"}
    await api.ok("POST", "/catalogs/shop/categories/bundleassignments", body, token=token, status=204)
    assert (await api.post(path, {}, token=alice)).status_code == 404


async def test_the_seller_adds_and_removes_a_bundle_on_a_buyers_order(world: World) -> None:
    api = world.api
    await kit(world)
    await world.new_order(body={"ID": "o1"})
    seller = await world.seller("OrderAdmin")
    line = await api.ok(
        "POST",
        "/orders/Incoming/o1/bundles/kit",
        {"LineItems": [{"ProductID": "p2", "Quantity": 1}]},
        token=seller,
    )
    lines = (await api.ok("GET", "/orders/Outgoing/o1/lineitems", token=await world.token("alice")))["Items"]
    assert sorted(li["ProductID"] for li in lines) == ["p1", "p2"] and line["ProductID"] == "p2"
    assert (
        await api.delete(f"/orders/Incoming/o1/bundles/other/{line['ID']}", token=seller)
    ).status_code == 404
    await api.ok("DELETE", f"/orders/Incoming/o1/bundles/kit/{line['ID']}", token=seller, status=204)
    order = await api.ok("GET", "/orders/Incoming/o1", token=seller)
    assert order["LineItemCount"] == 0 and money(order["Subtotal"]) == 0
    # Another buyer's user reaches neither.
    bob = await api.post("/orders/Outgoing/o1/bundles/kit", {}, token=await world.token("bob"))
    assert bob.status_code == 404


async def test_bundle_lists_sort_text_case_insensitively(world: World) -> None:
    """OrderCloud sorts `L, m, s, XL`, not `L, XL, m, s` (issue #14), on both databases."""
    api = world.api
    token = await world.seller(ADMIN)
    for name in ("s", "XL", "m", "L"):
        await api.ok("POST", "/bundles", {"ID": f"size-{name}", "Name": name}, token=token)
    page = await api.ok("GET", "/bundles", params={"sortBy": "Name"}, token=token)
    assert [b["Name"] for b in page["Items"]] == ["L", "m", "s", "XL"]
    page = await api.ok("GET", "/bundles", params={"sortBy": "!ID"}, token=token)
    assert ids(page) == ["size-XL", "size-s", "size-m", "size-L"]


async def test_a_bundles_line_takes_its_schedules_bundle_price(world: World) -> None:
    api = world.api
    await kit(world)
    schedule = await cat.read(api, "priceschedule", "ps-p1")
    breaks = [{**schedule["PriceBreaks"][0], "BundlePrice": Decimal("4.25")}]
    await cat.replace(api, "priceschedule", {**schedule, "PriceBreaks": breaks})
    token = await world.token("alice")
    bundled = await api.ok("POST", "/cart/bundles/kit", {}, token=token)
    alone = await api.ok("POST", "/cart/lineitems", {"ProductID": "p1", "Quantity": 2}, token=token)
    assert money(bundled["UnitPrice"]) == Decimal("4.25") and money(bundled["LineSubtotal"]) == Decimal(
        "8.50"
    )
    assert money(alone["UnitPrice"]) == 5
    cart = await api.ok("GET", "/cart", token=token)
    assert money(cart["Subtotal"]) == Decimal("18.50")
