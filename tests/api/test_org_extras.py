"""API client secrets, supplier buyers and buyer sellers, moving users, impersonation tokens,
revoking tokens, unlocking accounts, registering anonymous shoppers."""

from __future__ import annotations

from typing import Any

import jwt

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.api.org_setup import APP_CLIENT, PASSWORD, buyer_user, profile, storefront_client, user_body
from tests.conftest import ADMIN_SECRET
from tests.helpers import ADMIN_CLIENT, Api, error_code

SECRETS = f"/apiclients/{ADMIN_CLIENT}/secrets"


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


async def client_credentials(api: Api, secret: str, client_id: str = ADMIN_CLIENT) -> Any:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await api.client.post("/oauth/token", data=form)


async def test_api_client_secrets(api: Api) -> None:
    created = await api.ok("POST", SECRETS, {"Name": "rotation", "Expiration": "2999-01-01T00:00:00Z"})
    secret, secret_id = created["ClientSecret"], created["ID"]
    assert (
        len(secret) > 40 and created["Name"] == "rotation" and created["Expiration"].startswith("2999-01-01")
    )
    shown = await api.ok("GET", f"{SECRETS}/{secret_id}")
    assert "ClientSecret" not in shown and shown["Name"] == "rotation"
    assert [s["ID"] for s in (await api.ok("GET", SECRETS))["Items"]] == [secret_id]
    assert (await client_credentials(api, secret)).status_code == 200
    assert (await client_credentials(api, ADMIN_SECRET)).status_code == 200  # the client's own still works

    past = await api.patch(f"{SECRETS}/{secret_id}", {"Expiration": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400 and error_code(past) == "ApiClientSecret.InvalidExpirationDate"
    assert (await api.ok("PATCH", f"{SECRETS}/{secret_id}", {"Name": "renamed"}))["Name"] == "renamed"
    assert (await api.post(SECRETS, {"Name": "x", "Expiration": "2001-01-01"})).status_code == 400
    assert (await api.post(SECRETS, {})).status_code == 400
    assert (await api.post("/apiclients/nope/secrets", {"Name": "x"})).status_code == 404

    # An expired secret is refused.
    doc = await cat.read(api, "apiclientsecret", secret_id, ADMIN_CLIENT)
    await cat.replace(
        api, "apiclientsecret", {**doc, "Expiration": "2001-01-01T00:00:00.000+00:00"}, ADMIN_CLIENT
    )
    expired = await client_credentials(api, secret)
    assert expired.status_code == 400 and error_code(expired) == "Auth.InvalidClientSecret"
    await api.ok("DELETE", f"{SECRETS}/{secret_id}")
    assert (await api.get(f"{SECRETS}/{secret_id}")).status_code == 404


async def test_api_client_secret_roles(world: World) -> None:
    reader = await world.token("seller", "ApiClientReader")
    assert (await world.api.get(SECRETS, token=reader)).status_code == 200
    assert (await world.api.post(SECRETS, {"Name": "x"}, token=reader)).status_code == 403
    buyer = await world.token("alice", "ApiClientAdmin")
    assert (await world.api.get(SECRETS, token=buyer)).status_code == 403


async def test_supplier_buyers_and_sellers(world: World) -> None:
    api = world.api
    await api.ok("POST", "/suppliers", {"ID": "s2", "Name": "Everyone's", "AllBuyersCanOrder": True})
    await api.ok(
        "POST", "/suppliers", {"ID": "s3", "Name": "Closed", "Active": False, "AllBuyersCanOrder": True}
    )
    assert (await api.ok("GET", "/suppliers/s1/buyers"))["Items"] == []
    await api.ok("PUT", "/suppliers/s1/buyers/b1", status=204)
    await api.ok("PUT", "/suppliers/s1/buyers/b1", status=204)
    assert (await api.put("/suppliers/s1/buyers/nope")).status_code == 404
    assert (await api.ok("GET", "/suppliers/s1/buyers"))["Items"] == [{"ID": "b1", "Name": "Buyer b1"}]
    everyone = await api.ok("GET", "/suppliers/s2/buyers", params={"sortBy": "!ID"})
    assert [b["ID"] for b in everyone["Items"]] == ["b2", "b1"]

    marketplace = api.services.marketplace_id
    b1 = await api.ok("GET", "/buyers/b1/sellers")
    assert [s["ID"] for s in b1["Items"]] == sorted([marketplace, "s1", "s2"])
    b2 = await api.ok("GET", "/buyers/b2/sellers", params={"sortBy": "Name"})
    assert [s["ID"] for s in b2["Items"]] == ["s2", marketplace]
    alice = await world.token("alice")
    mine = await api.ok("GET", "/me/sellers", params={"search": "supplier"}, token=alice)
    assert mine["Items"] == [{"ID": "s1", "Name": "Supplier One"}] and mine["Meta"]["TotalCount"] == 1
    filtered = await api.ok("GET", "/me/sellers", params={"ID": "s*", "pageSize": 1}, token=alice)
    assert [s["ID"] for s in filtered["Items"]] == ["s1"] and filtered["Meta"]["TotalPages"] == 2
    assert (
        await api.get("/buyers/b1/sellers", token=await world.token("bob", "BuyerReader"))
    ).status_code == 404

    await api.ok("DELETE", "/suppliers/s1/buyers/b1")
    assert (await api.delete("/suppliers/s1/buyers/b1")).status_code == 404
    assert [s["ID"] for s in (await api.ok("GET", "/me/sellers", token=alice))["Items"]] == sorted(
        [marketplace, "s2"]
    )


async def test_move_user_between_buyers(world: World) -> None:
    api = world.api
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "G"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "alice"}, status=204
    )
    await world.new_order(body={"ID": "o1"})
    blocked = await api.post("/buyers/b1/users/alice/moveto/b2")
    assert blocked.status_code == 400 and error_code(blocked) == "User.CannotMoveeWithOpenOrder"
    assert (await api.post("/buyers/b1/users/alice/moveto/nope")).status_code == 404
    assert (await api.post("/buyers/b1/users/nobody/moveto/b2")).status_code == 404

    moved = await api.ok(
        "POST", "/buyers/b1/users/alice/moveto/b2", params={"orders": "Unsubmitted"}, status=201
    )
    assert moved["ID"] == "alice" and moved["CompanyID"] == "b2"
    assert (await api.get("/buyers/b1/users/alice")).status_code == 404
    assert (await api.ok("GET", "/buyers/b2/users/alice"))["Username"] == "alice"
    assert (await api.ok("GET", "/buyers/b1/usergroups/assignments"))["Items"] == []
    order = await api.ok(
        "GET", "/orders/All/o1", token=await world.seller("OrderAdmin UnsubmittedOrderReader")
    )
    assert order["FromCompanyID"] == "b2" and order["FromUser"]["CompanyID"] == "b2"


