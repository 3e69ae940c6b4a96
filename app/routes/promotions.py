"""`/promotions` (CRUD), `/promotions/assignments`, `/promotions/{id}/assignments` and
`/me/promotions[/{id}]`. Rules: `app/services/promotions.py`, docs/promotions.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

from app.assignments import assignment_id, buyer_user_reach, level_conds, list_page, optional_id, upsert
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import Page, schema_of
from app.models.promotions import Promotion, PromotionAssignment
from app.resources import Doc, ResourceSpec, crud, public
from app.services import order_promotions, promotions
from app.services.order_promotions import SEARCHABLE, SORTABLE
from app.store.tables import resources
from app.wire import validate
from domain.clock import iso, parse_iso, utcnow
from domain.errors import NotFound, ValidationFailed

ASSIGNMENT_SCHEMA = schema_of(PromotionAssignment)
ME_ROLES = ("Shopper",)


def _normalize_dates(doc: Doc) -> None:
    """Dates in OrderCloud's format, so stored text compares as instants."""
    for name in ("StartDate", "ExpirationDate"):
        if doc.get(name) is not None:
            try:
                doc[name] = iso(parse_iso(str(doc[name])))
            except ValueError:
                raise ValidationFailed(
                    f"{name} is not an ISO-8601 date", "ValidationFailure", {"Field": name}
                ) from None


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    _normalize_dates(doc)
    doc = await promotions.check_promotion(ctx, caller, doc, existing, scope)
    if existing is not None and existing.get("Active") is not False and doc.get("Active") is False:
        await order_promotions.drop_from_unsubmitted(ctx.docs, existing["ID"])
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    docs = ctx.docs
    await order_promotions.drop_from_unsubmitted(docs, doc["ID"])
    await docs.delete_where(promotions.ASSIGNMENT_KIND, *docs.eq(PromotionID=doc["ID"]))
    await docs.delete_where(promotions.REDEMPTION_KIND, scope=doc["ID"])


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


async def _own_promotion_ids(ctx: Ctx, caller: Caller) -> list[str] | None:
    """None for the seller (every promotion); a supplier's own promotions otherwise."""
    if caller.is_seller:
        return None
    return [p["ID"] for p in await ctx.docs.all(promotions.KIND, *ctx.docs.eq(OwnerID=caller.company_id))]


@endpoint("GET", "/promotions/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller(*promotions.READ_ROLES)
    await promotions.promotion_scope(ctx, caller)
    opts = ctx.list_options(params=("buyerID", "promotionID", "userID", "userGroupID", "level"))
    conds: list[ColumnElement[bool]] = level_conds(ctx.docs, opts.params.get("level"))
    if opts.params.get("userID"):
        conds.append(await buyer_user_reach(ctx.docs, opts.params["userID"], opts.params.get("buyerID")))
    own = await _own_promotion_ids(ctx, caller)
    if own is not None:
        conds.append(ctx.docs.field_in("PromotionID", own))
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
    docs = ctx.docs
    own = await _own_promotion_ids(ctx, caller)
    if not await docs.exists(promotions.KIND, body.promotion_id) or (
        own is not None and body.promotion_id not in own
    ):
        raise NotFound("Promotion", body.promotion_id)
    await docs.require("buyer", body.buyer_id, object_type="Buyer")
    group_id = optional_id(body.user_group_id, "UserGroupID")
    if group_id:
        await docs.require("usergroup", group_id, body.buyer_id, object_type="UserGroup")
    doc = {
        "ID": assignment_id(body.promotion_id, body.buyer_id, group_id),
        "PromotionID": body.promotion_id,
        "BuyerID": body.buyer_id,
        "UserGroupID": group_id,
    }
    await upsert(docs, promotions.ASSIGNMENT_KIND, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/promotions/{promotionID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*promotions.WRITE_ROLES)
    await promotions.promotion_scope(ctx, caller)
    promotion_id = ctx.param("promotionID")
    buyer_id = ctx.query("buyerID")
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    key = assignment_id(promotion_id, buyer_id, ctx.query("userGroupID") or None)
    own = await _own_promotion_ids(ctx, caller)
    if (own is not None and promotion_id not in own) or not await ctx.docs.delete(
        promotions.ASSIGNMENT_KIND, key
    ):
        raise NotFound("PromotionAssignment", promotion_id)
    return NO_CONTENT, 204


# --------------------------------------------------------------------------- /me/promotions


async def _mine(ctx: Ctx, caller: Caller) -> list[ColumnElement[bool]] | None:
    """Conditions for the promotions the caller may use now; None for callers without a buyer."""
    if not caller.is_buyer:
        return None
    docs = ctx.docs
    groups = await promotions.buyer_groups(docs, caller.company_id, caller.user_id)
    now = iso(utcnow())
    start, end = docs.json.text(["StartDate"]), docs.json.text(["ExpirationDate"])
    return [
        *await promotions.available_conds(docs, caller.company_id, groups),
        or_(docs.json.is_null(["StartDate"]), start <= now),
        or_(docs.json.is_null(["ExpirationDate"]), end >= now),
    ]


@endpoint("GET", "/me/promotions")
async def list_my_promotions(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_ROLES)
    opts = ctx.list_options()
    conds = await _mine(ctx, caller)
    if conds is None:
        return Page([], opts.page, opts.page_size, 0).wire()
    page = await ctx.docs.page(
        promotions.KIND, opts, SPEC.schema, conds=conds, scope="", searchable=SEARCHABLE, sortable=SORTABLE
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


@endpoint("GET", "/me/promotions/{promotionID}")
async def get_my_promotion(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ME_ROLES)
    promotion_id = ctx.param("promotionID")
    conds = await _mine(ctx, caller)
    rows = (
        await ctx.docs.all(promotions.KIND, resources.c.id == promotion_id, *conds, scope="")
        if conds is not None
        else []
    )
    if not rows:
        raise NotFound("Promotion", promotion_id)
    return public(rows[0])


ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    *crud(SPEC),
    list_my_promotions,
    get_my_promotion,
]
