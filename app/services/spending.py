"""Spending-account balances move with the order: debited when it becomes Open (submit, or the
last approval), credited back when an Open order is canceled, always inside the transaction that
changes the order's status. The order remembers what it took (`Bookkeeping.debits`), so cancel
returns exactly that. See docs/payments.md."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.services.instruments import exceeds, usable_account
from app.store.repo import Docs
from domain.money import round_money, to_decimal
from domain.order_status import Debit

Doc = dict[str, Any]


def amounts(order: Doc, payments: list[Doc]) -> dict[str, Decimal]:
    """What each spending account pays for the order. A payment with a null Amount pays the rest
    of the order (Total less every other stated, non-refund payment), the first such payment
    taking all of it."""
    own = [p for p in payments if not p.get("OrderReturnID")]
    stated = sum((to_decimal(p["Amount"]) for p in own if p.get("Amount") is not None), Decimal(0))
    rest = max(to_decimal(order.get("Total") or 0) - stated, Decimal(0))
    owed: dict[str, Decimal] = {}
    for p in own:
        if p.get("Amount") is None:
            amount, rest = rest, Decimal(0)
        else:
            amount = to_decimal(p["Amount"])
        if p.get("Type") == "SpendingAccount" and p.get("SpendingAccountID"):
            account_id = p["SpendingAccountID"]
            owed[account_id] = owed.get(account_id, Decimal(0)) + amount
    return {k: round_money(v, order.get("Currency")) for k, v in owed.items() if v > 0}


async def debit(
    docs: Docs, order: Doc, now: datetime, *, dry_run: bool, payments: list[Doc] | None = None
) -> list[Debit]:
    """Check (and unless `dry_run`, take) what the order's spending-account payments owe. Accounts
    are locked in ID order so two submits never deadlock. Refuses `Payment.ExceedsBalance` when an
    account lacks the funds and no assignment reaching the user has AllowExceed. `payments`: the
    order's payments when the caller already read them in this transaction."""
    if payments is None:
        payments = await docs.all("payment", scope=order["ID"])
    owed = amounts(order, payments)
    taken: list[Debit] = []
    for account_id in sorted(owed):
        amount = owed[account_id]
        usable = await usable_account(docs, order, account_id, now, lock=not dry_run)
        account = dict(usable.account.doc)
        balance = to_decimal(account.get("Balance") or 0)
        if amount > balance and not usable.allow_exceed:
            raise exceeds(account_id, amount, balance)
        if not dry_run:
            account["Balance"] = balance - amount
            await docs.replace(
                "spendingaccount", account_id, account, order["FromCompanyID"], version=usable.account.version
            )
        taken.append(Debit(account_id, amount))
    return taken


async def credit_back(docs: Docs, order: Doc, debits: list[Debit]) -> None:
    """Return what `debit` took (an account deleted since keeps nothing to return to)."""
    for entry in sorted(debits, key=lambda e: e.spending_account_id):
        found = await docs.get(
            "spendingaccount", entry.spending_account_id, order["FromCompanyID"], lock=True
        )
        if found is None:
            continue
        account = dict(found.doc)
        account["Balance"] = to_decimal(account.get("Balance") or 0) + entry.amount
        await docs.replace(
            "spendingaccount", account["ID"], account, order["FromCompanyID"], version=found.version
        )
