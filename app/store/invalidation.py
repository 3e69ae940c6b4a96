"""Per-process caches of rarely written rows, kept exact by telling every process what changed.

What is cached (docs/performance.md, "No fixed costs per request"): who a token's user is (its
identity, token generation, Active flags and its company's), and the webhook and integration
event configuration. Those rows are read on every request and written rarely.

How they stay exact:
- `app.store.repo.Docs` notes every write to a watched kind (`note`) on the transaction's
  connection. `Database.transaction` applies the notes to this process's caches only once the
  transaction committed (before that another request could read the old row and cache it again),
  and on PostgreSQL sends them with `pg_notify` inside the same transaction: PostgreSQL delivers a
  notification only when, and only if, its transaction commits.
- Every process LISTENs on a dedicated asyncpg connection and drops what a notification names. A
  process that lost that connection may have missed notifications: it clears everything and serves
  from the database until it listens again.
- A read that raced with a change is not kept: each cache has an epoch, moved on by every
  invalidation; a value read under an older epoch is answered but not stored.
- The process that made a change waits, before it answers, until every process that listened
  when it committed has applied the change and acknowledged it (a NOTIFY back naming the change;
  listening connections are counted in pg_stat_activity by their application_name). So once a
  caller sees its revoke answered, no process serves the old standing. A process that does not
  acknowledge within ACK_TIMEOUT_SECONDS (hung, or its machine cut off) is logged and not waited
  for longer.

SQLite runs one process per database file (app.store.db): invalidation is in-process only, and
several server processes on one SQLite file are not supported (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

# The kinds whose writes reach a cache: users and companies (token standing), webhooks, integration
# events, API clients, event subscriptions, approval rules and group memberships (the write path's
# configuration).
USER_KINDS = frozenset({"adminuser", "user", "supplieruser"})
COMPANY_KINDS = frozenset({"buyer", "supplier"})
CONFIG_KINDS = frozenset(
    {"webhook", "integrationevent", "apiclient", "eventsubscription", "approvalrule"}
    | {"usergroupassignment", "adminusergroupassignment", "supplierusergroupassignment"}
    | {"messagesenderassignment"}
)
WATCHED = USER_KINDS | COMPANY_KINDS | CONFIG_KINDS

# conn.info key: the changes noted in the transaction running on that connection.
PENDING = "ordercore_changes"
# A change: (kind, scope, id), lower-cased; id "" means "any row of that kind" (bulk writes);
# kind "*" means everything (a reset, or too many changes for one notification).
Change = tuple[str, str, str]
EVERYTHING: Change = ("*", "", "")
# pg_notify payloads must stay under 8000 bytes.
MAX_PAYLOAD = 7000
ACK_TIMEOUT_SECONDS = 1.0
# The notification, and how many processes listen for it (each acknowledges once it applied it).
_NOTIFY = text(
    "SELECT pg_notify(:channel, :body), "
    "(SELECT count(*) FROM pg_stat_activity WHERE application_name = :app AND datname = current_database())"
)


@dataclass
class Acks:
    """Which listening processes have applied one notification."""

    nonce: str
    expected: int
    done: asyncio.Future[None]
    seen: set[int] = field(default_factory=set)

    def heard(self, pid: int) -> None:
        self.seen.add(pid)
        if len(self.seen) >= self.expected and not self.done.done():
            self.done.set_result(None)


def note(conn: AsyncConnection, kind: str, scope: str = "", id: str | None = None) -> None:
    """Record a write to `kind` (a no-op for kinds no cache holds)."""
    if kind in WATCHED:
        _record(conn, (kind, scope.lower(), (id or "").lower()))


def note_everything(conn: AsyncConnection) -> None:
    """Record a write no `Docs` method made (raw SQL over many kinds, such as a reset)."""
    _record(conn, EVERYTHING)


def _record(conn: AsyncConnection, change: Change) -> None:
    pending: list[Change] | None = conn.info.get(PENDING)
    if pending is not None:
        pending.append(change)
        return
    # Not inside `Database.transaction` (autocommit scripts): drop this process's caches now;
    # other processes are not told (writes belong in `Database.transaction`).
    hub = HUBS.get(conn.sync_engine)
    if hub is not None:
        hub.apply([change])


class Cache:
    """One cache of a hub: entries by key, dropped by the changes `drop` says they are hit by."""

    MAX_ENTRIES = 50_000

    def __init__(self, hub: Changes, drop: Callable[[Any, Change], bool]) -> None:
        self.hub = hub
        self._drop = drop
        self.entries: dict[Any, Any] = {}
        self.epoch = 0
        hub.caches.append(self)

    async def ready(self) -> bool:
        """Whether entries may be served now (on PostgreSQL: while this process listens)."""
        return await self.hub.ready()

    def get(self, key: Any) -> Any:
        return self.entries.get(key)

    async def fetch(
        self, key: Any, conn: AsyncConnection, read: Callable[[AsyncConnection], Awaitable[Any]]
    ) -> Any:
        """The value under `key`, else `read(conn)` kept for next time (None values too). Reads
        on a connection that wrote a watched kind see uncommitted rows: those are not kept."""
        use = await self.ready() and not conn.info.get(PENDING)
        if use and key in self.entries:
            return self.entries[key]
        epoch = self.epoch
        value = await read(conn)
        if use:
            self.put(key, value, epoch)
        return value

    def put(self, key: Any, value: Any, epoch: int) -> None:
        """Keep `value`, read while the epoch was `epoch`, unless a change came in since."""
        if epoch != self.epoch:
            return
        if len(self.entries) >= self.MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = value

    def apply(self, changes: Iterable[Change]) -> None:
        self.epoch += 1
        for change in changes:
            if change[0] == "*":
                self.entries.clear()
                return
            hit = [key for key in self.entries if self._drop(key, change)]
            for key in hit:
                del self.entries[key]

    def clear(self) -> None:
        self.epoch += 1
        self.entries.clear()


class Changes:
    """The caches of one `Database` and how they hear about changes."""

    def __init__(self, url: str, schema: str | None, *, postgres: bool, enabled: bool = True) -> None:
        self.caches: list[Cache] = []
        self.enabled = enabled
        self.postgres = postgres
        self.channel = f"ordercore_cache.{schema or 'public'}"
        # While LISTEN cannot connect (the database is away), try again at most once a
        # RETRY_SECONDS and say so once, not on every request (docs/operations.md: bounded logs).
        self._failed_at: float | None = None
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._listener: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: asyncio.Lock | None = None
        self._acks: dict[str, Acks] = {}
        self._sending: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # How listening connections show in pg_stat_activity, so a writer can count them.
        self.app_name = "ordercore-listen " + hashlib.sha1(self.channel.encode()).hexdigest()[:16]
        # Webhook and integration event configuration (app.webhooks.hooks, app.services.checkout):
        # any write to a webhook, an integration event or an API client drops all of it.
        self.config = Cache(self, lambda _key, change: change[0] in CONFIG_KINDS)

    # ------------------------------------------------------------------ applying changes

    def apply(self, changes: Iterable[Change]) -> None:
        changes = list(changes)
        for cache in self.caches:
            cache.apply(changes)

    def clear(self) -> None:
        for cache in self.caches:
            cache.clear()

    # ------------------------------------------------------------------ PostgreSQL

    def payload(self, changes: list[Change]) -> tuple[str, str]:
        """(nonce, notification text) for the changes of one transaction."""
        nonce = secrets.token_hex(8)
        body = json.dumps({"n": nonce, "c": sorted(set(changes))})
        if len(body) > MAX_PAYLOAD:
            body = json.dumps({"n": nonce, "c": [EVERYTHING]})
        return nonce, body

    async def send(self, conn: AsyncConnection, changes: list[Change]) -> Acks | None:
        """Queue the notification in the caller's transaction, counting the processes that
        listen; the answer collects their acknowledgements (None when this one cannot listen)."""
        listening = await self.ready()
        nonce, body = self.payload(changes)
        params = {"channel": self.channel, "body": body, "app": self.app_name}
        row = (await conn.execute(_NOTIFY, params)).one()
        listeners = row[1]
        if not listening:
            return None
        acks = Acks(nonce, int(listeners), asyncio.get_running_loop().create_future())
        self._acks[nonce] = acks
        return acks

    async def committed(self, changes: list[Change], acks: Acks | None) -> None:
        """After commit: drop what this process cached, then wait until every process that
        listened when the change was made has dropped it too (each acknowledges)."""
        self.apply(changes)
        if acks is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(acks.done), ACK_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning(
                "cache invalidation: %d of %d processes acknowledged within %ss",
                len(acks.seen),
                acks.expected,
                ACK_TIMEOUT_SECONDS,
            )
        finally:
            self._acks.pop(acks.nonce, None)

    def forget(self, acks: Acks | None) -> None:
        """The transaction rolled back: no notification will come."""
        if acks is not None:
            self._acks.pop(acks.nonce, None)

    def _listening(self) -> bool:
        if self._listener is None or self._listener.is_closed():
            return False
        try:
            return self._loop is asyncio.get_running_loop()
        except RuntimeError:
            return False

    async def ready(self) -> bool:
        """Whether caches may serve (on PostgreSQL: while this process LISTENs, connecting if not)."""
        if not self.enabled:
            return False
        if not self.postgres or self._listening():
            return True
        if self._connecting is None or self._loop is not asyncio.get_running_loop():
            self._connecting = asyncio.Lock()
        if self._failed_at is not None and time.monotonic() - self._failed_at < LISTEN_RETRY_SECONDS:
            return False
        async with self._connecting:
            if self._listening():
                return True
            return await self._listen()

    async def _listen(self) -> bool:
        import asyncpg

        self._drop_listener()
        try:
            conn = await asyncpg.connect(
                self._dsn, timeout=5, server_settings={"application_name": self.app_name}
            )
            await conn.add_listener(self.channel, self._heard)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            if self._failed_at is None:
                log.warning(
                    "cache invalidation: cannot LISTEN (%s); serving without caches", type(exc).__name__
                )
            self._failed_at = time.monotonic()
            self.clear()
            return False
        if self._failed_at is not None:
            log.info("cache invalidation: listening again")
            self._failed_at = None
        conn.add_termination_listener(self._lost)
        self._listener, self._loop = conn, asyncio.get_running_loop()
        self._sending = asyncio.Lock()
        # Anything may have changed while nobody listened.
        self.clear()
        return True

    def _heard(self, _conn: Any, pid: int, _channel: str, body: str) -> None:
        try:
            message = json.loads(body)
        except ValueError:
            message = {"n": "", "c": [EVERYTHING]}
        if "a" in message:
            # An acknowledgement, from the listening connection of backend `pid`.
            acks = self._acks.get(str(message["a"]))
            if acks is not None:
                acks.heard(pid)
            return
        try:
            changes: list[Change] = [(str(k), str(s), str(i)) for k, s, i in message["c"]]
        except (KeyError, TypeError, ValueError):
            changes = [EVERYTHING]
        self.apply(changes)
        task = asyncio.ensure_future(self._acknowledge(str(message.get("n", ""))))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _acknowledge(self, nonce: str) -> None:
        """Tell the process that made the change that this one has dropped it."""
        listener = self._listener
        if listener is None or self._sending is None:
            return
        try:
            async with self._sending:
                await listener.execute("SELECT pg_notify($1, $2)", self.channel, json.dumps({"a": nonce}))
        except Exception as exc:  # the writer times out and logs; nothing to undo here
            log.warning("cache invalidation: acknowledgement not sent (%s)", type(exc).__name__)

    def _lost(self, _conn: Any) -> None:
        log.warning("cache invalidation: LISTEN connection lost; caches cleared")
        self._listener = None
        self.clear()

    def _drop_listener(self) -> None:
        old, self._listener = self._listener, None
        if old is not None and not old.is_closed() and self._loop is not None and not self._loop.is_closed():
            old.remove_termination_listener(self._lost)
            with contextlib.suppress(Exception):
                old.terminate()

    async def close(self) -> None:
        old, self._listener = self._listener, None
        self.clear()
        if old is None or old.is_closed() or self._loop is None or self._loop.is_closed():
            # A listener of a loop that is gone went with it (tests run each loop to its end).
            return
        old.remove_termination_listener(self._lost)
        with contextlib.suppress(Exception):  # shutting down: nothing left to do about it
            if self._loop is asyncio.get_running_loop():
                await old.close(timeout=2)
            else:
                old.terminate()


# How long a failed LISTEN connection waits before the next try (requests meanwhile serve
# without caches).
LISTEN_RETRY_SECONDS = 1.0

# The hub of each engine, for writes made outside `Database.transaction`.
HUBS: WeakKeyDictionary[Any, Changes] = WeakKeyDictionary()


async def cached_config(
    conn: AsyncConnection, key: Any, read: Callable[[AsyncConnection], Awaitable[Any]]
) -> Any:
    """`read(conn)` through the per-process configuration cache of `conn`'s database (kept until a
    write of a watched kind, in any process); read directly where no cache is running."""
    hub = HUBS.get(conn.sync_engine)
    if hub is None:
        return await read(conn)
    return await hub.config.fetch(key, conn, read)
