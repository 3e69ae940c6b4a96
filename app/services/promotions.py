"""Promotions as the marketplace defines them: saving one, who may use it, how often it was used.

- `/promotions` belongs to seller users (all promotions) and supplier users (their own: OwnerID is
  their supplier); buyer users read promotions through `/me/promotions` only (403 here).
- OwnerID defaults to the caller's company; only the marketplace may name another (a supplier).
  A promotion applies only to orders sent to its owner (`Order.ToCompanyID`).
- `Code` is unique in the marketplace ignoring case (`Promotion.CodeInUse`); buyers type it in
  any case. The unique key is the row's `uniq` column (`promotioncode:<lower-case code>`).
- A buyer user may use a promotion that is Active and assigned to its buyer (no UserGroupID), to
  one of its user groups, or that has AllowAllBuyers.
- RedemptionCount counts the submitted orders that carried the promotion; per-user counts are
  `promotionredemption` documents (scope = promotion ID, ID = `<buyerID>:<userID>`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

from app.assignments import assignment_id
from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.store.repo import Docs
from app.store.tables import resources
from app.unit import Unit
from domain import promotions as rules
from domain.errors import DomainError, Forbidden, NotFound, ValidationFailed

KIND = "promotion"
ASSIGNMENT_KIND = "promotionassignment"
REDEMPTION_KIND = "promotionredemption"
READ_ROLES = ("PromotionReader", "PromotionAdmin")
WRITE_ROLES = ("PromotionAdmin",)


def code_key(code: str) -> str:
    return "promotioncode:" + code.lower()


# --------------------------------------------------------------------------- /promotions


async def promotion_scope(ctx: Unit, caller: Caller) -> str:
    if caller.is_buyer or caller.anonymous:
        raise Forbidden("Buyer users read promotions through /me/promotions", "Auth.InsufficientRoles", None)
    return ""


async def promotion_visible(ctx: Unit, caller: Caller, scope: str) -> list[ColumnElement[bool]]:
    return [] if caller.is_seller else ctx.docs.eq(OwnerID=caller.company_id)


async def check_promotion(
    ctx: Unit, caller: Caller, doc: dict[str, Any], existing: dict[str, Any] | None, scope: str
) -> dict[str, Any]:
    """Owner, unique code and a definition that can be applied (`domain.promotions`)."""
    docs = ctx.docs
    owner = doc.get("OwnerID") or (existing or {}).get("OwnerID") or caller.company_id
    if owner != caller.company_id and not caller.is_seller:
        raise Forbidden(
            "Only the marketplace owner may set another OwnerID",
            "Auth.InsufficientRoles",
            {"Field": "OwnerID"},
        )
    if owner != ctx.services.marketplace_id and not await docs.exists("supplier", owner):
        raise NotFound("Supplier", owner)
    doc["OwnerID"] = owner
    doc["RedemptionCount"] = int((existing or {}).get("RedemptionCount") or 0)
    taken = await docs.by_uniq(code_key(doc["Code"]))
    if taken is not None and (existing is None or taken[1].doc.get("ID") != existing.get("ID")):
        raise ValidationFailed(
            f"Promotion code {doc['Code']} is already in use",
            "Promotion.CodeInUse",
            {"Code": doc["Code"], "PromotionID": taken[1].doc.get("ID")},
        )
    rules.check_definition(doc)
    return doc


# --------------------------------------------------------------------------- who may use one


async def buyer_groups(docs: Docs, buyer_id: str, user_id: str | None) -> list[str]:
    return await group_ids(docs, "buyer", buyer_id, user_id) if user_id else []


async def available_conds(
    docs: Docs, buyer_id: str, groups: list[str], *, active: bool = True
) -> list[ColumnElement[bool]]:
    """Promotions a user of `buyer_id` in `groups` may use: assigned or for all buyers, and (with
    `active`) Active."""
    rows = await docs.all(ASSIGNMENT_KIND, *docs.eq(BuyerID=buyer_id))
    assigned = sorted({r["PromotionID"] for r in rows if r.get("UserGroupID") in (None, *groups)})
    conds = [or_(docs.json.is_bool(["AllowAllBuyers"], True), resources.c.id.in_(assigned))]
    if active:
        conds.append(or_(docs.json.is_bool(["Active"], True), docs.json.is_null(["Active"])))
    return conds


async def available_to_order(
    docs: Docs, order: dict[str, Any], *, active: bool = True
) -> list[ColumnElement[bool]]:
    """`available_conds` for the order's buyer and user."""
    buyer_id = order.get("FromCompanyID") or ""
    groups = await buyer_groups(docs, buyer_id, order.get("FromUserID"))
    return await available_conds(docs, buyer_id, groups, active=active)


async def by_code(docs: Docs, code: str) -> dict[str, Any] | None:
    found = await docs.by_uniq(code_key(code))
    return found[1].doc if found is not None and found[0] == KIND else None


def owner_error(
    promotion: dict[str, Any], order: dict[str, Any], marketplace_id: str
) -> ValidationFailed | None:
    owner = promotion.get("OwnerID") or marketplace_id
    if owner != order.get("ToCompanyID"):
        return ValidationFailed(
            "The promotion belongs to another company than the one receiving the order",
            "Promotion.OwnerIDMustMatchOrderToCompanyID",
            {"PromotionID": promotion.get("ID"), "OwnerID": owner, "ToCompanyID": order.get("ToCompanyID")},
        )
    return None


# --------------------------------------------------------------------------- redemptions


def _user_key(order: dict[str, Any]) -> str:
    return assignment_id(order.get("FromCompanyID"), order.get("FromUserID"))


async def limit_error(docs: Docs, promotion: dict[str, Any], order: dict[str, Any]) -> DomainError | None:
    """Whether one more order of this user would pass the promotion's redemption limits."""
    mine = await docs.get(REDEMPTION_KIND, _user_key(order), promotion["ID"])
    user_count = int(mine.doc.get("Count") or 0) if mine else 0
    return rules.limit_error(promotion, int(promotion.get("RedemptionCount") or 0), user_count)


async def redeem(docs: Docs, promotion_id: str, order: dict[str, Any]) -> None:
    """Count one more order for the promotion and for the order's user."""
    found = await docs.get(KIND, promotion_id, lock=True)
    if found is not None:
        doc = {**found.doc, "RedemptionCount": int(found.doc.get("RedemptionCount") or 0) + 1}
        await docs.replace(KIND, promotion_id, doc, version=found.version)
    key = _user_key(order)
    mine = await docs.get(REDEMPTION_KIND, key, promotion_id, lock=True)
    if mine is None:
        await docs.insert(REDEMPTION_KIND, {"ID": key, "Count": 1}, promotion_id)
    else:
        await docs.replace(
            REDEMPTION_KIND, key, {**mine.doc, "Count": int(mine.doc.get("Count") or 0) + 1}, promotion_id
        )
