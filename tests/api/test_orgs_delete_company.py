"""Deleting a buyer or supplier leaves nothing behind that names it."""

from __future__ import annotations

from sqlalchemy import select

from app.store.tables import resources
from tests.api.org_setup import PASSWORD, address_body, buyer, buyer_user, supplier, supplier_user, user_body
from tests.helpers import Api


async def _rows_naming(api: Api, company_id: str) -> list[tuple[str, str, str]]:
    async with api.services.db.reader() as conn:
        rows = (
            await conn.execute(select(resources.c.kind, resources.c.scope, resources.c.id, resources.c.doc))
        ).all()
    return [
        (r.kind, r.scope, r.id)
        for r in rows
        if r.scope == company_id
        or company_id in (r.doc.get("BuyerID"), r.doc.get("SupplierID"), r.doc.get("CompanyID"))
    ]


async def test_deleting_a_buyer_removes_everything_of_it(api: Api) -> None:
    await buyer(api, "b1")
    await buyer(api, "keep")
    token = await buyer_user(api, "b1", "u1", ["Shopper", "MeAddressAdmin"])
    await api.ok("POST", "/buyers/b1/users", user_body("u2"))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "g"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "u2"}, status=204
    )
    await api.ok("POST", "/buyers/b1/addresses", address_body("a1"))
    await api.ok(
        "POST", "/buyers/b1/addresses/assignments", {"AddressID": "a1", "IsShipping": True}, status=204
    )
    await api.ok("POST", "/me/addresses", address_body("home"), token=token)
    await api.ok("POST", "/securityprofiles", {"ID": "sp", "Name": "sp", "Roles": ["Shopper"]})
    for extra in ({}, {"UserGroupID": "g1"}, {"UserID": "u2"}):
        await api.ok(
            "POST",
            "/securityprofiles/assignments",
            {"SecurityProfileID": "sp", "BuyerID": "b1", **extra},
            status=204,
        )
    await api.ok(
        "POST", "/apiclients/assignments", {"ApiClientID": "storefront", "BuyerID": "b1"}, status=204
    )
    await api.ok(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": "sp", "BuyerID": "keep"}, status=204
    )
    assert await _rows_naming(api, "b1")

    await api.ok("DELETE", "/buyers/b1")

    assert await _rows_naming(api, "b1") == []
    assert (await api.get("/buyers/b1")).status_code == 404
    assert (await api.get("/buyers/b1/users")).status_code == 404
    assert (await api.ok("GET", "/apiclients/storefront"))["AssignedBuyerCount"] == 0
    kept = await api.ok("GET", "/securityprofiles/assignments", params={"securityProfileID": "sp"})
    assert [a["BuyerID"] for a in kept["Items"]] == ["keep"]
    # The users are gone: they cannot sign in and their usernames are free again.
    assert (await api.token("u1-name", PASSWORD, client_id="storefront")).status_code == 400
    await api.ok("POST", "/buyers/keep/users", user_body("u1"))
    # A new buyer with the same ID starts empty.
    await buyer(api, "b1")
    for path in ("users", "usergroups", "addresses", "usergroups/assignments", "addresses/assignments"):
        assert (await api.ok("GET", f"/buyers/b1/{path}"))["Items"] == [], path


async def test_deleting_a_supplier_removes_everything_of_it(api: Api) -> None:
    await supplier(api, "s1")
    await supplier_user(api, "s1", "su1", ["MeAdmin"])
    await api.ok("POST", "/suppliers/s1/usergroups", {"ID": "g1", "Name": "g"})
    await api.ok(
        "POST", "/suppliers/s1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "su1"}, status=204
    )
    await api.ok("POST", "/suppliers/s1/addresses", address_body("a1"))
    await api.ok(
        "POST", "/apiclients/assignments", {"ApiClientID": "storefront", "SupplierID": "s1"}, status=204
    )
    assert await _rows_naming(api, "s1")

    await api.ok("DELETE", "/suppliers/s1")

    assert await _rows_naming(api, "s1") == []
    assert (await api.ok("GET", "/apiclients/storefront"))["AssignedSupplierCount"] == 0
    await supplier(api, "other")
    await api.ok("POST", "/suppliers/other/users", user_body("su1"))
    await supplier(api, "s1")
    for path in ("users", "usergroups", "addresses", "usergroups/assignments"):
        assert (await api.ok("GET", f"/suppliers/s1/{path}"))["Items"] == [], path
