"""Renaming a resource by PUT or PATCH `{"ID": ...}` takes what names it along (issue #11):
users, user groups, security profiles, addresses and promotions, as catalog renames always did."""

from __future__ import annotations

from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.org_setup import address_body, buyer, user_body
from tests.helpers import Api


async def pairs(api: Api, path: str, fields: tuple[str, ...], **params: str) -> list[tuple[Any, ...]]:
    page = await api.ok("GET", path, params={"pageSize": "100", **params})
    return sorted(tuple(item[f] or "" for f in fields) for item in page["Items"])


async def seed(api: Api) -> None:
    """Buyer b1 with user u1 in group g1; a security profile `sp` assigned to u1 and to g1;
    address a1 and card c1 assigned to u1 and to g1; product p1 and a promotion for g1."""
    await buyer(api, "b1")
    await api.ok("POST", "/buyers/b1/users", user_body("u1"))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    member = {"UserGroupID": "g1", "UserID": "u1"}
    await api.ok("POST", "/buyers/b1/usergroups/assignments", member, status=204)
    await api.ok("POST", "/securityprofiles", {"ID": "sp", "Name": "sp", "Roles": ["Shopper"]})
    await api.ok("POST", "/buyers/b1/addresses", address_body("a1"))
    for party in ({"UserID": "u1"}, {"UserGroupID": "g1"}):
        body = {"SecurityProfileID": "sp", "BuyerID": "b1", **party}
        await api.ok("POST", "/securityprofiles/assignments", body, status=204)
        body = {"AddressID": "a1", "IsShipping": True, **party}
        await api.ok("POST", "/buyers/b1/addresses/assignments", body, status=204)
    await cat.product(api, "p1", buyers=())
    await cat.assign(api, "p1", "b1", group_id="g1")
    promotion = {"ID": "pr", "Code": "PR", "EligibleExpression": "true", "ValueExpression": "1"}
    await api.ok("POST", "/promotions", promotion)
    body = {"PromotionID": "pr", "BuyerID": "b1", "UserGroupID": "g1"}
    await api.ok("POST", "/promotions/assignments", body, status=204)


MEMBERS = "/buyers/b1/usergroups/assignments"
PROFILES = "/securityprofiles/assignments"
ADDRESSES = "/buyers/b1/addresses/assignments"


async def test_renaming_a_user_moves_its_assignments(api: Api) -> None:
    await seed(api)
    renamed = await api.ok("PATCH", "/buyers/b1/users/u1", {"ID": "u2"})
    assert renamed["ID"] == "u2"
    assert await pairs(api, MEMBERS, ("UserGroupID", "UserID")) == [("g1", "u2")]
    assert await pairs(api, PROFILES, ("SecurityProfileID", "UserID"), level="User", buyerID="b1") == [
        ("sp", "u2")
    ]
    assert await pairs(api, ADDRESSES, ("AddressID", "UserID"), level="User") == [("a1", "u2")]
    # The renamed user reaches what it reached before; the old ID reaches nothing.
    assert await pairs(api, "/products/assignments", ("ProductID",), userID="u2") == [("p1",)]
    assert await pairs(api, "/products/assignments", ("ProductID",), userID="u1") == []
    # Deleting the renamed user still cleans up after it (the assignments name the new ID).
    await api.ok("DELETE", "/buyers/b1/users/u2", status=204)
    assert await pairs(api, MEMBERS, ("UserID",)) == []
    assert await pairs(api, PROFILES, ("UserID",), level="User", buyerID="b1") == []


async def test_renaming_a_user_group_by_put_moves_its_assignments(api: Api) -> None:
    await seed(api)
    await api.ok("PUT", "/buyers/b1/usergroups/g1", {"ID": "g2", "Name": "Group"})
    assert await pairs(api, MEMBERS, ("UserGroupID", "UserID")) == [("g2", "u1")]
    assert await pairs(api, PROFILES, ("UserGroupID",), level="Group") == [("g2",)]
    assert await pairs(api, ADDRESSES, ("UserGroupID",), level="Group") == [("g2",)]
    assert await pairs(api, "/products/assignments", ("ProductID", "UserGroupID")) == [("p1", "g2")]
    assert await pairs(api, "/promotions/assignments", ("PromotionID", "UserGroupID")) == [("pr", "g2")]
    # The group's members still see the product through it.
    assert await pairs(api, "/products/assignments", ("ProductID",), userID="u1") == [("p1",)]


async def test_renaming_a_security_profile_moves_its_assignments(api: Api) -> None:
    await seed(api)
    await api.ok("PATCH", "/securityprofiles/sp", {"ID": "sp2"})
    assert await pairs(api, PROFILES, ("SecurityProfileID", "UserID", "UserGroupID"), buyerID="b1") == [
        ("sp2", "", "g1"),
        ("sp2", "u1", ""),
    ]
    assert await pairs(api, PROFILES, ("UserID",), securityProfileID="sp") == []


async def test_renaming_an_address_and_a_promotion(api: Api) -> None:
    await seed(api)
    await api.ok("PATCH", "/buyers/b1/addresses/a1", {"ID": "a2"})
    assert await pairs(api, ADDRESSES, ("AddressID",)) == [("a2",), ("a2",)]
    await api.ok("PATCH", "/promotions/pr", {"ID": "pr2"})
    assert await pairs(api, "/promotions/assignments", ("PromotionID",)) == [("pr2",)]


async def test_renaming_a_buyer_moves_its_users_groups_and_assignments(api: Api) -> None:
    await seed(api)
    await api.ok("PATCH", "/buyers/b1", {"ID": "b9"})
    assert (await api.get("/buyers/b1/users")).status_code == 404
    user = await api.ok("GET", "/buyers/b9/users/u1")
    assert user["CompanyID"] == "b9"
    members = "/buyers/b9/usergroups/assignments"
    assert await pairs(api, members, ("UserGroupID", "UserID")) == [("g1", "u1")]
    assert await pairs(api, PROFILES, ("BuyerID", "UserID", "UserGroupID"), buyerID="b9") == [
        ("b9", "", "g1"),
        ("b9", "u1", ""),
    ]
    assert await pairs(api, "/products/assignments", ("BuyerID", "UserGroupID")) == [("b9", "g1")]
    assert await pairs(api, "/products/assignments", ("ProductID",), userID="u1") == [("p1",)]
    # The user still signs in by username (its marketplace-wide key moved with it).
    assert (await api.ok("GET", "/buyerusers", params={"Username": "u1-name"}))["Items"][0]["ID"] == "u1"


async def test_renaming_a_supplier_moves_its_users(api: Api) -> None:
    await api.ok("POST", "/suppliers", {"ID": "s1", "Name": "S1"})
    await api.ok("POST", "/suppliers/s1/users", user_body("su1"))
    await api.ok("PUT", "/suppliers/s1", {"ID": "s2", "Name": "S1"})
    assert (await api.ok("GET", "/suppliers/s2/users/su1"))["CompanyID"] == "s2"
    again = await api.post("/suppliers/s2/users", user_body("other", Username="su1-name"))
    assert again.status_code == 409  # the username is still taken: its unique key moved with it
