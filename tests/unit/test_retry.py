from __future__ import annotations

import ast
import pathlib
import random

import pytest

from domain import retry
from domain.retry import MAX_RETRY_AFTER, RETRY_SCHEDULE, is_retryable, next_delay

DAY = 24 * 3600.0


def test_schedule_spans_a_day_even_with_minimum_jitter() -> None:
    assert sum(RETRY_SCHEDULE) >= DAY
    assert sum(RETRY_SCHEDULE) * (1 - retry.JITTER_FRACTION) >= DAY
    assert list(RETRY_SCHEDULE) == sorted(RETRY_SCHEDULE)
    assert len(RETRY_SCHEDULE) + 1 == retry.MAX_ATTEMPTS


@pytest.mark.parametrize("seed", range(20))
def test_walking_the_schedule_reaches_a_day_then_gives_up(seed: int) -> None:
    rng = random.Random(seed)
    total = 0.0
    attempts = 1
    while (delay := next_delay(attempts, retry_after=None, rng=rng)) is not None:
        total += delay
        attempts += 1
    assert total >= DAY
    assert attempts == retry.MAX_ATTEMPTS
    assert next_delay(attempts, retry_after=None, rng=rng) is None
    assert next_delay(attempts + 5, retry_after=3600, rng=rng) is None


def test_jitter_bounds() -> None:
    rng = random.Random(42)
    for attempt, base in enumerate(RETRY_SCHEDULE, start=1):
        samples = [next_delay(attempt, retry_after=None, rng=rng) for _ in range(500)]
        values = [s for s in samples if s is not None]
        assert len(values) == 500
        assert all(0.8 * base <= v <= 1.2 * base for v in values)
        # Jitter is actually spread, not a constant factor.
        assert min(values) < 0.85 * base and max(values) > 1.15 * base


def test_jitter_is_deterministic_for_a_seed() -> None:
    a = [next_delay(3, retry_after=None, rng=random.Random(7)) for _ in range(3)]
    assert a[0] == a[1] == a[2]


def test_retry_after_honoured_only_when_longer() -> None:
    rng = random.Random(0)
    assert next_delay(1, retry_after=600.0, rng=rng) == 600.0
    short = next_delay(1, retry_after=1.0, rng=rng)
    assert short is not None and 4.0 <= short <= 6.0
    # Inside the jitter band the longer of the two wins, so we never come back early.
    for _ in range(100):
        d = next_delay(1, retry_after=5.5, rng=rng)
        assert d is not None and 5.5 <= d <= 6.0
    assert next_delay(1, retry_after=0.0, rng=rng) is not None


def test_retry_after_capped_at_a_day() -> None:
    assert next_delay(2, retry_after=10 * DAY, rng=random.Random(0)) == MAX_RETRY_AFTER == DAY


def test_attempt_number_must_be_positive() -> None:
    with pytest.raises(ValueError):
        next_delay(0, retry_after=None, rng=random.Random(0))


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (None, "Timeout", True),
        (None, "ConnectionFailed", True),
        (None, "ProtocolError", True),
        (None, "InvalidUrl", False),
        (None, None, False),
        (500, None, True),
        (502, None, True),
        (503, None, True),
        (504, None, True),
        (408, None, True),
        (429, None, True),
        (400, None, False),
        (401, None, False),
        (403, None, False),
        (404, None, False),
        (410, None, False),
        (422, None, False),
        (200, None, False),
        (204, None, False),
        (301, None, False),
        (307, None, False),
    ],
)
def test_is_retryable(status: int | None, error: str | None, expected: bool) -> None:
    assert is_retryable(status, error) is expected


def test_retry_module_is_pure() -> None:
    # domain/ must not reach for I/O or frameworks; this module only needs the standard library.
    source = pathlib.Path(retry.__file__).read_text()
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "random"}
