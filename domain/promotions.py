"""Promotions: which promotion may be used when, which lines it selects, and how much it takes off.

Pure rules over OrderCloud documents (docs/promotions.md has the user-facing version):
- Expressions (`domain.expressions`): order-level promotions read `order` and `items`; line-level
  promotions also read `item`, the line being considered, and their EligibleExpression must read
  it (OrderCloud: "item is required in EligibleExpression" for line-level promotions).
- A line-level promotion selects the lines whose EligibleExpression holds with the line as `item`;
  `ItemLimitPerOrder` keeps the first N of them and `QuantityLimitPerOrder` discounts at most N
  units (the value is then per unit), in `ItemSortBy` order (DateAdded ascending by default).
- Amounts, in the order promotions were applied: the ValueExpression's value (an amount the
  checkout integration set through PromotionOverrides instead, when there is one), never below 0,
  never more than what is left of the line's subtotal (line-level) and of the order's subtotal
  after the promotions before it, rounded with `round_money` once per amount.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from domain.clock import parse_iso
from domain.errors import DomainError, ValidationFailed
from domain.expressions import Context, Dialect, Expression, evaluate, parse, value_of
from domain.money import round_money, to_decimal

ORDER_LEVEL: Final = Dialect(("order", "items"))
LINE_LEVEL: Final = Dialect(("order", "items", "item"))
_ZERO = Decimal(0)


def dialect(promotion: Mapping[str, Any]) -> Dialect:
    return LINE_LEVEL if promotion.get("LineItemLevel") else ORDER_LEVEL


def eligible_expression(promotion: Mapping[str, Any]) -> Expression:
    return parse(str(promotion.get("EligibleExpression") or ""), dialect(promotion))


def value_expression(promotion: Mapping[str, Any]) -> Expression | None:
    source = promotion.get("ValueExpression")
    return parse(str(source), dialect(promotion)) if source else None


# --------------------------------------------------------------------------- saving a promotion


def _field_error(message: str, code: str, name: str) -> ValidationFailed:
    return ValidationFailed(message, code, {"Field": name})


def check_definition(promotion: Mapping[str, Any]) -> None:
    """Refuse a promotion that could never be applied as written (ValidationFailed)."""
    line_level = bool(promotion.get("LineItemLevel"))
    item_limit, quantity_limit = promotion.get("ItemLimitPerOrder"), promotion.get("QuantityLimitPerOrder")
    if item_limit is not None and quantity_limit is not None:
        raise _field_error(
            "ItemLimitPerOrder and QuantityLimitPerOrder cannot both be set",
            "Promotion.CannotSetQuantityAndItemLimitPerOrder",
            "QuantityLimitPerOrder",
        )
    if item_limit is not None and not line_level:
        raise _field_error(
            "ItemLimitPerOrder needs LineItemLevel",
            "Promotion.CannotSetItemLimitPerOrder",
            "ItemLimitPerOrder",
        )
    if quantity_limit is not None and not line_level:
        raise _field_error(
            "QuantityLimitPerOrder needs LineItemLevel",
            "Promotion.CannotSetQuantityLimitPerOrder",
            "QuantityLimitPerOrder",
        )
    if promotion.get("ItemSortBy") and item_limit is None and quantity_limit is None:
        raise _field_error(
            "ItemSortBy is used only with ItemLimitPerOrder or QuantityLimitPerOrder",
            "Promotion.CannotSetItemSortBy",
            "ItemSortBy",
        )
    for name in ("ItemLimitPerOrder", "QuantityLimitPerOrder", "RedemptionLimit", "RedemptionLimitPerUser"):
        if promotion.get(name) is not None and int(promotion[name]) < 1:
            raise _field_error(f"{name} must be at least 1", "ValidationFailure", name)
    if promotion.get("UseIntegration"):
        raise _field_error(
            "There is no promotion integration: UseIntegration must be false",
            "Promotion.UseIntegrationMustBeFalse",
            "UseIntegration",
        )
    if not promotion.get("ValueExpression"):
        raise _field_error(
            "ValueExpression is required", "Promotion.ValueExpressionCannotBeNull", "ValueExpression"
        )
    start, end = _date(promotion, "StartDate"), _date(promotion, "ExpirationDate")
    if start is not None and end is not None and end < start:
        raise _field_error(
            "ExpirationDate must not precede StartDate", "Promotion.ExpirationPrecedsStart", "ExpirationDate"
        )
    eligible = eligible_expression(promotion)
    value_expression(promotion)
    if line_level and "item" not in eligible.roots:
        raise ValidationFailed(
            "A line-level promotion's EligibleExpression must select lines with 'item' "
            "(e.g. item.ProductID = 'abc')",
            "ValidationFailure",
            {"Field": "EligibleExpression", "Expression": eligible.source},
        )


def _date(promotion: Mapping[str, Any], name: str) -> datetime | None:
    value = promotion.get(name)
    if value is None:
        return None
    try:
        return parse_iso(str(value))
    except ValueError:
        raise _field_error(f"{name} is not an ISO-8601 date", "ValidationFailure", name) from None


# --------------------------------------------------------------------------- using a promotion


def usability_error(promotion: Mapping[str, Any], now: datetime) -> DomainError | None:
    """Why the promotion cannot be used at `now` (inactive, not started, expired), or None."""
    data = {"PromotionID": promotion.get("ID"), "Code": promotion.get("Code")}
    if promotion.get("Active") is False:
        return ValidationFailed("The promotion is not active", "Promotion.NotActive", data)
    start, end = _date(promotion, "StartDate"), _date(promotion, "ExpirationDate")
    if start is not None and now < start:
        return ValidationFailed("The promotion has not started yet", "Promotion.NotYetValid", data)
    if end is not None and now > end:
        return ValidationFailed("The promotion has expired", "Promotion.Expired", data)
    return None


def limit_error(promotion: Mapping[str, Any], redemptions: int, user_redemptions: int) -> DomainError | None:
    """`Promotion.ExceedsUsageLimit` when one more order would pass RedemptionLimit or
    RedemptionLimitPerUser (`redemptions` / `user_redemptions`: the orders that used it so far)."""
    limit, per_user = promotion.get("RedemptionLimit"), promotion.get("RedemptionLimitPerUser")
    if (limit is not None and redemptions >= int(limit)) or (
        per_user is not None and user_redemptions >= int(per_user)
    ):
        return ValidationFailed(
            "The promotion has reached its redemption limit",
            "Promotion.ExceedsUsageLimit",
            {
                "PromotionID": promotion.get("ID"),
                "RedemptionLimit": limit,
                "RedemptionLimitPerUser": per_user,
            },
        )
    return None


def combine_error(promotion: Mapping[str, Any], applied: Sequence[Mapping[str, Any]]) -> DomainError | None:
    """Promotions share an order only when every one of them has CanCombine."""
    others = [p for p in applied if p.get("ID") != promotion.get("ID")]
    if others and not (promotion.get("CanCombine") and all(p.get("CanCombine") for p in others)):
        return ValidationFailed(
            "This promotion cannot be combined with the promotions already on the order",
            "Promotion.CannotCombine",
            {"PromotionID": promotion.get("ID"), "Applied": sorted({str(p.get("ID")) for p in others})},
        )
    return None


def not_eligible(promotion: Mapping[str, Any]) -> DomainError:
    return ValidationFailed(
        "The order does not meet the promotion's requirements",
        "Promotion.NotEligible",
        {"PromotionID": promotion.get("ID"), "EligibleExpression": promotion.get("EligibleExpression")},
    )


# --------------------------------------------------------------------------- amounts


@dataclass(frozen=True)
class Applied:
    """A promotion on an order: its definition as applied, and the amounts the checkout
    integration set (PromotionOverrides) by line ID, None for the order-level amount."""

    promotion: Mapping[str, Any]
    overrides: Mapping[str | None, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Discount:
    promotion_id: str
    line_item_id: str | None
    amount: Decimal
    overridden: bool


def _context(order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], now: datetime | None) -> Context:
    return Context({"order": order, "items": list(lines)}, now=now)


def _with_item(ctx: Context, line: Mapping[str, Any]) -> Context:
    return Context({**ctx.scope, "item": line}, ctx.approved, ctx.now)


def _sort_key(value: Any) -> tuple[int, Any, str]:
    """Numbers by value, then text case-insensitively (as OrderCloud sorts), then null."""
    if value is None:
        return (2, 0, "")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return (0, Decimal(value), "")
    return (1, str(value).lower(), str(value))


def _ordered(lines: list[Mapping[str, Any]], sort_by: str | None) -> list[Mapping[str, Any]]:
    """Lines in ItemSortBy order (`!Field` descending), DateAdded ascending by default."""
    keys = [k.strip() for k in (sort_by or "DateAdded").split(",") if k.strip()]
    out = list(lines)
    for key in reversed(keys):  # stable sorts, last key first
        descending = key.startswith("!")
        name = key.lstrip("!")
        out.sort(key=lambda line: _sort_key(_get(line, name)), reverse=descending)
    return out


def _get(doc: Mapping[str, Any], dotted: str) -> Any:
    value: Any = doc
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part, next((v for k, v in value.items() if k.lower() == part.lower()), None))
    return value


def selected_lines(
    promotion: Mapping[str, Any], order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], now: datetime
) -> list[Mapping[str, Any]]:
    """The lines a line-level promotion applies to, in the order its limits consume them."""
    expression = eligible_expression(promotion)
    ctx = _context(order, lines, now)
    matching = [line for line in lines if evaluate(expression, _with_item(ctx, line))]
    ordered = _ordered(matching, promotion.get("ItemSortBy"))
    limit = promotion.get("ItemLimitPerOrder")
    return ordered[: int(limit)] if limit is not None else ordered


def is_eligible(
    promotion: Mapping[str, Any], order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], now: datetime
) -> bool:
    if promotion.get("LineItemLevel"):
        return bool(selected_lines(promotion, order, lines, now))
    return evaluate(eligible_expression(promotion), _context(order, lines, now))


def _amount(value: Any) -> Decimal:
    """A ValueExpression's result as an amount: a number, or 0 (null, text, true/false)."""
    if isinstance(value, bool) or value is None:
        return _ZERO
    try:
        number = to_decimal(value)
    except ValidationFailed:
        return _ZERO
    return number if number > 0 else _ZERO


