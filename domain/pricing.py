"""Pricing engine: price schedules, price breaks, spec markups and order totals.

Pure functions over frozen dataclasses built from OrderCloud PascalCase documents. Rules
(see docs "Totals" in the OrderCloud reference; choices marked [choice] are ours where the
platform's behaviour is not documented):

- Break selection: the break with the largest ``Quantity`` <= the quantity; if none qualifies,
  the smallest break [choice; the reference lists the rule as unconfirmed].
- With ``UseCumulativeQuantity`` the break (and the Min/Max/Restricted checks) use the product's
  quantity summed over the order's lines, which the caller computes with
  :func:`cumulative_quantities`.
- ``SalePrice`` applies when it is set and ``now`` is within SaleStart..SaleEnd, both ends
  inclusive, either end open; with both ends null the schedule is not on sale [choice].
- Markups: AmountPerQuantity adds to the unit price; Percentage adds pct% of the *base* break
  price (several percentages are summed, not compounded); AmountTotal adds once per line, so
  LineSubtotal = unit*qty + amount and the reported UnitPrice = LineSubtotal / qty.
- Rounding (domain.money.round_money) happens once per reported figure: the unit price before
  AmountTotal markups is rounded, LineSubtotal = that unit * qty (+ AmountTotal, rounded), and
  with AmountTotal the reported UnitPrice is LineSubtotal/qty rounded. Without AmountTotal this
  keeps OrderCloud's invariant LineSubtotal == UnitPrice * Quantity exactly.
- Totals: LineTotal = LineSubtotal - line PromotionDiscount; Order.Subtotal = sum(LineSubtotal);
  Total = Subtotal + TaxCost + ShippingCost + Gratuity + Fees - PromotionDiscount, None = 0.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, NamedTuple, cast

from domain.errors import ValidationFailed
from domain.money import quantum, round_money, to_decimal

MarkupType = Literal["NoMarkup", "AmountPerQuantity", "AmountTotal", "Percentage"]
MARKUP_TYPES: frozenset[str] = frozenset({"NoMarkup", "AmountPerQuantity", "AmountTotal", "Percentage"})

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def _to_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{name} must be an integer", data={name: value})
    if isinstance(value, int):
        return value
    d = to_decimal(value)
    if d != d.to_integral_value():
        raise ValidationFailed(f"{name} must be an integer", data={name: str(value)})
    return int(d)


def _to_int_or_none(value: Any, name: str) -> int | None:
    return None if value is None else _to_int(value, name)


def _to_datetime(value: Any, name: str) -> datetime | None:
    """ISO string or datetime -> aware datetime; naive values are taken as UTC like OrderCloud's."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(f"{name} is not an ISO-8601 date", data={name: value}) from None
    if not isinstance(value, datetime):
        raise ValidationFailed(f"{name} is not a date", data={name: repr(value)})
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class PriceBreak(NamedTuple):
    """One break of a schedule. A named tuple, not a frozen dataclass: as immutable, and built
    several times faster (every priced line parses its schedule's breaks)."""

    quantity: int
    price: Decimal
    sale_price: Decimal | None = None
    subscription_price: Decimal | None = None
    bundle_price: Decimal | None = None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> PriceBreak:
        # Positional and one lookup a field: every priced line parses its schedule's breaks.
        get = doc.get
        quantity, price = get("Quantity"), get("Price")
        if quantity is None or price is None:
            raise ValidationFailed("PriceBreak requires Quantity and Price", data=dict(doc))
        sale, subscription, bundle = get("SalePrice"), get("SubscriptionPrice"), get("BundlePrice")
        return cls(
            quantity if type(quantity) is int else _to_int(quantity, "Quantity"),
            to_decimal(price),
            None if sale is None else to_decimal(sale),
            None if subscription is None else to_decimal(subscription),
            None if bundle is None else to_decimal(bundle),
        )


