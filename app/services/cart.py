"""The buyer user's cart: one unsubmitted Outgoing order the `/cart` endpoints act on.

Which order: the one chosen with `PUT /cart/{orderID}` (a `cartpointer` document, ID = user ID,
scope = the buyer) while it is still the user's Unsubmitted order; else the user's most recently
created Unsubmitted Outgoing order. Creating a cart implicitly (adding a line, saving the cart)
locks the user's row first so that two concurrent first adds make one cart, not two.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, String, bindparam, exists, func, literal_column, select, union_all

from app.auth.tokens import Caller
from app.auth.users import USER_KINDS
from app.listing import JsonAccess
from app.services import group_access
from app.services.locales import locale_of
from app.services.orders import DEFAULT_CURRENCY, new_order
from app.store.prepared import Prepared
from app.store.repo import Docs, Stored
from app.store.tables import resources
from app.unit import Unit
from app.wire import public
from domain.clock import utcnow
from domain.errors import Forbidden, NotFound
from domain.order_status import UNSUBMITTED, is_unsubmitted
from domain.orders import Direction, new_order_doc, order_user

POINTER = "cartpointer"
CART_ROLES = ("Shopper",)


def require_buyer(caller: Caller) -> None:
    if not caller.is_buyer:
        raise Forbidden(
            "Only buyer users have a cart", "Auth.InsufficientRoles", {"SufficientRoles": list(CART_ROLES)}
        )


async def caller(ctx: Unit, *roles: str) -> Caller:
    """The buyer user whose cart a `/cart` route works on (`roles`: the route's, else CART_ROLES)."""
    found = await ctx.caller(*(roles or CART_ROLES))
    require_buyer(found)
    return found


async def target(
    ctx: Unit, *, create: bool = False, roles: tuple[str, ...] = (), lock: bool = False
) -> tuple[Caller, Stored]:
    """The caller and the cart a `/cart` route acts on: created when missing with `create`
    (locked), else required (404 without one; locked with `lock`, as writes need)."""
    found = await caller(ctx, *roles)
    if create:
        stored, _ = await current_or_new(ctx, found)
        return found, stored
    return found, await require(ctx, found, lock=lock)


def is_cart_of(order: dict[str, Any], caller: Caller) -> bool:
    return (
        order.get("FromUserID") == caller.user_id
        and order.get("FromCompanyID") == caller.company_id
        and is_unsubmitted(order)
    )


async def current(ctx: Unit, caller: Caller, *, lock: bool = False) -> Stored | None:
    docs = ctx.docs
    if caller.invitation_id is not None:
        # A group order token's cart is its group order (docs/group-orders.md).
        group = await docs.get("order", str(caller.claims.get(group_access.ORDER_CLAIM)), lock=lock)
        return group if group is not None and group_access.reaches(caller, group.doc) else None
    return await _pointed_or_latest(docs, caller, lock=lock)


@cache
def _cart_statement(pg: bool, lock: bool) -> Select[Any]:
    """The user's cart (see the module's docstring) in ONE statement, built once per dialect:
    the order the pointer names while it is the user's Unsubmitted order (`is_cart_of`, in SQL),
    else the user's latest Unsubmitted order, looked for only when the first part found none.
    These were two statements whenever the pointer named no cart, and a first add-line after a
    submit ran both twice (before and after the user's lock). The order is read by `lower(id)`
    as `Docs.get` reads, through that index; only the order found is locked."""
    pointer = resources.alias("pointer")
    # The pointer's OrderID as text; no collation (JsonAccess.text's) so the index serves it.
    if pg:
        order_id: Any = pointer.c.doc.op("#>>", return_type=String())(literal_column("'{OrderID}'"))
    else:
        order_id = func.json_extract(pointer.c.doc, literal_column("'$.\"OrderID\"'"))
    named = (
        select(order_id)
        .where(
            pointer.c.kind == POINTER,
            func.lower(pointer.c.scope) == bindparam("company"),
            func.lower(pointer.c.id) == bindparam("user"),
        )
        .scalar_subquery()
    )
    r = resources.c
    text = JsonAccess(pg).text
    mine = (
        text(["FromUserID"]) == bindparam("user_id"),
        text(["FromCompanyID"]) == bindparam("company_id"),
        text(["Status"]) == UNSUBMITTED,
    )
    columns = (r.pk, r.doc, r.version, r.scope)
    pointed_select = select(*columns).where(
        r.kind == "order", func.lower(r.scope) == "", func.lower(r.id) == func.lower(named), *mine
    )
    pointed = (pointed_select.with_for_update(of=resources) if lock and pg else pointed_select).cte("pointed")
    latest_select = (
        select(*columns)
        .where(r.kind == "order", r.scope == "", *mine, ~exists(select(pointed.c.pk)))
        .order_by(r.pk.desc())
        .limit(1)
    )
    latest = (latest_select.with_for_update() if lock and pg else latest_select).cte("latest")
    found = union_all(
        select(literal_column("0").label("part"), pointed.c.doc, pointed.c.version, pointed.c.scope),
        select(literal_column("1").label("part"), latest.c.doc, latest.c.version, latest.c.scope),
    ).subquery("found")
    return select(found.c.doc, found.c.version, found.c.scope).order_by(found.c.part).limit(1)


@cache
def _cart_read(pg: bool, lock: bool) -> Prepared:
    """`_cart_statement` run below SQLAlchemy's execution path (app.store.prepared): it runs on
    every `/cart` request, where SQLAlchemy's per-statement work cost more than the database's."""
    return Prepared(_cart_statement(pg, lock))


async def _pointed_or_latest(docs: Docs, caller: Caller, *, lock: bool) -> Stored | None:
    """The buyer user's cart: see the module's docstring."""
    params = {
        "company": caller.company_id.lower(),
        "user": caller.user_id.lower(),
        "user_id": caller.user_id,
        "company_id": caller.company_id,
    }
    row = await _cart_read(docs.pg, lock).first(docs.conn, params)
    return Stored(row[0], row[1], row[2]) if row else None


@cache
def _latest_statement(pg: bool, lock: bool) -> Select[Any]:
    """`latest_unsubmitted`'s select for a dialect, built once (building and cache-keying it
    cost more than running it)."""
    r = resources.c
    text = JsonAccess(pg).text
    stmt = (
        select(r.doc, r.version, r.scope)
        .where(
            r.kind == "order",
            r.scope == "",
            text(["FromUserID"]) == bindparam("user_id"),
            text(["FromCompanyID"]) == bindparam("company_id"),
            text(["Status"]) == UNSUBMITTED,
        )
        .order_by(r.pk.desc())
        .limit(1)
    )
    return stmt.with_for_update() if lock and pg else stmt


async def latest_unsubmitted(
    docs: Docs, user_id: str, company_id: str, *, lock: bool = False
) -> Stored | None:
    """The user's most recently created Unsubmitted order."""
    params = {"user_id": user_id, "company_id": company_id}
    row = (await docs.conn.execute(_latest_statement(docs.pg, lock), params)).first()
    return Stored(row.doc, row.version, row.scope) if row else None


async def require(ctx: Unit, caller: Caller, *, lock: bool = False) -> Stored:
    found = await current(ctx, caller, lock=lock)
    if found is None:
        raise NotFound("Order", "cart", "You have no cart (no unsubmitted order)")
    return found


async def load_for_checkout(ctx: Unit, caller: Caller, lock: bool) -> Stored:
    """The cart as a checkout `Loader` (app.services.checkout); a 404 without one."""
    return await require(ctx, caller, lock=lock)


async def current_or_new(
    ctx: Unit, caller: Caller, body: dict[str, Any] | None = None
) -> tuple[Stored, bool]:
    """The cart, locked for writing; a new cart order (from `body`) when there is none."""
    found = await current(ctx, caller, lock=True)
    if found is not None:
        return found, False
    if caller.invitation_id is not None:
        raise NotFound("Order", "cart", "The group order is gone")
    docs = ctx.docs
    user = await docs.get(USER_KINDS["buyer"], caller.user_id, caller.company_id, lock=True)
    found = await _pointed_or_latest(docs, caller, lock=True)
    if found is not None:
        return found, False
    created = await new_order(
        ctx, caller, Direction.OUTGOING, body or {}, caller_user=user.doc if user else None
    )
    await set_pointer(docs, caller, created["ID"])
    # Inserted in this transaction, so no one else sees (or locks) it before the commit.
    return Stored(created, 1, ""), True


async def set_pointer(docs: Docs, caller: Caller, order_id: str) -> None:
    """Point the user's cart at `order_id`. The pointer is written over in place, and inserted
    only when that found none: a user who has had a cart has one, so the common case is one
    statement (an existence probe before it was a second)."""
    doc = {"ID": caller.user_id, "OrderID": order_id}
    try:
        await docs.replace(POINTER, caller.user_id, doc, caller.company_id)
    except NotFound:
        await docs.insert(POINTER, doc, caller.company_id, absent=True)


async def set_active(ctx: Unit, caller: Caller, order_id: str) -> None:
    found = await ctx.docs.get("order", order_id)
    if found is None or not is_cart_of(found.doc, caller):
        raise NotFound("Order", order_id)
    await set_pointer(ctx.docs, caller, order_id)


async def empty_cart(ctx: Unit, caller: Caller) -> dict[str, Any]:
    """What GET /cart answers without a cart: an Order with every field, ID null, never a 404."""
    user = await ctx.docs.get(USER_KINDS["buyer"], caller.user_id, caller.company_id)
    user_doc: dict[str, Any] = user.doc if user else {"ID": caller.user_id}
    user_doc = {**user_doc, "Locale": await locale_of(ctx.docs, caller.company_id, caller.user_id)}
    doc = new_order_doc(
        order_id="",
        from_company_id=caller.company_id,
        to_company_id=ctx.services.marketplace_id,
        now=utcnow(),
        from_user=order_user(user_doc, caller.company_id),
        currency=(user_doc.get("Locale") or {}).get("Currency") or DEFAULT_CURRENCY,
    )
    doc.update(ID=None, DateCreated=None, LastUpdated=None)
    return public(doc)


async def transfer_orders(docs: Docs, anon: Caller, user: dict[str, Any], buyer_id: str) -> int:
    """The anonymous shopper's unsubmitted orders become the user's (in the user's buyer)."""
    moved = 0
    conds = docs.eq(FromUserID=anon.user_id, FromCompanyID=anon.company_id, Status=UNSUBMITTED)
    for stored in await docs.all_stored("order", *conds, scope="", lock=True):
        order = {
            **stored.doc,
            "FromUserID": user["ID"],
            "FromCompanyID": buyer_id,
            "FromUser": order_user(user, buyer_id),
        }
        await docs.replace("order", order["ID"], order, version=stored.version)
        moved += 1
    await docs.delete("cartpointer", anon.user_id, anon.company_id)
    return moved
