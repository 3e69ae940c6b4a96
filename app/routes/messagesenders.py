"""Message senders (OrderCloud's MessageSenders), their assignments to buyers, suppliers and user
groups, and CC listener assignments. What they send, and when: app.notifications,
docs/notifications.md."""

from __future__ import annotations

from typing import Any

from app.assignments import assignment_id, level_conds, list_page, optional_id, upsert
from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.messages import MessageCCListenerAssignment, MessageSender, MessageSenderAssignment
from app.notifications.messages import ASSIGNMENT_KIND, CC_KIND, SENDER_KIND, is_email, mailto_addresses
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.routes.security_profiles import _check_parties
from app.wire import validate
from domain.errors import NotFound, ValidationFailed
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
    docs = ctx.docs
    await docs.delete_where(ASSIGNMENT_KIND, *docs.eq(MessageSenderID=doc["ID"]))
    await docs.delete_where(CC_KIND, *docs.eq(MessageSenderAssignment__MessageSenderID=doc["ID"]))


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
    docs = ctx.docs
    # Message senders are assigned to companies and groups, never to single users.
    level = opts.params.get("level")
    conds = level_conds(docs, level if (level or "").strip().lower() != "user" else "Group")
    if (level or "").strip().lower() == "user" or opts.params.get("userID"):
        conds = [docs.eq(MessageSenderID=None)[0], *conds]  # nothing matches
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
    docs = ctx.docs
    sender = await docs.require(SENDER_KIND, body.message_sender_id, object_type="MessageSender")
    await _check_parties(docs, parties)
    await upsert(docs, ASSIGNMENT_KIND, _assignment_doc(str(sender.doc["ID"]), parties))
    return NO_CONTENT, 204


@endpoint("DELETE", "/messagesenders/{messageSenderID}/assignments")
async def delete_assignment(ctx: Ctx) -> Any:
    await _seller(ctx, *ASSIGNMENT_ROLES)
    docs = ctx.docs
    sender = await docs.require(SENDER_KIND, ctx.param("messageSenderID"), object_type="MessageSender")
    parties = _parties(ctx.query("buyerID"), ctx.query("supplierID"), ctx.query("userGroupID"))
    doc = _assignment_doc(str(sender.doc["ID"]), parties)
    if not await docs.delete(ASSIGNMENT_KIND, doc["ID"]):
        raise NotFound("MessageSenderAssignment", str(sender.doc["ID"]))
    return NO_CONTENT, 204


@endpoint("GET", "/messagesenders/CCListenerAssignments")
async def list_cc_listeners(ctx: Ctx) -> Any:
    await _seller(ctx, *ASSIGNMENT_ROLES)
    docs = ctx.docs
    page = await docs.page(
        CC_KIND,
        ctx.list_options(),
        CC_SCHEMA,
        searchable=("BuyerID", "UserGroupID", "UserID", "SupplierID"),
        default_sort=(),
    )
    page.items[:] = [{k: v for k, v in d.items() if k != "ID"} for d in page.items]
    return page.wire()


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
    docs = ctx.docs
    sender = await docs.require(SENDER_KIND, assignment.message_sender_id, object_type="MessageSender")
    sender_id = str(sender.doc["ID"])
    of_sender = _parties(assignment.buyer_id, assignment.supplier_id, assignment.user_group_id)
    if not await docs.exists(ASSIGNMENT_KIND, assignment_id(sender_id, *(of_sender[f] for f in PARTIES))):
        raise NotFound("MessageSenderAssignment", sender_id)
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
    await _check_parties(docs, listener)
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
    await upsert(docs, CC_KIND, doc)
    return NO_CONTENT, 204


ROUTES = [
    list_assignments,
    save_assignment,
    delete_assignment,
    list_cc_listeners,
    save_cc_listener,
    *crud(SPEC),
]
