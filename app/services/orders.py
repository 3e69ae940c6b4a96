"""Order use cases: create, change, delete, addresses, and the status changes (submit, validate,
cancel, complete) through `domain.order_status.apply` only.

Rules chosen where OrderCloud's behaviour is not documented are listed in docs/orders.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select

from app.auth.tokens import Caller
from app.auth.users import USER_KINDS
from app.catalog.rename import repoint, rescope
from app.incrementors import expand, has_token
from app.list_options import ListOptions, parse_terms
from app.listing import JsonAccess
from app.models.orders import ORDER_WRITABLE, FromUserPatch, Order
from app.services import (
    activities,
    addresses,
    approvals,
    checkout,
    forwarding,
    group_orders,
    order_promotions,
    promotion_amounts,
    reservations,
    unified_orders,
)
from app.services import on_behalf as on_behalf_rules
from app.services.lineitems import order_lines
from app.services.locales import locale_of
from app.services.order_access import receives
from app.services.pricing import offered_ids, refresh_totals
from app.store.prepared import Prepared
from app.store.repo import Docs, Stored, locking_select, scope_is
from app.store.tables import resources
from app.unit import Unit
from app.wire import check_id, merge_patch, new_id, public, to_doc, validate
from domain.clock import iso, parse_iso, utcnow
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.money import to_decimal
from domain.order_status import STATES, Debit, OrderAggregate, Reservation, require_editable
from domain.orders import (
    SUBMITTED_STATUSES,
    UNSUBMITTED_STATUSES,
    Direction,
    new_order_doc,
    order_user,
)

DEFAULT_CURRENCY = "USD"
# Documents scoped to an order: they follow its renames and go with it.
ORDER_CHILD_KINDS = ("lineitem", "payment", approvals.APPROVAL_KIND, promotion_amounts.KIND, activities.KIND)
_STATE_BY_LOWER = {s.lower(): s for s in STATES}


# --------------------------------------------------------------------------- helpers


def _forbid_role(caller: Caller, role: str, code: str, field: str) -> None:
    if not caller.has(role):
        raise Forbidden(f"Setting {field} requires the {role} role", code, {"SufficientRoles": [role]})


def _money(value: Any, field: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValidationFailed:
        raise ValidationFailed(f"{field} must be a number", "ValidationFailure", {"Field": field}) from None


def _writes(body: dict[str, Any]) -> dict[str, Any]:
    """The writable part of an order body; read-only fields are ignored, as OrderCloud does."""
    data = {k: body[k] for k in ORDER_WRITABLE if k in body}
    validate(data, Order)
    if data.get("ID") is not None:
        check_id(data["ID"])
    return data


async def _apply_writes(
    ctx: Unit, caller: Caller, order: dict[str, Any], data: dict[str, Any], *, full: bool
) -> None:
    """Apply writable fields to `order` in place. `full` (PUT) resets omitted Comments, xp and
    Gratuity; ShippingCost and TaxCost change only when sent with a different value."""
    if "Comments" in data or full:
        order["Comments"] = data.get("Comments")
    if "xp" in data or full:
        xp, current = data.get("xp"), order.get("xp")
        # PATCH merges objects recursively, xp included, as everywhere else in the API.
        merge = not full and isinstance(xp, dict) and isinstance(current, dict)
        order["xp"] = merge_patch(current, xp) if merge and isinstance(xp, dict) else xp
    if "Gratuity" in data or full:
        gratuity = _money(data.get("Gratuity") or 0, "Gratuity")
        if gratuity < 0:
            raise ValidationFailed("Gratuity must be at least 0", "ValidationFailure", {"Gratuity": gratuity})
        order["Gratuity"] = gratuity
    for field, role, code in (
        ("ShippingCost", "OverrideShipping", "Order.OverrideShippingPermission"),
        ("TaxCost", "OverrideTax", "Order.OverrideTaxPermission"),
    ):
        if field in data:
            value = _money(data[field] if data[field] is not None else 0, field)
            if value != to_decimal(order.get(field) or 0):
                _forbid_role(caller, role, code, field)
                order[field] = value
    company = order["FromCompanyID"]
    if "BillingAddressID" in data or full:
        new = data.get("BillingAddressID")
        if new != order.get("BillingAddressID"):
            require_editable(order)
            order["BillingAddressID"] = new
            order["BillingAddress"] = (
                await addresses.saved_address(ctx.docs, company, new, user=addresses.Use(caller, order))
                if new
                else None
            )
    if "ShippingAddressID" in data or full:
        new = data.get("ShippingAddressID")
        if new != order.get("ShippingAddressID"):
            require_editable(order)
            snapshot = (
                await addresses.saved_address(ctx.docs, company, new, user=addresses.Use(caller, order))
                if new
                else None
            )
            await _ship_all_lines(ctx.docs, order, new, snapshot)


async def _ship_all_lines(
    docs: Docs, order: dict[str, Any], address_id: str | None, address: dict[str, Any] | None
) -> None:
    """The order's shipping address lives on its lines (and on the order, privately, for lines
    added later)."""
    order["ShippingAddressID"] = address_id
    order["_ShippingAddress"] = address
    # One statement for all the lines (executemany), however many the order has.
    lines = [
        {**line, "ShippingAddressID": address_id, "ShippingAddress": address}
        for line in await order_lines(docs, order["ID"])
    ]
    await docs.replace_many("lineitem", lines, order["ID"])


async def _load_user(docs: Docs, user_type: str, company_id: str, user_id: str) -> dict[str, Any] | None:
    kind = USER_KINDS.get(user_type, "user")
    found = await docs.get(kind, user_id, "" if user_type == "admin" else company_id)
    return found.doc if found else None


async def write_order(
    docs: Docs,
    stored: Stored,
    order: OrderAggregate,
    now: datetime,
    *,
    lines: list[dict[str, Any]] | None = None,
    payments: list[dict[str, Any]] | None = None,
    actor: Caller | None = None,
) -> dict[str, Any]:
    """Store the changed order (the aggregate is dumped here, the storage edge) with its timeline
    entry and projection; `stored.doc` becomes the new document. `lines`, `payments`: the order's
    current ones when the caller holds them (the projection then does not read them again).
    `actor`: who made the change, for the order's timeline."""
    order.last_updated = iso(now)
    doc = order.dump()
    first = not stored.doc.get("IsSubmitted")
    await docs.replace("order", stored.doc["ID"], doc, version=stored.version)
    await activities.order_changed(docs, stored.doc, doc, actor)
    stored.doc = doc
    await unified_orders.project(docs, doc, lines=lines, payments=payments, first=first)
    return public(doc)


