"""The promotions on an order and their amounts, kept right whenever the order or its lines change.

Storage: one `orderpromotion` document per promotion and line (scope = the order ID): the
promotion's fields as they were when applied (or last refreshed), `Amount`, `LineItemID` (null for
order-level promotions), `AmountOverridden`, `DateApplied`; private `_Seq` (the order promotions
were applied in) and `_Override` (the amount the checkout integration set). The row key is the
promotion ID, or `<promotionID>:<lineItemID>` for a line-level promotion's row of one line, so
several rows share one wire `ID`.

`settle` is the one place totals are recomputed with promotions: line changes, order changes and
the checkout integration's answers call it. It re-selects the lines of line-level promotions (a
promotion left with no line is gone from the order), recomputes every amount
(`domain.promotions.discounts`) and writes the lines' PromotionDiscount and LineTotal and the
order's PromotionDiscount, Subtotal and Total. Eligibility is checked when a promotion is added,
on refresh and at submit, not on every change (OrderCloud: "evaluated at the time the promotion is
applied, and then again on order submit").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.assignments import assignment_id
from app.services.pricing import refresh_totals
from app.store.repo import Docs
from app.wire import public
from domain.clock import utcnow
from domain.money import round_money, to_decimal
from domain.order_status import Op, allows
from domain.pricing import line_total
from domain.promotions import Applied, discounts, line_discounts

KIND = "orderpromotion"
# What the checkout fingerprint reads to notice added, removed or re-valued promotions.
PRINT_KEY = "_Promotions"
ZERO = Decimal(0)
ROW_PRIVATE = ("_Seq", "_Override")


def row_key(promotion_id: str, line_item_id: str | None) -> str:
    return assignment_id(promotion_id, line_item_id) if line_item_id else promotion_id


def key_of(row: dict[str, Any]) -> str:
    return row_key(str(row["ID"]), row.get("LineItemID"))


async def order_rows(docs: Docs, order_id: str) -> list[dict[str, Any]]:
    return await docs.all(KIND, scope=order_id)


def grouped(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows per promotion, in the order the promotions were applied."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["ID"]), []).append(row)
    return sorted(groups.values(), key=lambda g: (int(g[0].get("_Seq") or 0), str(g[0]["ID"])))


def applied_promotions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per promotion (its definition as applied), in application order."""
    return [group[0] for group in grouped(rows)]


def next_seq(rows: list[dict[str, Any]]) -> int:
    return max((int(r.get("_Seq") or 0) for r in rows), default=0) + 1


def wire(row: dict[str, Any]) -> dict[str, Any]:
    return public(row)


def _overrides(group: list[dict[str, Any]]) -> dict[str | None, Decimal]:
    return {r.get("LineItemID"): to_decimal(r["_Override"]) for r in group if r.get("_Override") is not None}


def _has_discount(order: dict[str, Any], lines: list[dict[str, Any]]) -> bool:
    return bool(to_decimal(order.get("PromotionDiscount") or 0)) or any(
        to_decimal(line.get("PromotionDiscount") or 0) for line in lines
    )


async def settle(
    docs: Docs, order: dict[str, Any], lines: list[dict[str, Any]], *, now: datetime | None = None
) -> None:
    """Totals of `order` with its promotions' amounts as the order and `lines` now are. Writes the
    changed promotion rows and lines; the caller writes the order."""
    refresh_totals(order, lines)
    if not allows(order, Op.REPRICE):
        return  # a submitted order keeps the amounts it was submitted with
    rows = await order_rows(docs, order["ID"])
    if not rows and not _has_discount(order, lines):
        order.pop(PRINT_KEY, None)
        return
    currency = order.get("Currency")
    groups = grouped(rows)
    found = discounts(
        [Applied(group[0], _overrides(group)) for group in groups],
        public(order),
        [public(line) for line in lines],
        currency=currency,
        now=now or utcnow(),
    )
    by_key = {key_of(r): r for r in rows}
    first = {str(group[0]["ID"]): group[0] for group in groups}
    kept: set[str] = set()
    scope = order["ID"]
    for d in found:
        key = row_key(d.promotion_id, d.line_item_id)
        kept.add(key)
        row = by_key.get(key)
        if row is None:
            template = {k: v for k, v in first[d.promotion_id].items() if k != "_Override"}
            new = {
                **template,
                "LineItemID": d.line_item_id,
                "Amount": d.amount,
                "AmountOverridden": d.overridden,
            }
            await docs.insert(KIND, new, scope, key=key)
        elif (
            to_decimal(row.get("Amount") or 0) != d.amount
            or bool(row.get("AmountOverridden")) != d.overridden
        ):
            await docs.replace(
                KIND, key, {**row, "Amount": d.amount, "AmountOverridden": d.overridden}, scope
            )
    for key in by_key.keys() - kept:
        await docs.delete(KIND, key, scope)

    per_line = line_discounts(found)
    for line in lines:
        discount = round_money(per_line.get(str(line["ID"]), ZERO), currency)
        if to_decimal(line.get("PromotionDiscount") or 0) != discount:
            line["PromotionDiscount"] = discount
            line["LineTotal"] = line_total(to_decimal(line["LineSubtotal"]), discount)
            await docs.replace("lineitem", line["ID"], line, scope)
    total = round_money(sum((d.amount for d in found), ZERO), currency)
    if to_decimal(order.get("PromotionDiscount") or 0) != total:
        order["PromotionDiscount"] = total
    if found:
        order[PRINT_KEY] = sorted(
            [row_key(d.promotion_id, d.line_item_id), format(d.amount, "f")] for d in found
        )
    else:
        order.pop(PRINT_KEY, None)
    refresh_totals(order, lines)


async def set_overrides(docs: Docs, order_id: str, overrides: list[tuple[str, str, Decimal]]) -> None:
    """PromotionOverrides from the checkout integration's calculate answer, as (line ID,
    promotion ID, amount). A line-level promotion's amount is set on its row for that line; an
    order-level promotion's amount is the sum of what the answer gives it across lines. Unknown
    promotions are ignored. The amounts stick until the next answer or the promotion is removed;
    `settle` applies them (still capped by the subtotals)."""
    rows = {key_of(r): r for r in await order_rows(docs, order_id)}
    order_level: dict[str, Decimal] = {}
    for line_id, promotion_id, amount in overrides:
        key = row_key(promotion_id, line_id)
        if key in rows:
            rows[key] = {**rows[key], "_Override": amount}
        elif promotion_id in rows and rows[promotion_id].get("LineItemID") is None:
            order_level[promotion_id] = order_level.get(promotion_id, ZERO) + amount
    for promotion_id, amount in order_level.items():
        rows[promotion_id] = {**rows[promotion_id], "_Override": amount}
    touched = {row_key(p, line) for line, p, _ in overrides} | set(order_level)
    for key in touched & rows.keys():
        await docs.replace(KIND, key, rows[key], order_id)
