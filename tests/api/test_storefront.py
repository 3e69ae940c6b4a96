"""What buyer users see: only their products, at their prices, with inactive products hidden."""

from __future__ import annotations

from typing import Any

from tests.api.storefront_setup import add_buyer, add_shopper, enable_storefront
from tests.helpers import Api, error_code


async def schedule(api: Api, sid: str, price: str, **extra: Any) -> None:
    body = {"ID": sid, "Name": sid, "PriceBreaks": [{"Quantity": 1, "Price": float(price)}], **extra}
    await api.ok("POST", "/priceschedules", body)


async def product(api: Api, pid: str, **extra: Any) -> None:
    await api.ok("POST", "/products", {"ID": pid, "Name": f"Product {pid}", "Active": True, **extra})


async def marketplace(api: Api) -> dict[str, str]:
    """Two buyers. Buyer A: `widget` at its buyer-level price `a-price`, `gizmo` (default price),
    `retired` (inactive); the `vip` group of A gets `widget` at `vip-price`. Buyer B: `widget` at
    `b-price` and `gadget` through a catalog."""
    await enable_storefront(api)
    for sid, price in [("list", "20"), ("a-price", "15"), ("vip-price", "12.5"), ("b-price", "18")]:
        await schedule(api, sid, price)
    await product(api, "widget", DefaultPriceScheduleID="list", Description="a small blue widget")
    await product(api, "gizmo", DefaultPriceScheduleID="list", xp={"Color": "red"})
    await product(api, "retired", Active=False, DefaultPriceScheduleID="list")
    await product(api, "gadget", DefaultPriceScheduleID="list")
    await product(api, "hidden", DefaultPriceScheduleID="list")
    await add_buyer(api, "buyerA")
    await add_buyer(api, "buyerB")
    tokens = {
        "plain": await add_shopper(api, "buyerA", "alice"),
        "vip": await add_shopper(api, "buyerA", "victor", groups=("vip",)),
        "b": await add_shopper(api, "buyerB", "bob"),
    }
    assign = "/products/assignments"
    await api.ok(
        "POST", assign, {"ProductID": "widget", "BuyerID": "buyerA", "PriceScheduleID": "a-price"}, status=204
    )
    await api.ok(
        "POST",
        assign,
        {"ProductID": "widget", "BuyerID": "buyerA", "UserGroupID": "vip", "PriceScheduleID": "vip-price"},
        status=204,
    )
    await api.ok("POST", assign, {"ProductID": "gizmo", "BuyerID": "buyerA"}, status=204)
    await api.ok("POST", assign, {"ProductID": "retired", "BuyerID": "buyerA"}, status=204)
    await api.ok(
        "POST", assign, {"ProductID": "widget", "BuyerID": "buyerB", "PriceScheduleID": "b-price"}, status=204
    )
    await api.ok("POST", "/catalogs", {"ID": "cat-b", "Name": "B's catalog", "Active": True})
    await api.ok(
        "POST",
        "/catalogs/assignments",
        {"CatalogID": "cat-b", "BuyerID": "buyerB", "ViewAllProducts": True},
        status=204,
    )
    await api.ok(
        "POST", "/catalogs/productassignments", {"CatalogID": "cat-b", "ProductID": "gadget"}, status=204
    )
    return tokens


def prices(page: dict[str, Any]) -> dict[str, Any]:
    return {p["ID"]: p["PriceSchedule"]["PriceBreaks"][0]["Price"] for p in page["Items"]}


async def test_each_buyer_user_sees_only_its_products_at_its_prices(api: Api) -> None:
    tokens = await marketplace(api)
    alice = await api.ok("GET", "/me/products", token=tokens["plain"])
    assert prices(alice) == {"gizmo": 20, "widget": 15}
    assert alice["Meta"]["TotalCount"] == 2
    victor = await api.ok("GET", "/me/products", token=tokens["vip"])
    assert prices(victor) == {"gizmo": 20, "widget": 12.5}
    bob = await api.ok("GET", "/me/products", token=tokens["b"])
    assert prices(bob) == {"gadget": 20, "widget": 18}
    widget = next(p for p in bob["Items"] if p["ID"] == "widget")
    assert widget["PriceSchedule"]["ID"] == "b-price" and widget["PriceSchedule"]["IsOnSale"] is False
    assert "DefaultPriceScheduleID" not in widget and "OwnerID" not in widget


