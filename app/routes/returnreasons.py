"""`/returnreasons[/{returnReasonID}]` (ordercore extension): the seller's list of reason codes an
OrderReturnItem's `ReasonCode` names (docs/returns.md "Reasons and conditions").

Readable by whoever may read returns (OrderAdmin, OrderReader, Shopper: a storefront shows the
list); written by the marketplace's OrderAdmins only (403 for buyer and supplier users). An
inactive reason (`Active: false`) stays on the returns that name it and cannot be chosen again.
"""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.models.returns import ReturnReason
from app.resources import Doc, ResourceSpec, crud
from app.services.order_access import ORDER_ADMIN_ROLES, ORDER_READ_ROLES
from app.services.returns import REASON_KIND
from domain.errors import Forbidden


def _seller(caller: Caller) -> None:
    if not caller.is_seller:
        raise Forbidden(
            "Only the marketplace's users may change return reasons",
            "Auth.InsufficientRoles",
            {"SufficientRoles": list(ORDER_ADMIN_ROLES)},
        )


async def _check(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    _seller(caller)
    return doc


async def _before_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    _seller(caller)


SPEC = ResourceSpec(
    REASON_KIND,
    "ReturnReason",
    "/returnreasons",
    "returnReasonID",
    ReturnReason,
    ORDER_READ_ROLES,
    ORDER_ADMIN_ROLES,
    readonly=(),
    searchable=("ID", "Name", "Description"),
    sortable=("ID", "Name"),
    default_sort=("ID",),
    on_write=_check,
    on_delete=_before_delete,
)

ROUTES = [*crud(SPEC)]
