"""Whose a token is, and whether it still stands (docs/security-tokens.md).

Every user document carries an immutable internal identity (`_Uid`, random, set at creation,
never changed, never shown) and a token generation (`_TokenGen`, absent = 0). Every token names
the user by `(usrtype, cmp, u)` for the lookup and carries `uid` and `gen`; a token stands only
while the user found there has that very identity and generation, is active, and its company
(buyer or supplier, which carries its own `_TokenGen` as `cgen`) exists, is active and has that
generation. Renaming (ID or Username), deactivating, moving, changing the password or revoking
bumps the user's generation; deactivating a company bumps the company's; deleting removes the
row, and a user recreated with the same ID or Username gets a new identity. So a token never
passes to another person and never outlives the change, and tokens stay stateless.

`token_standing` is the one place that decides (`_judge`); requests ask `StandingCache`, which
keeps what it reads per process and drops it on any write to the user or its company, in every
process (app.store.invalidation), so the rules stay exact without a statement per request."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.users import USER_KINDS
from app.store.db import Database
from app.store.invalidation import COMPANY_KINDS as COMPANY_KINDS_WATCHED
from app.store.invalidation import PENDING, Cache, Change
from app.store.repo import Docs
from app.store.tables import resources

IDENTITY = "_Uid"
GENERATION = "_TokenGen"
COMPANY_KINDS = {"buyer": "buyer", "supplier": "supplier"}

# Why a token no longer stands: the ErrorCode answered.
REVOKED = "Auth.TokenRevoked"
USER_NOT_ACTIVE = "Auth.UserNotActive"
COMPANY_NOT_ACTIVE = "Auth.CompanyNotActive"


def new_identity() -> str:
    return secrets.token_hex(16)


def generation(doc: dict[str, Any] | None) -> int:
    return int((doc or {}).get(GENERATION) or 0)


def bumped(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with its tokens' generation moved on: every token issued so far is refused."""
    return {**doc, GENERATION: generation(doc) + 1}


def identity_claims(user: dict[str, Any], company: dict[str, Any] | None) -> dict[str, Any]:
    """What binds a token to this user (and its company) as they are now."""
    return {"uid": user.get(IDENTITY), "gen": generation(user), "cgen": generation(company)}


def user_change_revokes(existing: dict[str, Any] | None, doc: dict[str, Any]) -> bool:
    """A write to a user that must end its outstanding tokens: a rename (ID or Username), a
    deactivation or a new password."""
    if existing is None:
        return False
    return (
        doc.get("ID") != existing.get("ID")
        or str(doc.get("Username", "")).lower() != str(existing.get("Username", "")).lower()
        or (bool(existing.get("Active")) and not doc.get("Active"))
        or doc.get("_PasswordHash") != existing.get("_PasswordHash")
    )


def company_change_revokes(existing: dict[str, Any] | None, doc: dict[str, Any]) -> bool:
    return existing is not None and bool(existing.get("Active", True)) and not doc.get("Active", True)


def _standing_statement(with_company: bool) -> Select[Any]:
    """Built once: the user row by its unique key, and (for buyer and supplier users) its
    company's row in the same statement."""
    user, company = resources.alias("u"), resources.alias("c")
    where = (
        user.c.kind == bindparam("kind"),
        user.c.scope == bindparam("scope"),
        user.c.id == bindparam("id"),
    )
    if not with_company:
        return select(user.c.doc).where(*where)
    joined = user.outerjoin(
        company,
        (company.c.kind == bindparam("company_kind"))
        & (company.c.scope == "")
        & (company.c.id == user.c.scope),
    )
    return select(user.c.doc, company.c.doc.label("company")).select_from(joined).where(*where)


_STANDING = {False: _standing_statement(False), True: _standing_statement(True)}


def _lookup(claims: dict[str, Any]) -> tuple[str, str, str, str | None] | None:
    """(user kind, scope, user ID, company kind) a token names; anonymous shoppers stand on their
    template user."""
    user_type = str(claims.get("usrtype", ""))
    kind = USER_KINDS.get(user_type)
    if kind is None:
        return None
    user_id = str(claims.get("tmpl") if claims.get("anon") else claims.get("u", ""))
    company_kind = COMPANY_KINDS.get(user_type)
    scope = str(claims.get("cmp", "")) if company_kind else ""
    return kind, scope, user_id, company_kind


