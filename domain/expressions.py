"""The rules-engine expressions of OrderCloud: approval rules (`RuleExpression`), seller approval
rules on returns, and promotions (`EligibleExpression`, `ValueExpression`). One tokenizer, parser
and evaluator over plain data; nothing is ever handed to `eval`, an expression can only read what
the caller puts in scope.

The caller chooses a `Dialect`: the root names an expression may start with (`order`, `items`,
`item`, `Order`, `OrderReturn`, `promotion`, ...; matched in any case) and whether
`order.approved('ruleID')` exists. `items` in the roots enables the item functions; `item` in the
roots lets `item.X` be read outside them (a line-level promotion evaluated per line).

Grammar (keywords case-insensitive; docs/approvals.md has the user-facing version)::

    expr    := or
    or      := and (('or' | '||') and)*
    and     := not (('and' | '&&') not)*
    not     := ('not' | '!') not | compare
    compare := sum (('=' | '==' | '<>' | '!=' | '>' | '<' | '>=' | '<=') sum)?
    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/' | '%') unary)*
    unary   := '-' unary | primary
    primary := NUMBER | STRING | 'true' | 'false' | 'null' | '(' expr ')'
             | 'items' '.' FUNC '(' [expr] ')'        any all count quantity total
             | 'order' '.' 'approved' '(' STRING ')'   when the dialect allows it
             | 'now' '(' [expr] ')'                    now, shifted by a number of days
             | ('min' | 'max') '(' expr (',' expr)+ ')'
             | path
    path    := ROOT ('.' NAME)*                        inside an items function, also NAME ('.' NAME)*

Numbers may start with the point (`.1`). Strings are single- or double-quoted; `\\` escapes the
next character and a doubled quote is one quote (`'it''s'`). Inside `items.any(...)` and the other
item functions, a bare name (`ProductID`) or `item.X` reads the line being tested; `item` anywhere
else is `Expression.ItemNotAllowed` unless the dialect has an `item` root.

Evaluation: a missing field is null; `=`/`<>` compare numbers numerically (a numeric string counts
as a number next to a number), strings exactly (case-sensitive), null equals only null; a date
(`now(...)`) next to an ISO-8601 string compares as dates; an ordering comparison with null or
between unlike types is false; arithmetic with null is null, division by zero is null;
`and`/`or`/`not` treat null as false. Field names match exactly first, then ignoring case
(`order.total` reads `Total`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from domain.clock import parse_iso, utcnow
from domain.errors import ValidationFailed

__all__ = [
    "ITEM_FUNCTIONS",
    "Context",
    "Dialect",
    "Expression",
    "Token",
    "evaluate",
    "parse",
    "render",
    "tokenize",
    "value_of",
]

ITEM_FUNCTIONS: Final = ("any", "all", "count", "quantity", "total")
_KEYWORDS: Final = {"and", "or", "not", "true", "false", "null"}
_OPERATORS: Final = ("==", "<>", "!=", ">=", "<=", "&&", "||", "=", ">", "<", "+", "-", "*", "/", "%", "!")
_PUNCT: Final = "().,"
_COMPARE: Final = {"=", "==", "<>", "!=", ">", "<", ">=", "<="}
MAX_LENGTH: Final = 4000

# ASCII only: str.isdigit() accepts superscripts and other scripts Decimal cannot read.
_DIGITS = frozenset("0123456789")


def _refuse(code: str, message: str, source: str, pos: int) -> ValidationFailed:
    return ValidationFailed(
        f"{message} (at position {pos})", f"Expression.{code}", {"Expression": source, "Position": pos}
    )


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "number" | "string" | "name" | "keyword" | "op" | "punct" | "end"
    value: Any  # Decimal for numbers, the decoded text for strings, lower-case keywords
    pos: int


def tokenize(source: str) -> list[Token]:
    """The tokens of `source`, ending with an `end` token. Refuses with Expression.InvalidToken."""
    if len(source) > MAX_LENGTH:
        raise _refuse("InvalidSyntax", f"Expression is longer than {MAX_LENGTH} characters", source, 0)
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
        elif ch in _DIGITS or (
            ch == "." and i + 1 < n and source[i + 1] in _DIGITS and _starts_value(tokens)
        ):
            start = i
            while i < n and source[i] in _DIGITS:
                i += 1
            if i + 1 < n and source[i] == "." and source[i + 1] in _DIGITS:
                i += 1
                while i < n and source[i] in _DIGITS:
                    i += 1
            tokens.append(Token("number", Decimal(source[start:i]), start))
        elif ch.isalpha() or ch == "_":
            start = i
            while i < n and (source[i].isalnum() or source[i] == "_"):
                i += 1
            word = source[start:i]
            if word.lower() in _KEYWORDS:
                tokens.append(Token("keyword", word.lower(), start))
            else:
                tokens.append(Token("name", word, start))
        elif ch in "'\"":
            start, i = i, i + 1
            chars: list[str] = []
            while i < n:
                if source[i] == ch and source.startswith(ch * 2, i):
                    i += 1  # a doubled quote is one quote character
                elif source[i] == ch:
                    break
                elif source[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(source[i])
                i += 1
            if i >= n:
                raise _refuse("InvalidToken", "Unterminated string", source, start)
            i += 1
            tokens.append(Token("string", "".join(chars), start))
        elif ch in _PUNCT:
            tokens.append(Token("punct", ch, i))
            i += 1
        else:
            op = next((o for o in _OPERATORS if source.startswith(o, i)), None)
            if op is None:
                raise _refuse("InvalidToken", f"Unexpected character {ch!r}", source, i)
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", None, n))
    return tokens


def _starts_value(tokens: list[Token]) -> bool:
    """Whether a value may start here: a `.` after a name is a path separator, elsewhere `.5` is
    a number."""
    if not tokens:
        return True
    last = tokens[-1]
    return not (
        last.kind in ("name", "keyword", "number", "string") or (last.kind, last.value) == ("punct", ")")
    )


def render(tokens: Iterable[Token]) -> str:
    """Source text for `tokens` (one space between them): `tokenize(render(t))` gives `t` back
    up to positions. Used to show a normalized expression and by the round-trip tests."""
    parts: list[str] = []
    for tok in tokens:
        if tok.kind == "end":
            continue
        if tok.kind == "string":
            parts.append("'" + str(tok.value).replace("\\", "\\\\").replace("'", "\\'") + "'")
        elif tok.kind == "number":
            parts.append(format(tok.value, "f"))
        else:
            parts.append(str(tok.value))
    return " ".join(parts)


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Path:
    root: str  # a lower-case root name; "item" inside an item function reads the line tested
    parts: tuple[str, ...]


@dataclass(frozen=True)
class ItemCall:
    function: str
    condition: Node | None


@dataclass(frozen=True)
class Approved:
    rule_id: str


@dataclass(frozen=True)
class Now:
    days: Node | None


@dataclass(frozen=True)
class Extremum:
    function: str  # "min" or "max"
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Literal | Path | ItemCall | Approved | Now | Extremum | Unary | Binary


@dataclass(frozen=True)
class Dialect:
    """What expressions of one kind may name. `roots`: the names a path may start with (any case);
    `items` among them enables the item functions, `item` allows `item.X` outside them.
    `approvals`: `order.approved('ruleID')` exists."""

    roots: tuple[str, ...]
    approvals: bool = False

    def has(self, name: str) -> bool:
        return name.lower() in {r.lower() for r in self.roots}

    def describe(self) -> str:
        return ", ".join(f"'{r}.'" for r in self.roots)


@dataclass(frozen=True)
class Expression:
    source: str
    root: Node
    # Rule IDs named in `order.approved('...')`: a rule chained after another.
    approvals_named: frozenset[str] = field(default_factory=frozenset)
    # Lower-case roots read outside the item functions (a line-level promotion must read `item`).
    roots: frozenset[str] = field(default_factory=frozenset)


class _Parser:
    def __init__(self, source: str, dialect: Dialect) -> None:
        self.source = source
        self.dialect = dialect
        self.tokens = tokenize(source)
        self.i = 0
        self.in_items = False
        self.named: set[str] = set()
        self.roots: set[str] = set()

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, *values: Any) -> bool:
        tok = self.tok
        return tok.kind == kind and (not values or tok.value in values)

    def expect(self, kind: str, value: Any, what: str) -> Token:
        if not self.at(kind, value):
            raise self.syntax(f"Expected {what}")
        return self.advance()

    def syntax(self, message: str, code: str = "InvalidSyntax", pos: int | None = None) -> ValidationFailed:
        tok = self.tok
        if pos is None and tok.kind == "end":
            message += ", found the end of the expression"
        elif pos is None:
            message += f", found {render([tok])!r}"
        return _refuse(code, message, self.source, tok.pos if pos is None else pos)

    # grammar
    def parse(self) -> Expression:
        if self.tok.kind == "end":
            raise self.syntax("Expected an expression")
        root = self.expr()
        if self.tok.kind != "end":
            raise self.syntax("Expected an operator or the end of the expression")
        return Expression(self.source, root, frozenset(self.named), frozenset(self.roots))

    def expr(self) -> Node:
        node = self.and_()
        while self.at("keyword", "or") or self.at("op", "||"):
            self.advance()
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("keyword", "and") or self.at("op", "&&"):
            self.advance()
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.at("keyword", "not") or self.at("op", "!"):
            self.advance()
            return Unary("not", self.not_())
        return self.compare()

    def compare(self) -> Node:
        node = self.sum()
        if self.tok.kind == "op" and self.tok.value in _COMPARE:
            op = self.advance().value
            op = {"==": "=", "!=": "<>"}.get(op, op)
            node = Binary(op, node, self.sum())
            if self.tok.kind == "op" and self.tok.value in _COMPARE:
                raise self.syntax("Comparisons cannot be chained; use 'and'")
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("op", "+", "-"):
            op = self.advance().value
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("op", "*", "/", "%"):
            op = self.advance().value
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            self.advance()
            return Unary("-", self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("number", "string"):
            self.advance()
            return Literal(tok.value)
        if tok.kind == "keyword" and tok.value in ("true", "false", "null"):
            self.advance()
            return Literal({"true": True, "false": False, "null": None}[tok.value])
        if self.at("punct", "("):
            self.advance()
            node = self.expr()
            self.expect("punct", ")", "')'")
            return node
        if tok.kind == "name":
            return self.reference()
        raise self.syntax("Expected a value")

    def names(self) -> list[Token]:
        """NAME ('.' NAME)*, stopping before a '(' so calls can be recognized."""
        out = [self.advance()]
        while self.at("punct", "."):
            self.advance()
            if self.tok.kind not in ("name", "keyword"):
                raise self.syntax("Expected a field name after '.'")
            name = self.advance()
            out.append(Token("name", str(name.value), name.pos))
        return out

    def reference(self) -> Node:
        start = self.tok
        names = self.names()
        root = str(names[0].value)
        low = root.lower()
        if self.at("punct", "("):
            return self.call(names)
        if low == "item":
            if not self.in_items and not self.dialect.has("item"):
                raise self.syntax(
                    "'item' can only be used inside an items function such as items.any(...)",
                    "ItemNotAllowed",
                    start.pos,
                )
            if not self.in_items:
                self.roots.add("item")
            return Path("item", tuple(str(t.value) for t in names[1:]))
        if self.in_items and not self.dialect.has(low):
            return Path("item", tuple(str(t.value) for t in names))
        if low == "items" and self.dialect.has("items"):
            raise self.syntax(
                "'items' must be followed by a function: " + ", ".join(ITEM_FUNCTIONS), pos=start.pos
            )
        if self.dialect.has(low):
            if not self.in_items:
                self.roots.add(low)
            return Path(low, tuple(str(t.value) for t in names[1:]))
        raise self.syntax(
            f"Unknown name {root!r}: start with one of {self.dialect.describe()}",
            "InvalidToken",
            start.pos,
        )

    def call(self, names: list[Token]) -> Node:
        open_pos = self.tok.pos
        dotted = ".".join(str(t.value) for t in names).lower()
        self.advance()  # '('
        target, _, function = dotted.rpartition(".")
        if target == "items" and function in ITEM_FUNCTIONS and self.dialect.has("items"):
            if self.in_items:
                raise self.syntax("Items functions cannot be nested", "InvalidFunction", names[0].pos)
            self.in_items = True
            try:
                condition = None if self.at("punct", ")") else self.expr()
            finally:
                self.in_items = False
            if condition is None and function in ("any", "all"):
                raise self.syntax(f"items.{function}() needs a condition", "InvalidArguments", open_pos)
            self.expect("punct", ")", "')'")
            return ItemCall(function, condition)
        if dotted == "now":
            days = None if self.at("punct", ")") else self.expr()
            self.expect("punct", ")", "')'")
            return Now(days)
        if dotted in ("min", "max"):
            args = [self.expr()]
            while self.at("punct", ","):
                self.advance()
                args.append(self.expr())
            if len(args) < 2:
                raise self.syntax(f"{dotted}() takes two or more values", "InvalidArguments", open_pos)
            self.expect("punct", ")", "')'")
            return Extremum(dotted, tuple(args))
        if dotted == "order.approved" and self.dialect.approvals:
            if not self.at("string"):
                raise self.syntax("order.approved() takes one quoted approval rule ID", "InvalidArguments")
            rule_id = str(self.advance().value)
            self.expect("punct", ")", "')'")
            self.named.add(rule_id)
            return Approved(rule_id)
        raise self.syntax(f"Unknown function {dotted!r}", "InvalidFunction", names[0].pos)


def parse(source: str, dialect: Dialect) -> Expression:
    """Parse an expression of `dialect`; refuses with ValidationFailed (`Expression.*` code,
    `Position`)."""
    if not isinstance(source, str):
        raise _refuse("InvalidSyntax", "The expression must be a string", str(source), 0)
    return _Parser(source, dialect).parse()


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Context:
    """What an expression reads: `scope` maps root names (any case) to documents, `items` to the
    lines; `approved`: the rule IDs approved so far; `now` anchors `now(days)`."""

    scope: Mapping[str, Any]
    approved: frozenset[str] = frozenset()
    now: datetime | None = None

    def items(self) -> Sequence[Mapping[str, Any]]:
        lines = _lookup(self.scope, ("items",))
        return lines if isinstance(lines, Sequence) and not isinstance(lines, str) else ()


def _lookup(value: Any, parts: Iterable[str]) -> Any:
    for part in parts:
        if not isinstance(value, Mapping):
            return None
        if part in value:
            value = value[part]
            continue
        low = part.lower()
        value = next((v for k, v in value.items() if isinstance(k, str) and k.lower() == low), None)
    return value


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def _numeric_text(value: Any) -> Decimal | None:
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return _number(value)


def _as_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _pair(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both sides as comparable values, or None when they are unlike."""
    if isinstance(left, datetime) or isinstance(right, datetime):
        ld, rd = _as_date(left), _as_date(right)
        return (ld, rd) if ld is not None and rd is not None else None
    ln, rn = _number(left), _number(right)
    if ln is not None and rn is not None:
        return ln, rn
    if ln is not None or rn is not None:
        lt, rt = _numeric_text(left), _numeric_text(right)
        return (lt, rt) if lt is not None and rt is not None else None
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    if isinstance(left, bool) and isinstance(right, bool):
        return left, right
    return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=", "<>"):
        if left is None or right is None:
            same = left is None and right is None
        else:
            pair = _pair(left, right)
            same = pair is not None and pair[0] == pair[1]
        return same if op == "=" else not same
    pair = _pair(left, right)
    if pair is None or isinstance(pair[0], bool):
        return False
    a, b = pair
    return bool({">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op])


def _arith(op: str, left: Any, right: Any) -> Any:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if op in ("/", "%") and b == 0:
        return None
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return a / b if op == "/" else a % b
    except ArithmeticError:  # overflow of absurd literals: no value rather than a crash
        return None


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != "" and _number(value) != 0


_ITEM_SUMS: Final[dict[str, Callable[[Mapping[str, Any]], Any]]] = {
    "count": lambda line: 1,
    "quantity": lambda line: line.get("Quantity"),
    "total": lambda line: line.get("LineSubtotal"),
}


def _eval(node: Node, ctx: Context, item: Mapping[str, Any] | None) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Path):
        base = item if node.root == "item" and item is not None else _lookup(ctx.scope, (node.root,))
        return _lookup(base, node.parts)
    if isinstance(node, Now):
        now = ctx.now or utcnow()
        if node.days is None:
            return now
        days = _number(_eval(node.days, ctx, item))
        if days is None:
            return None
        try:
            return now + timedelta(seconds=int((days * 86400).to_integral_value()))
        except (ArithmeticError, OverflowError):
            return None
    if isinstance(node, Approved):
        return node.rule_id in ctx.approved
    if isinstance(node, Extremum):
        numbers = [_number(_eval(arg, ctx, item)) for arg in node.args]
        if any(n is None for n in numbers):
            return None
        return min(numbers) if node.function == "min" else max(numbers)  # type: ignore[type-var]
    if isinstance(node, Unary):
        value = _eval(node.operand, ctx, item)
        if node.op == "not":
            return not _truthy(value)
        number = _number(value)
        return -number if number is not None else None
    if isinstance(node, ItemCall):
        cond = node.condition
        lines = ctx.items()
        matching = [line for line in lines if cond is None or _truthy(_eval(cond, ctx, line))]
        if node.function == "any":
            return bool(matching)
        if node.function == "all":
            return len(matching) == len(lines)
        total = Decimal(0)
        for line in matching:
            total += _number(_ITEM_SUMS[node.function](line)) or 0
        return total
    if node.op == "and":
        return _truthy(_eval(node.left, ctx, item)) and _truthy(_eval(node.right, ctx, item))
    if node.op == "or":
        return _truthy(_eval(node.left, ctx, item)) or _truthy(_eval(node.right, ctx, item))
    left, right = _eval(node.left, ctx, item), _eval(node.right, ctx, item)
    if node.op in _COMPARE:
        return _compare(node.op, left, right)
    return _arith(node.op, left, right)


def evaluate(expression: Expression, ctx: Context) -> bool:
    """Whether the expression holds (a rule matches, a promotion is eligible)."""
    return _truthy(_eval(expression.root, ctx, None))


def value_of(expression: Expression, ctx: Context) -> Any:
    """The expression's value (a promotion's amount): a Decimal, a string, a bool, a date or None."""
    return _eval(expression.root, ctx, None)
