"""The orders issue end to end with the official OrderCloud JavaScript SDK (`js/orders.mjs`): a
seller's catalog, two buyers' users, user A's cart through checkout, the seller completing the
order, and the refusals a storefront meets, each as the SDK reports it (`errorCode`).

The prices and quantities are defined here and handed to the script, so the totals below are a
hand calculation from the inputs, never read back from the server."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = [pytest.mark.e2e]

CENT = Decimal("0.01")
BREAKS = [(1, Decimal("12.50")), (10, Decimal("11.25"))]
GIZMO_PRICE, GIZMO_SALE_PRICE = Decimal("8.99"), Decimal("7.49")
SCENARIO: dict[str, Any] = {
    "widget": {
        "breaks": [[quantity, str(price)] for quantity, price in BREAKS],
        "firstQuantity": 4,
        "patchedQuantity": 8,
        "quantity": 10,
        "stock": 12,
    },
    "gizmo": {"price": str(GIZMO_PRICE), "salePrice": str(GIZMO_SALE_PRICE), "quantity": 3},
    "gratuity": "2.50",
    "dateNeeded": "2099-01-02",
}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
LINE_PRODUCT_FIELDS = {
    "ID",
    "Name",
    "Description",
    "Returnable",
    "QuantityMultiplier",
    "ShipWeight",
    "ShipHeight",
    "ShipWidth",
    "ShipLength",
    "DefaultSupplierID",
    "ParentID",
    "xp",
}


def money(value: Any) -> Decimal:
    """A JSON number as the SDK returned it, exactly (floats print their shortest form)."""
    return Decimal(str(value))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def widget_unit_price(quantity: int) -> Decimal:
    """The break with the largest Quantity not above the line's quantity."""
    return max((b for b in BREAKS if b[0] <= quantity), key=lambda b: b[0])[1]


def line_subtotal(unit: Decimal, quantity: int) -> Decimal:
    return cents(unit * quantity)


WIDGET_QTY = SCENARIO["widget"]["quantity"]
GIZMO_QTY = SCENARIO["gizmo"]["quantity"]
WIDGET_SUBTOTAL = line_subtotal(widget_unit_price(WIDGET_QTY), WIDGET_QTY)
GIZMO_SUBTOTAL = line_subtotal(GIZMO_SALE_PRICE, GIZMO_QTY)
SUBTOTAL = WIDGET_SUBTOTAL + GIZMO_SUBTOTAL
TOTAL = SUBTOTAL + Decimal(SCENARIO["gratuity"])  # no tax, shipping, fees or promotions


