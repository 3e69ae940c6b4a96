"""Categories: the ParentID tree and `depth`, assignments, and what a shopper browses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.api.storefront_setup import add_buyer, add_shopper, enable_storefront
from tests.helpers import Api, error_code

CATS = "/catalogs/shop/categories"


def ids(page: dict[str, Any]) -> list[str]:
    return [item["ID"] for item in page["Items"]]


async def tree(api: Api) -> None:
    """Catalog `shop`: clothing (ListOrder 1) > {shirts > tees, pants}; shoes (ListOrder 2)."""
    await api.ok("POST", "/catalogs", {"ID": "shop", "Name": "Shop", "Active": True})
    for body in (
        {"ID": "shoes", "Name": "Shoes", "ListOrder": 2, "Active": True},
        {"ID": "clothing", "Name": "Clothing", "ListOrder": 1, "Active": True},
        {"ID": "shirts", "Name": "Shirts", "ListOrder": 1, "Active": True, "ParentID": "clothing"},
        {"ID": "pants", "Name": "Pants", "ListOrder": 2, "Active": True, "ParentID": "clothing"},
        {"ID": "tees", "Name": "Tees", "ListOrder": 1, "Active": True, "ParentID": "shirts"},
    ):
        await api.ok("POST", CATS, body)


async def test_category_crud_child_count_and_catalog_count(api: Api) -> None:
    await tree(api)
    got = await api.ok("GET", f"{CATS}/clothing")
    assert got == {
        "ID": "clothing",
        "Name": "Clothing",
        "Description": None,
        "ListOrder": 1,
        "Active": True,
        "ParentID": None,
        "ChildCount": 2,
        "xp": None,
    }
    assert (await api.ok("GET", "/catalogs/shop"))["CategoryCount"] == 5
    # ChildCount is read-only and follows moves.
    await api.ok("PATCH", f"{CATS}/pants", {"ParentID": None, "ChildCount": 9})
    assert (await api.ok("GET", f"{CATS}/clothing"))["ChildCount"] == 1
    assert (await api.ok("GET", f"{CATS}/pants"))["ChildCount"] == 0
    dup = await api.post(CATS, {"ID": "shoes", "Name": "again"})
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    assert (await api.ok("GET", "/catalogs/shop"))["CategoryCount"] == 5
    negative = await api.post(CATS, {"ID": "x", "Name": "x", "ListOrder": -1})
    assert negative.status_code == 400
    no_catalog = await api.get("/catalogs/nope/categories")
    assert no_catalog.status_code == 404 and no_catalog.json()["Errors"][0]["Data"]["ObjectType"] == "Catalog"
    # The same category ID may exist in another catalog.
    await api.ok("POST", "/catalogs", {"ID": "other", "Name": "Other"})
    await api.ok("POST", "/catalogs/other/categories", {"ID": "shoes", "Name": "Other shoes"})
    assert (await api.ok("GET", f"{CATS}/shoes"))["Name"] == "Shoes"


async def test_depth_lists_the_tree_level_by_level(api: Api) -> None:
    await tree(api)
    assert ids(await api.ok("GET", CATS)) == ["clothing", "shoes"]  # depth 1: roots, by ListOrder
    assert ids(await api.ok("GET", CATS, params={"depth": "2", "sortBy": "ID"})) == [
        "clothing",
        "pants",
        "shirts",
        "shoes",
    ]
    assert len((await api.ok("GET", CATS, params={"depth": "all"}))["Items"]) == 5
    children = await api.ok("GET", CATS, params={"ParentID": "clothing"})
    assert ids(children) == ["shirts", "pants"]
    below = await api.ok("GET", CATS, params={"ParentID": "clothing", "depth": "all", "sortBy": "ID"})
    assert ids(below) == ["pants", "shirts", "tees"]
    # A ParentID filter with operators is an ordinary filter: `!*` are the roots.
    roots = await api.ok("GET", CATS, params={"ParentID": "!*", "depth": "all"})
    assert ids(roots) == ["clothing", "shoes"]
    for bad in ("0", "-1", "deep"):
        resp = await api.get(CATS, params={"depth": bad})
        assert resp.status_code == 400 and error_code(resp) == "Category.InvalidDepth"
    assert (await api.ok("GET", CATS, params={"ParentID": "nope", "depth": "all"}))["Items"] == []


async def test_parent_must_exist_and_cycles_are_refused(api: Api) -> None:
    await tree(api)
    missing = await api.post(CATS, {"ID": "x", "Name": "x", "ParentID": "nope"})
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Category"
    for parent in ("clothing", "tees"):
        resp = await api.patch(f"{CATS}/clothing", {"ParentID": parent})
        assert resp.status_code == 400 and error_code(resp) == "Category.CircularReference"
    assert (await api.ok("GET", f"{CATS}/clothing"))["ParentID"] is None


async def test_rename_moves_children_and_assignments(api: Api) -> None:
    await tree(api)
    await api.ok("POST", "/products", {"ID": "tee1", "Name": "Tee"})
    await add_buyer(api, "b1")
    await api.ok(
        "POST", f"{CATS}/productassignments", {"CategoryID": "shirts", "ProductID": "tee1"}, status=204
    )
    await api.ok(
        "POST", f"{CATS}/assignments", {"CategoryID": "shirts", "BuyerID": "b1", "Visible": True}, status=204
    )
    await api.ok("PATCH", f"{CATS}/shirts", {"ID": "tops"})
    assert (await api.ok("GET", f"{CATS}/tees"))["ParentID"] == "tops"
    assert (await api.ok("GET", f"{CATS}/tops"))["ChildCount"] == 1
    links = await api.ok("GET", f"{CATS}/productassignments")
    assert links["Items"] == [{"CategoryID": "tops", "ProductID": "tee1", "ListOrder": None}]
    grants = await api.ok("GET", f"{CATS}/assignments")
    assert [a["CategoryID"] for a in grants["Items"]] == ["tops"]
    # Renaming the product and the catalog carries the assignments too.
    await api.ok("PATCH", "/products/tee1", {"ID": "tee2"})
    await api.ok("PATCH", "/catalogs/shop", {"ID": "store"})
    moved = await api.ok("GET", "/catalogs/store/categories/productassignments")
    assert moved["Items"] == [{"CategoryID": "tops", "ProductID": "tee2", "ListOrder": None}]
    assert (await api.ok("GET", "/catalogs/store"))["CategoryCount"] == 5


async def test_deleting_a_category_deletes_its_subtree(api: Api) -> None:
    await tree(api)
    await api.ok("POST", "/products", {"ID": "tee1", "Name": "Tee"})
    await api.ok(
        "POST", f"{CATS}/productassignments", {"CategoryID": "tees", "ProductID": "tee1"}, status=204
    )
    await api.ok("DELETE", f"{CATS}/clothing")
    assert ids(await api.ok("GET", CATS, params={"depth": "all"})) == ["shoes"]
    assert (await api.ok("GET", f"{CATS}/productassignments"))["Items"] == []
    assert (await api.ok("GET", "/catalogs/shop"))["CategoryCount"] == 1
    await api.ok("DELETE", "/catalogs/shop")
    await api.ok("POST", "/catalogs", {"ID": "shop", "Name": "Shop again"})
    assert (await api.ok("GET", CATS, params={"depth": "all"}))["Items"] == []


async def test_assignments_save_list_and_delete(api: Api) -> None:
    await tree(api)
    await add_buyer(api, "b1")
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "G1"})
    for product in ("p1", "p2"):
        await api.ok("POST", "/products", {"ID": product, "Name": product})
    await api.ok("POST", "/products", {"ID": "child", "Name": "child", "ParentID": "p1"})
    assign = f"{CATS}/assignments"
    await api.ok("POST", assign, {"CategoryID": "shirts", "BuyerID": "b1", "Visible": True}, status=204)
    await api.ok("POST", assign, {"CategoryID": "shirts", "BuyerID": "b1", "UserGroupID": "g1"}, status=204)
    await api.ok("POST", assign, {"CategoryID": "shirts", "BuyerID": "b1", "Visible": False}, status=204)
    listed = await api.ok("GET", assign, params={"level": "Company"})
    assert listed["Items"] == [
        {
            "CategoryID": "shirts",
            "BuyerID": "b1",
            "UserGroupID": None,
            "Visible": False,
            "ViewAllProducts": None,
        }
    ]
    assert len((await api.ok("GET", assign, params={"level": "Group"}))["Items"]) == 1
    assert (await api.ok("GET", assign, params={"level": "User"}))["Items"] == []
    no_buyer = await api.post(assign, {"CategoryID": "shirts"})
    assert no_buyer.status_code == 400 and error_code(no_buyer) == "Category.NoBuyer"
    for body, object_type in [
        ({"CategoryID": "nope", "BuyerID": "b1"}, "Category"),
        ({"CategoryID": "shirts", "BuyerID": "nope"}, "Buyer"),
        ({"CategoryID": "shirts", "BuyerID": "b1", "UserGroupID": "nope"}, "UserGroup"),
    ]:
        resp = await api.post(assign, body)
        assert resp.status_code == 404 and resp.json()["Errors"][0]["Data"]["ObjectType"] == object_type
    await api.ok("DELETE", f"{CATS}/shirts/assignments", params={"buyerID": "b1", "userGroupID": "g1"})
    assert len((await api.ok("GET", assign))["Items"]) == 1
    no_buyer_delete = await api.delete(f"{CATS}/shirts/assignments")
    assert no_buyer_delete.status_code == 400

    products = f"{CATS}/productassignments"
    await api.ok("POST", products, {"CategoryID": "shirts", "ProductID": "p2", "ListOrder": 1}, status=204)
    await api.ok("POST", products, {"CategoryID": "shirts", "ProductID": "p1", "ListOrder": 2}, status=204)
    await api.ok("POST", products, {"CategoryID": "pants", "ProductID": "p1", "ListOrder": 0}, status=204)
    in_shirts = await api.ok("GET", products, params={"categoryID": "shirts"})
    assert [(a["ProductID"], a["ListOrder"]) for a in in_shirts["Items"]] == [("p2", 1), ("p1", 2)]
    child = await api.post(products, {"CategoryID": "shirts", "ProductID": "child"})
    assert child.status_code == 400 and error_code(child) == "Category.CannotAssignChildProduct"
    await api.ok("DELETE", f"{CATS}/shirts/productassignments/p2")
    assert [
        a["ProductID"] for a in (await api.ok("GET", products, params={"categoryID": "shirts"}))["Items"]
    ] == ["p1"]
    # A deleted product leaves no assignment behind; a deleted buyer neither.
    await api.ok("DELETE", "/products/p1")
    assert (await api.ok("GET", products))["Items"] == []
    await api.ok("DELETE", "/buyers/b1")
    assert (await api.ok("GET", assign))["Items"] == []


async def test_admin_product_list_by_category(api: Api) -> None:
    await tree(api)
    for product in ("tee", "shirt", "jeans"):
        await api.ok("POST", "/products", {"ID": product, "Name": product})
    links = f"{CATS}/productassignments"
    for category, product in (("tees", "tee"), ("shirts", "shirt"), ("pants", "jeans")):
        await api.ok("POST", links, {"CategoryID": category, "ProductID": product}, status=204)
    params = {"catalogID": "shop", "categoryID": "clothing", "sortBy": "ID"}
    assert ids(await api.ok("GET", "/products", params=params)) == ["jeans", "shirt", "tee"]
    assert ids(await api.ok("GET", "/products", params={**params, "categoryID": "shirts", "depth": "1"})) == [
        "shirt"
    ]
    no_catalog = await api.get("/products", params={"categoryID": "shirts"})
    assert (
        no_catalog.status_code == 400 and error_code(no_catalog) == "Product.CategoryFilterRequiresCatalogID"
    )


async def test_category_roles(api: Api) -> None:
    await tree(api)
    await enable_storefront(api)
    await add_buyer(api, "b1")
    shopper = await add_shopper(api, "b1", "sam")
    resp = await api.get(CATS, token=shopper)
    assert resp.status_code == 403
    resp = await api.post(CATS, {"Name": "x"}, token=shopper)
    assert resp.status_code == 403


# --------------------------------------------------------------------------- the storefront


async def storefront(api: Api, *, view_all: bool) -> dict[str, str]:
    """Buyer b1 sees catalog `shop` (ViewAllCategories per `view_all`); alice is in group `vip`,
    bob in no group. Products: tee (tees), shirt (shirts), jeans (pants), boot (shoes), all
    visible through the catalog; `hidden` is in tees but not visible to b1."""
    await tree(api)
    await enable_storefront(api)
    await add_buyer(api, "b1")
    tokens = {
        "alice": await add_shopper(api, "b1", "alice", groups=("vip",)),
        "bob": await add_shopper(api, "b1", "bob"),
    }
    body = {"CatalogID": "shop", "BuyerID": "b1", "ViewAllProducts": True, "ViewAllCategories": view_all}
    await api.ok("POST", "/catalogs/assignments", body, status=204)
    for product, category in (("tee", "tees"), ("shirt", "shirts"), ("jeans", "pants"), ("boot", "shoes")):
        await api.ok("POST", "/products", {"ID": product, "Name": product, "Active": True})
        await api.ok(
            "POST", "/catalogs/productassignments", {"CatalogID": "shop", "ProductID": product}, status=204
        )
        await api.ok(
            "POST", f"{CATS}/productassignments", {"CategoryID": category, "ProductID": product}, status=204
        )
    await api.ok("POST", "/products", {"ID": "hidden", "Name": "hidden", "Active": True})
    await api.ok(
        "POST", f"{CATS}/productassignments", {"CategoryID": "tees", "ProductID": "hidden"}, status=204
    )
    return tokens


async def test_shopper_browses_the_tree(api: Api) -> None:
    tokens = await storefront(api, view_all=True)
    alice = tokens["alice"]
    roots = await api.ok("GET", "/me/categories", token=alice)  # the buyer's only catalog
    assert ids(roots) == ["clothing", "shoes"] and roots["Items"][0]["ChildCount"] == 2
    children = await api.ok(
        "GET", "/me/categories", token=alice, params={"catalogID": "shop", "ParentID": "clothing"}
    )
    assert ids(children) == ["shirts", "pants"]
    everything = await api.ok("GET", "/me/categories", token=alice, params={"depth": "all"})
    assert everything["Meta"]["TotalCount"] == 5
    with_product = await api.ok(
        "GET", "/me/categories", token=alice, params={"productID": "jeans", "depth": "all"}
    )
    assert ids(with_product) == ["pants"]
    assert (await api.ok("GET", "/me/categories/tees", token=alice, params={"catalogID": "shop"}))[
        "Name"
    ] == "Tees"

    by_category = {"catalogID": "shop", "categoryID": "clothing", "sortBy": "ID"}
    assert ids(await api.ok("GET", "/me/products", token=alice, params=by_category)) == [
        "jeans",
        "shirt",
        "tee",
    ]
    only_shirts = {**by_category, "categoryID": "shirts", "depth": "1"}
    assert ids(await api.ok("GET", "/me/products", token=alice, params=only_shirts)) == ["shirt"]
    two_levels = {**by_category, "depth": "2"}
    assert ids(await api.ok("GET", "/me/products", token=alice, params=two_levels)) == ["jeans", "shirt"]
    # No catalogID: the buyer's only catalog is used.
    tees = await api.ok("GET", "/me/products", token=alice, params={"categoryID": "tees"})
    assert ids(tees) == ["tee"]  # `hidden` is in the category but not visible to the buyer
    unknown = await api.get("/me/products", token=alice, params={"categoryID": "nope"})
    assert unknown.status_code == 404 and unknown.json()["Errors"][0]["Data"]["ObjectType"] == "Category"


async def test_inactive_category_hides_its_subtree(api: Api) -> None:
    tokens = await storefront(api, view_all=True)
    await api.ok("PATCH", f"{CATS}/shirts", {"Active": False})
    everything = await api.ok(
        "GET", "/me/categories", token=tokens["bob"], params={"depth": "all", "sortBy": "ID"}
    )
    assert ids(everything) == ["clothing", "pants", "shoes"]
    for category in ("shirts", "tees"):
        assert (await api.get(f"/me/categories/{category}", token=tokens["bob"])).status_code == 404
    gone = await api.get("/me/products", token=tokens["bob"], params={"categoryID": "tees"})
    assert gone.status_code == 404
    clothing = await api.ok("GET", "/me/products", token=tokens["bob"], params={"categoryID": "clothing"})
    assert ids(clothing) == ["jeans"]


async def test_category_assignments_decide_visibility(api: Api) -> None:
    tokens = await storefront(api, view_all=False)
    alice, bob = tokens["alice"], tokens["bob"]
    # Without ViewAllCategories and without assignments, nothing is visible.
    assert (await api.ok("GET", "/me/categories", token=bob, params={"depth": "all"}))["Items"] == []
    assign = f"{CATS}/assignments"
    # Company-level: clothing and (inherited) everything below it...
    await api.ok("POST", assign, {"CategoryID": "clothing", "BuyerID": "b1", "Visible": True}, status=204)
    # ...except pants, hidden at company level, but shown again to the vip group.
    await api.ok("POST", assign, {"CategoryID": "pants", "BuyerID": "b1", "Visible": False}, status=204)
    await api.ok(
        "POST",
        assign,
        {"CategoryID": "pants", "BuyerID": "b1", "UserGroupID": "vip", "Visible": True},
        status=204,
    )
    all_bob = await api.ok("GET", "/me/categories", token=bob, params={"depth": "all", "sortBy": "ID"})
    assert ids(all_bob) == ["clothing", "shirts", "tees"]
    all_alice = await api.ok("GET", "/me/categories", token=alice, params={"depth": "all", "sortBy": "ID"})
    assert ids(all_alice) == ["clothing", "pants", "shirts", "tees"]
    # ChildCount counts the children this user sees.
    child_counts = {c["ID"]: c["ChildCount"] for c in all_bob["Items"]}
    assert child_counts == {"clothing": 1, "shirts": 1, "tees": 0}
    assert (await api.ok("GET", "/me/categories/clothing", token=alice))["ChildCount"] == 2
    # Products in a category follow the same rule: pants' products only for alice.
    assert ids(await api.ok("GET", "/me/products", token=alice, params={"categoryID": "pants"})) == ["jeans"]
    assert (await api.get("/me/products", token=bob, params={"categoryID": "pants"})).status_code == 404
    # The descendants of a visible category count only where visible.
    assert ids(
        await api.ok("GET", "/me/products", token=bob, params={"categoryID": "clothing", "sortBy": "ID"})
    ) == [
        "shirt",
        "tee",
    ]


async def test_me_categories_catalog_choice(api: Api) -> None:
    tokens = await storefront(api, view_all=True)
    bob = tokens["bob"]
    await api.ok("POST", "/catalogs", {"ID": "second", "Name": "Second", "Active": True})
    await api.ok("POST", "/catalogs/second/categories", {"ID": "misc", "Name": "Misc", "Active": True})
    await api.ok(
        "POST",
        "/catalogs/assignments",
        {"CatalogID": "second", "BuyerID": "b1", "ViewAllCategories": True},
        status=204,
    )
    # Two catalogs and no default: catalogID is needed.
    ambiguous = await api.get("/me/categories", token=bob)
    assert ambiguous.status_code == 400
    assert ids(await api.ok("GET", "/me/categories", token=bob, params={"catalogID": "second"})) == ["misc"]
    await api.ok("PATCH", "/buyers/b1", {"DefaultCatalogID": "second"})
    assert ids(await api.ok("GET", "/me/categories", token=bob)) == ["misc"]
    hidden = await api.get("/me/categories", token=bob, params={"catalogID": "nope"})
    assert hidden.status_code == 404
    admin = await api.get("/me/categories")
    assert admin.status_code == 403


async def test_category_browsing_costs_the_same_statements_for_a_bigger_tree(api: Api) -> None:
    """The category filter is one SQL condition: no statement per category or per product."""
    tokens = await storefront(api, view_all=True)
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    async def cost(path: str, params: dict[str, str]) -> int:
        seen.clear()
        await api.ok("GET", path, token=tokens["bob"], params=params)
        return len(seen)

    engine = api.services.db.engine.sync_engine
    by_category = {"categoryID": "clothing"}
    menu = {"depth": "all"}
    # Warm the caller's standing cache first, so both measurements count the same auth work.
    await api.ok("GET", "/me", token=tokens["bob"])
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        before = (await cost("/me/products", by_category), await cost("/me/categories", menu))
        for n in range(6):
            body = {"ID": f"sub{n}", "Name": f"Sub {n}", "Active": True, "ParentID": "pants"}
            await api.ok("POST", CATS, body)
            await api.ok("POST", "/products", {"ID": f"sp{n}", "Name": f"sp{n}", "Active": True})
            link = {"CatalogID": "shop", "ProductID": f"sp{n}"}
            await api.ok("POST", "/catalogs/productassignments", link, status=204)
            link = {"CategoryID": f"sub{n}", "ProductID": f"sp{n}"}
            await api.ok("POST", f"{CATS}/productassignments", link, status=204)
        after = (await cost("/me/products", by_category), await cost("/me/categories", menu))
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert after == before
    page = await api.ok("GET", "/me/products", token=tokens["bob"], params={**by_category, "pageSize": 100})
    assert page["Meta"]["TotalCount"] == 3 + 6
