"""Product facets (issue #14): `/productfacets` CRUD in OrderCloud's shape, and facet counts in
product lists' Meta.Facets. docs/facets.md."""

from __future__ import annotations

from tests.api.storefront_setup import add_buyer, add_shopper, enable_storefront
from tests.helpers import Api, error_code

COLOR = {"ID": "color", "Name": "Color", "XpPath": "Facets.Color", "ListOrder": 0, "MinCount": 1, "xp": {}}


async def test_facet_crud(api: Api) -> None:
    made = await api.ok("POST", "/productfacets", COLOR)
    assert made == COLOR
    # Without XpPath the facet is at product.xp.{ID}; MinCount defaults to 1, as in OrderCloud.
    size = await api.ok("POST", "/productfacets", {"ID": "size", "Name": "Size"})
    assert size == {
        "ID": "size",
        "Name": "Size",
        "XpPath": "size",
        "ListOrder": None,
        "MinCount": 1,
        "xp": None,
    }
    assert (await api.ok("GET", "/productfacets/color"))["XpPath"] == "Facets.Color"
    patched = await api.ok("PATCH", "/productfacets/size", {"ListOrder": 2, "xp": {"ui": "chips"}})
    assert (patched["ListOrder"], patched["xp"], patched["XpPath"]) == (2, {"ui": "chips"}, "size")
    saved = await api.ok("PUT", "/productfacets/size", {"Name": "Sizes", "XpPath": "Facets.Size"})
    assert (saved["ID"], saved["Name"], saved["XpPath"], saved["ListOrder"]) == (
        "size",
        "Sizes",
        "Facets.Size",
        None,
    )
    page = await api.ok("GET", "/productfacets", params={"XpPath": "Facets.*", "sortBy": "!ID"})
    assert [f["ID"] for f in page["Items"]] == ["size", "color"]
    assert (await api.delete("/productfacets/size")).status_code == 204
    assert (await api.get("/productfacets/size")).status_code == 404


async def test_facet_paths_are_unique_and_valid(api: Api) -> None:
    await api.ok("POST", "/productfacets", COLOR)
    taken = await api.post("/productfacets", {"ID": "colour", "Name": "Colour", "XpPath": "facets.color"})
    assert taken.status_code == 409 and error_code(taken) == "ProductFacet.XpPathInUse"
    # A facet whose derived path (its ID) is another's XpPath is refused the same way.
    await api.ok("POST", "/productfacets", {"ID": "brand", "Name": "Brand"})
    clash = await api.post("/productfacets", {"ID": "maker", "Name": "Maker", "XpPath": "Brand"})
    assert clash.status_code == 409 and error_code(clash) == "ProductFacet.XpPathInUse"
    # Saving a facet with its own path is no clash.
    await api.ok("PUT", "/productfacets/color", {**COLOR, "Name": "Colour"})
    for bad in ("Facets..Color", "Facets.Co lor", "a" * 201, ".x"):
        refused = await api.post("/productfacets", {"ID": "bad", "Name": "Bad", "XpPath": bad})
        assert refused.status_code == 400, bad
    assert (await api.post("/productfacets", {"ID": "n", "Name": "N", "MinCount": 2**31})).status_code == 400
    assert (await api.post("/productfacets", {"ID": "nameless"})).status_code == 400  # Name is required
    assert [f["ID"] for f in (await api.ok("GET", "/productfacets"))["Items"]] == ["brand", "color"]


async def shop(api: Api) -> str:
    """Buyer A's shopper sees p1-p4; `hidden` (green, the only green product) is not assigned."""
    await enable_storefront(api)
    await add_buyer(api, "buyerA")
    token = await add_shopper(api, "buyerA", "alice")
    products = {
        "p1": {"Facets": {"Color": ["red", "Blue"]}, "size": "M"},
        "p2": {"Facets": {"Color": ["red"]}, "size": "L"},
        "p3": {"Facets": {"Color": "blue"}, "size": "M", "Material": "wool"},
        "p4": None,
        "hidden": {"Facets": {"Color": ["green"]}, "size": "M"},
    }
    for pid, xp in products.items():
        await api.ok("POST", "/products", {"ID": pid, "Name": f"Product {pid}", "Active": True, "xp": xp})
        if pid != "hidden":
            body = {"ProductID": pid, "BuyerID": "buyerA"}
            await api.ok("POST", "/products/assignments", body, status=204)
    return token


async def facets(api: Api, path: str, token: str | None = None, **params: str) -> list[dict[str, object]]:
    page = await api.ok("GET", path, params=params, token=token)
    return [
        {"Name": f["Name"], "Values": {v["Value"]: v["Count"] for v in f["Values"]}}
        for f in page["Meta"]["Facets"]
    ]


async def test_no_facets_no_counts(api: Api) -> None:
    token = await shop(api)
    page = await api.ok("GET", "/me/products", token=token)
    assert page["Meta"]["Facets"] == [] and len(page["Items"]) == 4


