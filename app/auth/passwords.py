"""Password hashing with argon2 (argon2-cffi); clear-text passwords are never stored or logged.

`ORDERCORE_ARGON2_PROFILE` may name one of `argon2.profiles` (e.g. `RFC_9106_LOW_MEMORY`); the
test suite uses `CHEAPEST` so that thousands of users can be created quickly. Hashes carry their
own parameters, so changing the profile never invalidates stored passwords."""

from __future__ import annotations

import os
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    name = os.environ.get("ORDERCORE_ARGON2_PROFILE", "").strip()
    if not name:
        return PasswordHasher()
    return PasswordHasher.from_parameters(getattr(profiles, name))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
