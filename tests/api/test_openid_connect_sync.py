"""OpenID Connect's integration event (docs/openid-connect.md, "Which user"): the middleware, a
real aiohttp server on loopback, is asked at `/createuser` when no user matches the identity and
creates one with the token it was given; with `CallSyncUserIntegrationEvent` it is asked at
`/syncuser` for a matched user too; what it refuses, the sign-in refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from aiohttp import web

from integrations.signing import verify_oc_hash
from tests.api.org_setup import user_body
from tests.api.test_openid_connect import IdP, app_start_token, callback, idp, login, setup
from tests.helpers import Api, error_code

__all__ = ["idp"]  # the IdP fixture, served on loopback by tests/api/test_openid_connect.py
HASH = "sso-hash"
Handler = Callable[[str, dict[str, Any]], Any]


@dataclass
class Middleware:
    base: str = ""
    calls: list[tuple[str, dict[str, Any], bool]] = field(default_factory=list)
    handler: Handler | None = None

    def app(self) -> web.Application:
        async def event(request: web.Request) -> web.Response:
            raw = await request.read()
            signed = verify_oc_hash(HASH, raw, request.headers.get("X-oc-hash", ""))
            body = await request.json()
            name = request.match_info["name"]
            self.calls.append((name, body, signed))
            assert self.handler is not None
            status, answer = await self.handler(name, body)
            return web.json_response(answer, status=status)

        app = web.Application()
        app.router.add_post("/sso/{name}", event)
        return app


@pytest.fixture
async def middleware() -> AsyncIterator[Middleware]:
    mw = Middleware()
    runner = web.AppRunner(mw.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    mw.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield mw
    finally:
        await runner.cleanup()


async def _with_event(api: Api, idp: IdP, mw: Middleware, **extra: Any) -> None:
    event = {
        "ID": "sso",
        "Name": "User sync",
        "EventType": "OpenIDConnect",
        "CustomImplementationUrl": mw.base + "/sso",
        "HashKey": HASH,
        "ElevatedRoles": ["BuyerUserAdmin"],
        "ConfigData": {"Buyer": "b1"},
    }
    await api.ok("POST", "/integrationEvents", event)
    await setup(api, idp, IntegrationEventID="sso", **extra)


def _user_of(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["u"])


async def test_createuser_names_the_user_it_created(api: Api, idp: IdP, middleware: Middleware) -> None:
    await _with_event(api, idp, middleware)

    async def create(name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        claims = jwt.decode(body["TokenResponse"]["id_token"], options={"verify_signature": False})
        token = body["OrderCloudAccessToken"]
        user = user_body("newbie", Username=claims["email"], Email=claims["email"])
        await api.ok("POST", f"/buyers/{body['ConfigData']['Buyer']}/users", user, token=token)
        return 200, {"Username": claims["email"]}

    middleware.handler = create
    authorize, cookie = await login(api)
    signed_in = await callback(api, idp.grant(authorize, "idp-new", "new@example.com"), authorize, cookie)
    assert _user_of(app_start_token(signed_in)) == "newbie"
    [(name, body, signed)] = middleware.calls
    assert name == "createuser" and signed is True
    assert body["ExistingUser"] is None and body["TokenResponse"]["access_token"] == "idp-access"
    assert body["OpenIdConnect"]["ID"] == "idp" and body["OpenIdConnect"]["ConnectClientSecret"] is None
    user = await api.ok("GET", "/buyers/b1/users/newbie")
    assert user["Username"] == "new@example.com"

    # Linked now: the next sign-in of that identity needs no call (no CallSyncUserIntegrationEvent).
    authorize, cookie = await login(api)
    again = await callback(api, idp.grant(authorize, "idp-new", "new@example.com"), authorize, cookie)
    assert _user_of(app_start_token(again)) == "newbie" and len(middleware.calls) == 1


async def test_syncuser_for_a_matched_user_when_configured(
    api: Api, idp: IdP, middleware: Middleware
) -> None:
    await _with_event(api, idp, middleware, CallSyncUserIntegrationEvent=True)

    async def sync(name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        existing = body["ExistingUser"]
        token = body["OrderCloudAccessToken"]
        await api.ok("PATCH", f"/buyers/b1/users/{existing['ID']}", {"FirstName": "Synced"}, token=token)
        return 200, {"Username": existing["Username"]}

    middleware.handler = sync
    authorize, cookie = await login(api)
    signed_in = await callback(api, idp.grant(authorize, "idp-ann", "ann@example.com"), authorize, cookie)
    assert _user_of(app_start_token(signed_in)) == "ann"
    [(name, body, _)] = middleware.calls
    assert name == "syncuser" and body["ExistingUser"]["Username"] == "ann@example.com"
    assert "_OpenIdConnect" not in body["ExistingUser"]
    assert (await api.ok("GET", "/buyers/b1/users/ann"))["FirstName"] == "Synced"


async def test_what_the_middleware_refuses_the_sign_in_refuses(
    api: Api, idp: IdP, middleware: Middleware
) -> None:
    await _with_event(api, idp, middleware)
    answers: list[tuple[int, dict[str, Any]]] = [
        (200, {"ErrorMessage": "Not an employee"}),
        (500, {}),
        (200, {"Username": "ghost@example.com"}),
    ]

    async def refuse(name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return answers.pop(0)

    middleware.handler = refuse
    expected = ["IntegrationEvent.BadRequest", "IntegrationEvent.BadResponse", "Auth.UserNotFound"]
    for code in expected:
        authorize, cookie = await login(api)
        refused = await callback(api, idp.grant(authorize, "idp-x", "x@example.com"), authorize, cookie)
        assert refused.status_code == 400 and error_code(refused) == code, refused.text
    assert answers == []
    first = middleware.calls[0][1]
    assert first["ExistingUser"] is None


async def test_only_an_openidconnect_event_may_be_named(api: Api, idp: IdP, middleware: Middleware) -> None:
    await _with_event(api, idp, middleware)
    checkout = {"ID": "co", "Name": "Checkout", "EventType": "OrderCheckout", "HashKey": HASH}
    await api.ok("POST", "/integrationEvents", {**checkout, "CustomImplementationUrl": middleware.base})
    refused = await api.patch("/openidconnects/idp", {"IntegrationEventID": "co"})
    assert refused.status_code == 400 and error_code(refused) == "IntegrationEvent.IncompatibleEventType"
    assert (await api.ok("GET", "/openidconnects/idp"))["IntegrationEventID"] == "sso"
