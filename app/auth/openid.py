"""OpenID Connect sign-in (OrderCloud's `/ocrplogin` and `/ocrpcode`): a buyer user signs in at an
external identity provider (authorization code flow) and comes back to the configured AppStartUrl
with an ordercore token. The rules are in docs/openid-connect.md.

1. `start`: `/ocrplogin?id={OpenIdConnectID}&cid={ApiClientID}&roles=...` answers with the IdP's
   AuthorizationEndpoint URL; `state` is a short-lived token ordercore signed (config, client,
   roles, a fresh nonce and a one-time ID) and the same one-time ID goes into a cookie, so a
   callback started in another browser (login CSRF) is refused.
2. `finish`: `/ocrpcode?code&state` checks the state and its cookie, spends the one-time ID
   (a replayed callback is refused), exchanges the code at the TokenEndpoint, verifies the
   id_token with pyjwt against the IdP's JWKS (signature, `iss`, `aud` = ConnectClientID, `exp`,
   `nonce`), finds the user and answers the AppStartUrl with the placeholders filled in.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import jwt

from app.auth import user_sync
from app.auth.grants import OAuthError, client_allows, issue_for_user
from app.auth.users import FoundUser, find_user
from app.state import Services
from app.store.repo import Docs
from app.webhooks.client import outbound_client
from domain.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from integrations.http import ResponseTooLarge, send_capped
from integrations.outbound import url_refusal

KIND = "openidconnect"
# Spent state IDs (one row each; a second callback with the same state finds it).
SPENT_KIND = "openidstate"
STATE_PURPOSE = "oidcstate"
STATE_SECONDS = 600
COOKIE = "ordercore_oidc"
CALLBACK_PATH = "/ocrpcode"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
MAX_ANSWER = 256 * 1024
# The hidden field on a user linking it to one IdP identity (`iss` and `sub`).
LINK_FIELD = "_OpenIdConnect"


@dataclass(frozen=True)
class Redirect:
    location: str
    cookie: str | None = None  # the one-time state ID to set (start); None: clear it (finish)


def _fail(message: str, code: str = "OpenIdConnect.Failed", status: int = 400) -> OAuthError:
    return OAuthError("invalid_request", code, message, status)


def redirect_uri(services: Services) -> str:
    return services.settings.base_url + CALLBACK_PATH


async def _config(docs: Docs, config_id: str) -> dict[str, Any]:
    found = await docs.get(KIND, config_id) if config_id else None
    if found is None:
        raise _fail(f"OpenID Connect configuration {config_id!r} not found", "NotFound", 404)
    return found.doc


async def event_name(docs: Docs, event_id: str | None) -> str | None:
    """The Name of the configuration's integration event (404 for an unknown ID, 400 for one
    that is not an OpenIDConnect event)."""
    if not event_id:
        return None
    found = await docs.get("integrationevent", event_id)
    if found is None:
        raise NotFound("IntegrationEvent", event_id)
    event_type = found.doc.get("EventType")
    if event_type not in (None, "OpenIDConnect"):
        # It is called at /createuser and /syncuser: another kind of event has neither.
        raise ValidationFailed(
            f"Integration event {event_id} is an {event_type} event, not an OpenIDConnect one",
            "IntegrationEvent.IncompatibleEventType",
            {"IntegrationEventID": event_id, "EventType": event_type},
        )
    return found.doc.get("Name")


async def start(
    services: Services, config_id: str, client_id: str, roles: str, app_start_path: str
) -> Redirect:
    async with services.db.reader() as conn:
        config = await _config(Docs(conn), config_id)
    if client_id and client_id.lower() != str(config["OrderCloudApiClientID"]).lower():
        raise _fail("The API client is not the one this OpenID Connect configuration signs in to")
    once, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    state = await services.tokens.issue(
        {
            "typ": STATE_PURPOSE,
            "oidc": config["ID"],
            "once": once,
            "nonce": nonce,
            "roles": roles,
            "path": app_start_path,
        },
        STATE_SECONDS,
    )
    scopes = ["openid", *(s for s in config.get("AdditionalIdpScopes") or [] if s and s != "openid")]
    query = urlencode(
        {
            "client_id": config["ConnectClientID"],
            "response_type": "code",
            "scope": " ".join(scopes),
            "redirect_uri": redirect_uri(services),
            "state": state,
            "nonce": nonce,
        }
    )
    endpoint = str(config["AuthorizationEndpoint"])
    return Redirect(f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", cookie=once)


async def finish(
    services: Services, code: str, state: str, cookie: str | None, idp_error: str | None = None
) -> Redirect:
    """The AppStartUrl with the tokens; errors after the state is known go to CustomErrorUrl
    when the configuration has one (as `OAuthError` otherwise)."""
    try:
        claims = await services.tokens.verify(state, purpose=STATE_PURPOSE)
    except Unauthorized as exc:
        raise _fail(
            "The sign-in state is invalid or expired; start again", "OpenIdConnect.InvalidState"
        ) from exc
    if not cookie or not secrets.compare_digest(cookie, str(claims["once"])):
        raise _fail("The sign-in did not start in this browser; start again", "OpenIdConnect.InvalidState")
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        config = await _config(docs, str(claims["oidc"]))
        try:
            await docs.insert(SPENT_KIND, {"ID": str(claims["once"]), "Expires": int(claims["exp"])})
        except Conflict as exc:
            raise _fail("This sign-in was already used; start again", "OpenIdConnect.InvalidState") from exc
    try:
        if idp_error:
            raise _fail(f"The identity provider refused the sign-in: {idp_error}", "OpenIdConnect.IdpError")
        if not code:
            raise _fail("The identity provider sent no code", "OpenIdConnect.IdpError")
        answer = await _exchange(services, config, code)
        identity = await _verify_id_token(services, config, answer, str(claims["nonce"]))
        tokens = await _sign_in(services, config, identity, claims.get("roles") or "", answer)
    except OAuthError as exc:
        error_url = config.get("CustomErrorUrl")
        if not error_url:
            raise
        return Redirect(
            _fill(str(error_url), {"0": exc.message, "1": exc.code, "2": claims.get("path") or ""})
        )
    values = {
        "0": tokens["access_token"],
        "token": tokens["access_token"],
        "1": str(answer.get("access_token") or ""),
        "2": str(claims.get("path") or ""),
        "3": str(tokens.get("refresh_token") or ""),
        "4": str(answer.get("refresh_token") or ""),
    }
    return Redirect(_fill(str(config["AppStartUrl"]), values))


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", quote(value, safe=""))
    return template


async def _call(services: Services, method: str, url: str, body: bytes, headers: dict[str, str]) -> Any:
    """One call to the IdP through the outbound policy; its JSON answer (a 400 otherwise)."""
    reason = url_refusal(url, allow_private=services.settings.outbound_allow_private)
    if reason is not None:
        raise _fail(f"The identity provider URL {reason}", "OpenIdConnect.IdpError")
    try:
        response = await send_capped(
            outbound_client(services),
            method,
            url,
            content=body,
            headers=headers,
            timeout=None,
            max_bytes=MAX_ANSWER,
        )
    except (httpx.HTTPError, TimeoutError, ResponseTooLarge) as exc:
        raise _fail(
            f"The identity provider could not be reached ({type(exc).__name__})", "OpenIdConnect.IdpError"
        ) from exc
    try:
        data = json.loads(response.body)
    except ValueError:
        data = None
    if response.status_code != 200 or not isinstance(data, dict):
        raise _fail(f"The identity provider answered {response.status_code}", "OpenIdConnect.IdpError")
    return data


async def _exchange(services: Services, config: dict[str, Any], code: str) -> dict[str, Any]:
    """The code for tokens at the TokenEndpoint: a form post with every value when UrlEncoded,
    else HTTP Basic client authentication and a JSON body (OrderCloud's two modes)."""
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(services)}
    client_id, secret = str(config["ConnectClientID"]), str(config["ConnectClientSecret"])
    if config.get("UrlEncoded"):
        body = urlencode({**fields, "client_id": client_id, "client_secret": secret}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    else:
        basic = base64.b64encode(f"{quote(client_id)}:{quote(secret)}".encode()).decode()
        body = json.dumps(fields).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Basic {basic}",
        }
    answer: dict[str, Any] = await _call(services, "POST", str(config["TokenEndpoint"]), body, headers)
    if not isinstance(answer.get("id_token"), str):
        raise _fail("The identity provider's token answer has no id_token", "OpenIdConnect.IdpError")
    return answer


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme.lower(), pa.netloc.lower()) == (pb.scheme.lower(), pb.netloc.lower())


