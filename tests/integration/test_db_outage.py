"""The database going away under requests, seen from outside: 503 with Retry-After in
OrderCloud's envelope, a bounded log (one line per failure, one when it goes, one when it is
back, no tracebacks or statement parameters), and service back without a restart.

PostgreSQL only: a TCP proxy in front of the shared server is cut and restored (the server itself
is never stopped)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.main import build_services, create_app
from app.state import Services
from tests.conftest import ADMIN_PASSWORD, PG_URL
from tests.integration.tcp_proxy import TcpProxy

# Requests made while the database is cut off.
DURING = 12


@pytest.fixture
async def proxied(services: Services, backend_name: str) -> AsyncIterator[tuple[httpx.AsyncClient, TcpProxy]]:
    if backend_name != "postgres":
        pytest.skip("the outage is made with a TCP proxy in front of PostgreSQL")
    url = httpx.URL(PG_URL.replace("postgresql+asyncpg", "http"))
    proxy = await TcpProxy.start(url.host, url.port or 5432)
    db_url = PG_URL.replace(f"{url.host}:{url.port or 5432}", f"127.0.0.1:{proxy.port}")
    settings = replace(services.settings, database_url=db_url, webhook_worker=False)
    own = build_services(settings)
    app = create_app(settings, own)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            form = {"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD}
            form["client_id"] = "ordercore-admin"
            token = (await client.post("/oauth/token", data=form)).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            yield client, proxy
    finally:
        await own.db.dispose()
        await proxy.cut()


async def test_an_unreachable_database_answers_503_and_the_service_comes_back(
    proxied: tuple[httpx.AsyncClient, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    client, proxy = proxied
    assert (await client.get("/v1/buyers")).status_code == 200
    caplog.set_level(logging.INFO)
    await proxy.cut()
    caplog.clear()
    for n in range(DURING):
        if n % 2:
            response = await client.post(
                "/v1/buyers", json={"ID": f"b{n}", "Name": "Buyer", "xp": {"Secret": "s3"}}
            )
        else:
            response = await client.get("/v1/buyers/someone")
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        (error,) = response.json()["Errors"]
        assert error["ErrorCode"] == "ServiceUnavailable" and error["Message"]

    # Everything the server logged (the test's own client logs its calls through httpx).
    records = [r for r in caplog.records if r.name not in ("httpx", "app.store.invalidation")]
    failures = [r for r in records if r.name != "ordercore.access"]
    # The cache-invalidation listener says once that it lost its connection and once that it
    # cannot get one back, however many requests come meanwhile.
    listener = [r.getMessage() for r in caplog.records if r.name == "app.store.invalidation"]
    assert len(listener) <= 2, listener
    text = "\n".join(caplog.text.splitlines())
    # One line per failed request plus one saying the database went away; nothing else.
    assert len(failures) == DURING + 1, [r.getMessage() for r in failures]
    assert sum("database unreachable" in r.getMessage() for r in failures) == 1
    assert not any(r.exc_info for r in failures)
    assert "Traceback" not in text and "s3" not in text and "INSERT" not in text.upper()
    assert len(records) == 2 * DURING + 1  # and one access line per request

    caplog.clear()
    await proxy.restore()
    statuses = []
    for _ in range(5):
        statuses.append((await client.get("/v1/buyers")).status_code)
        if statuses[-1] == 200:
            break
        await asyncio.sleep(0.2)
    assert statuses[-1] == 200, statuses
    assert sum("database reachable again" in r.getMessage() for r in caplog.records) == 1
    created = await client.post("/v1/buyers", json={"ID": "after", "Name": "After the outage"})
    assert created.status_code == 201, created.text
