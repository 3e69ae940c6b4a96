"""A subset of OrderCloud's rules-engine expressions, enough for seller approval rules on returns.

Supported (OrderCloud's documented syntax): property paths rooted at a name the caller provides
(`Order.Total`, `OrderReturn.RefundAmount`, `order.xp.Kind`; roots and property names match in any
case), numbers, strings in single or double quotes, `true`/`false`/`null`, comparisons `=`, `!=`,
`<>`, `<`, `>`, `<=`, `>=`, arithmetic `+ - * /`, `and`, `or`, `not`, parentheses, and `now(days)`
(OrderCloud's function for date-based return policies: `Order.DateCompleted < now(-30)`).
Not supported: `items.*` aggregates, `#date#` literals, `approved(...)`; `parse` refuses them, so a
rule the engine could not evaluate is refused when it is saved rather than ignored later.

A comparison with a missing (null) side is false; an ISO date string compared with `now(...)` is
compared as a date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.clock import parse_iso

__all__ = ["Expr", "evaluate", "parse"]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*'|\"[^\"]*\")"
    r"|(?P<op><=|>=|<>|!=|[=<>()+\-*/,])|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"
)
_COMPARE = {"=", "!=", "<>", "<", ">", "<=", ">="}
_BINDING = {"or": 1, "and": 2, **dict.fromkeys(_COMPARE, 4), "+": 5, "-": 5, "*": 6, "/": 6}


@dataclass(frozen=True, slots=True)
class Expr:
    """A parsed expression: a tree of (kind, ...) tuples."""

    source: str
    tree: tuple[Any, ...]


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    source = source.rstrip()
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"unexpected character at {pos}: {source[pos : pos + 10]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value.lower() in ("and", "or", "not"):
            kind, value = "op", value.lower()
        out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ValueError(f"expected {value or 'more'} at token {self.pos}")
        self.pos += 1
        return token

    def expression(self, floor: int = 0) -> tuple[Any, ...]:
        left = self.prefix()
        while (token := self.peek()) is not None and token[0] == "op" and _BINDING.get(token[1], -1) > floor:
            op = self.take()[1]
            right = self.expression(_BINDING[op])
            left = ("bin", op, left, right)
        return left

    def prefix(self) -> tuple[Any, ...]:
        kind, value = self.take()
        if kind == "num":
            return ("lit", Decimal(value))
        if kind == "str":
            quote = value[0]
            return ("lit", value[1:-1].replace("''", "'") if quote == "'" else value[1:-1])
        if kind == "op" and value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "op" and value == "not":
            return ("not", self.expression(3))
        if kind == "op" and value == "-":
            return ("bin", "-", ("lit", Decimal(0)), self.expression(6))
        if kind == "name":
            low = value.lower()
            if low in ("true", "false"):
                return ("lit", low == "true")
            if low == "null":
                return ("lit", None)
            if (token := self.peek()) is not None and token[1] == "(":
                if low != "now":
                    raise ValueError(f"unsupported function: {value}")
                self.take("(")
                days = ("lit", Decimal(0)) if self.peek() == ("op", ")") else self.expression()
                self.take(")")
                return ("now", days)
            return ("path", tuple(value.split(".")))
        raise ValueError(f"unexpected {value!r}")


def parse(source: str) -> Expr:
    """Parse `source`; ValueError says what is wrong or unsupported."""
    parser = _Parser(source)
    if parser.peek() is None:
        raise ValueError("empty expression")
    tree = parser.expression()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return Expr(source, tree)


def _lookup(data: Any, name: str) -> Any:
    if not isinstance(data, Mapping):
        return None
    if name in data:
        return data[name]
    low = name.lower()
    return next((v for k, v in data.items() if isinstance(k, str) and k.lower() == low), None)


def _number(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (op == "=" and a is b) or (op in ("!=", "<>") and a is not b)
    if isinstance(a, datetime) != isinstance(b, datetime):
        try:
            a, b = (parse_iso(a) if isinstance(a, str) else a), (parse_iso(b) if isinstance(b, str) else b)
        except ValueError:
            return False
    if (isinstance(a, Decimal) and isinstance(b, str)) or (isinstance(b, Decimal) and isinstance(a, str)):
        try:
            a, b = Decimal(a), Decimal(b)
        except InvalidOperation:
            return False
    try:
        if op == "=":
            return bool(a == b)
        if op in ("!=", "<>"):
            return bool(a != b)
        return bool({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op])
    except TypeError:
        return False


def _eval(node: tuple[Any, ...], scope: Mapping[str, Any], now: datetime) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "path":
        value: Any = _lookup(scope, node[1][0])
        for part in node[1][1:]:
            value = _lookup(value, part)
        return _number(value)
    if kind == "now":
        days = _eval(node[1], scope, now)
        return now + timedelta(days=float(days or 0))
    if kind == "not":
        return not _eval(node[1], scope, now)
    _, op, left, right = node
    if op == "and":
        return bool(_eval(left, scope, now)) and bool(_eval(right, scope, now))
    if op == "or":
        return bool(_eval(left, scope, now)) or bool(_eval(right, scope, now))
    a, b = _eval(left, scope, now), _eval(right, scope, now)
    if op in _COMPARE:
        return _compare(op, a, b)
    if not isinstance(a, Decimal) or not isinstance(b, Decimal):
        return None
    if op == "/":
        return a / b if b else None
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def evaluate(expr: Expr, scope: Mapping[str, Any], now: datetime) -> bool:
    """Whether `expr` holds for `scope` (root name -> document), `now` anchoring `now(days)`."""
    return bool(_eval(expr.tree, scope, now))
