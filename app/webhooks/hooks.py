"""Webhooks around every write: pre-hooks may veto the request, post-hooks go to the outbox.

A webhook fires for a write when the caller's token was issued to one of its `ApiClientIDs` and
one of its `WebhookRoutes` names the route template and verb. Routes compare case-insensitively
and without a leading `/` or `v1/` (`/buyers/{buyerID}` = `v1/Buyers/{buyerid}`).

Pre-hooks (`BeforeProcessRequest`) are asked before the write's transaction opens, so no database
lock is held while a merchant's server thinks. Post-hooks become outbox rows inside the write's
transaction, so a change and its deliveries commit together or not at all; the worker delivers
them (see `app.webhooks.worker`).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.notifications import events as notification_events
from app.observability import current_request_id
from app.store.db import Database
from app.store.repo import Docs
from app.webhooks import store as outbox_store
from app.webhooks.client import outbound_client, wake
from app.webhooks.redact import USER_TOKEN, redacted
from app.wire import NoContent, encode
from domain.clock import iso, utcnow
from domain.errors import DomainError, ValidationFailed
from integrations.webhook_delivery import call_prehook

if TYPE_CHECKING:
    from app.state import HookContext

STATE_KEY = "webhooks"
WEBHOOKS_KEY = ("webhooks",)
# Set in `ctx.state` by a handler that made deliveries due, to wake the worker after commit.
WAKE_KEY = "wake_webhook_worker"
# Claims of the caller's token that belong to that token alone, not to a copy with more roles.
_TOKEN_OWN_CLAIMS = ("iss", "aud", "nbf", "iat", "exp", "jti")
ELEVATED_TOKEN_MIN_SECONDS = 60


class PrehookRejected(DomainError):
    """A pre-hook answered `{"proceed": false, "body": ...}`; `body` is the error's Data."""

    status = 400
    default_code = "Webhook.PreHookRejected"


class PrehookFailed(DomainError):
    """A pre-hook could not be asked or answered unusably: the write is refused (fail closed)."""

    status = 400
    default_code = "Webhook.PreHookFailed"


def normalize_route(route: str) -> str:
    r = route.strip().lower().lstrip("/")
    return r[3:] if r.startswith("v1/") else r


def matches(webhook: dict[str, Any], client_id: str, route: str, verb: str) -> bool:
    clients = {c.lower() for c in webhook.get("ApiClientIDs") or [] if isinstance(c, str)}
    if client_id.lower() not in clients:
        return False
    wanted = normalize_route(route)
    return any(
        normalize_route(r.get("Route") or "") == wanted and (r.get("Verb") or "").upper() == verb
        for r in webhook.get("WebhookRoutes") or []
    )


def ordering_key(route_params: dict[str, Any]) -> str | None:
    """Deliveries about one order (routes with an `orderID`) go out one after another."""
    return next((str(v) for k, v in route_params.items() if k.lower() == "orderid"), None)


def custom_header(webhook: dict[str, Any]) -> tuple[str, str] | None:
    name, value = webhook.get("CustomAuthHeaderName"), webhook.get("CustomAuthHeaderValue")
    return (name, value) if name and value else None


@dataclass
class Fired:
    """What one write is doing about webhooks, worked out before its transaction."""

    date: str
    log_id: str
    request: dict[str, Any]
    route_params: dict[str, Any]
    query_params: dict[str, Any]
    ordering_key: str | None
    # (webhook, UserToken for it) for each matching post-hook.
    post: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    written: bool = False


def payload(
    ctx: HookContext, fired: Fired, webhook: dict[str, Any], token: str, response: Any
) -> dict[str, Any]:
    """OrderCloud's webhook payload, keys in its order; `response` is None for pre-hooks. Secret
    fields in the request and response are nulled (`app.webhooks.redact`); `token` is the real
    UserToken, which callers that store the payload must take out again."""
    body = redacted(_payload(ctx, fired, webhook, response))
    body[USER_TOKEN] = token
    return body


def _payload(ctx: HookContext, fired: Fired, webhook: dict[str, Any], response: Any) -> dict[str, Any]:
    return {
        "Route": ctx.route,
        "RouteParams": fired.route_params,
        "QueryParams": fired.query_params,
        "Verb": ctx.verb,
        "Date": fired.date,
        "LogID": fired.log_id,
        USER_TOKEN: None,
        "Request": fired.request,
        "Response": response,
        "ConfigData": webhook.get("ConfigData"),
    }


async def _all_webhooks(conn: AsyncConnection) -> list[dict[str, Any]]:
    return await Docs(conn).all("webhook")


async def configured_webhooks(db: Database) -> list[dict[str, Any]]:
    """Every webhook, from the per-process configuration cache (app.store.invalidation): no
    statement per write while no webhook, integration event or API client changed."""
    cache = db.changes.config
    found = cache.get(WEBHOOKS_KEY) if await cache.ready() else None
    if found is not None:
        return found
    async with db.reader() as conn:
        return await cache.fetch(WEBHOOKS_KEY, conn, _all_webhooks)


