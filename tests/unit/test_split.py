from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.split import MAX_ID_LENGTH, SplitPlan, outgoing_line, outgoing_order_id, split_lines

ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def line(line_id: str, supplier: str | None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "ID": line_id,
        "ProductID": f"p-{line_id}",
        "Quantity": 3,
        "QuantityShipped": 0,
        "UnitPrice": 10,
        "LineSubtotal": 30,
        "ShippingAddressID": "addr1",
        "ShippingAddress": {"ID": "addr1", "Street1": "1 Main", "xp": {"k": [1]}},
        "Specs": [{"SpecID": "color", "OptionID": "red", "Value": "Red"}],
        "xp": {"gift": True, "tags": ["a"]},
        "Product": {"ID": f"p-{line_id}", "DefaultSupplierID": supplier, "xp": None},
        "SupplierID": None,
        "IncomingOrderID": None,
        "OutgoingOrderID": None,
    }
    doc.update(extra)
    return doc


def test_groups_by_default_supplier_in_first_seen_order() -> None:
    lines = [line("1", "s2"), line("2", "s1"), line("3", None), line("4", "s2"), line("5", "s3")]
    plan = split_lines("o1", lines)
    assert isinstance(plan, SplitPlan)
    assert list(plan.groups) == ["s2", "s1", "s3"]
    assert [li["ID"] for li in plan.groups["s2"]] == ["1", "4"]
    assert [li["ID"] for li in plan.groups["s1"]] == ["2"]
    assert plan.remaining_line_ids == ["3"]
    assert plan.outgoing_order_ids == {"s2": "o1-s2", "s1": "o1-s1", "s3": "o1-s3"}


def test_lines_without_product_or_with_empty_supplier_remain() -> None:
    lines = [line("1", ""), {"ID": "2", "Product": None}, {"ID": "3"}, line("4", "s1")]
    plan = split_lines("o1", lines)
    assert plan.remaining_line_ids == ["1", "2", "3"]
    assert list(plan.groups) == ["s1"]


def test_no_suppliers_means_no_outgoing_orders() -> None:
    plan = split_lines("o1", [line("1", None), line("2", None)])
    assert plan.groups == {}
    assert plan.remaining_line_ids == ["1", "2"]


def test_empty_order() -> None:
    plan = split_lines("o1", [])
    assert plan.groups == {} and plan.remaining_line_ids == []


def test_custom_supplier_of() -> None:
    lines = [line("1", "s1", SupplierID="x"), line("2", "s1", SupplierID=None)]

    def by_line_supplier(li: Mapping[str, Any]) -> str | None:
        return li.get("SupplierID")

    plan = split_lines("o1", lines, supplier_of=by_line_supplier)
    assert list(plan.groups) == ["x"]
    assert plan.remaining_line_ids == ["2"]


def test_grouping_does_not_copy_or_mutate_lines() -> None:
    lines = [line("1", "s1")]
    plan = split_lines("o1", lines)
    assert plan.groups["s1"][0] is lines[0]


def test_outgoing_order_id_short() -> None:
    assert outgoing_order_id("PO123", "SUP_1") == "PO123-SUP_1"


def test_outgoing_order_id_exactly_100_is_kept() -> None:
    incoming = "a" * (100 - len("-s1"))
    assert outgoing_order_id(incoming, "s1") == f"{incoming}-s1"


def test_outgoing_order_id_long_is_truncated_with_hash() -> None:
    incoming = "A" * 100
    oid = outgoing_order_id(incoming, "supplier-9")
    assert len(oid) == MAX_ID_LENGTH
    assert ID_RE.match(oid)
    assert oid.endswith("-supplier-9")
    assert oid.startswith("A" * 50)
    assert outgoing_order_id(incoming, "supplier-9") == oid  # stable


def test_long_ids_sharing_a_prefix_stay_distinct() -> None:
    a = outgoing_order_id("X" * 99 + "1", "s1")
    b = outgoing_order_id("X" * 99 + "2", "s1")
    assert a != b
    assert len(a) == len(b) == MAX_ID_LENGTH


def test_very_long_supplier_id_still_fits() -> None:
    oid = outgoing_order_id("order1", "S" * 100)
    assert len(oid) == MAX_ID_LENGTH
    assert ID_RE.match(oid)
    assert oid != outgoing_order_id("order2", "S" * 100)


_id = st.text(alphabet="abcXYZ019-_", min_size=1, max_size=100)


@given(_id, _id)
def test_outgoing_ids_are_always_valid(incoming: str, supplier: str) -> None:
    oid = outgoing_order_id(incoming, supplier)
    assert ID_RE.match(oid)
    if len(incoming) + len(supplier) + 1 <= MAX_ID_LENGTH:
        assert oid == f"{incoming}-{supplier}"


@given(st.lists(st.tuples(_id, _id), min_size=2, max_size=2, unique=True))
def test_distinct_pairs_give_distinct_ids_when_hashed(pairs: list[tuple[str, str]]) -> None:
    (i1, s1), (i2, s2) = pairs
    a, b = outgoing_order_id(i1, s1), outgoing_order_id(i2, s2)
    # Unhashed IDs can legitimately coincide ("a-b"+"c" vs "a"+"b-c"); hashed ones must not.
    if len(a) == len(b) == MAX_ID_LENGTH and (a != f"{i1}-{s1}" and b != f"{i2}-{s2}"):
        assert a != b


def test_outgoing_line_copies_everything_and_resets_shipping() -> None:
    src = line("7", "s1", QuantityShipped=2, IncomingOrderID=None)
    out = outgoing_line(src, "o1-s1", incoming_order_id="o1")
    for key in ("ID", "ProductID", "Quantity", "UnitPrice", "LineSubtotal", "ShippingAddressID",
                "ShippingAddress", "Specs", "xp", "Product"):  # fmt: skip
        assert out[key] == src[key], key
    assert out["QuantityShipped"] == 0
    assert out["OutgoingOrderID"] == "o1-s1"
    assert out["IncomingOrderID"] == "o1"
    assert src["QuantityShipped"] == 2
    assert src["OutgoingOrderID"] is None


def test_outgoing_line_is_an_independent_copy() -> None:
    src = line("7", "s1")
    out = outgoing_line(src, "o1-s1")
    out["xp"]["tags"].append("b")
    out["Specs"][0]["Value"] = "Blue"
    out["ShippingAddress"]["xp"]["k"].append(2)
    assert src["xp"]["tags"] == ["a"]
    grid = {**src, "xp": {"grid": [[1], [{"a": 1}]]}}
    copied = outgoing_line(grid, "o1-s1")["xp"]["grid"]
    copied[0].append(2)
    copied[1][0]["a"] = 2
    assert grid["xp"]["grid"] == [[1], [{"a": 1}]]
    assert src["Specs"][0]["Value"] == "Red"
    assert src["ShippingAddress"]["xp"]["k"] == [1]


def test_outgoing_line_keeps_existing_incoming_order_id_by_default() -> None:
    out = outgoing_line(line("1", "s1", IncomingOrderID="orig"), "orig-s1")
    assert out["IncomingOrderID"] == "orig"


@pytest.mark.parametrize("n_suppliers", [1, 3, 10])
def test_every_line_ends_up_exactly_once(n_suppliers: int) -> None:
    lines = [line(str(i), None if i % 7 == 0 else f"s{i % n_suppliers}") for i in range(50)]
    plan = split_lines("o1", lines)
    grouped = [li["ID"] for group in plan.groups.values() for li in group]
    assert sorted(grouped + plan.remaining_line_ids, key=int) == [str(i) for i in range(50)]
