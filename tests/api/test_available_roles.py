"""`User.AvailableRoles` (read-only): the roles, then the custom roles, that the user's security
profiles give it now, through its company, its groups or itself; filled on every answer that shows
a user (Get, List, Create, Save, Patch, ListAcrossBuyers), as on `GET /me`. As OrderCloud, only the
roles the user's type can hold (`app.auth.roles.ROLES_OF_USER_TYPE`): a buyer user's seller roles
are left out, of its AvailableRoles and of its tokens alike."""

from __future__ import annotations

from tests.api.org_setup import PASSWORD, buyer, roles_of, storefront_client, supplier, user_body
from tests.helpers import Api


async def _profile(api: Api, profile_id: str, roles: list[str], custom: list[str] | None = None) -> None:
    body = {"ID": profile_id, "Name": profile_id, "Roles": roles, "CustomRoles": custom or []}
    await api.ok("POST", "/securityprofiles", body)


async def _assign(api: Api, profile_id: str, **where: str) -> None:
    body = {"SecurityProfileID": profile_id, **where}
    await api.ok("POST", "/securityprofiles/assignments", body, status=204)


async def test_available_roles_come_from_company_group_and_user_profiles(api: Api) -> None:
    await buyer(api, "b1")
    await buyer(api, "b2")
    await _profile(api, "shop", ["Shopper", "MeAdmin"])
    await _profile(api, "orders", ["OrderAdmin"], ["ReportViewer"])
    await _profile(api, "addresses", ["AddressReader"])
    await _assign(api, "shop", BuyerID="b1")
    created = await api.ok("POST", "/buyers/b1/users", user_body("u1"))
    assert created["AvailableRoles"] == ["MeAdmin", "Shopper"]
    await api.ok("POST", "/buyers/b1/users", user_body("u2"))
    await api.ok("POST", "/buyers/b2/users", user_body("u3"))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "u1"}, status=204
    )
    await _assign(api, "orders", BuyerID="b1", UserGroupID="g1")
    await _assign(api, "addresses", BuyerID="b1", UserID="u2")

    u1 = await api.ok("GET", "/buyers/b1/users/u1")
    assert u1["AvailableRoles"] == ["MeAdmin", "OrderAdmin", "Shopper", "ReportViewer"]
    page = await api.ok("GET", "/buyers/b1/users")
    assert {u["ID"]: u["AvailableRoles"] for u in page["Items"]} == {
        "u1": ["MeAdmin", "OrderAdmin", "Shopper", "ReportViewer"],
        "u2": ["AddressReader", "MeAdmin", "Shopper"],
    }
    # Another buyer's user gets nothing from b1's profiles.
    assert (await api.ok("GET", "/buyers/b2/users/u3"))["AvailableRoles"] == []
    across = await api.ok("GET", "/buyerusers")
    assert {u["ID"]: u["AvailableRoles"] for u in across["Items"]}["u3"] == []
    assert {u["ID"]: u["AvailableRoles"] for u in across["Items"]}["u2"] == [
        "AddressReader",
        "MeAdmin",
        "Shopper",
    ]

    # Read-only: a value sent is ignored; the answer to a write is computed like a read.
    patched = await api.ok(
        "PATCH", "/buyers/b1/users/u2", {"AvailableRoles": ["FullAccess"], "FirstName": "Z"}
    )
    assert patched["AvailableRoles"] == ["AddressReader", "MeAdmin", "Shopper"]
    # It follows the assignments as they are now.
    await api.ok("DELETE", "/buyers/b1/usergroups/g1/assignments/u1", status=204)
    assert (await api.ok("GET", "/buyers/b1/users/u1"))["AvailableRoles"] == ["MeAdmin", "Shopper"]


async def test_available_roles_of_admin_and_supplier_users(api: Api) -> None:
    admin = await api.ok("GET", "/adminusers/admin")
    assert admin["AvailableRoles"] == ["FullAccess"]
    fresh = await api.ok("POST", "/adminusers", user_body("a2"))
    assert fresh["AvailableRoles"] == []
    await supplier(api, "s1")
    await _profile(api, "ship", ["ShipmentAdmin", "OrderReader"])
    await _assign(api, "ship", SupplierID="s1")
    sam = await api.ok("POST", "/suppliers/s1/users", user_body("sam"))
    assert sam["AvailableRoles"] == ["OrderReader", "ShipmentAdmin"]
    listed = await api.ok("GET", "/suppliers/s1/users")
    assert [u["AvailableRoles"] for u in listed["Items"]] == [["OrderReader", "ShipmentAdmin"]]


