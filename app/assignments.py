"""Assignments (group membership, security-profile, API-client and address assignments) are
documents whose identity is the set of IDs they join. This module gives them a deterministic
synthetic `ID`, saves them idempotently and lists them with OrderCloud list options."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_

from app.auth.users import group_ids
from app.http import Ctx
from app.list_options import ListOptions, Schema
from app.store.repo import Docs
from app.wire import check_id
from domain.errors import ValidationFailed

Doc = dict[str, Any]
_KEY_LIMIT = 100  # the `resources.id` column width


def assignment_id(*parts: str | None) -> str:
    """`a:b::d` for the joined IDs (IDs never contain `:`); a digest when that would not fit."""
    joined = ":".join(p or "" for p in parts)
    if len(joined) <= _KEY_LIMIT:
        return joined
    return "h:" + hashlib.sha256(joined.encode()).hexdigest()


def wire(doc: Doc) -> Doc:
    """What callers see of an assignment: no synthetic ID, no private keys."""
    return {k: v for k, v in doc.items() if k != "ID" and not k.startswith("_")}


async def upsert(docs: Docs, kind: str, doc: Doc, scope: str = "") -> None:
    """Saving an assignment twice is not an error (OrderCloud's SaveAssignment is create-or-update)."""
    found = await docs.get(kind, doc["ID"], scope)
    if found is None:
        await docs.insert(kind, doc, scope)
    elif found.doc != doc:
        await docs.replace(kind, doc["ID"], doc, scope)


def optional_id(value: str | None, field: str) -> str | None:
    # Only absent, null or "" mean "none": `0`, `false` or `{}` are refused, not ignored.
    return None if value is None or value == "" else check_id(value, field)


def parse_bool(value: str, name: str) -> bool:
    low = value.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise ValidationFailed(
        f"{name} must be true or false", "ValidationFailure", {"Field": name, "Value": value}
    )


def level_conds(docs: Docs, level: str | None) -> list[ColumnElement[bool]]:
    """`level=User|Group|Company`: user-level rows name a user, group-level rows a group, and
    company-level rows neither."""
    if level is None:
        return []
    low = level.strip().lower()
    if low == "user":
        return [not_(docs.eq(UserID=None)[0])]
    if low == "group":
        return [not_(docs.eq(UserGroupID=None)[0])]
    if low == "company":
        return docs.eq(UserID=None, UserGroupID=None)
    raise ValidationFailed(
        "level must be User, Group or Company", "ValidationFailure", {"Field": "level", "Value": level}
    )


def reach_cond(docs: Docs, user_id: str, group_ids: Sequence[str]) -> ColumnElement[bool]:
    """Assignment rows that reach a user: to the user, to one of its groups, or to the whole
    company (neither UserID nor UserGroupID)."""
    reach: list[ColumnElement[bool]] = [
        docs.eq(UserID=user_id)[0],
        and_(*docs.eq(UserID=None, UserGroupID=None)),
    ]
    if group_ids:
        reach.append(docs.field_in("UserGroupID", list(group_ids)))
    return or_(*reach)


async def buyer_user_reach(docs: Docs, user_id: str, buyer_id: str | None) -> ColumnElement[bool]:
    """`userID` on lists of assignments that name a buyer and maybe a group (products,
    promotions): the rows that reach that buyer user, company-wide or through one of its groups.
    Without `buyerID` the user is looked for in every buyer; no such user reaches nothing."""
    users = await docs.all_stored("user", docs.id_is(user_id), scope=buyer_id or None)
    reach: list[ColumnElement[bool]] = []
    for user in users:
        groups = await group_ids(docs, "buyer", user.scope, user_id)
        in_groups = docs.field_in("UserGroupID", groups) if groups else false()
        reach.append(and_(docs.eq(BuyerID=user.scope)[0], or_(docs.eq(UserGroupID=None)[0], in_groups)))
    return or_(*reach) if reach else false()


async def list_page(
    ctx: Ctx,
    kind: str,
    schema: Schema,
    opts: ListOptions,
    *,
    fields: Mapping[str, str],
    scope: str | None = None,
    conds: Sequence[ColumnElement[bool]] = (),
) -> Doc:
    """One page of assignments; `fields` maps query parameters (`buyerID`) to document fields."""
    docs = ctx.docs
    where = list(conds)
    for param, field in fields.items():
        value = opts.params.get(param)
        if value:
            where.extend(docs.eq(**{field: value}))
    page = await docs.page(kind, opts, schema, conds=where, scope=scope, searchable=(), default_sort=())
    page.items[:] = [wire(d) for d in page.items]
    return page.wire()
