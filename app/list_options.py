"""OrderCloud list options as data: the query string parsed into `ListOptions`, filter values
into `Term`s, field paths checked against a resource's `Schema`, and the `Page` envelope.

`page`, `pageSize`, `search`, `searchOn`, `searchType`, `sortBy`, and every other query key a
filter: `a|b` or, a repeated key and, `!` not, `>`, `<`, `>=`, `<=`, `*` wildcard, `!*` absent or
null, `\\` escape, nested paths such as `xp.a.b`. Field types come from the resource's wire struct,
so `Total=>100` compares numbers and `IsSubmitted=false` booleans.

Pure: no SQL and no I/O (a test holds it to that). `app.listing` compiles these options to SQL.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import msgspec

from domain.errors import ValidationFailed

FieldType = Literal["str", "num", "bool", "date", "obj", "dyn"]

SEARCH_TYPES = {
    "anyterm": "AnyTerm",
    "alltermsanyfield": "AllTermsAnyField",
    "alltermssamefield": "AllTermsSameField",
    "exactphrase": "ExactPhrase",
    "exactphraseprefix": "ExactPhrasePrefix",
}
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_PAGE_SIZE = 100
# Bounds (docs/validation.md): OrderCloud's page is an int32; one filter value may OR at most
# MAX_FILTER_TERMS alternatives (`ID=a|b|...`), a request at most MAX_FILTERS filters, so no
# query grows past what either database's parser accepts.
MAX_PAGE = 2**31 - 1
MAX_FILTER_TERMS = 100
MAX_FILTERS = 50


# --------------------------------------------------------------------------- field schemas


@dataclass(frozen=True)
class Schema:
    """The filterable shape of a resource: OrderCloud name -> type (nested for objects)."""

    fields: Mapping[str, FieldType]
    nested: Mapping[str, Schema] = field(default_factory=dict)
    by_lower: Mapping[str, str] = field(default_factory=dict)
    # Enumerated text fields: name -> the values OrderCloud allows (a filter on another is a 400).
    enums: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Filters on documents related to this one (`LineItems.ProductID` on orders), run as EXISTS.
    relations: Mapping[str, Relation] = field(default_factory=dict)
    # An xp filter's value also matches an element of an array at its path (product lists, as
    # OrderCloud's product search does: a facet's values may be an array). docs/facets.md.
    xp_arrays: bool = False

    def enum_of(self, parts: Sequence[str]) -> frozenset[str] | None:
        schema: Schema | None = self
        for name in parts[:-1]:
            schema = schema.nested.get(name) if schema is not None else None
        return schema.enums.get(parts[-1]) if schema is not None else None

    def relation(self, path: str) -> tuple[Relation, str] | None:
        """`LineItems.Product.ID` -> (the line-item relation, `Product.ID`)."""
        head, _, rest = path.partition(".")
        found = self.relations.get(head.lower())
        return (found, rest) if found is not None and rest else None

    def resolve(self, path: str) -> tuple[list[str], FieldType]:
        """Canonical path segments and the leaf type; unknown paths are List.InvalidProperty."""
        parts = path.split(".")
        out: list[str] = []
        schema: Schema | None = self
        ftype: FieldType = "obj"
        for i, raw in enumerate(parts):
            if not _SEGMENT.match(raw):
                raise invalid_property(path)
            if schema is None:  # below a dynamic (xp) node everything is allowed
                out.append(raw)
                continue
            name = schema.by_lower.get(raw.lower())
            if name is None:
                raise invalid_property(path)
            out.append(name)
            ftype = schema.fields[name]
            if ftype == "dyn":
                schema = None
                if i < len(parts) - 1:
                    ftype = "dyn"
            elif ftype == "obj":
                schema = schema.nested.get(name)
            elif i < len(parts) - 1:
                raise invalid_property(path)
        return out, ftype


@dataclass(frozen=True)
class Relation:
    """Child documents of `kind` scoped to the parent's ID (an order's line items): a filter on
    them keeps the parents with at least one matching child, through the (kind, scope, id) key."""

    kind: str
    schema: Schema


def invalid_property(path: str) -> ValidationFailed:
    return ValidationFailed(f"Invalid property: {path}", "List.InvalidProperty", {"Property": path})


def _literal_values(tp: Any) -> frozenset[str] | None:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _literal_values(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _literal_values(args[0]) if len(args) == 1 else None
    if origin is Literal:
        return frozenset(str(a) for a in typing.get_args(tp))
    return None


def _leaf_type(tp: Any) -> tuple[FieldType, Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _leaf_type(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _leaf_type(args[0]) if len(args) == 1 else ("dyn", None)
    if tp is bool:
        return "bool", None
    if tp in (int, float, Decimal):
        return "num", None
    if tp in (dt.datetime, dt.date):
        return "date", None
    if tp is str or origin is Literal:
        return "str", None
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return "obj", tp
    if origin in (list, tuple, Sequence) or tp in (list, tuple):
        return "obj", None
    return "dyn", None


def schema_of(
    struct: type[msgspec.Struct],
    *,
    extra: Mapping[str, FieldType] | None = None,
    enums: Mapping[str, Iterable[str]] | None = None,
    relations: Mapping[str, Relation] | None = None,
    xp_arrays: bool = False,
) -> Schema:
    """Derive a Schema from a wire struct; dates are strings in documents, marked by name.
    `Literal` fields are enums; `enums` names others (a free-text field the server sets)."""
    fields: dict[str, FieldType] = {}
    nested: dict[str, Schema] = {}
    enum_values: dict[str, frozenset[str]] = {}
    for f in msgspec.structs.fields(struct):
        ftype, sub = _leaf_type(f.type)
        if (ftype == "str" and f.encode_name.startswith("Date")) or f.encode_name in ("LastUpdated",):
            ftype = "date"
        fields[f.encode_name] = ftype
        if sub is not None:
            nested[f.encode_name] = schema_of(sub)
        values = _literal_values(f.type)
        if values is not None:
            enum_values[f.encode_name] = values
    fields.update(extra or {})
    enum_values.update({k: frozenset(v) for k, v in (enums or {}).items()})
    return Schema(
        fields,
        nested,
        {k.lower(): k for k in fields},
        enum_values,
        {k.lower(): v for k, v in (relations or {}).items()},
        xp_arrays,
    )


# --------------------------------------------------------------------------- parsed options


@dataclass
class ListOptions:
    page: int = 1
    page_size: int = 20
    search: str | None = None
    search_on: list[str] | None = None
    search_type: str = "AnyTerm"
    sort_by: list[str] = field(default_factory=list)
    filters: list[tuple[str, str]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)

    def filter_values(self, key: str) -> list[str]:
        return [v for k, v in self.filters if k.lower() == key.lower()]

    def pop_filter(self, key: str) -> list[str]:
        values = self.filter_values(key)
        self.filters = [(k, v) for k, v in self.filters if k.lower() != key.lower()]
        return values


def parse_list_options(items: Iterable[tuple[str, str]], *, params: Iterable[str] = ()) -> ListOptions:
    """Split query pairs into paging, search, sort and filters. Key names are case-insensitive;
    `params` names endpoint-specific parameters (buyerID, from, to, ...) kept apart from filters."""
    opts = ListOptions()
    special = {p.lower(): p for p in params}
    for key, value in items:
        low = key.lower()
        if low == "page":
            opts.page = _positive_int(value, "page", "List.InvalidPage")
        elif low == "pagesize":
            size = _positive_int(value, "pageSize", "List.InvalidPageSize")
            if size > MAX_PAGE_SIZE:
                raise ValidationFailed(
                    f"pageSize must be between 1 and {MAX_PAGE_SIZE}",
                    "List.InvalidPageSize",
                    {"PageSize": value},
                )
            opts.page_size = size
        elif low == "search":
            opts.search = value or None
        elif low == "searchon":
            opts.search_on = [s.strip() for s in value.split(",") if s.strip()] or None
        elif low == "searchtype":
            if value.lower() not in SEARCH_TYPES:
                raise ValidationFailed(
                    f"Invalid searchType: {value}", "List.InvalidType", {"searchType": value}
                )
            opts.search_type = SEARCH_TYPES[value.lower()]
        elif low == "sortby":
            opts.sort_by = [s.strip() for s in value.split(",") if s.strip()]
        elif low in special:
            opts.params[special[low]] = value
        elif low in ("pagekey", "depth"):
            # OrderCloud's seeding tool sends `depth=all` to every list; where ordercore has no
            # category tree the option has nothing to limit, so it is accepted and ignored.
            continue
        else:
            opts.filters.append((key, value))
    if len(opts.filters) > MAX_FILTERS:
        raise ValidationFailed(
            f"At most {MAX_FILTERS} filters are allowed",
            "ValidationFailure",
            {"Field": "filters", "Count": len(opts.filters)},
        )
    return opts


def _positive_int(value: str, name: str, code: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PAGE:
        raise ValidationFailed(f"{name} must be a whole number between 1 and {MAX_PAGE}", code, {name: value})
    return number


# --------------------------------------------------------------------------- filter values


@dataclass(frozen=True)
class Term:
    negate: bool
    op: str  # "=", ">", "<", ">=", "<=", "like", "null", "any"
    value: str


def parse_terms(raw: str) -> list[Term]:
    """One filter value -> OR-ed terms, honouring `\\` escapes."""
    out: list[Term] = []
    parts = _split_unescaped(raw, "|")
    if len(parts) > MAX_FILTER_TERMS:
        raise ValidationFailed(
            f"A filter may combine at most {MAX_FILTER_TERMS} values with |",
            "ValidationFailure",
            {"Field": "filters", "Count": len(parts)},
        )
    for part in parts:
        negate = False
        if part.startswith("!") and not part.startswith("\\!"):
            negate, part = True, part[1:]
        op = "="
        for candidate in (">=", "<=", ">", "<"):
            if part.startswith(candidate):
                op, part = candidate, part[len(candidate) :]
                break
        if op == "=" and part == "*":
            out.append(Term(not negate, "null", ""))  # `!*` = absent or null; `*` = present
            continue
        if op == "=" and _has_unescaped(part, "*"):
            out.append(Term(negate, "like", part))
            continue
        out.append(Term(negate, op, _unescape(part)))
    return out


def _split_unescaped(raw: str, sep: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            current.append(raw[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _has_unescaped(raw: str, ch: str) -> bool:
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] == ch:
            return True
        i += 1
    return False


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw)


# Beyond this a filter number is no double any more (SQLite compares doubles, 1e400 is infinity
# there): refused with 400 on both databases, like any other number out of range.
MAX_FILTER_NUMBER = Decimal("1e300")


def as_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def invalid_value(parts: Sequence[str], value: str) -> ValidationFailed:
    prop = ".".join(parts)
    return ValidationFailed(
        f"Invalid value for {prop}: {value}", "List.InvalidType", {"Property": prop, "Value": value}
    )


# A bare year or year-month compares as a prefix of the stored ISO strings.
_DATE_PREFIX = re.compile(r"^\d{4}(-\d{2})?$")


def is_date(value: str) -> bool:
    if _DATE_PREFIX.match(value):
        return True
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def as_date(value: str) -> str:
    """Dates compare as our ISO strings; normalise what a caller typed when it parses."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None and "T" not in value:
        return value  # a bare date compares as a prefix, which orders correctly
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    return parsed.isoformat(timespec="milliseconds")


