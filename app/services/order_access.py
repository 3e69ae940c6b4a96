"""Who may see and change which order, from which direction.

Rules (docs/orders.md, "Visibility"):
- Direction is from the caller's company: Outgoing = orders it placed (FromCompanyID), Incoming =
  orders it receives (ToCompanyID), All = either. Buyer users' company is their buyer, suppliers'
  their supplier, and the seller's users' company is the marketplace.
- Within a buyer, a user with only Shopper sees and changes only the orders it placed
  (FromUserID); OrderReader (read) and OrderAdmin (read and write) reach every order of the buyer.
- Members of a user group asked to approve an order read it like an OrderReader would
  (docs/approvals.md); writing it still needs OrderAdmin.
- Lists show another company's unsubmitted orders (the seller looking at buyers' carts) only to
  callers with UnsubmittedOrderReader; single-order endpoints do not need it, so that the seller
  can build an order on behalf of a buyer user.
- A group order token (docs/group-orders.md) sees and adds lines to its one order, whoever
  placed it, and no other order.
An order the caller may not see answers 404, never 403, so its existence is not confirmed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.listing import JsonAccess, either
from app.services import group_access
from app.services.approvals import may_read_as_approver
from app.store.repo import Stored
from app.unit import Unit
from domain.errors import Forbidden, NotFound
from domain.orders import Direction, sees

ORDER_LIST_ROLES = ("OrderAdmin", "OrderReader", "Shopper")
ORDER_READ_ROLES = ("OrderAdmin", "OrderReader", "Shopper")
ORDER_WRITE_ROLES = ("OrderAdmin", "Shopper")
ORDER_ADMIN_ROLES = ("OrderAdmin",)


def _own_only(caller: Caller, order: dict[str, Any], *, write: bool) -> bool:
    """True when a buyer user is limited to its own orders for this kind of access."""
    if not caller.is_buyer or order.get("FromCompanyID") != caller.company_id:
        return False
    return not caller.has("OrderAdmin") if write else not caller.has("OrderAdmin", "OrderReader")


def may_see(caller: Caller, order: dict[str, Any], direction: Direction) -> bool:
    if not sees(order, caller.company_id, direction):
        return False
    if caller.invitation_id is not None:
        return group_access.reaches(caller, order)
    return not (_own_only(caller, order, write=False) and order.get("FromUserID") != caller.user_id)


def direction_conds(json: JsonAccess, caller: Caller, direction: Direction) -> list[ColumnElement[bool]]:
    """SQL for `sees` plus the buyer-user rule, over order documents (`json` picks the column,
    so the same rule serves order lists and the order subquery of line lists)."""
    company = caller.company_id
    from_company = json.text(["FromCompanyID"]) == company
    to_company = json.text(["ToCompanyID"]) == company
    conds: list[ColumnElement[bool]] = [
        from_company
        if direction is Direction.OUTGOING
        else to_company
        if direction is Direction.INCOMING
        else either(from_company, to_company)
    ]
    if caller.is_buyer and not caller.has("OrderAdmin", "OrderReader"):
        conds.append(json.text(["FromUserID"]) == caller.user_id)
    return conds


async def load_order(
    ctx: Unit,
    caller: Caller,
    direction: Direction,
    order_id: str,
    *,
    write: bool = False,
    lock: bool | None = None,
) -> Stored:
    """The order as this caller may reach it (`write`: may change it). Writes lock the row (FOR
    UPDATE on PostgreSQL) unless `lock=False`, so concurrent changes to one order run one after
    another."""
    found = await ctx.docs.get("order", order_id, lock=write if lock is None else lock)
    if found is None or not (
        may_see(caller, found.doc, direction)
        or (
            caller.invitation_id is None
            and sees(found.doc, caller.company_id, direction)
            and await may_read_as_approver(ctx.docs, caller, found.doc)
        )
    ):
        raise NotFound("Order", order_id)
    if (
        write
        and _own_only(caller, found.doc, write=True)
        and found.doc.get("FromUserID") != caller.user_id
        and not group_access.reaches(caller, found.doc)
    ):
        raise Forbidden(
            "Only the user who placed this order, or an OrderAdmin, may change it",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["OrderAdmin"], "AssignedRoles": sorted(caller.roles)},
        )
    return found


def receives(caller: Caller, order: dict[str, Any]) -> bool:
    """The caller's company is the order's recipient (the seller for buyer orders)."""
    return order.get("ToCompanyID") == caller.company_id


def line_view(caller: Caller, line: dict[str, Any]) -> dict[str, Any]:
    """A line as the caller sees it: the split/forward links (IncomingOrderID, OutgoingOrderID)
    are the marketplace owner's business and read null for buyers and suppliers."""
    out = {k: v for k, v in line.items() if not k.startswith("_")}
    if not caller.is_seller:
        out["IncomingOrderID"] = None
        out["OutgoingOrderID"] = None
    return out