async def _verify_id_token(
    services: Services, config: dict[str, Any], answer: dict[str, Any], nonce: str
) -> dict[str, Any]:
    """The id_token's verified claims. The issuer must be on the TokenEndpoint's origin; its keys
    come from its discovery document's `jwks_uri` (on that origin too)."""
    id_token = str(answer["id_token"])
    try:
        unverified = jwt.decode(id_token, options={"verify_signature": False})
        kid = jwt.get_unverified_header(id_token).get("kid")
    except jwt.PyJWTError as exc:
        raise _fail("The id_token is not a JWT", "OpenIdConnect.InvalidIdToken") from exc
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not _same_origin(issuer, str(config["TokenEndpoint"])):
        raise _fail("The id_token's issuer is not the TokenEndpoint's origin", "OpenIdConnect.InvalidIdToken")
    discovery = await _call(
        services, "GET", issuer.rstrip("/") + "/.well-known/openid-configuration", b"", {}
    )
    jwks_uri = discovery.get("jwks_uri")
    if (
        discovery.get("issuer") != issuer
        or not isinstance(jwks_uri, str)
        or not _same_origin(jwks_uri, issuer)
    ):
        raise _fail(
            "The identity provider's discovery document does not match", "OpenIdConnect.InvalidIdToken"
        )
    try:
        keys = jwt.PyJWKSet.from_dict(await _call(services, "GET", jwks_uri, b"", {}))
        key = next(k for k in keys.keys if kid is None or k.key_id == kid)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key.key,
            algorithms=ALGORITHMS,
            audience=str(config["ConnectClientID"]),
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, StopIteration) as exc:
        raise _fail(f"The id_token does not verify: {exc}", "OpenIdConnect.InvalidIdToken") from exc
    if not secrets.compare_digest(str(claims.get("nonce") or ""), nonce):
        raise _fail("The id_token's nonce is not this sign-in's", "OpenIdConnect.InvalidIdToken")
    return claims


