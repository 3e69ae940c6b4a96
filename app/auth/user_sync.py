"""OpenID Connect's integration event (`OpenIdConnect.IntegrationEventID`, EventType
`OpenIDConnect`): the merchant's middleware names the user an identity signs in as. OrderCloud's
two endpoints: `{CustomImplementationUrl}/createuser` when no user matches the identity (the
middleware creates one, with the OrderCloudAccessToken it is given, and answers its Username) and
`/syncuser` when one matches and the configuration says `CallSyncUserIntegrationEvent` (the
middleware may update it). The payload is OrderCloud's `OpenIdConnectPayload`, the answer its
`OpenIdConnectResponse` (docs/openid-connect.md, "Which user")."""

from __future__ import annotations

from typing import Any

from app.auth.grants import OAuthError
from app.resources import public
from app.services.checkout import EVENT_KIND, call_event, middleware_token
from app.state import Services
from app.store.repo import Docs
from domain.errors import DomainError

REFUSED = "IntegrationEvent.BadRequest"


def _fail(message: str, code: str) -> OAuthError:
    return OAuthError("invalid_request", code, message, 400)


async def ask(
    services: Services, config: dict[str, Any], existing: dict[str, Any] | None, idp: dict[str, Any]
) -> str:
    """The Username the middleware answers for this sign-in (`existing`: the matched user)."""
    async with services.db.reader() as conn:
        docs = Docs(conn)
        found = await docs.get(EVENT_KIND, str(config["IntegrationEventID"]))
        if found is None:
            raise _fail("The configuration's integration event no longer exists", "NotFound")
        event = found.doc
        try:
            token = await middleware_token(services, docs, event)
        except DomainError as exc:
            raise _fail(exc.message, exc.code) from exc
    payload = {
        "ExistingUser": public(existing) if existing is not None else None,
        "OpenIdConnect": {**public(config), "ConnectClientSecret": None},
        "TokenResponse": {"id_token": idp.get("id_token"), "access_token": idp.get("access_token")},
    }
    hook = "syncuser" if existing is not None else "createuser"
    result = await call_event(services, event, hook, payload, token)
    if not result.ok:
        raise _fail(result.message or "The integration event could not be called", str(result.error_code))
    answer = result.json
    refusal = answer.get("ErrorMessage")
    username = answer.get("Username")
    if refusal:
        raise _fail(str(refusal), REFUSED)
    if not isinstance(username, str) or not username:
        if existing is not None:
            return str(existing["Username"])  # a sync that changes nothing need not repeat the name
        raise _fail("The integration event answered no Username", REFUSED)
    return username
