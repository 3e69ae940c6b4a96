"""Which buyers may order from which supplier, and who sells to a buyer: the marketplace always,
and every active supplier that has `AllBuyersCanOrder` or names the buyer (`supplierbuyer`
documents, ID `{SupplierID}-{BuyerID}`, scope "")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from app.assignments import assignment_id
from app.store.repo import Docs
from domain.errors import NotFound

KIND = "supplierbuyer"


def _named(doc: dict[str, Any]) -> dict[str, Any]:
    return {"ID": doc["ID"], "Name": doc.get("Name")}


async def sellers_of(docs: Docs, buyer_id: str, marketplace: dict[str, Any]) -> list[dict[str, Any]]:
    """`{ID, Name}` of the marketplace (first) and of every active supplier selling to the buyer."""
    named = [r["SupplierID"] for r in await docs.all(KIND, *docs.eq(BuyerID=buyer_id))]
    reach = [docs.eq(AllBuyersCanOrder=True)[0]]
    if named:
        reach.append(docs.id_in(named))
    suppliers = await docs.all("supplier", or_(*reach), *docs.eq(Active=True), scope="")
    return [marketplace, *(_named(s) for s in suppliers)]


async def buyers_of(docs: Docs, supplier_id: str) -> list[dict[str, Any]]:
    """`{ID, Name}` of every buyer that may order from the supplier (all when AllBuyersCanOrder)."""
    supplier = await docs.require("supplier", supplier_id, object_type="Supplier")
    if supplier.doc.get("AllBuyersCanOrder"):
        buyers = await docs.all("buyer", scope="")
    else:
        named = [r["BuyerID"] for r in await docs.all(KIND, *docs.eq(SupplierID=supplier_id))]
        buyers = await docs.all("buyer", docs.id_in(named), scope="") if named else []
    return [_named(b) for b in buyers]


async def link(docs: Docs, supplier_id: str, buyer_id: str) -> None:
    """Let the buyer order from the supplier (idempotent)."""
    await docs.require("buyer", buyer_id, object_type="Buyer")
    key = assignment_id(supplier_id, buyer_id)
    if not await docs.exists(KIND, key):
        await docs.insert(KIND, {"ID": key, "SupplierID": supplier_id, "BuyerID": buyer_id})


async def unlink(docs: Docs, supplier_id: str, buyer_id: str) -> None:
    await docs.require("buyer", buyer_id, object_type="Buyer")
    if not await docs.delete(KIND, assignment_id(supplier_id, buyer_id)):
        raise NotFound("SupplierBuyer", buyer_id)
