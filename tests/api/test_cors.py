"""CORS: a storefront page on another origin calls the API with the official SDK (bearer token
in Authorization, JSON bodies), so preflights and every answer, errors included, must carry the
CORS headers; `ORDERCORE_CORS_ORIGINS` narrows the origins or turns CORS off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from app.state import Services
from tests.helpers import Api

SHOP = "http://shop.example:3000"


def preflight_headers(origin: str = SHOP, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    }


def listed(value: str | None) -> set[str]:
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


@pytest.mark.parametrize("path", ["/v1/me/products", "/v1/Me/Products", "/v1/cart/lineitems", "/oauth/token"])
async def test_preflight_allows_what_the_sdk_sends(api: Api, path: str) -> None:
    r = await api.client.options(path, headers=preflight_headers(method="PATCH"))
    assert r.status_code == 204, r.text
    assert r.headers["access-control-allow-origin"] == "*"
    assert {"authorization", "content-type"} <= listed(r.headers["access-control-allow-headers"])
    assert {"get", "post", "put", "patch", "delete"} <= listed(r.headers["access-control-allow-methods"])
    assert r.headers["access-control-max-age"] == "7200"
    # Bearer tokens only: a cookie-carrying cross-origin call is never invited.
    assert "access-control-allow-credentials" not in r.headers


async def test_answers_carry_cors_headers_errors_included(api: Api) -> None:
    ok = await api.client.get("/oauth/certs", headers={"Origin": SHOP})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "*"
    assert {"x-request-id", "retry-after"} <= listed(ok.headers["access-control-expose-headers"])
    # Without the header the browser hides these bodies and the SDK cannot read the ErrorCode.
    unauthorized = await api.client.get("/v1/me", headers={"Origin": SHOP})
    assert unauthorized.status_code == 401 and unauthorized.headers["access-control-allow-origin"] == "*"
    assert unauthorized.json()["Errors"][0]["ErrorCode"]
    missing = await api.client.get(
        "/v1/nothing-here", headers={"Origin": SHOP, "Authorization": f"Bearer {api.admin_token}"}
    )
    assert missing.status_code == 404 and missing.headers["access-control-allow-origin"] == "*"
    bad_grant = await api.client.post("/oauth/token", data={"grant_type": "nope"}, headers={"Origin": SHOP})
    assert bad_grant.status_code == 400 and bad_grant.headers["access-control-allow-origin"] == "*"
    created = await api.client.post(
        "/v1/buyers",
        json={"ID": "cors-buyer", "Name": "Cors"},
        headers={"Origin": SHOP, "Authorization": f"Bearer {api.admin_token}"},
    )
    assert created.status_code == 201 and created.headers["access-control-allow-origin"] == "*"


@pytest.fixture
async def narrowed(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The app with `ORDERCORE_CORS_ORIGINS` naming two storefronts (one with a stray slash)."""
    settings = Settings.from_env(
        {"ORDERCORE_CORS_ORIGINS": f" {SHOP}, https://admin.example/ ", "ORDERCORE_CORS_MAX_AGE": "60"}
    )
    app = create_app(
        replace(services.settings, cors_origins=settings.cors_origins, cors_max_age=settings.cors_max_age),
        services,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def test_narrowed_origins(narrowed: httpx.AsyncClient) -> None:
    for origin in (SHOP, "https://admin.example"):
        r = await narrowed.options("/v1/me", headers=preflight_headers(origin, "GET"))
        assert r.status_code == 204 and r.headers["access-control-allow-origin"] == origin
        assert r.headers["access-control-max-age"] == "60" and "origin" in listed(r.headers["vary"])
        answer = await narrowed.get("/oauth/certs", headers={"Origin": origin})
        assert answer.headers["access-control-allow-origin"] == origin
    stranger = "https://evil.example"
    refused = await narrowed.options("/v1/me", headers=preflight_headers(stranger, "GET"))
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    answer = await narrowed.get("/oauth/certs", headers={"Origin": stranger})
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers


async def test_empty_setting_turns_cors_off(services: Services) -> None:
    app = create_app(replace(services.settings, cors_origins=""), services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        r = await c.options("/v1/me", headers=preflight_headers())
        answer = await c.get("/oauth/certs", headers={"Origin": SHOP})
    assert "access-control-allow-origin" not in r.headers
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers
