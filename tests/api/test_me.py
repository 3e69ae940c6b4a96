from __future__ import annotations

from typing import Any

import pytest

from tests.api.org_setup import (
    APP_CLIENT,
    PASSWORD,
    address_body,
    admin_user,
    buyer,
    buyer_user,
    supplier,
    supplier_user,
    user_body,
)
from tests.helpers import ADMIN_CLIENT, Api, error_code

ME_ROLES = ["MeAdmin", "MeAddressAdmin", "Shopper"]


async def _token(api: Api, kind: str, roles: list[str] | None = None) -> str:
    roles = ME_ROLES if roles is None else roles
    if kind == "buyer":
        await buyer(api, "b1", DefaultCatalogID="cat1")
        return await buyer_user(api, "b1", "me1", roles)
    if kind == "supplier":
        await supplier(api, "s1")
        return await supplier_user(api, "s1", "me1", roles)
    return await admin_user(api, "me1", roles)


@pytest.mark.parametrize(
    ("kind", "company"),
    [
        ("buyer", {"Buyer": {"ID": "b1", "DefaultCatalogID": "cat1"}, "Supplier": None, "Seller": None}),
        ("supplier", {"Buyer": None, "Supplier": {"ID": "s1"}, "Seller": None}),
        ("admin", {"Buyer": None, "Supplier": None, "Seller": {"ID": "ordercore"}}),
    ],
)
async def test_get_me_for_every_kind_of_user(api: Api, kind: str, company: dict[str, Any]) -> None:
    token = await _token(api, kind)
    me = await api.ok("GET", "/me", token=token)
    assert {k: me[k] for k in company} == company
    assert me["ID"] == "me1" and me["Username"] == "me1-name" and me["Password"] is None
    # The bootstrap's FullAccess profile is the first admin's alone: a new admin user holds
    # exactly the roles it was given.
    # A supplier user has no address book: MeAddressAdmin is not a role its type can hold.
    held = [r for r in sorted(ME_ROLES) if kind != "supplier" or r != "MeAddressAdmin"]
    assert me["AvailableRoles"] == held
    assert me["CompanyID"] == {"buyer": "b1", "supplier": "s1", "admin": "ordercore"}[kind]
    assert not any(k.startswith("_") for k in me)


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_update_me_and_change_password(api: Api, kind: str) -> None:
    token = await _token(api, kind)
    patched = await api.ok(
        "PATCH", "/me", {"FirstName": "Pat", "xp": {"color": "red"}, "ID": "hijack"}, token=token
    )
    assert patched["FirstName"] == "Pat" and patched["xp"] == {"color": "red"} and patched["ID"] == "me1"
    assert patched["LastName"] == "Last" and patched["Password"] is None

    saved = await api.ok(
        "PUT",
        "/me",
        {**user_body("me1", Username="renamed-me", FirstName="Sam"), "Password": "N3w-password-99"},
        token=token,
    )
    assert saved["Username"] == "renamed-me" and saved["FirstName"] == "Sam" and saved["xp"] is None
    assert saved["Password"] is None and saved["PasswordLastSetDate"]
    client = ADMIN_CLIENT if kind == "admin" else APP_CLIENT
    assert (await api.token("renamed-me", PASSWORD, client_id=client)).status_code == 400
    assert (await api.token("renamed-me", "N3w-password-99", client_id=client)).status_code == 200


async def test_me_refusals(api: Api) -> None:
    token = await _token(api, "buyer")
    await api.ok("POST", "/buyers/b1/users", user_body("other"))
    taken = await api.patch("/me", {"Username": "OTHER-name"}, token=token)
    assert taken.status_code == 409 and error_code(taken) == "User.UsernameMustBeUnique"
    missing = await api.put("/me", {"Username": "x", "FirstName": "a", "LastName": "b"}, token=token)
    assert missing.status_code == 400 and missing.json()["Errors"][0]["Data"]["Field"] == "Email"
    wrong_type = await api.patch("/me", {"FirstName": 7}, token=token)
    assert wrong_type.status_code == 400
    assert wrong_type.json()["Errors"][0]["Data"]["Field"] == "FirstName"
    malformed = await api.call("PATCH", "/me", raw=b"{nope", token=token)
    assert malformed.status_code == 400 and error_code(malformed) == "InvalidJson"
    me = await api.ok("GET", "/me", token=token)
    assert me["Username"] == "me1-name" and me["Active"] is True


