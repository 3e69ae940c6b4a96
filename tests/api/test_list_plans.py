"""The large lists read their indexes (migration 0005, docs/performance.md "Large lists"): the
page statement of Orders.List and of /me/products compiles to exactly the indexed expressions,
so each database walks the index in list order and stops after a page, with no scan of the
documents and no sort. Asked of the planner itself (EXPLAIN; on PostgreSQL with scans and sorts
priced out, since on a tiny test table a scan would honestly be cheapest)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, event

from app.store.repo import Docs
from app.store.tables import resources
from domain.clock import iso, utcnow
from domain.orders import new_order_doc
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.api.storefront_setup import add_buyer, add_shopper, enable_storefront, viewall_storefront


async def page_plan(
    world: World,
    path: str,
    token: str,
    priced_out: tuple[str, ...] = ("enable_seqscan", "enable_bitmapscan", "enable_sort"),
    *,
    analyze: bool = False,
) -> str:
    """The plan of the list's page statement (the one that orders and limits documents);
    `priced_out`: the PostgreSQL plan kinds made unattractive; `analyze`: gather statistics first,
    on the connection that plans (a SQLite connection reads `sqlite_stat1` when it loads the
    schema, so another connection's ANALYZE does not reach it)."""
    seen: list[tuple[str, Any]] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = world.api.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        await world.api.ok("GET", path, token=token)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    starts = ("SELECT resources.doc", "SELECT either.doc")  # the second: a UNION ALL page (All)
    pages = [(s, p) for s, p in seen if s.lstrip().startswith(starts) and "LIMIT" in s]
    assert len(pages) == 1, [s for s, _ in seen]
    statement, parameters = pages[0]
    async with world.api.services.db.transaction() as conn:
        if analyze:
            await conn.exec_driver_sql("ANALYZE")
        if conn.dialect.name == "postgresql":
            # Whatever statistics the test tables have gathered: a sort left in the plan with
            # sorting priced out means no index can give the list's order.
            for setting in priced_out:
                await conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            rows = (await conn.exec_driver_sql("EXPLAIN " + statement, parameters)).all()
            return "\n".join(r[0] for r in rows)
        rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
        return "\n".join(str(r[-1]) for r in rows)


def without_subplans(plan: str) -> str:
    """A PostgreSQL plan without its InitPlan blocks (the bounded count the page statement
    carries): the page's own nodes."""
    kept: list[str] = []
    inside: int | None = None  # the indentation of the InitPlan line being skipped
    for line in plan.splitlines():
        indent = len(line) - len(line.lstrip())
        if inside is not None and indent > inside:
            continue
        inside = indent if line.lstrip().startswith("InitPlan") else None
        if inside is None:
            kept.append(line)
    return "\n".join(kept)


def assert_walks(plan: str, index: str) -> None:
    assert index in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan  # the index gives the order


async def test_incoming_orders_by_status_newest_first_walk_the_to_status_date_index(world: World) -> None:
    await world.new_order()
    seller = await world.seller()
    plan = await page_plan(world, "/orders/Incoming?Status=Open&sortBy=!DateSubmitted", seller)
    assert_walks(plan, "ix_res_to_status_submitted")


async def test_outgoing_orders_by_status_newest_first_walk_the_from_status_date_index(world: World) -> None:
    await world.new_order()
    reader = await world.token("alice", "Shopper OrderReader")
    plan = await page_plan(world, "/orders/Outgoing?Status=Open&sortBy=!DateSubmitted", reader)
    assert_walks(plan, "ix_res_from_status_submitted")


async def test_all_orders_page_walks_both_company_indexes_on_postgres(world: World) -> None:
    """Orders.List All is `From = me OR To = me`. On PostgreSQL it is read as a UNION ALL of
    the two index walks, each stopping after offset + pageSize rows, and only those are sorted
    (no BitmapOr of every match). SQLite combines the two indexes itself (MULTI-INDEX OR)."""
    await world.new_order()
    seller = await world.seller()
    plan = await page_plan(world, "/orders/All?Status=Open&sortBy=!DateSubmitted", seller)
    if world.api.services.db.engine.dialect.name != "postgresql":
        return
    assert "ix_res_to_status_submitted" in plan and "ix_res_from_status_submitted" in plan, plan
    assert "BitmapOr" not in plan, plan
    # One sort, above the merge of the two limited walks; none inside a branch (the bounded
    # count's subplan, with its own merge of the branches, set apart).
    plan = without_subplans(plan)
    sorts = plan.count("Sort  (")  # plan nodes, not "Sort Key" lines
    assert sorts <= 1 and "Append" in plan, plan
    assert sorts == 0 or plan.index("Sort  (") < plan.index("Append"), plan


async def test_all_orders_pages_merge_incoming_and_outgoing_in_list_order(world: World) -> None:
    """The merged page holds the same orders in the same order as one OR query would, on every
    page: orders the seller received (from b1) and placed (to supplier s1), interleaved by date."""
    marketplace = world.api.services.marketplace_id
    start = utcnow() - timedelta(days=1)
    async with world.api.services.db.transaction() as conn:
        docs = Docs(conn)
        for n in range(11):
            when = start + timedelta(minutes=n)
            placed = n % 3 == 0
            order = new_order_doc(
                order_id=f"m{n:02d}",
                from_company_id=marketplace if placed else "b1",
                to_company_id="s1" if placed else marketplace,
                now=when,
                from_user={"ID": "seller" if placed else "alice", "Username": "u"},
                currency="USD",
            )
            order.update(Status="Open", IsSubmitted=True, DateSubmitted=iso(when))
            await docs.insert("order", order)
    seller = await world.seller()
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        params = {"Status": "Open", "sortBy": "!DateSubmitted", "pageSize": "3", "page": str(page)}
        body = await world.api.ok("GET", "/orders/All", params=params, token=seller)
        seen += [o["ID"] for o in body["Items"]]
        assert body["Meta"]["TotalCount"] == 11
    assert seen == [f"m{n:02d}" for n in reversed(range(11))]
    outgoing = await world.api.ok("GET", "/orders/Outgoing", params={"Status": "Open"}, token=seller)
    assert [o["ID"] for o in outgoing["Items"]] == ["m00", "m03", "m06", "m09"]


async def test_storefront_page_walks_the_name_index_and_probes_assignments_by_product(world: World) -> None:
    api = world.api
    await enable_storefront(api)
    await add_buyer(api, "sb")
    token = await add_shopper(api, "sb", "shopper1")
    await cat.product(api, "p1")
    await api.ok("POST", "/products/assignments", {"ProductID": "p1", "BuyerID": "sb"}, status=204)
    plan = await page_plan(world, "/me/products", token)
    assert_walks(plan, "ix_res_lname")
    # Visibility is probed per listed product, not by reading every assignment of the buyer
    # first: one probe of the keyed table of migration 0008 by product, answered from its index
    # alone (PostgreSQL: no hashed subplan, with scans priced out; SQLite: a covering index).
    assert "ix_reach_product" in plan, plan
    if "SubPlan" in plan:
        assert "hashed SubPlan" not in plan, plan
    else:
        assert "COVERING INDEX ix_reach_product" in plan, plan


async def test_storefront_reads_the_buyers_catalogs_once_per_statement(world: World) -> None:
    """The catalog probe of each listed product compares against the buyer's active
    ViewAllProducts catalogs computed once for the statement (PostgreSQL: an InitPlan; SQLite: a
    list subquery not correlated with the product), not a join re-run per product: that join was
    half the cost of counting a large storefront (docs/performance.md)."""
    token = await viewall_storefront(world.api, 2)
    plan = await page_plan(world, "/me/products", token)
    if world.api.services.db.engine.dialect.name == "postgresql":
        assert "InitPlan" in plan, plan
    else:
        assert "LIST SUBQUERY" in plan and "CORRELATED LIST SUBQUERY" not in plan, plan


async def test_postgres_estimates_the_active_products_from_statistics(world: World) -> None:
    """Migration 0007: with extended statistics on (kind, Active) PostgreSQL estimates how many
    products are active (here 16 of 20) instead of assuming a couple out of the whole table,
    the estimate that made it sort every product rather than walk the Name index for a page."""
    if world.api.services.db.engine.dialect.name != "postgresql":
        return
    await viewall_storefront(world.api, 20)
    async with world.api.services.db.transaction() as conn:
        await conn.exec_driver_sql("ANALYZE resources")
        docs = Docs(conn)
        active = and_(resources.c.kind == "product", docs.json.is_bool(["Active"], True))
        estimate = await docs._planner_rows(active)
    assert 8 <= estimate <= 32, estimate
