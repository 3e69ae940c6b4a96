"""The per-process caches behind authentication and webhooks (docs/performance.md, "No fixed
costs per request") keep issue #10's rules exact across processes: a change made through one
server instance is seen by another at once. Two `Services` on one PostgreSQL schema are two
processes as far as the caches go (each has its own caches and its own LISTEN connection); only
PostgreSQL is tested for that, since several processes on one SQLite file are not supported."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from app.main import build_services, create_app
from app.state import Services
from app.store.tables import outbox
from tests.api.test_token_security import CLIENT, NEW_PASSWORD, PATHS, make_user, pair
from tests.api.test_token_security import world as world  # the fixture, reused
from tests.helpers import Api, error_code
from tests.integration.webhooks_support import make_webhook


@contextmanager
def counting(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


@pytest.fixture
async def other(world: Api, backend_name: str) -> AsyncIterator[Api]:
    """A second server instance on the same database, as a second process would be."""
    if backend_name != "postgres":
        pytest.skip("several processes share a database on PostgreSQL only")
    services = build_services(world.services.settings)
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            second = Api(client, services)
            second.admin_token = world.admin_token
            yield second
    finally:
        await services.db.dispose()


async def warm(api: Api, access: str) -> None:
    """The instance answers for the token and has it cached: its next check runs no statement."""
    assert (await api.get("/me", token=access)).status_code == 200
    with counting(api.services) as seen:
        assert (await api.get("/me", token=access)).status_code == 200
    # The standing statement reads `resources AS u` (app.auth.revocation._standing_statement).
    assert not [s for s in seen if "resources AS u " in s], seen
    assert api.services.standing.cache.entries


async def refused(api: Api, access: str, code: str) -> None:
    response = await api.get("/me", token=access)
    assert response.status_code == 401 and error_code(response) == code, response.text


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_revoke_on_one_instance_refuses_on_the_other(world: Api, other: Api, kind: str) -> None:
    await make_user(world, kind, "u1")
    access, _ = await pair(world, "u1-name")
    await warm(other, access)
    await world.ok("DELETE", f"{PATHS[kind]}/u1/tokens")
    await refused(other, access, "Auth.TokenRevoked")


@pytest.mark.parametrize("kind", ["buyer", "admin"])
async def test_deactivation_on_one_instance_refuses_on_the_other(world: Api, other: Api, kind: str) -> None:
    await make_user(world, kind, "u1")
    access, _ = await pair(world, "u1-name")
    await warm(other, access)
    await world.ok("PATCH", f"{PATHS[kind]}/u1", {"Active": False})
    await refused(other, access, "Auth.UserNotActive")


async def test_company_deactivation_on_one_instance_refuses_on_the_other(world: Api, other: Api) -> None:
    await make_user(world, "buyer", "u1")
    access, _ = await pair(world, "u1-name")
    await warm(other, access)
    await world.ok("PATCH", "/buyers/b1", {"Active": False})
    await refused(other, access, "Auth.CompanyNotActive")


async def test_password_change_through_me_on_one_instance_refuses_on_the_other(
    world: Api, other: Api
) -> None:
    await make_user(world, "buyer", "u1")
    access, _ = await pair(world, "u1-name")
    other_device, _ = await pair(world, "u1-name")
    await warm(other, other_device)
    await world.ok("PATCH", "/me", {"Password": NEW_PASSWORD}, token=access)
    await refused(other, other_device, "Auth.TokenRevoked")


async def test_delete_on_one_instance_refuses_on_the_other(world: Api, other: Api) -> None:
    await make_user(world, "admin", "u1")
    access, _ = await pair(world, "u1-name")
    await warm(other, access)
    await world.ok("DELETE", "/adminusers/u1")
    await refused(other, access, "Auth.TokenRevoked")
    # Recreated under the same ID and username: another person, the old token stays dead.
    await make_user(world, "admin", "u1")
    await refused(other, access, "Auth.TokenRevoked")
    fresh, _ = await pair(world, "u1-name")
    assert (await other.get("/me", token=fresh)).status_code == 200


async def test_a_webhook_made_on_one_instance_fires_on_the_other(world: Api, other: Api) -> None:
    """The webhook configuration is cached per process too: a webhook created on one instance
    fires for writes on the other from the next write on, and stops once deleted."""

    async def queued() -> int:
        async with world.services.db.reader() as conn:
            return int((await conn.execute(select(func.count()).select_from(outbox))).scalar_one())

    await other.ok("POST", "/buyers", {"ID": "before", "Name": "Before"})  # caches "no webhook"
    await make_webhook(world, "http://127.0.0.1:9/hook", clients=["ordercore-admin", CLIENT])
    await other.ok("POST", "/buyers", {"ID": "during", "Name": "During"})
    assert await queued() == 1
    await world.ok("DELETE", "/webhooks/wh1")
    left = await queued()
    await other.ok("POST", "/buyers", {"ID": "after", "Name": "After"})
    assert await queued() == left


async def test_a_cached_user_costs_no_statement_on_sqlite_either(world: Api) -> None:
    """One process (SQLite's case): the second request of a token runs no standing statement,
    and a revoke through the same process is seen by the next request."""
    await make_user(world, "buyer", "u1")
    access, _ = await pair(world, "u1-name")
    await warm(world, access)
    await world.ok("DELETE", "/buyers/b1/users/u1/tokens")
    await refused(world, access, "Auth.TokenRevoked")
