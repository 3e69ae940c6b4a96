"""`GET /me` latency while wrong sign-ins hammer `POST /oauth/token` (issue #10 item 5).

Run: python -m pytest benchmarks/bench_login_load.py --benchmark-only -q -s
argon2 uses the production profile (argon2-cffi's default, RFC 9106 low-memory: 64 MiB, 3
passes, 4 lanes), not the test suite's CHEAPEST. Wrong sign-ins go to unknown usernames (they pay
a dummy verification, as a wrong password does) and to a real user with lockout off (so each one
verifies and records a failure). `GET /me` is called one after another, first on an idle server,
then with `ATTACKERS` sign-ins always in flight; the report gives both p99s and their ratio (goal:
under load within 2x of idle). With argon2 on the event loop (before issue #10), 24 wrong
sign-ins made `GET /me` wait up to 4 s.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import pytest

from app.auth import passwords
from benchmarks.appenv import ADMIN_CLIENT, PASSWORD, AppEnv, app_env

PRODUCTION_PROFILE = "RFC_9106_LOW_MEMORY"
ATTACKERS = 24
SAMPLES = 300
ROUNDS = 3


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    passwords.configure(profile=PRODUCTION_PROFILE)
    try:
        # No rate limit and no lockout: every attempt must reach argon2.
        with app_env(
            tmp_path_factory.mktemp("login-load"),
            token_rate_per_address=0,
            token_rate_per_client=0,
            lockout_attempts=0,
        ) as e:
            yield e
    finally:
        passwords.configure(profile="")


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


async def _me_latencies(env: AppEnv, count: int) -> list[float]:
    headers = {"Authorization": f"Bearer {env.token}"}
    out: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        response = await env.client.get("/v1/me", headers=headers)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return out


async def _attack(env: AppEnv, n: int, stop: asyncio.Event, counter: list[int]) -> None:
    username = "admin" if n % 2 else f"nobody-{n}"
    form = {"grant_type": "password", "username": username, "password": "wrong", "client_id": ADMIN_CLIENT}
    while not stop.is_set():
        response = await env.client.post("/oauth/token", data=form)
        assert response.status_code == 400, response.text
        counter[0] += 1


async def _measure(env: AppEnv) -> dict[str, float]:
    """Idle and loaded phases alternate, ROUNDS times, so that noise from the rest of the machine
    falls on both samples alike."""
    await _me_latencies(env, 20)  # warm up
    idle: list[float] = []
    loaded: list[float] = []
    attempts, attacked = 0, 0.0
    for _ in range(ROUNDS):
        idle += await _me_latencies(env, SAMPLES // ROUNDS)
        stop, counter = asyncio.Event(), [0]
        attackers = [asyncio.create_task(_attack(env, n, stop, counter)) for n in range(ATTACKERS)]
        await asyncio.sleep(0.3)  # let the attack fill the password pool
        started = time.perf_counter()
        loaded += await _me_latencies(env, SAMPLES // ROUNDS)
        attacked += time.perf_counter() - started
        stop.set()
        await asyncio.gather(*attackers)
        attempts += counter[0]
    return {
        "idle_p99_ms": p99(idle) * 1000,
        "loaded_p99_ms": p99(loaded) * 1000,
        "ratio": p99(loaded) / p99(idle),
        "wrong_logins_per_s": attempts / attacked,
    }


def test_me_p99_under_wrong_logins(benchmark: Any, env: AppEnv) -> None:
    assert PASSWORD  # the admin's real password is never tried
    result: dict[str, float] = {}

    def run() -> None:
        result.update(env.run(_measure(env)))

    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print(
        f"\nGET /me p99 idle {result['idle_p99_ms']:.1f} ms, under {ATTACKERS} concurrent wrong "
        f"logins {result['loaded_p99_ms']:.1f} ms (ratio {result['ratio']:.2f}); "
        f"{result['wrong_logins_per_s']:.1f} wrong logins/s"
    )
