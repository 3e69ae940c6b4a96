"""Message senders (OrderCloud's MessageSenders), their assignments to buyers, suppliers and user
groups, and CC listener assignments. What they send, and when: app.notifications,
docs/notifications.md."""

from __future__ import annotations

from typing import Any

from app.assignments import assignment_id, list_page, optional_id
from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.messages import MessageCCListenerAssignment, MessageSender, MessageSenderAssignment
from app.notifications.messages import ASSIGNMENT_KIND, SENDER_KIND, is_email, mailto_addresses
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import message_senders
from app.wire import validate
from domain.errors import ValidationFailed
from integrations.outbound import require_url

READ_ROLES = ("MessageSenderReader", "MessageSenderAdmin")
WRITE_ROLES = ("MessageSenderAdmin",)
ASSIGNMENT_ROLES = ("MessageConfigAssignmentAdmin", "MessageSenderAdmin")
PARTIES = ("BuyerID", "SupplierID", "UserGroupID")
ASSIGNMENT_SCHEMA = schema_of(MessageSenderAssignment)
CC_SCHEMA = schema_of(MessageCCListenerAssignment)


async def _check_sender(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    unknown = [r for r in doc.get("ElevatedRoles") or [] if r not in ALL_ROLES]
    if unknown:
        raise ValidationFailed(
            f"Unknown role(s) in ElevatedRoles: {', '.join(unknown)}",
            "ValidationFailure",
            {"Field": "ElevatedRoles", "Value": unknown},
        )
    url = str(doc.get("URL") or "").strip()
    if not url:
        raise ValidationFailed("URL is required", "MessageSenders.UrlRequired", {"Field": "URL"})
    if not doc.get("SharedKey"):
        raise ValidationFailed(
            "SharedKey is required", "MessageSenders.SharedKeyRequired", {"Field": "SharedKey"}
        )
    # `mailto:[addresses]`: the sender emails through the SMTP server (the addresses are copied);
    # any other URL must be one ordercore may call.
    if is_email(url):
        mailto_addresses(url)  # refuses a malformed one
    else:
        require_url(url, "URL", allow_private=ctx.services.settings.outbound_allow_private)
    doc["URL"] = url
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await message_senders.forget_sender(ctx.docs, doc["ID"])


SPEC = ResourceSpec(
    SENDER_KIND,
    "MessageSender",
    "/messagesenders",
    "messageSenderID",
    MessageSender,
    READ_ROLES,
    WRITE_ROLES,
    readonly=(),
    searchable=("ID", "Name", "URL"),
    scope=seller_only,
    on_write=_check_sender,
    on_delete=_on_delete,
    secret_fields=("SharedKey",),
)


async def _seller(ctx: Ctx, *roles: str) -> None:
    await seller_only(ctx, await ctx.caller(*roles))


def _parties(buyer: str | None, supplier: str | None, group: str | None) -> dict[str, str | None]:
    return {
        "BuyerID": optional_id(buyer, "BuyerID"),
        "SupplierID": optional_id(supplier, "SupplierID"),
        "UserGroupID": optional_id(group, "UserGroupID"),
        "UserID": None,
    }


def _assignment_doc(sender_id: str, parties: dict[str, str | None]) -> dict[str, Any]:
    return {
        "ID": assignment_id(sender_id, *(parties[f] for f in PARTIES)),
        "MessageSenderID": sender_id,
        **{f: parties[f] for f in PARTIES},
        "MessageConfigName": None,
        "MessageConfigDescription": None,
    }


@endpoint("GET", "/messagesenders/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    await _seller(ctx, *ASSIGNMENT_ROLES)
    opts = ctx.list_options(
        params=("messageSenderID", "buyerID", "supplierID", "userID", "userGroupID", "level")
    )
    conds = message_senders.assignment_conds(ctx.docs, opts.params.get("level"), opts.params.get("userID"))
    return await list_page(
        ctx,
        ASSIGNMENT_KIND,
        ASSIGNMENT_SCHEMA,
        opts,
        fields={
            "messageSenderID": "MessageSenderID",
            "buyerID": "BuyerID",
            "supplierID": "SupplierID",
            "userGroupID": "UserGroupID",
        },
        conds=conds,
    )


@endpoint("POST", "/messagesenders/assignments", status=204)
async def save_assignment(ctx: Ctx) -> Any:
    await _seller(ctx, *ASSIGNMENT_ROLES)
    body = validate(await ctx.body_object(), MessageSenderAssignment)
    parties = _parties(body.buyer_id, body.supplier_id, body.user_group_id)
    sender = await message_senders.sender_id(ctx.docs, body.message_sender_id)
    await message_senders.save_assignment(ctx.docs, parties, _assignment_doc(sender, parties))
    return NO_CONTENT, 204


@endpoint("DELETE", "/messagesenders/{messageSenderID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    await _seller(ctx, *ASSIGNMENT_ROLES)
    sender = await message_senders.sender_id(ctx.docs, ctx.param("messageSenderID"))
    parties = _parties(ctx.query("buyerID"), ctx.query("supplierID"), ctx.query("userGroupID"))
    await message_senders.delete_assignment(ctx.docs, sender, _assignment_doc(sender, parties)["ID"])
    return NO_CONTENT, 204


@endpoint("GET", "/messagesenders/CCListenerAssignments")
async def list_cc_listeners(ctx: Ctx) -> Any:
    await _seller(ctx, *ASSIGNMENT_ROLES)
    return await message_senders.cc_listener_page(ctx.docs, ctx.list_options())


@endpoint("POST", "/messagesenders/CCListenerAssignments", status=204)
async def save_cc_listener(ctx: Ctx) -> Any:
    """The listener (a user, or every user of a group) is copied on the messages of
    `MessageType` that the sender of `MessageSenderAssignment` sends under that assignment."""
    await _seller(ctx, *ASSIGNMENT_ROLES)
    body = validate(await ctx.body_object(), MessageCCListenerAssignment)
    assignment = body.message_sender_assignment
    if assignment is None or body.message_type is None:
        raise ValidationFailed(
            "MessageSenderAssignment and MessageType are required",
            "ValidationFailure",
            {"Field": "MessageSenderAssignment" if assignment is None else "MessageType"},
        )
    sender_id = await message_senders.sender_id(ctx.docs, assignment.message_sender_id)
    of_sender = _parties(assignment.buyer_id, assignment.supplier_id, assignment.user_group_id)
    listener = {
        **_parties(body.buyer_id, body.supplier_id, body.user_group_id),
        "UserID": optional_id(body.user_id, "UserID"),
    }
    if not listener["UserID"] and not listener["UserGroupID"]:
        raise ValidationFailed(
            "A CC listener is a user (UserID) or a user group (UserGroupID)",
            "ValidationFailure",
            {"Field": "UserID"},
        )
    key = assignment_id(
        sender_id,
        *(of_sender[f] for f in PARTIES),
        body.message_type,
        *(listener[f] for f in (*PARTIES, "UserID")),
    )
    doc = {
        "ID": key,
        "MessageSenderAssignment": {
            k: v for k, v in _assignment_doc(sender_id, of_sender).items() if k != "ID"
        },
        "MessageConfigName": None,
        "MessageConfigDescription": None,
        "MessageType": body.message_type,
        **{f: listener[f] for f in (*PARTIES, "UserID")},
    }
    parties_of_sender = tuple(of_sender[f] for f in PARTIES)
    await message_senders.save_cc_listener(ctx.docs, sender_id, parties_of_sender, listener, doc)
    return NO_CONTENT, 204


ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_cc_listeners,
    save_cc_listener,
    *crud(SPEC),
]
