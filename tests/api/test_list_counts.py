"""Meta.TotalCount on large lists (docs/performance.md "Counts"): exact up to
`EXACT_COUNT_LIMIT` matches and on the last page; above the limit an estimate that never
undercounts what the caller has paged through, so the next page is always offered."""

from __future__ import annotations

import pytest

from app.store import repo
from tests.api import catalog_fixtures as cat
from tests.helpers import Api


async def test_counts_past_the_limit_estimate_and_the_last_page_is_exact(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        await cat.product(api, f"p{n}")
    first = await api.ok("GET", "/products", params={"pageSize": 2})
    assert first["Meta"]["TotalCount"] == 5  # under the limit: exact

    monkeypatch.setattr(repo, "EXACT_COUNT_LIMIT", 3)
    first = await api.ok("GET", "/products", params={"pageSize": 2})
    assert first["Meta"]["TotalCount"] >= 4  # more than the limit: never fewer than it proves
    assert first["Meta"]["TotalPages"] >= 2
    second = await api.ok("GET", "/products", params={"pageSize": 2, "page": 2})
    assert second["Meta"]["TotalPages"] >= 3  # a full page always offers the next one
    last = await api.ok("GET", "/products", params={"pageSize": 2, "page": 3})
    assert [p["ID"] for p in last["Items"]] == ["p4"]
    assert last["Meta"]["TotalCount"] == 5  # the last page is its own count
    assert last["Meta"]["ItemRange"] == [5, 5]
