"""Order returns (`/orderreturns`): create, change, delete, and the status changes through
`domain.returns.apply` only. Rules chosen where OrderCloud's behaviour is not documented are listed
in docs/returns.md.

A return is stored as kind `orderreturn`, scope "" (IDs are unique marketplace-wide), with two
private keys: `_ItemOverrides` (line IDs whose RefundAmount an OrderAdmin set) and
`_RefundOverride` (the return's RefundAmount was set by an OrderAdmin rather than summed).
Who may see or change a return is who may see or change its order (`order_access`); every write
locks the order row first, so returns of one order are checked against each other one at a time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, literal, select

from app.auth.tokens import Caller
from app.incrementors import id_or_next
from app.listing import JsonAccess
from app.models.returns import RETURN_WRITABLE, OrderReturn
from app.services import activities, refunds, reservations, return_calc
from app.services import return_approvals as approvals
from app.services.lineitems import order_lines
from app.services.order_access import direction_conds, load_order, receives
from app.services.return_calc import Calc
from app.store.repo import Stored
from app.store.tables import resources
from app.unit import Unit
from app.wire import check_id, merge_patch, public, to_doc, validate
from domain import returns as machine
from domain.clock import iso, utcnow
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.money import round_money, to_decimal
from domain.order_status import UNSUBMITTED, Op, require
from domain.orders import Direction
from domain.returns import ITEM_EXTENSIONS, ReturnLine, claims_of, non_negative, price_items

KIND = refunds.RETURN_KIND
REASON_KIND = "returnreason"
READ_ONLY = (
    "PaymentIDs",
    "Status",
    "DateCreated",
    "DateSubmitted",
    "DateApproved",
    "DateDeclined",
    "DateCanceled",
    "DateCompleted",
    "LastUpdated",
)
# Statuses in which an OrderAdmin may still settle the refund amounts.


def _refuse_change(ret: dict[str, Any], what: str) -> ValidationFailed:
    return ValidationFailed(
        f"{what} cannot change while the order return is {ret.get('Status')}",
        "OrderReturn.CannotModifyBadStatus",
        {"OrderReturnID": ret.get("ID"), "Status": ret.get("Status")},
    )


def _forbid_anonymous(caller: Caller) -> None:
    if caller.anonymous:
        raise Forbidden(
            "Anonymous users cannot create or change order returns", "Auth.InsufficientRoles", None
        )


async def exists(ctx: Unit, return_id: str) -> bool:
    return await ctx.docs.exists(KIND, return_id)


async def load(
    ctx: Unit, caller: Caller, return_id: str, *, write: bool = False, lock: bool = True
) -> tuple[Stored, Stored]:
    """(the order, the return) as `caller` may reach them; a return whose order the caller cannot
    see is 404. Writes lock the order, then the return (unless `lock=False`)."""
    if write:
        _forbid_anonymous(caller)
    found = await ctx.docs.get(KIND, return_id)
    if found is None:
        raise NotFound("OrderReturn", return_id)
    try:
        order = await load_order(
            ctx, caller, Direction.ALL, found.doc["OrderID"], write=write, lock=write and lock
        )
    except NotFound:
        raise NotFound("OrderReturn", return_id) from None
    if write and lock:
        found = await ctx.docs.get(KIND, return_id, lock=True)
        if found is None:
            raise NotFound("OrderReturn", return_id)
    return order, found


def visible_conds(ctx: Unit, caller: Caller) -> list[ColumnElement[bool]]:
    """Returns whose order the caller may see (any direction), as SQL."""
    o = resources.alias("o")
    orders = select(o.c.id).where(
        o.c.kind == "order",
        o.c.scope == "",
        *direction_conds(JsonAccess(ctx.docs.pg, o.c.doc), caller, Direction.ALL),
    )
    return [ctx.docs.json.text(["OrderID"]).in_(orders)]


# List parameters (ordercore extension) keeping the returns with an item of this ReasonCode or
# Condition: `?ReasonCode=damaged-in-transit`, `?Condition=Damaged` (exact, case-sensitive).
ITEM_FILTERS = ("ReasonCode", "Condition")


def item_conds(ctx: Unit, wanted: dict[str, str]) -> list[ColumnElement[bool]]:
    """Returns with an item whose field equals the value, for each (field, value) of `wanted`:
    an EXISTS over the ItemsToReturn array (`JsonAccess.elements`, as list filters on an array of
    the document are built)."""
    json = ctx.docs.json
    conds: list[ColumnElement[bool]] = []
    for field, value in sorted(wanted.items()):
        if field not in ITEM_FILTERS:
            continue
        item = json.elements(["ItemsToReturn"]).alias(f"item_{field.lower()}")
        matches = JsonAccess(json.pg, item.c.value).text([field]) == value
        conds.append(select(literal(1)).select_from(item).where(matches).exists())
    return conds


def shown(ret: dict[str, Any]) -> dict[str, Any]:
    return public(ret)


# --------------------------------------------------------------------------- writes


def _return_lines(lines: list[dict[str, Any]], refundable: dict[str, Decimal]) -> dict[str, ReturnLine]:
    return {
        line["ID"]: ReturnLine(
            line["ID"],
            int(line.get("Quantity") or 0),
            int(line.get("QuantityShipped") or 0),
            to_decimal(line.get("LineTotal") or 0),
            bool((line.get("Product") or {}).get("Returnable")),
            refundable.get(line["ID"]),
        )
        for line in lines
    }


async def _check_items(ctx: Unit, lines: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Each item's ReasonCode names an active return reason, its RestockInventoryRecordID an
    inventory record of the line's product (404 otherwise)."""
    product_of = {line["ID"]: line.get("ProductID") for line in lines}
    for item in items:
        code = item.get("ReasonCode")
        if code is not None:
            reason = await ctx.docs.get(REASON_KIND, code)
            if reason is None or reason.doc.get("Active") is False:
                raise NotFound("ReturnReason", code)
            item["ReasonCode"] = reason.doc["ID"]
        record = item.get("RestockInventoryRecordID")
        if record is not None:
            product_id = product_of.get(item["LineItemID"]) or ""
            found = await ctx.docs.get("inventoryrecord", record, product_id)
            if found is None:
                raise NotFound("InventoryRecord", record)
            item["RestockInventoryRecordID"] = found.doc["ID"]


