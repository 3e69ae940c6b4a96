"""OrderCloud's grant types: who may sign in with which client, and the tokens they get.
`POST /oauth/token` (app/routes/oauth.py) parses the form and answers; this decides."""

from __future__ import annotations

from typing import Any

from app.auth.client_secrets import has_secret, secret_matches
from app.auth.lockout import clear_failures, locked_for, record_failure
from app.auth.passwords import verify_password
from app.auth.revocation import COMPANY_KINDS, identity_claims, token_standing
from app.auth.roles import granted_roles
from app.auth.users import FoundUser, available_roles, find_user
from app.services.cart import latest_unsubmitted
from app.state import Services
from app.store.repo import Docs
from app.wire import new_id
from domain.errors import DomainError, NotFound, Unauthorized, ValidationFailed


class OAuthError(DomainError):
    status = 400

    def __init__(
        self, error: str, code: str, message: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, code)
        self.status = status
        self.extra = {"error": error, "error_description": message}
        self.headers = headers or {}


async def _client(docs: Docs, client_id: str) -> dict[str, Any]:
    found = await docs.get("apiclient", client_id) if client_id else None
    if found is None:
        raise OAuthError("invalid_client", "ApiClient.InvalidClientID", "Invalid client ID", 400)
    if not found.doc.get("Active", True):
        raise OAuthError("invalid_client", "Auth.ClientNotActive", "Client is not active")
    return found.doc


async def client_allows(docs: Docs, client: dict[str, Any], user: FoundUser) -> bool:
    if user.user_type == "admin":
        return bool(client.get("AllowSeller"))
    flag, field = (
        ("AllowAnyBuyer", "BuyerID") if user.user_type == "buyer" else ("AllowAnySupplier", "SupplierID")
    )
    if client.get(flag):
        return True
    rows = await docs.all(
        "apiclientassignment", *docs.eq(ApiClientID=client["ID"], **{field: user.company_id})
    )
    return bool(rows)


async def _company(docs: Docs, user: FoundUser) -> dict[str, Any] | None:
    """The user's buyer or supplier (None for admin users, or if it is gone)."""
    kind = COMPANY_KINDS.get(user.user_type)
    found = await docs.get(kind, user.company_id) if kind else None
    return found.doc if found else None


async def _company_active(docs: Docs, user: FoundUser) -> bool:
    if user.user_type == "admin":
        return True
    company = await _company(docs, user)
    return bool(company and company.get("Active", True))


