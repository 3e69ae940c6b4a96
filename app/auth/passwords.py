"""Password hashing with argon2 (argon2-cffi); clear-text passwords are never stored or logged.

`ORDERCORE_ARGON2_PROFILE` may name one of `argon2.profiles` (e.g. `RFC_9106_LOW_MEMORY`); the
test suite uses `CHEAPEST` so that thousands of users can be created quickly. Hashes carry their
own parameters, so changing the profile never invalidates stored passwords.

argon2 costs tens of milliseconds of CPU and 64 MiB per call with the production profile, so it
never runs on the event loop: `hash_password` / `verify_password` run it in a dedicated pool of
`password_workers` threads (`configure`, from `Settings.password_workers`); further calls queue
for a free thread instead of starving the loop or the machine. argon2-cffi releases the GIL while
hashing, and the pool's threads (and the lane threads argon2 starts from them) run at a lower CPU
priority (nice +10, where the OS allows it), so on a busy machine the event loop serving other
requests wins the CPU over password work. A verification also computes its lanes on one thread
(`_verify_on_one_thread`): stored hashes keep their 4 lanes, but checking a password then holds
one core instead of all of them, so a flood of wrong passwords leaves the other cores (and their
memory bandwidth) to the rest of the API (benchmarks/bench_login_load.py)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import core, ffi, lib

# One production argon2 call runs 4 lanes (threads) at once: one worker per 4 CPUs.
DEFAULT_WORKERS = max(1, (os.cpu_count() or 1) // 4)
NICENESS = 10
T = TypeVar("T")

_state: dict[str, ThreadPoolExecutor | str | None] = {"pool": None, "profile": None}


def _lower_priority() -> None:
    # Linux lets a thread lower its own priority (nice is per thread there); elsewhere it stays.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


def _new_pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max(1, workers), thread_name_prefix="password", initializer=_lower_priority)


def configure(*, workers: int | None = None, profile: str | None = None) -> None:
    """Pool size for password work and, optionally, the argon2 profile (`""`, the default: the
    `ORDERCORE_ARGON2_PROFILE` environment variable, else argon2-cffi's default)."""
    if workers is not None:
        old = _state["pool"]
        _state["pool"] = _new_pool(workers or DEFAULT_WORKERS)
        if isinstance(old, ThreadPoolExecutor):
            old.shutdown(wait=False)
    if profile is not None:
        _state["profile"] = profile
        _hasher.cache_clear()
        _dummy_hash.cache_clear()


def _pool() -> ThreadPoolExecutor:
    pool = _state["pool"]
    if not isinstance(pool, ThreadPoolExecutor):
        pool = _new_pool(DEFAULT_WORKERS)
        _state["pool"] = pool
    return pool


async def _off_loop(fn: Callable[..., T], *args: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool(), fn, *args)


@cache
def _hasher() -> PasswordHasher:
    configured = _state["profile"]
    # An empty configured profile means "as the environment says".
    name = (configured if isinstance(configured, str) and configured else "") or os.environ.get(
        "ORDERCORE_ARGON2_PROFILE", ""
    )
    name = name.strip()
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


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _verify_on_one_thread(encoded: str, password: str) -> bool:
    """argon2's verification with the hash's own parameters, its lanes computed on this thread
    (argon2-cffi's `verify` starts one thread per lane)."""
    params = extract_parameters(encoded)
    salt, expected = (_b64(part) for part in encoded.split("$")[-2:])
    secret = password.encode()
    out = ffi.new("uint8_t[]", len(expected))
    context = ffi.new(
        "argon2_context *",
        {
            "version": params.version,
            "out": out,
            "outlen": len(expected),
            "pwd": ffi.from_buffer(secret),
            "pwdlen": len(secret),
            "salt": ffi.from_buffer(salt),
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_cost,
            "lanes": params.parallelism,
            "threads": 1,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    if core(context, params.type.value) != lib.ARGON2_OK:
        return False
    return hmac.compare_digest(bytes(ffi.buffer(out, len(expected))), expected)


def _verify_sync(stored_hash: str | None, password: str) -> bool:
    try:
        matches = _verify_on_one_thread(stored_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError, ValueError, binascii.Error):
        return False
    # A missing hash (no user, or a user without a password) never matches, after the same work.
    return bool(matches and stored_hash)


async def hash_password(password: str) -> str:
    return await _off_loop(hash_password_sync, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no stored hash (unknown user) it verifies against a dummy
    hash anyway so that the answer takes as long as a wrong password's."""
    return await _off_loop(_verify_sync, stored_hash, password)
