"""Locales (`/locales`): a currency and a language, assigned to buyers and user groups. A buyer
user's orders are in the Currency of its locale (app/services/locales.py); price schedules in
another currency do not price them. Rules: docs/catalog-config.md, "Locales"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog import assignments
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.config import Locale, LocaleAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services.locales import ASSIGN_KEYS, ASSIGN_KIND, KIND
from domain.errors import Conflict, ValidationFailed

READ = ("LocaleReader", "LocaleAdmin")
WRITE = ("LocaleAdmin",)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    if doc.get("Currency") is not None or doc.get("Language") is not None:
        same = ctx.docs.eq(Currency=doc.get("Currency"), Language=doc.get("Language"))
        if existing is not None:
            same.append(ctx.docs.json.text(["ID"]) != existing["ID"])
        if await ctx.docs.count(KIND, *same):
            raise Conflict(
                "A locale with this Currency and Language exists already",
                "Locale.DuplicateLanguageAndCurrency",
                {"Currency": doc.get("Currency"), "Language": doc.get("Language")},
            )
    # A renamed locale's assignments follow it (app.catalog.rename).
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await ctx.docs.delete_where(ASSIGN_KIND, *ctx.docs.eq(LocaleID=doc["ID"]))


SPEC = ResourceSpec(
    KIND,
    "Locale",
    "/locales",
    "localeID",
    Locale,
    READ,
    WRITE,
    readonly=(),
    searchable=("ID", "Currency", "Language"),
    sortable=("ID", "Currency", "Language", "OwnerID"),
    scope=seller_only,
    on_write=_on_write,
    on_delete=_on_delete,
)


def _level(ctx: Ctx) -> list[ColumnElement[bool]]:
    level = (ctx.query("level") or "").lower()
    if level == "group":
        return [~ctx.docs.json.is_null(["UserGroupID"])]
    if level == "company":
        return list(ctx.docs.eq(UserGroupID=None))
    if level == "user" or ctx.query("userID"):
        # Locales are assigned to buyers and user groups only, so no assignment is a user's.
        return [ctx.docs.json.text(["ID"]).is_(None)]
    if level:
        raise ValidationFailed("level must be User, Group or Company", "ValidationFailure", {"level": level})
    return []


@endpoint("GET", "/locales/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*READ))
    return await assignments.list_page(
        ctx,
        ASSIGN_KIND,
        LocaleAssignment,
        params={"localeID": "LocaleID", "buyerID": "BuyerID", "userGroupID": "UserGroupID"},
        conds=_level(ctx),
        sort=("LocaleID", *ASSIGN_KEYS),
        extra_params=("level", "userID"),
    )


@endpoint("POST", "/locales/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), LocaleAssignment)
    docs = ctx.docs
    doc["LocaleID"] = (await docs.require(KIND, doc["LocaleID"], object_type="Locale")).doc["ID"]
    doc["BuyerID"] = (await docs.require("buyer", doc["BuyerID"], object_type="Buyer")).doc["ID"]
    if doc.get("UserGroupID"):
        group = await docs.require("usergroup", doc["UserGroupID"], doc["BuyerID"], object_type="UserGroup")
        doc["UserGroupID"] = group.doc["ID"]
    await assignments.upsert(docs, ASSIGN_KIND, doc, ASSIGN_KEYS)
    return NO_CONTENT, 204


@endpoint("DELETE", "/locales/{localeID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    # OrderCloud's reference lets PromotionAdmin remove locale assignments too.
    await seller_only(ctx, await ctx.caller(*WRITE, "PromotionAdmin"))
    locale = (await ctx.docs.require(KIND, ctx.param("localeID"), object_type="Locale")).doc
    buyer_id = ctx.query("buyerID")
    if not buyer_id:
        raise ValidationFailed("buyerID is required", "ValidationFailure", {"Field": "buyerID"})
    conds = [
        *ctx.docs.eq(LocaleID=locale["ID"], BuyerID=buyer_id, UserGroupID=ctx.query("userGroupID") or None)
    ]
    await ctx.docs.delete_where(ASSIGN_KIND, *conds)
    return NO_CONTENT, 204


# The static `/locales/assignments` routes come before `/locales/{localeID}`.
ROUTES = [list_assignments, save_assignment, delete_assignment, *crud(SPEC)]
