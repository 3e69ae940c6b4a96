"""The webhook outbox and its delivery log: plain SQL over `outbox` and `delivery_attempts`.

Outbox rows are written in the same transaction as the change that caused them, claimed by a
worker, and updated after every attempt. Statuses: `Pending` (waiting for its next attempt, or
being attempted under a lease), `Delivered`, `Failed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Integer,
    Select,
    String,
    all_,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from app.store.repo import Docs
from app.store.tables import delivery_attempts, outbox, resources

# The caller's bearer token a delivery carries, kept out of the stored payload (app.webhooks.redact)
# and only while the delivery may still be sent: a document keyed by the delivery ID.
TOKEN_KIND = "outboxtoken"
PENDING = "Pending"
DELIVERED = "Delivered"
FAILED = "Failed"
# Outbox row kinds: a webhook post-hook, or a notification (app.notifications) sent by email or
# posted to a message sender's URL. `webhook_id` names the webhook or the message sender.
WEBHOOK = "webhook"
EMAIL = "email"
MESSAGE = "message"

OB = outbox.c
A = delivery_attempts.c


def among(
    conn: AsyncConnection, column: Any, values: Sequence[Any], *, negate: bool = False
) -> ColumnElement[bool]:
    """`column IN values` (NOT IN with `negate`). On PostgreSQL `= ANY(array)`: one bound array
    keeps the statement's text the same whatever the number of values, so asyncpg prepares it
    once instead of once per batch size (the worker's claims and outcomes vary in size)."""
    if conn.dialect.name != "postgresql":
        return column.not_in(values) if negate else column.in_(values)
    kind = BigInteger() if values and isinstance(values[0], int) else String()
    array = bindparam(None, list(values), type_=ARRAY(kind))
    return column != all_(array) if negate else column == any_(array)


def aware(dt: datetime) -> datetime:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass(frozen=True, slots=True)
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
    kind: str = WEBHOOK

    @classmethod
    def of(cls, row: Any, user_token: str | None = None) -> OutboxRow:
        # Positional, in `outbox`'s column order (`select(outbox)`): the worker builds one per
        # claimed delivery, and reading through `row._mapping` cost more than the rest of it.
        pk, webhook_id, delivery_id, key, status, attempts, next_at, created, body, error, rid, kind = row
        return cls(
            pk,
            webhook_id,
            delivery_id,
            key,
            status,
            attempts,
            aware(next_at),
            aware(created),
            body,
            error,
            rid,
            user_token,
            kind,
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
    kind: str = WEBHOOK,
) -> None:
    """`body` is the payload as stored (already redacted); `user_token` the token (or, for a
    notification, the secret such as a verification code) to send in it, kept apart until sent."""
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
            kind=kind,
        )
    )


def _among_param(pg: bool, column: Any, name: str, kind: Any, *, negate: bool = False) -> ColumnElement[bool]:
    """`among` with its values bound at execution under `name`: for the statements below, built
    once per dialect (an expanding IN on SQLite, one array on PostgreSQL, as `among`)."""
    if not pg:
        values: BindParameter[Any] = bindparam(name, expanding=True)
        return column.not_in(values) if negate else column.in_(values)
    array = bindparam(name, type_=ARRAY(kind))
    return column != all_(array) if negate else column == any_(array)


@cache
def _heads_statement(pg: bool) -> Select[Any]:
    """The claim's heads (`claim_due`), built once per dialect: it runs on every claim, and
    rebuilding its alias (and the followers' subquery) with their column collections showed in
    the worker's profile. Binds `c_now` and `c_limit`."""
    older = outbox.alias("older")
    blocked = exists().where(
        older.c.ordering_key == OB.ordering_key,
        older.c.status == PENDING,
        older.c.pk < OB.pk,
    )
    stmt = (
        select(outbox)
        .where(
            OB.status == PENDING,
            OB.next_attempt_at <= bindparam("c_now", type_=OB.next_attempt_at.type),
            ~blocked,
        )
        .order_by(OB.next_attempt_at, OB.pk)
        .limit(bindparam("c_limit", type_=Integer()))
    )
    if pg:
        stmt = stmt.with_for_update(skip_locked=True, of=outbox)
    return stmt


@cache
def _followers_statement(pg: bool) -> Select[Any]:
    """The heads' followers (`_with_followers`), built once per dialect. Binds `f_keys` (the
    heads' ordering keys), `f_heads` (their primary keys) and `f_chain`."""
    # The key's next pending rows after its head, numbered; FOR UPDATE cannot sit beside a
    # window function on PostgreSQL, so the numbering picks primary keys and an outer select locks.
    ranked = (
        select(
            OB.pk,
            func.row_number().over(partition_by=OB.ordering_key, order_by=OB.pk).label("n"),
        )
        .where(
            OB.status == PENDING,
            _among_param(pg, OB.ordering_key, "f_keys", String()),
            _among_param(pg, OB.pk, "f_heads", BigInteger(), negate=True),
        )
        .subquery()
    )
    pks = select(ranked.c.pk).where(ranked.c.n < bindparam("f_chain", type_=Integer()))
    stmt = select(outbox).where(OB.pk.in_(pks)).order_by(OB.pk)
    if pg:
        stmt = stmt.with_for_update(of=outbox)
    return stmt