async def test_me_roles(api: Api) -> None:
    await buyer(api, "b1")
    shopper = await buyer_user(api, "b1", "shopper", ["Shopper"])
    assert (await api.get("/me", token=shopper)).status_code == 200
    refused = await api.patch("/me", {"FirstName": "x"}, token=shopper)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"

    xp_only = await buyer_user(api, "b1", "xp", ["MeXpAdmin"])
    assert (await api.ok("PATCH", "/me", {"xp": {"a": 1}}, token=xp_only))["xp"] == {"a": 1}
    refused = await api.patch("/me", {"xp": {"a": 2}, "FirstName": "y"}, token=xp_only)
    assert refused.status_code == 403
    refused = await api.put("/me", user_body("xp"), token=xp_only)
    assert refused.status_code == 403

    nothing = await buyer_user(api, "b1", "nobody", ["OrderReader"])
    refused = await api.get("/me", token=nothing)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"
    assert (await api.get("/me", token="not-a-token")).status_code == 401


async def test_my_user_groups(api: Api) -> None:
    token = await _token(api, "buyer")
    for gid in ("g1", "g2", "g3"):
        await api.ok("POST", "/buyers/b1/usergroups", {"ID": gid, "Name": f"Group {gid}"})
    for gid in ("g1", "g3"):
        await api.ok(
            "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": gid, "UserID": "me1"}, status=204
        )
    page = await api.ok("GET", "/me/usergroups", token=token)
    assert [g["ID"] for g in page["Items"]] == ["g1", "g3"]
    page = await api.ok("GET", "/me/usergroups", params={"search": "g3"}, token=token)
    assert [g["ID"] for g in page["Items"]] == ["g3"]


async def test_admin_user_groups_through_me(api: Api) -> None:
    token = await _token(api, "admin")
    await api.ok("POST", "/usergroups", {"ID": "ops", "Name": "Ops"})
    await api.ok("POST", "/usergroups/assignments", {"UserGroupID": "ops", "UserID": "me1"}, status=204)
    page = await api.ok("GET", "/me/usergroups", token=token)
    assert [g["ID"] for g in page["Items"]] == ["ops"]


# ---------------------------------------------------------------------------------- addresses


async def test_my_addresses_union_of_assignments(api: Api) -> None:
    token = await _token(api, "buyer")
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "g"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "me1"}, status=204
    )
    for aid in ("company", "group", "user", "both", "unassigned"):
        await api.ok("POST", "/buyers/b1/addresses", address_body(aid))
    assign = "/buyers/b1/addresses/assignments"
    await api.ok("POST", assign, {"AddressID": "company", "IsBilling": True}, status=204)
    await api.ok("POST", assign, {"AddressID": "group", "UserGroupID": "g1", "IsShipping": True}, status=204)
    await api.ok("POST", assign, {"AddressID": "user", "UserID": "me1", "IsShipping": True}, status=204)
    await api.ok("POST", assign, {"AddressID": "both", "IsShipping": True}, status=204)
    await api.ok("POST", assign, {"AddressID": "both", "UserID": "me1", "IsBilling": True}, status=204)

    page = await api.ok("GET", "/me/addresses", token=token)
    seen = {a["ID"]: (a["Shipping"], a["Billing"], a["Editable"]) for a in page["Items"]}
    assert seen == {
        "both": (True, True, False),
        "company": (False, True, False),
        "group": (True, False, False),
        "user": (True, False, False),
    }
    shipping = await api.ok("GET", "/me/addresses", params={"Shipping": "true"}, token=token)
    assert [a["ID"] for a in shipping["Items"]] == ["both", "group", "user"]
    billing = await api.ok(
        "GET", "/me/addresses", params={"Billing": "true", "City": "Springfield"}, token=token
    )
    assert [a["ID"] for a in billing["Items"]] == ["both", "company"]
    one = await api.ok("GET", "/me/addresses/group", token=token)
    assert one["Shipping"] is True and one["Street1"] == "1 Main St"
    assert (await api.get("/me/addresses/unassigned", token=token)).status_code == 404

    public = await api.patch("/me/addresses/company", {"City": "Elsewhere"}, token=token)
    assert public.status_code == 403 and error_code(public) == "Address.CannotEditPublic"
    public = await api.delete("/me/addresses/company", token=token)
    assert public.status_code == 403
    assert (await api.ok("GET", "/buyers/b1/addresses/company"))["City"] == "Springfield"


