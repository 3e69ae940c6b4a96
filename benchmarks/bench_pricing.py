"""Pricing engine vs a bare Decimal loop over the same 20-line, 5-supplier order.

The bare loop is the floor: the same arithmetic (break pick by scan, sale-free base price, one
spec markup, multiply, sum, round) with no dataclasses, validation or result objects. The engine
must stay at >= half its throughput.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from domain.pricing import (
    PriceSchedule,
    SpecMarkup,
    cumulative_quantities,
    order_totals,
    price_line,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CURRENCY = "USD"
TAX = Decimal("42.17")
SHIPPING = Decimal("15.00")
_CENT = Decimal("0.01")
_MARKUP_KINDS = ("AmountPerQuantity", "Percentage", "AmountTotal")


def schedule_doc(n: int) -> dict[str, Any]:
    """Product n's stored price schedule: 3-4 breaks, listed highest quantity first (the engine
    sorts them), prices as the API stores them."""
    breaks = [
        {
            "Quantity": q,
            "Price": str(Decimal(100 + 7 * n) - Decimal(5 * i) - Decimal("0.01") * n),
            "SalePrice": None,
        }
        for i, q in enumerate((1, 10, 50, 100)[: 3 + n % 2])
    ]
    return {
        "ID": f"ps{n}",
        "PriceBreaks": list(reversed(breaks)),
        "MinQuantity": 1,
        "MaxQuantity": None,
        "RestrictedQuantity": False,
        "UseCumulativeQuantity": False,
        "SaleStart": None,
        "SaleEnd": None,
        "Currency": CURRENCY,
    }


def _build_order() -> list[dict[str, Any]]:
    """20 lines, 5 suppliers x 4 products; 3-4 breaks per schedule; one spec markup per line."""
    lines: list[dict[str, Any]] = []
    for n in range(20):
        supplier = f"sup{n % 5}"
        doc = schedule_doc(n)
        schedule = PriceSchedule.from_doc(doc)
        breaks = list(reversed(doc["PriceBreaks"]))
        markup = SpecMarkup(_MARKUP_KINDS[n % 3], Decimal(n % 4 + 1))  # type: ignore[arg-type]
        lines.append(
            {
                "supplier": supplier,
                "product_id": f"prod{n}",
                "quantity": (3, 12, 55, 120, 7)[n % 5],
                "schedule": schedule,
                "markups": (markup,),
                # Plain data for the bare loop: (quantity, price) ascending, markup kind/amount.
                "raw_breaks": [(b["Quantity"], Decimal(b["Price"])) for b in breaks],
                "raw_markup": (markup.markup_type, markup.amount),
            }
        )
    return lines


ORDER = _build_order()


def engine_total(order: list[dict[str, Any]]) -> Decimal:
    cumulative = cumulative_quantities((line["product_id"], line["quantity"]) for line in order)
    subtotals = [
        price_line(
            line["schedule"],
            line["quantity"],
            cumulative_quantity=cumulative[line["product_id"]],
            markups=line["markups"],
            now=NOW,
        ).line_subtotal
        for line in order
    ]
    return order_totals(subtotals, tax_cost=TAX, shipping_cost=SHIPPING, currency=CURRENCY).total


def hand_markup(price: Decimal, kind: str, amount: Decimal) -> tuple[Decimal, Decimal]:
    """The bare loop's spec markup: (rounded unit price, amount added once to the line)."""
    extra = Decimal(0)
    if kind == "AmountPerQuantity":
        price += amount
    elif kind == "Percentage":
        price += price * amount / 100
    else:
        extra = amount
    return price.quantize(_CENT, ROUND_HALF_UP), extra


def loop_total(order: list[dict[str, Any]]) -> Decimal:
    subtotal = Decimal(0)
    for line in order:
        qty = line["quantity"]
        price = line["raw_breaks"][0][1]
        for bq, bp in line["raw_breaks"]:
            if bq <= qty:
                price = bp
        unit, extra = hand_markup(price, *line["raw_markup"])
        subtotal += (unit * qty + extra).quantize(_CENT, ROUND_HALF_UP)
    return (subtotal + TAX + SHIPPING).quantize(_CENT, ROUND_HALF_UP)


def test_engine_and_loop_agree() -> None:
    assert engine_total(ORDER) == loop_total(ORDER)
    assert engine_total(ORDER) > Decimal(0)


@pytest.mark.benchmark(group="price-20-line-order")
def test_bench_engine(benchmark: Any) -> None:
    benchmark.extra_info.update({"impl": "engine", "lines": len(ORDER), "suppliers": 5})
    result = benchmark(engine_total, ORDER)
    assert result == loop_total(ORDER)


@pytest.mark.benchmark(group="price-20-line-order")
def test_bench_bare_decimal_loop(benchmark: Any) -> None:
    benchmark.extra_info.update({"impl": "bare-loop", "lines": len(ORDER), "suppliers": 5})
    result = benchmark(loop_total, ORDER)
    assert result == engine_total(ORDER)
