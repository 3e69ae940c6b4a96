"""The email each message type sends: a subject, a plain-text body and an HTML body.

Templates use `string.Template` placeholders (`${OrderID}`), never code: a template can show the
values below and nothing else; an unknown placeholder becomes "". Values are HTML-escaped in the
HTML body. Each part may be overridden by a file in the directory `ORDERCORE_MESSAGE_TEMPLATES`:
`<MessageType>.subject`, `<MessageType>.txt`, `<MessageType>.html` (UTF-8); a part without a file
keeps the default. The default HTML body is the plain-text one, escaped, in paragraphs.

Placeholders: MarketplaceName, MessageType, FirstName, LastName, Username, Email, OrderID,
OrderStatus, OrderTotal, Currency, DateSubmitted, Comments, ShipmentID, Shipper, TrackingNumber,
ReturnID, ReturnStatus, RefundAmount, VerificationCode, ResetUrl, ResetToken, Usernames,
SubscriptionID, NextOrderDate, UnavailableProducts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

_ORDER_LINE = "Order ${OrderID} (${OrderTotal} ${Currency}) "
_SIGN = "\n\n${MarketplaceName}"
_RETURN = "Your return ${ReturnID} for order ${OrderID} "

# (subject, plain text)
DEFAULTS: dict[str, tuple[str, str]] = {
    "OrderSubmitted": (
        "Order ${OrderID} received",
        "Hello ${FirstName},\n\nThank you: we received your order ${OrderID}"
        " (${OrderTotal} ${Currency}), submitted ${DateSubmitted}." + _SIGN,
    ),
    "OrderSubmittedForApproval": (
        "Order ${OrderID} is awaiting approval",
        "Hello ${FirstName},\n\nYour order ${OrderID} (${OrderTotal} ${Currency}) was submitted and"
        " awaits approval. We will let you know once it is approved or declined." + _SIGN,
    ),
    "OrderSubmittedForYourApproval": (
        "Order ${OrderID} needs your approval",
        "Hello ${FirstName},\n\n" + _ORDER_LINE + "was submitted and awaits your approval." + _SIGN,
    ),
    "OrderApproved": (
        "Order ${OrderID} approved",
        "Hello ${FirstName},\n\nYour order ${OrderID} (${OrderTotal} ${Currency}) was approved."
        "\n\n${Comments}" + _SIGN,
    ),
    "OrderDeclined": (
        "Order ${OrderID} declined",
        "Hello ${FirstName},\n\nYour order ${OrderID} (${OrderTotal} ${Currency}) was declined."
        "\n\n${Comments}" + _SIGN,
    ),
    "OrderSubmittedForYourApprovalHasBeenApproved": (
        "Order ${OrderID} approved",
        "Hello ${FirstName},\n\n" + _ORDER_LINE + "that awaited your approval was approved." + _SIGN,
    ),
    "OrderSubmittedForYourApprovalHasBeenDeclined": (
        "Order ${OrderID} declined",
        "Hello ${FirstName},\n\n" + _ORDER_LINE + "that awaited your approval was declined." + _SIGN,
    ),
    "ShipmentCreated": (
        "Order ${OrderID} has shipped",
        "Hello ${FirstName},\n\nYour order ${OrderID} has shipped (shipment ${ShipmentID},"
        " ${Shipper} ${TrackingNumber})." + _SIGN,
    ),
    "ForgottenPassword": (
        "Reset your password",
        "Hello ${FirstName},\n\nSomeone asked to reset the password of ${Username}. Your"
        " verification code is:\n\n${VerificationCode}\n\n${ResetUrl}\n\nIt works once and"
        " expires soon. If you did not ask for it, ignore this message." + _SIGN,
    ),
    "ForgottenUsername": (
        "Your username",
        "Hello,\n\nThe username(s) registered with ${Email}: ${Usernames}\n\nIf you did not ask"
        " for this, ignore this message." + _SIGN,
    ),
    "NewUserInvitation": (
        "Welcome to ${MarketplaceName}",
        "Hello ${FirstName},\n\nAn account was created for you: your username is ${Username}." + _SIGN,
    ),
    "OrderReturnSubmitted": ("Return ${ReturnID} received", _RETURN + "was submitted." + _SIGN),
    "OrderReturnSubmittedForApproval": (
        "Return ${ReturnID} is awaiting approval",
        _RETURN + "awaits approval." + _SIGN,
    ),
    "OrderReturnSubmittedForYourApproval": (
        "Return ${ReturnID} needs your approval",
        "Return ${ReturnID} for order ${OrderID} awaits your approval." + _SIGN,
    ),
    "OrderReturnApproved": ("Return ${ReturnID} approved", _RETURN + "was approved." + _SIGN),
    "OrderReturnDeclined": ("Return ${ReturnID} declined", _RETURN + "was declined." + _SIGN),
    "OrderReturnSubmittedForYourApprovalHasBeenApproved": (
        "Return ${ReturnID} approved",
        "Return ${ReturnID} for order ${OrderID}, which awaited your approval, was approved." + _SIGN,
    ),
    "OrderReturnSubmittedForYourApprovalHasBeenDeclined": (
        "Return ${ReturnID} declined",
        "Return ${ReturnID} for order ${OrderID}, which awaited your approval, was declined." + _SIGN,
    ),
    "SubscriptionReminder": (
        "Your subscription orders again on ${NextOrderDate}",
        "Hello ${FirstName},\n\nYour subscription ${SubscriptionID} places its next order on"
        " ${NextOrderDate}.\n\n${UnavailableProducts}" + _SIGN,
    ),
    "OrderReturnCompleted": (
        "Return ${ReturnID} completed",
        _RETURN + "is complete (refund: ${RefundAmount})." + _SIGN,
    ),
}


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _read(directory: str, name: str) -> str | None:
    if not directory:
        return None
    path = Path(directory) / name
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _html_of(text: str) -> str:
    paragraphs = "".join(
        "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in text.split("\n\n") if p.strip()
    )
    return f'<!DOCTYPE html><html><body style="font-family: sans-serif">{paragraphs}</body></html>'


def render(template_name: str, values: dict[str, Any], directory: str = "") -> Rendered:
    """The email for `template_name` (a message type) filled with `values`."""
    subject_t, text_t = DEFAULTS.get(template_name, ("${MessageType}", "${MessageType}" + _SIGN))
    subject_t = _read(directory, f"{template_name}.subject") or subject_t
    text_t = _read(directory, f"{template_name}.txt") or text_t
    plain = _Blank({k: "" if v is None else str(v) for k, v in values.items()})
    text = _fill(text_t, plain)
    html_t = _read(directory, f"{template_name}.html")
    if html_t is None:
        body = _html_of(text)
    else:
        body = _fill(html_t, _Blank({k: html.escape(v) for k, v in plain.items()}))
    return Rendered(_fill(subject_t, plain).strip(), text, body)


def _fill(template: str, values: _Blank) -> str:
    try:
        return Template(template).substitute(values)
    except ValueError:  # a stray `$` in an overriding template: leave what is not a placeholder
        return Template(template).safe_substitute(values)
