"""The messages a successful write sends, decided from its route and its answer, and recorded in
the write's own transaction (called by the webhook hooks' `after`, where post-hooks are recorded),
so an order change and the email about it commit together or not at all.

| Write                                          | Message (to the order's buyer user)        |
|------------------------------------------------|--------------------------------------------|
| submit an order or the cart, order Open        | OrderSubmitted                              |
| submit, order AwaitingApproval                 | OrderSubmittedForApproval; and             |
|                                                | OrderSubmittedForYourApproval to each member |
|                                                | of a group with a pending approval          |
| approve, order no longer AwaitingApproval      | OrderApproved                               |
| decline                                        | OrderDeclined                               |
| ship a whole order (`.../ship`)                | ShipmentCreated                             |
| submit a return (Open / AwaitingApproval)      | OrderReturnSubmitted / ...ForApproval       |
| approve, decline, complete a return            | OrderReturnApproved / Declined / Completed  |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.users import GROUP_KINDS, USER_KINDS
from app.notifications.messages import ASSIGNMENT_KIND, Recipient, send
from app.services.shipping import shipments_of
from app.store.repo import Docs
from app.wire import NoContent

if TYPE_CHECKING:
    from app.state import HookContext

AWAITING = "AwaitingApproval"
_ORDER = "v1/orders/{direction}/{orderID}/"
_RETURN = "v1/orderreturns/{returnID}/"
SUBMITS = {_ORDER + "submit", "v1/cart/submit"}
RETURN_MESSAGES = {
    _RETURN + "approve": "OrderReturnApproved",
    _RETURN + "decline": "OrderReturnDeclined",
    _RETURN + "complete": "OrderReturnCompleted",
}


async def buyer_of(docs: Docs, order: dict[str, Any]) -> Recipient | None:
    """The buyer user who placed the order (None for anonymous shoppers and deleted users)."""
    user = order.get("FromUser") or {}
    buyer = order.get("FromCompanyID")
    if not user.get("ID") or not buyer:
        return None
    found = await docs.get("user", str(user["ID"]), str(buyer))
    return Recipient("buyer", str(buyer), found.doc) if found else None


async def _approvers(docs: Docs, order: dict[str, Any]) -> list[Recipient]:
    """Members of the groups whose approval the order awaits."""
    buyer = str(order.get("FromCompanyID") or "")
    pending = await docs.all("orderapproval", *docs.eq(Status="Pending"), scope=str(order["ID"]))
    groups = sorted({str(a["ApprovingGroupID"]) for a in pending if a.get("ApprovingGroupID")})
    if not groups or not buyer:
        return []
    members = await docs.all(
        f"{GROUP_KINDS['buyer']}assignment", docs.field_in("UserGroupID", groups), scope=buyer
    )
    ids = sorted({str(m["UserID"]) for m in members})
    users = await docs.all(USER_KINDS["buyer"], docs.id_in(ids), scope=buyer) if ids else []
    return [Recipient("buyer", buyer, u) for u in users if u.get("Active", True)]


async def _order_message(docs: Docs, message_type: str, order: dict[str, Any], **extra: Any) -> int:
    to = await buyer_of(docs, order)
    if to is None:
        return 0
    return await send(docs.conn, message_type, to, {"Order": order, **extra}, ordering_key=str(order["ID"]))


# Whether any message sender is assigned at all: the per-process configuration cache's key
# (app.store.invalidation) and its reader. The webhook hooks ask it before calling `record`, so a
# marketplace without notifications pays no statement, and no call into this module, per write.
SENDERS_KEY = ("messagesenderassignments",)


async def senders_assigned(conn: AsyncConnection) -> bool:
    return await Docs(conn).count(ASSIGNMENT_KIND) > 0


def may_send(verb: str, route: str) -> bool:
    """Whether a write to `route` sends any message (the table above)."""
    return verb == "POST" and (route in SUBMITS or route.startswith((_ORDER, _RETURN)))


async def record(ctx: HookContext, status: int, result: Any) -> int:
    """Record the messages of this write (in `ctx.conn`'s transaction); returns the rows written.
    Called only for a write that `may_send` when a message sender is assigned (`senders_assigned`)."""
    if not 200 <= status < 300 or isinstance(result, NoContent) or not isinstance(result, dict):
        return 0
    route, docs = ctx.route, Docs(ctx.conn)
    if route in SUBMITS:
        if result.get("Status") != AWAITING:
            return await _order_message(docs, "OrderSubmitted", result)
        written = await _order_message(docs, "OrderSubmittedForApproval", result)
        for approver in await _approvers(docs, result):
            body = {"Order": result}
            written += await send(
                docs.conn, "OrderSubmittedForYourApproval", approver, body, ordering_key=str(result["ID"])
            )
        return written
    if route == _ORDER + "approve":
        if result.get("Status") == AWAITING:
            return 0  # approved by one group, still awaiting another
        return await _order_message(docs, "OrderApproved", result, Approval=await _body_info(ctx))
    if route == _ORDER + "decline":
        return await _order_message(docs, "OrderDeclined", result, Approval=await _body_info(ctx))
    if route == _ORDER + "ship":
        # The answer is the shipped order; the shipment is the order's newest.
        shipments = await docs.all("shipment", docs.id_in(shipments_of([str(result.get("ID"))])))
        shipment = shipments[-1] if shipments else None
        return await _order_message(docs, "ShipmentCreated", result, Shipment=shipment)
    if route == _RETURN + "submit" or route in RETURN_MESSAGES:
        message = RETURN_MESSAGES.get(route) or (
            "OrderReturnSubmittedForApproval" if result.get("Status") == AWAITING else "OrderReturnSubmitted"
        )
        found = await docs.get("order", str(result.get("OrderID") or ""))
        if found is None:
            return 0
        return await _order_message(docs, message, found.doc, OrderReturn=result)
    return 0


async def _body_info(ctx: HookContext) -> dict[str, Any]:
    """The approval's Comments, as the approver sent them."""
    try:
        body = await ctx.body()
    except Exception:  # the handler already accepted it; a message never fails the write
        return {}
    return {"Comments": body.get("Comments")} if isinstance(body, dict) else {}
