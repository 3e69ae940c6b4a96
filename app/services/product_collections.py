"""Product collections: a buyer user's saved lists of products (wish lists, "save for later").
docs/catalog.md, "Product collections".

Storage contract (kinds in the `resources` table, both scoped to the buyer):
- `productcollection`: the ProductCollection wire shape plus `_OwnerUserID` (the user who made
  it; IDs are unique within the buyer).
- `productcollectionentry` {ProductCollectionID, ProductID, ListOrder, DateAdded}, keyed by
  collection and product (a product is in a collection once).
- `productcollectioninvitation` {ID, ProductCollectionID, Name, Admin, Accepted,
  ExpirationDate, xp} plus `_AcceptedBy` (the user who accepted it).
Who sees a collection: its owner; every user of the buyer when its AccessLevel is `Public`
(listed) or `Shareable` (read by ID, not listed); a user of the buyer who accepted one of its
invitations (listed). Its owner changes it, and so does an invitee whose invitation is `Admin`;
only the owner renames or deletes it and manages its invitations
(`app.services.collection_invitations`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

from app.auth.tokens import Caller
from app.catalog import assignments
from app.catalog.access import visible_product_ids
from app.catalog.storefront import buyer_products, visible_product
from app.catalog.visibility import BuyerView
from app.list_options import ListOptions, schema_of
from app.models.catalog import ProductCollectionEntry
from app.store.repo import Docs
from app.wire import public
from domain.clock import iso, utcnow
from domain.errors import Forbidden, NotFound, ValidationFailed

Doc = dict[str, Any]
KIND = "productcollection"
ENTRY_KIND = "productcollectionentry"
ENTRY_KEYS = ("ProductCollectionID", "ProductID")
INVITE_KIND = "productcollectioninvitation"
OWNER = "_OwnerUserID"
ACCEPTED_BY = "_AcceptedBy"
# OrderCloud: "ProductCollections have a limit of 500 products each".
MAX_ENTRIES = 500
ENTRY_SORT = ("ListOrder", "DateAdded", "ProductID")
ENTRY_SCHEMA = schema_of(ProductCollectionEntry, extra={"DateAdded": "date"})


def require_buyer(caller: Caller) -> str:
    if not caller.is_buyer:
        raise Forbidden(
            "Only buyer users have product collections",
            "Auth.InsufficientRoles",
            {"UserType": caller.user_type},
        )
    return caller.company_id


async def grants(docs: Docs, caller: Caller) -> dict[str, bool]:
    """The collections others shared with the caller by an invitation it accepted: collection
    ID -> whether the invitation lets it administer the collection (`Admin`)."""
    rows = await docs.all(INVITE_KIND, *docs.eq(**{ACCEPTED_BY: caller.user_id}), scope=caller.company_id)
    shared: dict[str, bool] = {}
    for row in rows:
        shared[row["ProductCollectionID"]] = shared.get(row["ProductCollectionID"], False) or bool(
            row.get("Admin")
        )
    return shared


async def readable(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    """Collections of the caller's buyer the caller may read by ID."""
    shared = sorted(await grants(docs, caller))
    return [
        or_(
            *docs.eq(**{OWNER: caller.user_id}),
            docs.field_in("AccessLevel", ["Public", "Shareable"]),
            docs.id_in(shared),
        )
    ]