async def _price(
    ctx: Unit,
    order: dict[str, Any],
    ret: dict[str, Any],
    overrides: dict[str, Any],
    *,
    any_product: bool,
    current_id: str | None,
    calc: Calc,
) -> None:
    """Check the items of an Unsubmitted return against the order and its other returns, and
    compute their refunds as `calc` says (and the return's RefundAmount unless an OrderAdmin set
    it)."""
    order_lines_ = await order_lines(ctx.docs, order["ID"])
    builtin = calc.mode == "builtin"
    refundable = return_calc.shares(order, order_lines_, calc) if builtin else {}
    lines = _return_lines(order_lines_, refundable)
    others = await ctx.docs.all(KIND, *ctx.docs.eq(OrderID=order["ID"]))
    items, total = price_items(
        ret.get("ItemsToReturn") or [],
        lines,
        claims_of(others, excluding=current_id or ret["ID"]),
        order_status=order["Status"],
        currency=order.get("Currency"),
        any_product=any_product,
        overrides=overrides,
        calculate=builtin,
    )
    await _check_items(ctx, order_lines_, items)
    ret["ItemsToReturn"] = items
    if calc.answer is not None:
        total = return_calc.apply_answer(ret, calc, overrides, order.get("Currency"))
    ret["_ItemOverrides"] = sorted(overrides)
    if not ret.get("_RefundOverride"):
        ret["RefundAmount"] = total


