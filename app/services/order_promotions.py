"""Promotions on an order: add by code, remove, auto-apply, refresh, list the eligible ones, and
the checks and redemption counts of submit. Amounts and storage: `promotion_amounts`.

Checks when a promotion is added (in this order): the order is Unsubmitted
(`Order.CannotApplyPromoBadStatus`); the code names a promotion the order's user may use (404
otherwise); Active (`Promotion.NotActive`); StartDate/ExpirationDate (`Promotion.NotYetValid`,
`Promotion.Expired`); owned by the company receiving the order
(`Promotion.OwnerIDMustMatchOrderToCompanyID`); not on the order yet (`Promotion.AlreadyAdded`);
redemption limits (`Promotion.ExceedsUsageLimit`); CanCombine (`Promotion.CannotCombine`); the
EligibleExpression (`Promotion.NotEligible`). Refresh and submit run the same checks again against
the promotion as it is now.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.list_options import ListOptions, schema_of
from app.models.promotions import OrderPromotion, Promotion
from app.services import promotions
from app.services.lineitems import order_lines
from app.services.promotion_amounts import (
    KIND,
    applied_promotions,
    key_of,
    next_seq,
    order_rows,
    row_key,
    settle,
    wire,
)
from app.store.repo import Docs, Stored
from app.store.tables import resources
from app.unit import Unit
from app.wire import public
from domain import promotions as rules
from domain.clock import iso, utcnow
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.order_status import Op, allows, require

APPLY_LIMIT = 100  # OrderCloud applies at most 100 promotions in one call
PROMOTION_SCHEMA = schema_of(Promotion)
ORDER_PROMOTION_SCHEMA = schema_of(OrderPromotion)
SEARCHABLE = ("ID", "Name", "Code", "Description", "FinePrint", "EligibleExpression", "ValueExpression")
SORTABLE = (
    "Name",
    "ID",
    "Code",
    "StartDate",
    "ExpirationDate",
    "EligibleExpression",
    "ValueExpression",
    "CanCombine",
    "AutoApply",
    "Active",
    "Priority",
)


def require_unsubmitted(order: dict[str, Any]) -> None:
    require(order, Op.EDIT_PROMOS)


def _definition(promotion: dict[str, Any]) -> dict[str, Any]:
    return public(promotion)


async def _save_order(docs: Docs, stored: Stored, order: dict[str, Any], now: datetime) -> None:
    order["LastUpdated"] = iso(now)
    await docs.replace("order", stored.doc["ID"], order, version=stored.version)
    stored.doc = order


async def refusal(
    ctx: Unit,
    promotion: dict[str, Any],
    order: dict[str, Any],
    lines: list[dict[str, Any]],
    others: list[dict[str, Any]],
    now: datetime,
    *,
    count_limits: bool = True,
) -> DomainError | None:
    """Why `promotion` cannot be on `order` next to `others` (the promotions kept before it)."""
    docs = ctx.docs
    error = rules.usability_error(promotion, now) or promotions.owner_error(
        promotion, order, ctx.services.marketplace_id
    )
    if error is None and count_limits:
        error = await promotions.limit_error(docs, promotion, order)
    if error is None:
        error = rules.combine_error(promotion, others)
    if error is None and not rules.is_eligible(promotion, public(order), [public(x) for x in lines], now):
        error = rules.not_eligible(promotion)
    return error


async def _assigned(docs: Docs, order: dict[str, Any], promotion_id: str) -> bool:
    """The order's user may use the promotion, active or not (`refusal` reports an inactive one)."""
    conds = await promotions.available_to_order(docs, order, active=False)
    return await docs.count(promotions.KIND, resources.c.id == promotion_id, *conds) > 0


async def _attach(
    docs: Docs, order: dict[str, Any], lines: list[dict[str, Any]], promotion: dict[str, Any], now: datetime
) -> None:
    """A first row for `promotion`; `settle` then adds the rest and the amounts."""
    rows = await order_rows(docs, order["ID"])
    line_id = None
    if promotion.get("LineItemLevel"):
        selected = rules.selected_lines(promotion, public(order), [public(x) for x in lines], now)
        line_id = str(selected[0]["ID"]) if selected else None
    row = {
        **_definition(promotion),
        "Amount": 0,
        "LineItemID": line_id,
        "AmountOverridden": False,
        "DateApplied": iso(now),
        "_Seq": next_seq(rows),
    }
    await docs.insert(KIND, row, order["ID"], key=row_key(str(promotion["ID"]), line_id))


def _rows_of(rows: list[dict[str, Any]], promotion_id: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["ID"] == promotion_id]


# --------------------------------------------------------------------------- use cases


