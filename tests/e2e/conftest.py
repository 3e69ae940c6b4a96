"""Session fixtures for the SDK end-to-end tests: one real server process per run.

`ORDERCORE_E2E_BACKEND=postgres` runs it on PostgreSQL (a fresh schema in the test database)
instead of a new SQLite file."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from app.store.db import Database
from tests.conftest import PG_URL
from tests.e2e.harness import Server, node_available, start_server, stop_server


def _run_schema_sql(sql: str) -> None:
    async def run() -> None:
        db = Database(PG_URL)
        async with db.transaction() as conn:
            await conn.execute(text(sql))
        await db.dispose()

    asyncio.run(run())


@contextmanager
def running_server(tmp_path_factory: pytest.TempPathFactory, name: str, *extra: str) -> Iterator[Server]:
    """A server process on a new SQLite file, or on a fresh PostgreSQL schema
    (`ORDERCORE_E2E_BACKEND=postgres`) dropped after; skipped without node."""
    reason = node_available()
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp(name)
    schema = ""
    if os.environ.get("ORDERCORE_E2E_BACKEND", "sqlite") == "postgres":
        schema = f"{name}_" + secrets.token_hex(6)
        _run_schema_sql(f'CREATE SCHEMA "{schema}"')
        database_args = ["--database-url", PG_URL, "--database-schema", schema]
    else:
        database_args = ["--database-url", f"sqlite+aiosqlite:///{Path(workdir) / f'{name}.db'}"]
    running = start_server(workdir, [*database_args, *extra])
    try:
        yield running
    finally:
        stop_server(running)
        if schema:
            _run_schema_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "e2e") as running:
        yield running


@pytest.fixture(scope="session")
def sdk_env(server: Server) -> dict[str, str]:
    return server.env()
