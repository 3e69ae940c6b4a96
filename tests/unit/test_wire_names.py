"""Wire names: every struct field reaches the wire under OrderCloud's spelling."""

from __future__ import annotations

import msgspec

from app.models.returns import OrderReturn
from app.wire import oc_name, to_doc, validate


def test_plural_id_fields_are_spelled_ids_in_capitals() -> None:
    assert oc_name("payment_ids") == "PaymentIDs"
    assert oc_name("api_client_ids") == "ApiClientIDs"
    assert oc_name("buyer_id") == "BuyerID"


def test_order_return_carries_payment_ids_once() -> None:
    """A return used to carry `PaymentIDs` (set by the server) next to a stray `PaymentIds: null`."""
    doc = to_doc(validate({"OrderID": "o1", "PaymentIDs": ["p1"]}, OrderReturn))
    assert doc["PaymentIDs"] == ["p1"]
    assert not [k for k in doc if k.lower() == "paymentids" and k != "PaymentIDs"]
    names = [f.encode_name for f in msgspec.structs.fields(OrderReturn)]
    assert "PaymentIds" not in names
