"""OrderCloud list options compiled to SQL for every resource (parsing: `app.list_options`).

Filters, search and sort run in SQL on both SQLite and PostgreSQL; nothing is filtered in Python
after loading. The parsing names are re-exported so `from app.listing import ...` keeps working.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
)

from app.list_options import (
    MAX_FILTER_NUMBER,
    Elements,
    FieldType,
    ListOptions,
    Page,
    Relation,
    Schema,
    Term,
    as_date,
    as_number,
    check_term,
    invalid_property,
    parse_list_options,
    parse_terms,
    schema_of,
)
from app.store.tables import resources
from domain.errors import ValidationFailed

# The parsing names are defined in app.list_options and re-exported here.
__all__ = [
    "Compiler",
    "Elements",
    "FieldType",
    "JsonAccess",
    "ListOptions",
    "Page",
    "Relation",
    "Schema",
    "Term",
    "invalid_property",
    "parse_list_options",
    "parse_terms",
    "schema_of",
]


_DOC = resources.c.doc


@functools.lru_cache(maxsize=2048)
def _doc_expr(pg: bool, name: str, parts: tuple[str, ...], *extra: Any) -> Any:
    """`JsonAccess(pg)`'s `name` expression at `parts` on the documents' own column, built once
    per process: SQLAlchemy elements are immutable, so every statement can share them, and
    building them (function calls, coercions) was a fifth of the CPU of an order list page
    (docs/performance.md, "Orders.List in one statement"). Only literal paths and constant
    values live here; the caller's values are bound by the statements that use them."""
    return getattr(JsonAccess(pg, _DOC, shared=False), name)(list(parts), *extra)


