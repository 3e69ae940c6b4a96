"""Security profiles (named sets of roles) and their assignments to the marketplace, companies,
user groups and users. `app.auth.users.available_roles` reads what is stored here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, not_

from app.assignments import assignment_id, level_conds, list_page, optional_id, upsert
from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.auth.users import GROUP_KINDS, USER_KINDS
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import SecurityProfile, SecurityProfileAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.store.repo import Docs
from app.wire import validate
from domain.errors import NotFound, ValidationFailed

READ_ROLES = ("SecurityProfileReader", "SecurityProfileAdmin")
WRITE_ROLES = ("SecurityProfileAdmin",)
KIND = "securityprofile"
ASSIGNMENT_KIND = "securityprofileassignment"
FIELDS = ("BuyerID", "SupplierID", "UserID", "UserGroupID")


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    for role in doc.get("Roles") or []:
        if role not in ALL_ROLES:
            raise ValidationFailed(
                f"Unknown role: {role}", "ValidationFailure", {"Field": "Roles", "Value": role}
            )
    doc["IsExternalRoleGroup"] = bool(existing and existing.get("IsExternalRoleGroup"))
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await ctx.docs.delete_where(ASSIGNMENT_KIND, *ctx.docs.eq(SecurityProfileID=doc["ID"]))


SPEC = ResourceSpec(
    KIND,
    "SecurityProfile",
    "/securityprofiles",
    "securityProfileID",
    SecurityProfile,
    READ_ROLES,
    WRITE_ROLES,
    readonly=("IsExternalRoleGroup",),
    scope=seller_only,
    on_write=_on_write,
    on_delete=_on_delete,
)
ASSIGNMENT_SCHEMA = schema_of(SecurityProfileAssignment)


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


@endpoint("GET", "/securityprofiles/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ_ROLES)
    await seller_only(ctx, caller)
    opts = ctx.list_options(
        params=(
            "securityProfileID",
            "buyerID",
            "supplierID",
            "userID",
            "userGroupID",
            "level",
            "commerceRole",
        )
    )
    docs = ctx.docs
    conds = level_conds(docs, opts.params.get("level")) + _commerce_role(
        docs, opts.params.get("commerceRole")
    )
    return await list_page(
        ctx,
        ASSIGNMENT_KIND,
        ASSIGNMENT_SCHEMA,
        opts,
        fields={
            "securityProfileID": "SecurityProfileID",
            "buyerID": "BuyerID",
            "supplierID": "SupplierID",
            "userID": "UserID",
            "userGroupID": "UserGroupID",
        },
        conds=conds,
    )


async def _check_parties(docs: Docs, a: dict[str, str | None]) -> None:
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


def _key(profile_id: str, a: dict[str, str | None]) -> str:
    return assignment_id(profile_id, *(a[f] for f in FIELDS))


@endpoint("POST", "/securityprofiles/assignments", status=204)
async def save_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    await seller_only(ctx, caller)
    body = validate(await ctx.body_object(), SecurityProfileAssignment)
    parties = {
        "BuyerID": optional_id(body.buyer_id, "BuyerID"),
        "SupplierID": optional_id(body.supplier_id, "SupplierID"),
        "UserID": optional_id(body.user_id, "UserID"),
        "UserGroupID": optional_id(body.user_group_id, "UserGroupID"),
    }
    docs = ctx.docs
    await docs.require(KIND, body.security_profile_id, object_type="SecurityProfile")
    await _check_parties(docs, parties)
    doc: dict[str, str | None] = {
        "ID": _key(body.security_profile_id, parties),
        "SecurityProfileID": body.security_profile_id,
    }
    doc.update(parties)
    await upsert(docs, ASSIGNMENT_KIND, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/securityprofiles/{securityProfileID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    await seller_only(ctx, caller)
    profile_id = ctx.param("securityProfileID")
    await ctx.docs.require(KIND, profile_id, object_type="SecurityProfile")
    parties = {f: ctx.query(f[0].lower() + f[1:]) or None for f in FIELDS}
    if not await ctx.docs.delete(ASSIGNMENT_KIND, _key(profile_id, parties)):
        raise NotFound("SecurityProfileAssignment", profile_id)
    return NO_CONTENT, 204


ROUTES = [list_assignments, save_assignment, delete_assignment, *crud(SPEC)]
