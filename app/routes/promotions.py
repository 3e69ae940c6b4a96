"""`/promotions` (CRUD), `/promotions/assignments`, `/promotions/{id}/assignments` and
`/me/promotions[/{id}]`. Rules: `app/services/promotions.py`, docs/promotions.md."""

from __future__ import annotations

from typing import Any

from app.assignments import list_page, optional_id
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import Page, schema_of
from app.models.promotions import Promotion, PromotionAssignment
from app.resources import Doc, Listing, ResourceSpec, crud, listing_page, public
from app.services import promotion_admin, promotions
from app.services.order_promotions import SEARCHABLE, SORTABLE
from app.wire import validate
from domain.errors import ValidationFailed

ASSIGNMENT_SCHEMA = schema_of(PromotionAssignment)
ME_ROLES = ("Shopper",)
MINE = Listing(promotions.KIND, schema_of(Promotion), searchable=SEARCHABLE, sortable=SORTABLE)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await promotion_admin.prepare(ctx, caller, doc, existing, scope)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await promotion_admin.forget(ctx.docs, doc["ID"])


SPEC = ResourceSpec(
    promotions.KIND,
    "Promotion",
    "/promotions",
    "promotionID",
    Promotion,
    promotions.READ_ROLES,
    promotions.WRITE_ROLES,
    readonly=("RedemptionCount",),
    searchable=SEARCHABLE,
    sortable=SORTABLE,
    scope=promotions.promotion_scope,
    visible=promotions.promotion_visible,
    on_write=_on_write,
    on_delete=_on_delete,
    uniq=lambda doc: promotions.code_key(str(doc["Code"])),
)


# --------------------------------------------------------------------------- assignments


@endpoint("GET", "/promotions/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller(*promotions.READ_ROLES)
    await promotions.promotion_scope(ctx, caller)
    opts = ctx.list_options(params=("buyerID", "promotionID", "userID", "userGroupID", "level"))
    conds = await promotion_admin.assignment_conds(ctx.docs, caller, opts.params)
    return await list_page(
        ctx,
        promotions.ASSIGNMENT_KIND,
        ASSIGNMENT_SCHEMA,
        opts,
        fields={"buyerID": "BuyerID", "promotionID": "PromotionID", "userGroupID": "UserGroupID"},
        conds=conds,
    )


@endpoint("POST", "/promotions/assignments", status=204)
async def save_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*promotions.WRITE_ROLES)
    await promotions.promotion_scope(ctx, caller)
    body = validate(await ctx.body_object(), PromotionAssignment)
    group_id = optional_id(body.user_group_id, "UserGroupID")
    await promotion_admin.assign(ctx.docs, caller, body.promotion_id, body.buyer_id, group_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/promotions/{promotionID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*promotions.WRITE_ROLES)
    await promotions.promotion_scope(ctx, caller)
    promotion_id = ctx.param("promotionID")
    buyer_id = ctx.query("buyerID")
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    group_id = ctx.query("userGroupID") or None
    await promotion_admin.unassign(ctx.docs, caller, promotion_id, buyer_id, group_id)
    return NO_CONTENT, 204


# --------------------------------------------------------------------------- /me/promotions


@endpoint("GET", "/me/promotions")
async def list_my_promotions(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_ROLES)
    opts = ctx.list_options()
    conds = await promotion_admin.usable_conds(ctx.docs, caller)
    if conds is None:
        return Page([], opts.page, opts.page_size, 0).wire()
    return await listing_page(ctx, MINE, opts, conds=conds, scope="")


@endpoint("GET", "/me/promotions/{promotionID}")
async def get_my_promotion(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_ROLES)
    return public(await promotion_admin.usable(ctx.docs, caller, ctx.param("promotionID")))


ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    *crud(SPEC),
    list_my_promotions,
    get_my_promotion,
]
