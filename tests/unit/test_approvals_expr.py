"""RuleExpression: what matches, what is refused (with the position), and tokenizer round trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.approvals import Context, Token, evaluate, parse, render, tokenize
from domain.errors import ValidationFailed

ORDER = {
    "ID": "o1",
    "Total": Decimal("150.00"),
    "Subtotal": Decimal("140.00"),
    "FromUserID": "alice",
    "xp": {"CostCenter": "X", "Rush": True, "Level": "7"},
    "BillingAddress": None,
}
LINES = [
    {
        "ProductID": "abc",
        "Quantity": 3,
        "LineSubtotal": Decimal("30.00"),
        "Product": {"xp": {"Color": "red"}},
    },
    {"ProductID": "xyz", "Quantity": 11, "LineSubtotal": Decimal("110.00"), "Product": {"xp": None}},
]
CTX = Context(ORDER, LINES, frozenset({"first"}))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("order.Total > 100", True),
        ("order.Total > 150", False),
        ("order.Total >= 150", True),
        ("order.total = 150", True),  # names match ignoring case; 150 = 150.00
        ("order.Total <> 150.00", False),
        ("order.Total != 1", True),
        ("order.xp.CostCenter = 'X'", True),
        ("order.xp.CostCenter = 'x'", False),  # strings compare exactly
        ('order.xp.CostCenter = "X"', True),
        ("order.xp.Rush = true", True),
        ("order.xp.Rush", True),
        ("order.xp.Level > 5", True),  # numeric text next to a number is a number
        ("order.xp.Missing = null", True),
        ("order.xp.Missing > 0", False),
        ("order.xp.Missing < 0", False),
        ("order.BillingAddress.City = 'x'", False),
        ("order.xp.CostCenter > 3", False),  # unlike types never order
        ("items.any(ProductID = 'abc')", True),
        ("items.any(item.ProductID = 'nope')", False),
        ("items.all(Quantity >= 3)", True),
        ("items.all(Quantity > 3)", False),
        ("items.count() = 2", True),
        ("items.count(Quantity > 10) = 1", True),
        ("items.quantity() = 14", True),
        ("items.quantity(ProductID = 'abc') > 2", True),
        ("items.total(ProductID = 'xyz') = 110", True),
        ("items.any(Product.xp.Color = 'red')", True),
        ("order.approved('first')", True),
        ("order.approved('second')", False),
        ("not order.approved('second') and order.Total > 100", True),
        ("order.Total > 200 or items.count() > 1", True),
        ("(order.Total > 200 or items.count() > 1) and order.xp.CostCenter = 'Y'", False),
        ("order.Total - order.Subtotal = 10", True),
        ("order.Total * 2 / 3 = 100", True),
        ("-order.Total < 0", True),
        ("order.Total / 0 = null", True),
        ("order.Total > 100 && !(order.Total > 1000) || false", True),
        ("TRUE AND NOT FALSE", True),
        ("null", False),
    ],
)
def test_evaluates(expression: str, expected: bool) -> None:
    assert evaluate(expression, CTX) is expected


def test_rule_over_an_order_without_lines() -> None:
    ctx = Context({"Total": 0})
    assert evaluate("items.any(Quantity > 0)", ctx) is False
    assert evaluate("items.all(Quantity > 0)", ctx) is True
    assert evaluate("items.count() = 0", ctx) is True


@pytest.mark.parametrize(
    ("expression", "code", "position"),
    [
        ("", "Expression.InvalidSyntax", 0),
        ("order.Total >", "Expression.InvalidSyntax", 13),
        ("order.Total > 100 100", "Expression.InvalidSyntax", 18),
        ("(order.Total > 1", "Expression.InvalidSyntax", 16),
        ("order.Total > 1 > 0", "Expression.InvalidSyntax", 16),
        ("order.Total # 3", "Expression.InvalidToken", 12),
        ("order.xp.Name = 'open", "Expression.InvalidToken", 16),
        ("Total > 1", "Expression.InvalidToken", 0),
        ("items > 1", "Expression.InvalidSyntax", 0),
        ("items.sum(Quantity)", "Expression.InvalidFunction", 0),
        ("order.Total > 1 and order.foo(1)", "Expression.InvalidFunction", 20),
        ("items.any(items.any(Quantity > 1))", "Expression.InvalidFunction", 10),
        ("items.any()", "Expression.InvalidArguments", 9),
        ("order.approved(3)", "Expression.InvalidArguments", 15),
        ("item.ProductID = 'x'", "Expression.ItemNotAllowed", 0),
        ("order.Total > 1 and item.Quantity > 1", "Expression.ItemNotAllowed", 20),
    ],
)
def test_refuses_with_code_and_position(expression: str, code: str, position: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse(expression)
    assert caught.value.code == code
    assert caught.value.data == {"Expression": expression, "Position": position}


def test_no_python_is_ever_evaluated() -> None:
    for attack in ("__import__('os').system('true')", "().__class__", "order.Total.__class__()"):
        with pytest.raises(ValidationFailed):
            evaluate(attack, CTX)
    # Dunder-looking field names are plain keys of the data, nothing more.
    assert evaluate("order.__class__ = null", CTX) is True


def test_named_approvals_are_collected() -> None:
    assert parse("order.approved('a') or order.approved(\"b\")").approvals_named == {"a", "b"}


# --------------------------------------------------------------------------- tokenizer round trips

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda w: w.lower() not in {"and", "or", "not", "true", "false", "null"}
)
tokens = st.one_of(
    st.builds(lambda v: Token("number", v, 0), st.decimals(min_value=0, max_value=10**9, places=2)),
    st.builds(lambda v: Token("string", v, 0), st.text(max_size=12)),
    st.builds(lambda v: Token("name", v, 0), names),
    st.builds(
        lambda v: Token("keyword", v, 0), st.sampled_from(["and", "or", "not", "true", "false", "null"])
    ),
    st.builds(
        lambda v: Token("op", v, 0),
        st.sampled_from(["=", "<>", "!=", ">", "<", ">=", "<=", "+", "-", "*", "/"]),
    ),
    st.builds(lambda v: Token("punct", v, 0), st.sampled_from(list("().,"))),
)


def _shape(toks: list[Token]) -> list[tuple[str, object]]:
    return [(t.kind, t.value) for t in toks if t.kind != "end"]


@given(st.lists(tokens, max_size=12))
def test_tokenize_render_round_trip(toks: list[Token]) -> None:
    assert _shape(tokenize(render(toks))) == _shape(toks)


@given(st.text(max_size=40))
def test_tokenizer_never_crashes(text: str) -> None:
    try:
        result = tokenize(text)
    except ValidationFailed as exc:
        assert exc.code == "Expression.InvalidToken"
        assert 0 <= exc.data["Position"] <= len(text)
    else:
        assert result[-1].kind == "end"
        assert all(0 <= t.pos <= len(text) for t in result)


@given(st.text(alphabet="order.Totalitems(any)=<>!'0123 andornot", max_size=40))
def test_parser_refuses_or_evaluates(text: str) -> None:
    try:
        expression = parse(text)
    except ValidationFailed as exc:
        assert exc.code.startswith("Expression.")
    else:
        assert evaluate(expression, CTX) in (True, False)
