"""Which credit cards, spending accounts and cost centers a buyer user may use, and the checks a
payment naming one must pass. See docs/payments.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.assignments import assignment_id, reach_cond, upsert
from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.services.on_behalf import may_use
from app.store.repo import Docs, Stored
from domain.cards import refuse_card_data
from domain.clock import iso, parse_iso
from domain.errors import NotFound, ValidationFailed

Doc = dict[str, Any]


def _date(doc: Doc, field: str) -> None:
    value = doc.get(field)
    if value is None:
        return
    try:
        doc[field] = iso(parse_iso(str(value)))
    except ValueError:
        raise ValidationFailed(f"{field} is not a date", "ValidationFailure", {"Field": field}) from None


def normalize_card(body: Doc, doc: Doc) -> Doc:
    refuse_card_data(body)
    refuse_card_data(doc)
    _date(doc, "ExpirationDate")
    return doc


def normalize_account(doc: Doc) -> Doc:
    for field in ("StartDate", "EndDate"):
        _date(doc, field)
    if doc.get("StartDate") and doc.get("EndDate") and doc["EndDate"] < doc["StartDate"]:
        raise ValidationFailed(
            "EndDate must not be before StartDate", "ValidationFailure", {"Field": "EndDate"}
        )
    return doc


async def assigned(docs: Docs, kind: str, buyer_id: str, user_id: str) -> list[Doc]:
    """`kind` assignment rows that reach the user (directly, through a group, or buyer-wide)."""
    groups = await group_ids(docs, "buyer", buyer_id, user_id)
    return await docs.all(f"{kind}assignment", reach_cond(docs, user_id, groups), scope=buyer_id)


async def card_ids(docs: Docs, buyer_id: str, user_id: str) -> set[str]:
    """Cards the user may pay with: assigned to it (its own `/me/creditcards` cards are assigned to
    it when created), to one of its groups, or to its whole buyer."""
    return {row["CreditCardID"] for row in await assigned(docs, "creditcard", buyer_id, user_id)}


async def account_grants(docs: Docs, buyer_id: str, user_id: str) -> dict[str, bool]:
    """Spending account ID -> AllowExceed (true when any assignment that reaches the user allows it)."""
    grants: dict[str, bool] = {}
    for row in await assigned(docs, "spendingaccount", buyer_id, user_id):
        account_id = row["SpendingAccountID"]
        grants[account_id] = grants.get(account_id, False) or bool(row.get("AllowExceed"))
    return grants


def in_window(account: Doc, now: datetime) -> bool:
    start, end = account.get("StartDate"), account.get("EndDate")
    return not ((start and parse_iso(start) > now) or (end and parse_iso(end) < now))


@dataclass
class Usable:
    account: Stored
    allow_exceed: bool


async def usable_account(
    docs: Docs, order: Doc, account_id: str, now: datetime, *, lock: bool = False
) -> Usable:
    """The spending account, if the order's user may pay with it now; else the refusal."""
    buyer_id, user_id = order["FromCompanyID"], order.get("FromUserID") or ""
    grants = await account_grants(docs, buyer_id, user_id)
    found = await docs.get("spendingaccount", account_id, buyer_id, lock=lock)
    if found is None or account_id not in grants or not found.doc.get("AllowAsPaymentMethod"):
        raise invalid_account(account_id)
    if not in_window(found.doc, now):
        raise ValidationFailed(
            "The spending account is outside its StartDate-EndDate window",
            "Payment.CannotUseExpiredSpendingAccount",
            {"SpendingAccountID": account_id},
        )
    return Usable(found, grants[account_id])


async def check_payment(docs: Docs, caller: Caller, order: Doc, payment: Doc, now: datetime) -> None:
    """A CreditCard payment names a card the order's user may use; a SpendingAccount payment an
    account assigned to it, usable as a payment method now, with room for a stated Amount. A card
    or account personal to the order's user is usable only by that user or a seller OrderAdmin
    acting for it (`app.services.on_behalf`): a buyer OrderAdmin cannot spend a colleague's."""
    buyer_id = order["FromCompanyID"]
    card_id = payment.get("CreditCardID")
    if card_id and payment["Type"] == "CreditCard":
        card = await docs.get("creditcard", card_id, buyer_id)
        usable = card_id in await card_ids(docs, buyer_id, order.get("FromUserID") or "")
        if card is None or not usable or not await may_use(docs, caller, order, "creditcard", card.doc):
            # Someone else's card is not even confirmed to exist.
            raise NotFound("CreditCard", card_id)
    account_id = payment.get("SpendingAccountID")
    if payment["Type"] == "SpendingAccount" and account_id:
        account = await usable_account(docs, order, account_id, now)
        if not await may_use(docs, caller, order, "spendingaccount", account.account.doc):
            raise invalid_account(account_id)
        amount = payment.get("Amount")
        if amount is not None and amount > 0 and not account.allow_exceed:
            balance = account.account.doc.get("Balance") or 0
            if amount > balance:
                raise exceeds(account_id, amount, balance)


def invalid_account(account_id: str) -> ValidationFailed:
    return ValidationFailed(
        "The spending account does not exist, is not assigned to the order's user, or cannot be used "
        "as a payment method",
        "Payment.InvalidSpendingAccountID",
        {"SpendingAccountID": account_id},
    )


def exceeds(account_id: str, amount: Any, balance: Any) -> ValidationFailed:
    return ValidationFailed(
        "The payment exceeds the spending account's balance",
        "Payment.ExceedsBalance",
        {"SpendingAccountID": account_id, "Amount": amount, "Balance": balance},
    )


# --------------------------------------------------------------------------- assignments


async def forget(docs: Docs, assignment_kind: str, id_field: str, object_id: str, buyer_id: str) -> None:
    """A deleted card (account, cost center) takes its assignments with it."""
    await docs.delete_where(assignment_kind, *docs.eq(**{id_field: object_id}), scope=buyer_id)


async def assign(
    docs: Docs,
    buyer_id: str,
    kind: str,
    object_type: str,
    assignment_kind: str,
    doc: Doc,
    id_field: str,
    user_id: str | None,
    group_id: str | None,
) -> None:
    """Assign a buyer's card (account, cost center) to the buyer, a user group or a user; what it
    names must exist in the buyer."""
    await docs.require(kind, doc[id_field], buyer_id, object_type=object_type)
    if user_id:
        await docs.require("user", user_id, buyer_id, object_type="User")
    if group_id:
        await docs.require("usergroup", group_id, buyer_id, object_type="UserGroup")
    doc["ID"] = assignment_id(doc[id_field], user_id, group_id)
    await upsert(docs, assignment_kind, doc, buyer_id)


async def unassign(
    docs: Docs,
    buyer_id: str,
    assignment_kind: str,
    object_type: str,
    object_id: str,
    user_id: str | None,
    group_id: str | None,
) -> None:
    if not await docs.delete(assignment_kind, assignment_id(object_id, user_id, group_id), buyer_id):
        raise NotFound(f"{object_type}Assignment", object_id)