async def claim_due(
    conn: AsyncConnection,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    chain: int = 1,
    step: timedelta | None = None,
) -> list[OutboxRow]:
    """Take up to `limit` due deliveries and push their next attempt `lease` into the future.

    Run it in its own short transaction: once committed, other workers no longer see the rows as
    due, and a worker that dies mid-delivery leaves them to be retried when the lease runs out.
    A row is not claimable while an older row with the same ordering key is still Pending, so
    deliveries about one order go out in creation order (a retrying one holds the later ones back).
    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent workers claim disjoint rows without
    waiting on each other; SQLite writers are serialized by the database itself.

    With `chain` > 1, each claimed head of an ordering key brings up to `chain - 1` of the key's
    next due rows (in order, stopping at the first one not due), for the caller to send strictly
    one after another. No other worker can take them: the head is still Pending, so they stay
    blocked for everyone else. The n-th row of a chain is leased `n * step` longer (`step`: one
    attempt's deadline), since it is sent only after the ones before it. Rows come back grouped
    by key, each chain in order.
    """
    pg = conn.dialect.name == "postgresql"
    params = {"c_now": now, "c_limit": limit}
    heads = [OutboxRow.of(r) for r in await conn.execute(_heads_statement(pg), params)]
    if not heads:
        return []
    rows = heads
    if chain > 1:
        rows = await _with_followers(conn, heads, now=now, chain=chain, pg=pg)
    await _lease(conn, rows, now=now, lease=lease, step=step or timedelta(0))
    tokens = {
        d["ID"]: d.get("_UserToken")
        for d in await Docs(conn).all(TOKEN_KIND, among(conn, resources.c.id, [r.delivery_id for r in rows]))
    }
    if not tokens:  # the usual case: no delivery of this claim carries a caller's token
        return rows
    return [_with_token(r, tokens.get(r.delivery_id)) for r in rows]


def _with_token(row: OutboxRow, token: str | None) -> OutboxRow:
    return row if token is None else replace(row, user_token=token)


async def _with_followers(
    conn: AsyncConnection, heads: list[OutboxRow], *, now: datetime, chain: int, pg: bool
) -> list[OutboxRow]:
    keyed = {r.ordering_key: r for r in heads if r.ordering_key is not None}
    if not keyed:
        return heads
    params = {"f_keys": sorted(keyed), "f_heads": [r.pk for r in heads], "f_chain": chain}
    following: dict[str, list[OutboxRow]] = {}
    stopped: set[str] = set()
    for r in (OutboxRow.of(x) for x in await conn.execute(_followers_statement(pg), params)):
        key = r.ordering_key
        if key is None or key in stopped:
            continue
        if r.next_attempt_at > now:  # a chain is contiguous: it ends at the first row not due
            stopped.add(key)
            continue
        following.setdefault(key, []).append(r)
    rows: list[OutboxRow] = []
    for head in heads:
        rows.append(head)
        if head.ordering_key is not None:
            rows.extend(following.get(head.ordering_key, []))
    return rows


async def _lease(
    conn: AsyncConnection, rows: list[OutboxRow], *, now: datetime, lease: timedelta, step: timedelta
) -> None:
    # One UPDATE whatever the number of rows: the rows grouped by their place in their chain
    # (at most `chain` groups, one lease end each), rather than an executemany of one row each.
    position: dict[str, int] = {}
    by_place: dict[int, list[int]] = {}
    for r in rows:
        n = 0
        if r.ordering_key is not None:
            n = position.get(r.ordering_key, 0)
            position[r.ordering_key] = n + 1
        by_place.setdefault(n, []).append(r.pk)
    until = OB.next_attempt_at.type
    ends = {n: bindparam(f"b_until_{n}", now + lease + n * step, type_=until) for n in by_place}
    if len(by_place) == 1:
        value: Any = next(iter(ends.values()))
    else:
        value = case(
            *((among(conn, OB.pk, pks), ends[n]) for n, pks in by_place.items()), else_=OB.next_attempt_at
        )
    await conn.execute(
        update(outbox).where(among(conn, OB.pk, [r.pk for r in rows])).values(next_attempt_at=value)
    )


@dataclass(frozen=True)
class Attempt:
    """One attempt's outcome to record (`record_attempts`)."""

    row: OutboxRow
    attempted_at: datetime
    status_code: int | None
    duration_ms: float
    error: str | None
    response_body: str | None
    new_status: str
    next_attempt_at: datetime | None


