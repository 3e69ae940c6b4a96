"""Who reaches what: a buyer user only its own buyer's resources, a supplier user only its own
supplier's, and only the marketplace's users administer companies, admin users, API clients and
security profiles. Another company's data answers 404 (its existence is not confirmed); a
marketplace-only resource answers 403 Auth.InsufficientRoles."""

from __future__ import annotations

import pytest

from tests.api.org_setup import address_body, buyer, buyer_user, supplier, supplier_user, user_body
from tests.helpers import Api, error_code

# Enough roles that only the company boundary can refuse. The other company type's roles in these
# lists are ones a user of this type cannot hold (app.auth.roles.ROLES_OF_USER_TYPE): its token
# leaves them out, so a route checking roles first refuses with 403, confirming nothing either.
BUYER_ROLES = [
    "BuyerAdmin",
    "BuyerUserAdmin",
    "UserGroupAdmin",
    "AddressAdmin",
    "ApiClientAdmin",
    "SecurityProfileAdmin",
    "AdminUserAdmin",
    "AdminUserGroupAdmin",
    "SupplierAdmin",
    "SupplierUserAdmin",
    "SupplierUserGroupAdmin",
]
SUPPLIER_ROLES = [
    "SupplierAdmin",
    "SupplierUserAdmin",
    "SupplierUserGroupAdmin",
    "SupplierAddressAdmin",
    "BuyerUserAdmin",
    "AddressAdmin",
    "ApiClientAdmin",
    "SecurityProfileAdmin",
]

BUYER_MATRIX = [
    ("GET", "/buyers/b1/users/bu1", 200),
    ("GET", "/buyers/b1/usergroups/assignments", 200),
    ("GET", "/buyers/b1/addresses/assignments", 200),
    ("GET", "/buyers/b2/users", 404),
    ("GET", "/buyers/b2/users/bu2", 404),
    ("PATCH", "/buyers/b2/users/bu2", 404),
    ("DELETE", "/buyers/b2/users/bu2", 404),
    ("POST", "/buyers/b2/users", 404),
    ("GET", "/buyers/b2/usergroups", 404),
    ("GET", "/buyers/b2/usergroups/assignments", 404),
    ("POST", "/buyers/b2/usergroups/assignments", 404),
    ("DELETE", "/buyers/b2/usergroups/g2/assignments/bu2", 404),
    ("GET", "/buyers/b2/addresses", 404),
    ("GET", "/buyers/b2/addresses/a2", 404),
    ("GET", "/buyers/b2/addresses/assignments", 404),
    ("POST", "/buyers/b2/addresses/assignments", 404),
    ("DELETE", "/buyers/b2/addresses/a2/assignments", 404),
    ("GET", "/suppliers/s1/users", 403),
    ("GET", "/suppliers/s1/usergroups/assignments", 403),
    ("GET", "/buyers", 403),
    ("POST", "/buyers", 403),
    ("GET", "/suppliers", 403),
    ("GET", "/adminusers", 403),
    ("GET", "/usergroups", 403),
    ("GET", "/usergroups/assignments", 403),
    ("GET", "/buyerusers", 403),
    ("GET", "/apiclients", 403),
    ("GET", "/apiclients/assignments", 403),
    ("POST", "/apiclients/assignments", 403),
    ("DELETE", "/buyers/b1/ApiClients/Assignments/storefront", 403),
    ("GET", "/securityprofiles", 403),
    ("POST", "/securityprofiles", 403),
    ("GET", "/securityprofiles/assignments", 403),
    ("POST", "/securityprofiles/assignments", 403),
    ("DELETE", "/securityprofiles/p-bu1/assignments", 403),
]

SUPPLIER_MATRIX = [
    ("GET", "/suppliers/s1/users/su1", 200),
    ("GET", "/suppliers/s1/usergroups/assignments", 200),
    ("GET", "/suppliers/s2/users", 404),
    ("GET", "/suppliers/s2/users/su2", 404),
    ("GET", "/suppliers/s2/usergroups/assignments", 404),
    ("POST", "/suppliers/s2/usergroups/assignments", 404),
    ("GET", "/buyers/b1/users", 403),
    ("GET", "/buyers/b1/addresses/assignments", 403),
    ("GET", "/suppliers", 403),
    ("GET", "/buyerusers", 403),
    ("GET", "/apiclients", 403),
    ("DELETE", "/suppliers/s1/apiclients/assignments/storefront", 403),
    ("GET", "/securityprofiles/assignments", 403),
]

BODIES = {
    "/buyers/b2/users": user_body("intruder"),
    "/buyers/b2/usergroups/assignments": {"UserGroupID": "g2", "UserID": "bu2"},
    "/buyers/b2/addresses/assignments": {"AddressID": "a2", "IsShipping": True},
    "/buyers": {"ID": "new", "Name": "new"},
    "/apiclients/assignments": {"ApiClientID": "storefront", "BuyerID": "b2"},
    "/securityprofiles": {"ID": "evil", "Name": "evil", "Roles": ["FullAccess"]},
    "/securityprofiles/assignments": {"SecurityProfileID": "ordercore-full-access", "BuyerID": "b1"},
    "/suppliers/s2/usergroups/assignments": {"UserGroupID": "g2", "UserID": "su2"},
}


