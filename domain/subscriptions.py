"""When a subscription orders next: its schedule (`Frequency` x `Interval`) stepped from one
order date to the next. Months and years keep the day of the month where they can and clamp it
to the month's last day (Jan 31 + 1 month = Feb 28/29)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta


def add_months(dt: datetime, months: int) -> datetime:
    index = dt.month - 1 + months
    year, month = dt.year + index // 12, index % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def next_order_date(current: datetime, frequency: int, interval: str) -> datetime:
    """The order date after `current` for a schedule of every `frequency` `interval`s."""
    if interval == "Days":
        return current + timedelta(days=frequency)
    if interval == "Weeks":
        return current + timedelta(weeks=frequency)
    if interval == "Months":
        return add_months(current, frequency)
    if interval == "Years":
        return add_months(current, 12 * frequency)
    raise ValueError(f"unknown interval: {interval}")


def is_due(next_order: datetime, now: datetime, end: datetime | None, active: bool) -> bool:
    return active and next_order <= now and (end is None or next_order <= end)
