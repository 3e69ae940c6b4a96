"""Price and split a 20-line, 5-supplier order through the service vs a minimal hand loop
(issue #13: "price + split through the service >= 0.5x the minimal loop").

`bench_pricing.py` measures the pure pricing engine; this measures what the request paths run on
the order's line documents: each line priced as add-line prices it (`parsed_schedule` of the
stored schedule: parsed once, then reused while the stored document compares equal; then
`app.services.pricing.price_product_lines`, which writes UnitPrice, LineSubtotal, LineTotal,
IsOnSale and PriceScheduleID into the line), the order's totals
(`refresh_totals`), then the forward's split (`domain.split.split_lines`) and each supplier's copy
of its lines (`outgoing_line`). The hand loop does the same arithmetic and writes the same fields,
groups the lines by supplier and copies them, with no schedules, dataclasses or checks.

    pytest benchmarks/bench_service_pricing.py --benchmark-only
    python -m benchmarks.bench_service_pricing        # the ratio, median of interleaved rounds
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from app.services.pricing import parsed_schedule, price_product_lines, refresh_totals
from benchmarks.bench_pricing import hand_markup, schedule_doc
from domain.split import outgoing_line, outgoing_order_id, split_lines

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CURRENCY = "USD"
_CENT = Decimal("0.01")
_MARKUP_KINDS = ("AmountPerQuantity", "Percentage", "AmountTotal")
ORDER_ID = "order-1"


def _line(n: int) -> dict[str, Any]:
    markup = {
        "SpecID": "size",
        "OptionID": "l",
        "PriceMarkupType": _MARKUP_KINDS[n % 3],
        "PriceMarkup": Decimal(n % 4 + 1),
    }
    return {
        "ID": f"line{n}",
        "ProductID": f"prod{n}",
        "Quantity": (3, 12, 55, 120, 7)[n % 5],
        "Product": {"ID": f"prod{n}", "Name": f"Product {n}", "DefaultSupplierID": f"sup{n % 5}", "xp": {}},
        "Specs": [markup],
        "ShippingAddress": {"Street1": "1 Main St", "City": "Minneapolis", "Country": "US"},
        "UnitPrice": None,
        "LineSubtotal": None,
        "LineTotal": None,
        "PromotionDiscount": Decimal(0),
        "QuantityShipped": 0,
        "xp": {},
    }


SCHEDULES = {f"prod{n}": schedule_doc(n) for n in range(20)}
LINES = [_line(n) for n in range(20)]
ORDER = {
    "ID": ORDER_ID,
    "Subtotal": Decimal(0),
    "TaxCost": Decimal("42.17"),
    "ShippingCost": Decimal("15.00"),
}


def through_service(order: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    for line in lines:
        schedule = parsed_schedule(SCHEDULES[line["ProductID"]])
        price_product_lines(lines, line, line["ProductID"], schedule, NOW, CURRENCY)
    refresh_totals(order, lines)
    plan = split_lines(order["ID"], lines)
    copies = {}
    for supplier, group in plan.groups.items():
        outgoing_id = outgoing_order_id(order["ID"], supplier)
        copies[supplier] = [outgoing_line(line, outgoing_id) for line in group]
    return copies


def _unit_price(doc: dict[str, Any], quantity: int, kind: str, amount: Decimal) -> tuple[Decimal, Decimal]:
    # The break with the highest quantity not above the line's (breaks are stored in any order).
    best, price = -1, Decimal(0)
    for b in doc["PriceBreaks"]:
        if best < b["Quantity"] <= quantity:
            best, price = b["Quantity"], Decimal(b["Price"])
    return hand_markup(price, kind, amount)


def _copy(value: Any) -> Any:
    # The least a copy can do and still share nothing mutable with the original.
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


def hand_loop(order: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    subtotal = Decimal(0)
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        spec = line["Specs"][0]
        qty = line["Quantity"]
        unit, extra = _unit_price(
            SCHEDULES[line["ProductID"]], qty, spec["PriceMarkupType"], spec["PriceMarkup"]
        )
        line_subtotal = (unit * qty + extra).quantize(_CENT, ROUND_HALF_UP)
        line["UnitPrice"] = unit
        line["LineSubtotal"] = line_subtotal
        line["LineTotal"] = line_subtotal - line["PromotionDiscount"]
        line["IsOnSale"] = False
        line["PriceScheduleID"] = SCHEDULES[line["ProductID"]]["ID"]
        subtotal += line_subtotal
        supplier = line["Product"]["DefaultSupplierID"]
        copy = _copy(line)
        copy["OutgoingOrderID"] = f"{order['ID']}-{supplier}"
        groups.setdefault(supplier, []).append(copy)
    order["Subtotal"] = subtotal
    order["LineItemCount"] = len(lines)
    order["Total"] = subtotal + order["TaxCost"] + order["ShippingCost"]
    return groups


def _fresh() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return dict(ORDER), deepcopy(LINES)


def test_service_and_loop_agree() -> None:
    order_a, lines_a = _fresh()
    order_b, lines_b = _fresh()
    out_a = through_service(order_a, lines_a)
    out_b = hand_loop(order_b, lines_b)
    assert order_a["Total"] == order_b["Total"] > 0
    assert [line["LineSubtotal"] for line in lines_a] == [line["LineSubtotal"] for line in lines_b]
    assert {s: [line["ID"] for line in g] for s, g in out_a.items()} == {
        s: [line["ID"] for line in g] for s, g in out_b.items()
    }


@pytest.mark.benchmark(group="price-split-20-line-order")
def test_bench_service(benchmark: Any) -> None:
    benchmark.extra_info.update({"impl": "service", "lines": 20, "suppliers": 5})
    out = benchmark.pedantic(through_service, setup=lambda: (_fresh(), {}), rounds=200)
    assert len(out) == 5


@pytest.mark.benchmark(group="price-split-20-line-order")
def test_bench_hand_loop(benchmark: Any) -> None:
    benchmark.extra_info.update({"impl": "hand-loop", "lines": 20, "suppliers": 5})
    out = benchmark.pedantic(hand_loop, setup=lambda: (_fresh(), {}), rounds=200)
    assert len(out) == 5


def _per_call(fn: Callable[[dict[str, Any], list[dict[str, Any]]], Any], calls: int) -> float:
    inputs = [_fresh() for _ in range(calls)]
    start = time.perf_counter()
    for order, lines in inputs:
        fn(order, lines)
    return (time.perf_counter() - start) / calls


def main(rounds: int = 7, calls: int = 300) -> None:
    service, loop = [], []
    for _ in range(rounds):  # interleaved, so load on the shared machine hits both alike
        service.append(_per_call(through_service, calls))
        loop.append(_per_call(hand_loop, calls))
    s, h = statistics.median(service), statistics.median(loop)
    print(
        f"price + split, 20 lines, 5 suppliers: service {s * 1e6:.1f} us, "
        f"hand loop {h * 1e6:.1f} us, ratio {h / s:.2f}x"
    )


if __name__ == "__main__":
    main()
