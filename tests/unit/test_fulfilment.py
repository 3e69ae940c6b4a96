from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidTransition, ValidationFailed
from domain.fulfilment import (
    add_shipped,
    check_can_ship,
    check_no_conflicts,
    conflicts,
    is_fully_shipped,
    remove_shipped,
    rolled_up_quantity,
    unshipped_quantities,
)


def li(line_id: str = "l1", quantity: int = 5, shipped: int = 0, **extra: Any) -> dict[str, Any]:
    return {"ID": line_id, "Quantity": quantity, "QuantityShipped": shipped, **extra}


def test_add_shipped_accumulates() -> None:
    line = li(quantity=5)
    line["QuantityShipped"] = add_shipped(line, 2)
    line["QuantityShipped"] = add_shipped(line, 3)
    assert line["QuantityShipped"] == 5


def test_add_shipped_does_not_mutate() -> None:
    line = li(quantity=5, shipped=1)
    assert add_shipped(line, 1) == 2
    assert line["QuantityShipped"] == 1


def test_add_shipped_treats_missing_shipped_as_zero() -> None:
    assert add_shipped({"ID": "l", "Quantity": 2, "QuantityShipped": None}, 2) == 2


def test_add_shipped_over_quantity() -> None:
    line = li(quantity=5, shipped=4)
    with pytest.raises(ValidationFailed) as info:
        add_shipped(line, 2)
    assert info.value.code == "ShipmentItem.QuantityExceeded"
    assert info.value.data == {"LineItemID": "l1", "Quantity": 5, "QuantityShipped": 4, "Requested": 2}
    assert info.value.status == 400


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "1", None])
def test_add_shipped_requires_positive_int(bad: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        add_shipped(li(), bad)
    assert info.value.code == "ValidationFailure"


def test_bundle_parent_cannot_be_shipped() -> None:
    with pytest.raises(ValidationFailed) as info:
        add_shipped(li(IsBundle=True), 1)
    assert info.value.code == "ShipmentItem.CannotBeBundle"


def test_remove_shipped() -> None:
    assert remove_shipped(li(shipped=3), 2) == 1
    assert remove_shipped(li(shipped=3), 3) == 0
    with pytest.raises(ValidationFailed):
        remove_shipped(li(shipped=3), 4)
    with pytest.raises(ValidationFailed):
        remove_shipped(li(shipped=3), 0)


@given(st.integers(1, 50), st.lists(st.integers(1, 20), max_size=10))
def test_shipped_never_exceeds_quantity(quantity: int, shipments: list[int]) -> None:
    line = li(quantity=quantity)
    for qty in shipments:
        before = line["QuantityShipped"]
        try:
            line["QuantityShipped"] = add_shipped(line, qty)
        except ValidationFailed as err:
            assert err.code == "ShipmentItem.QuantityExceeded"
            assert before + qty > quantity
        assert 0 <= line["QuantityShipped"] <= quantity


@pytest.mark.parametrize("status", ["Unsubmitted", "AwaitingApproval", "Declined", "Completed", "Canceled"])
def test_only_open_orders_ship(status: str) -> None:
    with pytest.raises(InvalidTransition) as info:
        check_can_ship({"ID": "o1", "Status": status}, [li()])
    assert info.value.code == "Order.CannotShipBadStatus"


def test_open_order_with_lines_ships() -> None:
    check_can_ship({"ID": "o1", "Status": "Open"}, [li()])


def test_cannot_ship_without_lines() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_can_ship({"ID": "o1", "Status": "Open"}, [])
    assert info.value.code == "Order.CannotShipWithNoLineItems"


def test_status_is_checked_before_lines() -> None:
    with pytest.raises(InvalidTransition):
        check_can_ship({"ID": "o1", "Status": "Completed"}, [])


def test_is_fully_shipped() -> None:
    assert is_fully_shipped([li("a", 2, 2), li("b", 1, 1)])
    assert not is_fully_shipped([li("a", 2, 2), li("b", 1, 0)])
    assert not is_fully_shipped([])


def test_bundle_parents_are_ignored_for_completion() -> None:
    parent = li("bundle", 1, 0, IsBundle=True)
    assert is_fully_shipped([parent, li("a", 2, 2, BundleItemID="bundle")])
    assert not is_fully_shipped([parent])


def test_conflicts() -> None:
    lines = [li("a", 2, 0), li("b", 2, 1), li("c", 1, 1), li("d", 1, 1, IsBundle=True)]
    assert conflicts(lines) == ["b", "c"]
    assert conflicts([li("a"), li("b")]) == []
    with pytest.raises(ValidationFailed) as info:
        check_no_conflicts(lines)
    assert info.value.code == "Order.ConflictsWithOtherShipments"
    assert info.value.data == {"LineItemIDs": ["b", "c"]}
    check_no_conflicts([li("a")])


def test_unshipped_quantities() -> None:
    lines = [li("a", 3, 1), li("b", 2, 2), li("c", 4, 0), li("d", 1, 0, IsBundle=True)]
    assert unshipped_quantities(lines) == {"a": 2, "c": 4}


def test_rolled_up_quantity() -> None:
    incoming = li("l1", 5)
    assert rolled_up_quantity(incoming, []) == 0
    assert rolled_up_quantity(incoming, [li("l1", 5, 3)]) == 3
    assert rolled_up_quantity(incoming, [li("l1", 5, 3), li("l1", 5, 2)]) == 5
    assert rolled_up_quantity(incoming, [li("l1", 5, 4), li("l1", 5, 4)]) == 5  # capped