async def token_standing(
    conn: AsyncConnection, claims: dict[str, Any]
) -> tuple[str | None, dict[str, Any] | None]:
    """(None, user document) while the token stands, else (ErrorCode, None). One indexed
    statement: the user row by its unique key, joined with its company's row."""
    if claims.get("svc"):
        # Server-minted service tokens (integration events without a context user) name no user.
        return None, None
    target = _lookup(claims)
    if target is None:
        return REVOKED, None
    row = await _read(conn, target)
    if row is None:
        return REVOKED, None
    problem = _judge(claims, row[0], row[1], target[3])
    return (problem, None) if problem else (None, row[0])


async def _read(
    conn: AsyncConnection, target: tuple[str, str, str, str | None]
) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    kind, scope, user_id, company_kind = target
    params = {"kind": kind, "scope": scope, "id": user_id, "company_kind": company_kind}
    row = (await conn.execute(_STANDING[company_kind is not None], params)).first()
    if row is None:
        return None
    return row.doc, (row.company if company_kind else None)


def _judge(
    claims: dict[str, Any], doc: dict[str, Any], company_doc: dict[str, Any] | None, company_kind: str | None
) -> str | None:
    # Another person under the same ID is "revoked" whatever its state; the token's own user
    # says why it was stopped when it was deactivated (its company likewise).
    if doc.get(IDENTITY) != claims.get("uid"):
        return REVOKED
    if not doc.get("Active"):
        return USER_NOT_ACTIVE
    if company_kind is not None:
        if company_doc is None:
            return REVOKED
        if not company_doc.get("Active", True):
            return COMPANY_NOT_ACTIVE
    if generation(doc) != int(claims.get("gen") or 0) or generation(company_doc) != int(
        claims.get("cgen") or 0
    ):
        return REVOKED
    return None


# ---------------------------------------------------------------------------- the cache

# What `_judge` reads of a user or company row: all a cache entry keeps (no password hashes).
_USER_FIELDS = (IDENTITY, "Active", GENERATION)
_COMPANY_FIELDS = ("Active", GENERATION)
_MISSING = "missing"
Standing = tuple[dict[str, Any], dict[str, Any] | None] | str


def _kept(doc: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: doc[f] for f in fields if f in doc}


def _hit_by(key: tuple[str, str, str], change: Change) -> bool:
    """Whether a write (kind, scope, id) may change the standing cached under `key`
    (user kind, company ID or "", user ID), all lower-cased. Bulk writes (no id) hit broadly."""
    kind, scope, row_id = change
    if kind in COMPANY_KINDS_WATCHED:
        return not row_id or key[1] == row_id
    if kind != key[0]:
        return False
    if not row_id:
        return not scope or key[1] == scope
    return key[1] == scope and key[2] == row_id


class StandingCache:
    """`token_standing` for requests, from a per-process cache of what it reads (users and their
    companies by user key), kept exact by `app.store.invalidation`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cache = Cache(db.changes, _hit_by)

    async def problem(self, claims: dict[str, Any], conn: AsyncConnection | None = None) -> str | None:
        """None while the token stands, else the ErrorCode. No statement when the user is cached."""
        if claims.get("svc"):
            return None
        target = _lookup(claims)
        if target is None:
            return REVOKED
        key = (target[0], target[1].lower(), target[2].lower())
        use_cache = await self.cache.ready()
        standing = self.cache.get(key) if use_cache else None
        if standing is None:
            standing = await self._load(target, key, conn, use_cache)
        if isinstance(standing, str):
            return REVOKED
        user, company = standing
        return _judge(claims, user, company, target[3])

    async def _load(
        self,
        target: tuple[str, str, str, str | None],
        key: tuple[str, str, str],
        conn: AsyncConnection | None,
        use_cache: bool,
    ) -> Standing:
        epoch = self.cache.epoch
        if conn is not None:
            row = await _read(conn, target)
        else:
            async with self.db.reader() as own:
                row = await _read(own, target)
        standing: Standing = _MISSING
        if row is not None:
            company = _kept(row[1], _COMPANY_FIELDS) if row[1] is not None else None
            standing = (_kept(row[0], _USER_FIELDS), company)
        if use_cache and not (conn is not None and conn.in_transaction() and _writing(conn)):
            self.cache.put(key, standing, epoch)
        return standing


def _writing(conn: AsyncConnection) -> bool:
    """A connection in a write transaction may see its own uncommitted changes: never cache those."""
    return bool(conn.info.get(PENDING))


async def revoke(docs: Docs, kind: str, user_id: str, scope: str) -> None:
    """`DELETE .../tokens`, `DELETE /me/tokens`: every token of the user issued so far is refused."""
    found = await docs.get(kind, user_id, scope, lock=True)
    if found is None:
        return
    await docs.replace(kind, user_id, bumped(found.doc), scope, version=found.version)
