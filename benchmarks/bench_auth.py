"""What checking that a token still stands costs per request, on a SQLite file.

Run: python -m pytest benchmarks/bench_auth.py --benchmark-only -q
- `test_verify_only`: verifying the JWT (signature, expiry) alone.
- `test_authenticate_own_reader`: `Services.authenticate` without a connection: it opens a reader
  for `app.auth.revocation.token_standing` (the user's identity, generation and Active flag).
- `test_authenticate_request_connection`: the same on the request's connection (what handlers do
  through `Ctx.caller`); the difference from `test_verify_only` is the standing check.
- `test_authenticate_buyer_user`: a buyer user's token, whose check also reads the buyer (one
  statement, user joined with its company).
- `test_baseline_decode`: the floor, `jwt.decode` with a key object parsed once; and
  `test_authenticate_uncached`: `authenticate` with the caches off (ORDERCORE_CACHES=false), what
  every request paid before the per-process caches.

`python benchmarks/bench_auth.py` prints each figure with its ratio to the baseline measured in
the same run (medians of 3 interleaved repetitions); docs/performance.md records them.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("ORDERCORE_ARGON2_PROFILE", "CHEAPEST")

import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace

import jwt
from jwt.algorithms import RSAAlgorithm

from app.auth.revocation import IDENTITY, identity_claims, token_standing
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


@pytest.fixture(scope="module")
def uncached(setup: Any) -> Any:
    loop, services, _, _ = setup
    other = build_services(replace(services.settings, caches=False))
    yield other
    loop.run_until_complete(other.db.dispose())


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


def test_baseline_decode(benchmark: Any, setup: Any) -> None:
    loop, services, token, _ = setup
    key = loop.run_until_complete(services.tokens.verifier(jwt.get_unverified_header(token)["kid"]))

    def run() -> None:
        for _ in range(ROUNDS):
            jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})

    benchmark(run)


def test_authenticate_uncached(benchmark: Any, setup: Any, uncached: Services) -> None:
    loop, _, _, buyer_token = setup
    request: Any = _Request(buyer_token)

    async def run() -> None:
        async with uncached.db.reader() as conn:
            for _ in range(ROUNDS):
                await uncached.authenticate(request, conn)

    benchmark(lambda: loop.run_until_complete(run()))


# ---------------------------------------------------------------------------- ratios


def _before_verify(services: Services, token: str) -> Callable[[], Coroutine[Any, Any, None]]:
    """What verification cost before the parsed key was kept: the JWK parsed per request."""
    jwk = services.tokens._public[jwt.get_unverified_header(token)["kid"]]

    async def run() -> None:
        for _ in range(ROUNDS):
            jwt.decode(token, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], options={"verify_aud": False})

    return run


def main() -> None:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "bench.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", webhook_worker=False)
    migrate(settings.database_url)
    loop = asyncio.new_event_loop()
    services = build_services(settings)
    off = build_services(replace(settings, caches=False))
    loop.run_until_complete(bootstrap(services, password="Bench-pass-1234", client_secret="s"))
    buyer = loop.run_until_complete(_buyer_token(services))
    request: Any = _Request(buyer)
    key = loop.run_until_complete(services.tokens.verifier(jwt.get_unverified_header(buyer)["kid"]))

    async def baseline() -> None:
        for _ in range(ROUNDS):
            jwt.decode(buyer, key, algorithms=["RS256"], options={"verify_aud": False})

    async def verify_after() -> None:
        for _ in range(ROUNDS):
            await services.tokens.caller(buyer)

    async def standing_before() -> None:
        async with services.db.reader() as conn:
            for _ in range(ROUNDS):
                claims = jwt.decode(
                    buyer,
                    RSAAlgorithm.from_jwk(services.tokens._public[jwt.get_unverified_header(buyer)["kid"]]),
                    algorithms=["RS256"],
                    options={"verify_aud": False},
                )
                await token_standing(conn, claims)

    async def auth_uncached() -> None:
        async with off.db.reader() as conn:
            for _ in range(ROUNDS):
                await off.authenticate(request, conn)

    async def auth_cached() -> None:
        async with services.db.reader() as conn:
            for _ in range(ROUNDS):
                await services.authenticate(request, conn)

    cases = {
        "baseline: jwt.decode, parsed key": baseline,
        "before: verify, JWK parsed per request": _before_verify(services, buyer),
        "before: verify + standing statement": standing_before,
        "caches off: Services.authenticate": auth_uncached,
        "after: verify (parsed key kept)": verify_after,
        "after: Services.authenticate (cached)": auth_cached,
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(3):
        for name, case in cases.items():
            start = time.perf_counter()
            loop.run_until_complete(case())
            times[name].append((time.perf_counter() - start) / ROUNDS)
    base = statistics.median(times["baseline: jwt.decode, parsed key"])
    print(f"{'case':45} {'us/request':>11} {'x baseline time':>16}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:45} {median * 1e6:11.1f} {median / base:16.2f}")
    loop.run_until_complete(services.db.dispose())
    loop.run_until_complete(off.db.dispose())
    loop.close()


if __name__ == "__main__":
    sys.exit(main())
