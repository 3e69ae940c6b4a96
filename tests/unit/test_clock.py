from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.clock import iso, parse_iso, utcnow


def test_iso_matches_ordercloud_format() -> None:
    dt = datetime(2021, 2, 23, 20, 39, 3, 173456, tzinfo=UTC)
    assert iso(dt) == "2021-02-23T20:39:03.173+00:00"


def test_iso_converts_other_offsets_to_utc() -> None:
    dt = datetime(2021, 2, 23, 22, 39, 3, 5000, tzinfo=timezone(timedelta(hours=2)))
    assert iso(dt) == "2021-02-23T20:39:03.005+00:00"


def test_iso_treats_naive_as_utc() -> None:
    assert iso(datetime(2021, 1, 1)) == "2021-01-01T00:00:00.000+00:00"


def test_iso_truncates_rather_than_rounds() -> None:
    assert iso(datetime(2021, 1, 1, 0, 0, 59, 999999, tzinfo=UTC)) == "2021-01-01T00:00:59.999+00:00"


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-02-23T20:39:03.173+00:00", datetime(2021, 2, 23, 20, 39, 3, 173000, tzinfo=UTC)),
        ("2021-02-23T20:39:03Z", datetime(2021, 2, 23, 20, 39, 3, tzinfo=UTC)),
        ("2021-02-23T22:39:03.1+02:00", datetime(2021, 2, 23, 20, 39, 3, 100000, tzinfo=UTC)),
        ("2021-02-23T20:39:03", datetime(2021, 2, 23, 20, 39, 3, tzinfo=UTC)),
        ("2021-02-23", datetime(2021, 2, 23, tzinfo=UTC)),
    ],
)
def test_parse_iso_accepts_client_forms(text: str, expected: datetime) -> None:
    parsed = parse_iso(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("bad", ["", "yesterday", "2021-13-01", "2021-02-23T25:00:00"])
def test_parse_iso_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_iso(bad)


@given(st.datetimes(timezones=st.just(UTC)))
def test_round_trip_to_the_millisecond(dt: datetime) -> None:
    assert parse_iso(iso(dt)) == dt.replace(microsecond=dt.microsecond // 1000 * 1000)


@given(st.datetimes(timezones=st.just(UTC)), st.datetimes(timezones=st.just(UTC)))
def test_string_order_matches_time_order(a: datetime, b: datetime) -> None:
    # Stored dates are compared as text by filters and sorts, so the format must sort like time.
    if iso(a) != iso(b):
        assert (iso(a) < iso(b)) == (a < b)
