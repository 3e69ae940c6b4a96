"""Forgotten credentials (docs/forgotten-credentials.md): verification codes by email, resetting a
password with one, the username reminder, and resetting a password with a reset token.

- A code is 32 random bytes (URL-safe base64, 43 characters). Only its SHA-256 is stored (a
  `passwordreset` document keyed by the digest): with that much entropy a fast hash is enough,
  and the lookup is one indexed read. A code works once, for `password_reset_minutes`, and only
  for the user, API client and identity (`_Uid`) it was issued to; a newer code replaces older
  ones, and any password change ends them all.
- The email also carries a reset token (`PasswordRenewalAccessToken`): a token of the user with
  the single role PasswordReset, as short-lived as the code, for `POST /me/password`. Setting the
  password bumps the user's token generation, which ends it (and every other token).
- Requests answer 204 whether or not a user matched, after the same minimum time
  (`RESPONSE_FLOOR_SECONDS`, padded after the transaction committed), and are rate-limited per
  source address and per username or email (`app.auth.throttle`).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from app.auth.grants import client_allows
from app.auth.passwords import hash_password
from app.auth.revocation import COMPANY_KINDS, bumped, identity_claims
from app.auth.users import KIND_TO_TYPE, USER_KINDS, FoundUser, find_user
from app.notifications.messages import Recipient, send
from app.store.repo import Docs
from app.unit import Unit
from domain.clock import iso, parse_iso, utcnow
from domain.errors import DomainError, NotFound, ValidationFailed

RESET_KIND = "passwordreset"
RESET_ROLE = "PasswordReset"
RESPONSE_FLOOR_SECONDS = 0.25
# OrderCloud's default rule: at least eight characters, a letter and a digit.
_LETTER, _DIGIT = re.compile(r"[A-Za-z]"), re.compile(r"\d")
INVALID_CODE = "PasswordReset.InvalidVerification"


class TooManyRequests(DomainError):
    status = 429
    default_code = "Auth.TooManyRequests"


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def check_new_password(password: str | None, code: str = "PasswordReset.InsecurePassword") -> str:
    if not password or len(password) < 8 or not _LETTER.search(password) or not _DIGIT.search(password):
        raise ValidationFailed(
            "The password must be at least 8 characters long and contain a letter and a digit",
            code,
            {"Field": "Password"},
        )
    return password


def throttle(ctx: Unit, address: str, identifier: str | None) -> None:
    """Per source `address`, and per username or email when `identifier` is given."""
    settings = ctx.services.settings
    wait = ctx.services.reset_throttle.check(
        address,
        (identifier or "").strip().lower(),
        per_address=settings.password_reset_rate_per_address,
        per_client=settings.password_reset_rate_per_user if identifier is not None else 0,
        window=settings.token_rate_window,
    )
    if wait:
        raise TooManyRequests(f"Too many requests; retry in {wait} seconds", data={"RetryAfterSeconds": wait})


def pad_response(ctx: Unit, started: float) -> None:
    """Answer no sooner than `RESPONSE_FLOOR_SECONDS` after `started`, once committed (no lock
    is held while waiting): whether a user matched does not show in the time taken."""

    async def wait() -> None:
        await asyncio.sleep(max(0.0, RESPONSE_FLOOR_SECONDS - (time.monotonic() - started)))

    ctx.after_commit(wait)


async def api_client(docs: Docs, client_id: str | None) -> dict[str, Any]:
    found = await docs.get("apiclient", client_id) if client_id else None
    if found is None or not found.doc.get("Active", True):
        raise ValidationFailed(
            "ClientID is missing or not an active API client",
            "PasswordReset.MissingOrInvalidClientID",
            {"Field": "ClientID"},
        )
    return found.doc


def _allowed_url(ctx: Unit, url: str | None) -> str | None:
    """The reset page a caller names must be on an origin the marketplace listed: the email
    carries the code in that link, so an unlisted one would hand codes to whoever asked."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced "[" in the host
        parts = urlsplit("")
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    listed = {
        o.strip().rstrip("/").lower()
        for o in ctx.services.settings.password_reset_url_origins.split(",")
        if o.strip()
    }
    if parts.scheme not in ("http", "https") or origin not in listed:
        raise ValidationFailed(
            "URL must be on an origin listed in ORDERCORE_PASSWORD_RESET_URL_ORIGINS",
            "PasswordReset.UrlNotAllowed",
            {"Field": "URL", "Value": url},
        )
    return url


async def _users_by_email(docs: Docs, email: str, marketplace_id: str) -> list[FoundUser]:
    found: list[FoundUser] = []
    for kind in USER_KINDS.values():
        for stored in await docs.all_stored(kind, docs.field_in("Email", sorted({email, email.lower()}))):
            user_type = KIND_TO_TYPE[kind]
            company = stored.scope if user_type != "admin" else marketplace_id
            found.append(FoundUser(user_type, company, stored.doc))
    return found


async def _eligible(docs: Docs, client: dict[str, Any], user: FoundUser) -> bool:
    """Active users of an active company whom this API client may sign in."""
    if not user.doc.get("Active"):
        return False
    company_kind = COMPANY_KINDS.get(user.user_type)
    if company_kind:
        company = await docs.get(company_kind, user.company_id)
        if company is None or not company.doc.get("Active", True):
            return False
    # The sign-in rule, kept in one place (app.auth.grants): who may not sign in with this
    # client gets no code for it either.
    return await client_allows(docs, client, user)


def recipient(user: FoundUser) -> Recipient:
    return Recipient(user.user_type, "" if user.user_type == "admin" else user.company_id, user.doc)


async def _reset_token(ctx: Unit, docs: Docs, client: dict[str, Any], user: FoundUser, minutes: int) -> str:
    company_kind = COMPANY_KINDS.get(user.user_type)
    company = await docs.get(company_kind, user.company_id) if company_kind else None
    claims = {
        "usr": user.doc["Username"],
        "cid": client["ID"],
        "u": user.doc["ID"],
        "usrtype": user.user_type,
        "cmp": user.company_id,
        "role": [RESET_ROLE],
        **identity_claims(user.doc, company.doc if company else None),
    }
    return str(await ctx.services.tokens.issue(claims, minutes * 60))


def _scope_of(user: FoundUser) -> str:
    return "" if user.user_type == "admin" else user.company_id


async def send_verification_code(
    ctx: Unit, address: str, client_id: str, username: str | None, email: str | None, url: str | None
) -> int:
    """Email a code to the user(s) the request names; returns how many (never shown)."""
    started = time.monotonic()
    pad_response(ctx, started)
    if not username and not email:
        raise ValidationFailed(
            "Username or Email is required", "PasswordReset.MissingUsernameOrEmail", {"Field": "Username"}
        )
    throttle(ctx, address, username or email or "")
    docs = ctx.docs
    client = await api_client(docs, client_id)
    link = _allowed_url(ctx, url)
    marketplace = ctx.services.marketplace_id
    if username:
        one = await find_user(docs, username, marketplace)
        users = [one] if one is not None else []
        if email:
            users = [u for u in users if str(u.doc.get("Email") or "").lower() == email.lower()]
    else:
        users = await _users_by_email(docs, str(email), marketplace)
    minutes = ctx.services.settings.password_reset_minutes
    sent = 0
    for user in users:
        if not await _eligible(docs, client, user):
            continue
        kind = USER_KINDS[user.user_type]
        # A newer code replaces the user's older ones.
        await docs.delete_where(
            RESET_KIND, *docs.eq(UserKind=kind, UserID=user.doc["ID"]), scope=_scope_of(user)
        )
        code = secrets.token_urlsafe(32)
        await docs.insert(
            RESET_KIND,
            {
                "ID": digest(code),
                "UserKind": kind,
                "UserID": user.doc["ID"],
                "Uid": user.doc.get("_Uid"),
                "ClientID": client["ID"],
                "Expires": iso(utcnow() + timedelta(minutes=minutes)),
            },
            _scope_of(user),
        )
        hidden = {
            "PasswordRenewalVerificationCode": code,
            "PasswordRenewalAccessToken": await _reset_token(ctx, docs, client, user, minutes),
        }
        if link:
            hidden["PasswordRenewalUrl"] = f"{link}{'&' if '?' in link else '?'}code={code}"
        body = {"Username": user.doc["Username"], "PasswordRenewalUrl": None}
        # One user's codes are sent in the order they were made: the last to arrive is the one that works.
        key = "user:" + digest(f"{kind}:{_scope_of(user)}:{user.doc['ID']}")
        sent += await send(
            docs.conn, "ForgottenPassword", recipient(user), body, secrets=hidden, ordering_key=key
        )
    return sent


async def _set_password(docs: Docs, kind: str, scope: str, user: dict[str, Any], password: str) -> None:
    doc = {**user, "_PasswordHash": await hash_password(password), "PasswordLastSetDate": iso(utcnow())}
    # A new password ends every token (app.auth.revocation) and every outstanding code.
    await docs.replace(kind, user["ID"], bumped(doc), scope)
    await docs.delete_where(RESET_KIND, *docs.eq(UserKind=kind, UserID=user["ID"]), scope=scope)


async def reset_by_code(
    ctx: Unit, address: str, code: str, client_id: str, username: str | None, password: str | None
) -> None:
    """A code works once, before it expires, for its own user and API client; anything else is
    the same refusal (nothing tells an unknown code from an expired or another user's one)."""
    # Per source address (a code of 256 random bits is not guessed anyway).
    throttle(ctx, address, None)
    docs = ctx.docs
    await api_client(docs, client_id)
    check_new_password(password)
    found = await docs.find_any_scope(RESET_KIND, digest(code))
    stored = found.doc if found else None
    user = None
    if stored is not None and found is not None:
        hit = await docs.get(str(stored["UserKind"]), str(stored["UserID"]), found.scope, lock=True)
        user = hit.doc if hit else None
    expired = stored is None or parse_iso(str(stored["Expires"])) <= utcnow()
    if (
        expired
        or user is None
        or stored is None
        or found is None
        or user.get("_Uid") != stored.get("Uid")
        or str(stored.get("ClientID", "")).lower() != client_id.lower()
        or (username is not None and str(user.get("Username", "")).lower() != username.lower())
        or not user.get("Active")
    ):
        raise ValidationFailed("The verification code is invalid or has expired", INVALID_CODE, None)
    assert password is not None
    await _set_password(docs, str(stored["UserKind"]), found.scope, user, password)


async def reset_by_token(ctx: Unit, password: str) -> None:
    """`POST /me/password`: the caller (a reset token, or any token with PasswordReset or
    FullAccess) sets its own password."""
    caller = await ctx.caller(RESET_ROLE)
    kind = USER_KINDS.get(caller.user_type)
    if caller.anonymous or kind is None:
        raise ValidationFailed("Anonymous shoppers have no password", "PasswordReset.MissingUsername", None)
    check_new_password(password)
    scope = "" if caller.is_seller else caller.company_id
    found = await ctx.docs.get(kind, caller.user_id, scope, lock=True)
    if found is None:
        raise NotFound("User", caller.user_id)
    await _set_password(ctx.docs, kind, scope, found.doc, password)


async def retrieve_username(ctx: Unit, address: str, client_id: str, email: str | None) -> int:
    """Email the usernames registered with an address (the ForgottenPassword senders, template
    `ForgottenUsername`); the same 204 whether or not any exists."""
    started = time.monotonic()
    pad_response(ctx, started)
    if not email:
        raise ValidationFailed(
            "Email is required", "PasswordReset.MissingUsernameOrEmail", {"Field": "Email"}
        )
    throttle(ctx, address, email)
    docs = ctx.docs
    client = await api_client(docs, client_id)
    users = [
        u
        for u in await _users_by_email(docs, email, ctx.services.marketplace_id)
        if await _eligible(docs, client, u)
    ]
    if not users:
        return 0
    names = sorted(str(u.doc["Username"]) for u in users)
    body = {"Usernames": names, "Email": email}
    sent = await send(docs.conn, "ForgottenPassword", recipient(users[0]), body, template="ForgottenUsername")
    return sent
