"""What a buyer user may pay with or charge to (`/me/creditcards`, `/me/spendingaccounts`,
`/me/costcenters`): the buyer's cards (accounts, cost centers) assigned to the user, one of its
groups or the whole buyer. Cards the user creates are its own (`_OwnerUserID`), assigned to it
alone, and only the owner may change or delete them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import assignment_id, upsert
from app.auth.tokens import Caller
from app.services.instruments import assigned
from app.store.repo import Docs
from domain.errors import Forbidden, NotFound

Doc = dict[str, Any]
CARD_ASSIGNMENT_KIND = "creditcardassignment"
_ID_FIELD = {
    "creditcard": "CreditCardID",
    "spendingaccount": "SpendingAccountID",
    "costcenter": "CostCenterID",
}
_OBJECT_TYPE = {"creditcard": "CreditCard", "spendingaccount": "SpendingAccount", "costcenter": "CostCenter"}


async def ids(docs: Docs, caller: Caller, kind: str) -> list[str]:
    """The IDs of the `kind` documents assigned to the caller, its groups or its buyer."""
    rows = await assigned(docs, kind, caller.company_id, caller.user_id)
    return sorted({row[_ID_FIELD[kind]] for row in rows})


async def owned_card_ids(docs: Docs, caller: Caller) -> set[str]:
    mine = await docs.all("creditcard", *docs.eq(_OwnerUserID=caller.user_id), scope=caller.company_id)
    return {d["ID"] for d in mine}


def among(docs: Docs, wanted: list[str]) -> list[ColumnElement[bool]]:
    """List conditions: the documents named."""
    return [docs.id_in(wanted)]


async def visible(docs: Docs, caller: Caller, kind: str, id: str, *, lock: bool = False) -> Doc:
    """A `kind` document assigned to the caller; any other is 404."""
    found = (
        await docs.get(kind, id, caller.company_id, lock=lock)
        if id in await ids(docs, caller, kind)
        else None
    )
    if found is None:
        raise NotFound(_OBJECT_TYPE[kind], id)
    return found.doc


async def own_card(docs: Docs, caller: Caller, card_id: str) -> Doc:
    """A card the caller created, locked, to change or delete."""
    doc = await visible(docs, caller, "creditcard", card_id, lock=True)
    if doc.get("_OwnerUserID") != caller.user_id:
        raise Forbidden(
            "Only cards created through /me/creditcards can be changed here",
            "CreditCard.CannotEditPublic",
            {"CreditCardID": card_id},
        )
    return doc


async def link_card(docs: Docs, caller: Caller, card_id: str) -> None:
    """Assign a card the caller just created to the caller alone."""
    link = {
        "ID": assignment_id(card_id, caller.user_id, None),
        "CreditCardID": card_id,
        "UserID": caller.user_id,
        "UserGroupID": None,
    }
    await upsert(docs, CARD_ASSIGNMENT_KIND, link, caller.company_id)


async def delete_card(docs: Docs, caller: Caller, card_id: str) -> None:
    await own_card(docs, caller, card_id)
    await docs.delete_where(CARD_ASSIGNMENT_KIND, *docs.eq(CreditCardID=card_id), scope=caller.company_id)
    await docs.delete("creditcard", card_id, caller.company_id)
