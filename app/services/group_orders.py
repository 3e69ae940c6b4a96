"""Group order invitations (`/me/orderinvitations`) and who may take a group token with one
(`POST /grouporders/{invitationID}/token`); docs/group-orders.md. The token's limits while in
use are app.services.group_access and app.auth.group_tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement

from app.auth import group_tokens
from app.auth.tokens import Caller
from app.catalog.rename import repoint
from app.services.group_access import INVITATION_KIND
from app.store.repo import Docs
from app.unit import Unit
from app.wire import new_id
from domain.clock import iso, parse_iso, utcnow
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.group_orders import (
    CANNOT_MODIFY,
    EXPIRED,
    SUBMITTED,
    check_expiration,
    check_quantity,
    is_expired,
)
from domain.order_status import is_unsubmitted

KIND = INVITATION_KIND
OBJECT = "GroupOrderInvitation"
# Server-private: whose invitation it is (its order's creator, who made it).
OWNER, COMPANY = "_FromUserID", "_FromCompanyID"


def require_buyer(caller: Caller) -> None:
    """Invitations and group tokens are buyer users' (OrderCloud: the Shopper role)."""
    if not caller.is_buyer:
        raise Forbidden(
            "Only buyer users invite others to their orders or join a group order",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["Shopper"]},
        )


def mine(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    return docs.eq(**{OWNER: caller.user_id, COMPANY: caller.company_id})


async def check(
    docs: Docs, caller: Caller, doc: dict[str, Any], existing: dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """An invitation as it is stored. Created on an Unsubmitted order the caller placed (anyone
    else's order is 404), up to the per-order quantity; its ID is the server's (whoever knows
    it may join, so it is never a guessable name); the order never changes."""
    if existing is None:
        order = await _own_order(docs, caller, doc["OrderID"])
        check_quantity(await docs.count(KIND, *docs.eq(OrderID=order["ID"])))
        doc["ID"], doc["OrderID"] = new_id(), order["ID"]
        doc[OWNER], doc[COMPANY] = caller.user_id, caller.company_id
    else:
        if doc["OrderID"] != existing["OrderID"]:
            raise ValidationFailed(
                "An invitation's OrderID cannot be changed; create another invitation",
                CANNOT_MODIFY,
                {"OrderID": existing["OrderID"]},
            )
        order = await _own_order(docs, caller, existing["OrderID"])
    expires = parse_iso(doc["ExpirationDate"])
    if existing is None or doc["ExpirationDate"] != existing["ExpirationDate"]:
        check_expiration(expires, now)
    doc["ExpirationDate"] = iso(expires)
    doc["OrderStatus"] = None  # shown from the order (`present`)
    return doc


async def _own_order(docs: Docs, caller: Caller, order_id: str) -> dict[str, Any]:
    found = await docs.get("order", order_id)
    if found is None or not (
        found.doc.get("FromUserID") == caller.user_id and found.doc.get("FromCompanyID") == caller.company_id
    ):
        raise NotFound("Order", order_id)
    if not is_unsubmitted(found.doc):
        raise ValidationFailed(
            "A submitted order's group is closed",
            SUBMITTED,
            {"OrderID": order_id, "Status": found.doc["Status"]},
        )
    return found.doc


async def check_delete(docs: Docs, invitation: dict[str, Any]) -> None:
    """While its order is Unsubmitted, an invitation whose contributors added lines stays: the
    owner removes those lines first (once submitted, the lines are the order's history)."""
    order = await docs.get("order", invitation["OrderID"])
    if order is None or not is_unsubmitted(order.doc):
        return
    if await docs.count("lineitem", *docs.eq(InvitationID=invitation["ID"]), scope=invitation["OrderID"]):
        raise ValidationFailed(
            "Remove the line items added with this invitation before deleting it",
            "GroupOrder.CannotDeleteWithLineItems",
            {"InvitationID": invitation["ID"]},
        )


async def present(docs: Docs, invitation: dict[str, Any]) -> dict[str, Any]:
    order = await docs.get("order", invitation["OrderID"])
    return {**invitation, "OrderStatus": order.doc.get("Status") if order else None}


async def take_token(ctx: Unit, caller: Caller, invitation_id: str) -> dict[str, Any]:
    """GroupOrders.GetToken: an AccessToken acting as `caller` on the invitation's order."""
    now = utcnow()
    invitation = await for_token(ctx, caller, invitation_id, now)
    return await group_tokens.mint(ctx.services, caller, invitation, now)


async def for_token(ctx: Unit, caller: Caller, invitation_id: str, now: datetime) -> dict[str, Any]:
    """The invitation a buyer user of the order's company may take a group token with: one of
    another company answers as a missing one; expired or on a submitted order is refused."""
    require_buyer(caller)
    found = await ctx.docs.get(KIND, invitation_id)
    if found is None or found.doc.get(COMPANY) != caller.company_id:
        raise NotFound(OBJECT, invitation_id)
    invitation = found.doc
    if is_expired(parse_iso(invitation["ExpirationDate"]), now):
        raise ValidationFailed("The invitation has expired", EXPIRED, {"InvitationID": invitation["ID"]})
    order = await ctx.docs.get("order", invitation["OrderID"])
    if order is None:
        raise NotFound(OBJECT, invitation_id)
    if not is_unsubmitted(order.doc):
        raise ValidationFailed("The group order was submitted", SUBMITTED, {"OrderID": invitation["OrderID"]})
    return invitation


async def forget_order(docs: Docs, order_id: str) -> None:
    """A deleted order takes its invitations with it."""
    await docs.delete_where(KIND, *docs.eq(OrderID=order_id))


async def follow_rename(docs: Docs, old_id: str, new_id_value: str) -> None:
    """A renamed order keeps its invitations (their tokens, naming the old ID, die)."""
    await repoint(docs, KIND, "OrderID", old_id, new_id_value)
