"""The signed-in user as `/me` shows it: its own user document (an anonymous shopper's is its
template user), the company it belongs to, the roles its security profiles give, its groups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.auth.users import USER_KINDS, available_roles, group_ids
from app.services.locales import locale_of
from app.store.repo import Docs
from app.wire import public
from domain.errors import NotFound

Doc = dict[str, Any]


def company_scope(caller: Caller) -> str:
    return "" if caller.is_seller else caller.company_id


async def my_user(docs: Docs, caller: Caller, *, lock: bool = False) -> tuple[str, Doc]:
    """The caller's user kind and document (an anonymous shopper's: its template user)."""
    kind = USER_KINDS.get(caller.user_type)
    user_id = str(caller.claims.get("tmpl") or caller.user_id) if caller.anonymous else caller.user_id
    found = await docs.get(kind, user_id, company_scope(caller), lock=lock) if kind else None
    if kind is None or found is None:
        raise NotFound("User", user_id)
    return kind, found.doc


async def signed_in_user(docs: Docs, caller: Caller) -> Doc:
    """A signed-in buyer user's own document (not a template)."""
    found = await docs.get("user", caller.user_id, caller.company_id)
    if found is None:
        raise NotFound("User", caller.user_id)
    return found.doc


async def me_wire(docs: Docs, caller: Caller, doc: Doc, marketplace_id: str) -> Doc:
    """A MeUser: the user, the company it belongs to, and the roles its security profiles give."""
    roles, custom = await available_roles(docs, caller.user_type, caller.company_id, doc["ID"])
    buyer = supplier = seller = None
    if caller.is_buyer:
        found = await docs.get("buyer", caller.company_id)
        buyer = {
            "ID": caller.company_id,
            "DefaultCatalogID": found.doc.get("DefaultCatalogID") if found else None,
        }
    elif caller.is_supplier:
        supplier = {"ID": caller.company_id}
    else:
        seller = {"ID": marketplace_id}
    out = public(doc)
    out["AvailableRoles"] = sorted(roles) + sorted(custom)
    # A buyer user's locale: its group's, else its buyer's (docs/catalog-config.md, "Locales").
    out["Locale"] = await locale_of(docs, caller.company_id, doc["ID"]) if caller.is_buyer else None
    return {"Buyer": buyer, "Supplier": supplier, "Seller": seller, **out}


async def group_conds(docs: Docs, caller: Caller, user_id: str) -> list[ColumnElement[bool]]:
    """The groups the user is in."""
    return [docs.id_in(await group_ids(docs, caller.user_type, caller.company_id, user_id))]


async def api_client(docs: Docs, client_id: str) -> Doc:
    found = await docs.get("apiclient", client_id)
    if found is None:
        raise NotFound("ApiClient", client_id)
    return found.doc
