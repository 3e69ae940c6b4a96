"""Shared fixtures: the app in-process on a real database (SQLite file and PostgreSQL), reset
between tests, with an admin token ready.

`ORDERCORE_TEST_BACKENDS` picks the databases (default `sqlite,postgres`); PostgreSQL is the
server on 127.0.0.1:5432 (database `test`, one schema per test run)."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# Cheap argon2 parameters: the suite creates many users; production keeps the library default.
os.environ.setdefault("ORDERCORE_ARGON2_PROFILE", "CHEAPEST")
# No token-endpoint rate limit for the server processes the e2e tests start (they inherit this).
os.environ.setdefault("ORDERCORE_TOKEN_RATE_PER_ADDRESS", "0")
os.environ.setdefault("ORDERCORE_TOKEN_RATE_PER_CLIENT", "0")
from sqlalchemy import delete, insert, select, text

from app.bootstrap import bootstrap
from app.config import Settings
from app.main import build_services, create_app
from app.migrate import migrate
from app.state import Services
from app.store import xp_indexes
from app.store.db import Database
from app.store.invalidation import note_everything
from app.store.tables import delivery_attempts, outbox, resources
from tests.helpers import Api

PG_URL = os.environ.get("ORDERCORE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BACKENDS = [
    b.strip() for b in os.environ.get("ORDERCORE_TEST_BACKENDS", "sqlite,postgres").split(",") if b.strip()
]
ADMIN_PASSWORD = "Admin-pass-1234"
ADMIN_SECRET = "admin-client-secret"


class Backend:
    """One migrated, bootstrapped database for the whole run, reset to its first state per test."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        self.snapshot: list[dict[str, Any]] = []
        # One Services and one app per database for the whole run: building the app costs
        # ~0.1 s, far more than resetting the data.
        self._services: Services | None = None
        self._app: Any = None

    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self.settings)
        self._services.settings = self.settings  # a test may have replaced it
        return self._services

    def app(self) -> Any:
        if self._app is None:
            self._app = create_app(self.settings, self.services())
        return self._app

    async def prepare(self) -> None:
        await asyncio.to_thread(migrate, self.settings.database_url, self.settings.database_schema or None)
        services = build_services(self.settings)
        await bootstrap(services, password=ADMIN_PASSWORD, client_secret=ADMIN_SECRET)
        async with services.db.reader() as conn:
            rows = await conn.execute(select(resources))
            self.snapshot = [dict(r._mapping) for r in rows]
        await services.db.dispose()

    async def reset(self, db: Database) -> None:
        async with db.transaction() as conn:
            for table in (delivery_attempts, outbox, resources):
                await conn.execute(delete(table))
            await xp_indexes.drop_all(conn)  # indexes a test's /xpindices declared
            await conn.execute(insert(resources), self.snapshot)
            # Raw SQL behind the repository's back: every process's caches drop everything.
            note_everything(conn)


# The suite signs in thousands of times from one address: no token-endpoint rate limit here
# (tests/api/test_token_security.py turns the production default back on to prove it throttles).
UNTHROTTLED = {"token_rate_per_address": 0, "token_rate_per_client": 0}


def _backend_settings(name: str, tmp: Path) -> Settings:
    if name == "sqlite":
        return Settings(
            database_url=f"sqlite+aiosqlite:///{tmp / 'ordercore-test.db'}",
            public_url="http://testserver",
            webhook_worker=False,
            **UNTHROTTLED,
            # The tests' receivers listen on loopback (docs/security-orders.md, "Outbound URLs").
            outbound_allow_private=True,
        )
    schema = "t_" + secrets.token_hex(6)
    return Settings(
        database_url=PG_URL,
        database_schema=schema,
        public_url="http://testserver",
        webhook_worker=False,
        **UNTHROTTLED,
        outbound_allow_private=True,
    )


@pytest.fixture(scope="session")
def _backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Backend]]:
    made: dict[str, Backend] = {}
    yield made
    for backend in made.values():
        if backend._services is not None:
            asyncio.run(backend._services.db.dispose())
        if backend.settings.database_schema:

            async def drop(schema: str = backend.settings.database_schema) -> None:
                db = Database(PG_URL)
                async with db.transaction() as conn:
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                await db.dispose()

            asyncio.run(drop())


async def _get_backend(name: str, made: dict[str, Backend], tmp: Path) -> Backend:
    if name not in made:
        settings = _backend_settings(name, tmp)
        if settings.database_schema:
            db = Database(PG_URL)
            async with db.transaction() as conn:
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{settings.database_schema}"'))
            await db.dispose()
        backend = Backend(name, settings)
        await backend.prepare()
        made[name] = backend
    return made[name]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def services(
    backend_name: str, _backends: dict[str, Backend], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Services]:
    backend = await _get_backend(backend_name, _backends, tmp_path_factory.getbasetemp())
    svc = backend.services()
    await backend.reset(svc.db)
    yield svc


@pytest.fixture
async def api(services: Services, backend_name: str, _backends: dict[str, Backend]) -> AsyncIterator[Api]:
    # In the test's own event loop (Litestar's AsyncTestClient runs the app in another one,
    # which asyncpg connections cannot cross).
    app = _backends[backend_name].app()
    transport = httpx.ASGITransport(app=app)
    for start in services.extras.get("on_startup", []):
        await start(services)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            api = Api(client, services)
            await api.login_admin(ADMIN_PASSWORD)
            yield api
    finally:
        for stop in services.extras.get("on_shutdown", []):
            await stop(services)
