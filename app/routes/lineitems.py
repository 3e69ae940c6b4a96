"""`/orders/{direction}/{orderID}/lineitems[/{lineItemID}[/shipto]]` and `/lineitems/{direction}`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import Compiler, JsonAccess, Page, parse_terms
from app.routes.orders import LINE_SCHEMA, LIST_PARAMS, ORDER_SCHEMA
from app.services import lineitems
from app.services.order_access import (
    ORDER_LIST_ROLES,
    ORDER_READ_ROLES,
    ORDER_WRITE_ROLES,
    direction_conds,
    direction_param,
    line_view,
    load_order,
)
from app.services.orders import date_range_conds
from app.store.repo import Stored
from app.store.tables import resources
from domain.orders import SUBMITTED_STATUSES

LINE_SEARCH = ("ID", "ProductID")
LINE_SORT = ("DateAdded", "ID", "ProductID")


async def _order(ctx: Ctx, roles: tuple[str, ...], *, write: bool = True) -> tuple[Caller, Stored]:
    caller = await ctx.caller(*roles)
    stored = await load_order(ctx, caller, direction_param(ctx), ctx.param("orderID"), write=write)
    return caller, stored


@endpoint("GET", "/orders/{direction}/{orderID}/lineitems")
async def list_lines(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_READ_ROLES, write=False)
    page = await ctx.docs.page(
        "lineitem",
        ctx.list_options(),
        LINE_SCHEMA,
        scope=stored.doc["ID"],
        searchable=LINE_SEARCH,
        sortable=LINE_SORT,
        default_sort=("DateAdded",),
    )
    page.items[:] = [line_view(caller, d) for d in page.items]
    return page.wire()


@endpoint("POST", "/orders/{direction}/{orderID}/lineitems")
async def create_line(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_WRITE_ROLES)
    return line_view(caller, await lineitems.add_line(ctx, caller, stored, await ctx.body_object()))


@endpoint("GET", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def get_line(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_READ_ROLES, write=False)
    return line_view(caller, await lineitems.find_line(ctx, stored.doc["ID"], ctx.param("lineItemID")))


@endpoint("PUT", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def save_line(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_WRITE_ROLES)
    line, _ = await lineitems.update_line(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), replace=True
    )
    return line_view(caller, line)


@endpoint("PATCH", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def patch_line(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_WRITE_ROLES)
    line, _ = await lineitems.update_line(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), replace=False
    )
    return line_view(caller, line)


@endpoint("DELETE", "/orders/{direction}/{orderID}/lineitems/{lineItemID}")
async def delete_line(ctx: Ctx) -> Any:
    _, stored = await _order(ctx, ORDER_WRITE_ROLES)
    await lineitems.delete_line(ctx, stored, ctx.param("lineItemID"))
    return NO_CONTENT, 204


@endpoint("PUT", "/orders/{direction}/{orderID}/lineitems/{lineItemID}/shipto")
async def set_line_shipto(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_WRITE_ROLES)
    line = await lineitems.set_line_shipto(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), patch=False
    )
    return line_view(caller, line)


@endpoint("PATCH", "/orders/{direction}/{orderID}/lineitems/{lineItemID}/shipto")
async def patch_line_shipto(ctx: Ctx) -> Any:
    caller, stored = await _order(ctx, ORDER_WRITE_ROLES)
    line = await lineitems.set_line_shipto(
        ctx, caller, stored, ctx.param("lineItemID"), await ctx.body_object(), patch=True
    )
    return line_view(caller, line)


@endpoint("GET", "/lineitems/{direction}")
async def list_across_orders(ctx: Ctx) -> Any:
    """Lines of every order the caller may list in `direction`. `Order.*` filters run on the order
    documents in a subquery; `OrderID` filters the line's order. Another company's unsubmitted
    orders need UnsubmittedOrderReader, as in order lists; there is no submitted-only default
    (filter `Order.IsSubmitted=true` for that). `buyerID`, `supplierID`, `from` and `to` bound
    the orders as they do on Orders.List."""
    caller = await ctx.caller(*ORDER_LIST_ROLES)
    direction = direction_param(ctx)
    opts = ctx.list_options(params=LIST_PARAMS)
    docs = ctx.docs
    order_filters = [(k.split(".", 1)[1], v) for k, v in opts.filters if k.lower().startswith("order.")]
    order_ids = opts.pop_filter("OrderID")
    opts.filters = [(k, v) for k, v in opts.filters if not k.lower().startswith("order.")]

    o = resources.alias("o")
    order_json = JsonAccess(docs.pg, o.c.doc)
    order_compiler = Compiler(docs.pg, ORDER_SCHEMA, column=o.c.doc, id_column=o.c.id)
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
    compiler = Compiler(docs.pg, LINE_SCHEMA)
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
    return Page(items, opts.page, opts.page_size, total).wire()


ROUTES = [
    list_lines,
    create_line,
    get_line,
    save_line,
    patch_line,
    delete_line,
    set_line_shipto,
    patch_line_shipto,
    list_across_orders,
]