class JsonAccess:
    """Dialect-specific access to a path inside the `doc` JSON column."""

    def __init__(self, pg: bool, column: Any = None, *, shared: bool = True) -> None:
        self.pg = pg
        self.col = _DOC if column is None else column
        # Expressions on the documents' own column come from `_doc_expr` (built once); on
        # another column (a subquery's, an alias's) they are built each time.
        self.shared = shared and self.col is _DOC

    def path_literal(self, parts: Sequence[str]) -> Any:
        """The path as PostgreSQL's `#>` takes it (segments validated as below)."""
        return self._pg_path(parts)

    def _pg_path(self, parts: Sequence[str]) -> Any:
        # Segments are validated against [A-Za-z0-9_-], so inlining the path literal is safe.
        return literal_column("'{" + ",".join(parts) + "}'")

    def _sqlite_path(self, parts: Sequence[str]) -> Any:
        # Inlined, not bound: SQLite matches an expression index only to the same literal text
        # (migration 0005). Segments are validated as above, so the literal is safe.
        return literal_column("'$" + "".join(f'."{p}"' for p in parts) + "'")

    def text(self, parts: Sequence[str]) -> ColumnElement[Any]:
        if self.shared:
            return _doc_expr(self.pg, "text", tuple(parts))
        if self.pg:
            return self.col.op("#>>", return_type=String())(self._pg_path(parts)).collate("C")
        return func.json_extract(self.col, self._sqlite_path(parts))

    def lower_text(self, parts: Sequence[str]) -> ColumnElement[Any]:
        """`lower()` of `text(parts)`: how lists compare and sort text without regard to case."""
        if self.shared:
            return _doc_expr(self.pg, "lower_text", tuple(parts))
        return func.lower(self.text(parts))

    def elements(self, parts: Sequence[str]) -> Any:
        """A table of the array at `parts` (one row per element, column `value`); a missing or
        non-array value gives no rows."""
        if self.pg:
            found = self.col.op("#>")(self._pg_path(parts))
            array = case((func.jsonb_typeof(found) == "array", found), else_=literal_column("'[]'::jsonb"))
            return func.jsonb_array_elements(array).table_valued("value")
        return func.json_each(self.col, self._sqlite_path(parts)).table_valued("value")

    def jtype(self, parts: Sequence[str]) -> ColumnElement[Any]:
        if self.shared:
            return _doc_expr(self.pg, "jtype", tuple(parts))
        if self.pg:
            return func.jsonb_typeof(self.col.op("#>")(self._pg_path(parts)))
        return func.json_type(self.col, self._sqlite_path(parts))

    def num(self, parts: Sequence[str]) -> ColumnElement[Any]:
        # The type names are inlined, not bound, so the whole expression is literal text an
        # expression index can be built on (xp indices, app/store/xp_indexes.py).
        if self.shared:
            return _doc_expr(self.pg, "num", tuple(parts))
        jt = self.jtype(parts)
        if self.pg:
            raw = self.col.op("#>>")(self._pg_path(parts))
            return case((jt == literal_column("'number'"), cast(raw, Numeric)), else_=None)
        numeric = jt.in_([literal_column("'integer'"), literal_column("'real'")])
        return case((numeric, func.json_extract(self.col, self._sqlite_path(parts))))

    def is_null(self, parts: Sequence[str]) -> ColumnElement[bool]:
        if self.shared:
            return _doc_expr(self.pg, "is_null", tuple(parts))
        return func.coalesce(self.jtype(parts), "null") == "null"

    def values(self, parts: Sequence[str]) -> tuple[Any, ColumnElement[Any], ColumnElement[bool]]:
        """The values at `parts` as rows: a scalar is one row, an array one row per scalar
        element; absent, null, objects and nested arrays none. Returns (a table-valued function
        to join to the documents' table, each row's value as text, the condition keeping the
        scalar rows)."""
        if self.pg:
            at = self.col.op("#>")(self._pg_path(parts))
            listed = case((func.jsonb_typeof(at) == "array", at), else_=func.jsonb_build_array(at))
            rows = func.jsonb_array_elements(listed).table_valued("value").alias("xp_value")
            scalar: ColumnElement[bool] = func.jsonb_typeof(rows.c.value).in_(("string", "number", "boolean"))
            return rows, rows.c.value.op("#>>", return_type=String())(literal_column("'{}'")), scalar
        path = self._sqlite_path(parts)
        rows = func.json_each(self.col, path).table_valued("value", "type").alias("xp_value")
        # json_each walks an object's members too: only a scalar or an array's elements count.
        keep = and_(
            func.json_type(self.col, path) != "object",
            rows.c.type.notin_(("object", "array", "null")),
        )
        text = case(
            (rows.c.type == "true", literal("true")),
            (rows.c.type == "false", literal("false")),
            else_=cast(rows.c.value, String()),
        )
        return rows, text, keep

    def array_has(
        self, parts: Sequence[str], match: Callable[[Any], ColumnElement[bool]]
    ) -> ColumnElement[bool]:
        """True when the value at `parts` is an array with a scalar element (as text) `match`es."""
        rows, text, keep = self.values(parts)
        return (
            select(literal(1))
            .select_from(rows)
            .where(self.jtype(parts) == "array", keep, match(text))
            .exists()
        )

    def is_bool(self, parts: Sequence[str], value: bool) -> ColumnElement[bool]:
        if self.shared:
            return _doc_expr(self.pg, "is_bool", tuple(parts), value)
        jt = self.jtype(parts)
        if self.pg:
            return and_(
                jt == "boolean", self.col.op("#>>")(self._pg_path(parts)) == ("true" if value else "false")
            )
        return jt == ("true" if value else "false")


EITHER = "ordercore_either"


def either(*branches: ColumnElement[bool]) -> ColumnElement[bool]:
    """`or_(*branches)`, marked for `Docs.page`: on PostgreSQL a page under it is read as a UNION
    ALL of one ordered, limited walk per branch (each can follow its own index in list order)
    instead of a BitmapOr of every match and a sort (docs/performance.md, "Orders.List All")."""
    cond: ColumnElement[bool] = or_(*branches)._annotate({EITHER: True})
    return cond


def either_branches(cond: ColumnElement[bool]) -> list[ColumnElement[bool]] | None:
    """The branches of an `either` condition (None for any other condition)."""
    if not cond._annotations.get(EITHER):
        return None
    return list(getattr(cond, "clauses", ()))


def _like_pattern(raw: str) -> str:
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append("\\" + nxt if nxt in "%_\\" else nxt)
            i += 2
            continue
        out.append("%" if ch == "*" else "\\" + ch if ch in "%_" else ch)
        i += 1
    return "".join(out).lower()


