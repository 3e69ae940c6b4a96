"""What checking token revocation costs per request, on a SQLite file.

Run: python -m pytest benchmarks/bench_auth.py --benchmark-only -q
- `test_verify_only`: verifying the JWT (signature, expiry) as before revocation existed.
- `test_authenticate_own_reader`: `Services.authenticate` without a connection: it opens a reader
  to read the user document and compare its `_TokensRevokedAt` with the token's issue time.
- `test_authenticate_request_connection`: the same on the request's connection (what handlers do
  through `Ctx.caller`); the difference from `test_verify_only` is the revocation check.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("ORDERCORE_ARGON2_PROFILE", "CHEAPEST")

from app.bootstrap import bootstrap
from app.config import Settings
from app.main import build_services
from app.migrate import migrate
from app.state import Services

ROUNDS = 200


class _Request:
    def __init__(self, token: str) -> None:
        self.headers = {"authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("auth") / "bench.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", webhook_worker=False)
    migrate(settings.database_url)
    loop = asyncio.new_event_loop()
    services: Services = build_services(settings)
    loop.run_until_complete(bootstrap(services, password="Bench-pass-1234", client_secret="s"))
    claims = {"usr": "admin", "cid": "ordercore-admin", "u": "admin", "usrtype": "admin", "cmp": "ordercore"}
    token = loop.run_until_complete(services.tokens.issue({**claims, "role": ["FullAccess"]}, 3600))
    yield loop, services, token
    loop.run_until_complete(services.db.dispose())
    loop.close()


def test_verify_only(benchmark: Any, setup: Any) -> None:
    loop, services, token = setup

    async def run() -> None:
        for _ in range(ROUNDS):
            await services.tokens.caller(token)

    benchmark(lambda: loop.run_until_complete(run()))


def test_authenticate_own_reader(benchmark: Any, setup: Any) -> None:
    loop, services, token = setup
    request: Any = _Request(token)

    async def run() -> None:
        for _ in range(ROUNDS):
            await services.authenticate(request)

    benchmark(lambda: loop.run_until_complete(run()))


def test_authenticate_request_connection(benchmark: Any, setup: Any) -> None:
    loop, services, token = setup
    request: Any = _Request(token)

    async def run() -> None:
        async with services.db.reader() as conn:
            for _ in range(ROUNDS):
                await services.authenticate(request, conn)

    benchmark(lambda: loop.run_until_complete(run()))
