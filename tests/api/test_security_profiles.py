from __future__ import annotations

import pytest

from tests.api.org_setup import PASSWORD, buyer, roles_of, storefront_client, supplier, user_body
from tests.helpers import Api, error_code


async def test_profile_crud_and_role_validation(api: Api) -> None:
    created = await api.ok(
        "POST",
        "/securityprofiles",
        {
            "ID": "sp1",
            "Name": "Shoppers",
            "Roles": ["Shopper"],
            "CustomRoles": ["Custom1"],
            "IsExternalRoleGroup": True,
        },
    )
    assert created["Roles"] == ["Shopper"] and created["CustomRoles"] == ["Custom1"]
    assert created["IsExternalRoleGroup"] is False
    patched = await api.ok(
        "PATCH",
        "/securityprofiles/sp1",
        {"Roles": ["Shopper", "MeAdmin"], "PasswordConfig": {"MinimumCharacterCount": 12}},
    )
    assert (
        patched["Roles"] == ["Shopper", "MeAdmin"]
        and patched["PasswordConfig"]["MinimumCharacterCount"] == 12
    )
    saved = await api.ok("PUT", "/securityprofiles/sp1", {"Name": "Renamed", "Roles": []})
    assert saved["Name"] == "Renamed" and saved["Roles"] == [] and saved["PasswordConfig"] is None
    page = await api.ok("GET", "/securityprofiles", params={"Name": "Renamed"})
    assert [p["ID"] for p in page["Items"]] == ["sp1"]

    unknown = await api.post("/securityprofiles", {"Name": "bad", "Roles": ["Shopper", "MakeCoffee"]})
    assert unknown.status_code == 400
    error = unknown.json()["Errors"][0]
    assert "MakeCoffee" in error["Message"] and error["Data"]["Value"] == "MakeCoffee"
    bad_patch = await api.patch("/securityprofiles/sp1", {"Roles": ["Nope"]})
    assert bad_patch.status_code == 400 and "Nope" in bad_patch.json()["Errors"][0]["Message"]
    assert (await api.ok("GET", "/securityprofiles/sp1"))["Roles"] == []
    dup = await api.post("/securityprofiles", {"ID": "sp1", "Name": "again"})
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    wrong_type = await api.post("/securityprofiles", {"Name": "x", "Roles": "Shopper"})
    assert wrong_type.status_code == 400 and wrong_type.json()["Errors"][0]["Data"]["Field"] == "Roles"

    await api.ok("POST", "/securityprofiles/assignments", {"SecurityProfileID": "sp1"}, status=204)
    await api.ok("DELETE", "/securityprofiles/sp1")
    assert (await api.get("/securityprofiles/sp1")).status_code == 404
    left = await api.ok("GET", "/securityprofiles/assignments", params={"securityProfileID": "sp1"})
    assert left["Items"] == []


async def _parties(api: Api) -> None:
    await api.ok("POST", "/securityprofiles", {"ID": "sp", "Name": "sp", "Roles": ["Shopper"]})
    await buyer(api, "b1")
    await supplier(api, "s1")
    await api.ok("POST", "/buyers/b1/users", user_body("bu"))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "bg", "Name": "group"})
    await api.ok("POST", "/suppliers/s1/users", user_body("su"))
    await api.ok("POST", "/adminusers", user_body("au"))
    await api.ok("POST", "/usergroups", {"ID": "ag", "Name": "admins"})


async def test_assignments_at_every_level_and_filters(api: Api) -> None:
    await _parties(api)
    bodies = [
        {"BuyerID": "b1"},
        {"BuyerID": "b1", "UserGroupID": "bg"},
        {"BuyerID": "b1", "UserID": "bu"},
        {"SupplierID": "s1", "UserID": "su"},
        {"UserID": "au"},
        {"UserGroupID": "ag"},
    ]
    for body in bodies:
        await api.ok("POST", "/securityprofiles/assignments", {"SecurityProfileID": "sp", **body}, status=204)
    # Saving the same assignment again changes nothing.
    await api.ok(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": "sp", "BuyerID": "b1"}, status=204
    )

    async def listed(**params: str) -> list[dict[str, object]]:
        page = await api.ok(
            "GET", "/securityprofiles/assignments", params={"securityProfileID": "sp", **params}
        )
        return list(page["Items"])

    assert len(await listed()) == 6
    assert len(await listed(buyerID="b1")) == 3
    assert await listed(buyerID="b1", level="Company") == [
        {"SecurityProfileID": "sp", "BuyerID": "b1", "SupplierID": None, "UserID": None, "UserGroupID": None}
    ]
    assert sorted(str(a["UserID"]) for a in await listed(level="User")) == ["au", "bu", "su"]
    assert sorted(str(a["UserGroupID"]) for a in await listed(level="Group")) == ["ag", "bg"]
    assert sorted(str(a["UserID"]) for a in await listed(commerceRole="Seller")) == ["None", "au"]
    assert [a["UserID"] for a in await listed(commerceRole="Supplier")] == ["su"]
    assert [a["UserID"] for a in await listed(userID="bu")] == ["bu"]
    bad_level = await api.get("/securityprofiles/assignments", params={"level": "Planet"})
    assert bad_level.status_code == 400

    await api.ok("DELETE", "/securityprofiles/sp/assignments", params={"buyerID": "b1", "userID": "bu"})
    await api.ok("DELETE", "/securityprofiles/sp/assignments", params={"userGroupID": "ag"})
    assert len(await listed()) == 4
    missing = await api.delete("/securityprofiles/sp/assignments", params={"buyerID": "b1", "userID": "bu"})
    assert missing.status_code == 404
    no_profile = await api.delete("/securityprofiles/nope/assignments", params={"buyerID": "b1"})
    assert (
        no_profile.status_code == 404
        and no_profile.json()["Errors"][0]["Data"]["ObjectType"] == "SecurityProfile"
    )


