"""Which message senders send a message to whom, and the outbox rows that carry it.

A message of type T to a user goes out through every message sender whose `MessageTypes` holds T
and that is assigned to the user's company (buyer or supplier; for the marketplace's own users, an
assignment naming neither), company-wide or through one of the user's groups. Each sender's copy
is one outbox row written in the caller's transaction: kind `email` when the sender's URL is
`mailto:` (sent over SMTP by the worker), kind `message` for any other URL (posted there, signed
with its SharedKey). CC listeners of the sender's assignment and the message type are copied (`CCList`).

The payload is OrderCloud's message notification: `BuyerID`, `UserToken` (null: ordercore does
not hand out the recipient's token), `Recipient`, `MessageType`, `CCList`, `EventBody`,
`ConfigData` (the sender's xp). Secrets in the event body (verification codes, reset tokens) are
not stored in the row: they wait apart and only while the row is pending (`app.webhooks.store`).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.users import GROUP_KINDS, USER_KINDS, group_ids
from app.observability import current_request_id
from app.store.repo import Docs
from app.webhooks import store as outbox_store
from app.wire import encode
from domain.clock import utcnow
from domain.errors import ValidationFailed

SENDER_KIND = "messagesender"
ASSIGNMENT_KIND = "messagesenderassignment"
CC_KIND = "messageccassignment"
# Kept in the stored payload for the worker (the template to render), never sent.
TEMPLATE_KEY = "_Template"
MAILTO = "mailto:"
_ADDRESS = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$")
COMPANY_FIELD = {"buyer": "BuyerID", "supplier": "SupplierID"}
_PRIVATE_USER_FIELDS = ("Password",)


@dataclass(frozen=True)
class Recipient:
    user_type: str  # buyer, supplier or admin
    company_id: str  # the buyer or supplier ID; "" for the marketplace's own users
    doc: dict[str, Any]

    @property
    def email(self) -> str | None:
        value = self.doc.get("Email")
        return value if isinstance(value, str) and "@" in value else None


def is_email(url: str | None) -> bool:
    """A sender whose URL is `mailto:` sends email over SMTP; any other URL is posted to."""
    return str(url or "").strip().lower().startswith(MAILTO)


def mailto_addresses(url: str) -> list[str]:
    """The addresses of a `mailto:a@x,b@y` URL (copied on every message); ValueError-free: a
    malformed address is refused with ValidationFailed."""
    rest = unquote(url.strip()[len(MAILTO) :].split("?", 1)[0])
    found = [a.strip() for a in rest.split(",") if a.strip()]
    for address in found:
        if not _ADDRESS.match(address):
            raise ValidationFailed(
                f"Not an email address: {address}", "ValidationFailure", {"Field": "URL", "Value": address}
            )
    return found


def user_wire(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_") and k not in _PRIVATE_USER_FIELDS}


def _company_conds(docs: Docs, user_type: str, company_id: str) -> list[Any]:
    field = COMPANY_FIELD.get(user_type)
    if field is None:
        return docs.eq(BuyerID=None, SupplierID=None)
    return docs.eq(**{field: company_id})


async def senders_for(docs: Docs, message_type: str, to: Recipient) -> list[dict[str, Any]]:
    """The message senders that send `message_type` to this user, by ID."""
    groups = await group_ids(docs, to.user_type, to.company_id, str(to.doc["ID"]))
    reach = [docs.eq(UserGroupID=None)[0]]
    if groups:
        reach.append(docs.field_in("UserGroupID", groups))
    rows = await docs.all(ASSIGNMENT_KIND, *_company_conds(docs, to.user_type, to.company_id), or_(*reach))
    ids = sorted({str(r["MessageSenderID"]) for r in rows})
    if not ids:
        return []
    senders = await docs.all(SENDER_KIND, docs.id_in(ids))
    return [s for s in senders if message_type in (s.get("MessageTypes") or [])]


async def _emails_of(docs: Docs, listener: dict[str, Any]) -> list[str]:
    """The addresses a CC listener stands for: one user, or every member of one group."""
    buyer, supplier = listener.get("BuyerID"), listener.get("SupplierID")
    user_type = "buyer" if buyer else "supplier" if supplier else "admin"
    scope = str(buyer or supplier or "")
    kind = USER_KINDS[user_type]
    if listener.get("UserID"):
        found = await docs.get(kind, str(listener["UserID"]), scope)
        users = [found.doc] if found else []
    elif listener.get("UserGroupID"):
        members = await docs.all(
            f"{GROUP_KINDS[user_type]}assignment", *docs.eq(UserGroupID=listener["UserGroupID"]), scope=scope
        )
        ids = [str(m["UserID"]) for m in members]
        users = await docs.all(kind, docs.id_in(ids), scope=scope) if ids else []
    else:
        users = []
    return [str(u["Email"]) for u in users if u.get("Active", True) and "@" in str(u.get("Email") or "")]


async def cc_list(docs: Docs, sender_id: str, message_type: str, to: Recipient) -> list[str]:
    field = COMPANY_FIELD.get(to.user_type)
    found: list[str] = []
    conds = docs.eq(MessageSenderAssignment__MessageSenderID=sender_id, MessageType=message_type)
    for cc in await docs.all(CC_KIND, *conds):
        # The listener's sender assignment names the recipient's company (or none: any company).
        assigned = cc.get("MessageSenderAssignment") or {}
        company = assigned.get("BuyerID") or assigned.get("SupplierID")
        if company and (field is None or assigned.get(field) != to.company_id):
            continue
        for address in await _emails_of(docs, cc):
            if address != to.email and address not in found:
                found.append(address)
    return found


async def send(
    conn: AsyncConnection,
    message_type: str,
    to: Recipient,
    event_body: dict[str, Any],
    *,
    secrets: dict[str, str] | None = None,
    ordering_key: str | None = None,
    template: str | None = None,
) -> int:
    """Record the message for every sender that sends it to `to`; returns the rows written.
    `secrets` are event-body fields sent but never stored with the row."""
    docs = Docs(conn)
    now = utcnow()
    written = 0
    for sender in await senders_for(docs, message_type, to):
        url = str(sender.get("URL") or "")
        kind = outbox_store.EMAIL if is_email(url) else outbox_store.MESSAGE
        cc = await cc_list(docs, str(sender["ID"]), message_type, to)
        if kind == outbox_store.EMAIL:
            cc += [a for a in mailto_addresses(url) if a not in cc and a != to.email]
        if kind == outbox_store.EMAIL and to.email is None and not cc:
            continue  # nobody to write to
        payload: dict[str, Any] = {
            "BuyerID": to.company_id if to.user_type == "buyer" else None,
            "UserToken": None,
            "Recipient": user_wire(to.doc),
            "MessageType": message_type,
            "CCList": cc,
            "EventBody": {**event_body, **{k: None for k in secrets or {}}},
            "ConfigData": sender.get("xp"),
        }
        if template:
            payload[TEMPLATE_KEY] = template
        await outbox_store.enqueue(
            conn,
            webhook_id=str(sender["ID"]),
            delivery_id=str(uuid.uuid4()),
            ordering_key=ordering_key,
            body=encode(payload).decode("utf-8"),
            now=now,
            request_id=current_request_id(),
            user_token=json.dumps(secrets) if secrets else None,
            kind=kind,
        )
        written += 1
    return written


def secret_values(user_token: str | None) -> list[str]:
    """The secrets a notification row carries apart, to mask in its delivery log."""
    if not user_token:
        return []
    try:
        found = json.loads(user_token)
    except ValueError:
        return [user_token]
    return [str(v) for v in found.values() if v] if isinstance(found, dict) else [user_token]
