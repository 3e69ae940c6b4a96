"""Security profiles (named sets of roles) and their assignments to the marketplace, companies,
user groups and users. `app.auth.users.available_roles` reads what is stored here."""

from __future__ import annotations

from typing import Any

from app.assignments import list_page, optional_id
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import SecurityProfile, SecurityProfileAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import security_profiles
from app.services.security_profiles import ASSIGNMENT_KIND, FIELDS, KIND
from app.wire import validate

READ_ROLES = ("SecurityProfileReader", "SecurityProfileAdmin")
WRITE_ROLES = ("SecurityProfileAdmin",)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return security_profiles.prepare(doc, existing)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await security_profiles.forget(ctx.docs, doc["ID"])


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
    conds = security_profiles.assignment_conds(
        ctx.docs, opts.params.get("level"), opts.params.get("commerceRole")
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
    await security_profiles.assign(ctx.docs, body.security_profile_id, parties)
    return NO_CONTENT, 204


@endpoint("DELETE", "/securityprofiles/{securityProfileID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    await seller_only(ctx, caller)
    profile_id = ctx.param("securityProfileID")
    parties = {f: ctx.query(f[0].lower() + f[1:]) or None for f in FIELDS}
    await security_profiles.unassign(ctx.docs, profile_id, parties)
    return NO_CONTENT, 204


ROUTES = [list_assignments, save_assignment, delete_assignment, *crud(SPEC)]
