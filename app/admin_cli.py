"""Recovering access from the command line (`ordercore admin ...`): whoever can reach the database
can give a user a new password or create a new admin API client, without a token.

- `reset_password`: a new generated password for any user (admin, buyer or supplier user, found by
  Username as at sign-in); the lockout is cleared and the user's token generation moves on, so every
  token issued before is refused (app.auth.revocation).
- `new_admin_client`: an API client that allows seller users (`AllowSeller`), with a generated
  `ClientSecret` and a server-generated lowercase GUID as its ID; its client-credentials tokens act
  as an admin user (`DefaultContextUserName`), `admin` unless named.

Both are one transaction each and print the new credentials once (docs/operations.md,
"Recovering access")."""

from __future__ import annotations

import secrets
from typing import Any

from app.auth.lockout import unlocked
from app.auth.passwords import hash_password
from app.auth.revocation import bumped
from app.auth.users import USER_KINDS, find_user
from app.bootstrap import admin_client_doc, is_initialized
from app.state import Services
from app.store.repo import Docs
from app.wire import new_guid
from domain.clock import iso, utcnow

DEFAULT_CONTEXT_USER = "admin"


class AdminCommandError(Exception):
    """What the operator is told (exit code 1), never a traceback."""


def new_password() -> str:
    return secrets.token_urlsafe(12)


async def _require_initialized(services: Services) -> None:
    if not await is_initialized(services):
        raise AdminCommandError(
            "ordercore is not initialized yet: run `ordercore init` (or `ordercore serve`)"
        )


async def reset_password(services: Services, username: str) -> dict[str, Any]:
    """Give the user named `username` a new generated password and end its outstanding tokens."""
    await _require_initialized(services)
    password = new_password()
    password_hash = await hash_password(password)
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        user = await find_user(docs, username, services.marketplace_id)
        if user is None:
            raise AdminCommandError(f"no user with Username {username!r}")
        kind = USER_KINDS[user.user_type]
        scope = "" if user.user_type == "admin" else user.company_id
        found = await docs.get(kind, str(user.doc["ID"]), scope, lock=True)
        if found is None:
            raise AdminCommandError(f"no user with Username {username!r}")
        doc = bumped(unlocked(found.doc))
        doc["_PasswordHash"] = password_hash
        doc["PasswordLastSetDate"] = iso(utcnow())
        await docs.replace(kind, str(doc["ID"]), doc, scope, version=found.version)
    return {
        "Username": doc["Username"],
        "Password": password,
        "UserType": user.user_type,
        "CompanyID": user.company_id,
        "Active": bool(doc.get("Active")),
    }


async def new_admin_client(services: Services, context_username: str | None = None) -> dict[str, Any]:
    """Create an active API client for seller users with a new secret."""
    await _require_initialized(services)
    username = context_username or DEFAULT_CONTEXT_USER
    client_id = new_guid()
    secret = secrets.token_urlsafe(24)
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        user = await find_user(docs, username, services.marketplace_id)
        if user is None or user.user_type != "admin":
            hint = "" if context_username else " (name an admin user's Username with --user)"
            raise AdminCommandError(f"no admin user with Username {username!r}{hint}")
        await docs.insert(
            "apiclient",
            admin_client_doc(
                client_id, secret, str(user.doc["Username"]), app_name="ordercore admin (recovery)"
            ),
        )
    return {"ClientID": client_id, "ClientSecret": secret, "DefaultContextUserName": user.doc["Username"]}