def _settle_items(
    caller: Caller,
    ret: dict[str, Any],
    existing: dict[str, Any],
    sent: list[dict[str, Any]] | None,
    currency: str | None,
) -> None:
    """A submitted return keeps its lines and quantities; an OrderAdmin may still change item
    RefundAmounts while it is AwaitingApproval or Open."""
    stored = existing.get("ItemsToReturn") or []
    ret["ItemsToReturn"] = [dict(i) for i in stored]
    ret["_ItemOverrides"] = list(existing.get("_ItemOverrides") or [])
    if sent is None:
        return
    shape = [(i["LineItemID"], i.get("Quantity")) for i in stored]
    if [(i["LineItemID"], i.get("Quantity")) for i in sent] != shape:
        raise _refuse_change(existing, "ItemsToReturn")
    if not caller.has("OrderAdmin"):
        return
    for item, new in zip(ret["ItemsToReturn"], sent, strict=True):
        item["Comments"] = new.get("Comments")
        for field in ITEM_EXTENSIONS:
            if new.get(field) != item.get(field):
                if not machine.is_settling(existing):
                    raise _refuse_change(existing, field)
                item[field] = new.get(field)
        amount = new.get("RefundAmount")
        if amount is None or to_decimal(amount) == to_decimal(item.get("RefundAmount") or 0):
            continue
        if not machine.is_settling(existing):
            raise _refuse_change(existing, "RefundAmount")
        item["RefundAmount"] = round_money(non_negative(amount, item["LineItemID"]), currency)
        ret["_ItemOverrides"] = sorted({*ret["_ItemOverrides"], item["LineItemID"]})
    if not ret.get("_RefundOverride"):
        ret["RefundAmount"] = round_money(
            sum((to_decimal(i.get("RefundAmount") or 0) for i in ret["ItemsToReturn"]), Decimal(0)), currency
        )


def _overrides(item: dict[str, Any], before: dict[str, dict[str, Any]], kept: set[str]) -> bool:
    """An OrderAdmin's item RefundAmount overrides the default unless it merely echoes the stored
    default (the SDK's Save of a fetched return sends every amount back)."""
    line_id = item["LineItemID"]
    old = before.get(line_id)
    if line_id in kept or old is None:
        return True
    return to_decimal(item["RefundAmount"]) != to_decimal(old.get("RefundAmount") or 0)