async def listed(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    """Collections the caller's list shows: its own, the buyer's Public ones, and those shared
    with it by an accepted invitation."""
    shared = sorted(await grants(docs, caller))
    return [or_(*docs.eq(**{OWNER: caller.user_id}), *docs.eq(AccessLevel="Public"), docs.id_in(shared))]


def _cannot_modify(doc: Doc) -> Forbidden:
    return Forbidden(
        "Only the user who made a product collection (or one it invited as an admin) may change it",
        "ProductCollection.CannotModify",
        {"ProductCollectionID": doc["ID"]},
    )


def require_owner(caller: Caller, doc: Doc) -> None:
    if doc.get(OWNER) != caller.user_id:
        raise _cannot_modify(doc)


async def _require_editor(docs: Docs, caller: Caller, doc: Doc) -> None:
    """The owner, or a user whose accepted invitation has `Admin: true`."""
    if doc.get(OWNER) != caller.user_id and not (await grants(docs, caller)).get(doc["ID"]):
        raise _cannot_modify(doc)


async def prepare(docs: Docs, caller: Caller, doc: Doc, existing: Doc | None) -> Doc:
    """A collection being written: a new one is the caller's; another's only its owner or an
    admin invitee changes, and only its owner renames (its invitations name the ID)."""
    if existing is not None:
        await _require_editor(docs, caller, existing)
        if doc["ID"] != existing["ID"]:
            require_owner(caller, existing)
    doc[OWNER] = existing[OWNER] if existing is not None else caller.user_id
    return doc


async def forget(docs: Docs, caller: Caller, doc: Doc, buyer_id: str) -> None:
    """A deleted collection (only its owner deletes it) takes its entries and invitations along."""
    require_owner(caller, doc)
    for kind in (ENTRY_KIND, INVITE_KIND):
        await docs.delete_where(kind, *docs.eq(ProductCollectionID=doc["ID"]), scope=buyer_id)


async def readable_collection(docs: Docs, caller: Caller, buyer_id: str, collection_id: str) -> Doc:
    found = await docs.get(KIND, collection_id, buyer_id)
    if found is None or not (
        found.doc.get(OWNER) == caller.user_id
        or found.doc.get("AccessLevel") in ("Public", "Shareable")
        or found.doc["ID"] in await grants(docs, caller)
    ):
        raise NotFound("ProductCollection", collection_id)
    return found.doc


async def _editable_collection(docs: Docs, caller: Caller, collection_id: str) -> Doc:
    doc = await readable_collection(docs, caller, require_buyer(caller), collection_id)
    await _require_editor(docs, caller, doc)
    return doc


# --------------------------------------------------------------------------- entries


async def add_entry(docs: Docs, caller: Caller, view: BuyerView, collection_id: str, data: Doc) -> None:
    """Put a product the user sees in the user's collection (again: its ListOrder changes, its
    DateAdded stays); at most MAX_ENTRIES products per collection."""
    entry: Doc = assignments.parse(data, ProductCollectionEntry)
    collection = await _editable_collection(docs, caller, collection_id)
    product = await visible_product(docs, view, entry["ProductID"])
    key = assignments.synthetic_id(collection["ID"], product["ID"])
    found = await docs.get(ENTRY_KIND, key, view.buyer_id)
    if found is None:
        count = await docs.count(
            ENTRY_KIND, *docs.eq(ProductCollectionID=collection["ID"]), scope=view.buyer_id
        )
        if count >= MAX_ENTRIES:
            raise ValidationFailed(
                f"A product collection holds at most {MAX_ENTRIES} products",
                "ProductCollection.ProductEntryLimit",
                {"ProductCollectionID": collection["ID"], "Limit": MAX_ENTRIES},
            )
    stored = {
        "ProductCollectionID": collection["ID"],
        "ProductID": product["ID"],
        "ListOrder": entry.get("ListOrder"),
        "DateAdded": found.doc.get("DateAdded") if found is not None else iso(utcnow()),
    }
    await assignments.upsert(docs, ENTRY_KIND, stored, ENTRY_KEYS, scope=view.buyer_id)


async def remove_entry(docs: Docs, caller: Caller, collection_id: str, product_id: str) -> None:
    collection = await _editable_collection(docs, caller, collection_id)
    await docs.delete(ENTRY_KIND, assignments.synthetic_id(collection["ID"], product_id), caller.company_id)


async def entry_conds(
    docs: Docs,
    caller: Caller,
    buyer_id: str,
    collection_id: str,
    view: BuyerView | None,
    *,
    reader: bool = False,
) -> list[ColumnElement[bool]]:
    """Conditions on the collection's entries a caller lists: a buyer user's list shows the
    products that user sees now (a product hidden since it was saved drops out); the seller's
    shows every entry. 404 when the caller may not read the collection (a ProductCollectionReader,
    `reader`, reads every collection of the buyer)."""
    if reader:
        collection = (await docs.require(KIND, collection_id, buyer_id, object_type="ProductCollection")).doc
    else:
        collection = await readable_collection(docs, caller, buyer_id, collection_id)
    mine = docs.eq(ProductCollectionID=collection["ID"])
    if view is None:
        return list(mine)
    entries = await docs.all(ENTRY_KIND, *mine, scope=buyer_id)
    seen = await visible_product_ids(docs, view, [e["ProductID"] for e in entries])
    return [*mine, docs.field_in("ProductID", sorted(seen))]


async def entry_page(
    docs: Docs, opts: ListOptions, buyer_id: str, conds: list[ColumnElement[bool]], view: BuyerView | None
) -> dict[str, Any]:
    """A page of entries as products (BuyerProduct for a buyer user, Product for the seller)
    with the entry's ListOrder and DateAdded; sorted by ListOrder, then DateAdded."""
    page = await docs.page(
        ENTRY_KIND,
        opts,
        ENTRY_SCHEMA,
        conds=conds,
        scope=buyer_id,
        searchable=("ProductID",),
        sortable=ENTRY_SORT,
        default_sort=ENTRY_SORT,
    )
    ids = [e["ProductID"] for e in page.items]
    stored = {p["ID"]: p for p in (await docs.all("product", docs.id_in(ids), scope="") if ids else [])}
    found = [stored[i] for i in ids if i in stored]
    shown = await buyer_products(docs, view, found) if view is not None else [public(p) for p in found]
    by_id = {p["ID"]: p for p in shown}
    items = []
    for entry in page.items:
        product = by_id.get(entry["ProductID"])
        if product is not None:
            items.append(
                {"ListOrder": entry.get("ListOrder"), "DateAdded": entry.get("DateAdded"), **product}
            )
    page.items[:] = items
    wire = page.wire()
    wire["Meta"]["Facets"] = []
    return wire
