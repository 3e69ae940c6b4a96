"""Where users live and what roles their security profiles give them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.roles import applicable_roles
from app.store.invalidation import cached_config
from app.store.repo import Docs

# user type -> (resource kind, company kind)
USER_KINDS = {"admin": "adminuser", "buyer": "user", "supplier": "supplieruser"}
KIND_TO_TYPE = {v: k for k, v in USER_KINDS.items()}
GROUP_KINDS = {"admin": "adminusergroup", "buyer": "usergroup", "supplier": "supplierusergroup"}


def username_key(username: str) -> str:
    return "user:" + username.strip().lower()


@dataclass
class FoundUser:
    user_type: str
    company_id: str  # buyer ID, supplier ID, or the marketplace ID for admin users
    doc: dict[str, Any]


async def find_user(docs: Docs, username: str, marketplace_id: str) -> FoundUser | None:
    hit = await docs.by_uniq(username_key(username))
    if hit is None:
        return None
    kind, stored = hit
    user_type = KIND_TO_TYPE.get(kind)
    if user_type is None:
        return None
    company = stored.scope if user_type != "admin" else marketplace_id
    return FoundUser(user_type, company, stored.doc)


async def group_ids(docs: Docs, user_type: str, company_id: str, user_id: str) -> list[str]:
    """The user's groups, from the per-process configuration cache (app.store.invalidation: dropped
    on any group assignment write, in every process): visibility asks on every add and submit."""
    scope = company_id if user_type != "admin" else ""
    kind = f"{GROUP_KINDS[user_type]}assignment"

    async def read(conn: AsyncConnection) -> list[str]:
        rows = await Docs(conn).all(kind, *docs.eq(UserID=user_id), scope=scope)
        return [r["UserGroupID"] for r in rows]

    found: list[str] = await cached_config(docs.conn, ("groups", kind, scope.lower(), user_id), read)
    return list(found)


async def _profiles(docs: Docs, user_type: str, company_id: str, user_id: str) -> list[dict[str, Any]]:
    """Security profiles assigned to the user, its groups, or its company (for admin users: the
    marketplace itself, an assignment with no IDs)."""
    groups = await group_ids(docs, user_type, company_id, user_id)
    assignments = await docs.all("securityprofileassignment")
    profile_ids = _profile_ids(assignments, user_type, company_id, user_id, groups)
    found = [await docs.get("securityprofile", pid) for pid in sorted(profile_ids)]
    return [f.doc for f in found if f is not None]


def _profile_ids(
    assignments: list[dict[str, Any]], user_type: str, company_id: str, user_id: str, groups: list[str]
) -> set[str]:
    company_field = {"buyer": "BuyerID", "supplier": "SupplierID"}.get(user_type)
    profile_ids: set[str] = set()
    for a in assignments:
        if company_field:
            if a.get(company_field) != company_id:
                continue
        elif a.get("BuyerID") or a.get("SupplierID"):
            continue
        if a.get("UserID"):
            if a["UserID"] == user_id:
                profile_ids.add(a["SecurityProfileID"])
        elif a.get("UserGroupID"):
            if a["UserGroupID"] in groups:
                profile_ids.add(a["SecurityProfileID"])
        else:
            profile_ids.add(a["SecurityProfileID"])
    return profile_ids


async def available_roles(
    docs: Docs, user_type: str, company_id: str, user_id: str
) -> tuple[set[str], set[str]]:
    """Roles and custom roles from the security profiles that reach the user, the roles limited
    to those its type can hold (`app.auth.roles.ROLES_OF_USER_TYPE`)."""
    return _roles_of(user_type, await _profiles(docs, user_type, company_id, user_id))


def _roles_of(user_type: str, profiles: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """The roles (those `user_type` can hold) and custom roles `profiles` give together."""
    roles: set[str] = set()
    custom: set[str] = set()
    for profile in profiles:
        roles.update(profile.get("Roles") or [])
        custom.update(profile.get("CustomRoles") or [])
    return applicable_roles(user_type, roles), custom


class RolesOfUsers:
    """`User.AvailableRoles` for the users one request shows: the roles, then the custom roles,
    each sorted, that their security profiles give and their type can hold (as `available_roles`).
    The assignments and profiles are read once per request; each user costs one statement (its
    group memberships)."""

    def __init__(self, docs: Docs) -> None:
        self.docs = docs
        self.assignments: list[dict[str, Any]] | None = None
        self.profiles: dict[str, dict[str, Any] | None] = {}

    async def of(self, user_type: str, company_id: str, user_id: str) -> list[str]:
        groups = await group_ids(self.docs, user_type, company_id, user_id)
        if self.assignments is None:
            self.assignments = await self.docs.all("securityprofileassignment")
        profiles: list[dict[str, Any]] = []
        for profile_id in sorted(_profile_ids(self.assignments, user_type, company_id, user_id, groups)):
            if profile_id not in self.profiles:
                found = await self.docs.get("securityprofile", profile_id)
                self.profiles[profile_id] = found.doc if found else None
            profile = self.profiles[profile_id]
            if profile is not None:
                profiles.append(profile)
        roles, custom = _roles_of(user_type, profiles)
        return sorted(roles) + sorted(custom)


async def lockout_policy(
    docs: Docs, user: FoundUser, default_attempts: int, default_minutes: int
) -> tuple[int, int]:
    """(AllowedFailedAttempts, LockoutDuration in minutes) for the user: the strictest values the
    PasswordConfig of its security profiles set (fewest attempts, longest lockout), else the
    defaults."""
    user_id = str(user.doc["ID"])
    configs = [
        p.get("PasswordConfig") or {} for p in await _profiles(docs, user.user_type, user.company_id, user_id)
    ]
    attempts = [int(c["AllowedFailedAttempts"]) for c in configs if c.get("AllowedFailedAttempts")]
    minutes = [int(c["LockoutDuration"]) for c in configs if c.get("LockoutDuration")]
    return (min(attempts) if attempts else default_attempts, max(minutes) if minutes else default_minutes)