async def _write(
    ctx: Unit,
    caller: Caller,
    order: dict[str, Any],
    body: dict[str, Any],
    existing: dict[str, Any] | None,
    *,
    full: bool,
    calc: Calc,
) -> dict[str, Any]:
    data = {k: body[k] for k in RETURN_WRITABLE if k in body}
    if full:
        data = {**dict.fromkeys(("RefundAmount", "Comments", "ItemsToReturn", "xp")), **data}
    current = {k: v for k, v in (existing or {}).items() if k in RETURN_WRITABLE}
    merged = {**current, **data} if full else merge_patch(current, data)
    if isinstance(data.get("ItemsToReturn"), list):
        merged["ItemsToReturn"] = data["ItemsToReturn"]
    merged["ID"] = await id_or_next(ctx.docs, merged)
    ret: dict[str, Any] = to_doc(validate(merged, OrderReturn))
    admin = caller.has("OrderAdmin")
    currency = order.get("Currency")
    now = utcnow()
    if existing is None:
        ret.update(dict.fromkeys(READ_ONLY), PaymentIDs=[], Status=UNSUBMITTED, DateCreated=iso(now))
        ret["_RefundOverride"] = False
    else:
        if ret["OrderID"] != existing["OrderID"]:
            raise ValidationFailed(
                "OrderID cannot change",
                "ValidationFailure",
                {"Field": "OrderID", "OrderID": existing["OrderID"]},
            )
        ret.update({k: existing.get(k) for k in READ_ONLY})
        ret["_RefundOverride"] = bool(existing.get("_RefundOverride"))
    ret["LastUpdated"] = iso(now)
    sent_items = ret.get("ItemsToReturn") if "ItemsToReturn" in data else None

    if admin and "RefundAmount" in data:
        value = data["RefundAmount"]
        before = existing.get("RefundAmount") if existing else None
        if (
            value is not None
            and not machine.is_settling(ret)
            and to_decimal(value) != to_decimal(before or 0)
        ):
            raise _refuse_change(ret, "RefundAmount")
        # Echoing the stored amount back (the SDK's Save of a fetched return) is not an override.
        echoed = existing is not None and not existing.get("_RefundOverride") and value == before
        ret["_RefundOverride"] = value is not None and not echoed
        if ret["_RefundOverride"]:
            ret["RefundAmount"] = round_money(non_negative(value), currency)
    elif existing is not None:
        ret["RefundAmount"] = existing.get("RefundAmount")

    if machine.is_unsubmitted(ret):
        kept = set((existing or {}).get("_ItemOverrides") or [])
        if sent_items is not None:
            before_items = {i["LineItemID"]: i for i in (existing or {}).get("ItemsToReturn") or []}
            overrides = {
                i["LineItemID"]: i["RefundAmount"]
                for i in sent_items
                if admin and i.get("RefundAmount") is not None and _overrides(i, before_items, kept)
            }
        else:
            overrides = {
                i["LineItemID"]: i["RefundAmount"]
                for i in ret.get("ItemsToReturn") or []
                if i["LineItemID"] in kept
            }
        await _price(
            ctx,
            order,
            ret,
            overrides,
            any_product=admin,
            current_id=existing["ID"] if existing else None,
            calc=calc,
        )
    else:
        assert existing is not None
        _settle_items(caller, ret, existing, sent_items, currency)
        await _check_items(ctx, await order_lines(ctx.docs, order["ID"]), ret["ItemsToReturn"])
        changed = ret["RefundAmount"] != existing.get("RefundAmount")
        paid = await refunds.refunded(ctx.docs, order["ID"], existing["ID"]) if changed else Decimal(0)
        if paid > to_decimal(ret["RefundAmount"] or 0):
            raise ValidationFailed(
                "The total of the refunds for this OrderReturn cannot exceed the RefundAmount",
                "OrderReturn.TotalRefundsExceedRefundAmount",
                {"OrderReturnID": existing["ID"], "RefundAmount": ret["RefundAmount"]},
            )
    if ret.get("RefundAmount") is not None:
        ret["RefundAmount"] = round_money(to_decimal(ret["RefundAmount"]), currency)
    return ret


async def _calculation(
    ctx: Unit, caller: Caller, body: dict[str, Any], return_id: str | None, *, full: bool
) -> tuple[Calc, tuple[int, int | None] | None]:
    """The calculation configured for the caller; with a middleware, its answer for the return as
    it would be written, asked on the handler's read connection (no lock is held while the
    middleware thinks). Also the versions of the order and the return it was asked for."""
    calc = await return_calc.calc_for(ctx.docs, caller)
    if calc.mode != "remote":
        return calc, None
    existing: Stored | None = None
    if return_id is None:
        order = await load_order(
            ctx, caller, Direction.ALL, check_id(body.get("OrderID"), "OrderID"), write=True, lock=False
        )
        require(order.doc, Op.RETURN)
    else:
        order, existing = await load(ctx, caller, return_id, write=True, lock=False)
        if existing.doc.get("Status") != UNSUBMITTED:
            return calc, None  # amounts of a submitted return are not recalculated
    candidate = await _write(
        ctx, caller, order.doc, body, existing.doc if existing else None, full=full, calc=return_calc.NONE
    )
    lines = await order_lines(ctx.docs, order.doc["ID"])
    asked = await return_calc.ask(ctx, calc, order.doc, lines, shown(candidate))
    return asked, (order.version, existing.version if existing else None)


def _check_seen(seen: tuple[int, int | None] | None, order: Stored, stored: Stored | None) -> None:
    if seen is not None and seen != (order.version, stored.version if stored else None):
        raise Conflict(
            "The order return changed while its integration event was running; nothing was applied, "
            "try again",
            "Conflict.StaleWrite",
            {"OrderID": order.doc["ID"]},
        )


