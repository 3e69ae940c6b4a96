"""List options at the edges of OrderCloud's contract (issue #11): parameters the official spec
lists that ordercore used to refuse, `depth` everywhere, order search on line-item fields and
OR across fields, and filters that can never match refused like `Total=abc`."""

from __future__ import annotations

from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import Api, error_code


async def two_orders(world: World) -> str:
    """alice's o1 (product p1, comment `rush`) and o2 (product p2); alice's token."""
    await cat.product(world.api, "p1")
    await cat.product(world.api, "p2")
    await world.new_order(body={"ID": "o1", "Comments": "rush"})
    await world.add_line("o1", "p1", ID="L1")
    await world.new_order(body={"ID": "o2"})
    await world.add_line("o2", "p2", ID="L2")
    return await world.token("alice")


async def order_ids(api: Api, token: str, **filters: str) -> list[str]:
    params = {"Status": "Unsubmitted", "sortBy": "ID", **filters}
    page = await api.ok("GET", "/orders/Outgoing", params=params, token=token)
    return [o["ID"] for o in page["Items"]]


async def test_order_search_on_line_item_fields(world: World) -> None:
    token = await two_orders(world)
    api = world.api
    assert await order_ids(api, token, **{"LineItems.ProductID": "p1"}) == ["o1"]
    assert await order_ids(api, token, **{"lineitems.Product.ID": "p2"}) == ["o2"]
    assert await order_ids(api, token, **{"LineItems.ProductID": "p1|p2"}) == ["o1", "o2"]
    assert await order_ids(api, token, **{"LineItems.ProductID": "!p1"}) == ["o2"]
    assert await order_ids(api, token, **{"LineItems.Quantity": ">1"}) == []
    bad = await api.get("/orders/Outgoing", params={"LineItems.Nope": "x"}, token=token)
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidProperty"


async def test_or_across_fields(world: World) -> None:
    token = await two_orders(world)
    api = world.api
    assert await order_ids(api, token, **{"Comments|ID": "o2"}) == ["o2"]
    assert await order_ids(api, token, **{"Comments|ID": "rush"}) == ["o1"]
    assert await order_ids(api, token, **{"Comments|LineItems.ProductID": "p2|rush"}) == ["o1", "o2"]
    # On an ordinary resource list too.
    await api.ok("POST", "/buyers", {"ID": "zeta", "Name": "b1"})
    page = await api.ok("GET", "/buyers", params={"Name|ID": "b1", "sortBy": "ID"})
    assert [b["ID"] for b in page["Items"]] == ["b1", "zeta"]


async def test_filters_that_can_never_match_are_400(world: World) -> None:
    token = await two_orders(world)
    api = world.api
    for params, value in (
        ({"DateCreated": ">notadate"}, ">notadate"),
        ({"Status": "Opne"}, "Opne"),
        ({"Total": ">>5"}, ">>5"),
        ({"Total": "abc"}, "abc"),
    ):
        response = await api.get("/orders/Outgoing", params=params, token=token)
        assert response.status_code == 400, (params, response.text)
        assert error_code(response) == "List.InvalidType"
        assert response.json()["Errors"][0]["Data"]["Value"] == value  # echoed as sent
    # Valid values of the same kinds still filter.
    assert await order_ids(api, token, DateCreated=">2000-01") == ["o1", "o2"]
    assert await order_ids(api, token, Status="unsubmitted|AwaitingApproval") == ["o1", "o2"]
    assert await order_ids(api, token, Total="<0") == []


async def test_depth_is_accepted_on_every_list(world: World) -> None:
    token = await two_orders(world)
    api = world.api
    seller = await world.seller("BuyerReader BuyerUserReader ProductReader OrderReader")
    for path, tok in (
        ("/buyers", seller),
        ("/buyers/b1/users", seller),
        ("/products", seller),
        ("/orders/Incoming", seller),
        ("/orders/Outgoing", token),
        ("/lineitems/Outgoing", token),
        ("/me/products", token),
    ):
        response = await api.get(path, params={"depth": "all"}, token=tok)
        assert response.status_code == 200, (path, response.text)
    # Unknown keys are still filters on model properties, and an unknown property a 400.
    response = await api.get("/buyers", params={"Colour": "red"}, token=seller)
    assert response.status_code == 400 and error_code(response) == "List.InvalidProperty"


async def line_ids(api: Api, token: str, **params: str) -> list[str]:
    page = await api.ok("GET", "/lineitems/Outgoing", params={"sortBy": "ID", **params}, token=token)
    return [line["ID"] for line in page["Items"]]


async def test_lines_across_orders_take_buyer_supplier_and_dates(world: World) -> None:
    token = await two_orders(world)
    api = world.api
    assert await line_ids(api, token, buyerID="b1") == ["L1", "L2"]
    assert await line_ids(api, token, buyerID="b2") == []
    assert await line_ids(api, token, supplierID="nobody") == []
    assert await line_ids(api, token, **{"from": "2000-01-01", "to": "2999-01-01"}) == ["L1", "L2"]
    assert await line_ids(api, token, to="2000-01-01") == []
    bad = await api.get("/lineitems/Outgoing", params={"from": "yesterday"}, token=token)
    assert bad.status_code == 400


async def _promotion(api: Api, promotion_id: str) -> None:
    body = {"ID": promotion_id, "Code": promotion_id, "EligibleExpression": "true", "ValueExpression": "1"}
    await api.ok("POST", "/promotions", body)


async def test_user_id_on_product_and_promotion_assignments(world: World) -> None:
    """`userID` lists the assignments that reach that user: its buyer's company-wide ones and
    those of the groups it belongs to (alice is in g1, carol in no group)."""
    api = world.api
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group 1"})
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g2", "Name": "Group 2"})
    member = {"UserGroupID": "g1", "UserID": "alice"}
    await api.ok("POST", "/buyers/b1/usergroups/assignments", member, status=204)
    await cat.product(api, "p1", buyers=())
    for buyer, group in (("b1", None), ("b1", "g1"), ("b1", "g2"), ("b2", None)):
        await cat.assign(api, "p1", buyer, group_id=group)
        await _promotion(api, f"pr-{buyer}-{group}")
        body: dict[str, Any] = {"PromotionID": f"pr-{buyer}-{group}", "BuyerID": buyer, "UserGroupID": group}
        await api.ok("POST", "/promotions/assignments", body, status=204)

    async def reach(path: str, **params: str) -> list[tuple[str, str]]:
        page = await api.ok("GET", path, params={"pageSize": "100", **params})
        return sorted((a["BuyerID"], a["UserGroupID"] or "") for a in page["Items"])

    for path in ("/products/assignments", "/promotions/assignments"):
        assert await reach(path, userID="alice") == [("b1", ""), ("b1", "g1")], path
        assert await reach(path, userID="alice", buyerID="b1") == [("b1", ""), ("b1", "g1")], path
        assert await reach(path, userID="carol") == [("b1", "")], path
        assert await reach(path, userID="alice", level="Group") == [("b1", "g1")], path
        assert await reach(path, userID="alice", buyerID="b2") == [], path
        assert await reach(path, userID="nobody") == [], path
