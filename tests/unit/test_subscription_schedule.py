"""Subscription schedules (domain.subscriptions): every interval, month-end clamping, due-ness."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.subscriptions import is_due, next_order_date

JAN31 = datetime(2030, 1, 31, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frequency", "interval", "expected"),
    [
        (3, "Days", datetime(2030, 2, 3, 9, tzinfo=UTC)),
        (2, "Weeks", datetime(2030, 2, 14, 9, tzinfo=UTC)),
        (1, "Months", datetime(2030, 2, 28, 9, tzinfo=UTC)),
        (13, "Months", datetime(2031, 2, 28, 9, tzinfo=UTC)),
        (1, "Years", datetime(2031, 1, 31, 9, tzinfo=UTC)),
    ],
)
def test_next_order_date(frequency: int, interval: str, expected: datetime) -> None:
    assert next_order_date(JAN31, frequency, interval) == expected


def test_leap_day_and_unknown_interval() -> None:
    assert next_order_date(datetime(2032, 2, 29, tzinfo=UTC), 1, "Years") == datetime(2033, 2, 28, tzinfo=UTC)
    with pytest.raises(ValueError):
        next_order_date(JAN31, 1, "Fortnights")


def test_due() -> None:
    assert is_due(JAN31, JAN31, None, True)
    assert not is_due(JAN31, JAN31, None, False)
    assert not is_due(JAN31, datetime(2030, 1, 30, tzinfo=UTC), None, True)
    assert not is_due(JAN31, JAN31, datetime(2030, 1, 1, tzinfo=UTC), True)
