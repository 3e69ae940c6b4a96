"""xp indices (issue #14): `/xpindices` List, Put and Delete in OrderCloud's shape; a declared
path gets expression indexes that the list compiler's filter and sort expressions match, dropped
with the last declaration of the path. docs/facets.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.api.order_fixtures import World
from tests.api.test_list_plans import page_plan
from tests.helpers import Api, error_code


async def xp_index_names(api: Api) -> set[str]:
    async with api.services.db.transaction() as conn:
        if conn.dialect.name == "postgresql":
            sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
        return {r[0] for r in (await conn.execute(text(sql))).all() if r[0].startswith("ix_xp_")}


async def test_put_list_delete(api: Api) -> None:
    assert (await api.call("PUT", "/xpindices", {"ThingType": "Order", "Key": "Region"})).status_code == 204
    # Put again: the same declaration, nothing added.
    assert (await api.call("PUT", "/xpindices", {"ThingType": "Order", "Key": "Region"})).status_code == 204
    await api.call("PUT", "/xpindices", {"ThingType": "Address", "Key": "Geo.Zone"})
    page = await api.ok("GET", "/xpindices")
    assert page["Items"] == [
        {"ThingType": "Address", "Key": "Geo.Zone"},
        {"ThingType": "Order", "Key": "Region"},
    ]
    assert page["Meta"]["TotalCount"] == 2
    only = await api.ok("GET", "/xpindices", params={"ThingType": "Order"})
    assert only["Items"] == [{"ThingType": "Order", "Key": "Region"}]
    assert len(await xp_index_names(api)) == 4  # a filter and a sort index per path
    assert (await api.delete("/xpindices/Order/Region")).status_code == 204
    assert (await api.ok("GET", "/xpindices"))["Items"] == [{"ThingType": "Address", "Key": "Geo.Zone"}]
    missing = await api.delete("/xpindices/Order/Region")
    assert missing.status_code == 404 and error_code(missing) == "NotFound"
    assert (await api.delete("/xpindices/Nothing/Region")).status_code == 404


async def test_bad_declarations_change_nothing(api: Api) -> None:
    bad: list[dict[str, Any]] = [
        {"ThingType": "Product", "Key": "Color"},  # not an XpThingType: products are searched
        {"ThingType": "Order"},
        {"ThingType": "Order", "Key": "Color'); DROP TABLE resources; --"},
        {"ThingType": "Order", "Key": 'Co"lor'},
        {"ThingType": "Order", "Key": "a..b"},
        {"ThingType": "Order", "Key": "x" * 201},
    ]
    for body in bad:
        response = await api.call("PUT", "/xpindices", body)
        assert response.status_code == 400, body
    assert (await api.ok("GET", "/xpindices"))["Items"] == []
    assert await xp_index_names(api) == set()


async def test_indexes_live_while_any_thing_type_declares_the_path(api: Api) -> None:
    await api.call("PUT", "/xpindices", {"ThingType": "Order", "Key": "Region"})
    await api.call("PUT", "/xpindices", {"ThingType": "Company", "Key": "xp.Region"})  # the same path
    names = await xp_index_names(api)
    assert len(names) == 2
    await api.delete("/xpindices/Order/Region")
    assert await xp_index_names(api) == names
    await api.delete("/xpindices/Company/xp.Region")
    assert await xp_index_names(api) == set()


async def test_declared_path_is_read_through_its_index(world: World) -> None:
    api = world.api
    for n, region in enumerate(["north", "South", "east"]):
        body = {"ID": f"rb{n}", "Name": f"B {n}", "Active": True, "xp": {"Region": region, "Rank": 3 - n}}
        await api.ok("POST", "/buyers", body)
    # Enough other buyers that the filter is clearly the selective path: with three rows an
    # index on (kind, scope, id) costs the same and the planner may take either.
    for n in range(40):
        await api.ok("POST", "/buyers", {"ID": f"wb{n}", "Name": f"W {n}", "xp": {"Region": "west"}})
    seller = api.admin_token
    before = await page_plan(world, "/buyers?xp.Region=south", seller)
    assert "ix_xp_" not in before
    await api.call("PUT", "/xpindices", {"ThingType": "Company", "Key": "Region"})
    await api.call("PUT", "/xpindices", {"ThingType": "Company", "Key": "Rank"})
    names = sorted(await xp_index_names(api))
    # On PostgreSQL only scans are priced out: a filter's index is read as a bitmap, or walked.
    # Planned on statistics of the rows this test stored: what an earlier test (or PostgreSQL's
    # autovacuum) last gathered may describe other rows.
    plan = await page_plan(world, "/buyers?xp.Region=south", seller, ("enable_seqscan",), analyze=True)
    assert any(name in plan for name in names if name.startswith("ix_xp_f_")), plan
    # Same answers as without the index (case-insensitive, as every text filter).
    found = await api.ok("GET", "/buyers", params={"xp.Region": "south"}, token=seller)
    assert [b["ID"] for b in found["Items"]] == ["rb1"]
    ranked = await api.ok("GET", "/buyers", params={"sortBy": "xp.Rank", "xp.Rank": ">0"}, token=seller)
    assert [b["ID"] for b in ranked["Items"]] == ["rb2", "rb1", "rb0"]
    if world.api.services.db.engine.dialect.name == "postgresql":
        # PostgreSQL walks the sort index in list order (no sort); SQLite, which cannot give
        # NULLS LAST from an ascending index, sorts the matches.
        plan = await page_plan(world, "/buyers?sortBy=xp.Rank", seller)
        assert any(name in plan for name in names if name.startswith("ix_xp_s_")), plan
        assert "Sort  (" not in plan, plan