@pytest.fixture(scope="module")
def summary(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("orders", {**sdk_env, "SCENARIO": json.dumps(SCENARIO)})


def test_cart_lines_are_priced_by_breaks_and_sale(summary: dict[str, Any]) -> None:
    first = summary["widgetLineBefore"]
    assert money(first["UnitPrice"]) == widget_unit_price(4)
    assert money(first["LineSubtotal"]) == line_subtotal(widget_unit_price(4), 4)
    patched = summary["widgetLinePatched"]
    assert patched["Quantity"] == 8 and money(patched["LineTotal"]) == line_subtotal(Decimal("12.50"), 8)
    widget = summary["widgetLine"]
    assert widget["ID"] == first["ID"] and widget["Quantity"] == WIDGET_QTY
    assert money(widget["UnitPrice"]) == widget_unit_price(WIDGET_QTY) != money(patched["UnitPrice"])
    assert money(widget["LineSubtotal"]) == money(widget["LineTotal"]) == WIDGET_SUBTOTAL
    assert widget["PriceOverridden"] is False and widget["IsOnSale"] is False
    assert widget["PriceScheduleID"] == summary["ids"]["tiered"]

    gizmo = summary["gizmoLine"]
    assert gizmo["IsOnSale"] is True and money(gizmo["UnitPrice"]) == GIZMO_SALE_PRICE != GIZMO_PRICE
    assert money(gizmo["LineSubtotal"]) == GIZMO_SUBTOTAL
    assert gizmo["CostCenter"] == "CC-1" and gizmo["xp"] == {"Gift": True}
    assert gizmo["DateNeeded"] == "2099-01-02T00:00:00.000+00:00"
    assert summary["gizmoLineFetched"] == gizmo

    page = summary["cartLines"]
    assert page["Meta"]["TotalCount"] == 2
    assert [li["ProductID"] for li in page["Items"]] == sorted(
        [summary["ids"]["gizmo"], summary["ids"]["widget"]]
    )


def test_line_snapshots_and_wire_format(summary: dict[str, Any]) -> None:
    widget = summary["widgetLine"]
    product = widget["Product"]
    assert set(product) == LINE_PRODUCT_FIELDS
    assert product["ID"] == summary["ids"]["widget"] and product["Name"] == "Widget"
    assert product["Description"] == "A tiered widget" and product["Returnable"] is True
    assert money(product["ShipWeight"]) == Decimal("1.5") and product["xp"] == {"Color": "red"}
    # Null fields are sent explicitly, xp included.
    assert product["ShipHeight"] is None and "xp" in summary["gizmoLine"]["Product"]
    assert summary["gizmoLine"]["Product"]["xp"] is None and widget["xp"] is None
    assert widget["Variant"] is None and widget["Specs"] == []
    order = summary["submitted"]
    assert order["xp"] is None and order["Comments"] is None and order["DateCompleted"] is None
    for stamp in (order["DateCreated"], order["DateSubmitted"], order["LastUpdated"], widget["DateAdded"]):
        assert ISO.match(stamp), stamp
    assert summary["payment"]["Amount"] is None and summary["payment"]["Transactions"] == []


def test_checkout_addresses_payment_and_totals(summary: dict[str, Any]) -> None:
    shipped = summary["shipped"]
    assert shipped["ShippingAddressID"] is None  # a one-time address lives on the lines
    lines = {li["ProductID"]: li for li in summary["outgoingLines"]}
    assert {li["ShippingAddress"]["FirstName"] for li in lines.values()} == {"Ship"}
    billed = summary["billed"]
    assert billed["BillingAddressID"] is None and billed["BillingAddress"]["Street1"] == "2 Bill Ave"
    payment = summary["payment"]
    assert payment["Type"] == "PurchaseOrder" and payment["Accepted"] is True and payment["Currency"] == "USD"

    cart = summary["cart"]
    assert cart["Status"] == "Unsubmitted" and cart["LineItemCount"] == 2
    assert money(cart["Subtotal"]) == SUBTOTAL and money(cart["Gratuity"]) == Decimal("2.50")
    assert money(cart["Total"]) == TOTAL
    assert summary["validated"] in ("", None)  # Cart.Validate resolves with no body

    order = summary["submitted"]
    assert order["ID"] == cart["ID"] and order["Status"] == "Open" and order["IsSubmitted"] is True
    assert order["DateSubmitted"] and order["FromUserID"] == summary["ids"]["userA"]
    assert order["FromCompanyID"] == summary["ids"]["buyerA"]
    assert money(order["Subtotal"]) == SUBTOTAL and money(order["Total"]) == TOTAL
    assert summary["outgoingGet"]["Total"] == order["Total"]
    assert money(lines[summary["ids"]["widget"]]["LineSubtotal"]) == WIDGET_SUBTOTAL


def test_buyer_user_sees_its_order_and_a_new_empty_cart(summary: dict[str, Any]) -> None:
    order_id = summary["ids"]["orderID"]
    assert summary["mine"] == [order_id] and summary["mineInRange"] == [order_id]
    assert summary["mineBeforeRange"] == []
    for empty in (summary["noCart"], summary["afterSubmitCart"], summary["afterDelete"]):
        assert empty["ID"] is None and empty["LineItemCount"] == 0
    assert summary["noCartLines"]["Items"] == [] and summary["noCartLines"]["Meta"]["TotalCount"] == 0


def test_other_buyer_cannot_see_the_order(summary: dict[str, Any]) -> None:
    for refused in (summary["otherGet"], summary["otherLines"]):
        assert refused["status"] == 404 and refused["errorCode"] == "NotFound"
        assert refused["data"] == {"ObjectType": "Order", "ObjectID": summary["ids"]["orderID"]}
    assert summary["otherMine"] == [] and summary["otherCart"] is None


def test_seller_lists_and_completes_the_order(summary: dict[str, Any]) -> None:
    order_id = summary["ids"]["orderID"]
    incoming = summary["incomingOpen"]
    assert [o["ID"] for o in incoming] == [order_id]
    assert incoming[0]["Status"] == "Open" and money(incoming[0]["Total"]) == TOTAL
    across = summary["acrossOrders"]
    assert [li["ProductID"] for li in across] == sorted([summary["ids"]["gizmo"], summary["ids"]["widget"]])
    assert all(li["OrderID"] == order_id and li["Order"] is None for li in across)
    assert sum(money(li["LineSubtotal"]) for li in across) == SUBTOTAL
    completed = summary["completed"]
    assert completed["Status"] == "Completed" and completed["DateCompleted"]
    assert money(completed["Total"]) == TOTAL
    assert summary["completeAgain"]["errorCode"] == "Order.CannotCompleteBadStatus"
    assert summary["incomingCompleted"] == [order_id]
    # Submit took the widgets from stock; the refused submit took nothing.
    assert summary["stock"] == SCENARIO["widget"]["stock"] - WIDGET_QTY


def test_refusals_carry_the_documented_error_codes(summary: dict[str, Any]) -> None:
    expected = {
        "resubmit": (400, "Order.CannotSubmitBadStatus"),
        "buyerCancel": (400, "Order.CannotCancelInCurrentStatus"),
        "zeroQuantity": (400, "LineItem.QuantityMustBePositive"),
        "pastDateNeeded": (400, "LineItem.DateNeededMustBeGreaterThanDateAdded"),
        "insufficient": (400, "Inventory.Insufficient"),
        "insufficientValidate": (400, "Inventory.Insufficient"),
        "draftValidate": (400, "Order.CannotSubmitWithNoLineItems"),
        "leftoverGone": (404, "NotFound"),
        "draftGone": (404, "NotFound"),
    }
    got = {name: (summary[name]["status"], summary[name]["errorCode"]) for name in expected}
    assert got == expected
    left = SCENARIO["widget"]["stock"] - WIDGET_QTY
    assert summary["insufficient"]["data"]["QuantityAvailable"] == left


def test_orders_create_patch_save_delete(summary: dict[str, Any]) -> None:
    draft = summary["draft"]
    assert draft["Status"] == "Unsubmitted" and draft["FromUserID"] == summary["ids"]["userA"]
    assert draft["IsSubmitted"] is False and money(draft["Total"]) == 0
    patched = summary["patched"]
    assert patched["Comments"] == "leave at the door" and patched["xp"] == {"Gate": "7"}
    # Save sends the fetched order back whole, read-only fields included.
    saved = summary["saved"]
    assert saved["Comments"] == "ring twice" and saved["xp"] == {"Gate": "7"}
    assert saved["DateCreated"] == draft["DateCreated"] and saved["Status"] == "Unsubmitted"

    home = summary["home"]
    addressed = summary["draftAddressed"]
    assert addressed["ShippingAddressID"] == addressed["BillingAddressID"] == home["ID"]
    assert addressed["BillingAddress"]["Street1"] == "9 Saved Rd"
    line = summary["draftLineAddressed"]
    assert line["ShippingAddressID"] == home["ID"] and line["ShippingAddress"]["Street1"] == "9 Saved Rd"
    resaved = summary["draftResaved"]
    assert (
        resaved["ShippingAddressID"] == home["ID"]
        and resaved["BillingAddress"] == addressed["BillingAddress"]
    )

    assert summary["setActive"] in ("", None) and summary["activeCart"] == draft["ID"]
    assert summary["draftValidated"] in ("", None) and summary["deleted"] in ("", None)
    # With the chosen cart deleted, the newest unsubmitted order is the cart again.
    assert summary["activeAfterDelete"] == f"newer-{summary['run']}"
