from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.inventory import (
    InventoryKey,
    InventoryState,
    check_available,
    release,
    requested_by_product,
    reserve,
)


def test_from_product_inventory_doc() -> None:
    state = InventoryState.from_doc(
        {"Enabled": True, "QuantityAvailable": 5, "OrderCanExceed": False, "VariantLevelTracking": False}
    )
    assert state == InventoryState(enabled=True, quantity_available=5, order_can_exceed=False)


def test_from_variant_inventory_inherits_flags_from_product() -> None:
    product = InventoryState(enabled=True, quantity_available=100, order_can_exceed=True)
    variant = InventoryState.from_doc({"QuantityAvailable": 3, "LastUpdated": None}, defaults=product)
    assert variant == InventoryState(enabled=True, quantity_available=3, order_can_exceed=True)


def test_from_inventory_record_is_tracked() -> None:
    record = InventoryState.from_doc({"ID": "r1", "QuantityAvailable": "7", "OrderCanExceed": False})
    assert record == InventoryState(enabled=True, quantity_available=7, order_can_exceed=False)


def test_null_inventory_is_untracked_and_null_quantity_is_zero() -> None:
    assert InventoryState.from_doc(None).enabled is False
    assert InventoryState.from_doc({"Enabled": True, "QuantityAvailable": None}).quantity_available == 0


def test_from_doc_refuses_non_integer_quantity() -> None:
    with pytest.raises(ValidationFailed):
        InventoryState.from_doc({"QuantityAvailable": "lots"})


def test_check_available_insufficient() -> None:
    state = InventoryState(enabled=True, quantity_available=2, order_can_exceed=False)
    check_available(state, 2, object_id="p1")
    with pytest.raises(ValidationFailed) as exc:
        check_available(state, 3, object_id="p1")
    assert exc.value.code == "Inventory.Insufficient"
    assert exc.value.status == 400
    assert exc.value.data == {"ObjectID": "p1", "QuantityAvailable": 2, "QuantityRequested": 3}


def test_check_available_allows_when_untracked_or_can_exceed() -> None:
    check_available(InventoryState(False, 0, False), 50, object_id="p1")
    check_available(InventoryState(True, 0, True), 50, object_id="p1")


def test_reserve_and_release() -> None:
    state = InventoryState(enabled=True, quantity_available=10, order_can_exceed=False)
    assert reserve(state, 4) == 6
    assert release(state, 4) == 14
    with pytest.raises(ValidationFailed) as exc:
        reserve(state, 11, object_id="v1")
    assert exc.value.code == "Inventory.Insufficient"
    assert exc.value.data["ObjectID"] == "v1"


def test_reserve_untracked_leaves_quantity_and_can_exceed_goes_negative() -> None:
    assert reserve(InventoryState(False, 3, False), 10) == 3
    assert release(InventoryState(False, 3, False), 10) == 3
    assert reserve(InventoryState(True, 3, True), 10) == -7


def test_negative_quantities_refused() -> None:
    state = InventoryState(True, 3, False)
    with pytest.raises(ValidationFailed):
        release(state, -1)
    with pytest.raises(ValidationFailed):
        reserve(state, -1)


def test_requested_by_product_sums_per_bucket() -> None:
    totals = requested_by_product(
        [
            ("p1", None, None, 2),
            ("p1", None, None, 3),
            ("p1", "v1", None, 1),
            ("p1", None, "r1", 4),
            ("p2", None, None, 1),
        ]
    )
    assert totals == {
        InventoryKey("p1", None, None): 5,
        InventoryKey("p1", "v1", None): 1,
        InventoryKey("p1", None, "r1"): 4,
        InventoryKey("p2", None, None): 1,
    }


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_reserve_then_release_round_trips(available: int, qty: int) -> None:
    state = InventoryState(True, available, False)
    if qty > available:
        with pytest.raises(ValidationFailed):
            reserve(state, qty)
    else:
        after = reserve(state, qty)
        assert after == available - qty >= 0
        assert release(InventoryState(True, after, False), qty) == available
