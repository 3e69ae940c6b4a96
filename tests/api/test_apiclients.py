from __future__ import annotations

import re

from tests.api.org_setup import buyer, buyer_user, supplier
from tests.helpers import ADMIN_CLIENT, Api, error_code

CLIENT = {"ID": "app1", "AppName": "App One", "AccessTokenDuration": 60, "ClientSecret": "s3cret"}


async def test_api_client_crud_returns_secret_and_computed_fields(api: Api) -> None:
    created = await api.ok("POST", "/apiclients", {**CLIENT, "AssignedBuyerCount": 7})
    assert created["ClientSecret"] == "s3cret"
    assert created["AssignedBuyerCount"] == 0 and created["AssignedSupplierCount"] == 0
    assert created["OrderCheckoutIntegrationEventName"] is None
    assert created["Active"] is True and created["AllowSeller"] is False

    got = await api.ok("GET", "/apiclients/app1")
    assert got == created
    patched = await api.ok("PATCH", "/apiclients/app1", {"AppName": "Renamed", "xp": {"a": 1}})
    assert (
        patched["AppName"] == "Renamed" and patched["xp"] == {"a": 1} and patched["ClientSecret"] == "s3cret"
    )
    saved = await api.ok("PUT", "/apiclients/app1", {"AppName": "Saved", "AccessTokenDuration": 30})
    assert saved["AppName"] == "Saved" and saved["ClientSecret"] is None

    page = await api.ok("GET", "/apiclients", params={"search": "Saved"})
    assert [c["ID"] for c in page["Items"]] == ["app1"]
    await api.ok("DELETE", "/apiclients/app1")
    assert (await api.get("/apiclients/app1")).status_code == 404


async def test_api_client_refusals(api: Api) -> None:
    await api.ok("POST", "/apiclients", CLIENT)
    dup = await api.post("/apiclients", CLIENT)
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    missing = await api.post("/apiclients", {"ID": "x", "AccessTokenDuration": 10})
    assert missing.status_code == 400 and missing.json()["Errors"][0]["Data"]["Field"] == "AppName"
    bad_type = await api.post("/apiclients", {"AppName": "a", "AllowSeller": [1]})
    assert bad_type.status_code == 400 and bad_type.json()["Errors"][0]["Data"]["Field"] == "AllowSeller"
    bad_id = await api.post("/apiclients", {"ID": "no spaces", "AppName": "a"})
    assert bad_id.status_code == 400 and bad_id.json()["Errors"][0]["Data"]["Field"] == "ID"


async def test_cannot_delete_last_active_seller_client(api: Api) -> None:
    refused = await api.delete(f"/apiclients/{ADMIN_CLIENT}")
    assert refused.status_code == 400 and error_code(refused) == "ApiClient.CannotDeleteLastFullAccess"
    assert (await api.get(f"/apiclients/{ADMIN_CLIENT}")).status_code == 200
    # With a second active seller client the first may go.
    await api.ok("POST", "/apiclients", {**CLIENT, "AllowSeller": True})
    await api.ok("DELETE", f"/apiclients/{ADMIN_CLIENT}")
    refused = await api.delete("/apiclients/app1")
    assert error_code(refused) == "ApiClient.CannotDeleteLastFullAccess"


async def test_assignments_count_list_and_delete(api: Api) -> None:
    await api.ok("POST", "/apiclients", CLIENT)
    await buyer(api, "b1")
    await buyer(api, "b2")
    await supplier(api, "s1")
    for body in ({"BuyerID": "b1"}, {"BuyerID": "b2"}, {"SupplierID": "s1"}, {"BuyerID": "b1"}):
        await api.ok("POST", "/apiclients/assignments", {"ApiClientID": "app1", **body}, status=204)
    got = await api.ok("GET", "/apiclients/app1")
    assert (got["AssignedBuyerCount"], got["AssignedSupplierCount"]) == (2, 1)

    page = await api.ok("GET", "/apiclients/assignments", params={"buyerID": "b1"})
    assert page["Items"] == [{"ApiClientID": "app1", "BuyerID": "b1", "SupplierID": None}]
    page = await api.ok("GET", "/apiclients/assignments", params={"apiClientID": "app1"})
    assert page["Meta"]["TotalCount"] == 3

    await api.ok("DELETE", "/buyers/b1/ApiClients/Assignments/app1")
    await api.ok("DELETE", "/suppliers/s1/apiclients/assignments/app1")
    again = await api.delete("/buyers/b1/ApiClients/Assignments/app1")
    assert again.status_code == 404
    got = await api.ok("GET", "/apiclients/app1")
    assert (got["AssignedBuyerCount"], got["AssignedSupplierCount"]) == (1, 0)


