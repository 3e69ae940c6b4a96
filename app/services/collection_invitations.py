"""Invitations to a product collection: its owner invites users of its buyer (the invitation's
ID goes to them outside ordercore); a user who accepts it reads the collection, and changes it
when the invitation is `Admin`. docs/catalog.md, "Product collections"."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.list_options import ListOptions, schema_of
from app.models.catalog import ProductCollectionInvitation
from app.services.product_collections import (
    ACCEPTED_BY,
    INVITE_KIND,
    readable_collection,
    require_buyer,
    require_owner,
)
from app.store.repo import Docs
from app.wire import merge_patch, new_id, to_doc, validate
from domain.clock import parse_iso, utcnow
from domain.errors import NotFound, ValidationFailed

Doc = dict[str, Any]
SCHEMA = schema_of(ProductCollectionInvitation)
READONLY = ("ID", "Accepted")


async def _owned(docs: Docs, caller: Caller, collection_id: str) -> Doc:
    """The collection, which the caller must own (others who may read it get 403)."""
    collection = await readable_collection(docs, caller, require_buyer(caller), collection_id)
    require_owner(caller, collection)
    return collection


def _shown(doc: Doc) -> Doc:
    return {k: doc.get(k) for k in ("ID", "Name", "Admin", "Accepted", "ExpirationDate", "xp")}


def _parse(data: Doc) -> Doc:
    fields = {k: v for k, v in data.items() if k not in READONLY and not k.startswith("_")}
    doc: Doc = {
        k: v for k, v in to_doc(validate(fields, ProductCollectionInvitation)).items() if k not in READONLY
    }
    if doc.get("ExpirationDate") is not None:
        try:
            parse_iso(doc["ExpirationDate"])
        except ValueError:
            raise ValidationFailed(
                "ExpirationDate is not a date", "ValidationFailure", {"Field": "ExpirationDate"}
            ) from None
    return doc


async def page(docs: Docs, caller: Caller, collection_id: str, opts: ListOptions) -> dict[str, Any]:
    collection = await _owned(docs, caller, collection_id)
    found = await docs.page(
        INVITE_KIND,
        opts,
        SCHEMA,
        conds=docs.eq(ProductCollectionID=collection["ID"]),
        scope=caller.company_id,
        searchable=("ID", "Name"),
        sortable=("Name", "ID"),
        default_sort=("Name", "ID"),
    )
    found.items[:] = [_shown(d) for d in found.items]
    return found.wire()


async def create(docs: Docs, caller: Caller, collection_id: str, data: Doc) -> Doc:
    collection = await _owned(docs, caller, collection_id)
    doc = {**_parse(data), "ID": new_id(), "Accepted": False, "ProductCollectionID": collection["ID"]}
    doc[ACCEPTED_BY] = None
    await docs.insert(INVITE_KIND, doc, caller.company_id, object_type="ProductCollectionInvitation")
    return _shown(doc)


async def _invitation(docs: Docs, buyer_id: str, collection_id: str, invitation_id: str) -> Doc:
    found = await docs.get(INVITE_KIND, invitation_id, buyer_id)
    if found is None or found.doc["ProductCollectionID"].lower() != collection_id.lower():
        raise NotFound("ProductCollectionInvitation", invitation_id)
    return found.doc


async def get(docs: Docs, caller: Caller, collection_id: str, invitation_id: str) -> Doc:
    collection = await _owned(docs, caller, collection_id)
    return _shown(await _invitation(docs, caller.company_id, collection["ID"], invitation_id))


async def patch(docs: Docs, caller: Caller, collection_id: str, invitation_id: str, changes: Doc) -> Doc:
    collection = await _owned(docs, caller, collection_id)
    current = await _invitation(docs, caller.company_id, collection["ID"], invitation_id)
    doc = {**current, **_parse(merge_patch(_shown(current), changes))}
    await docs.replace(INVITE_KIND, current["ID"], doc, caller.company_id)
    return _shown(doc)


async def delete(docs: Docs, caller: Caller, collection_id: str, invitation_id: str) -> None:
    collection = await _owned(docs, caller, collection_id)
    current = await _invitation(docs, caller.company_id, collection["ID"], invitation_id)
    await docs.delete(INVITE_KIND, current["ID"], caller.company_id)


async def _for_invitee(docs: Docs, caller: Caller, collection_id: str, invitation_id: str) -> Doc:
    """An invitation another user of the caller's buyer made, not expired (else 404)."""
    buyer_id = require_buyer(caller)
    current = await _invitation(docs, buyer_id, collection_id, invitation_id)
    collection = await docs.require(
        "productcollection", current["ProductCollectionID"], buyer_id, object_type="ProductCollection"
    )
    if collection.doc.get("_OwnerUserID") == caller.user_id:
        raise ValidationFailed(
            "A user cannot accept or decline an invitation to its own collection",
            "ProductCollection.CannotAcceptOrDeclineOwnInvitation",
            {"InvitationID": current["ID"]},
        )
    expires = current.get("ExpirationDate")
    if expires is not None and parse_iso(expires) < utcnow():
        raise NotFound("ProductCollectionInvitation", invitation_id)
    return current


async def accept(docs: Docs, caller: Caller, collection_id: str, invitation_id: str) -> None:
    """The caller takes the invitation: it now reads the collection (and changes it if Admin).
    An invitation is accepted once, by one user."""
    current = await _for_invitee(docs, caller, collection_id, invitation_id)
    if current.get("Accepted"):
        raise ValidationFailed(
            "The invitation was already accepted",
            "ProductCollection.AlreadyAcceptedInvitation",
            {"InvitationID": current["ID"]},
        )
    doc = {**current, "Accepted": True, ACCEPTED_BY: caller.user_id}
    await docs.replace(INVITE_KIND, current["ID"], doc, caller.company_id)


async def decline(docs: Docs, caller: Caller, collection_id: str, invitation_id: str) -> None:
    """The caller turns the invitation down: it is gone (an accepted one: only its own user may
    decline it, which gives the access back)."""
    current = await _for_invitee(docs, caller, collection_id, invitation_id)
    if current.get("Accepted") and current.get(ACCEPTED_BY) != caller.user_id:
        raise ValidationFailed(
            "The invitation was already accepted",
            "ProductCollection.AlreadyAcceptedInvitation",
            {"InvitationID": current["ID"]},
        )
    await docs.delete(INVITE_KIND, current["ID"], caller.company_id)