class Compiler:
    """Turns options into SQL conditions and ordering for one resource."""

    def __init__(self, pg: bool, schema: Schema, *, column: Any = None, id_column: Any = None) -> None:
        self.pg = pg
        self.schema = schema
        self.json = JsonAccess(pg, column)
        self.id_column = resources.c.id if id_column is None else id_column

    def text_of(self, parts: list[str]) -> Any:
        if parts == ["ID"]:
            return self.id_column
        return self.json.text(parts)

    def lower_of(self, parts: list[str]) -> Any:
        """`lower(text_of(parts))`, shared where `JsonAccess` shares it."""
        if parts == ["ID"]:
            return func.lower(self.id_column)
        return self.json.lower_text(parts)

    def filter(self, key: str, raw: str) -> ColumnElement[bool]:
        """One filter; `Name|ID=x` (OR across fields, as OrderCloud's search documents) matches
        when any of the fields does."""
        keys = key.split("|")
        if len(keys) > 1:
            return or_(*(self.filter(k, raw) for k in keys))
        related = self.schema.relation(key)
        if related is not None:
            return self._related(related[0], related[1], raw)
        parts, ftype = self.schema.resolve(key)
        if ftype == "obj" and parts != ["xp"]:
            raise invalid_property(key)
        return or_(*(self._term(parts, ftype, t, raw) for t in parse_terms(raw)))

    def _related(self, relation: Relation | Elements, key: str, raw: str) -> ColumnElement[bool]:
        """EXISTS over the children's (kind, scope) index: no scan of every child per parent."""
        if isinstance(relation, Elements):
            return self._element(relation, key, raw)
        child = resources.alias(f"rel_{relation.kind}")
        inner = Compiler(self.pg, relation.schema, column=child.c.doc, id_column=child.c.id)
        return (
            select(literal(1))
            .where(child.c.kind == relation.kind, child.c.scope == self.id_column, inner.filter(key, raw))
            .exists()
        )

    def _element(self, elements: Elements, key: str, raw: str) -> ColumnElement[bool]:
        """EXISTS over the elements of an array in the document (json_each / jsonb_array_elements):
        read from the row already found, no index involved."""
        item = self.json.elements([elements.path]).alias(f"el_{elements.path.lower()}")
        value = JsonAccess(self.pg, item.c.value)
        inner = Compiler(self.pg, elements.schema, column=item.c.value, id_column=value.text(["ID"]))
        return select(literal(1)).select_from(item).where(inner.filter(key, raw)).exists()

    def _term(self, parts: list[str], ftype: FieldType, term: Term, raw: str) -> ColumnElement[bool]:
        check_term(self.schema, parts, ftype, term, raw)
        pred = self._positive(parts, ftype, term)
        if self.schema.xp_arrays and ftype == "dyn" and parts[0] == "xp" and term.op in ("=", "like"):
            pred = or_(pred, self._array_term(parts, term))
        if term.op == "null":
            return pred if not term.negate else not_(pred)
        if not term.negate:
            # Bare, so an index on the expression applies; a NULL (field absent) excludes the row
            # as false would, since a filter is only ever AND-ed or OR-ed, never negated whole.
            return pred
        return not_(func.coalesce(pred, false()))

    def _array_term(self, parts: list[str], term: Term) -> ColumnElement[bool]:
        """`term` matched against the elements of an array at `parts`, case-insensitively as a
        text value is (`xp.Colors=red` keeps `["Red", "Blue"]`)."""
        if term.op == "like":
            pattern = _like_pattern(term.value)
            return self.json.array_has(parts, lambda text: func.lower(text).like(pattern, escape="\\"))
        wanted = term.value.lower()
        return self.json.array_has(parts, lambda text: func.lower(text) == wanted)

    def _positive(self, parts: list[str], ftype: FieldType, term: Term) -> ColumnElement[bool]:
        j = self.json
        if term.op == "null":
            # Term.negate is True for a bare `*` (present) and False for `!*` (absent or null).
            return j.is_null(parts) if parts != ["ID"] else false()
        if term.op == "like":
            return self.lower_of(parts).like(_like_pattern(term.value), escape="\\")
        if ftype == "bool" or (ftype == "dyn" and term.value.lower() in ("true", "false")):
            wanted = term.value.lower() == "true"  # anything else was refused by _check_value
            return j.is_bool(parts, wanted) if term.op == "=" else false()
        number = as_number(term.value) if ftype in ("num", "dyn") else None
        if ftype == "num" and number is None:
            raise ValidationFailed(
                f"Invalid value for {'.'.join(parts)}: {term.value}",
                "List.InvalidType",
                {"Property": ".".join(parts), "Value": term.value},
            )
        if number is not None and abs(number) > MAX_FILTER_NUMBER:
            raise ValidationFailed(
                f"Number out of range for {'.'.join(parts)}: {term.value}",
                "List.InvalidType",
                {"Property": ".".join(parts), "Value": term.value},
            )
        if number is not None:
            num_pred = _compare(j.num(parts), term.op, _num_literal(self.pg, number))
            if ftype == "dyn" and term.op == "=":
                return or_(num_pred, _compare(self.text_of(parts), "=", term.value))
            return num_pred
        value = as_date(term.value) if ftype == "date" else term.value
        if parts == ["ID"]:  # IDs are case-insensitive: `Acme` is `acme`, and sorts as it
            return _compare(func.lower(self.id_column), term.op, value.lower())
        if term.op == "=" and ftype in ("str", "dyn"):
            return self.lower_of(parts) == value.lower()
        return _compare(self.text_of(parts), term.op, value)

    def search(self, opts: ListOptions, default_fields: Sequence[str]) -> ColumnElement[bool] | None:
        if not opts.search:
            return None
        names = opts.search_on or list(default_fields)
        paths = []
        for name in names:
            try:
                parts, _ = self.schema.resolve(name)
            except ValidationFailed:
                raise ValidationFailed(
                    f"Invalid search property: {name}", "List.InvalidSearchProperty", {"Property": name}
                ) from None
            paths.append(parts)
        if not paths:
            raise ValidationFailed("This resource is not searchable", "List.InvalidSearchProperty")

        def contains(parts: list[str], needle: str, prefix: bool = False) -> ColumnElement[bool]:
            pattern = _like_pattern(needle.replace("*", "\\*")) + "%"
            pattern = pattern if prefix else "%" + pattern
            return func.coalesce(self.lower_of(parts).like(pattern, escape="\\"), false())

        phrase = opts.search.strip()
        terms = [t for t in phrase.split() if t]
        if not terms:
            return None
        kind = opts.search_type
        if kind == "ExactPhrase":
            return or_(*(contains(p, phrase) for p in paths))
        if kind == "ExactPhrasePrefix":
            return or_(*(contains(p, phrase, prefix=True) for p in paths))
        if kind == "AllTermsAnyField":
            return and_(*(or_(*(contains(p, t) for p in paths)) for t in terms))
        if kind == "AllTermsSameField":
            return or_(*(and_(*(contains(p, t) for t in terms)) for p in paths))
        return or_(*(contains(p, t) for p in paths for t in terms))

    def order_by(
        self, sort_by: Sequence[str], sortable: Sequence[str] | None, default: Sequence[str]
    ) -> list[Any]:
        keys = list(sort_by) or list(default)
        allowed = {s.lower() for s in sortable} if sortable is not None else None
        clauses: list[Any] = []
        for key in keys:
            desc = key.startswith("!")
            name = key[1:] if desc else key
            try:
                parts, ftype = self.schema.resolve(name)
            except ValidationFailed:
                raise ValidationFailed(
                    f"Invalid sort property: {name}", "List.InvalidSortProperty", {"Property": name}
                ) from None
            top = parts[0].lower()
            if allowed is not None and top != "xp" and ".".join(parts).lower() not in allowed:
                raise ValidationFailed(
                    f"Invalid sort property: {name}", "List.InvalidSortProperty", {"Property": name}
                )
            for expr in self._sort_keys(parts, ftype):
                clauses.append((expr.desc() if desc else expr.asc()).nulls_last())
        clauses.append(self.id_column.asc())
        return clauses

    def _sort_keys(self, parts: list[str], ftype: FieldType) -> list[Any]:
        """Numbers sort by value; text and IDs case-insensitively (as OrderCloud does), the same on
        both databases; an xp value sorts numbers first, by value, then text, then absent or null."""
        if ftype == "num":
            return [self.json.num(parts)]
        if parts == ["ID"]:
            return [func.lower(self.id_column)]
        if ftype not in ("str", "dyn"):
            return [self.text_of(parts)]
        text_key = self.lower_of(parts)
        return [self.json.num(parts), text_key] if ftype == "dyn" else [text_key]


def _num_literal(pg: bool, number: Decimal) -> Any:
    if pg:
        return cast(literal(str(number)), Numeric)
    return literal(float(number)) if number != number.to_integral_value() else literal(int(number))


def _compare(expr: Any, op: str, value: Any) -> ColumnElement[bool]:
    if op == "=":
        return expr == value
    if op == ">":
        return expr > value
    if op == "<":
        return expr < value
    if op == ">=":
        return expr >= value
    return expr <= value
