"""Locales (`/locales`): a currency and a language, assigned to buyers and user groups. A buyer
user's orders are in the Currency of its locale (app/services/locales.py); price schedules in
another currency do not price them. Rules: docs/catalog-config.md, "Locales"."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog import assignments
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.config import Locale, LocaleAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import locales
from app.services.locales import ASSIGN_KEYS, ASSIGN_KIND, KIND

READ = ("LocaleReader", "LocaleAdmin")
WRITE = ("LocaleAdmin",)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or ctx.services.marketplace_id
    await locales.check_unique(ctx.docs, doc, existing)
    # A renamed locale's assignments follow it (app.catalog.rename).
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await locales.delete_assignments(ctx.docs, doc["ID"])


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


@endpoint("GET", "/locales/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*READ))
    return await assignments.list_page(
        ctx,
        ctx.list_options,
        ASSIGN_KIND,
        LocaleAssignment,
        params={"localeID": "LocaleID", "buyerID": "BuyerID", "userGroupID": "UserGroupID"},
        conds=locales.level_conds(ctx.docs, ctx.query("level"), ctx.query("userID")),
        sort=("LocaleID", *ASSIGN_KEYS),
        extra_params=("level", "userID"),
    )


@endpoint("POST", "/locales/assignments")
async def save_assignment(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*WRITE))
    doc = assignments.parse(await ctx.body_object(), LocaleAssignment)
    await locales.save_assignment(ctx.docs, doc)
    return NO_CONTENT, 204


@endpoint("DELETE", "/locales/{localeID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    # OrderCloud's reference lets PromotionAdmin remove locale assignments too.
    await seller_only(ctx, await ctx.caller(*WRITE, "PromotionAdmin"))
    await locales.delete_assignment(
        ctx.docs, ctx.param("localeID"), ctx.query("buyerID"), ctx.query("userGroupID")
    )
    return NO_CONTENT, 204


# The static `/locales/assignments` routes come before `/locales/{localeID}`.
ROUTES = [list_assignments, save_assignment, delete_assignment, *crud(SPEC)]