async def test_me_products_count_facet_values_of_the_listed_products(api: Api) -> None:
    token = await shop(api)
    await api.ok("POST", "/productfacets", {**COLOR, "ListOrder": 1, "xp": {"ui": "swatch"}})
    await api.ok("POST", "/productfacets", {"ID": "size", "Name": "Size", "ListOrder": 0})
    await api.ok(
        "POST",
        "/productfacets",
        {"ID": "material", "Name": "Material", "XpPath": "Material", "ListOrder": 2, "MinCount": 0},
    )
    page = await api.ok("GET", "/me/products", token=token)
    # Ordered by ListOrder; values by count (most first), then value; the hidden product's
    # green is nowhere; an array counts each element, a scalar itself.
    assert page["Meta"]["Facets"][1] == {
        "Name": "Color",
        "XpPath": "Facets.Color",
        "Values": [
            {"Value": "Blue", "Count": 2},
            {"Value": "red", "Count": 2},
        ],
        "xp": {"ui": "swatch"},
    }
    assert await facets(api, "/me/products", token) == [
        {"Name": "Size", "Values": {"M": 2, "L": 1}},
        {"Name": "Color", "Values": {"Blue": 2, "red": 2}},
        {"Name": "Material", "Values": {"wool": 1}},
    ]
    # A facet filter matches array elements, case-insensitively, and narrows the OTHER facets'
    # counts; its own facet keeps counting as without it (the values are alternatives).
    red = await api.ok("GET", "/me/products", params={"xp.Facets.Color": "RED"}, token=token)
    assert sorted(p["ID"] for p in red["Items"]) == ["p1", "p2"]
    assert await facets(api, "/me/products", token, **{"xp.Facets.Color": "red"}) == [
        {"Name": "Size", "Values": {"M": 1, "L": 1}},
        {"Name": "Color", "Values": {"Blue": 2, "red": 2}},
        # MinCount 0: a value of the shopper's products that the filters leave out counts 0.
        {"Name": "Material", "Values": {"wool": 0}},
    ]
    either = await api.ok("GET", "/me/products", params={"xp.Facets.Color": "red|blue"}, token=token)
    assert sorted(p["ID"] for p in either["Items"]) == ["p1", "p2", "p3"]
    others = await api.ok("GET", "/me/products", params={"xp.Facets.Color": "!red"}, token=token)
    assert sorted(p["ID"] for p in others["Items"]) == ["p3", "p4"]
    prefix = await api.ok("GET", "/me/products", params={"xp.Facets.Color": "bl*"}, token=token)
    assert sorted(p["ID"] for p in prefix["Items"]) == ["p1", "p3"]
    # Two facets' filters AND together; each facet is counted under the other's filter.
    both = {"xp.Facets.Color": "blue", "xp.size": "M"}
    assert sorted(
        p["ID"] for p in (await api.ok("GET", "/me/products", params=both, token=token))["Items"]
    ) == [
        "p1",
        "p3",
    ]
    assert (await facets(api, "/me/products", token, **both))[:2] == [
        {"Name": "Size", "Values": {"M": 2}},
        {"Name": "Color", "Values": {"Blue": 2, "red": 1}},
    ]
    # Search narrows the counts too.
    assert (await facets(api, "/me/products", token, search="p2", searchOn="ID"))[0] == {
        "Name": "Size",
        "Values": {"L": 1},
    }
    # MinCount hides rarer values; the facet stays, with what is left.
    await api.ok("PATCH", "/productfacets/color", {"MinCount": 2})
    assert (await facets(api, "/me/products", token, **{"xp.size": "M"}))[1] == {
        "Name": "Color",
        "Values": {"Blue": 2},
    }


async def test_admin_product_list_counts_every_product(api: Api) -> None:
    await shop(api)
    await api.ok("POST", "/productfacets", COLOR)
    assert await facets(api, "/products") == [{"Name": "Color", "Values": {"Blue": 2, "red": 2, "green": 1}}]
    assert await facets(api, "/products", **{"xp.size": "M"}) == [
        {"Name": "Color", "Values": {"Blue": 2, "red": 1, "green": 1}}
    ]
    # A product's own xp filter on an array works on the admin list as well.
    page = await api.ok("GET", "/products", params={"xp.Facets.Color": "green"})
    assert [p["ID"] for p in page["Items"]] == ["hidden"]


async def test_counts_follow_the_shoppers_groups_and_catalogs(api: Api) -> None:
    """The counts read products with the visibility rule in its set form: a product assigned to
    a group counts for its members only; one in a ViewAllProducts catalog for the catalog's buyer."""
    token = await shop(api)
    vip = await add_shopper(api, "buyerA", "victor", groups=("vip",))
    await api.ok("POST", "/productfacets", COLOR)
    await api.ok(
        "POST",
        "/products",
        {"ID": "gold", "Name": "Gold", "Active": True, "xp": {"Facets": {"Color": "gold"}}},
    )
    group = {"ProductID": "gold", "BuyerID": "buyerA", "UserGroupID": "vip"}
    await api.ok("POST", "/products/assignments", group, status=204)
    assert "gold" not in (await facets(api, "/me/products", token))[0]["Values"]
    assert (await facets(api, "/me/products", vip))[0]["Values"]["gold"] == 1
    # Through a catalog the buyer sees all of: the hidden product's green now counts.
    await api.ok("POST", "/catalogs", {"ID": "cat-a", "Name": "A", "Active": True})
    await api.ok(
        "POST", "/catalogs/productassignments", {"CatalogID": "cat-a", "ProductID": "hidden"}, status=204
    )
    link = {"CatalogID": "cat-a", "BuyerID": "buyerA", "ViewAllProducts": True}
    await api.ok("POST", "/catalogs/assignments", link, status=204)
    assert (await facets(api, "/me/products", token))[0]["Values"]["green"] == 1
    # An inactive product never counts.
    await api.ok("PATCH", "/products/hidden", {"Active": False})
    assert "green" not in (await facets(api, "/me/products", token))[0]["Values"]
