"""Account lockout after wrong passwords (OrderCloud's PasswordConfig.AllowedFailedAttempts /
LockoutDuration; `Settings.lockout_attempts` / `lockout_minutes` when no profile sets them).

The user document counts wrong passwords in a row in `FailedLoginAttempts` (OrderCloud's own,
read-only field) and, once locked, keeps the end of the lock in `_LockedUntil` (epoch seconds,
server-private). A locked account refuses every password, the right one included, with
`Auth.LockedOut` until the lock ends or a user admin unlocks it (`POST .../unlock`). A right
password resets the count."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from app.auth.users import USER_KINDS, FoundUser, lockout_policy
from app.store.repo import Docs

if TYPE_CHECKING:
    from app.state import Services

LOCKED_UNTIL = "_LockedUntil"


def _where(user: FoundUser) -> tuple[str, str]:
    return USER_KINDS[user.user_type], "" if user.user_type == "admin" else user.company_id


def locked_for(doc: dict[str, Any], now: float | None = None) -> int:
    """Seconds the account stays locked (0: not locked)."""
    until = float(doc.get(LOCKED_UNTIL) or 0)
    left = until - (time.time() if now is None else now)
    return int(left) + 1 if left > 0 else 0


def unlocked(doc: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in doc.items() if k != LOCKED_UNTIL}, "FailedLoginAttempts": 0}


async def record_failure(services: Services, user: FoundUser) -> None:
    """Count a wrong password; lock the account when the count reaches the allowed attempts."""
    kind, scope = _where(user)
    settings = services.settings
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        found = await docs.get(kind, str(user.doc["ID"]), scope, lock=True)
        if found is None:
            return
        doc = dict(found.doc)
        now = time.time()
        expired_lock = bool(doc.get(LOCKED_UNTIL)) and not locked_for(doc, now)
        count = (0 if expired_lock else int(doc.get("FailedLoginAttempts") or 0)) + 1
        doc.pop(LOCKED_UNTIL, None)
        attempts, minutes = await lockout_policy(
            docs, user, settings.lockout_attempts, settings.lockout_minutes
        )
        if attempts > 0 and count >= attempts:
            doc[LOCKED_UNTIL] = int(now) + minutes * 60
        doc["FailedLoginAttempts"] = count
        await docs.replace(kind, str(doc["ID"]), doc, scope, version=found.version)


async def clear_failures(services: Services, user: FoundUser) -> None:
    """After a right password: the count starts again (a write only when there is one)."""
    if not user.doc.get("FailedLoginAttempts") and LOCKED_UNTIL not in user.doc:
        return
    kind, scope = _where(user)
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        found = await docs.get(kind, str(user.doc["ID"]), scope, lock=True)
        if found is not None:
            await docs.replace(kind, str(found.doc["ID"]), unlocked(found.doc), scope, version=found.version)