async def test_assignment_refusals(api: Api) -> None:
    await api.ok("POST", "/apiclients", CLIENT)
    await buyer(api, "b1")
    await supplier(api, "s1")
    no_client = await api.post("/apiclients/assignments", {"ApiClientID": "nope", "BuyerID": "b1"})
    assert no_client.status_code == 404 and no_client.json()["Errors"][0]["Data"]["ObjectType"] == "ApiClient"
    no_buyer = await api.post("/apiclients/assignments", {"ApiClientID": "app1", "BuyerID": "zz"})
    assert no_buyer.status_code == 404 and no_buyer.json()["Errors"][0]["Data"]["ObjectType"] == "Buyer"
    both = await api.post(
        "/apiclients/assignments", {"ApiClientID": "app1", "BuyerID": "b1", "SupplierID": "s1"}
    )
    assert both.status_code == 400
    neither = await api.post("/apiclients/assignments", {"ApiClientID": "app1"})
    assert neither.status_code == 400
    no_id = await api.post("/apiclients/assignments", {"BuyerID": "b1"})
    assert no_id.status_code == 400 and no_id.json()["Errors"][0]["Data"]["Field"] == "ApiClientID"
    assert (await api.ok("GET", "/apiclients/assignments"))["Items"] == []


async def test_assignment_lets_buyer_users_sign_in(api: Api) -> None:
    await buyer(api, "b1")
    await api.ok(
        "POST",
        "/buyers/b1/users",
        {
            "ID": "u1",
            "Username": "u1",
            "Password": "Pw-123456789",
            "FirstName": "F",
            "LastName": "L",
            "Email": "u1@example.com",
            "Active": True,
        },
    )
    await api.ok("POST", "/apiclients", CLIENT)
    refused = await api.token("u1", "Pw-123456789", client_id="app1")
    assert refused.status_code == 400
    await api.ok("POST", "/apiclients/assignments", {"ApiClientID": "app1", "BuyerID": "b1"}, status=204)
    assert (await api.token("u1", "Pw-123456789", client_id="app1")).status_code == 200


async def test_deleting_client_removes_its_assignments(api: Api) -> None:
    await api.ok("POST", "/apiclients", CLIENT)
    await buyer(api, "b1")
    await api.ok("POST", "/apiclients/assignments", {"ApiClientID": "app1", "BuyerID": "b1"}, status=204)
    await api.ok("DELETE", "/apiclients/app1")
    assert (await api.ok("GET", "/apiclients/assignments"))["Items"] == []


async def test_only_the_seller_manages_api_clients(api: Api) -> None:
    await buyer(api, "b1")
    token = await buyer_user(api, "b1", "u1", ["ApiClientAdmin", "Shopper"])
    for method, path in (("GET", "/apiclients"), ("GET", "/apiclients/assignments"), ("POST", "/apiclients")):
        response = await api.call(method, path, {"AppName": "x"}, token=token)
        assert response.status_code == 403 and error_code(response) == "Auth.InsufficientRoles", path
    no_roles = await buyer_user(api, "b1", "u2", ["Shopper"])
    response = await api.get("/apiclients", token=no_roles)
    assert response.status_code == 403 and error_code(response) == "Auth.InsufficientRoles"


async def test_a_new_client_without_an_id_gets_a_lowercase_guid(api: Api) -> None:
    """OrderCloud generates `ApiClient.ID` as a lowercase GUID; so does ordercore when the body
    names none (a sent ID is kept: docs/organizations.md, "API clients")."""
    created = await api.ok("POST", "/apiclients", {"AppName": "Generated", "AccessTokenDuration": 60})
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", created["ID"])
    assert (await api.ok("GET", f"/apiclients/{created['ID']}"))["AppName"] == "Generated"
    for blank in (None, ""):
        other = await api.ok(
            "POST", "/apiclients", {"ID": blank, "AppName": "Blank", "AccessTokenDuration": 60}
        )
        assert re.fullmatch(r"[0-9a-f-]{36}", other["ID"]) and other["ID"] != created["ID"]
    named = await api.ok(
        "POST", "/apiclients", {"ID": "my-storefront", "AppName": "Named", "AccessTokenDuration": 60}
    )
    assert named["ID"] == "my-storefront"
