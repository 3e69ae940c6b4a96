"""Bundles in product lists (docs/catalog.md, "Bundles"): a bundle is listed to the buyer users
who may buy it as a product with `IsBundle: true` (the product OrderCloud creates "alongside the
bundle"), under the one visibility rule, so paging, counts, categories and facets stay right."""

from __future__ import annotations

from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.api.test_bundles import kit
from tests.helpers import error_code


async def listed(world: World, user: str = "alice", **params: str) -> dict[str, Any]:
    page: dict[str, Any] = await world.api.ok(
        "GET", "/me/products", params={"sortBy": "ID", **params}, token=await world.token(user)
    )
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [p["ID"] for p in page["Items"]]


async def test_a_bundle_is_listed_as_a_product_to_those_who_may_buy_it(world: World) -> None:
    api = world.api
    await kit(world)  # assigned to b1 only; p1 and p2 are visible to b1 and b2
    page = await listed(world)
    assert ids(page) == ["kit", "p1", "p2"] and page["Meta"]["TotalCount"] == 3
    shown = page["Items"][0]
    assert shown["IsBundle"] is True and shown["Name"] == "Starter kit" and shown["PriceSchedule"] is None
    assert "OwnerID" not in shown and not any(k.startswith("_") for k in shown)
    assert [p["IsBundle"] for p in page["Items"][1:]] == [False, False]
    got = await api.ok("GET", "/me/products/kit", token=await world.token("alice"))
    assert got == shown
    # OrderCloud's filter for products alone.
    assert ids(await listed(world, IsBundle="false")) == ["p1", "p2"]
    assert ids(await listed(world, IsBundle="true")) == ["kit"]
    # Pages and counts span bundles and products alike.
    pages = [await listed(world, pageSize="2", page=str(n)) for n in (1, 2)]
    assert [ids(p) for p in pages] == [["kit", "p1"], ["p2"]]
    assert {p["Meta"]["TotalCount"] for p in pages} == {3}
    # bob's buyer has no bundle assignment.
    assert ids(await listed(world, "bob")) == ["p1", "p2"]
    assert (await api.get("/me/products/kit", token=await world.token("bob"))).status_code == 404


async def test_a_bundle_whose_products_the_user_does_not_all_see_is_not_listed(world: World) -> None:
    api = world.api
    await kit(world)
    await api.ok("DELETE", "/products/p2/assignments/b1", status=204)
    assert ids(await listed(world)) == ["p1"]
    assert (await api.get("/me/products/kit", token=await world.token("alice"))).status_code == 404
    # An inactive bundle is hidden as an inactive product is.
    await api.ok("POST", "/products/assignments", {"ProductID": "p2", "BuyerID": "b1"}, status=204)
    await api.ok("PATCH", "/bundles/kit", {"Active": False})
    assert ids(await listed(world)) == ["p1", "p2"]


async def test_a_bundle_follows_its_renames_and_deletes_in_the_list(world: World) -> None:
    api = world.api
    await kit(world)
    alice = await world.token("alice")
    wish = "/me/productcollections"
    await api.ok("POST", wish, {"ID": "wish", "Name": "Wish list"}, token=alice)
    await api.ok("PUT", f"{wish}/wish/kit", token=alice, status=204)
    await api.ok("PATCH", "/bundles/kit", {"ID": "kit2", "Name": "Renamed"})
    page = await listed(world)
    assert ids(page) == ["kit2", "p1", "p2"] and page["Items"][0]["Name"] == "Renamed"
    # A saved bundle follows its rename, as a saved product does.
    assert ids(await api.ok("GET", f"{wish}/wish/products", token=alice)) == ["kit2"]
    await api.ok("DELETE", "/bundles/kit2", status=204)
    assert ids(await listed(world)) == ["p1", "p2"]
    assert (await api.get("/products/kit2")).status_code == 404