async def create(ctx: Unit, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """Runs in its own transaction (the handler is not transactional: a middleware may be asked
    first)."""
    _forbid_anonymous(caller)
    order_id = body.get("OrderID")
    if not order_id:
        raise ValidationFailed("OrderID is required", "ValidationFailure", {"Field": "OrderID"})
    calc, seen = await _calculation(ctx, caller, body, None, full=False)
    async with ctx.write() as unit:
        stored = await load_order(unit, caller, Direction.ALL, check_id(order_id, "OrderID"), write=True)
        _check_seen(seen, stored, None)
        order = stored.doc
        require(order, Op.RETURN)
        ret = await _write(unit, caller, order, body, None, full=False, calc=calc)
        if await unit.docs.exists(KIND, ret["ID"]):
            raise Conflict(
                f"OrderReturn already exists: {ret['ID']}",
                "IdExists",
                {"ObjectType": "OrderReturn", "ObjectID": ret["ID"]},
            )
        await unit.docs.insert(KIND, ret, object_type="OrderReturn")
        await activities.return_changed(unit.docs, None, ret, caller)
    return shown(ret)


async def update(
    ctx: Unit, caller: Caller, return_id: str, body: dict[str, Any], *, full: bool
) -> dict[str, Any]:
    """PUT/PATCH in its own transaction, like `create`."""
    calc, seen = await _calculation(ctx, caller, body, return_id, full=full)
    async with ctx.write() as unit:
        order, stored = await load(unit, caller, return_id, write=True)
        _check_seen(seen, order, stored)
        old_id = stored.doc["ID"]
        ret = await _write(unit, caller, order.doc, body, stored.doc, full=full, calc=calc)
        new_return_id = ret["ID"] if ret["ID"] != old_id else None
        if new_return_id is not None:
            if await unit.docs.exists(KIND, new_return_id):
                raise Conflict(
                    f"OrderReturn already exists: {new_return_id}",
                    "IdExists",
                    {"ObjectType": "OrderReturn", "ObjectID": new_return_id},
                )
            await _rename(unit, order.doc["ID"], old_id, new_return_id)
        await unit.docs.replace(KIND, old_id, ret, version=stored.version, new_id=new_return_id)
    return shown(ret)


async def _rename(ctx: Unit, order_id: str, old_id: str, new_return_id: str) -> None:
    """Refund payments and approvals follow a return whose ID changes."""
    docs = ctx.docs
    for payment in await refunds.refunds_of(docs, order_id):
        if payment["OrderReturnID"] == old_id:
            await docs.replace(
                "payment", payment["ID"], {**payment, "OrderReturnID": new_return_id}, order_id
            )
    await approvals.rename(docs, old_id, new_return_id)


async def delete(ctx: Unit, caller: Caller, stored: Stored) -> None:
    """Anyone who may change the return deletes it while Unsubmitted; afterwards only an OrderAdmin
    (others cancel it instead). Refund payments stay on the order as the record of money paid."""
    ret = stored.doc
    if not machine.is_unsubmitted(ret) and not caller.has("OrderAdmin"):
        raise Forbidden(
            "Only OrderAdmins may delete a submitted or completed OrderReturn; cancel it instead",
            "OrderReturn.NotAuthorizedToDelete",
            {"OrderReturnID": ret["ID"], "Status": ret.get("Status")},
        )
    await approvals.remove_all(ctx.docs, ret["ID"])
    await ctx.docs.delete(KIND, ret["ID"])


async def delete_item(
    ctx: Unit, caller: Caller, order: Stored, stored: Stored, line_item_id: str
) -> dict[str, Any]:
    ret = stored.doc
    items = ret.get("ItemsToReturn") or []
    if not any(i["LineItemID"] == line_item_id for i in items):
        raise NotFound("OrderReturnItem", line_item_id)
    if not machine.is_unsubmitted(ret):
        raise _refuse_change(ret, "ItemsToReturn")
    new = {**ret, "ItemsToReturn": [i for i in items if i["LineItemID"] != line_item_id]}
    new["LastUpdated"] = iso(utcnow())
    # The remaining items keep their OrderAdmin overrides; the others are recomputed.
    kept = set(ret.get("_ItemOverrides") or [])
    overrides = {i["LineItemID"]: i["RefundAmount"] for i in new["ItemsToReturn"] if i["LineItemID"] in kept}
    calc = await return_calc.calc_for(ctx.docs, caller)
    if calc.mode == "remote":
        # [choice] No call: the middleware's amounts of the remaining items stay as they were.
        calc = return_calc.NONE
        overrides = {
            i["LineItemID"]: i["RefundAmount"]
            for i in new["ItemsToReturn"]
            if i.get("RefundAmount") is not None
        }
    await _price(ctx, order.doc, new, overrides, any_product=True, current_id=ret["ID"], calc=calc)
    new["_ItemOverrides"] = sorted(kept & {i["LineItemID"] for i in new["ItemsToReturn"]})
    await ctx.docs.replace(KIND, ret["ID"], new, version=stored.version)
    return shown(new)


# --------------------------------------------------------------------------- status changes


async def _save(ctx: Unit, stored: Stored, ret: dict[str, Any]) -> dict[str, Any]:
    await ctx.docs.replace(KIND, ret["ID"], ret, version=stored.version)
    await activities.return_changed(ctx.docs, stored.doc, ret, await ctx.caller())
    stored.doc = ret
    return shown(ret)


async def submit(ctx: Unit, caller: Caller, order: Stored, stored: Stored) -> dict[str, Any]:
    """Unsubmitted -> Open, or AwaitingApproval when a seller approval rule matches."""
    ret = dict(stored.doc)
    now = utcnow()
    if not machine.can(ret, "submit"):
        machine.apply(ret, "submit", now=now)  # raises the refusal
    pending = await approvals.open_for(ctx, caller, order.doc, ret, now)
    machine.apply(ret, "submit_for_approval" if pending else "submit", now=now)
    return await _save(ctx, stored, ret)


def _require_receiver(caller: Caller, order: dict[str, Any], code: str = "Auth.InsufficientRoles") -> None:
    if not (caller.has("OrderAdmin") and receives(caller, order)):
        raise Forbidden(
            "Only an OrderAdmin of the company receiving the order may do this",
            code,
            {"SufficientRoles": ["OrderAdmin"], "AssignedRoles": sorted(caller.roles)},
        )


async def decide(
    ctx: Unit, caller: Caller, order: Stored, stored: Stored, *, approve: bool, comments: str | None
) -> dict[str, Any]:
    """Approve or decline: the caller must belong to the approving group of a pending approval."""
    ret = dict(stored.doc)
    now = utcnow()
    event = "approve" if approve else "decline"
    if not machine.can(ret, event):
        machine.apply(ret, event, now=now)  # raises the refusal
    _require_receiver(caller, order.doc, "OrderReturn.NotEligibleToApproveOrDecline")
    settled = await approvals.decide(ctx, caller, ret, approve=approve, comments=comments, now=now)
    if settled:
        machine.apply(ret, event, now=now)
    else:
        ret["LastUpdated"] = iso(now)
    return await _save(ctx, stored, ret)


async def cancel(ctx: Unit, caller: Caller, stored: Stored) -> dict[str, Any]:
    """Releases the quantities the return claimed; refund payments already made stay."""
    ret = dict(stored.doc)
    machine.apply(ret, "cancel", now=utcnow(), may_cancel_completed=caller.has("OrderAdmin"))
    return await _save(ctx, stored, ret)


async def complete(ctx: Unit, caller: Caller, order: Stored, stored: Stored) -> dict[str, Any]:
    """Open -> Completed, recording whatever refund is still owed as a payment on the order."""
    ret = dict(stored.doc)
    now = utcnow()
    if not machine.can(ret, "complete"):
        machine.apply(ret, "complete", now=now)  # raises the refusal
    _require_receiver(caller, order.doc)
    await refunds.record_rest(ctx.docs, order.doc, ret, now)
    machine.apply(ret, "complete", now=now)
    await reservations.restock(ctx.docs, order.doc, ret, now)
    return await _save(ctx, stored, ret)
