"""Password hashing with argon2 (argon2-cffi); clear-text passwords are never stored or logged.

`ORDERCORE_ARGON2_PROFILE` may name one of `argon2.profiles` (e.g. `RFC_9106_LOW_MEMORY`); the
test suite uses `CHEAPEST` so that thousands of users can be created quickly. Hashes carry their
own parameters, so changing the profile never invalidates stored passwords.

argon2 costs tens of milliseconds of CPU and 64 MiB per call with the production profile, so it
never runs on the event loop: `hash_password` / `verify_password` run it in a worker thread, at
most `password_workers` at a time (`configure`, from `Settings.password_workers`); further calls
wait for a slot instead of starving the loop or the machine. argon2-cffi releases the GIL while
hashing, so the loop keeps serving other requests meanwhile."""

from __future__ import annotations

import os
import secrets
from functools import cache

import anyio
import anyio.to_thread
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

DEFAULT_WORKERS = 2

_state: dict[str, anyio.CapacityLimiter | str | None] = {"limiter": None, "profile": None}


def configure(*, workers: int | None = None, profile: str | None = None) -> None:
    """Pool size for password work and, optionally, the argon2 profile (default: the
    `ORDERCORE_ARGON2_PROFILE` environment variable, else argon2-cffi's default)."""
    if workers is not None:
        _state["limiter"] = anyio.CapacityLimiter(max(1, workers))
    if profile is not None:
        _state["profile"] = profile
        _hasher.cache_clear()
        _dummy_hash.cache_clear()


def _limiter() -> anyio.CapacityLimiter:
    limiter = _state["limiter"]
    if not isinstance(limiter, anyio.CapacityLimiter):
        limiter = anyio.CapacityLimiter(DEFAULT_WORKERS)
        _state["limiter"] = limiter
    return limiter


@cache
def _hasher() -> PasswordHasher:
    configured = _state["profile"]
    name = (
        configured if isinstance(configured, str) else os.environ.get("ORDERCORE_ARGON2_PROFILE", "")
    ).strip()
    if not name:
        return PasswordHasher()
    return PasswordHasher.from_parameters(getattr(profiles, name))


@cache
def _dummy_hash() -> str:
    # A hash of a random password with the current parameters: verifying against it costs what
    # verifying a real user's password costs, so a missing user answers in the same time.
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password_sync(password: str) -> str:
    """For code that runs outside the event loop (bootstrap, CLI)."""
    return _hasher().hash(password)


def _verify_sync(stored_hash: str | None, password: str) -> bool:
    try:
        matches = _hasher().verify(stored_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    # A missing hash (no user, or a user without a password) never matches, after the same work.
    return bool(matches and stored_hash)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher().hash, password, limiter=_limiter())


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no stored hash (unknown user) it verifies against a dummy
    hash anyway so that the answer takes as long as a wrong password's."""
    return await anyio.to_thread.run_sync(_verify_sync, stored_hash, password, limiter=_limiter())
