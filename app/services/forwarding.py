"""Split and forward: the seller turns the supplier lines of a buyer's (incoming) order into one
outgoing order per supplier; `forward` also submits them. Rules and choices: docs/fulfilment.md.

The link between the two sides is kept in three places: the outgoing order's private
`_IncomingOrderID`, and `IncomingOrderID` / `OutgoingOrderID` on the lines of both orders (the
outgoing copy keeps the incoming line's ID, so a line is found on either side by the same ID).
Everything runs in the request's one write transaction: all outgoing orders are created or none.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from app.auth.tokens import Caller
from app.services import activities
from app.services.lineitems import order_lines
from app.services.order_access import load_order
from app.store.repo import Docs, Stored
from app.store.tables import resources
from app.unit import Unit
from app.wire import public
from domain.clock import utcnow
from domain.errors import InvalidTransition, ValidationFailed
from domain.money import to_decimal
from domain.order_status import Op, OrderAggregate, is_canceled, is_open, is_unsubmitted, require
from domain.orders import Direction, direction_of, new_order_doc, order_user
from domain.split import default_supplier_of, outgoing_line, outgoing_order_id, split_lines

SPLIT_ROLES = ("OrderAdmin",)
BOOTSTRAP_ADMIN_ID = "admin"


async def outgoing_orders(docs: Docs, incoming_id: str, *, lock: bool = False) -> list[Stored]:
    """The outgoing orders made from `incoming_id`, oldest first."""
    return await docs.all_stored("order", *docs.eq(_IncomingOrderID=incoming_id), scope="", lock=lock)


def is_forwarded_elsewhere(line: dict[str, Any], order_id: str) -> bool:
    """The line was forwarded to a supplier: its outgoing copy, not this line, gets shipped."""
    target = line.get("OutgoingOrderID")
    return bool(target) and target != order_id


async def load_splittable(ctx: Unit, caller: Caller, direction: Direction, order_id: str) -> Stored:
    """The incoming order the caller may split, with OrderCloud's refusals in this order: a
    non-seller caller, an Outgoing direction, an order not Open."""
    if not caller.is_seller:
        raise ValidationFailed(
            "Only marketplace owner (seller) users can split or forward orders",
            "Order.CannotSplitWrongUserType",
            {"UserType": caller.user_type},
        )
    if direction is Direction.OUTGOING:
        raise ValidationFailed(
            "Only Incoming orders can be split or forwarded",
            "Order.CannotSplitOutgoing",
            {"OrderID": order_id},
        )
    stored = await load_order(ctx, caller, direction, order_id, write=True)
    order = stored.doc
    if direction_of(order, caller.company_id) is not Direction.INCOMING:
        raise ValidationFailed(
            "Only Incoming orders can be split or forwarded",
            "Order.CannotSplitOutgoing",
            {"OrderID": order_id},
        )
    require(order, Op.FORWARD)
    return stored


async def _free_order_id(docs: Docs, incoming_id: str, supplier_id: str) -> str:
    """`{incoming}-{supplier}`; when taken (a canceled earlier outgoing order, or a second forward
    after auto-forward), `{incoming}-2-{supplier}`, `-3-`, ..."""
    candidate = outgoing_order_id(incoming_id, supplier_id)
    n = 2
    while await docs.exists("order", candidate):
        candidate = outgoing_order_id(f"{incoming_id}-{n}", supplier_id)
        n += 1
    return candidate


async def create_outgoing(
    docs: Docs,
    incoming: dict[str, Any],
    marketplace_id: str,
    supplier_id: str,
    order_id: str,
    lines: Sequence[Mapping[str, Any]],
    user: dict[str, Any],
    now: datetime,
    *,
    submit: bool,
) -> dict[str, Any]:
    """Write one outgoing order and its copied lines; returns the stored order document."""
    order = new_order_doc(
        order_id=order_id,
        from_company_id=marketplace_id,
        to_company_id=supplier_id,
        now=now,
        from_user=order_user(user, marketplace_id),
        billing_address_id=incoming.get("BillingAddressID"),
        billing_address=incoming.get("BillingAddress"),
        shipping_address_id=incoming.get("ShippingAddressID"),
        currency=incoming.get("Currency"),
    )
    order["_ShippingAddress"] = incoming.get("_ShippingAddress")
    order["_IncomingOrderID"] = incoming["ID"]
    outgoing = OrderAggregate.load(order)
    # The buyer's submit already took the stock; canceling this order must not give it back.
    outgoing.settle_books()
    copies = [outgoing_line(line, order_id, incoming_order_id=incoming["ID"]) for line in lines]
    for copy in copies:
        # The buyer's promotions are the marketplace's; the supplier's order is priced without them.
        copy["PromotionDiscount"] = 0
        copy["LineTotal"] = copy["LineSubtotal"]
    outgoing.refresh_totals([to_decimal(c["LineSubtotal"]) for c in copies], line_count=len(copies))
    if submit:
        outgoing.transition("submit", now=now)
    order = outgoing.dump()
    await docs.insert("order", order, object_type="Order")
    await activities.order_created(docs, order, None)  # made by forwarding, on the seller's behalf
    for copy in copies:
        await docs.insert("lineitem", copy, order_id, object_type="LineItem")
    return order


async def split_order(
    ctx: Unit,
    incoming: dict[str, Any],
    user: dict[str, Any],
    *,
    submit: bool,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """Create the missing outgoing orders of `incoming` (all supplier lines not yet forwarded, or
    just the lines in `only`) and, with `submit`, submit every outgoing order still Unsubmitted.

    Idempotent: lines already forwarded are not copied again, and the answer lists every
    non-canceled outgoing order of the incoming order, old and new."""
    docs = ctx.docs
    incoming_id = incoming["ID"]
    marketplace = ctx.services.marketplace_id
    now = utcnow()
    lines = await order_lines(docs, incoming_id)
    pending = [
        line for line in lines if not line.get("OutgoingOrderID") and (only is None or line["ID"] in only)
    ]

    def supplier_of(line: Any) -> str | None:
        # A line the seller already (partly) shipped itself stays with the seller.
        return None if int(line.get("QuantityShipped") or 0) > 0 else default_supplier_of(line)

    plan = split_lines(incoming_id, pending, supplier_of=supplier_of)
    existing = [s for s in await outgoing_orders(docs, incoming_id, lock=True) if not is_canceled(s.doc)]
    if submit:
        for stored in existing:
            if is_unsubmitted(stored.doc):
                order = OrderAggregate.load(stored.doc)
                order.transition("submit", now=now)
                submitted = order.dump()
                await docs.replace("order", order.id, submitted, version=stored.version)
                stored.doc = submitted
    created = []
    for supplier_id, group in plan.groups.items():
        order_id = await _free_order_id(docs, incoming_id, supplier_id)
        created.append(
            await create_outgoing(
                docs, incoming, marketplace, supplier_id, order_id, group, user, now, submit=submit
            )
        )
        for line in group:
            linked = {**line, "IncomingOrderID": incoming_id, "OutgoingOrderID": order_id}
            await docs.replace("lineitem", line["ID"], linked, incoming_id)
    forwarded = {line["ID"] for group in plan.groups.values() for line in group}
    remaining = [
        line["ID"] for line in lines if not line.get("OutgoingOrderID") and line["ID"] not in forwarded
    ]
    await activities.forwarded(docs, incoming, created, submitted=submit)
    return {
        "OutgoingOrders": [public(s.doc) for s in existing] + [public(o) for o in created],
        "RemainingLineItemIDs": remaining,
    }


async def seller_user(ctx: Unit, caller: Caller) -> dict[str, Any]:
    found = await ctx.docs.get("adminuser", caller.user_id)
    return found.doc if found else {"ID": caller.user_id, "Username": caller.username}


async def auto_forwarding_user(docs: Docs, marketplace_id: str) -> dict[str, Any]:
    """`Seller.AutoForwardingUserID`, else the bootstrap admin user; neither is
    `Seller.AutoForwardingUserRequired`."""
    seller = await docs.get("seller", marketplace_id)
    user_id = (seller.doc.get("AutoForwardingUserID") if seller else None) or BOOTSTRAP_ADMIN_ID
    found = await docs.get("adminuser", user_id)
    if found is None:
        raise ValidationFailed(
            "Products with AutoForward need a seller user to forward as: set Seller.AutoForwardingUserID",
            "Seller.AutoForwardingUserRequired",
            {"AutoForwardingUserID": user_id},
        )
    return found.doc


async def auto_forward(ctx: Unit, order: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    """After a submit: forward the lines whose product has AutoForward (and a supplier)."""
    docs = ctx.docs
    product_ids = sorted({line["ProductID"] for line in lines if default_supplier_of(line)})
    if not product_ids:
        return
    products = await docs.all("product", resources.c.id.in_(product_ids), scope="")
    auto = {p["ID"] for p in products if p.get("AutoForward") and p.get("DefaultSupplierID")}
    chosen = [line["ID"] for line in lines if line["ProductID"] in auto and default_supplier_of(line)]
    if not chosen:
        return
    user = await auto_forwarding_user(docs, ctx.services.marketplace_id)
    await split_order(ctx, order, user, submit=True, only=set(chosen))


# --------------------------------------------------------------------------- cancel and delete


async def check_cancel_chain(docs: Docs, order: dict[str, Any], now: datetime) -> None:
    """Before an incoming order is canceled: refused while one of its outgoing orders is Open
    (the supplier may be shipping); outgoing orders never submitted are canceled with it."""
    outs = await outgoing_orders(docs, order["ID"], lock=True)
    open_ids = [s.doc["ID"] for s in outs if is_open(s.doc)]
    if open_ids:
        raise InvalidTransition(
            "Cannot cancel an order while orders forwarded from it are Open; cancel those first",
            "Order.CannotCancelInCurrentStatus",
            {"OrderID": order["ID"], "Status": order.get("Status"), "OutgoingOrderIDs": open_ids},
        )
    for stored in outs:
        if is_unsubmitted(stored.doc):
            out = OrderAggregate.load(stored.doc)
            out.transition("cancel", now=now)
            await docs.replace("order", out.id, out.dump(), version=stored.version)


async def return_lines_to_seller(docs: Docs, outgoing: dict[str, Any]) -> None:
    """An outgoing order canceled or deleted: its incoming lines are the seller's again."""
    incoming_id = outgoing.get("_IncomingOrderID")
    if not incoming_id:
        return
    for line in await docs.all("lineitem", *docs.eq(OutgoingOrderID=outgoing["ID"]), scope=incoming_id):
        await docs.replace("lineitem", line["ID"], {**line, "OutgoingOrderID": None}, incoming_id)


