"""What checking that a token still stands costs per request, on a SQLite file.

Run: python -m pytest benchmarks/bench_auth.py --benchmark-only -q
- `test_verify_only`: verifying the JWT (signature, expiry) alone.
- `test_authenticate_own_reader`: `Services.authenticate` without a connection: it opens a reader
  for `app.auth.revocation.token_standing` (the user's identity, generation and Active flag).
- `test_authenticate_request_connection`: the same on the request's connection (what handlers do
  through `Ctx.caller`); the difference from `test_verify_only` is the standing check.
- `test_authenticate_buyer_user`: a buyer user's token, whose check also reads the buyer (one
  statement, user joined with its company).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("ORDERCORE_ARGON2_PROFILE", "CHEAPEST")

from app.auth.revocation import IDENTITY, identity_claims
from app.bootstrap import bootstrap
from app.config import Settings
from app.main import build_services
from app.migrate import migrate
from app.state import Services
from app.store.repo import Docs

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
    buyer_token = loop.run_until_complete(_buyer_token(services))
    yield loop, services, token, buyer_token
    loop.run_until_complete(services.db.dispose())
    loop.close()


async def _buyer_token(services: Services) -> str:
    buyer = {"ID": "b1", "Name": "B1", "Active": True}
    user = {"ID": "u1", "Username": "u1", "Active": True, IDENTITY: "bench-identity"}
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        await docs.insert("buyer", buyer)
        await docs.insert("user", user, "b1")
    claims = {"usr": "u1", "cid": "ordercore-admin", "u": "u1", "usrtype": "buyer", "cmp": "b1"}
    return await services.tokens.issue({**claims, **identity_claims(user, buyer), "role": ["Shopper"]}, 3600)


def test_verify_only(benchmark: Any, setup: Any) -> None:
    loop, services, token, _ = setup

    async def run() -> None:
        for _ in range(ROUNDS):
            await services.tokens.caller(token)

    benchmark(lambda: loop.run_until_complete(run()))


def test_authenticate_own_reader(benchmark: Any, setup: Any) -> None:
    loop, services, token, _ = setup
    request: Any = _Request(token)

    async def run() -> None:
        for _ in range(ROUNDS):
            await services.authenticate(request)

    benchmark(lambda: loop.run_until_complete(run()))


def test_authenticate_request_connection(benchmark: Any, setup: Any) -> None:
    loop, services, token, _ = setup
    request: Any = _Request(token)

    async def run() -> None:
        async with services.db.reader() as conn:
            for _ in range(ROUNDS):
                await services.authenticate(request, conn)

    benchmark(lambda: loop.run_until_complete(run()))


def test_authenticate_buyer_user(benchmark: Any, setup: Any) -> None:
    loop, services, _, buyer_token = setup
    request: Any = _Request(buyer_token)

    async def run() -> None:
        async with services.db.reader() as conn:
            for _ in range(ROUNDS):
                await services.authenticate(request, conn)

    benchmark(lambda: loop.run_until_complete(run()))
