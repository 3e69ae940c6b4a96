"""The webhook outbox and its delivery log: plain SQL over `outbox` and `delivery_attempts`.

Outbox rows are written in the same transaction as the change that caused them, claimed by a
worker, and updated after every attempt. Statuses: `Pending` (waiting for its next attempt, or
being attempted under a lease), `Delivered`, `Failed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store.repo import Docs
from app.store.tables import delivery_attempts, outbox, resources

# The caller's bearer token a delivery carries, kept out of the stored payload (app.webhooks.redact)
# and only while the delivery may still be sent: a document keyed by the delivery ID.
TOKEN_KIND = "outboxtoken"
PENDING = "Pending"
DELIVERED = "Delivered"
FAILED = "Failed"

OB = outbox.c
A = delivery_attempts.c


def aware(dt: datetime) -> datetime:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass(frozen=True)
class OutboxRow:
    pk: int
    webhook_id: str
    delivery_id: str
    ordering_key: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    body: str
    last_error: str | None
    request_id: str | None = None
    # Filled in for claimed rows only (`claim_due`); never shown.
    user_token: str | None = None

    @classmethod
    def of(cls, row: Any) -> OutboxRow:
        m = row._mapping
        return cls(
            pk=m["pk"],
            webhook_id=m["webhook_id"],
            delivery_id=m["delivery_id"],
            ordering_key=m["ordering_key"],
            status=m["status"],
            attempts=m["attempts"],
            next_attempt_at=aware(m["next_attempt_at"]),
            created_at=aware(m["created_at"]),
            body=m["body"],
            last_error=m["last_error"],
            request_id=m["request_id"],
        )


async def enqueue(
    conn: AsyncConnection,
    *,
    webhook_id: str,
    delivery_id: str,
    ordering_key: str | None,
    body: str,
    now: datetime,
    request_id: str | None = None,
    user_token: str | None = None,
) -> None:
    """`body` is the payload as stored (already redacted); `user_token` the token to send in it."""
    if user_token:
        await Docs(conn).insert(TOKEN_KIND, {"ID": delivery_id, "_UserToken": user_token})
    await conn.execute(
        insert(outbox).values(
            request_id=request_id,
            webhook_id=webhook_id,
            delivery_id=delivery_id,
            ordering_key=ordering_key,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            body=body,
        )
    )


async def claim_due(conn: AsyncConnection, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxRow]:
    """Take up to `limit` due deliveries and push their next attempt `lease` into the future.

    Run it in its own short transaction: once committed, other workers no longer see the rows as
    due, and a worker that dies mid-delivery leaves them to be retried when the lease runs out.
    A row is not claimable while an older row with the same ordering key is still Pending, so
    deliveries about one order go out in creation order (a retrying one holds the later ones back).
    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent workers claim disjoint rows without
    waiting on each other; SQLite writers are serialized by the database itself.
    """
    older = outbox.alias("older")
    blocked = exists().where(
        older.c.ordering_key == OB.ordering_key,
        older.c.status == PENDING,
        older.c.pk < OB.pk,
    )
    stmt = (
        select(outbox)
        .where(OB.status == PENDING, OB.next_attempt_at <= now, ~blocked)
        .order_by(OB.next_attempt_at, OB.pk)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=outbox)
    rows = [OutboxRow.of(r) for r in await conn.execute(stmt)]
    if rows:
        await conn.execute(
            update(outbox).where(OB.pk.in_([r.pk for r in rows])).values(next_attempt_at=now + lease)
        )
        tokens = {
            d["ID"]: d.get("_UserToken")
            for d in await Docs(conn).all(TOKEN_KIND, resources.c.id.in_([r.delivery_id for r in rows]))
        }
        rows = [replace(r, user_token=tokens.get(r.delivery_id)) for r in rows]
    return rows


async def record_attempt(
    conn: AsyncConnection,
    row: OutboxRow,
    *,
    attempted_at: datetime,
    status_code: int | None,
    duration_ms: float,
    error: str | None,
    response_body: str | None,
    new_status: str,
    next_attempt_at: datetime | None,
) -> None:
    """Log one attempt and move the delivery on (Delivered, Failed, or Pending until later)."""
    await conn.execute(
        insert(delivery_attempts).values(
            delivery_id=row.delivery_id,
            attempted_at=attempted_at,
            status_code=status_code,
            duration_ms=round(duration_ms),
            error=error,
            response_body=response_body,
        )
    )
    values: dict[str, Any] = {"status": new_status, "attempts": OB.attempts + 1}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if new_status == DELIVERED:
        values["last_error"] = None
    elif error is not None or status_code is not None:
        values["last_error"] = error or f"HTTP {status_code}"
    # Only a row still pending is ours to move: a manual retry may have reset it meanwhile.
    await conn.execute(update(outbox).where(OB.pk == row.pk, OB.status == PENDING).values(**values))
    if new_status != PENDING:
        # Sent or given up: the token is no longer needed, so it no longer rests in the database.
        # (A manual retry afterwards sends UserToken null; the caller's token has expired by then.)
        await Docs(conn).delete(TOKEN_KIND, row.delivery_id)


async def flush_waiting(
    conn: AsyncConnection, webhook_ids: Sequence[str], *, now: datetime, beyond: timedelta
) -> int:
    """Make due now the pending deliveries of `webhook_ids` that wait for a retry more than
    `beyond` away: their endpoint just took a delivery, so the backoff has no reason left.

    `beyond` must exceed the claim lease: a row being attempted right now has its next attempt
    at most one lease ahead, so it is never touched (no double delivery). The per-order rule of
    `claim_due` still holds, so flushed deliveries go out in order. Returns the rows moved.
    """
    if not webhook_ids:
        return 0
    result = await conn.execute(
        update(outbox)
        .where(
            OB.status == PENDING,
            OB.next_attempt_at > now + beyond,
            OB.webhook_id.in_(sorted(set(webhook_ids))),
        )
        .values(next_attempt_at=now)
    )
    return int(result.rowcount or 0)


async def page(
    conn: AsyncConnection, webhook_id: str, *, page: int, page_size: int, status: str | None
) -> tuple[list[OutboxRow], int]:
    """Newest first."""
    where = [OB.webhook_id == webhook_id]
    if status is not None:
        where.append(func.lower(OB.status) == status.lower())
    total = int(
        (await conn.execute(select(func.count()).select_from(outbox).where(and_(*where)))).scalar_one()
    )
    stmt = select(outbox).where(*where).order_by(OB.pk.desc()).limit(page_size).offset((page - 1) * page_size)
    return [OutboxRow.of(r) for r in await conn.execute(stmt)], total


async def get(conn: AsyncConnection, webhook_id: str, delivery_id: str) -> OutboxRow | None:
    row = (
        await conn.execute(select(outbox).where(OB.webhook_id == webhook_id, OB.delivery_id == delivery_id))
    ).first()
    return OutboxRow.of(row) if row else None


async def attempts_of(conn: AsyncConnection, delivery_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each delivery's attempts, oldest first, as raw column values."""
    found: dict[str, list[dict[str, Any]]] = {d: [] for d in delivery_ids}
    if not delivery_ids:
        return found
    stmt = select(delivery_attempts).where(A.delivery_id.in_(list(delivery_ids))).order_by(A.pk)
    for r in await conn.execute(stmt):
        m = dict(r._mapping)
        m["attempted_at"] = aware(m["attempted_at"])
        found[m["delivery_id"]].append(m)
    return found


async def make_due(conn: AsyncConnection, row: OutboxRow, *, now: datetime) -> None:
    """A manual retry: due now. A Failed or Delivered delivery goes back to Pending with its
    attempt count (which drives the retry schedule) reset; the attempt log keeps its history."""
    values: dict[str, Any] = {"next_attempt_at": now}
    if row.status != PENDING:
        values.update(status=PENDING, attempts=0)
    await conn.execute(update(outbox).where(OB.pk == row.pk).values(**values))
