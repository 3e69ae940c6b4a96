"""The order timeline and archiving (ordercore extensions; docs/orders.md "Timeline" and
"Archived orders"): `GET/POST /orders/{direction}/{orderID}/activities`,
`POST /orders/{direction}/{orderID}/archive` and `.../unarchive`."""

from __future__ import annotations

from typing import Any

from app.http import Ctx, endpoint
from app.models.activities import NewNote
from app.order_paths import order_at_path
from app.services import activities
from app.services.order_access import (
    ORDER_ADMIN_ROLES,
    ORDER_READ_ROLES,
    ORDER_WRITE_ROLES,
    receives,
)
from domain.errors import Forbidden

ACTIVITY_READ_ROLES = ORDER_READ_ROLES
# Writing a note is writing to the order: OrderAdmin, or a Shopper on the orders it may change.
NOTE_ROLES = ORDER_WRITE_ROLES
ARCHIVE_ROLES = ORDER_ADMIN_ROLES


@endpoint("GET", "/orders/{direction}/{orderID}/activities")
async def list_activities(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ACTIVITY_READ_ROLES, write=False)
    page = await activities.list_activities(ctx.docs, caller, stored, ctx.list_options())
    return page.wire()


@endpoint("POST", "/orders/{direction}/{orderID}/activities")
async def add_note(ctx: Ctx) -> Any:
    # A note leaves the order itself alone: no row lock.
    caller, stored = await order_at_path(ctx, NOTE_ROLES, write=True, lock=False)
    note = await ctx.body_as(NewNote)
    return await activities.add_note(ctx.docs, caller, stored.doc, note.text)


async def _archive(ctx: Ctx, archived: bool) -> Any:
    caller, stored = await order_at_path(ctx, ARCHIVE_ROLES)
    if not receives(caller, stored.doc):
        raise Forbidden(
            "Only the company receiving this order may archive it",
            "Auth.InsufficientRoles",
            {"OrderID": stored.doc["ID"]},
        )
    return await activities.set_archived(ctx.docs, caller, stored, archived)


@endpoint("POST", "/orders/{direction}/{orderID}/archive", status=200)
async def archive_order(ctx: Ctx) -> Any:
    return await _archive(ctx, True)


@endpoint("POST", "/orders/{direction}/{orderID}/unarchive", status=200)
async def unarchive_order(ctx: Ctx) -> Any:
    return await _archive(ctx, False)


ROUTES = [list_activities, add_note, archive_order, unarchive_order]