async def add(ctx: Unit, stored: Stored, code: str) -> dict[str, Any]:
    """AddPromotion: the new OrderPromotion (a line-level promotion's first line)."""
    docs = ctx.docs
    order = dict(stored.doc)
    require_unsubmitted(order)
    promotion = await promotions.by_code(docs, code)
    if promotion is None or not await _assigned(docs, order, promotion["ID"]):
        raise NotFound("Promotion", code)
    now = utcnow()
    lines = await order_lines(docs, order["ID"])
    rows = await order_rows(docs, order["ID"])
    applied = applied_promotions(rows)
    if any(p["ID"] == promotion["ID"] for p in applied):
        raise ValidationFailed(
            f"Promotion {code} is already on the order",
            "Promotion.AlreadyAdded",
            {"PromotionID": promotion["ID"], "Code": promotion.get("Code")},
        )
    error = await refusal(ctx, promotion, order, lines, applied, now)
    if error is not None:
        raise error
    await _attach(docs, order, lines, promotion, now)
    await settle(docs, order, lines, now=now)
    await _save_order(docs, stored, order, now)
    mine = _rows_of(await order_rows(docs, order["ID"]), promotion["ID"])
    return wire(mine[0]) if mine else wire({**_definition(promotion), "Amount": 0, "LineItemID": None})


async def remove(ctx: Unit, stored: Stored, code: str) -> dict[str, Any]:
    """RemovePromotion: the order without the promotion (matched by code, ignoring case)."""
    docs = ctx.docs
    order = dict(stored.doc)
    require_unsubmitted(order)
    rows = [
        r for r in await order_rows(docs, order["ID"]) if str(r.get("Code") or "").lower() == code.lower()
    ]
    if not rows:
        raise NotFound("Promotion", code)
    for row in rows:
        await docs.delete(KIND, key_of(row), order["ID"])
    now = utcnow()
    await settle(docs, order, await order_lines(docs, order["ID"]), now=now)
    await _save_order(docs, stored, order, now)
    return public(order)


async def _auto_apply(
    ctx: Unit, order: dict[str, Any], lines: list[dict[str, Any]], now: datetime
) -> list[str]:
    """Apply the eligible AutoApply promotions by Priority (null last); the IDs added."""
    docs = ctx.docs
    conds = await promotions.available_to_order(docs, order)
    candidates = await docs.all(promotions.KIND, *docs.eq(AutoApply=True), *conds)
    candidates.sort(key=lambda p: (p.get("Priority") is None, p.get("Priority") or 0, str(p["ID"])))
    added: list[str] = []
    for promotion in candidates:
        if len(added) >= APPLY_LIMIT:
            break
        applied = applied_promotions(await order_rows(docs, order["ID"]))
        if any(p["ID"] == promotion["ID"] for p in applied):
            continue
        if await refusal(ctx, promotion, order, lines, applied, now) is not None:
            continue
        await _attach(docs, order, lines, promotion, now)
        await settle(docs, order, lines, now=now)
        added.append(str(promotion["ID"]))
    return added


async def apply_auto(ctx: Unit, stored: Stored) -> dict[str, Any]:
    """ApplyPromotions: the order with its eligible AutoApply promotions."""
    order = dict(stored.doc)
    require_unsubmitted(order)
    now = utcnow()
    lines = await order_lines(ctx.docs, order["ID"])
    await _auto_apply(ctx, order, lines, now)
    await settle(ctx.docs, order, lines, now=now)
    await _save_order(ctx.docs, stored, order, now)
    return public(order)


