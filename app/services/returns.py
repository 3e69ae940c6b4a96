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

from sqlalchemy import ColumnElement, select

from app.auth.tokens import Caller
from app.incrementors import id_or_next
from app.listing import JsonAccess
from app.models.returns import RETURN_WRITABLE, OrderReturn
from app.resources import public
from app.services import activities, refunds
from app.services import return_approvals as approvals
from app.services.lineitems import order_lines
from app.services.order_access import direction_conds, load_order, receives
from app.store.repo import Stored
from app.store.tables import resources
from app.unit import Unit
from app.wire import check_id, merge_patch, to_doc, validate
from domain import returns as machine
from domain.clock import iso, utcnow
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.lifecycle import UNSUBMITTED
from domain.money import round_money, to_decimal
from domain.order_status import Op, require
from domain.orders import Direction
from domain.returns import ReturnLine, claims_of, non_negative, price_items

KIND = refunds.RETURN_KIND
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


async def load(ctx: Unit, caller: Caller, return_id: str, *, write: bool = False) -> tuple[Stored, Stored]:
    """(the order, the return) as `caller` may reach them; a return whose order the caller cannot
    see is 404. Writes lock the order, then the return."""
    if write:
        _forbid_anonymous(caller)
    found = await ctx.docs.get(KIND, return_id)
    if found is None:
        raise NotFound("OrderReturn", return_id)
    try:
        order = await load_order(ctx, caller, Direction.ALL, found.doc["OrderID"], write=write)
    except NotFound:
        raise NotFound("OrderReturn", return_id) from None
    if write:
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


def shown(ret: dict[str, Any]) -> dict[str, Any]:
    return public(ret)


# --------------------------------------------------------------------------- writes


def _return_lines(lines: list[dict[str, Any]]) -> dict[str, ReturnLine]:
    return {
        line["ID"]: ReturnLine(
            line["ID"],
            int(line.get("Quantity") or 0),
            int(line.get("QuantityShipped") or 0),
            to_decimal(line.get("LineTotal") or 0),
            bool((line.get("Product") or {}).get("Returnable")),
        )
        for line in lines
    }


async def _price(
    ctx: Unit,
    order: dict[str, Any],
    ret: dict[str, Any],
    overrides: dict[str, Any],
    *,
    any_product: bool,
    current_id: str | None,
) -> None:
    """Check the items of an Unsubmitted return against the order and its other returns, and
    compute their refunds (and the return's RefundAmount unless an OrderAdmin set it)."""
    lines = _return_lines(await order_lines(ctx.docs, order["ID"]))
    others = await ctx.docs.all(KIND, *ctx.docs.eq(OrderID=order["ID"]))
    items, total = price_items(
        ret.get("ItemsToReturn") or [],
        lines,
        claims_of(others, excluding=current_id or ret["ID"]),
        order_status=order["Status"],
        currency=order.get("Currency"),
        any_product=any_product,
        overrides=overrides,
    )
    ret["ItemsToReturn"] = items
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
            ctx, order, ret, overrides, any_product=admin, current_id=existing["ID"] if existing else None
        )
    else:
        assert existing is not None
        _settle_items(caller, ret, existing, sent_items, currency)
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


async def create(ctx: Unit, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    _forbid_anonymous(caller)
    order_id = body.get("OrderID")
    if not order_id:
        raise ValidationFailed("OrderID is required", "ValidationFailure", {"Field": "OrderID"})
    order = (await load_order(ctx, caller, Direction.ALL, check_id(order_id, "OrderID"), write=True)).doc
    require(order, Op.RETURN)
    ret = await _write(ctx, caller, order, body, None, full=False)
    if await ctx.docs.exists(KIND, ret["ID"]):
        raise Conflict(
            f"OrderReturn already exists: {ret['ID']}",
            "IdExists",
            {"ObjectType": "OrderReturn", "ObjectID": ret["ID"]},
        )
    await ctx.docs.insert(KIND, ret, object_type="OrderReturn")
    await activities.return_changed(ctx.docs, None, ret, caller)
    return shown(ret)


async def update(
    ctx: Unit, caller: Caller, order: Stored, stored: Stored, body: dict[str, Any], *, full: bool
) -> dict[str, Any]:
    old_id = stored.doc["ID"]
    ret = await _write(ctx, caller, order.doc, body, stored.doc, full=full)
    new_return_id = ret["ID"] if ret["ID"] != old_id else None
    if new_return_id is not None:
        if await ctx.docs.exists(KIND, new_return_id):
            raise Conflict(
                f"OrderReturn already exists: {new_return_id}",
                "IdExists",
                {"ObjectType": "OrderReturn", "ObjectID": new_return_id},
            )
        await _rename(ctx, order.doc["ID"], old_id, new_return_id)
    await ctx.docs.replace(KIND, old_id, ret, version=stored.version, new_id=new_return_id)
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


async def delete_item(ctx: Unit, order: Stored, stored: Stored, line_item_id: str) -> dict[str, Any]:
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
    await _price(ctx, order.doc, new, overrides, any_product=True, current_id=ret["ID"])
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
    return await _save(ctx, stored, ret)