async def test_impersonation_token(world: World) -> None:
    api = world.api
    await storefront_client(api)
    await profile(api, "shop", ["Shopper", "MeAdmin"], BuyerID="b1")
    impersonator = await world.token("seller", "BuyerImpersonation")
    body = {"ClientID": APP_CLIENT, "Roles": ["Shopper", "OrderAdmin"]}
    issued = await api.ok("POST", "/buyers/b1/users/alice/accesstoken", body, token=impersonator, status=200)
    token = issued["access_token"]
    seen = claims(token)
    assert seen["u"] == "alice" and seen["imp"] == "seller" and seen["role"] == ["Shopper"]
    assert seen["cmp"] == "b1" and seen["usrtype"] == "buyer"
    assert (await api.ok("GET", "/me", token=token))["ID"] == "alice"

    assert (
        await api.post("/buyers/b1/users/alice/accesstoken", body, token=await world.seller())
    ).status_code == 403
    unknown = await api.post(
        "/buyers/b1/users/alice/accesstoken", {**body, "ClientID": "nope"}, token=impersonator
    )
    assert unknown.status_code == 404
    assert (
        await api.post("/buyers/b1/users/nobody/accesstoken", body, token=impersonator)
    ).status_code == 404


async def test_revoke_tokens_and_unlock(api: Api) -> None:
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "B1"})
    token = await buyer_user(api, "b1", "u1", ["MeAdmin"])
    assert (await api.get("/me", token=token)).status_code == 200
    await api.ok("DELETE", "/buyers/b1/users/u1/tokens")
    revoked = await api.get("/me", token=token)
    assert revoked.status_code == 401 and error_code(revoked) == "Auth.TokenRevoked"
    fresh = await api.login("u1-name", PASSWORD, client_id=APP_CLIENT)
    assert (await api.get("/me", token=fresh)).status_code == 200
    await api.ok("DELETE", "/me/tokens", token=fresh)
    assert (await api.get("/me", token=fresh)).status_code == 401
    assert (await api.delete("/buyers/b1/users/nobody/tokens")).status_code == 404

    user = await cat.read(api, "user", "u1", "b1")
    await cat.replace(api, "user", {**user, "FailedLoginAttempts": 5}, "b1")
    await api.ok("POST", "/buyers/b1/users/u1/unlock", status=204)
    assert (await api.ok("GET", "/buyers/b1/users/u1"))["FailedLoginAttempts"] == 0
    await api.ok("POST", "/adminusers", user_body("a1"))
    await api.ok("POST", "/adminusers/a1/unlock", status=204)
    await api.ok("DELETE", "/adminusers/a1/tokens")