@dataclass(frozen=True, slots=True)
class PriceSchedule:
    """A price schedule; `price_breaks` is stored sorted by Quantity whatever order it came in."""

    id: str | None
    price_breaks: tuple[PriceBreak, ...]
    min_quantity: int | None = 1
    max_quantity: int | None = None
    restricted_quantity: bool = False
    use_cumulative_quantity: bool = False
    sale_start: datetime | None = None
    sale_end: datetime | None = None
    currency: str | None = None
    apply_tax: bool = False
    apply_shipping: bool = False
    name: str | None = None
    # Derived once here so price_line does a bisect over ints instead of re-scanning breaks.
    break_quantities: tuple[int, ...] = field(init=False, repr=False, compare=False)
    has_sale_window: bool = field(init=False, repr=False, compare=False)
    quantum: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.price_breaks:
            raise ValidationFailed(
                "A price schedule needs at least one price break",
                "PriceSchedule.NoPriceBreaks",
                {"PriceScheduleID": self.id},
            )
        breaks = tuple(sorted(self.price_breaks, key=lambda b: b.quantity))
        quantities = tuple(b.quantity for b in breaks)
        if len(set(quantities)) != len(quantities):
            raise ValidationFailed(
                "Price breaks must have distinct quantities",
                "PriceSchedule.DuplicatePriceBreaks",
                {"PriceScheduleID": self.id, "Quantities": list(quantities)},
            )
        lo, hi = self.min_quantity, self.max_quantity
        if lo is not None and hi is not None and lo > hi:
            raise ValidationFailed(
                "MinQuantity cannot be greater than MaxQuantity",
                "PriceSchedule.MinGreaterThanMax",
                {"MinQuantity": lo, "MaxQuantity": hi},
            )
        start = _to_datetime(self.sale_start, "SaleStart")
        end = _to_datetime(self.sale_end, "SaleEnd")
        if start is not None and end is not None and start > end:
            raise ValidationFailed(
                "SaleStart must not be after SaleEnd",
                "PriceSchedule.InvalidSaleStartOrSaleEnd",
                {"SaleStart": start.isoformat(), "SaleEnd": end.isoformat()},
            )
        # Frozen dataclass: normalised values must go through object.__setattr__.
        object.__setattr__(self, "price_breaks", breaks)
        object.__setattr__(self, "break_quantities", quantities)
        object.__setattr__(self, "sale_start", start)
        object.__setattr__(self, "sale_end", end)
        object.__setattr__(self, "has_sale_window", start is not None or end is not None)
        object.__setattr__(self, "quantum", quantum(self.currency))

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> PriceSchedule:
        return cls(
            id=doc.get("ID"),
            price_breaks=tuple(PriceBreak.from_doc(b) for b in doc.get("PriceBreaks") or ()),
            min_quantity=_to_int_or_none(doc.get("MinQuantity"), "MinQuantity"),
            max_quantity=_to_int_or_none(doc.get("MaxQuantity"), "MaxQuantity"),
            restricted_quantity=bool(doc.get("RestrictedQuantity")),
            use_cumulative_quantity=bool(doc.get("UseCumulativeQuantity")),
            sale_start=_to_datetime(doc.get("SaleStart"), "SaleStart"),
            sale_end=_to_datetime(doc.get("SaleEnd"), "SaleEnd"),
            currency=doc.get("Currency"),
            apply_tax=bool(doc.get("ApplyTax")),
            apply_shipping=bool(doc.get("ApplyShipping")),
            name=doc.get("Name"),
        )

    def is_sale_active(self, now: datetime) -> bool:
        """True when `now` is inside the sale window (inclusive); no window means no sale."""
        if not self.has_sale_window:
            return False
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        start, end = self.sale_start, self.sale_end
        return (start is None or start <= now) and (end is None or now <= end)


@dataclass(frozen=True, slots=True)
class ProductAssignment:
    product_id: str
    buyer_id: str | None
    user_group_id: str | None
    price_schedule_id: str | None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> ProductAssignment:
        return cls(
            product_id=doc["ProductID"],
            buyer_id=doc.get("BuyerID"),
            user_group_id=doc.get("UserGroupID"),
            price_schedule_id=doc.get("PriceScheduleID"),
        )


@dataclass(frozen=True, slots=True)
class SpecMarkup:
    markup_type: MarkupType
    amount: Decimal
    # amount/100, precomputed so a Percentage markup costs one multiplication per line.
    fraction: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_markup_type(self.markup_type)
        object.__setattr__(self, "fraction", self.amount / _HUNDRED)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> SpecMarkup:
        """Read a LineItemSpec or SpecOption (`PriceMarkupType`, `PriceMarkup`; nulls = no markup)."""
        markup_type = doc.get("PriceMarkupType") or "NoMarkup"
        _check_markup_type(markup_type)
        amount = doc.get("PriceMarkup")
        amount = _ZERO if amount is None else to_decimal(amount)
        # The fields set as __init__ and __post_init__ set them, without their two frames: every
        # priced line reads its specs' markups, and this costs a third of the dataclass call.
        markup = object.__new__(cls)
        object.__setattr__(markup, "markup_type", markup_type)
        object.__setattr__(markup, "amount", amount)
        object.__setattr__(markup, "fraction", amount / _HUNDRED)
        return markup


def _check_markup_type(markup_type: Any) -> None:
    if markup_type not in MARKUP_TYPES:
        raise ValidationFailed(
            f"Unknown PriceMarkupType {markup_type!r}",
            data={"PriceMarkupType": markup_type},
        )


