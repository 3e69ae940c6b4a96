"""Checks behind impersonation configs and OpenID Connect configs (app/routes/auth_configs.py):
the objects they name exist, and no two impersonation configs say the same thing."""

from __future__ import annotations

from typing import Any

from app.store.repo import Docs
from domain.errors import Conflict, ValidationFailed

IMPERSONATOR = ("ImpersonationBuyerID", "ImpersonationGroupID", "ImpersonationUserID")
IMPERSONATED = ("BuyerID", "GroupID", "UserID")


async def _require_party(docs: Docs, doc: dict[str, Any], buyer: str, group: str, user: str) -> None:
    """A group or user named by a config belongs to the config's buyer, which must exist."""
    buyer_id = doc.get(buyer)
    if (doc.get(group) or doc.get(user)) and not buyer_id:
        raise ValidationFailed(
            f"{group} and {user} name members of a buyer: {buyer} is required",
            "ValidationFailure",
            {"Field": buyer},
        )
    if buyer_id:
        await docs.require("buyer", buyer_id, object_type="Buyer")
        if doc.get(group):
            await docs.require("usergroup", doc[group], buyer_id, object_type="UserGroup")
        if doc.get(user):
            await docs.require("user", doc[user], buyer_id, object_type="User")


async def check_impersonation(docs: Docs, doc: dict[str, Any], existing: dict[str, Any] | None) -> None:
    await docs.require("securityprofile", doc["SecurityProfileID"], object_type="SecurityProfile")
    await docs.require("apiclient", doc["ClientID"], object_type="ApiClient")
    await _require_party(docs, doc, *IMPERSONATOR)
    await _require_party(docs, doc, *IMPERSONATED)
    same = docs.eq(ClientID=doc["ClientID"], **{f: doc.get(f) for f in (*IMPERSONATOR, *IMPERSONATED)})
    if existing is not None:
        same.append(docs.json.text(["ID"]) != existing["ID"])
    if await docs.count("impersonationconfig", *same):
        raise Conflict(
            "An impersonation config for the same parties and API client exists already",
            "ImpersonationConfig.ConflictingImpersonationConfigExists",
            {"ClientID": doc["ClientID"]},
        )