async def _anon_shop(api: Api) -> None:
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "B1"})
    await api.ok("POST", "/buyers/b1/users", user_body("anon-template"))
    await profile(api, "shop", ["Shopper", "MeAdmin"], BuyerID="b1")
    await api.ok(
        "POST",
        "/apiclients",
        {
            "ID": "anon-client",
            "AppName": "Anon",
            "AccessTokenDuration": 600,
            "IsAnonBuyer": True,
            "AllowAnyBuyer": True,
            "DefaultContextUserName": "anon-template-name",
        },
    )


async def _anon_token(api: Api) -> str:
    form = {"grant_type": "client_credentials", "client_id": "anon-client", "scope": "Shopper MeAdmin"}
    response = await api.client.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def test_anonymous_token_announces_its_cart(api: Api) -> None:
    """OrderCloud's anonymous tokens carry `orderid` (the SDKs tell a guest from a signed-in user by
    it): the ID of the guest's cart, kept through sign-in's cart transfer."""
    await _anon_shop(api)
    anon = await _anon_token(api)
    order_id = claims(anon)["orderid"]
    assert order_id and claims(await _anon_token(api))["orderid"] != order_id
    assert (await api.ok("GET", "/cart", token=anon))["ID"] is None
    empty = await api.ok("GET", "/cart/worksheet", token=anon)
    assert empty["Order"]["ID"] is None and empty["LineItems"] == []
    cart = await api.ok("PATCH", "/cart", {"Comments": "guest"}, token=anon)
    assert cart["ID"] == order_id
    assert (await api.ok("GET", "/cart/worksheet", token=anon))["Order"]["ID"] == order_id
    # A returning guest (anonuserid) is told the cart it has.
    form = {"grant_type": "client_credentials", "client_id": "anon-client", "anonuserid": claims(anon)["u"]}
    again = await api.client.post("/oauth/token", data=form)
    assert claims(again.json()["access_token"])["orderid"] == order_id

    await api.ok("POST", "/buyers/b1/users", user_body("real"))
    real = await api.login("real-name", PASSWORD, client_id="anon-client")
    assert "orderid" not in claims(real)
    await api.ok("PUT", "/me/orders", params={"anonUserToken": anon}, token=real, status=204)
    assert (await api.ok("GET", "/cart", token=real))["ID"] == order_id
    # The ID is taken now: the guest's next cart gets another one instead of a conflict.
    later = await api.ok("PATCH", "/cart", {"Comments": "again"}, token=anon)
    assert later["ID"] not in (None, order_id)


async def test_transfer_anonymous_order_and_register(api: Api) -> None:
    await _anon_shop(api)
    anon = await _anon_token(api)
    await api.ok("POST", "/orders/Outgoing", {"ID": "o1"}, token=anon)
    await api.ok("POST", "/buyers/b1/users", user_body("real"))
    real = await api.login("real-name", PASSWORD, client_id="anon-client")
    missing = await api.put("/me/orders", token=real)
    assert missing.status_code == 400 and error_code(missing) == "Auth.MustPassAnonUserToken"
    not_anon = await api.put("/me/orders", params={"anonUserToken": real}, token=real)
    assert error_code(not_anon) == "User.IsNotTemp"
    await api.ok("PUT", "/me/orders", params={"anonUserToken": anon}, token=real, status=204)
    order = await api.ok("GET", "/orders/Outgoing/o1", token=real)
    assert order["FromUserID"] == "real" and order["FromUser"]["Username"] == "real-name"

    anon2 = await _anon_token(api)
    await api.ok("POST", "/orders/Outgoing", {"ID": "o2"}, token=anon2)
    body = {
        "Username": "newbie",
        "Password": PASSWORD,
        "FirstName": "New",
        "LastName": "Bie",
        "Email": "n@example.com",
        "Active": True,
    }
    assert error_code(await api.put("/me/register", body, token=real)) == "User.IsNotTemp"
    taken = await api.put("/me/register", {**body, "Username": "real-name"}, token=anon2)
    assert taken.status_code == 409 and error_code(taken) == "User.UsernameMustBeUnique"
    registered = await api.ok("PUT", "/me/register", body, params={"anonUserToken": anon2}, token=anon2)
    token = registered["access_token"]
    seen = claims(token)
    assert seen["usr"] == "newbie" and not seen.get("anon") and sorted(seen["role"]) == ["MeAdmin", "Shopper"]
    me = await api.ok("GET", "/me", token=token)
    assert me["Username"] == "newbie" and me["Buyer"]["ID"] == "b1"
    assert (await api.ok("GET", "/orders/Outgoing/o2", token=token))["FromUserID"] == me["ID"]
    assert await api.login("newbie", PASSWORD, client_id="anon-client")