async def record_attempts(conn: AsyncConnection, attempts: Sequence[Attempt]) -> None:
    """Log the attempts and move each delivery on (Delivered, Failed, or Pending until later), in
    a fixed number of statements (one per kind of change) whatever their number."""
    if not attempts:
        return
    await conn.execute(
        insert(delivery_attempts),
        [
            {
                "delivery_id": a.row.delivery_id,
                "attempted_at": a.attempted_at,
                "status_code": a.status_code,
                "duration_ms": round(a.duration_ms),
                "error": a.error,
                "response_body": a.response_body,
            }
            for a in attempts
        ],
    )
    # Deliveries that succeeded all move the same way: one UPDATE over their keys, no
    # per-row parameters (the common case, and the one a busy worker records most).
    delivered = [a.row.pk for a in attempts if a.new_status == DELIVERED]
    if delivered:
        await conn.execute(
            update(outbox)
            .where(among(conn, OB.pk, delivered), OB.status == PENDING)
            .values(status=DELIVERED, attempts=OB.attempts + 1, last_error=None)
        )
    groups: dict[tuple[bool, bool], list[dict[str, Any]]] = {}
    for a in attempts:
        if a.new_status == DELIVERED:
            continue
        sets_error = a.error is not None or a.status_code is not None
        one: dict[str, Any] = {
            "b_pk": a.row.pk,
            "b_status": a.new_status,
            "b_next": a.next_attempt_at,
            "b_error": (a.error or f"HTTP {a.status_code}") if sets_error else None,
        }
        groups.setdefault((a.next_attempt_at is not None, sets_error), []).append(one)
    for (moves, sets_error), params in groups.items():
        values: dict[str, Any] = {"status": bindparam("b_status"), "attempts": OB.attempts + 1}
        if moves:
            values["next_attempt_at"] = bindparam("b_next", type_=OB.next_attempt_at.type)
        if sets_error:
            values["last_error"] = bindparam("b_error")
        # Only a row still pending is ours to move: a manual retry may have reset it meanwhile.
        stmt = update(outbox).where(OB.pk == bindparam("b_pk"), OB.status == PENDING).values(**values)
        await conn.execute(stmt, params)
    # Sent or given up: the token is no longer needed, so it no longer rests in the database.
    # Only claimed rows that carried one have one (`claim_due` reads them all).
    done = [a.row.delivery_id for a in attempts if a.new_status != PENDING and a.row.user_token]
    if done:
        await Docs(conn).delete_where(TOKEN_KIND, among(conn, resources.c.id, done))


async def release(conn: AsyncConnection, rows: Sequence[OutboxRow]) -> None:
    """Give back claimed rows that were not attempted (the rest of a chain whose earlier delivery
    must be retried first): due again when they were before the claim, still blocked by the
    key's older pending row."""
    if rows:
        await conn.execute(
            update(outbox)
            .where(OB.pk == bindparam("b_pk"), OB.status == PENDING)
            .values(next_attempt_at=bindparam("b_until", type_=OB.next_attempt_at.type)),
            [{"b_pk": r.pk, "b_until": r.next_attempt_at} for r in rows],
        )


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
            among(conn, OB.webhook_id, sorted(set(webhook_ids))),
            OB.kind == WEBHOOK,
        )
        .values(next_attempt_at=now)
    )
    return int(result.rowcount or 0)


async def page(
    conn: AsyncConnection,
    webhook_id: str,
    *,
    page: int,
    page_size: int,
    status: str | None,
) -> tuple[list[OutboxRow], int]:
    """A webhook's (or event subscription's) deliveries, newest first."""
    where = [OB.webhook_id == webhook_id, OB.kind == WEBHOOK]
    if status is not None:
        where.append(func.lower(OB.status) == status.lower())
    total = int(
        (await conn.execute(select(func.count()).select_from(outbox).where(and_(*where)))).scalar_one()
    )
    stmt = select(outbox).where(*where).order_by(OB.pk.desc()).limit(page_size).offset((page - 1) * page_size)
    return [OutboxRow.of(r) for r in await conn.execute(stmt)], total


async def get(conn: AsyncConnection, webhook_id: str, delivery_id: str) -> OutboxRow | None:
    where = (OB.webhook_id == webhook_id, OB.delivery_id == delivery_id, OB.kind == WEBHOOK)
    row = (await conn.execute(select(outbox).where(*where))).first()
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


async def recent(
    conn: AsyncConnection,
    *,
    limit: int,
    ordering_key: str | None = None,
    status: str | None = None,
) -> list[OutboxRow]:
    """The newest deliveries of every webhook (the console's delivery log), optionally those
    about one order (`ordering_key`) or in one status."""
    where = []
    if ordering_key is not None:
        where.append(OB.ordering_key == ordering_key)
    if status is not None:
        where.append(OB.status == status)
    stmt = select(outbox).where(*where).order_by(OB.pk.desc()).limit(limit)
    return [OutboxRow.of(r) for r in await conn.execute(stmt)]


async def status_counts(
    conn: AsyncConnection, *, since: datetime | None = None
) -> dict[tuple[str, str], int]:
    """How many deliveries each webhook has in each status: {(webhook_id, status): n}."""
    stmt = select(OB.webhook_id, OB.status, func.count()).group_by(OB.webhook_id, OB.status)
    if since is not None:
        stmt = stmt.where(OB.created_at >= since)
    return {(str(w), str(s)): int(n) for w, s, n in await conn.execute(stmt)}
