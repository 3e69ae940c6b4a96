"""Which buyer users may ship to or bill to a buyer address: assignments to the whole buyer
(no UserID, no UserGroupID), to a user group, or to one user."""

from __future__ import annotations

from typing import Any

from app.assignments import assignment_id, level_conds, list_page, optional_id, parse_bool
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import AddressAssignment
from app.routes.access import buyer_scope
from app.services import addresses
from app.wire import validate
from domain.errors import NotFound, ValidationFailed

KIND = addresses.ASSIGNMENT_KIND
READ_ROLES = ("AddressReader", "AddressAdmin")
WRITE_ROLES = ("AddressAdmin",)
SCHEMA = schema_of(AddressAssignment)


@endpoint("GET", "/buyers/{buyerID}/addresses/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller(*READ_ROLES))
    opts = ctx.list_options(params=("addressID", "userID", "userGroupID", "level", "isShipping", "isBilling"))
    docs = ctx.docs
    conds = level_conds(docs, opts.params.get("level"))
    for param, field in (("isShipping", "IsShipping"), ("isBilling", "IsBilling")):
        if opts.params.get(param):
            conds.extend(docs.eq(**{field: parse_bool(opts.params[param], param)}))
    return await list_page(
        ctx,
        KIND,
        SCHEMA,
        opts,
        fields={"addressID": "AddressID", "userID": "UserID", "userGroupID": "UserGroupID"},
        scope=buyer_id,
        conds=conds,
    )


@endpoint("POST", "/buyers/{buyerID}/addresses/assignments", status=204)
async def save_assignment(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller(*WRITE_ROLES))
    body = validate(await ctx.body_object(), AddressAssignment)
    user_id = optional_id(body.user_id, "UserID")
    group_id = optional_id(body.user_group_id, "UserGroupID")
    if user_id and group_id:
        raise ValidationFailed(
            "An assignment names a user or a user group, not both",
            "ValidationFailure",
            {"Field": "UserGroupID"},
        )
    doc = addresses.assignment_doc(body.address_id, user_id, group_id, body.is_shipping, body.is_billing)
    docs = ctx.docs
    await docs.require("address", body.address_id, buyer_id, object_type="Address")
    if user_id:
        await docs.require("user", user_id, buyer_id, object_type="User")
    if group_id:
        await docs.require("usergroup", group_id, buyer_id, object_type="UserGroup")
    await addresses.save_assignment(docs, buyer_id, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/buyers/{buyerID}/addresses/{addressID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller(*WRITE_ROLES))
    address_id = ctx.param("addressID")
    key = assignment_id(address_id, ctx.query("userID") or None, ctx.query("userGroupID") or None)
    if not await ctx.docs.delete(KIND, key, buyer_id):
        raise NotFound("AddressAssignment", address_id)
    return NO_CONTENT, 204


ROUTES = [list_assignments, save_assignment, delete_assignment]