async def check_deletable(docs: Docs, order: dict[str, Any]) -> None:
    outs = await outgoing_orders(docs, order["ID"])
    if outs:
        raise ValidationFailed(
            "This order was forwarded; delete its outgoing orders first",
            "Order.CannotDeleteForwardedOrder",
            {"OrderID": order["ID"], "OutgoingOrderIDs": [s.doc["ID"] for s in outs]},
        )


async def rename_links(docs: Docs, order: dict[str, Any], old_id: str, new_id: str) -> None:
    """An order renamed after split/forward (Headstart renames outgoing orders): the lines on the
    other side of the link, and the outgoing orders' `_IncomingOrderID`, follow the new ID. The
    order's own lines have already moved to `new_id`."""
    incoming_id = order.get("_IncomingOrderID")
    if incoming_id:
        for line in await docs.all("lineitem", *docs.eq(OutgoingOrderID=old_id), scope=incoming_id):
            await docs.replace("lineitem", line["ID"], {**line, "OutgoingOrderID": new_id}, incoming_id)
    for line in await docs.all("lineitem", *docs.eq(OutgoingOrderID=old_id), scope=new_id):
        await docs.replace("lineitem", line["ID"], {**line, "OutgoingOrderID": new_id}, new_id)
    for line in await docs.all("lineitem", *docs.eq(IncomingOrderID=old_id), scope=new_id):
        await docs.replace("lineitem", line["ID"], {**line, "IncomingOrderID": new_id}, new_id)
    for stored in await outgoing_orders(docs, old_id):
        out = {**stored.doc, "_IncomingOrderID": new_id}
        await docs.replace("order", out["ID"], out, version=stored.version)
        for line in await docs.all("lineitem", *docs.eq(IncomingOrderID=old_id), scope=out["ID"]):
            await docs.replace("lineitem", line["ID"], {**line, "IncomingOrderID": new_id}, out["ID"])
