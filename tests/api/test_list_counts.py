"""Meta.TotalCount on large lists (docs/performance.md "Counts"): exact up to
`EXACT_COUNT_LIMIT` matches and on the last page; above the limit an estimate that never
undercounts what the caller has paged through, so the next page is always offered."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, insert

from app.store import repo
from app.store.repo import Docs
from app.store.tables import resources
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


async def _products_up_to(api: Api, total: int) -> None:
    """Copies of product p0 (made through the API) written straight into the table until there
    are `total` products: a thousand products through the API would take a minute."""
    async with api.services.db.transaction() as conn:
        template = (await Docs(conn).require("product", "p0", object_type="Product")).doc
        have = await Docs(conn).count("product")
        rows = [
            {"kind": "product", "scope": "", "id": f"q{n:05d}", "doc": {**template, "ID": f"q{n:05d}"}}
            for n in range(have, total)
        ]
        await conn.execute(insert(resources), [{"version": 1, "uniq": None, **row} for row in rows])


async def test_the_exact_count_stops_at_one_thousand(api: Api) -> None:
    """The documented threshold (docs/list-options.md): 1,000 matches are counted exactly, and
    past that the count reads no more than 1,001 (SQLite, which has no estimate, then answers
    that lower bound; PostgreSQL its planner's estimate, never below it)."""
    assert repo.EXACT_COUNT_LIMIT == 1_000
    await cat.product(api, "p0")
    await _products_up_to(api, 1_000)
    page = await api.ok("GET", "/products", params={"pageSize": 20})
    assert page["Meta"]["TotalCount"] == 1_000  # at the threshold: exact

    await _products_up_to(api, 1_200)
    limits: list[Any] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "count(*)" in statement:  # the bounded count, inside the page statement
            limits.append(parameters)

    engine = api.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        page = await api.ok("GET", "/products", params={"pageSize": 20})
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert len(limits) == 1 and 1_001 in tuple(limits[0]), limits  # the bounded count's LIMIT
    assert page["Meta"]["TotalCount"] >= 1_001
    if api.services.db.is_sqlite:
        assert page["Meta"]["TotalCount"] == 1_001  # the lower bound, not the 1,200 a scan finds


async def test_a_page_past_the_end_does_not_claim_to_exist(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit, an empty page proves that fewer rows match than it skipped: its TotalCount
    is never above that, so it never counts itself (or pages before it that are empty too) among
    the pages that exist. Asked for page 10 of 5 products, TotalCount was 19 (the skipped 18
    "seen", plus one) and TotalPages 10."""
    for n in range(5):
        await cat.product(api, f"p{n}")
    monkeypatch.setattr(repo, "EXACT_COUNT_LIMIT", 3)
    past = await api.ok("GET", "/products", params={"pageSize": 2, "page": 10})
    assert past["Items"] == []
    assert 4 <= past["Meta"]["TotalCount"] <= 18  # at least what the count proves, at most the skipped
    assert past["Meta"]["TotalPages"] < 10
    if api.services.db.is_sqlite:
        assert past["Meta"]["TotalCount"] == 4  # no estimate: the lower bound, as on the first page
