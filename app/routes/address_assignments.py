"""Which buyer users may ship to or bill to a buyer address: assignments to the whole buyer
(no UserID, no UserGroupID), to a user group, or to one user."""

from __future__ import annotations

from typing import Any

from app.assignments import list_page, optional_id
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import AddressAssignment
from app.routes.access import buyer_scope
from app.services import addresses
from app.wire import validate
from domain.errors import ValidationFailed

KIND = addresses.ASSIGNMENT_KIND
READ_ROLES = ("AddressReader", "AddressAdmin")
WRITE_ROLES = ("AddressAdmin",)
SCHEMA = schema_of(AddressAssignment)


@endpoint("GET", "/buyers/{buyerID}/addresses/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller(*READ_ROLES))
    opts = ctx.list_options(params=("addressID", "userID", "userGroupID", "level", "isShipping", "isBilling"))
    conds = addresses.assignment_conds(ctx.docs, opts.params)
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
    await addresses.assign(ctx.docs, buyer_id, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/buyers/{buyerID}/addresses/{addressID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller(*WRITE_ROLES))
    user_id, group_id = ctx.query("userID") or None, ctx.query("userGroupID") or None
    await addresses.unassign(ctx.docs, buyer_id, ctx.param("addressID"), user_id, group_id)
    return NO_CONTENT, 204


ROUTES = [list_assignments, save_assignment, delete_assignment]
