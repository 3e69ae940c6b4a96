"""Assignment documents (product, catalog, spec assignments, ...): they have no ID of their own,
so each is stored under a synthetic `ID` made of its key fields, saved as an upsert, listed with
OrderCloud's list options, and shown without that `ID`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement

from app.list_options import ListOptions, schema_of
from app.store.repo import Docs
from app.unit import Unit
from app.wire import Wire, to_doc, validate
from domain.errors import ValidationFailed

Doc = dict[str, Any]
MAX_KEY = 100


def synthetic_id(*parts: str | None) -> str:
    """Key fields joined with `:`; a hash when that would not fit the 100-character ID column."""
    key = ":".join(p or "" for p in parts)
    if len(key) <= MAX_KEY:
        return key
    return "h:" + hashlib.sha256(key.encode()).hexdigest()


def shown(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if k != "ID" and not k.startswith("_")}


def group_level_conds(docs: Docs, level: str | None) -> list[ColumnElement[bool]]:
    """`level=Group|Company` of a list of assignments to a buyer or one of its groups (products,
    bundles, inventory records): group-level rows name a group, company-level rows none."""
    low = (level or "").lower()
    if low == "group":
        return [~docs.json.is_null(["UserGroupID"])]
    if low == "company":
        return [docs.json.is_null(["UserGroupID"])]
    if low:
        raise ValidationFailed("level must be Group or Company", "ValidationFailure", {"level": level})
    return []


def parse(data: Mapping[str, Any], struct: type[Wire]) -> Doc:
    doc: Doc = to_doc(validate(dict(data), struct))
    return doc


async def upsert(docs: Docs, kind: str, doc: Doc, key_fields: Sequence[str], scope: str = "") -> Doc:
    """Save an assignment: a second save with the same key fields replaces the first."""
    stored = {**doc, "ID": synthetic_id(*(doc.get(f) for f in key_fields))}
    if await docs.exists(kind, stored["ID"], scope):
        await docs.replace(kind, stored["ID"], stored, scope)
    else:
        await docs.insert(kind, stored, scope)
    return shown(stored)


async def list_page(
    ctx: Unit,
    options: Callable[..., ListOptions],
    kind: str,
    struct: type[Wire],
    *,
    params: Mapping[str, str],
    conds: Sequence[ColumnElement[bool]] = (),
    scope: str | None = "",
    sort: Sequence[str],
    extra_params: Sequence[str] = (),
) -> dict[str, Any]:
    """One page of assignments. `params` maps query parameters (`productID`) to the field they
    select on (`ProductID`); other query keys are ordinary filters on the assignment's fields,
    except `extra_params` (endpoint options such as `level`, which the caller turns into `conds`).
    `options(params=...)` parses the request's list options (the route passes `ctx.list_options`)."""
    opts = options(params=(*params, *extra_params))
    docs = ctx.docs
    where = list(conds)
    for name, field in params.items():
        value = opts.params.get(name)
        if value:
            where.extend(docs.eq(**{field: value}))
    page = await docs.page(
        kind,
        opts,
        schema_of(struct),
        conds=where,
        scope=scope,
        searchable=sort,
        sortable=None,
        default_sort=sort,
    )
    page.items[:] = [shown(d) for d in page.items]
    return page.wire()
