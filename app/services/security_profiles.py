"""Security profiles' rules: which roles a profile may hold, what an assignment may name, and
what goes with a deleted profile. The `/securityprofiles` routes parse and shape; this decides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, not_

from app.assignments import assignment_id, level_conds, upsert
from app.auth.roles import ALL_ROLES
from app.auth.users import GROUP_KINDS, USER_KINDS
from app.store.repo import Docs
from domain.errors import NotFound, ValidationFailed

KIND = "securityprofile"
ASSIGNMENT_KIND = "securityprofileassignment"
FIELDS = ("BuyerID", "SupplierID", "UserID", "UserGroupID")
Parties = dict[str, str | None]


def prepare(doc: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """A profile being written: known roles only; IsExternalRoleGroup is the server's."""
    for role in doc.get("Roles") or []:
        if role not in ALL_ROLES:
            raise ValidationFailed(
                f"Unknown role: {role}", "ValidationFailure", {"Field": "Roles", "Value": role}
            )
    doc["IsExternalRoleGroup"] = bool(existing and existing.get("IsExternalRoleGroup"))
    return doc


async def forget(docs: Docs, profile_id: str) -> None:
    """A deleted profile's assignments go with it."""
    await docs.delete_where(ASSIGNMENT_KIND, *docs.eq(SecurityProfileID=profile_id))


def _commerce_role(docs: Docs, value: str | None) -> list[ColumnElement[bool]]:
    """`commerceRole=Buyer|Supplier|Seller`: whose assignments (a buyer's, a supplier's, or the
    marketplace's own, which name neither)."""
    if value is None:
        return []
    low = value.strip().lower()
    if low == "buyer":
        return [not_(docs.eq(BuyerID=None)[0])]
    if low == "supplier":
        return [not_(docs.eq(SupplierID=None)[0])]
    if low == "seller":
        return docs.eq(BuyerID=None, SupplierID=None)
    raise ValidationFailed(
        "commerceRole must be Buyer, Supplier or Seller",
        "ValidationFailure",
        {"Field": "commerceRole", "Value": value},
    )


def assignment_conds(docs: Docs, level: str | None, commerce_role: str | None) -> list[ColumnElement[bool]]:
    """The `level` and `commerceRole` parameters of the assignment list."""
    return level_conds(docs, level) + _commerce_role(docs, commerce_role)


async def check_parties(docs: Docs, a: Parties) -> None:
    """Everything the assignment names must exist, in the company it names."""
    if a["BuyerID"] and a["SupplierID"]:
        raise ValidationFailed(
            "An assignment names a buyer or a supplier, not both",
            "SecurityProfile.CannotProvideSupplierID",
            {"BuyerID": a["BuyerID"], "SupplierID": a["SupplierID"]},
        )
    if a["UserID"] and a["UserGroupID"]:
        raise ValidationFailed(
            "An assignment names a user or a user group, not both",
            "ValidationFailure",
            {"Field": "UserGroupID"},
        )
    if a["BuyerID"]:
        user_type, company, scope = "buyer", ("buyer", a["BuyerID"], "Buyer"), a["BuyerID"]
    elif a["SupplierID"]:
        user_type, company, scope = "supplier", ("supplier", a["SupplierID"], "Supplier"), a["SupplierID"]
    else:
        user_type, company, scope = "admin", None, ""
    if company is not None:
        await docs.require(company[0], company[1], object_type=company[2])
    if a["UserID"]:
        await docs.require(USER_KINDS[user_type], a["UserID"], scope, object_type="User")
    if a["UserGroupID"]:
        await docs.require(GROUP_KINDS[user_type], a["UserGroupID"], scope, object_type="UserGroup")


def _key(profile_id: str, a: Parties) -> str:
    return assignment_id(profile_id, *(a[f] for f in FIELDS))


async def assign(docs: Docs, profile_id: str, parties: Parties) -> None:
    """Assign an existing profile to the marketplace, a company, a group or a user (idempotent)."""
    await docs.require(KIND, profile_id, object_type="SecurityProfile")
    await check_parties(docs, parties)
    doc: Parties = {"ID": _key(profile_id, parties), "SecurityProfileID": profile_id}
    doc.update(parties)
    await upsert(docs, ASSIGNMENT_KIND, doc)


async def unassign(docs: Docs, profile_id: str, parties: Parties) -> None:
    await docs.require(KIND, profile_id, object_type="SecurityProfile")
    if not await docs.delete(ASSIGNMENT_KIND, _key(profile_id, parties)):
        raise NotFound("SecurityProfileAssignment", profile_id)