async def _world(api: Api) -> tuple[str, str]:
    for bid in ("b1", "b2"):
        await buyer(api, bid)
        await api.ok("POST", f"/buyers/{bid}/usergroups", {"ID": f"g{bid[1]}", "Name": "g"})
        await api.ok("POST", f"/buyers/{bid}/addresses", address_body(f"a{bid[1]}"))
    for sid in ("s1", "s2"):
        await supplier(api, sid)
        await api.ok("POST", f"/suppliers/{sid}/usergroups", {"ID": f"g{sid[1]}", "Name": "g"})
    await api.ok("POST", "/buyers/b2/users", user_body("bu2"))
    await api.ok("POST", "/suppliers/s2/users", user_body("su2"))
    await api.ok(
        "POST", "/buyers/b2/usergroups/assignments", {"UserGroupID": "g2", "UserID": "bu2"}, status=204
    )
    await api.ok(
        "POST", "/buyers/b2/addresses/assignments", {"AddressID": "a2", "IsShipping": True}, status=204
    )
    await api.ok(
        "POST", "/suppliers/s2/usergroups/assignments", {"UserGroupID": "g2", "UserID": "su2"}, status=204
    )
    buyer_token = await buyer_user(api, "b1", "bu1", BUYER_ROLES)
    supplier_token = await supplier_user(api, "s1", "su1", SUPPLIER_ROLES)
    await api.ok(
        "POST", "/apiclients/assignments", {"ApiClientID": "storefront", "BuyerID": "b1"}, status=204
    )
    await api.ok(
        "POST", "/apiclients/assignments", {"ApiClientID": "storefront", "SupplierID": "s1"}, status=204
    )
    return buyer_token, supplier_token


async def _check(api: Api, token: str, matrix: list[tuple[str, str, int]]) -> None:
    before = await api.ok("GET", "/buyerusers")
    failures = []
    for method, path, expected in matrix:
        body = BODIES.get(path, {"Name": "x"}) if method in ("POST", "PATCH") else None
        response = await api.call(method, path, body, token=token)
        if response.status_code != expected:
            failures.append((method, path, expected, response.status_code, response.text[:200]))
        elif expected == 403 and error_code(response) != "Auth.InsufficientRoles":
            failures.append((method, path, "Auth.InsufficientRoles", error_code(response)))
        elif expected == 404 and error_code(response) != "NotFound":
            failures.append((method, path, "NotFound", error_code(response)))
    assert failures == []
    # Nothing the refused calls tried was done.
    assert await api.ok("GET", "/buyerusers") == before
    assert (await api.get("/buyers/new")).status_code == 404
    assert (await api.get("/securityprofiles/evil")).status_code == 404
    b2_members = await api.ok("GET", "/buyers/b2/usergroups/assignments")
    assert b2_members["Items"] == [{"UserGroupID": "g2", "UserID": "bu2"}]
    b2_addresses = await api.ok("GET", "/buyers/b2/addresses/assignments")
    assert len(b2_addresses["Items"]) == 1
    assert (await api.ok("GET", "/apiclients/storefront"))["AssignedBuyerCount"] == 1


async def test_buyer_user_matrix(api: Api) -> None:
    buyer_token, _ = await _world(api)
    await _check(api, buyer_token, BUYER_MATRIX)


async def test_supplier_user_matrix(api: Api) -> None:
    _, supplier_token = await _world(api)
    await _check(api, supplier_token, SUPPLIER_MATRIX)


@pytest.mark.parametrize(
    "path",
    [
        "/buyers/b1/users",
        "/buyers/b1/usergroups/assignments",
        "/buyers/b1/addresses/assignments",
        "/apiclients",
        "/securityprofiles",
        "/securityprofiles/assignments",
        "/buyerusers",
    ],
)
async def test_buyer_token_lacking_roles_is_refused(api: Api, path: str) -> None:
    await buyer(api, "b1")
    token = await buyer_user(api, "b1", "shopper", ["Shopper"])
    response = await api.get(path, token=token)
    assert response.status_code == 403 and error_code(response) == "Auth.InsufficientRoles"
    assert response.json()["Errors"][0]["Data"]["AssignedRoles"] == ["Shopper"]


async def test_seller_reaches_every_company(api: Api) -> None:
    await _world(api)
    for path in (
        "/buyers/b2/users/bu2",
        "/buyers/b2/usergroups/assignments",
        "/buyers/b2/addresses/assignments",
        "/suppliers/s2/usergroups/assignments",
        "/buyerusers",
        "/apiclients",
        "/securityprofiles/assignments",
    ):
        assert (await api.get(path)).status_code == 200, path