class LinePrice(NamedTuple):
    """The priced line. A NamedTuple rather than a frozen dataclass: it is built once per line
    on the hot path and frozen dataclass construction costs several times more."""

    unit_price: Decimal
    line_subtotal: Decimal
    is_on_sale: bool
    price_schedule_id: str | None
    price_overridden: bool = False


# Bypasses NamedTuple's Python-level __new__ (argument re-packing) on the per-line hot path.
_new_line_price = tuple.__new__


class OrderTotals(NamedTuple):
    subtotal: Decimal
    total: Decimal


# --------------------------------------------------------------------------- schedule selection


def select_price_schedule_id(
    product_id: str,
    default_price_schedule_id: str | None,
    assignments: Iterable[ProductAssignment],
    buyer_id: str | None,
    user_group_ids: Iterable[str],
) -> str | None:
    """The PriceScheduleID that prices `product_id` for a user of `buyer_id` in `user_group_ids`.

    Precedence: a user-group assignment with a PriceScheduleID, then a buyer-level one
    (UserGroupID null), then the product's DefaultPriceScheduleID. When several assignments of
    the same level match (a user in two priced groups), the lowest-sorting PriceScheduleID wins,
    so the answer never depends on storage or iteration order.
    """
    groups = user_group_ids if isinstance(user_group_ids, set | frozenset) else set(user_group_ids)
    group_pick: str | None = None
    buyer_pick: str | None = None
    for a in assignments:
        ps = a.price_schedule_id
        if ps is None or a.product_id != product_id or a.buyer_id != buyer_id:
            continue
        if a.user_group_id is None:
            if buyer_pick is None or ps < buyer_pick:
                buyer_pick = ps
        elif a.user_group_id in groups and (group_pick is None or ps < group_pick):
            group_pick = ps
    if group_pick is not None:
        return group_pick
    if buyer_pick is not None:
        return buyer_pick
    return default_price_schedule_id


def is_product_visible(
    product_id: str,
    assignments: Iterable[ProductAssignment],
    buyer_id: str | None,
    user_group_ids: Iterable[str],
) -> bool:
    """True when the product is assigned to the buyer as a whole or to one of the user's groups."""
    groups = user_group_ids if isinstance(user_group_ids, set | frozenset) else set(user_group_ids)
    return any(
        a.product_id == product_id
        and a.buyer_id == buyer_id
        and (a.user_group_id is None or a.user_group_id in groups)
        for a in assignments
    )


# --------------------------------------------------------------------------- breaks and quantity


def select_break(schedule: PriceSchedule, quantity: int) -> PriceBreak:
    """The break with the largest Quantity <= `quantity`; the smallest break if none qualifies."""
    i = bisect_right(schedule.break_quantities, quantity) - 1
    return schedule.price_breaks[i if i > 0 else 0]


def check_currency(schedule: PriceSchedule, order_currency: str | None) -> None:
    """A schedule priced in one currency never prices an order in another: ordercore converts
    nothing (docs/catalog-config.md, "Locales"). A schedule without a Currency prices any order."""
    currency = schedule.currency
    if not currency or not order_currency or currency == order_currency:
        return  # the usual case, without two upper() calls per priced line
    if currency.upper() != order_currency.upper():
        raise ValidationFailed(
            f"Price schedule {schedule.id} is in {schedule.currency}; the order is in {order_currency}",
            "PriceSchedule.CurrencyMismatch",
            {
                "PriceScheduleID": schedule.id,
                "PriceScheduleCurrency": schedule.currency,
                "OrderCurrency": order_currency,
            },
        )


def check_quantity(schedule: PriceSchedule, quantity: int, *, cumulative_quantity: int | None = None) -> None:
    """Refuse a line quantity the schedule does not allow.

    With UseCumulativeQuantity and a `cumulative_quantity`, Min/Max/Restricted apply to the
    product's summed quantity and the `PriceSchedule.Cumulative*` codes are used, as the platform
    lists them; the line's own quantity must still be positive.
    """
    if quantity < 1:
        raise ValidationFailed(
            "Quantity must be greater than 0",
            "LineItem.QuantityMustBePositive",
            {"Quantity": quantity},
        )
    cumulative = schedule.use_cumulative_quantity and cumulative_quantity is not None
    q = cast(int, cumulative_quantity) if cumulative else quantity
    prefix = "PriceSchedule.Cumulative" if cumulative else "PriceSchedule."
    base: dict[str, Any] = {"PriceScheduleID": schedule.id, "Quantity": q}
    if schedule.min_quantity is not None and q < schedule.min_quantity:
        raise ValidationFailed(
            f"Quantity {q} is less than the minimum {schedule.min_quantity}",
            prefix + "CannotBeLessThanMin",
            {**base, "MinQuantity": schedule.min_quantity},
        )
    if schedule.max_quantity is not None and q > schedule.max_quantity:
        raise ValidationFailed(
            f"Quantity {q} exceeds the maximum {schedule.max_quantity}",
            prefix + "CannotExceedMax",
            {**base, "MaxQuantity": schedule.max_quantity},
        )
    if schedule.restricted_quantity and q not in schedule.break_quantities:
        raise ValidationFailed(
            f"Quantity {q} is not one of the allowed quantities",
            prefix + "QuantityNotAllowed",
            {**base, "AllowedQuantities": list(schedule.break_quantities)},
        )


