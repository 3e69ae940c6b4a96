"""A buyer user's address book (`/me/addresses`): the buyer's addresses assigned to the user, one
of its groups or the whole buyer, with `Shipping`/`Billing` as the union of those assignments;
addresses the user creates there are private (`_OwnerUserID`) and assigned to that user alone,
and only the owner may change or delete them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import reach_cond
from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.services.addresses import ASSIGNMENT_KIND, assignment_doc, save_assignment
from app.store.repo import Docs
from domain.errors import Forbidden, NotFound

Doc = dict[str, Any]
Flags = dict[str, tuple[bool, bool]]


async def flags(docs: Docs, caller: Caller) -> Flags:
    """Address ID -> (shipping, billing) over every assignment that reaches the caller."""
    groups = await group_ids(docs, "buyer", caller.company_id, caller.user_id)
    found: Flags = {}
    reach = reach_cond(docs, caller.user_id, groups)
    for row in await docs.all(ASSIGNMENT_KIND, reach, scope=caller.company_id):
        shipping, billing = found.get(row["AddressID"], (False, False))
        found[row["AddressID"]] = (shipping or bool(row["IsShipping"]), billing or bool(row["IsBilling"]))
    return found


async def owned_ids(docs: Docs, caller: Caller) -> set[str]:
    """The private addresses the caller created."""
    mine = await docs.all("address", *docs.eq(_OwnerUserID=caller.user_id), scope=caller.company_id)
    return {d["ID"] for d in mine}


def among(docs: Docs, ids: list[str]) -> list[ColumnElement[bool]]:
    """List conditions: the addresses named (the ones the caller's assignments reach)."""
    return [docs.id_in(ids)]


async def visible(docs: Docs, caller: Caller, address_id: str) -> tuple[Doc, Flags]:
    """An address the caller's assignments reach, with the caller's flags; any other is 404."""
    reached = await flags(docs, caller)
    found = await docs.get("address", address_id, caller.company_id) if address_id in reached else None
    if found is None:
        raise NotFound("Address", address_id)
    return found.doc, reached


async def own(docs: Docs, caller: Caller, address_id: str) -> tuple[Doc, Flags]:
    """A private address of the caller's, to change or delete."""
    doc, reached = await visible(docs, caller, address_id)
    if doc.get("_OwnerUserID") != caller.user_id:
        raise Forbidden(
            "Only addresses created through /me/addresses can be changed here",
            "Address.CannotEditPublic",
            {"AddressID": address_id},
        )
    return doc, reached


async def save(
    docs: Docs, caller: Caller, doc: Doc, existing: Doc | None, wanted: tuple[bool, bool]
) -> Flags:
    """Store a private address and its assignment to the caller; the caller's flags after."""
    doc["_OwnerUserID"] = caller.user_id
    if existing is None:
        await docs.insert("address", doc, caller.company_id, object_type="Address")
    else:
        await docs.replace("address", doc["ID"], doc, caller.company_id)
    link = assignment_doc(doc["ID"], caller.user_id, None, wanted[0], wanted[1])
    await save_assignment(docs, caller.company_id, link)
    return await flags(docs, caller)


async def delete(docs: Docs, caller: Caller, address_id: str) -> None:
    await own(docs, caller, address_id)
    await docs.delete_where(ASSIGNMENT_KIND, *docs.eq(AddressID=address_id), scope=caller.company_id)
    await docs.delete("address", address_id, caller.company_id)
