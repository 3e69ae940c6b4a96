"""Which locale (currency and language) a buyer user shops in: a locale assigned to one of the
user's groups, else the one assigned to the user's buyer, else none (USD, the default).
Rules where OrderCloud is silent: docs/catalog-config.md, "Locales"."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select

from app.auth.users import group_ids
from app.catalog import assignments
from app.listing import JsonAccess
from app.store.prepared import Prepared
from app.store.repo import Docs
from app.store.tables import resources
from domain.errors import Conflict, ValidationFailed

KIND = "locale"
ASSIGN_KIND = "localeassignment"
# A buyer, or a user group of it, has one locale: a second assignment replaces the first.
ASSIGN_KEYS = ("BuyerID", "UserGroupID")


async def locale_of(docs: Docs, buyer_id: str, user_id: str) -> dict[str, Any] | None:
    """The locale a buyer user's orders take their Currency from. Among several groups with a
    locale, the first by group ID wins (so the answer never depends on insertion order)."""
    rows = [row[0] for row in await _buyer_assignments(docs.pg).rows(docs.conn, {"buyer_id": buyer_id})]
    if not rows:
        return None
    groups = set(await group_ids(docs, "buyer", buyer_id, user_id))
    by_group = sorted((r for r in rows if r.get("UserGroupID") in groups), key=lambda r: r["UserGroupID"])
    company = [r for r in rows if not r.get("UserGroupID")]
    for row in [*by_group, *company]:
        found = await docs.get(KIND, row["LocaleID"])
        if found is not None:
            return {k: found.doc.get(k) for k in ("ID", "Currency", "Language")}
    return None


@cache
def _buyer_assignments(pg: bool) -> Prepared:
    """`docs.all(ASSIGN_KIND, *docs.eq(BuyerID=...))`, built once and run prepared: every new
    cart reads it (app.store.prepared)."""
    r = resources.c
    by_buyer = JsonAccess(pg).text(["BuyerID"]) == bindparam("buyer_id")
    return Prepared(select(r.doc).where(r.kind == ASSIGN_KIND, by_buyer).order_by(r.pk))


async def check_unique(docs: Docs, doc: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """Two locales never share a Currency and Language (Locale.DuplicateLanguageAndCurrency)."""
    same = docs.eq(Currency=doc.get("Currency"), Language=doc.get("Language"))
    if existing is not None:
        same.append(docs.json.text(["ID"]) != existing["ID"])
    if await docs.count(KIND, *same):
        raise Conflict(
            "A locale with this Currency and Language exists already",
            "Locale.DuplicateLanguageAndCurrency",
            {"Currency": doc.get("Currency"), "Language": doc.get("Language")},
        )


async def delete_assignments(docs: Docs, locale_id: str) -> None:
    await docs.delete_where(ASSIGN_KIND, *docs.eq(LocaleID=locale_id))


def level_conds(docs: Docs, level: str | None, user_id: str | None) -> list[ColumnElement[bool]]:
    """`level` (Company | Group) on the assignment list; locales are never assigned to users, so
    `level=User` or a `userID` match nothing."""
    low = (level or "").lower()
    if low == "group":
        return [~docs.json.is_null(["UserGroupID"])]
    if low == "company":
        return list(docs.eq(UserGroupID=None))
    if low == "user" or user_id:
        return [docs.json.text(["ID"]).is_(None)]
    if low:
        raise ValidationFailed("level must be User, Group or Company", "ValidationFailure", {"level": level})
    return []


async def save_assignment(docs: Docs, doc: dict[str, Any]) -> None:
    """Assign a locale to a buyer or one of its groups (all three must exist), replacing the one
    it had."""
    doc["LocaleID"] = (await docs.require(KIND, doc["LocaleID"], object_type="Locale")).doc["ID"]
    doc["BuyerID"] = (await docs.require("buyer", doc["BuyerID"], object_type="Buyer")).doc["ID"]
    if doc.get("UserGroupID"):
        group = await docs.require("usergroup", doc["UserGroupID"], doc["BuyerID"], object_type="UserGroup")
        doc["UserGroupID"] = group.doc["ID"]
    await assignments.upsert(docs, ASSIGN_KIND, doc, ASSIGN_KEYS)


async def delete_assignment(docs: Docs, locale_id: str, buyer_id: str | None, group_id: str | None) -> None:
    locale = (await docs.require(KIND, locale_id, object_type="Locale")).doc
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    await docs.delete_where(
        ASSIGN_KIND, *docs.eq(LocaleID=locale["ID"], BuyerID=buyer_id, UserGroupID=group_id or None)
    )
