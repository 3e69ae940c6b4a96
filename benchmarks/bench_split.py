"""Split planning vs a minimal hand-written loop over the same data, so the figure is a ratio.

Run: python -m pytest benchmarks/bench_split.py --benchmark-only -q
Goal: `split_lines` + `outgoing_line` runs at >= half the hand loop's ops/s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain import order_status
from domain.orders import new_order_doc
from domain.split import outgoing_line, outgoing_order_id, split_lines

N_LINES = 50
N_SUPPLIERS = 10
INCOMING_ID = "PO-2024-000123"


def make_lines() -> list[dict[str, Any]]:
    lines = []
    for i in range(N_LINES):
        # Every 9th line has no supplier, so remaining_line_ids is exercised too.
        supplier = None if i % 9 == 8 else f"SUP{i % N_SUPPLIERS:02d}"
        lines.append(
            {
                "ID": f"L{i:03d}",
                "ProductID": f"P{i:03d}",
                "Quantity": 1 + i % 4,
                "QuantityShipped": 0,
                "UnitPrice": Decimal("12.50"),
                "LineSubtotal": Decimal("12.50") * (1 + i % 4),
                "LineTotal": Decimal("12.50") * (1 + i % 4),
                "PromotionDiscount": Decimal("0"),
                "ShippingAddressID": "addr1",
                "ShippingAddress": {
                    "ID": "addr1",
                    "Street1": "1 Main St",
                    "City": "Springfield",
                    "Country": "US",
                    "xp": None,
                },
                "Specs": [
                    {
                        "SpecID": "size",
                        "OptionID": "L",
                        "Value": "Large",
                        "PriceMarkupType": "NoMarkup",
                        "PriceMarkup": None,
                    }
                ],
                "Product": {
                    "ID": f"P{i:03d}",
                    "Name": f"Product {i}",
                    "DefaultSupplierID": supplier,
                    "xp": {"color": "blue"},
                },
                "SupplierID": None,
                "IncomingOrderID": None,
                "OutgoingOrderID": None,
                "xp": {"note": f"line {i}", "tags": ["a", "b"]},
            }
        )
    return lines


LINES = make_lines()


def engine(lines: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    plan = split_lines(INCOMING_ID, lines)
    out = {}
    for supplier, group in plan.groups.items():
        oid = outgoing_order_id(INCOMING_ID, supplier)
        out[oid] = [outgoing_line(li, oid, incoming_order_id=INCOMING_ID) for li in group]
    return out, plan.remaining_line_ids


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def hand_loop(lines: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    # The least code that does the same job: group, name, copy, reset shipping, link orders.
    out: dict[str, list[dict[str, Any]]] = {}
    remaining: list[str] = []
    for li in lines:
        product = li.get("Product")
        supplier = product.get("DefaultSupplierID") if product else None
        if not supplier:
            remaining.append(li["ID"])
            continue
        oid = f"{INCOMING_ID}-{supplier}"
        copy = _copy(li)
        copy["QuantityShipped"] = 0
        copy["OutgoingOrderID"] = oid
        copy["IncomingOrderID"] = INCOMING_ID
        out.setdefault(oid, []).append(copy)
    return out, remaining


def test_engine_and_loop_agree() -> None:
    assert engine(LINES) == hand_loop(LINES)
    grouped, remaining = engine(LINES)
    assert len(grouped) == N_SUPPLIERS
    assert len(remaining) == sum(1 for i in range(N_LINES) if i % 9 == 8)


@pytest.mark.benchmark(group="split-50-lines-10-suppliers")
def test_bench_split_engine(benchmark: Any) -> None:
    result = benchmark(engine, LINES)
    assert result == hand_loop(LINES)


@pytest.mark.benchmark(group="split-50-lines-10-suppliers")
def test_bench_split_hand_loop(benchmark: Any) -> None:
    result = benchmark(hand_loop, LINES)
    assert result == engine(LINES)


NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
TEMPLATE = new_order_doc(order_id="o1", from_company_id="buyer1", to_company_id="mpo", now=NOW)


@pytest.mark.benchmark(group="lifecycle-submit")
def test_bench_lifecycle_submit(benchmark: Any) -> None:
    def submit_fresh() -> dict[str, Any]:
        doc = dict(TEMPLATE)
        order_status.apply(doc, "submit", now=NOW)
        return doc

    doc = benchmark(submit_fresh)
    assert doc["Status"] == "Open"


@pytest.mark.benchmark(group="lifecycle-submit")
def test_bench_fresh_dict_only(benchmark: Any) -> None:
    # Baseline for the submit figure: the cost of copying the order dict alone.
    doc = benchmark(dict, TEMPLATE)
    assert doc["Status"] == "Unsubmitted"