def discounts(
    applied: Sequence[Applied],
    order: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    *,
    currency: str | None,
    now: datetime,
) -> list[Discount]:
    """The amounts of `applied` (in application order) on an order whose Subtotal is current."""
    ctx = _context(order, lines, now)
    left = to_decimal(order.get("Subtotal") or 0)
    line_left = {str(line["ID"]): to_decimal(line.get("LineSubtotal") or 0) for line in lines}
    out: list[Discount] = []
    for entry in applied:
        promotion = entry.promotion
        promotion_id = str(promotion["ID"])
        value = value_expression(promotion)
        if not promotion.get("LineItemLevel"):
            override = entry.overrides.get(None)
            raw = override if override is not None else _amount(value_of(value, ctx) if value else None)
            amount = min(round_money(max(raw, _ZERO), currency), max(left, _ZERO))
            left -= amount
            out.append(Discount(promotion_id, None, amount, override is not None))
            continue
        units_left = promotion.get("QuantityLimitPerOrder")
        for line in selected_lines(promotion, order, lines, now):
            line_id = str(line["ID"])
            override = entry.overrides.get(line_id)
            if override is not None:
                raw = override
            else:
                raw = _amount(value_of(value, _with_item(ctx, line)) if value else None)
                if units_left is not None:
                    units = min(int(line.get("Quantity") or 0), int(units_left))
                    if units == 0:
                        continue  # the per-order quantity is used up by earlier lines
                    units_left = int(units_left) - units
                    raw *= units
            amount = min(
                round_money(max(raw, _ZERO), currency), max(line_left[line_id], _ZERO), max(left, _ZERO)
            )
            line_left[line_id] -= amount
            left -= amount
            out.append(Discount(promotion_id, line_id, amount, override is not None))
    return out


def line_discounts(found: Sequence[Discount]) -> dict[str, Decimal]:
    """Each line's PromotionDiscount: the line-level amounts on it."""
    out: dict[str, Decimal] = {}
    for d in found:
        if d.line_item_id is not None:
            out[d.line_item_id] = out.get(d.line_item_id, _ZERO) + d.amount
    return out