async def test_private_address_lifecycle(api: Api) -> None:
    token = await _token(api, "buyer")
    created = await api.ok("POST", "/me/addresses", address_body("home", AddressName="Home"), token=token)
    assert created["ID"] == "home" and created["Shipping"] is True and created["Billing"] is True
    assert created["Editable"] is True and created["DateCreated"]
    assert not any(k.startswith("_") for k in created)
    assigned = await api.ok("GET", "/buyers/b1/addresses/assignments", params={"addressID": "home"})
    assert assigned["Items"] == [
        {"AddressID": "home", "UserID": "me1", "UserGroupID": None, "IsShipping": True, "IsBilling": True}
    ]
    generated = await api.ok(
        "POST", "/me/addresses", {**address_body("x"), "ID": None, "Billing": False}, token=token
    )
    assert generated["ID"] and generated["Shipping"] is True and generated["Billing"] is False

    patched = await api.ok(
        "PATCH", "/me/addresses/home", {"City": "Shelbyville", "Shipping": False}, token=token
    )
    assert patched["City"] == "Shelbyville" and patched["Street1"] == "1 Main St"
    assert (patched["Shipping"], patched["Billing"]) == (False, True)
    saved = await api.ok(
        "PUT", "/me/addresses/home", address_body("ignored", City="Capital City"), token=token
    )
    assert saved["ID"] == "home" and saved["City"] == "Capital City" and saved["AddressName"] is None
    assert (saved["Shipping"], saved["Billing"]) == (False, True)

    # Another user of the same buyer does not see it.
    other = await buyer_user(api, "b1", "other", ME_ROLES)
    assert (await api.get("/me/addresses/home", token=other)).status_code == 404
    assert (await api.ok("GET", "/me/addresses", token=other))["Items"] == []

    await api.ok("DELETE", "/me/addresses/home", token=token)
    assert (await api.get("/me/addresses/home", token=token)).status_code == 404
    assert (await api.get("/buyers/b1/addresses/home")).status_code == 404
    assert (await api.ok("GET", "/buyers/b1/addresses/assignments", params={"addressID": "home"}))[
        "Items"
    ] == []


async def test_private_address_refusals(api: Api) -> None:
    token = await _token(api, "buyer")
    await api.ok("POST", "/me/addresses", address_body("home"), token=token)
    dup = await api.post("/me/addresses", address_body("home"), token=token)
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    neither = await api.post(
        "/me/addresses", {**address_body("n"), "Shipping": False, "Billing": False}, token=token
    )
    assert neither.status_code == 400 and error_code(neither) == "BuyerAddress.MustBeBillingOrShipping"
    bad_id = await api.post("/me/addresses", address_body("a b"), token=token)
    assert bad_id.status_code == 400 and bad_id.json()["Errors"][0]["Data"]["Field"] == "ID"
    too_long = await api.post("/me/addresses", address_body("c", Country="USA"), token=token)
    assert too_long.status_code == 400 and too_long.json()["Errors"][0]["Data"]["Field"] == "Country"
    bad_type = await api.patch("/me/addresses/home", {"City": 12}, token=token)
    assert bad_type.status_code == 400 and bad_type.json()["Errors"][0]["Data"]["Field"] == "City"
    missing = await api.put("/me/addresses/nope", address_body("nope"), token=token)
    assert missing.status_code == 404
    page = await api.ok("GET", "/me/addresses", token=token)
    assert [a["ID"] for a in page["Items"]] == ["home"] and page["Items"][0]["City"] == "Springfield"

    no_role = await buyer_user(api, "b1", "shopper", ["Shopper"])
    assert (await api.get("/me/addresses", token=no_role)).status_code == 200
    refused = await api.post("/me/addresses", address_body("s"), token=no_role)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"


async def test_address_book_is_for_buyer_users_only(api: Api) -> None:
    token = await _token(api, "supplier")
    response = await api.get("/me/addresses", token=token)
    assert response.status_code == 403
    response = await api.post("/me/addresses", address_body("x"))  # the admin
    assert response.status_code == 403


async def test_deleting_user_removes_private_addresses(api: Api) -> None:
    token = await _token(api, "buyer")
    await api.ok("POST", "/me/addresses", address_body("home"), token=token)
    await api.ok("DELETE", "/buyers/b1/users/me1")
    assert (await api.get("/buyers/b1/addresses/home")).status_code == 404
    assert (await api.ok("GET", "/buyers/b1/addresses/assignments"))["Items"] == []