def check_term(schema: Schema, parts: Sequence[str], ftype: FieldType, term: Term, raw: str) -> None:
    """A filter that can never match is a 400, as `Total=abc` is: a date that is no date, an
    enum value the field cannot hold. The error echoes the value exactly as it was sent."""
    if term.op in ("null", "like"):
        return
    ok = True
    if ftype == "num":
        ok = as_number(term.value) is not None
    elif ftype == "bool":
        ok = term.value.lower() in ("true", "false")
    elif ftype == "date":
        ok = is_date(term.value)
    elif ftype == "str":
        allowed = schema.enum_of(parts)
        ok = allowed is None or term.value.lower() in {a.lower() for a in allowed}
    if not ok:
        raise invalid_value(parts, raw)


# --------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    page_size: int
    total: int

    def wire(self) -> dict[str, Any]:
        pages = math.ceil(self.total / self.page_size) if self.total else 0
        first = (self.page - 1) * self.page_size + 1
        last = min(first + len(self.items) - 1, self.total)
        item_range = [first, last] if self.items else [0, 0]
        return {
            "Meta": {
                "Page": self.page,
                "PageSize": self.page_size,
                "TotalCount": self.total,
                "TotalPages": pages,
                "ItemRange": item_range,
                "NextPageKey": None,
            },
            "Items": self.items,
        }
