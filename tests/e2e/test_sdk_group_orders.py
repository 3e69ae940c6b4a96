"""A group order with the official SDK (js/group_orders.mjs): an invitation, a second user's
group token adding its line, the owner's submit, and the refusals around them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = [pytest.mark.e2e]


def test_an_invited_user_fills_the_order_and_only_the_owner_submits(sdk_env: dict[str, str]) -> None:
    result: dict[str, Any] = run_node("group_orders", sdk_env)
    invitation = result["invitation"]
    inv = invitation["ID"]
    assert invitation["OrderID"] == result["orderID"] and invitation["OrderStatus"] == "Unsubmitted"
    assert result["listed"] == [inv] and result["renamed"] == "Team lunch"
    # The group token is the friend acting as a Shopper on that one order.
    assert result["groupClaims"] == {"orderid": result["orderID"], "role": ["Shopper"], "u": result["friend"]}
    assert result["friendLine"] == {"InvitationID": inv, "Quantity": 2}
    assert result["friendSees"] == [[2, inv]]
    assert result["ownerSees"] == [[1, None], [2, inv]]
    assert (result["friendSubmit"]["status"], result["friendSubmit"]["errorCode"]) == (
        403,
        "GroupOrder.CannotModify",
    )
    assert (result["outsider"]["status"], result["outsider"]["errorCode"]) == (404, "NotFound")
    assert result["submitted"] == {"Status": "Open", "Subtotal": 18, "LineItemCount": 2}
    assert result["afterSubmit"]["status"] == 401
    assert result["afterSubmit"]["errorCode"] == "GroupOrder.CannotModifySubmittedOrder"
    assert result["shownStatus"] == "Open"
    assert result["gone"]["status"] == 404
