"""Message senders, their assignments and CC listeners; forgotten-credential requests (the SDK's
`MessageSender`, `MessageSenderAssignment`, `MessageCCListenerAssignment`, `PasswordResetRequest`,
`PasswordReset`, `TokenPasswordReset`)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.models.common import Str100, Str2000, Xp
from app.wire import Wire, WireID

MessageType = Literal[
    "OrderDeclined",
    "OrderSubmitted",
    "ShipmentCreated",
    "ForgottenPassword",
    "OrderSubmittedForYourApproval",
    "OrderSubmittedForApproval",
    "OrderApproved",
    "OrderSubmittedForYourApprovalHasBeenApproved",
    "OrderSubmittedForYourApprovalHasBeenDeclined",
    "NewUserInvitation",
    "OrderReturnDeclined",
    "OrderReturnSubmitted",
    "OrderReturnSubmittedForYourApproval",
    "OrderReturnSubmittedForApproval",
    "OrderReturnApproved",
    "OrderReturnSubmittedForYourApprovalHasBeenApproved",
    "OrderReturnSubmittedForYourApprovalHasBeenDeclined",
    "OrderReturnCompleted",
    "SubscriptionReminder",
]
MESSAGE_TYPES: tuple[str, ...] = MessageType.__args__  # type: ignore[attr-defined]
SharedKey = Annotated[str, msgspec.Meta(max_length=200)]
Password = Annotated[str, msgspec.Meta(max_length=100)]


class MessageSender(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    message_types: list[MessageType]
    description: Str2000 | None = None
    # Where the message is posted, signed with SharedKey like a webhook. ordercore: a `mailto:` URL
    # sends it as email over the configured SMTP server (docs/notifications.md).
    url: Str2000 = msgspec.field(name="URL")
    elevated_roles: list[str] | None = None
    shared_key: SharedKey
    xp: Xp = None


class MessageSenderAssignment(Wire, kw_only=True):
    message_sender_id: WireID
    buyer_id: WireID | None = None
    supplier_id: WireID | None = None
    user_group_id: WireID | None = None


class MessageCCListenerAssignment(Wire, kw_only=True):
    message_sender_assignment: MessageSenderAssignment | None = None
    message_type: MessageType | None = None
    buyer_id: WireID | None = None
    supplier_id: WireID | None = None
    user_group_id: WireID | None = None
    user_id: WireID | None = None


class PasswordResetRequest(Wire, kw_only=True):
    client_id: Str100
    email: Str2000 | None = None
    username: Str100 | None = None
    url: Str2000 | None = msgspec.field(default=None, name="URL")


class PasswordReset(Wire, kw_only=True):
    client_id: Str100
    username: Str100 | None = None
    password: Password | None = None


class TokenPasswordReset(Wire, kw_only=True):
    new_password: Password