async def test_a_bundles_product_is_the_bundles_and_shares_its_id_space(world: World) -> None:
    api = world.api
    await kit(world)
    listed_by_seller = await api.ok("GET", "/products", params={"IsBundle": "true"})
    assert [p["ID"] for p in listed_by_seller["Items"]] == ["kit"]
    for method, path, body in (
        ("PATCH", "/products/kit", {"Name": "x"}),
        ("PUT", "/products/kit", {"Name": "x"}),
        ("DELETE", "/products/kit", None),
        ("POST", "/products/assignments", {"ProductID": "kit", "BuyerID": "b2"}),
    ):
        refused = await api.call(method, path, body)
        assert refused.status_code == 400 and error_code(refused) == "Product.IsBundle", (method, path)
    taken = await api.post("/products", {"ID": "kit", "Name": "x"})
    assert taken.status_code == 409
    clash = await api.post("/bundles", {"ID": "p1", "Name": "x", "Active": True})
    assert clash.status_code == 409 and error_code(clash) == "IdExists"
    inner = await api.post(
        "/bundles/productassignments", {"BundleID": "kit", "ProductID": "kit", "Required": False}
    )
    assert inner.status_code == 400 and error_code(inner) == "Bundle.BundleAssigned"
    # A shopper buys the bundle through its bundle line items, never as a line of its own.
    alice = await world.token("alice")
    line = await api.post("/cart/lineitems", {"ProductID": "kit", "Quantity": 1}, token=alice)
    assert line.status_code == 400 and error_code(line) == "LineItem.ProductIsBundle"
    assert (await api.ok("GET", "/products/kit"))["IsBundle"] is True


async def test_a_bundle_is_listed_in_its_categories(world: World) -> None:
    api = world.api
    await kit(world)
    await api.ok("POST", "/catalogs", {"ID": "shop", "Name": "Shop", "Active": True})
    await api.ok("POST", "/catalogs/assignments", {"CatalogID": "shop", "BuyerID": "b1"}, status=204)
    await api.ok("POST", "/catalogs/shop/categories", {"ID": "kits", "Name": "Kits", "Active": True})
    await api.ok(
        "POST",
        "/catalogs/shop/categories/assignments",
        {"CategoryID": "kits", "BuyerID": "b1", "Visible": True},
        status=204,
    )
    body = {"CategoryID": "kits", "BundleID": "kit"}
    await api.ok("POST", "/catalogs/shop/categories/bundleassignments", body, status=204)
    to_p1 = {"CategoryID": "kits", "ProductID": "p1"}
    await api.ok("POST", "/catalogs/shop/categories/productassignments", to_p1, status=204)
    page = await listed(world, catalogID="shop", categoryID="kits")
    assert ids(page) == ["kit", "p1"] and page["Meta"]["TotalCount"] == 2
    # In a catalog it is placed through Catalogs.SaveBundleAssignment, not as a product.
    refused = await api.post("/catalogs/productassignments", {"CatalogID": "shop", "ProductID": "kit"})
    assert refused.status_code == 400 and error_code(refused) == "Product.IsBundle"


async def test_facets_count_bundles_as_the_products_they_are_listed_as(world: World) -> None:
    api = world.api
    await kit(world)
    await api.ok("POST", "/productfacets", {"ID": "colour", "Name": "Colour", "XpPath": "Colour"})
    await api.ok("PATCH", "/bundles/kit", {"xp": {"Colour": "red"}})
    await cat.replace(api, "product", {**(await api.ok("GET", "/products/p1")), "xp": {"Colour": "red"}})
    page = await listed(world)
    [facet] = page["Meta"]["Facets"]
    assert facet["Values"] == [{"Value": "red", "Count": 2}]
    assert ids(await listed(world, **{"xp.Colour": "red"})) == ["kit", "p1"]
    # bob does not see the bundle: it adds nothing to his counts.
    [facet] = (await listed(world, "bob"))["Meta"]["Facets"]
    assert facet["Values"] == [{"Value": "red", "Count": 1}]


async def test_the_bundleid_filter_lists_a_bundles_products(world: World) -> None:
    api = world.api
    await kit(world)
    await cat.product(api, "p3", buyers=("b1",))
    page = await listed(world, BundleID="kit")
    assert ids(page) == ["p1", "p2"] and page["Meta"]["TotalCount"] == 2
    assert ids(await listed(world, BundleID="nope")) == []
    seller = await api.ok("GET", "/products", params={"BundleID": "kit", "sortBy": "ID"})
    assert [p["ID"] for p in seller["Items"]] == ["p1", "p2"]
    # With other filters, as any filter.
    assert ids(await listed(world, BundleID="kit", ID="p2")) == ["p2"]