def _promo_entry(row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out = {k: v for k, v in wire(row).items() if k not in ("AmountOverridden", "DateApplied")}
    return {**out, **extra}


async def refresh(ctx: Unit, stored: Stored) -> dict[str, Any]:
    """RefreshPromotions: promotions that can no longer be used are removed (with the reason),
    the others take the promotion's current definition, then AutoApply promotions are applied."""
    docs = ctx.docs
    order = dict(stored.doc)
    require_unsubmitted(order)
    now = utcnow()
    lines = await order_lines(docs, order["ID"])
    rows = await order_rows(docs, order["ID"])
    removed: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for applied in applied_promotions(rows):
        mine = _rows_of(rows, applied["ID"])
        found = await docs.get(promotions.KIND, applied["ID"])
        current = found.doc if found is not None else None
        error: DomainError | None
        if current is None or not await _assigned(docs, order, applied["ID"]):
            error = NotFound("Promotion", str(applied["ID"]))
        else:  # an inactive promotion is refused by `refusal` with Promotion.NotActive
            error = await refusal(ctx, current, order, lines, kept, now)
        if error is not None:
            for row in mine:
                removed.append(_promo_entry(row, ErrorCode=error.code, Reason=error.message))
                await docs.delete(KIND, key_of(row), order["ID"])
            continue
        assert current is not None
        kept.append(current)
        for row in mine:
            private = {k: v for k, v in row.items() if k.startswith("_")}
            state = {k: row.get(k) for k in ("Amount", "LineItemID", "AmountOverridden", "DateApplied")}
            await docs.replace(KIND, key_of(row), {**_definition(current), **state, **private}, order["ID"])
    await settle(docs, order, lines, now=now)
    added_ids = await _auto_apply(ctx, order, lines, now)
    await settle(docs, order, lines, now=now)
    await _save_order(docs, stored, order, now)
    after = await order_rows(docs, order["ID"])
    added = [_promo_entry(r) for r in after if r["ID"] in added_ids]
    return {"PromosAdded": added, "PromosRemoved": removed}


async def page(ctx: Unit, order: dict[str, Any], opts: ListOptions) -> dict[str, Any]:
    """ListPromotions: the order's OrderPromotions (one per line for line-level promotions)."""
    result = await ctx.docs.page(
        KIND,
        opts,
        ORDER_PROMOTION_SCHEMA,
        scope=order["ID"],
        searchable=SEARCHABLE,
        sortable=(*SORTABLE, "DateApplied", "Amount", "LineItemID"),
        default_sort=(),
    )
    result.items[:] = [wire(r) for r in result.items]
    return result.wire()


async def eligible_page(ctx: Unit, order: dict[str, Any], opts: ListOptions) -> dict[str, Any]:
    """ListEligiblePromotions: the promotions the order's user may use that the order meets now,
    each with the Amount it would take off on its own."""
    docs = ctx.docs
    now = utcnow()
    lines = [public(x) for x in await order_lines(docs, order["ID"])]
    view = public(order)
    conds = await promotions.available_to_order(docs, order)
    amounts: dict[str, Any] = {}
    for promotion in await docs.all(promotions.KIND, *conds):
        if (
            rules.usability_error(promotion, now) is not None
            or promotions.owner_error(promotion, order, ctx.services.marketplace_id) is not None
            or await promotions.limit_error(docs, promotion, order) is not None
            or not rules.is_eligible(promotion, view, lines, now)
        ):
            continue
        found = rules.discounts(
            [rules.Applied(promotion)], view, lines, currency=order.get("Currency"), now=now
        )
        amounts[str(promotion["ID"])] = sum((d.amount for d in found), Decimal(0))
    result = await docs.page(
        promotions.KIND,
        opts,
        PROMOTION_SCHEMA,
        conds=[resources.c.id.in_(sorted(amounts))],
        scope="",
        searchable=SEARCHABLE,
        sortable=SORTABLE,
    )
    result.items[:] = [{**public(p), "Amount": amounts[str(p["ID"])]} for p in result.items]
    return result.wire()


# --------------------------------------------------------------------------- submit


async def check_at_submit(
    ctx: Unit,
    order: dict[str, Any],
    lines: list[dict[str, Any]],
    *,
    rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every promotion on the order must still be usable and eligible (the first that is not
    refuses the submit; RefreshPromotions removes such promotions). Returns the order's promotion
    rows, for `redeem` (`rows`: those rows when the caller read them already)."""
    docs = ctx.docs
    now = utcnow()
    if rows is None:
        rows = await order_rows(docs, order["ID"])
    if not rows:
        return rows  # most orders carry no promotion
    kept: list[dict[str, Any]] = []
    for applied in applied_promotions(rows):
        found = await docs.get(promotions.KIND, applied["ID"])
        if found is None or not await _assigned(docs, order, applied["ID"]):
            raise NotFound("Promotion", str(applied["ID"]))
        error = await refusal(
            ctx, found.doc, order, lines, kept, now, count_limits=not order.get("_PromosRedeemed")
        )
        if error is not None:
            raise error
        kept.append(found.doc)
    return rows


async def redeem(docs: Docs, order: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Count the order once for each of its promotions (a resubmit after a decline does not
    count again). `rows`: the order's promotion rows, as `check_at_submit` returned them."""
    if not rows or order.get("_PromosRedeemed"):
        return
    applied = applied_promotions(rows)
    for promotion in applied:
        await promotions.redeem(docs, str(promotion["ID"]), order)
    if applied:
        order["_PromosRedeemed"] = True


async def drop_from_unsubmitted(docs: Docs, promotion_id: str) -> None:
    """A promotion deactivated or deleted leaves the Unsubmitted orders that carry it."""
    rows = await docs.all_stored(KIND, *docs.eq(ID=promotion_id))
    for order_id in sorted({r.scope for r in rows}):
        found = await docs.get("order", order_id, lock=True)
        if found is None or not allows(found.doc, Op.EDIT_PROMOS):
            continue
        for row in await order_rows(docs, order_id):
            if row["ID"] == promotion_id:
                await docs.delete(KIND, key_of(row), order_id)
        order = dict(found.doc)
        now = utcnow()
        await settle(docs, order, await order_lines(docs, order_id), now=now)
        await _save_order(docs, found, order, now)
