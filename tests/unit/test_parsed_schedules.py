"""`app.services.pricing.parsed_schedule`: a parsed schedule is reused only for the very content
it was parsed from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.services.pricing import parsed_schedule
from domain.errors import ValidationFailed
from domain.pricing import select_break


def _doc(price: Any, **extra: Any) -> dict[str, Any]:
    return {"ID": "ps-cache", "PriceBreaks": [{"Quantity": 1, "Price": price}], "Currency": "USD", **extra}


def _price(doc: dict[str, Any]) -> Decimal:
    return select_break(parsed_schedule(doc), 1).price


def test_the_same_content_is_parsed_once() -> None:
    first = parsed_schedule(_doc(Decimal(10)))
    assert parsed_schedule(_doc(Decimal(10))) is first


def test_changed_content_under_the_same_id_is_parsed_again() -> None:
    assert _price(_doc(Decimal(10))) == 10
    assert _price(_doc(Decimal(7))) == 7
    assert _price(_doc(Decimal(7), MaxQuantity=5)) == 7
    assert parsed_schedule(_doc(Decimal(7), MaxQuantity=5)).max_quantity == 5
    assert parsed_schedule(_doc(Decimal(7))).max_quantity is None


def test_a_document_changed_after_parsing_is_not_taken_for_the_old_one() -> None:
    doc = _doc(Decimal(10))
    assert _price(doc) == 10
    doc["PriceBreaks"][0]["Price"] = Decimal(3)  # the caller's own document, changed in place
    assert _price(doc) == 3


def test_a_bad_schedule_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            parsed_schedule(_doc("abc"))
    assert _price(_doc(Decimal(5))) == 5