# --------------------------------------------------------------------------- line pricing


def price_line(
    schedule: PriceSchedule,
    quantity: int,
    *,
    cumulative_quantity: int | None = None,
    markups: Sequence[SpecMarkup] = (),
    now: datetime,
    override_unit_price: Decimal | None = None,
    in_bundle: bool = False,
) -> LinePrice:
    """Price one line. Min/Max/Restricted are the caller's job (:func:`check_quantity`); only a
    non-positive quantity is refused here because AmountTotal divides by it. A line bought in a
    bundle (`in_bundle`) takes the break's BundlePrice when it has one, before any sale price
    (OrderCloud's order: BundlePrice, SubscriptionPrice, SalePrice, Price)."""
    if quantity < 1:
        raise ValidationFailed(
            "Quantity must be greater than 0", "LineItem.QuantityMustBePositive", {"Quantity": quantity}
        )
    q = schedule.quantum
    if cumulative_quantity is not None and schedule.use_cumulative_quantity:
        i = bisect_right(schedule.break_quantities, cumulative_quantity) - 1
    else:
        i = bisect_right(schedule.break_quantities, quantity) - 1
    brk = schedule.price_breaks[i if i > 0 else 0]

    on_sale = False
    base = brk.price
    if in_bundle and brk.bundle_price is not None:
        base = brk.bundle_price
    elif brk.sale_price is not None and schedule.has_sale_window:
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        start, end = schedule.sale_start, schedule.sale_end
        if (start is None or start <= now) and (end is None or now <= end):
            on_sale = True
            base = brk.sale_price

    if override_unit_price is not None:
        unit = override_unit_price.quantize(q, ROUND_HALF_UP)
        return _new_line_price(LinePrice, (unit, unit * quantity, on_sale, schedule.id, True))

    if not markups:
        unit = base.quantize(q, ROUND_HALF_UP)
        return _new_line_price(LinePrice, (unit, unit * quantity, on_sale, schedule.id, False))

    unit_pre = base
    total_add: Decimal | None = None
    for m in markups:
        t = m.markup_type
        if t == "AmountPerQuantity":
            unit_pre += m.amount
        elif t == "Percentage":
            # Adding base*pct per markup equals base*(sum of pcts): percentages never compound.
            unit_pre += base * m.fraction
        elif t == "AmountTotal":
            total_add = m.amount if total_add is None else total_add + m.amount
    unit = unit_pre.quantize(q, ROUND_HALF_UP)
    if total_add is None:
        return _new_line_price(LinePrice, (unit, unit * quantity, on_sale, schedule.id, False))
    subtotal = (unit * quantity + total_add).quantize(q, ROUND_HALF_UP)
    unit = (subtotal / quantity).quantize(q, ROUND_HALF_UP)
    return _new_line_price(LinePrice, (unit, subtotal, on_sale, schedule.id, False))


def line_total(line_subtotal: Decimal, promotion_discount: Decimal | None) -> Decimal:
    """LineTotal = LineSubtotal - the line's PromotionDiscount (None = 0)."""
    if promotion_discount is None:
        return line_subtotal
    return line_subtotal - promotion_discount


def order_totals(
    line_subtotals: Iterable[Decimal],
    *,
    tax_cost: Decimal | None = None,
    shipping_cost: Decimal | None = None,
    gratuity: Decimal | None = None,
    fees: Decimal | None = None,
    promotion_discount: Decimal | None = None,
    currency: str | None = None,
) -> OrderTotals:
    """Subtotal = sum of LineSubtotal; Total = Subtotal + Tax + Shipping + Gratuity + Fees - Promo."""
    subtotal = round_money(sum(line_subtotals, _ZERO), currency)
    total = subtotal
    if tax_cost is not None:
        total += tax_cost
    if shipping_cost is not None:
        total += shipping_cost
    if gratuity is not None:
        total += gratuity
    if fees is not None:
        total += fees
    if promotion_discount is not None:
        total -= promotion_discount
    return OrderTotals(subtotal, round_money(total, currency))


def cumulative_quantities(lines: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum line quantities per ProductID, for schedules with UseCumulativeQuantity."""
    out: dict[str, int] = {}
    for product_id, quantity in lines:
        out[product_id] = out.get(product_id, 0) + quantity
    return out