# --------------------------------------------------------------------------- create / change / delete


async def _anonymous_order_id(docs: Docs, caller: Caller) -> str | None:
    """An anonymous shopper's order takes the ID its token announced (`orderid`, as OrderCloud's
    anonymous tokens do) unless that ID is taken already (its first cart was submitted or
    transferred, and the shopper goes on with the same token)."""
    order_id = caller.claims.get("orderid") if caller.anonymous else None
    if not isinstance(order_id, str) or not order_id or await docs.exists("order", order_id):
        return None
    return order_id


async def create_order(
    ctx: Unit, caller: Caller, direction: Direction, body: dict[str, Any]
) -> dict[str, Any]:
    return public(await new_order(ctx, caller, direction, body))


async def new_order(
    ctx: Unit,
    caller: Caller,
    direction: Direction,
    body: dict[str, Any],
    *,
    caller_user: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Create an order; answers the document as stored (version 1). `caller_user`: the caller's
    user document when the caller already read it in this transaction (the cart locks it)."""
    docs = ctx.docs
    if has_token(body.get("ID")):
        body = {**body, "ID": await expand(docs, body["ID"])}
    data = _writes(body)
    marketplace = ctx.services.marketplace_id
    chosen = data.get("ID")
    # Only an ID the caller chose is looked up: `_anonymous_order_id` has looked its own up and a
    # generated one (128 random bits) is not.
    order_id = chosen or await _anonymous_order_id(docs, caller) or new_id()
    # A buyer user's Outgoing (or All) order is always its own: FromUserID is ignored for it.
    on_behalf = direction is Direction.INCOMING or (
        direction is Direction.ALL and bool(data.get("FromUserID")) and not caller.is_buyer
    )
    if on_behalf:
        on_behalf_rules.check_may_create_on_behalf(caller)
    if chosen and await docs.exists("order", order_id):
        raise Conflict(
            f"Order already exists: {order_id}", "IdExists", {"ObjectType": "Order", "ObjectID": order_id}
        )
    if on_behalf:
        user_id = data.get("FromUserID")
        if not user_id:
            raise ValidationFailed(
                "An Incoming order is created on behalf of a buyer user: FromUserID is required",
                "Order.CreateIncomingRequiresFromUser",
                None,
            )
        buyer_id = data.get("FromCompanyID")
        found = (
            await docs.get("user", user_id, buyer_id)
            if buyer_id
            else await docs.find_any_scope("user", user_id)
        )
        if found is None:
            raise NotFound("User", user_id)
        await on_behalf_rules.require_served(docs, caller, found.scope, user_id)
        from_company, to_company, user = found.scope, caller.company_id, found.doc
    else:
        from_company = caller.company_id
        to_company = data.get("ToCompanyID") or marketplace
        if to_company == from_company:
            raise ValidationFailed(
                "ToCompanyID must name the supplier receiving the order",
                "ValidationFailure",
                {"Field": "ToCompanyID"},
            )
        if to_company != marketplace and not (
            await on_behalf_rules.supplier_serves(docs, to_company, from_company)
            if caller.is_buyer
            else await docs.exists("supplier", to_company)
        ):
            # A buyer orders only from the suppliers it may (the ones `/me/sellers` lists).
            raise NotFound("Supplier", to_company)
        user = (
            caller_user
            or await _load_user(docs, caller.user_type, caller.company_id, caller.user_id)
            or {"ID": caller.user_id}
        )
    # The buyer's (or the user's group's) locale sets the order's Currency; see app/services/locales.
    locale = await locale_of(docs, from_company, user["ID"]) if on_behalf or caller.is_buyer else None
    user = {**user, "Locale": locale}
    locale = locale or {}
    now = utcnow()
    order = new_order_doc(
        order_id=order_id,
        from_company_id=from_company,
        to_company_id=to_company,
        now=now,
        from_user=order_user(user, from_company),
        currency=locale.get("Currency") or DEFAULT_CURRENCY,
    )
    order["_ShippingAddress"] = None
    await _apply_writes(ctx, caller, order, data, full=False)
    refresh_totals(order)
    # The order with its timeline entry, in one statement; not looked up: see `chosen` above.
    await activities.order_created(docs, order, caller, with_rows=[("order", order, "")])
    return order


async def update_order(
    ctx: Unit, caller: Caller, stored: Stored, body: dict[str, Any], *, full: bool
) -> dict[str, Any]:
    """PUT (`full`) or PATCH. FromCompanyID, ToCompanyID and FromUserID are writable on create only
    and ignored here. A new ID renames the order and moves its lines and payments with it."""
    data = _writes(body)
    order = dict(stored.doc)
    old_id = order["ID"]
    new_order_id = data.get("ID") or old_id
    docs = ctx.docs
    if new_order_id != old_id:
        if await docs.exists("order", new_order_id):
            raise Conflict(
                f"Order already exists: {new_order_id}",
                "IdExists",
                {"ObjectType": "Order", "ObjectID": new_order_id},
            )
        await rescope(docs, ORDER_CHILD_KINDS, old_id, new_order_id)
        await repoint(docs, "cartpointer", "OrderID", old_id, new_order_id)
        await forwarding.rename_links(docs, order, old_id, new_order_id)
        await group_orders.follow_rename(docs, old_id, new_order_id)
        order["ID"] = new_order_id
    await _apply_writes(ctx, caller, order, data, full=full)
    # Promotion amounts may read any order field (order.xp, order.ShippingCost, ...).
    await promotion_amounts.settle(docs, order, await order_lines(docs, order["ID"]))
    order["LastUpdated"] = iso(utcnow())
    await docs.replace(
        "order",
        old_id,
        order,
        version=stored.version,
        new_id=new_order_id if new_order_id != old_id else None,
    )
    stored.doc = order
    await unified_orders.project(docs, order, previous_id=old_id)
    return public(order)


async def delete_order(ctx: Unit, stored: Stored) -> None:
    """Only orders that never reached the seller (IsSubmitted false) may be deleted."""
    order = stored.doc

    await forwarding.check_deletable(ctx.docs, order)
    if order.get("IsSubmitted"):
        raise ValidationFailed(
            "A submitted order cannot be deleted; cancel it instead",
            "Order.CannotDeleteSubmittedOrder",
            {"OrderID": order["ID"], "Status": order.get("Status")},
        )
    docs = ctx.docs
    for kind in ORDER_CHILD_KINDS:
        await docs.delete_where(kind, scope=order["ID"])
    await docs.delete_where("cartpointer", *docs.eq(OrderID=order["ID"]))
    await group_orders.forget_order(docs, order["ID"])
    await docs.delete("order", order["ID"])
    await forwarding.return_lines_to_seller(docs, order)


async def set_billto(
    ctx: Unit, caller: Caller, stored: Stored, body: dict[str, Any], *, patch: bool
) -> dict[str, Any]:
    order = dict(stored.doc)
    require_editable(order)
    if patch:
        order["BillingAddress"] = addresses.patched(
            order.get("BillingAddress"), bool(order.get("BillingAddressID")), body, "BillingAddress"
        )
    else:
        order["BillingAddressID"], order["BillingAddress"] = await addresses.resolve(
            ctx.docs, order["FromCompanyID"], body, user=addresses.Use(caller, order)
        )
    return await write_order(ctx.docs, stored, OrderAggregate.load(order), utcnow())


async def set_shipto(
    ctx: Unit, caller: Caller, stored: Stored, body: dict[str, Any], *, patch: bool
) -> dict[str, Any]:
    order = dict(stored.doc)
    require_editable(order)
    if patch:
        current = order.get("_ShippingAddress")
        snapshot = addresses.patched(current, bool(order.get("ShippingAddressID")), body, "ShippingAddress")
        address_id = None
    else:
        address_id, snapshot = await addresses.resolve(
            ctx.docs, order["FromCompanyID"], body, user=addresses.Use(caller, order)
        )
    await _ship_all_lines(ctx.docs, order, address_id, snapshot)
    return await write_order(ctx.docs, stored, OrderAggregate.load(order), utcnow())


async def patch_from_user(ctx: Unit, stored: Stored, body: dict[str, Any]) -> dict[str, Any]:
    """Only FirstName, LastName and Email of the order's FromUser snapshot are writable."""
    changes = to_doc(
        validate({k: body[k] for k in ("FirstName", "LastName", "Email") if k in body}, FromUserPatch)
    )
    order = dict(stored.doc)
    order["FromUser"] = {**(order.get("FromUser") or {}), **{k: v for k, v in changes.items() if k in body}}
    return await write_order(ctx.docs, stored, OrderAggregate.load(order), utcnow())


# --------------------------------------------------------------------------- status changes


@dataclass
class SubmitCheck:
    """What the submit checks found: the inventory taken, the lines, the payments, the
    promotion rows, the checkout event, and what the spending accounts paid."""

    taken: list[Reservation]
    lines: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    promotion_rows: list[dict[str, Any]]
    event: dict[str, Any] | None
    debits: list[Debit]


# Up to this many products, submit reads them with a statement built once per count (`:p0` ...)
# and run prepared; building it per submit cost more than running it.
_PREBUILT_PRODUCTS = 8


@lru_cache(maxsize=2 * 2 * _PREBUILT_PRODUCTS)
def _products_read(pg: bool, count: int, lock: bool) -> Prepared:
    """`_order_products`' statement for `count` products (`locking_select` with `lock`, which
    is PostgreSQL's; else the rows as `Docs.all_stored` reads them)."""
    r = resources.c
    where = [r.kind == "product", r.id.in_([bindparam(f"p{n}", type_=r.id.type) for n in range(count)])]
    where.append(scope_is(""))
    if lock:
        return Prepared(locking_select(where, JsonAccess(pg).is_bool(["Inventory", "Enabled"], True)))
    return Prepared(select(r.doc, r.version, r.scope).where(*where).order_by(r.pk))


async def _read_products(docs: Docs, product_ids: list[str], *, lock: bool) -> list[Stored] | None:
    """The products by a prebuilt statement (`_products_read`); None for too many of them."""
    if not 0 < len(product_ids) <= _PREBUILT_PRODUCTS:
        return None
    params = {f"p{n}": product_id for n, product_id in enumerate(product_ids)}
    rows = await _products_read(docs.pg, len(product_ids), lock).rows(docs.conn, params)
    return [Stored(doc, version, scope) for doc, version, scope in rows]


async def _order_products(docs: Docs, product_ids: list[str], *, lock: bool) -> dict[str, dict[str, Any]]:
    """The order's products by ID. Submit writes the stock of those that track it at product
    level, so those rows are locked; the others are only read: concurrent checkouts of one
    product that tracks no stock do not queue on its row (docs/performance.md, "Checkout: hot
    rows and the cart")."""
    lock = lock and docs.pg  # SQLite locks no rows: its one writer has the database
    found = await _read_products(docs, product_ids, lock=lock)
    if found is None and not lock:
        found = await docs.all_stored("product", resources.c.id.in_(product_ids), scope="")
    elif found is None:
        tracked = docs.json.is_bool(["Inventory", "Enabled"], True)
        by_id = resources.c.id.in_(product_ids)
        found = await docs.all_stored_locking("product", by_id, scope="", locked_if=tracked)
    if lock and len(found) < len(product_ids):
        # Missing, or (rarely) its tracking switched off while we waited for its lock: as before.
        found = await docs.all_stored("product", resources.c.id.in_(product_ids), scope="", lock=True)
    return {s.doc["ID"]: s.doc for s in found}


async def _submit_checks(ctx: Unit, order: dict[str, Any], *, dry_run: bool) -> SubmitCheck:
    """The refusals of submit, in OrderCloud's order (`order`: the stored document, read only)."""
    OrderAggregate.load(order).check("submit")  # Order.CannotSubmitBadStatus
    docs = ctx.docs
    # The order's lines, payments and promotion rows in one statement.
    children = await docs.all_kinds(("lineitem", "payment", promotion_amounts.KIND), order["ID"])
    lines = children["lineitem"]
    if not lines:
        raise ValidationFailed(
            "An order must have at least one line item to be submitted",
            "Order.CannotSubmitWithNoLineItems",
            {"OrderID": order["ID"]},
        )
    product_ids = sorted({line["ProductID"] for line in lines})
    stored = await _order_products(docs, product_ids, lock=not dry_run)
    missing = [p for p in product_ids if p not in stored]
    if not missing:
        # Inactive products are reported below with their own code.
        offered = await offered_ids(docs, order, stored, ctx.services.marketplace_id)
        missing = [p for p in product_ids if stored[p].get("Active") is not False and p not in offered]
    if missing:
        raise ValidationFailed(
            "Some products on this order no longer exist or are no longer available",
            "Order.ProductsNotFound",
            {"ProductIDs": missing},
        )
    inactive = [p for p in product_ids if stored[p].get("Active") is False]
    if inactive:
        raise ValidationFailed(
            "Some products on this order are inactive",
            "Order.CannotSubmitWithInactiveProduct",
            {"ProductIDs": inactive},
        )
    payments = children["payment"]
    unaccepted = [p["ID"] for p in payments if p.get("Accepted") is not True]
    if unaccepted:
        raise ValidationFailed(
            "All payments must be accepted before the order can be submitted",
            "Order.CannotSubmitWithUnaccceptedPayments",
            {"PaymentIDs": unaccepted},
        )
    promotion_rows = await order_promotions.check_at_submit(
        ctx, order, lines, rows=children[promotion_amounts.KIND]
    )
    event = await checkout.require_calculated(ctx, order, lines)
    taken = await reservations.take(
        docs, reservations.demand(lines, stored), stored, utcnow(), dry_run=dry_run
    )
    debits = await reservations.debit(docs, order, utcnow(), dry_run=dry_run, payments=payments)
    return SubmitCheck(taken, lines, payments, promotion_rows, event, debits)


async def validate_order(ctx: Unit, stored: Stored) -> None:
    await _submit_checks(ctx, stored.doc, dry_run=True)


async def submit_order(ctx: Unit, stored: Stored) -> dict[str, Any]:
    """Unsubmitted -> Open, taking inventory and forwarding AutoForward lines in the same
    transaction; or, when the buyer's approval rules ask for it, Unsubmitted -> AwaitingApproval
    with Pending approvals and no inventory taken yet (it is taken when the last approval opens
    the order; docs/approvals.md). The checkout integration's `/ordersubmit` or
    `/ordersubmitforapproval` is called once the change committed."""
    approval = await approvals.plan(ctx.docs, stored.doc)
    check = await _submit_checks(ctx, stored.doc, dry_run=approval.awaiting)
    redeemed = dict(stored.doc)
    await order_promotions.redeem(ctx.docs, redeemed, check.promotion_rows)
    order = OrderAggregate.load(redeemed)
    now = utcnow()
    # Nothing since the checks changed the lines or payments: the projection reuses them.
    if approval.awaiting:
        order.transition("submit_for_approval", now=now)
        await approvals.open_approvals(ctx.docs, redeemed, approval.to_open, now, new_round=True)
        pending = await write_order(
            ctx.docs, stored, order, now, lines=check.lines, payments=check.payments, actor=await ctx.caller()
        )
        checkout.notify_after_commit(ctx, check.event, order.id, "ordersubmitforapproval")
        return pending
    order.transition("submit", now=now)
    order.took(check.taken, check.debits)
    submitted = await write_order(
        ctx.docs, stored, order, now, lines=check.lines, payments=check.payments, actor=await ctx.caller()
    )
    await forwarding.auto_forward(ctx, stored.doc, check.lines)
    checkout.notify_after_commit(ctx, check.event, order.id, "ordersubmit")
    return submitted


async def cancel_order(ctx: Unit, caller: Caller, stored: Stored) -> dict[str, Any]:
    """Buyers cancel before the order is Open; the receiving company's OrderAdmin may cancel an
    Open order, which returns the inventory submit took."""
    order = OrderAggregate.load(stored.doc)
    was_open = order.is_open()
    now = utcnow()
    # The seller may also cancel the orders it forwarded to suppliers (it placed them).
    may_cancel_open = (receives(caller, stored.doc) or caller.is_seller) and caller.has("OrderAdmin")
    order.transition("cancel", now=now, may_cancel_open=may_cancel_open)
    canceled = order.dump()  # what the forwarding checks read (their refusals name the status)
    await forwarding.check_cancel_chain(ctx.docs, canceled, now)
    await forwarding.return_lines_to_seller(ctx.docs, canceled)
    if was_open:
        await reservations.give_back(ctx.docs, order.books.reserved, now)
        await reservations.credit_back(ctx.docs, canceled, order.books.debits)
        order.settle_books()
    return await write_order(ctx.docs, stored, order, now, actor=caller)


async def complete_order(ctx: Unit, stored: Stored) -> dict[str, Any]:
    order = OrderAggregate.load(stored.doc)
    now = utcnow()
    order.transition("complete", now=now)
    return await write_order(ctx.docs, stored, order, now, actor=await ctx.caller())


# --------------------------------------------------------------------------- lists


def submitted_conds(docs: Docs, opts: ListOptions) -> tuple[bool, list[Any]]:
    """OrderCloud lists submitted orders unless the filters ask for unsubmitted ones
    (`IsSubmitted=false`, `Status=Unsubmitted`, `Status=AwaitingApproval`, `Status=Declined`);
    asking for both kinds is `Order.CannotMixSubmittedAndUnsubmitted`. Returns (unsubmitted?,
    the status condition)."""
    wants_unsubmitted = wants_submitted = False
    for value in opts.filter_values("IsSubmitted"):
        for term in parse_terms(value):
            if term.op == "=" and term.value.lower() in ("true", "false"):
                flag = (term.value.lower() == "true") != term.negate
                wants_submitted |= flag
                wants_unsubmitted |= not flag
    for value in opts.filter_values("Status"):
        for term in parse_terms(value):
            status = _STATE_BY_LOWER.get(term.value.lower())
            if term.negate or term.op != "=" or status is None:
                continue
            wants_unsubmitted |= status in UNSUBMITTED_STATUSES
            wants_submitted |= status in SUBMITTED_STATUSES
    if wants_unsubmitted and wants_submitted:
        raise ValidationFailed(
            "Submitted and unsubmitted orders cannot be listed together",
            "Order.CannotMixSubmittedAndUnsubmitted",
            None,
        )
    # IsSubmitted, not Status, decides: a cart canceled before submit never reached the seller.
    return wants_unsubmitted, docs.eq(IsSubmitted=not wants_unsubmitted)


def date_range_conds(
    docs: Docs, opts: ListOptions, field: str = "DateCreated", *, json: JsonAccess | None = None
) -> list[Any]:
    """`from` / `to`: bounds (inclusive) on the order's DateCreated, as the SDK documents them.
    `json`: the order documents to bound when they are not the listed rows (line-item lists)."""
    conds = []
    for param, op in (("from", ">="), ("to", "<=")):
        raw = opts.params.get(param)
        if not raw:
            continue
        try:
            bound = iso(parse_iso(raw))
        except ValueError:
            raise ValidationFailed(
                f"Invalid date for {param}: {raw}", "ValidationFailure", {param: raw}
            ) from None
        column = (json or docs.json).text([field])
        conds.append(column >= bound if op == ">=" else column <= bound)
    return conds


def require_unsubmitted_reader(caller: Caller, docs: Docs) -> list[Any]:
    """Another company's unsubmitted orders are listed only with UnsubmittedOrderReader."""
    if caller.has("UnsubmittedOrderReader"):
        return []
    return docs.eq(FromCompanyID=caller.company_id)