async def test_single_product_reads_follow_the_same_rule(api: Api) -> None:
    tokens = await marketplace(api)
    got = await api.ok("GET", "/me/products/widget", token=tokens["vip"])
    assert got["PriceSchedule"]["ID"] == "vip-price"
    for token, pid in [(tokens["plain"], "retired"), (tokens["plain"], "gadget"), (tokens["b"], "gizmo")]:
        resp = await api.get(f"/me/products/{pid}", token=token)
        assert resp.status_code == 404
        assert resp.json()["Errors"][0]["Data"] == {"ObjectType": "Product", "ObjectID": pid}


async def test_inactive_products_and_catalogs_are_hidden(api: Api) -> None:
    tokens = await marketplace(api)
    await api.ok("PATCH", "/products/gizmo", {"Active": False})
    alice = await api.ok("GET", "/me/products", token=tokens["plain"])
    assert [p["ID"] for p in alice["Items"]] == ["widget"]
    await api.ok("PATCH", "/catalogs/cat-b", {"Active": False})
    bob = await api.ok("GET", "/me/products", token=tokens["b"])
    assert [p["ID"] for p in bob["Items"]] == ["widget"]
    assert (await api.ok("GET", "/me/catalogs", token=tokens["b"]))["Items"] == []


async def test_storefront_list_options(api: Api) -> None:
    tokens = await marketplace(api)
    token = tokens["plain"]
    found = await api.ok("GET", "/me/products", token=token, params={"search": "blue"})
    assert [p["ID"] for p in found["Items"]] == ["widget"]
    red = await api.ok("GET", "/me/products", token=token, params={"xp.Color": "red"})
    assert [p["ID"] for p in red["Items"]] == ["gizmo"]
    desc = await api.ok("GET", "/me/products", token=token, params={"sortBy": "!ID"})
    assert [p["ID"] for p in desc["Items"]] == ["widget", "gizmo"]
    paged = await api.ok(
        "GET", "/me/products", token=token, params={"pageSize": 1, "page": 2, "sortBy": "ID"}
    )
    assert [p["ID"] for p in paged["Items"]] == ["widget"] and paged["Meta"]["TotalPages"] == 2
    bad = await api.get("/me/products", token=token, params={"NoSuchField": "x"})
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidProperty"
    in_catalog = await api.ok("GET", "/me/products", token=tokens["b"], params={"catalogID": "cat-b"})
    assert [p["ID"] for p in in_catalog["Items"]] == ["gadget"]
    other = await api.get("/me/products", token=token, params={"catalogID": "cat-b"})
    assert other.status_code == 404


async def test_me_catalogs_specs_and_variants(api: Api) -> None:
    tokens = await marketplace(api)
    cats = await api.ok("GET", "/me/catalogs", token=tokens["b"])
    assert [c["ID"] for c in cats["Items"]] == ["cat-b"]
    assert (await api.get("/me/catalogs/cat-b", token=tokens["plain"])).status_code == 404
    await api.ok("POST", "/specs", {"ID": "size", "Name": "Size", "DefinesVariant": True})
    await api.ok("POST", "/specs/size/options", {"ID": "S", "Value": "Small"})
    await api.ok("POST", "/specs/size/options", {"ID": "L", "Value": "Large"})
    await api.ok("POST", "/specs/productassignments", {"SpecID": "size", "ProductID": "widget"}, status=204)
    await api.ok("POST", "/products/widget/variants/generate", status=200)
    await api.ok("PATCH", "/products/widget/variants/widget-S", {"Active": False})
    specs = await api.ok("GET", "/me/products/widget/specs", token=tokens["b"])
    assert [s["ID"] for s in specs["Items"]] == ["size"] and specs["Items"][0]["OptionCount"] == 2
    variants = await api.ok("GET", "/me/products/widget/variants", token=tokens["b"])
    assert [v["ID"] for v in variants["Items"]] == ["widget-L"]
    assert (await api.get("/me/products/widget/variants/widget-S", token=tokens["b"])).status_code == 404
    assert (await api.get("/me/products/gizmo/specs", token=tokens["b"])).status_code == 404


async def test_storefront_needs_a_buyer_shopper(api: Api) -> None:
    resp = await api.get("/me/products")  # the admin user is no buyer
    assert resp.status_code == 403 and error_code(resp) == "Auth.InsufficientRoles"