class WebhookHooks:
    """The `app.state.Hooks` implementation that runs webhooks."""

    async def before_transaction(self, ctx: HookContext) -> None:
        ctx.state[STATE_KEY] = None
        caller = await ctx.optional_caller()
        if caller is None or not caller.client_id:
            return
        webhooks = await configured_webhooks(ctx.services.db)
        hit = [w for w in webhooks if matches(w, caller.client_id, ctx.route, ctx.verb)]
        if not hit:
            return
        try:
            body = await ctx.body()
        except ValidationFailed:
            # The handler reports the malformed body; the hooks just see it as text.
            body = ctx.raw_body.decode("utf-8", errors="replace")
        params = dict(ctx.params)
        fired = Fired(
            date=iso(utcnow()),
            log_id=str(uuid.uuid4()),
            request={"Body": body, "Headers": None},
            route_params=params,
            query_params=dict(ctx.request.query_params.items()),
            ordering_key=ordering_key(params),
        )
        for webhook in sorted(hit, key=lambda w: str(w.get("ID"))):
            token = await self._user_token(ctx, caller, webhook)
            if webhook.get("BeforeProcessRequest"):
                await self._ask(ctx, fired, webhook, token)
            else:
                fired.post.append((webhook, token))
        ctx.state[STATE_KEY] = fired

    async def before(self, ctx: HookContext) -> None:
        # Pre-hooks already ran in before_transaction, outside the write lock.
        return None

    async def after(self, ctx: HookContext, status: int, result: Any) -> None:
        # Notifications (message senders) go into the same outbox, in the same transaction.
        if await self._notifying(ctx) and await notification_events.record(ctx, status, result):
            ctx.state[WAKE_KEY] = True
        fired: Fired | None = ctx.state.get(STATE_KEY)
        if fired is None or not fired.post or not 200 <= status < 300:
            return
        response = {"Body": None if isinstance(result, NoContent) else result, "Headers": None}
        if ctx.writable:
            await self._enqueue(ctx, fired, response, ctx.conn)
        else:
            async with ctx.services.db.transaction() as conn:
                await self._enqueue(ctx, fired, response, conn)
            wake(ctx.services)

    async def _notifying(self, ctx: HookContext) -> bool:
        """Whether this write may send a message (`notification_events.may_send`) and any message
        sender is assigned, from the per-process configuration cache: a marketplace without
        notifications never enters `app.notifications` on a write, and no write that sends none
        asks the cache."""
        if not ctx.writable or not notification_events.may_send(ctx.verb, ctx.route):
            return False
        cache = ctx.services.db.changes.config
        return bool(
            await cache.fetch(notification_events.SENDERS_KEY, ctx.conn, notification_events.senders_assigned)
        )

    async def after_commit(self, ctx: HookContext) -> None:
        fired: Fired | None = ctx.state.get(STATE_KEY)
        if (fired is not None and fired.written) or ctx.state.get(WAKE_KEY):
            wake(ctx.services)

    async def _enqueue(self, ctx: HookContext, fired: Fired, response: dict[str, Any], conn: Any) -> None:
        now: datetime = utcnow()
        for webhook, token in fired.post:
            # Stored without the token: the delivery log and the database never hold it in a payload.
            stored = {**payload(ctx, fired, webhook, token, response), USER_TOKEN: None}
            await outbox_store.enqueue(
                conn,
                webhook_id=webhook["ID"],
                delivery_id=str(uuid.uuid4()),
                ordering_key=fired.ordering_key,
                body=encode(stored).decode("utf-8"),
                now=now,
                request_id=current_request_id(),
                user_token=token,
            )
        fired.written = True

    async def _ask(self, ctx: HookContext, fired: Fired, webhook: dict[str, Any], token: str) -> None:
        """Call one pre-hook; raise unless it says proceed."""
        services = ctx.services
        decision = await call_prehook(
            outbound_client(services),
            url=webhook.get("Url") or "",
            body=encode(payload(ctx, fired, webhook, token, None)),
            hash_key=webhook.get("HashKey") or "",
            delivery_id=str(uuid.uuid4()),
            timestamp=int(time.time()),
            custom_auth_header=custom_header(webhook),
            timeout=services.settings.webhook_timeout,
        )
        if decision.error is not None:
            raise PrehookFailed(
                f"Webhook {webhook['ID']} could not approve the request: {decision.error}",
                data={
                    "WebhookID": webhook["ID"],
                    "Error": decision.error,
                    "StatusCode": decision.status_code,
                },
            )
        if not decision.proceed:
            raise PrehookRejected(f"The request was rejected by webhook {webhook['ID']}", data=decision.body)

    async def _user_token(self, ctx: HookContext, caller: Caller, webhook: dict[str, Any]) -> str:
        """The caller's token, or a copy carrying the webhook's ElevatedRoles as well, valid as
        long as the caller's (at least a minute) so the middleware can make the calls it needs."""
        elevated = [r for r in webhook.get("ElevatedRoles") or [] if r not in caller.roles]
        if not elevated:
            return caller.token
        claims = {k: v for k, v in caller.claims.items() if k not in _TOKEN_OWN_CLAIMS}
        claims["role"] = sorted(set(caller.roles) | set(elevated))
        remaining = int(caller.claims.get("exp", 0)) - int(time.time())
        return str(await ctx.services.tokens.issue(claims, max(remaining, ELEVATED_TOKEN_MIN_SECONDS)))
