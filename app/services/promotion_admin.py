"""What the `/promotions` and `/me/promotions` routes do to storage: a promotion being saved or
deleted (and what that does to unsubmitted orders), its assignments, and which promotions a buyer
user may use now. The rules themselves: `app.services.promotions`, docs/promotions.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, or_

from app.assignments import assignment_id, buyer_user_reach, level_conds, upsert
from app.auth.tokens import Caller
from app.services import order_promotions, promotions
from app.store.repo import Docs
from domain.clock import iso, parse_iso, utcnow
from domain.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from app.unit import Unit

Doc = dict[str, Any]


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


async def prepare(ctx: Unit, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    """A promotion being written; deactivating one takes it off the unsubmitted orders using it."""
    _normalize_dates(doc)
    doc = await promotions.check_promotion(ctx, caller, doc, existing, scope)
    if existing is not None and existing.get("Active") is not False and doc.get("Active") is False:
        await order_promotions.drop_from_unsubmitted(ctx.docs, existing["ID"])
    return doc


async def forget(docs: Docs, promotion_id: str) -> None:
    """A deleted promotion leaves the unsubmitted orders using it; its assignments and per-user
    redemption counts go with it."""
    await order_promotions.drop_from_unsubmitted(docs, promotion_id)
    await docs.delete_where(promotions.ASSIGNMENT_KIND, *docs.eq(PromotionID=promotion_id))
    await docs.delete_where(promotions.REDEMPTION_KIND, scope=promotion_id)


async def _own_ids(docs: Docs, caller: Caller) -> list[str] | None:
    """None for the seller (every promotion); a supplier's own promotions otherwise."""
    if caller.is_seller:
        return None
    return [p["ID"] for p in await docs.all(promotions.KIND, *docs.eq(OwnerID=caller.company_id))]


async def assignment_conds(docs: Docs, caller: Caller, params: dict[str, str]) -> list[ColumnElement[bool]]:
    """The assignments `caller` may list (a supplier: of its own promotions), narrowed by the
    `level` and `userID` (+ `buyerID`) list parameters."""
    conds: list[ColumnElement[bool]] = level_conds(docs, params.get("level"))
    if params.get("userID"):
        conds.append(await buyer_user_reach(docs, params["userID"], params.get("buyerID")))
    own = await _own_ids(docs, caller)
    if own is not None:
        conds.append(docs.field_in("PromotionID", own))
    return conds


async def assign(docs: Docs, caller: Caller, promotion_id: str, buyer_id: str, group_id: str | None) -> None:
    own = await _own_ids(docs, caller)
    if not await docs.exists(promotions.KIND, promotion_id) or (own is not None and promotion_id not in own):
        raise NotFound("Promotion", promotion_id)
    await docs.require("buyer", buyer_id, object_type="Buyer")
    if group_id:
        await docs.require("usergroup", group_id, buyer_id, object_type="UserGroup")
    doc = {
        "ID": assignment_id(promotion_id, buyer_id, group_id),
        "PromotionID": promotion_id,
        "BuyerID": buyer_id,
        "UserGroupID": group_id,
    }
    await upsert(docs, promotions.ASSIGNMENT_KIND, doc)


async def unassign(
    docs: Docs, caller: Caller, promotion_id: str, buyer_id: str, group_id: str | None
) -> None:
    key = assignment_id(promotion_id, buyer_id, group_id)
    own = await _own_ids(docs, caller)
    if (own is not None and promotion_id not in own) or not await docs.delete(
        promotions.ASSIGNMENT_KIND, key
    ):
        raise NotFound("PromotionAssignment", promotion_id)


async def usable_conds(docs: Docs, caller: Caller) -> list[ColumnElement[bool]] | None:
    """Conditions for the promotions the caller may use now; None for callers without a buyer."""
    if not caller.is_buyer:
        return None
    groups = await promotions.buyer_groups(docs, caller.company_id, caller.user_id)
    now = iso(utcnow())
    start, end = docs.json.text(["StartDate"]), docs.json.text(["ExpirationDate"])
    return [
        *await promotions.available_conds(docs, caller.company_id, groups),
        or_(docs.json.is_null(["StartDate"]), start <= now),
        or_(docs.json.is_null(["ExpirationDate"]), end >= now),
    ]


async def usable(docs: Docs, caller: Caller, promotion_id: str) -> Doc:
    """One promotion the caller may use now; any other is 404."""
    conds = await usable_conds(docs, caller)
    rows = (
        await docs.all(promotions.KIND, docs.id_in([promotion_id]), *conds, scope="")
        if conds is not None
        else []
    )
    if not rows:
        raise NotFound("Promotion", promotion_id)
    return rows[0]
