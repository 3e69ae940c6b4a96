"""Which locale (currency and language) a buyer user shops in: a locale assigned to one of the
user's groups, else the one assigned to the user's buyer, else none (USD, the default).
Rules where OrderCloud is silent: docs/catalog-config.md, "Locales"."""

from __future__ import annotations

from typing import Any

from app.auth.users import group_ids
from app.store.repo import Docs

KIND = "locale"
ASSIGN_KIND = "localeassignment"
# A buyer, or a user group of it, has one locale: a second assignment replaces the first.
ASSIGN_KEYS = ("BuyerID", "UserGroupID")


async def locale_of(docs: Docs, buyer_id: str, user_id: str) -> dict[str, Any] | None:
    """The locale a buyer user's orders take their Currency from. Among several groups with a
    locale, the first by group ID wins (so the answer never depends on insertion order)."""
    rows = await docs.all(ASSIGN_KIND, *docs.eq(BuyerID=buyer_id))
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
