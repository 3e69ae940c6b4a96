"""`POST /oauth/token` (every grant and every refusal), bearer-token checks, role checks, and
`GET /oauth/certs/{kid}`. API clients and security profiles are written straight to the store
(their endpoints live elsewhere); users and companies go through the API."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.main import build_services, create_app
from app.store.repo import Docs
from tests.conftest import ADMIN_PASSWORD, ADMIN_SECRET
from tests.helpers import ADMIN_CLIENT, Api, error_code

SHOP_CLIENT = "shop-client"
SHOP_ROLES = ["MeAddressAdmin", "MeAdmin", "Shopper"]


def api_client(id: str, **fields: Any) -> dict[str, Any]:
    return {
        "ID": id,
        "ClientSecret": None,
        "AccessTokenDuration": 600,
        "Active": True,
        "AppName": id,
        "RefreshTokenDuration": 0,
        "DefaultContextUserName": None,
        "AllowAnyBuyer": False,
        "AllowAnySupplier": False,
        "AllowSeller": False,
        "IsAnonBuyer": False,
        "xp": None,
        **fields,
    }


async def store(api: Api, *items: tuple[str, dict[str, Any]]) -> None:
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        for kind, doc in items:
            await docs.insert(kind, doc)


def profile(id: str, roles: list[str], **assigned: str | None) -> list[tuple[str, dict[str, Any]]]:
    keys = {k: assigned.get(k) for k in ("BuyerID", "SupplierID", "UserID", "UserGroupID")}
    return [
        ("securityprofile", {"ID": id, "Name": id, "Roles": roles, "CustomRoles": []}),
        (
            "securityprofileassignment",
            {"ID": f"{id}:" + ":".join(v or "" for v in keys.values()), "SecurityProfileID": id, **keys},
        ),
    ]


async def make_buyer_user(
    api: Api, buyer: str = "b1", username: str = "shopper1", *, active: bool = True
) -> None:
    if (await api.get(f"/buyers/{buyer}")).status_code == 404:
        await api.ok("POST", "/buyers", {"ID": buyer, "Name": f"Buyer {buyer}"})
    await api.ok(
        "POST",
        f"/buyers/{buyer}/users",
        {
            "ID": username,
            "Username": username,
            "Password": "Shop-pass-123",
            "FirstName": "Sam",
            "LastName": "Shopper",
            "Email": f"{username}@example.com",
            "Active": active,
        },
    )


@pytest.fixture
async def shop(api: Api) -> Api:
    """Buyer b1 with user shopper1, a buyer-level profile, and a client any buyer may use."""
    await make_buyer_user(api)
    await store(
        api,
        *profile("shopper-profile", SHOP_ROLES, BuyerID="b1"),
        ("apiclient", api_client(SHOP_CLIENT, AllowAnyBuyer=True)),
    )
    return api


async def token_form(api: Api, **form: str) -> httpx.Response:
    return await api.client.post("/oauth/token", data=form)


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def assert_oauth_error(response: httpx.Response, status: int, error: str, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["error_description"]
    assert body["Errors"][0]["ErrorCode"] == code and body["Errors"][0]["Message"]


# --------------------------------------------------------------------------- grants


async def test_password_grant_for_an_admin(api: Api) -> None:
    response = await api.token("admin", ADMIN_PASSWORD, scope="BuyerReader OrderAdmin")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["refresh_token"] is None
    assert body["expires_in"] == 600 * 60
    claims = claims_of(body["access_token"])
    assert claims["usr"] == "admin" and claims["cid"] == ADMIN_CLIENT and claims["usrtype"] == "admin"
    assert sorted(claims["role"]) == ["BuyerReader", "OrderAdmin"]
    assert claims["exp"] - claims["nbf"] == 600 * 60
    assert jwt.get_unverified_header(body["access_token"])["kid"]


async def test_password_grant_for_a_buyer_user(shop: Api) -> None:
    token = await shop.login("shopper1", "Shop-pass-123", SHOP_CLIENT)
    claims = claims_of(token)
    assert claims["usrtype"] == "buyer" and claims["cmp"] == "b1" and claims["u"] == "shopper1"
    assert sorted(claims["role"]) == SHOP_ROLES
    # A scope narrows the roles; a role the profile does not give is not granted.
    narrowed = claims_of(await shop.login("shopper1", "Shop-pass-123", SHOP_CLIENT, "Shopper OrderAdmin"))
    assert narrowed["role"] == ["Shopper"]


async def test_username_matches_in_any_case(shop: Api) -> None:
    assert await shop.login("SHOPPER1", "Shop-pass-123", SHOP_CLIENT)


async def test_client_credentials_with_secret_acts_as_the_default_context_user(api: Api) -> None:
    response = await token_form(
        api,
        grant_type="client_credentials",
        client_id=ADMIN_CLIENT,
        client_secret=ADMIN_SECRET,
        scope="BuyerAdmin",
    )
    assert response.status_code == 200, response.text
    claims = claims_of(response.json()["access_token"])
    assert claims["usr"] == "admin" and claims["role"] == ["BuyerAdmin"]
    created = await api.post(
        "/buyers", {"ID": "cc", "Name": "By client"}, token=response.json()["access_token"]
    )
    assert created.status_code == 201


async def test_anonymous_client_credentials_without_a_secret(shop: Api) -> None:
    await make_buyer_user(shop, "b1", "anon-template")
    await store(
        shop,
        ("apiclient", api_client("anon-client", IsAnonBuyer=True, DefaultContextUserName="anon-template")),
    )
    response = await token_form(
        shop, grant_type="client_credentials", client_id="anon-client", scope="Shopper"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    claims = claims_of(body["access_token"])
    assert claims["usrtype"] == "buyer" and claims["cmp"] == "b1" and claims["role"] == ["Shopper"]
    assert claims["usr"] != "anon-template" and claims["u"] != "anon-template"
    assert body["refresh_token"] is None
    # Each anonymous sign-in is a different shopper.
    again = await token_form(shop, grant_type="client_credentials", client_id="anon-client")
    assert claims_of(again.json()["access_token"])["u"] != claims["u"]


async def test_refresh_token_grant(shop: Api) -> None:
    await store(
        shop, ("apiclient", api_client("refresh-client", AllowAnyBuyer=True, RefreshTokenDuration=60))
    )
    first = await shop.token("shopper1", "Shop-pass-123", "refresh-client", "Shopper")
    refresh = first.json()["refresh_token"]
    assert refresh
    response = await token_form(
        shop, grant_type="refresh_token", refresh_token=refresh, client_id="refresh-client"
    )
    assert response.status_code == 200, response.text
    claims = claims_of(response.json()["access_token"])
    assert claims["usr"] == "shopper1" and claims["role"] == ["Shopper"]
    # A refresh token is no access token, and an access token is no refresh token.
    assert (await shop.get("/buyers/b1/users", token=refresh)).status_code == 401
    misuse = await token_form(
        shop,
        grant_type="refresh_token",
        refresh_token=first.json()["access_token"],
        client_id="refresh-client",
    )
    assert_oauth_error(misuse, 400, "invalid_grant", "InvalidToken")
    # Deactivating the user stops refreshes too.
    await shop.ok("PATCH", "/buyers/b1/users/shopper1", {"Active": False})
    stopped = await token_form(
        shop, grant_type="refresh_token", refresh_token=refresh, client_id="refresh-client"
    )
    assert_oauth_error(stopped, 400, "invalid_grant", "Auth.UserNotActive")


async def test_no_refresh_token_when_the_client_has_no_refresh_duration(shop: Api) -> None:
    response = await shop.token("shopper1", "Shop-pass-123", SHOP_CLIENT)
    assert response.json()["refresh_token"] is None


# --------------------------------------------------------------------------- refusals


async def test_wrong_password(shop: Api) -> None:
    response = await shop.token("shopper1", "wrong", SHOP_CLIENT)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidUsernameOrPassword")


async def test_unknown_username_looks_like_a_wrong_password(shop: Api) -> None:
    response = await shop.token("nobody", "Shop-pass-123", SHOP_CLIENT)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidUsernameOrPassword")


async def test_inactive_user(shop: Api) -> None:
    await make_buyer_user(shop, "b1", "sleeper", active=False)
    response = await shop.token("sleeper", "Shop-pass-123", SHOP_CLIENT)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.UserNotActive")


async def test_inactive_company(shop: Api) -> None:
    await shop.ok("PATCH", "/buyers/b1", {"Active": False})
    response = await shop.token("shopper1", "Shop-pass-123", SHOP_CLIENT)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.CompanyNotActive")


async def test_unknown_client(shop: Api) -> None:
    response = await shop.token("shopper1", "Shop-pass-123", "no-such-client")
    assert_oauth_error(response, 400, "invalid_client", "ApiClient.InvalidClientID")


async def test_inactive_client(shop: Api) -> None:
    await store(shop, ("apiclient", api_client("off-client", AllowAnyBuyer=True, Active=False)))
    response = await shop.token("shopper1", "Shop-pass-123", "off-client")
    assert_oauth_error(response, 400, "invalid_client", "Auth.ClientNotActive")


async def test_client_not_allowed_for_that_user_type(shop: Api) -> None:
    # The admin client allows sellers only; the shop client allows buyers only.
    buyer_on_admin_client = await shop.token("shopper1", "Shop-pass-123", ADMIN_CLIENT)
    assert_oauth_error(buyer_on_admin_client, 400, "invalid_grant", "Auth.InvalidUsernameOrPassword")
    admin_on_shop_client = await shop.token("admin", ADMIN_PASSWORD, SHOP_CLIENT)
    assert_oauth_error(admin_on_shop_client, 400, "invalid_grant", "Auth.InvalidUsernameOrPassword")


async def test_client_assigned_to_one_buyer_only(shop: Api) -> None:
    await make_buyer_user(shop, "b2", "other-shopper")
    await store(
        shop,
        ("apiclient", api_client("b2-client")),
        (
            "apiclientassignment",
            {"ID": "b2-client:b2:", "ApiClientID": "b2-client", "BuyerID": "b2", "SupplierID": None},
        ),
    )
    assert (await shop.token("other-shopper", "Shop-pass-123", "b2-client")).status_code == 200
    refused = await shop.token("shopper1", "Shop-pass-123", "b2-client")
    assert_oauth_error(refused, 400, "invalid_grant", "Auth.InvalidUsernameOrPassword")


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "password", "password": "Shop-pass-123", "client_id": SHOP_CLIENT},
        {"grant_type": "password", "username": "shopper1", "client_id": SHOP_CLIENT},
        {"grant_type": "password", "username": "", "password": "", "client_id": SHOP_CLIENT},
    ],
)
async def test_missing_username_or_password(shop: Api, form: dict[str, str]) -> None:
    response = await token_form(shop, **form)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.UsernameAndPasswordRequired")


async def test_wrong_client_secret(api: Api) -> None:
    response = await token_form(
        api, grant_type="client_credentials", client_id=ADMIN_CLIENT, client_secret="not-it"
    )
    assert_oauth_error(response, 400, "invalid_client", "Auth.InvalidClientSecret")


async def test_anonymous_sign_in_needs_an_anonymous_client(shop: Api) -> None:
    response = await token_form(shop, grant_type="client_credentials", client_id=SHOP_CLIENT)
    assert_oauth_error(response, 400, "invalid_client", "Auth.AnonUserProhibited")


async def test_client_credentials_without_the_secret_says_it_is_missing(api: Api) -> None:
    """The bootstrap admin client has a secret: leaving it out (an unset environment variable)
    is answered as a missing secret, not as an anonymous-shopping refusal."""
    response = await token_form(api, grant_type="client_credentials", client_id=ADMIN_CLIENT)
    assert_oauth_error(response, 400, "invalid_client", "Auth.InvalidClientSecret")
    message = response.json()["Errors"][0]["Message"]
    assert "client_secret is required" in message and ADMIN_CLIENT in message
    assert "anonymous shopping" in message
    blank = await token_form(api, grant_type="client_credentials", client_id=ADMIN_CLIENT, client_secret="")
    assert_oauth_error(blank, 400, "invalid_client", "Auth.InvalidClientSecret")


async def test_unsupported_grant_type(api: Api) -> None:
    response = await token_form(api, grant_type="magic", client_id=ADMIN_CLIENT)
    assert_oauth_error(response, 400, "unsupported_grant_type", "Auth.OauthError")


# --------------------------------------------------------------------------- bearer tokens


async def test_missing_and_malformed_tokens_are_401(api: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer abc"},
    ):
        response = await api.client.get("/v1/buyers", headers=headers)
        assert response.status_code == 401, headers
        assert error_code(response) == "InvalidToken"


async def test_expired_token_is_401(api: Api) -> None:
    token = await api.services.tokens.issue(
        {
            "usr": "admin",
            "cid": ADMIN_CLIENT,
            "u": "admin",
            "usrtype": "admin",
            "cmp": "ordercore",
            "role": ["FullAccess"],
        },
        -60,
    )
    response = await api.get("/buyers", token=token)
    assert response.status_code == 401 and error_code(response) == "InvalidToken"


async def test_forged_tokens_are_401(api: Api) -> None:
    real = claims_of(api.admin_token)
    kid = jwt.get_unverified_header(api.admin_token)["kid"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(real, other_key, algorithm="RS256", headers={"kid": kid})
    unknown_kid = jwt.encode(real, other_key, algorithm="RS256", headers={"kid": "nope"})
    unsigned = ".".join(
        [
            jwt.utils.base64url_encode(json.dumps({"alg": "none", "kid": kid}).encode()).decode(),
            jwt.utils.base64url_encode(json.dumps(real).encode()).decode(),
            "",
        ]
    )
    hmac = jwt.encode(real, "secret-bytes-long-enough-for-hs256!", algorithm="HS256", headers={"kid": kid})
    head, _, sig = api.admin_token.split(".")
    tampered = ".".join(
        [head, jwt.utils.base64url_encode(b'{"usr":"x","role":["FullAccess"]}').decode(), sig]
    )
    for token in (forged, unknown_kid, unsigned, hmac, tampered):
        response = await api.get("/buyers", token=token)
        assert response.status_code == 401, token
        assert error_code(response) == "InvalidToken"


async def test_missing_role_is_403_with_the_roles_needed(api: Api) -> None:
    reader = await api.login("admin", ADMIN_PASSWORD, scope="BuyerReader")
    assert (await api.get("/buyers", token=reader)).status_code == 200
    response = await api.post("/buyers", {"Name": "Nope"}, token=reader)
    assert response.status_code == 403
    error = response.json()["Errors"][0]
    assert error["ErrorCode"] == "Auth.InsufficientRoles"
    assert "BuyerAdmin" in error["Data"]["SufficientRoles"]
    assert error["Data"]["AssignedRoles"] == ["BuyerReader"]
    assert (await api.get("/buyers")).json()["Meta"]["TotalCount"] == 0


async def test_buyer_user_without_the_role_is_403(shop: Api) -> None:
    token = await shop.login("shopper1", "Shop-pass-123", SHOP_CLIENT)
    response = await shop.get("/buyers", token=token)
    assert response.status_code == 403 and error_code(response) == "Auth.InsufficientRoles"
    assert {"BuyerReader", "BuyerAdmin"} <= set(response.json()["Errors"][0]["Data"]["SufficientRoles"])


# --------------------------------------------------------------------------- keys


async def test_certs_serve_the_public_key_that_verifies_tokens(api: Api) -> None:
    kid = jwt.get_unverified_header(api.admin_token)["kid"]
    response = await api.client.get(f"/oauth/certs/{kid}")
    assert response.status_code == 200
    jwk = response.json()
    assert jwk["kid"] == kid and jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and jwk["n"] and jwk["e"]
    assert "d" not in jwk and "p" not in jwk  # public half only
    key = jwt.PyJWK(jwk).key
    base = api.services.settings.base_url
    claims = jwt.decode(api.admin_token, key, algorithms=["RS256"], audience=base, issuer=base)
    assert claims["usr"] == "admin"
    assert claims["nbf"] <= time.time() < claims["exp"]
    key_set = (await api.client.get("/oauth/certs")).json()
    assert [k["kid"] for k in key_set["keys"]] == [kid]
    missing = await api.client.get("/oauth/certs/nope")
    assert missing.status_code == 404 and error_code(missing) == "NotFound"


async def test_two_server_instances_accept_each_others_tokens(api: Api) -> None:
    """Two processes on one database share the signing key, so either may check either's tokens."""
    other_services = build_services(api.services.settings)
    app = create_app(api.services.settings, other_services)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
        ) as other:
            form = {
                "grant_type": "password",
                "username": "admin",
                "password": ADMIN_PASSWORD,
                "client_id": ADMIN_CLIENT,
            }
            issued_there = (await other.post("/oauth/token", data=form)).json()["access_token"]
            assert (await api.get("/buyers", token=issued_there)).status_code == 200
            here = await other.get("/v1/buyers", headers={"Authorization": f"Bearer {api.admin_token}"})
            assert here.status_code == 200
            kid = jwt.get_unverified_header(api.admin_token)["kid"]
            assert (await other.get(f"/oauth/certs/{kid}")).json() == (
                await api.client.get(f"/oauth/certs/{kid}")
            ).json()
    finally:
        await other_services.db.dispose()