@pytest.mark.parametrize(
    ("body", "status", "object_type"),
    [
        ({"SecurityProfileID": "nope", "BuyerID": "b1"}, 404, "SecurityProfile"),
        ({"SecurityProfileID": "sp", "BuyerID": "zz"}, 404, "Buyer"),
        ({"SecurityProfileID": "sp", "SupplierID": "zz"}, 404, "Supplier"),
        ({"SecurityProfileID": "sp", "BuyerID": "b1", "UserID": "zz"}, 404, "User"),
        # A buyer's user is not an admin user nor a supplier's user.
        ({"SecurityProfileID": "sp", "UserID": "bu"}, 404, "User"),
        ({"SecurityProfileID": "sp", "SupplierID": "s1", "UserID": "bu"}, 404, "User"),
        ({"SecurityProfileID": "sp", "BuyerID": "b1", "UserGroupID": "ag"}, 404, "UserGroup"),
        ({"SecurityProfileID": "sp", "UserGroupID": "bg"}, 404, "UserGroup"),
    ],
)
async def test_assignment_must_name_existing_parties(
    api: Api, body: dict[str, str], status: int, object_type: str
) -> None:
    await _parties(api)
    response = await api.post("/securityprofiles/assignments", body)
    assert response.status_code == status
    assert (
        error_code(response) == "NotFound"
        and response.json()["Errors"][0]["Data"]["ObjectType"] == object_type
    )
    page = await api.ok("GET", "/securityprofiles/assignments", params={"securityProfileID": "sp"})
    assert page["Items"] == []


async def test_assignment_input_refusals(api: Api) -> None:
    await _parties(api)
    both = await api.post(
        "/securityprofiles/assignments", {"SecurityProfileID": "sp", "BuyerID": "b1", "SupplierID": "s1"}
    )
    assert both.status_code == 400 and error_code(both) == "SecurityProfile.CannotProvideSupplierID"
    user_and_group = await api.post(
        "/securityprofiles/assignments",
        {"SecurityProfileID": "sp", "BuyerID": "b1", "UserID": "bu", "UserGroupID": "bg"},
    )
    assert user_and_group.status_code == 400
    no_profile = await api.post("/securityprofiles/assignments", {"BuyerID": "b1"})
    assert (
        no_profile.status_code == 400
        and no_profile.json()["Errors"][0]["Data"]["Field"] == "SecurityProfileID"
    )
    bad_chars = await api.post("/securityprofiles/assignments", {"SecurityProfileID": "sp", "BuyerID": "b 1"})
    assert bad_chars.status_code == 400 and bad_chars.json()["Errors"][0]["Data"]["Field"] == "BuyerID"
    malformed = await api.post("/securityprofiles/assignments", raw=b'{"SecurityProfileID": ')
    assert malformed.status_code == 400 and error_code(malformed) == "InvalidJson"


@pytest.mark.parametrize("level", ["buyer", "group", "user"])
async def test_token_roles_are_requested_scope_within_available_roles(api: Api, level: str) -> None:
    await buyer(api, "b1")
    await api.ok("POST", "/buyers/b1/users", user_body("u1"))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "group"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "u1"}, status=204
    )
    await api.ok("POST", "/securityprofiles", {"ID": "shop", "Name": "shop", "Roles": ["Shopper", "MeAdmin"]})
    target = {"buyer": {}, "group": {"UserGroupID": "g1"}, "user": {"UserID": "u1"}}[level]
    await api.ok(
        "POST",
        "/securityprofiles/assignments",
        {"SecurityProfileID": "shop", "BuyerID": "b1", **target},
        status=204,
    )
    await storefront_client(api)

    async def granted(scope: str | None) -> list[str]:
        return roles_of(await api.login("u1-name", PASSWORD, client_id="storefront", scope=scope))

    assert await granted(None) == ["MeAdmin", "Shopper"]
    assert await granted("Shopper OrderAdmin") == ["Shopper"]
    assert await granted("BuyerAdmin FullAccess") == []
    assert await granted("MeAdmin Shopper") == ["MeAdmin", "Shopper"]
    me = await api.ok("GET", "/me", token=await api.login("u1-name", PASSWORD, client_id="storefront"))
    assert me["AvailableRoles"] == ["MeAdmin", "Shopper"]


async def test_other_buyers_assignments_give_nothing(api: Api) -> None:
    await buyer(api, "b1")
    await buyer(api, "b2")
    await api.ok("POST", "/buyers/b1/users", user_body("u1"))
    await api.ok("POST", "/securityprofiles", {"ID": "shop", "Name": "shop", "Roles": ["Shopper"]})
    await api.ok(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": "shop", "BuyerID": "b2"}, status=204
    )
    await storefront_client(api)
    assert roles_of(await api.login("u1-name", PASSWORD, client_id="storefront")) == []
    await api.ok("DELETE", "/securityprofiles/shop/assignments", params={"buyerID": "b2"})
    await api.ok(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": "shop", "BuyerID": "b1"}, status=204
    )
    assert roles_of(await api.login("u1-name", PASSWORD, client_id="storefront")) == ["Shopper"]
