"""OpenID Connect: `/openidconnects` CRUD and the `/ocrplogin` -> IdP -> `/ocrpcode` sign-in, against
a small identity provider served on loopback by this test process (aiohttp): discovery document,
JWKS and a token endpoint signing RS256 id_tokens."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.api.org_setup import APP_CLIENT, buyer, profile, storefront_client, user_body
from tests.helpers import Api, error_code

APP_START = "https://shop.example.com/signin?token={0}&idp={1}&path={2}"


@dataclass
class IdP:
    """The identity provider: `grant` is what its login page would do (issue a code for a user)."""

    base: str = ""
    client_id: str = "idp-client"
    client_secret: str = "idp-secret"
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)

    def grant(self, authorize_url: str, sub: str, email: str | None, **overrides: Any) -> str:
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        code = secrets.token_urlsafe(8)
        self.codes[code] = {"sub": sub, "email": email, "nonce": query["nonce"], **overrides}
        return code

    def id_token(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        key = claims.pop("_key", self.key)
        body = {"iss": self.base, "aud": self.client_id, "iat": now, "exp": now + 300, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})

    def app(self) -> web.Application:
        async def discovery(_: web.Request) -> web.Response:
            return web.json_response(
                {"issuer": self.base, "jwks_uri": f"{self.base}/jwks", "token_endpoint": f"{self.base}/token"}
            )

        async def jwks(_: web.Request) -> web.Response:
            public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            return web.json_response({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]})

        async def token(request: web.Request) -> web.Response:
            if request.content_type == "application/x-www-form-urlencoded":
                form = dict(await request.post())
                who = (form.get("client_id"), form.get("client_secret"))
            else:
                form = await request.json()
                basic = request.headers.get("Authorization", "").removeprefix("Basic ")
                who = tuple(base64.b64decode(basic).decode().split(":", 1)) if basic else (None, None)
            self.token_requests.append({"content_type": request.content_type, **form})
            if who != (self.client_id, self.client_secret):
                return web.json_response({"error": "invalid_client"}, status=401)
            grant = self.codes.pop(str(form.get("code")), None)
            if grant is None or form.get("grant_type") != "authorization_code":
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(
                {
                    "access_token": "idp-access",
                    "refresh_token": "idp-refresh",
                    "id_token": self.id_token(grant),
                }
            )

        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", discovery)
        app.router.add_get("/jwks", jwks)
        app.router.add_post("/token", token)
        return app


@pytest.fixture
async def idp() -> AsyncIterator[IdP]:
    provider = IdP()
    runner = web.AppRunner(provider.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    provider.base = f"http://127.0.0.1:{port}"
    try:
        yield provider
    finally:
        await runner.cleanup()


def config(idp: IdP, **extra: Any) -> dict[str, Any]:
    return {
        "ID": "idp",
        "OrderCloudApiClientID": APP_CLIENT,
        "ConnectClientID": idp.client_id,
        "ConnectClientSecret": idp.client_secret,
        "AppStartUrl": APP_START,
        "AuthorizationEndpoint": f"{idp.base}/authorize",
        "TokenEndpoint": f"{idp.base}/token",
        "AdditionalIdpScopes": ["email", "profile"],
        **extra,
    }


async def setup(api: Api, idp: IdP, **extra: Any) -> None:
    await storefront_client(api)
    await buyer(api, "b1")
    await api.ok("POST", "/buyers/b1/users", user_body("ann", Username="ann@example.com"))
    await profile(api, "p-ann", ["Shopper", "MeAdmin", "OrderAdmin"], BuyerID="b1", UserID="ann")
    await api.ok("POST", "/openidconnects", config(idp, **extra))


async def login(api: Api, roles: str = "Shopper MeAdmin") -> tuple[str, str]:
    """`/ocrplogin`: the IdP authorize URL and the state cookie."""
    response = await api.client.get(
        "/ocrplogin", params={"id": "idp", "cid": APP_CLIENT, "roles": roles, "appstartpath": "/cart"}
    )
    assert response.status_code == 302, response.text
    return response.headers["location"], response.cookies["ordercore_oidc"]


async def callback(api: Api, code: str, authorize_url: str, cookie: str | None) -> httpx.Response:
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    headers = {"Cookie": f"ordercore_oidc={cookie}"} if cookie else {}
    api.client.cookies.clear()
    return await api.client.get("/ocrpcode", params={"code": code, "state": state}, headers=headers)


def app_start_token(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith("https://shop.example.com/signin?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["idp"] == "idp-access" and query["path"] == "/cart"
    return query["token"]


async def test_config_crud(api: Api, idp: IdP) -> None:
    await storefront_client(api)
    created = await api.ok("POST", "/openidconnects", config(idp))
    assert created["ConnectClientSecret"] == idp.client_secret and created["UrlEncoded"] is False
    assert created["IntegrationEventName"] is None
    assert (await api.ok("GET", "/openidconnects"))["Items"][0]["ID"] == "idp"
    patched = await api.ok("PATCH", "/openidconnects/idp", {"UrlEncoded": True})
    assert patched["UrlEncoded"] is True and patched["TokenEndpoint"] == f"{idp.base}/token"
    bad_url = await api.post("/openidconnects", config(idp, ID="x", TokenEndpoint="ftp://idp"))
    assert bad_url.status_code == 400 and error_code(bad_url) == "ValidationFailure"
    metadata = await api.post(
        "/openidconnects", config(idp, ID="y", TokenEndpoint="http://169.254.169.254/t")
    )
    assert metadata.status_code == 400
    no_client = await api.post("/openidconnects", config(idp, ID="z", OrderCloudApiClientID="nope"))
    assert no_client.status_code == 404
    missing = await api.post("/openidconnects", {"ID": "w"})
    assert missing.status_code == 400
    await api.ok("DELETE", "/openidconnects/idp")
    assert (await api.get("/openidconnects/idp")).status_code == 404


@pytest.mark.parametrize("url_encoded", [False, True])
async def test_sign_in(api: Api, idp: IdP, url_encoded: bool) -> None:
    await setup(api, idp, UrlEncoded=url_encoded)
    authorize, cookie = await login(api)
    assert authorize.startswith(f"{idp.base}/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert query["client_id"] == idp.client_id and query["response_type"] == "code"
    assert query["scope"] == "openid email profile"
    assert query["redirect_uri"] == "http://testserver/ocrpcode" and query["nonce"]

    code = idp.grant(authorize, "idp-user-1", "ann@example.com")
    token = app_start_token(await callback(api, code, authorize, cookie))
    me = await api.ok("GET", "/me", token=token)
    assert me["ID"] == "ann" and me["Username"] == "ann@example.com"
    claims = jwt.decode(token, options={"verify_signature": False})
    # The roles asked for at /ocrplogin that the user has (OrderAdmin was not asked for).
    assert claims["cid"] == APP_CLIENT and sorted(claims["role"]) == ["MeAdmin", "Shopper"]
    sent = idp.token_requests[-1]
    expected = "application/x-www-form-urlencoded" if url_encoded else "application/json"
    assert sent["content_type"] == expected and sent["redirect_uri"] == "http://testserver/ocrpcode"
    # The user shows nothing of its link to the identity.
    assert "_OpenIdConnect" not in json.dumps(await api.ok("GET", "/buyers/b1/users/ann"))

    # The same callback again (a replay) is refused.
    replay = await callback(api, code, authorize, cookie)
    assert replay.status_code == 400 and error_code(replay) == "OpenIdConnect.InvalidState"


async def test_state_must_come_with_its_cookie(api: Api, idp: IdP) -> None:
    await setup(api, idp)
    authorize, cookie = await login(api)
    code = idp.grant(authorize, "idp-user-1", "ann@example.com")
    for wrong in (None, "someone-else"):
        refused = await callback(api, code, authorize, wrong)
        assert refused.status_code == 400 and error_code(refused) == "OpenIdConnect.InvalidState"
    forged = await api.client.get(
        "/ocrpcode",
        params={"code": code, "state": "not-a-token"},
        headers={"Cookie": f"ordercore_oidc={cookie}"},
    )
    assert forged.status_code == 400 and error_code(forged) == "OpenIdConnect.InvalidState"
    # The genuine pair still works.
    assert app_start_token(await callback(api, code, authorize, cookie))


async def test_id_token_is_verified(api: Api, idp: IdP) -> None:
    await setup(api, idp)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases: list[dict[str, Any]] = [
        {"nonce": "replayed-nonce"},
        {"_key": other_key},
        {"aud": "someone-else"},
        {"iss": "http://127.0.0.1:1"},
        {"exp": int(time.time()) - 60},
    ]
    for overrides in cases:
        authorize, cookie = await login(api)
        code = idp.grant(authorize, "idp-user-1", "ann@example.com", **overrides)
        refused = await callback(api, code, authorize, cookie)
        assert refused.status_code == 400, overrides
        assert error_code(refused) == "OpenIdConnect.InvalidIdToken", (overrides, refused.text)
        assert "access_token" not in refused.text

    # A code the IdP does not know (or a wrong client secret) ends at its token endpoint.
    authorize, cookie = await login(api)
    refused = await callback(api, "made-up", authorize, cookie)
    assert refused.status_code == 400 and error_code(refused) == "OpenIdConnect.IdpError"


async def test_which_user(api: Api, idp: IdP) -> None:
    await setup(api, idp)
    # An unknown identity: no user is created (no integration event); CustomErrorUrl shows why.
    authorize, cookie = await login(api)
    unknown = await callback(api, idp.grant(authorize, "nobody", "nobody@example.com"), authorize, cookie)
    assert unknown.status_code == 400 and error_code(unknown) == "Auth.UserNotFound"

    # A user of a buyer the API client is not for never signs in through it.
    await api.ok("POST", "/apiclients", {"ID": "b2-only", "AppName": "B2 shop", "AccessTokenDuration": 600})
    await buyer(api, "b2")
    await api.ok("POST", "/apiclients/assignments", {"ApiClientID": "b2-only", "BuyerID": "b2"}, status=204)
    await api.ok("PATCH", "/openidconnects/idp", {"OrderCloudApiClientID": "b2-only"})
    response = await api.client.get("/ocrplogin", params={"id": "idp", "cid": APP_CLIENT})
    assert response.status_code == 400 and error_code(response) == "OpenIdConnect.Failed"
    authorize = (await api.client.get("/ocrplogin", params={"id": "idp", "cid": "b2-only"})).headers[
        "location"
    ]
    cookie = api.client.cookies["ordercore_oidc"]
    other = await callback(api, idp.grant(authorize, "idp-user-1", "ann@example.com"), authorize, cookie)
    assert other.status_code == 400 and error_code(other) == "Auth.UserNotFound"

    # Once linked to an identity, a user is not taken over by another identity with its email.
    await api.ok("PATCH", "/openidconnects/idp", {"OrderCloudApiClientID": APP_CLIENT})
    authorize, cookie = await login(api)
    app_start_token(
        await callback(api, idp.grant(authorize, "idp-user-1", "ann@example.com"), authorize, cookie)
    )
    authorize, cookie = await login(api)
    taken = await callback(api, idp.grant(authorize, "idp-user-2", "ann@example.com"), authorize, cookie)
    assert taken.status_code == 400 and error_code(taken) == "Auth.UserNotFound"

    # With a CustomErrorUrl the browser goes there instead of seeing a JSON error.
    await api.ok("PATCH", "/openidconnects/idp", {"CustomErrorUrl": "https://shop.example.com/error?why={1}"})
    authorize, cookie = await login(api)
    sent = await callback(api, idp.grant(authorize, "nobody", None), authorize, cookie)
    assert sent.status_code == 302
    assert sent.headers["location"] == "https://shop.example.com/error?why=Auth.UserNotFound"


async def test_unknown_configuration(api: Api) -> None:
    response = await api.client.get("/ocrplogin", params={"id": "nope", "cid": APP_CLIENT})
    assert response.status_code == 404 and error_code(response) == "NotFound"
