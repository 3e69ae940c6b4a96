"""The rules-engine subset used by seller approval rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.rules import evaluate, parse

NOW = datetime(2024, 6, 30, tzinfo=UTC)
SCOPE = {
    "Order": {
        "Total": Decimal("120.50"),
        "DateCompleted": "2024-05-01T00:00:00.000+00:00",
        "xp": {"Kind": "B2B"},
    },
    "OrderReturn": {"RefundAmount": Decimal("20"), "Comments": None},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("OrderReturn.RefundAmount > 19.99", True),
        ("orderreturn.refundamount >= 20 and Order.Total < 100", False),
        ("Order.Total > 100 or false", True),
        ("not (Order.Total > 100)", False),
        ("Order.xp.Kind = 'B2B'", True),
        ('Order.xp.Kind != "B2C"', True),
        ("Order.xp.Missing = 'x'", False),
        ("OrderReturn.Comments = null", True),
        ("Order.Total - OrderReturn.RefundAmount * 2 = 80.50", True),
        ("Order.DateCompleted < now(-30)", True),
        ("Order.DateCompleted < now(-60)", False),
        ("-1 < 0", True),
        ("true", True),
    ],
)
def test_expressions(expression: str, expected: bool) -> None:
    assert evaluate(parse(expression), SCOPE, NOW) is expected


@pytest.mark.parametrize(
    "expression", ["", "Order.Total >", "items.any(ProductID = 'x')", "(Order.Total > 1", "Order.Total $ 3"]
)
def test_unsupported_or_broken_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        parse(expression)
