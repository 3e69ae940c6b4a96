"""Password work (argon2) runs off the event loop, in a bounded pool, and costs the same for an
unknown user as for a wrong password (issue #10 item 5)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from app.auth import passwords


class SlowHasher:
    """Stands in for argon2: records where and how many verifications run at once."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.threads: set[int] = set()
        self.verified: list[str] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def hash(self, password: str) -> str:
        return "dummy-hash"

    def verify(self, stored: str, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.get_ident())
            self.verified.append(stored)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        return stored == "right-hash" and password == "right"


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowHasher]:
    fake = SlowHasher(0.05)
    monkeypatch.setattr(passwords, "_hasher", lambda: fake)
    monkeypatch.setattr(passwords, "_verify_on_one_thread", fake.verify)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: "dummy-hash")
    passwords.configure(workers=2)
    yield fake
    passwords.configure(workers=passwords.DEFAULT_WORKERS)


async def test_verification_runs_in_a_worker_thread(hasher: SlowHasher) -> None:
    assert await passwords.verify_password("right-hash", "right")
    assert threading.get_ident() not in hasher.threads
    assert await passwords.hash_password("x") == "dummy-hash"


async def test_unknown_user_pays_a_full_verification(hasher: SlowHasher) -> None:
    assert not await passwords.verify_password(None, "anything")
    # The dummy hash was verified, as a wrong password's real hash would be.
    assert hasher.verified == ["dummy-hash"]


async def test_pool_is_bounded(hasher: SlowHasher) -> None:
    results = await asyncio.gather(*(passwords.verify_password("x", "y") for _ in range(8)))
    assert results == [False] * 8
    # Never more than the configured two at a time (how long the loop waits meanwhile is
    # measured by benchmarks/bench_auth.py, not asserted here: timings flake on a busy machine).
    assert hasher.most == 2


def test_real_argon2_round_trip() -> None:
    stored = passwords.hash_password_sync("Secret-123")
    assert passwords._verify_sync(stored, "Secret-123")
    assert not passwords._verify_sync(stored, "wrong")
    assert not passwords._verify_sync(None, "Secret-123")


def test_one_thread_verification_agrees_with_argon2_on_a_production_hash() -> None:
    """Verification computes a stored hash's 4 lanes on one thread: the same answers as
    argon2-cffi's own (multi-threaded) verify, for a hash made with the production profile."""
    from argon2 import PasswordHasher, profiles
    from argon2.exceptions import VerifyMismatchError

    production = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    stored = production.hash("Secret-123")
    assert "p=4" in stored
    assert passwords._verify_on_one_thread(stored, "Secret-123") is production.verify(stored, "Secret-123")
    assert passwords._verify_on_one_thread(stored, "Secret-124") is False
    with pytest.raises(VerifyMismatchError):
        production.verify(stored, "Secret-124")
    assert not passwords._verify_sync("$argon2id$v=19$m=8,t=1,p=1$not-base64!$x", "Secret-123")