async def _sign_in(
    services: Services, config: dict[str, Any], identity: dict[str, Any], roles: str, idp: dict[str, Any]
) -> dict[str, Any]:
    """The buyer user the identity names (docs/openid-connect.md, "Which user"): the built-in
    match, or the one the configuration's integration event names (`/createuser` when there is
    no match, `/syncuser` for a match when `CallSyncUserIntegrationEvent`); linked to the identity
    on first sign-in; its token for the configuration's API client. `idp`: the IdP's token answer."""
    link = {"iss": identity["iss"], "sub": str(identity["sub"])}
    async with services.db.reader() as conn:
        user = await _match(Docs(conn), services, identity, link)
    username = None
    if config.get("IntegrationEventID") and (user is None or config.get("CallSyncUserIntegrationEvent")):
        username = await user_sync.ask(services, config, user.doc if user else None, idp)
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        if username is not None:
            # Read in this transaction: the integration event may just have created or changed it.
            user = await find_user(docs, username, services.marketplace_id)
            if user is None or user.user_type != "buyer":
                raise _fail(f"The integration event named no buyer user ({username!r})", "Auth.UserNotFound")
            linked = user.doc.get(LINK_FIELD)
            if linked is not None and linked != link:
                raise _fail("This user is linked to another identity", "Auth.UserNotFound")
        found = await docs.get("apiclient", str(config["OrderCloudApiClientID"]))
        if found is None or not found.doc.get("Active", True):
            raise _fail("The configuration's API client is missing or inactive", "Auth.ClientNotActive")
        client = found.doc
        if user is None:
            raise _fail("No user matches this identity; create the user first", "Auth.UserNotFound")
        if username is None:  # matched outside this transaction: read it again here
            user = await find_user(docs, str(user.doc["Username"]), services.marketplace_id) or user
        if not user.doc.get("Active"):
            raise _fail("User account is not active", "Auth.UserNotActive")
        # Only users the API client serves: never a user of a company the client is not for.
        if user.user_type != "buyer" or not await client_allows(docs, client, user):
            raise _fail("This user may not sign in with this API client", "Auth.UserNotFound")
        if user.doc.get(LINK_FIELD) is None:
            user.doc[LINK_FIELD] = link
            stored = await docs.get("user", user.doc["ID"], user.company_id)
            if stored is not None:
                await docs.replace("user", user.doc["ID"], {**stored.doc, LINK_FIELD: link}, user.company_id)
        scope = [r for r in roles.split() if r] or None
        return await issue_for_user(
            services, docs, client, FoundUser(user.user_type, user.company_id, user.doc), scope
        )


async def _match(
    docs: Docs, services: Services, identity: dict[str, Any], link: dict[str, str]
) -> FoundUser | None:
    """The user whose Username is the identity's verified email (else its `sub`); a user already
    linked to another identity is refused rather than taken over."""
    email = identity.get("email")
    candidates = []
    if isinstance(email, str) and email and identity.get("email_verified", True) is not False:
        candidates.append(email)
    candidates.append(str(identity["sub"]))
    for name in candidates:
        user = await find_user(docs, name, services.marketplace_id)
        if user is None:
            continue
        linked = user.doc.get(LINK_FIELD)
        if linked is not None and linked != link:
            raise _fail("This user is linked to another identity", "Auth.UserNotFound")
        return user
    return None
