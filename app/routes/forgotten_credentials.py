"""Forgotten credentials (OrderCloud's ForgottenCredentials and Me.ResetPasswordByToken):
`POST /password/reset`, `PUT /password/reset/{verificationCode}`, `POST /username/retrieve`,
`POST /me/password`. The rules: app.services.credentials, docs/forgotten-credentials.md."""

from __future__ import annotations

from typing import Any

from app.auth.throttle import source_address
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.messages import PasswordReset, PasswordResetRequest, TokenPasswordReset
from app.services import credentials
from app.webhooks.hooks import WAKE_KEY
from app.wire import validate


@endpoint("POST", "/password/reset", status=204)
async def send_verification_code(ctx: Ctx) -> Any:
    body = validate(await ctx.body_object(), PasswordResetRequest)
    sent = await credentials.send_verification_code(
        ctx, _address(ctx), body.client_id, body.username, body.email, body.url
    )
    _wake_worker(ctx, sent)
    return NO_CONTENT, 204


@endpoint("PUT", "/password/reset/{verificationCode}", status=204)
async def reset_password_by_code(ctx: Ctx) -> Any:
    body = validate(await ctx.body_object(), PasswordReset)
    await credentials.reset_by_code(
        ctx, _address(ctx), ctx.param("verificationCode"), body.client_id, body.username, body.password
    )
    return NO_CONTENT, 204


@endpoint("POST", "/username/retrieve", status=204)
async def retrieve_username(ctx: Ctx) -> Any:
    """The SDK sends `clientID` and `email` as query parameters; a JSON body works too."""
    body = await ctx.body_object(required=False)
    client_id = ctx.query("clientID") or body.get("ClientID")
    email = ctx.query("email") or body.get("Email")
    sent = await credentials.retrieve_username(
        ctx, _address(ctx), str(client_id) if client_id else "", str(email) if email is not None else None
    )
    _wake_worker(ctx, sent)
    return NO_CONTENT, 204


@endpoint("POST", "/me/password", status=204)
async def reset_password_by_token(ctx: Ctx) -> Any:
    body = validate(await ctx.body_object(), TokenPasswordReset)
    await credentials.reset_by_token(ctx, body.new_password)
    return NO_CONTENT, 204


def _address(ctx: Ctx) -> str:
    return source_address(ctx.request, trust_forwarded=ctx.services.settings.trust_forwarded_for)


def _wake_worker(ctx: Ctx, sent: int) -> None:
    """Messages were queued in this transaction: the outbox worker looks once it commits."""
    if sent:
        ctx.state[WAKE_KEY] = True


ROUTES = [send_verification_code, reset_password_by_code, retrieve_username, reset_password_by_token]
