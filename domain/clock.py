"""Wire-format clock: every date in an OrderCloud document is an ISO-8601 UTC string.

OrderCloud writes dates as `2021-02-23T20:39:03.173+00:00`: UTC, exactly three fraction digits and an
explicit `+00:00` offset (never `Z`). Documents store that string, so sorting and filtering the stored
text agrees with sorting by instant, and the app layer never reformats dates.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso", "parse_iso", "utcnow"]


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Format `dt` the way OrderCloud does: `YYYY-MM-DDTHH:MM:SS.mmm+00:00` in UTC.

    A naive datetime is taken to be UTC already: the domain only ever creates aware ones, and
    refusing naive values here would turn a harmless test convenience into a crash.
    """
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    # Truncated (not rounded) milliseconds so that a stamp never lands in the next second.
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond // 1000:03d}+00:00"
    )


def parse_iso(s: str) -> datetime:
    """Parse an ISO-8601 date as clients send it and return an aware UTC datetime.

    Accepts `Z` or any offset, 0-6 fraction digits, and date-only values (midnight UTC). A value
    without an offset is read as UTC, matching OrderCloud's "all dates are UTC" convention.
    Raises ValueError for anything else, which the caller turns into a ValidationFailure.
    """
    if not isinstance(s, str):
        raise ValueError(f"not an ISO-8601 date: {s!r}")
    text = s.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
