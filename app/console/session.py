"""The console's session: a seller user signs in with OAuth's password grant (the very code of
`POST /oauth/token`) through the console's own API client; the access token it gets lives in an
HttpOnly, SameSite=Strict cookie. Every form and htmx POST carries a CSRF token that must match
a second cookie (double submit); see docs/console.md."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response

from app.auth.grants import OAuthError, token_response
from app.auth.tokens import Caller
from app.console.api import api_request
from app.observability import note_caller
from app.state import Services
from app.store.repo import Docs
from domain.errors import Forbidden, Unauthorized

CONSOLE_CLIENT_ID = "ordercore-console"
SESSION_COOKIE = "ordercore_console"
CSRF_COOKIE = "ordercore_console_csrf"
FLASH_COOKIE = "ordercore_console_flash"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
PATH = "/console"
# Sign-ins through the console last this long (minutes; the client's AccessTokenDuration).
SESSION_MINUTES = 120


def console_client_doc() -> dict[str, Any]:
    """The console's API client: seller users only (no buyer, no supplier may use it), no secret
    (the password grant needs none), two-hour tokens without refresh."""
    return {
        "ID": CONSOLE_CLIENT_ID,
        "ClientSecret": None,
        "AccessTokenDuration": SESSION_MINUTES,
        "Active": True,
        "AppName": "ordercore console",
        "RefreshTokenDuration": 0,
        "AnonymousTokenDuration": None,
        "DefaultContextUserName": None,
        "xp": None,
        "AllowAnyBuyer": False,
        "AllowAnySupplier": False,
        "AllowSeller": True,
        "IsAnonBuyer": False,
        "AssignedBuyerCount": 0,
        "AssignedSupplierCount": 0,
        "OrderCheckoutIntegrationEventID": None,
        "OrderCheckoutIntegrationEventName": None,
        "OrderReturnIntegrationEventID": None,
        "OrderReturnIntegrationEventName": None,
        "AddToCartIntegrationEventID": None,
        "AddToCartIntegrationEventName": None,
        "MinimumRequiredRoles": None,
        "MinimumRequiredCustomRoles": None,
        "MaximumGrantedRoles": None,
        "MaximumGrantedCustomRoles": None,
    }


async def ensure_console_client(services: Services) -> None:
    """Create the console's API client on the first sign-in if it does not exist. An existing one
    is left as the seller configured it: deactivating it (`Active: false`) turns console
    sign-ins off."""
    async with services.db.reader() as conn:
        if await Docs(conn).exists("apiclient", CONSOLE_CLIENT_ID):
            return
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        if not await docs.exists("apiclient", CONSOLE_CLIENT_ID):
            await docs.insert("apiclient", console_client_doc())


def client_address(request: Request[Any, Any, Any], services: Services) -> str:
    if services.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client else ""


async def sign_in(request: Request[Any, Any, Any], username: str, password: str) -> tuple[str, int]:
    """The token for a seller user, by the password grant of `/oauth/token` (same throttle,
    lockout, argon2 and client checks); a buyer or supplier user is refused by the console's
    client (it allows seller users only) and, should that be changed, here again."""
    services: Services = request.app.state.services
    await ensure_console_client(services)
    form = {
        "grant_type": "password",
        "client_id": CONSOLE_CLIENT_ID,
        "username": username,
        "password": password,
    }
    body = await token_response(services, form, client_address(request, services))
    token = str(body["access_token"])
    caller = await services.tokens.caller(token)
    if not caller.is_seller:
        raise Forbidden("The console is for the marketplace's seller users", "Auth.InsufficientRoles")
    return token, int(body["expires_in"])


async def session_caller(request: Request[Any, Any, Any]) -> tuple[str, Caller]:
    """The signed-in seller user and their token, verified as every API request is
    (`Services.authenticate`: signature, expiry, revocation); Unauthorized without a session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise Unauthorized("Not signed in", "InvalidToken")
    services: Services = request.app.state.services
    caller = await services.authenticate(api_request(request, token))
    note_caller(caller.user_id, caller.client_id)  # for the access log, as API requests do
    if not caller.is_seller:
        raise Forbidden("The console is for the marketplace's seller users", "Auth.InsufficientRoles")
    return token, caller


def is_https(request: Request[Any, Any, Any]) -> bool:
    services: Services = request.app.state.services
    return request.url.scheme == "https" or services.settings.base_url.startswith("https://")


def set_cookie(
    response: Response[Any], request: Request[Any, Any, Any], name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        path=PATH,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def clear_cookie(response: Response[Any], request: Request[Any, Any, Any], name: str) -> None:
    set_cookie(response, request, name, "", 0)


def csrf_token(request: Request[Any, Any, Any]) -> tuple[str, bool]:
    """The browser's CSRF token and whether it is new (then the response must set it)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if len(current) >= 32:
        return current, False
    return secrets.token_urlsafe(32), True


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def check_csrf(request: Request[Any, Any, Any], form: dict[str, str]) -> None:
    """Double submit: the token in the form (or the htmx header) must equal the cookie's, which
    another site can neither read nor, with SameSite=Strict, make the browser send. A request
    whose Origin names another host is refused as well."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = urlsplit(origin).netloc
        if host != request.headers.get("host", ""):
            raise Forbidden("Cross-origin form posts are refused", "Console.CsrfFailed")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
    if not cookie or not sent or not secrets.compare_digest(cookie.encode(), sent.encode()):
        raise Forbidden(
            "The form's security token is missing or stale; reload the page", "Console.CsrfFailed"
        )


@dataclass(frozen=True)
class SignInProblem:
    status: int
    message: str


def sign_in_problem(exc: Exception) -> SignInProblem:
    """What the sign-in page says about a refused sign-in (never whether the user exists)."""
    if isinstance(exc, OAuthError):
        if exc.code == "Auth.TooManyRequests":
            return SignInProblem(429, exc.message)
        if exc.code == "Auth.LockedOut":
            return SignInProblem(403, exc.message)
        if "may not sign in with this API client" in exc.message:
            return SignInProblem(403, "The console is for the marketplace's seller users.")
        if exc.code == "Auth.ClientNotActive":
            return SignInProblem(
                403, "Console sign-in is turned off (the ordercore-console client is inactive)."
            )
        return SignInProblem(401, "Invalid username or password.")
    if isinstance(exc, Forbidden):
        return SignInProblem(403, "The console is for the marketplace's seller users.")
    return SignInProblem(401, "Invalid username or password.")
