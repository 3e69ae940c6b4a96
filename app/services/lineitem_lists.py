"""`GET /lineitems/{direction}`: the lines of every order a caller may list, in one query.

`Order.*` filters run on the order documents in a subquery; `OrderID` filters the line's order.
The order-list rules apply to the orders (direction, UnsubmittedOrderReader, `buyerID`,
`supplierID`, `from`, `to`); docs/list-options.md.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from app.auth.tokens import Caller
from app.list_options import ListOptions, Page, Schema, parse_terms
from app.listing import Compiler, JsonAccess
from app.services.order_access import direction_conds, line_view
from app.services.orders import date_range_conds
from app.store.tables import resources
from app.unit import Unit
from domain.orders import SUBMITTED_STATUSES, Direction

LINE_SEARCH = ("ID", "ProductID")
LINE_SORT = ("DateAdded", "ID", "ProductID")


async def across_orders(
    ctx: Unit,
    caller: Caller,
    direction: Direction,
    opts: ListOptions,
    *,
    order_schema: Schema,
    line_schema: Schema,
) -> Page:
    """One page of the lines of the orders `caller` may list in `direction` (schemas: the wire
    shapes the routes filter on, passed in because they belong to the routes)."""
    docs = ctx.docs
    order_filters = [(k.split(".", 1)[1], v) for k, v in opts.filters if k.lower().startswith("order.")]
    order_ids = opts.pop_filter("OrderID")
    opts.filters = [(k, v) for k, v in opts.filters if not k.lower().startswith("order.")]

    o = resources.alias("o")
    order_json = JsonAccess(docs.pg, o.c.doc)
    order_compiler = Compiler(docs.pg, order_schema, column=o.c.doc, id_column=o.c.id)
    order_conds = [o.c.kind == "order", o.c.scope == "", *direction_conds(order_json, caller, direction)]
    order_conds += [order_compiler.filter(k, v) for k, v in order_filters]
    order_conds += date_range_conds(docs, opts, json=order_json)
    for param, company_field in (("buyerID", "FromCompanyID"), ("supplierID", "ToCompanyID")):
        if opts.params.get(param):
            order_conds.append(order_json.text([company_field]) == opts.params[param])
    if not caller.has("UnsubmittedOrderReader"):
        order_conds.append(
            or_(
                order_json.text(["Status"]).in_(sorted(SUBMITTED_STATUSES)),
                order_json.text(["FromCompanyID"]) == caller.company_id,
            )
        )
    r = resources.c
    where = [r.kind == "lineitem", r.scope.in_(select(o.c.id).where(*order_conds))]
    for value in order_ids:
        where.append(or_(*(r.scope == t.value for t in parse_terms(value) if not t.negate)))
    compiler = Compiler(docs.pg, line_schema)
    where.extend(compiler.filter(k, v) for k, v in opts.filters)
    found = compiler.search(opts, LINE_SEARCH)
    if found is not None:
        where.append(found)
    cond = and_(*where)
    total = int(
        (await ctx.conn.execute(select(func.count()).select_from(resources).where(cond))).scalar_one()
    )
    stmt = (
        select(r.doc, r.scope)
        .where(cond)
        .order_by(*compiler.order_by(opts.sort_by, LINE_SORT, ("DateAdded",)))
        .limit(opts.page_size)
        .offset((opts.page - 1) * opts.page_size)
    )
    items = [
        {"OrderID": row.scope, "Order": None, **line_view(caller, row.doc)}
        for row in await ctx.conn.execute(stmt)
    ]
    return Page(items, opts.page, opts.page_size, total)