async def issue_for_user(
    services: Services,
    docs: Docs,
    client: dict[str, Any],
    user: FoundUser,
    scope: list[str] | None,
    *,
    anonymous: bool = False,
    anon_id: str | None = None,
    extra_claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    roles_avail, custom_avail = await available_roles(docs, user.user_type, user.company_id, user.doc["ID"])
    roles, custom = granted_roles(scope, roles_avail | custom_avail, user.user_type)
    lifetime = int(client.get("AccessTokenDuration") or 600) * 60
    user_id = anon_id or user.doc["ID"]
    # Binds the token to this very user and company as they are now (app.auth.revocation).
    bound = identity_claims(user.doc, await _company(docs, user))
    claims = {
        "usr": user.doc["Username"] if not anonymous else f"anon-{user_id}",
        "cid": client["ID"],
        "u": user_id,
        "usrtype": user.user_type,
        "cmp": user.company_id,
        "role": roles + custom,
        **bound,
    }
    if anonymous:
        claims["anon"] = True
        claims["tmpl"] = user.doc["ID"]
    claims.update(extra_claims or {})
    token = await services.tokens.issue(claims, lifetime)
    body: dict[str, Any] = {
        "access_token": token,
        "expires_in": lifetime,
        "token_type": "bearer",
        "refresh_token": None,
    }
    refresh_minutes = int(client.get("RefreshTokenDuration") or 0)
    if refresh_minutes > 0 and not anonymous:
        body["refresh_token"] = await services.tokens.issue(
            {
                "typ": "refresh",
                "cid": client["ID"],
                "usr": user.doc["Username"],
                "u": user.doc["ID"],
                "usrtype": user.user_type,
                "cmp": user.company_id,
                **bound,
                "scope": scope if scope is not None else None,
            },
            refresh_minutes * 60,
        )
    return body


def _scope(raw: str | None) -> list[str] | None:
    if raw is None or not raw.strip():
        return None
    # The SDK sends the literal "undefined" when only custom roles are given.
    parts = [p for p in raw.split() if p and p != "undefined"]
    return parts or None


async def token_response(services: Services, form: dict[str, str], address: str = "") -> dict[str, Any]:
    grant = form.get("grant_type", "")
    client_id = form.get("client_id", "")
    scope = _scope(form.get("scope"))
    _throttle(services, address, client_id)
    if grant == "password":
        return await _password_grant(services, client_id, form, scope)
    async with services.db.reader() as conn:
        docs = Docs(conn)
        if grant == "refresh_token":
            return await _refresh_grant(services, docs, form)
        client = await _client(docs, client_id)
        if grant == "client_credentials":
            return await _client_credentials(services, docs, client, form, scope)
    raise OAuthError("unsupported_grant_type", "Auth.OauthError", f"Unsupported grant_type: {grant!r}")


def _throttle(services: Services, address: str, client_id: str) -> None:
    settings = services.settings
    wait = services.throttle.check(
        address,
        client_id,
        per_address=settings.token_rate_per_address,
        per_client=settings.token_rate_per_client,
        window=settings.token_rate_window,
    )
    if wait:
        raise OAuthError(
            "slow_down",
            "Auth.TooManyRequests",
            f"Too many token requests; retry in {wait} seconds",
            429,
            headers={"Retry-After": str(wait)},
        )


async def _password_grant(
    services: Services, client_id: str, form: dict[str, str], scope: list[str] | None
) -> dict[str, Any]:
    username, password = form.get("username", ""), form.get("password", "")
    if not username or not password:
        raise OAuthError(
            "invalid_grant", "Auth.UsernameAndPasswordRequired", "Username and password are required"
        )
    async with services.db.reader() as conn:
        docs = Docs(conn)
        client = await _client(docs, client_id)
        secret = form.get("client_secret")
        if secret and not await secret_matches(docs, client, secret):
            raise OAuthError("invalid_client", "Auth.InvalidClientSecret", "Invalid client secret", 400)
        user = await find_user(docs, username, services.marketplace_id)
    # No connection is held while argon2 runs (in a worker thread): sign-ins waiting for a
    # password slot must not starve other requests of database connections.
    if user is not None and locked_for(user.doc):
        raise OAuthError(
            "invalid_grant", "Auth.LockedOut", "The account is locked after too many failed sign-ins"
        )
    # An unknown user costs the same argon2 work as a wrong password (no username probing).
    if not await verify_password(user.doc.get("_PasswordHash") if user else None, password) or user is None:
        if user is not None:
            await record_failure(services, user)
        raise OAuthError("invalid_grant", "Auth.InvalidUsernameOrPassword", "Invalid username or password")
    await clear_failures(services, user)
    async with services.db.reader() as conn:
        docs = Docs(conn)
        await _may_sign_in(docs, client, user)
        return await issue_for_user(services, docs, client, user, scope)


async def _may_sign_in(docs: Docs, client: dict[str, Any], user: FoundUser) -> None:
    """Checked at every sign-in and every refresh, so deactivating a user, its company or the
    client's access ends new tokens at once."""
    if not user.doc.get("Active"):
        raise OAuthError("invalid_grant", "Auth.UserNotActive", "User account is not active")
    if not await _company_active(docs, user):
        raise OAuthError("invalid_grant", "Auth.CompanyNotActive", "The user's organization is not active")
    if not await client_allows(docs, client, user):
        raise OAuthError(
            "invalid_grant",
            "Auth.InvalidUsernameOrPassword",
            "This user may not sign in with this API client",
        )


async def _refresh_grant(services: Services, docs: Docs, form: dict[str, str]) -> dict[str, Any]:
    try:
        claims = await services.tokens.verify(form.get("refresh_token", ""), purpose="refresh")
    except Unauthorized as exc:
        raise OAuthError("invalid_grant", "InvalidToken", "Refresh token is invalid or expired") from exc
    client_id = form.get("client_id") or claims.get("cid", "")
    if client_id != claims.get("cid"):
        raise OAuthError("invalid_grant", "InvalidToken", "Refresh token was issued to another client")
    client = await _client(docs, client_id)
    # The user the token was issued to, by identity and generation, never by username: a
    # rename, deletion, password change or revocation since then ends the refresh token.
    problem, doc = await token_standing(docs.conn, claims) if "uid" in claims else ("Auth.TokenRevoked", None)
    if problem is not None or doc is None:
        raise OAuthError("invalid_grant", problem or "Auth.TokenRevoked", "Refresh token is no longer valid")
    user = FoundUser(str(claims["usrtype"]), str(claims["cmp"]), doc)
    await _may_sign_in(docs, client, user)
    return await issue_for_user(services, docs, client, user, claims.get("scope"))


async def _client_credentials(
    services: Services, docs: Docs, client: dict[str, Any], form: dict[str, str], scope: list[str] | None
) -> dict[str, Any]:
    secret = form.get("client_secret")
    context_name = client.get("DefaultContextUserName")
    if secret:
        if not await secret_matches(docs, client, secret):
            raise OAuthError("invalid_client", "Auth.InvalidClientSecret", "Invalid client secret", 400)
        if not context_name:
            raise OAuthError(
                "invalid_grant",
                "Auth.UserNotFound",
                "This API client has no DefaultContextUserName to act as",
            )
        user = await find_user(docs, context_name, services.marketplace_id)
        if user is None or not user.doc.get("Active"):
            raise OAuthError("invalid_grant", "Auth.UserNotFound", "The default context user was not found")
        return await issue_for_user(services, docs, client, user, scope)
    if not client.get("IsAnonBuyer") or not context_name:
        if await has_secret(docs, client):
            # Most often a forgotten secret (an unset environment variable): say so.
            raise OAuthError(
                "invalid_client",
                "Auth.InvalidClientSecret",
                f"client_secret is required: API client {client['ID']!r} has a client secret and does "
                "not allow anonymous shopping (SDK: Auth.ClientCredentials(clientSecret, clientID, roles))",
            )
        raise OAuthError(
            "invalid_client",
            "Auth.AnonUserProhibited",
            f"API client {client['ID']!r} does not allow anonymous shopping (IsAnonBuyer with a "
            "DefaultContextUserName) and has no client secret to sign in with",
        )
    user = await find_user(docs, context_name, services.marketplace_id)
    if user is None or user.user_type != "buyer":
        raise OAuthError("invalid_grant", "Auth.UserNotFound", "The anonymous template user was not found")
    anon_id = form.get("anonuserid") or new_id()
    # OrderCloud's anonymous tokens carry `orderid`, the ID of the shopper's cart (the SDKs read
    # its presence as "anonymous"): the cart it has already when `anonuserid` names a returning
    # shopper, else the ID its first cart will get (app.services.orders).
    cart = await latest_unsubmitted(docs, anon_id, user.company_id)
    order_id = cart.doc["ID"] if cart else new_id()
    return await issue_for_user(
        services,
        docs,
        client,
        user,
        scope,
        anonymous=True,
        anon_id=anon_id,
        extra_claims={"orderid": order_id},
    )


async def impersonation_token(
    services: Services,
    docs: Docs,
    user: FoundUser,
    client_id: str,
    scope: list[str],
    impersonator_id: str,
) -> dict[str, Any]:
    """Users.GetAccessToken: a token acting as an active user, through an active client its buyer
    may use, with the requested roles it has; the `imp` claim names the impersonating user."""
    found = await docs.get("apiclient", client_id)
    if found is None:
        raise NotFound("ApiClient", client_id)
    if not found.doc.get("Active", True) or not await client_allows(docs, found.doc, user):
        raise ValidationFailed(
            "The API client is inactive or not assigned to the user's buyer",
            "Impersonation.BadApiClient",
            {"ClientID": client_id},
        )
    if not user.doc.get("Active"):
        raise ValidationFailed("User account is not active", "Auth.UserNotActive", {"UserID": user.doc["ID"]})
    return await issue_for_user(services, docs, found.doc, user, scope, extra_claims={"imp": impersonator_id})