async def _token(api: Api, username: str, scope: str | None = None) -> str:
    await storefront_client(api)
    return await api.login(username, PASSWORD, client_id="storefront", scope=scope)


async def test_a_buyer_user_holds_only_buyer_roles(api: Api) -> None:
    await buyer(api, "b1")
    # The Vercel-B2C template's profile (BuyerReader with the shopper's roles), plus seller and
    # supplier roles a buyer user cannot hold, and buyer-side administration roles it can.
    granted = ["Shopper", "MeAdmin", "BuyerReader", "ProductAdmin", "SupplierAdmin", "BuyerUserAdmin"]
    await _profile(api, "mixed", granted, ["ReportViewer"])
    await _assign(api, "mixed", BuyerID="b1")
    expected = ["BuyerUserAdmin", "MeAdmin", "Shopper", "ReportViewer"]
    assert (await api.ok("POST", "/buyers/b1/users", user_body("u1")))["AvailableRoles"] == expected
    assert (await api.ok("GET", "/buyers/b1/users/u1"))["AvailableRoles"] == expected
    assert [u["AvailableRoles"] for u in (await api.ok("GET", "/buyerusers"))["Items"]] == [expected]

    token = await _token(api, "u1-name")
    assert (await api.ok("GET", "/me", token=token))["AvailableRoles"] == expected
    assert roles_of(token) == ["BuyerUserAdmin", "MeAdmin", "ReportViewer", "Shopper"]
    # Asking for a role the user's type cannot hold gives nothing either.
    assert roles_of(await _token(api, "u1-name", "BuyerReader ProductAdmin Shopper")) == ["Shopper"]
    refused = await api.get("/buyers", token=token)
    assert refused.status_code == 403 and refused.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"


async def test_full_access_gives_a_buyer_user_every_buyer_role_and_no_other(api: Api) -> None:
    await buyer(api, "b1")
    await _profile(api, "all", ["FullAccess"])
    await _assign(api, "all", BuyerID="b1")
    assert (await api.ok("POST", "/buyers/b1/users", user_body("u1")))["AvailableRoles"] == ["FullAccess"]
    # The token lists the buyer roles FullAccess stands for, not FullAccess itself (which would
    # pass every role check, a seller's too).
    for scope in (None, "FullAccess"):
        roles = roles_of(await _token(api, "u1-name", scope))
        assert {"Shopper", "MeAddressAdmin", "BuyerUserAdmin", "OrderAdmin", "ApprovalRuleAdmin"} <= set(
            roles
        )
        assert not {"FullAccess", "BuyerReader", "BuyerAdmin", "ProductAdmin", "SupplierAdmin"} & set(roles)
    token = await _token(api, "u1-name")
    assert (await api.get("/buyers/b1/sellers", token=token)).status_code == 403
    assert (await api.get("/me/sellers", token=token)).status_code == 200
    assert roles_of(await _token(api, "u1-name", "BuyerReader Shopper")) == ["Shopper"]


async def test_a_supplier_user_holds_only_supplier_roles(api: Api) -> None:
    await supplier(api, "s1")
    granted = ["BuyerReader", "ProductAdmin", "ShipmentAdmin", "MeAddressAdmin", "MeAdmin", "CostCenterAdmin"]
    await _profile(api, "mixed", granted)
    await _assign(api, "mixed", SupplierID="s1")
    expected = ["MeAdmin", "ProductAdmin", "ShipmentAdmin"]
    assert (await api.ok("POST", "/suppliers/s1/users", user_body("sam")))["AvailableRoles"] == expected
    listed = await api.ok("GET", "/suppliers/s1/users")
    assert [u["AvailableRoles"] for u in listed["Items"]] == [expected]
    token = await _token(api, "sam-name")
    assert (await api.ok("GET", "/me", token=token))["AvailableRoles"] == expected
    assert roles_of(token) == expected


async def test_an_admin_user_holds_every_role(api: Api) -> None:
    await _profile(api, "mixed", ["BuyerReader", "Shopper", "SupplierUserAdmin"])
    await _assign(api, "mixed")
    created = await api.ok("POST", "/adminusers", user_body("a2"))
    assert created["AvailableRoles"] == ["BuyerReader", "Shopper", "SupplierUserAdmin"]
