"""Message senders' storage rules (OrderCloud's MessageSenders): a deleted sender takes its
assignments and CC listeners with it; assignments and listeners name existing parties. The routes
(app/routes/messagesenders.py) parse and answer; what is sent, and when: app.notifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import assignment_id, level_conds, upsert
from app.list_options import ListOptions
from app.listing import Page, schema_of
from app.models.messages import MessageCCListenerAssignment
from app.notifications.messages import ASSIGNMENT_KIND, CC_KIND, SENDER_KIND
from app.services.security_profiles import check_parties
from app.store.repo import Docs
from domain.errors import NotFound

CC_SCHEMA = schema_of(MessageCCListenerAssignment)


async def forget_sender(docs: Docs, sender_id: str) -> None:
    """A deleted sender's assignments and CC listeners go with it."""
    await docs.delete_where(ASSIGNMENT_KIND, *docs.eq(MessageSenderID=sender_id))
    await docs.delete_where(CC_KIND, *docs.eq(MessageSenderAssignment__MessageSenderID=sender_id))


def assignment_conds(docs: Docs, level: str | None, user_id: str | None) -> list[ColumnElement[bool]]:
    """Message senders are assigned to companies and groups, never to single users."""
    by_user = (level or "").strip().lower() == "user"
    conds = level_conds(docs, level if not by_user else "Group")
    if by_user or user_id:
        conds = [docs.eq(MessageSenderID=None)[0], *conds]  # nothing matches
    return conds


async def sender_id(docs: Docs, requested: str | None) -> str:
    """The stored ID of the sender `requested` names (404 when there is none)."""
    sender = await docs.require(SENDER_KIND, requested or "", object_type="MessageSender")
    return str(sender.doc["ID"])


async def save_assignment(docs: Docs, parties: dict[str, str | None], doc: dict[str, Any]) -> None:
    await check_parties(docs, parties)
    await upsert(docs, ASSIGNMENT_KIND, doc)


async def delete_assignment(docs: Docs, sender: str, key: str) -> None:
    if not await docs.delete(ASSIGNMENT_KIND, key):
        raise NotFound("MessageSenderAssignment", sender)


async def cc_listener_page(docs: Docs, opts: ListOptions) -> dict[str, Any]:
    page: Page = await docs.page(
        CC_KIND,
        opts,
        CC_SCHEMA,
        searchable=("BuyerID", "UserGroupID", "UserID", "SupplierID"),
        default_sort=(),
    )
    page.items[:] = [{k: v for k, v in d.items() if k != "ID"} for d in page.items]
    return page.wire()


async def save_cc_listener(
    docs: Docs,
    sender: str,
    of_sender: tuple[str | None, ...],
    listener: dict[str, str | None],
    doc: dict[str, Any],
) -> None:
    """Store the listener of `sender`'s assignment to `of_sender` (that assignment must exist)."""
    if not await docs.exists(ASSIGNMENT_KIND, assignment_id(sender, *of_sender)):
        raise NotFound("MessageSenderAssignment", sender)
    await check_parties(docs, listener)
    await upsert(docs, CC_KIND, doc)
