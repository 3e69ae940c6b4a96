"""Revoking a user's tokens (`DELETE .../tokens`, `DELETE /me/tokens`): the user document keeps the
instant of the last revocation (`_TokensRevokedAt`, epoch milliseconds, server-private); a token
issued before it is refused. Tokens stay stateless: nothing is stored per token."""

from __future__ import annotations

import time
from typing import Any

from app.auth.users import USER_KINDS
from app.store.repo import Docs

FIELD = "_TokensRevokedAt"


def now_ms() -> int:
    return int(time.time() * 1000)


def issued_ms(claims: dict[str, Any]) -> int:
    """When a token was issued; tokens without `iatms` count from the start of their `iat` second."""
    if isinstance(claims.get("iatms"), int):
        return int(claims["iatms"])
    return int(claims.get("iat") or 0) * 1000


def revoked(user: dict[str, Any] | None, claims: dict[str, Any]) -> bool:
    cutoff = user.get(FIELD) if user else None
    return bool(cutoff) and issued_ms(claims) < int(cutoff or 0)


async def user_of(docs: Docs, claims: dict[str, Any]) -> dict[str, Any] | None:
    """The user document a token names (None for anonymous shoppers and unknown users)."""
    kind = USER_KINDS.get(str(claims.get("usrtype", "")))
    if kind is None or claims.get("anon"):
        return None
    scope = "" if kind == "adminuser" else str(claims.get("cmp", ""))
    found = await docs.get(kind, str(claims.get("u", "")), scope)
    return found.doc if found else None


async def revoke(docs: Docs, kind: str, user_id: str, scope: str) -> None:
    found = await docs.get(kind, user_id, scope, lock=True)
    if found is None:
        return
    await docs.replace(kind, user_id, {**found.doc, FIELD: now_ms()}, scope, version=found.version)
