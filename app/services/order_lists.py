"""Which orders an order list holds (`GET /orders/{direction}`, `/me/orders`,
`/me/orders/approvable`): OrderCloud's submitted/unsubmitted rule, `from`/`to` bounds, the
`buyerID`/`supplierID` parameters, and whose orders. The routes list with these conditions."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.list_options import ListOptions
from app.services import activities, orders
from app.services.approvals import approvable_order_ids
from app.services.order_access import direction_conds
from app.store.repo import Docs
from domain.order_status import AWAITING_APPROVAL
from domain.orders import Direction


def list_conds(docs: Docs, caller: Caller, whose: list[Any], opts: ListOptions, *, own: bool) -> list[Any]:
    """`whose` orders, narrowed by the list rules. `own`: the list holds only the caller's own
    orders (no UnsubmittedOrderReader needed)."""
    # Archived orders (an ordercore extension) leave the company lists unless asked for.
    whose = [*whose, *activities.archived_conds(docs, opts, default=not own)]
    unsubmitted, status_conds = orders.submitted_conds(docs, opts)
    conds = [*whose, *status_conds, *orders.date_range_conds(docs, opts)]
    if unsubmitted and not own:
        conds += orders.require_unsubmitted_reader(caller, docs)
    if opts.params.get("buyerID"):
        conds += docs.eq(FromCompanyID=opts.params["buyerID"])
    if opts.params.get("supplierID"):
        conds += docs.eq(ToCompanyID=opts.params["supplierID"])
    return conds


def in_direction(docs: Docs, caller: Caller, direction: Direction) -> list[Any]:
    """The orders the caller may list in `direction`."""
    return list(direction_conds(docs.json, caller, direction))


def placed_by(docs: Docs, caller: Caller) -> list[Any]:
    """The orders the caller placed."""
    return docs.eq(FromUserID=caller.user_id, FromCompanyID=caller.company_id)


async def approvable_conds(docs: Docs, caller: Caller, opts: ListOptions) -> list[Any] | None:
    """Orders awaiting approval by a user group the caller is in (docs/approvals.md), within
    `from`/`to`; None when there are none."""
    order_ids = await approvable_order_ids(docs, caller)
    if not order_ids:
        return None
    return [
        docs.id_in(order_ids),
        *docs.eq(Status=AWAITING_APPROVAL, FromCompanyID=caller.company_id),
        *orders.date_range_conds(docs, opts),
    ]
