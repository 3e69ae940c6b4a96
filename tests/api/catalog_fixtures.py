"""Catalog data for order tests, inserted as documents in the storage shapes of
`app/catalog/access.py` (the catalog endpoints are built elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from app.store.repo import Docs
from tests.helpers import Api


async def insert(api: Api, kind: str, doc: dict[str, Any], scope: str = "") -> None:
    async with api.services.db.transaction() as conn:
        await Docs(conn).insert(kind, doc, scope)


async def replace(api: Api, kind: str, doc: dict[str, Any], scope: str = "") -> None:
    async with api.services.db.transaction() as conn:
        await Docs(conn).replace(kind, doc["ID"], doc, scope)


async def read(api: Api, kind: str, id: str, scope: str = "") -> dict[str, Any]:
    async with api.services.db.reader() as conn:
        found = await Docs(conn).get(kind, id, scope)
    assert found is not None, f"{kind} {id} missing"
    return found.doc


async def price_schedule(
    api: Api,
    schedule_id: str,
    breaks: Sequence[tuple[int, str] | tuple[int, str, str]],
    *,
    min_quantity: int | None = 1,
    max_quantity: int | None = None,
    restricted: bool = False,
    cumulative: bool = False,
    sale_start: str | None = None,
    sale_end: str | None = None,
    currency: str | None = "USD",
) -> None:
    price_breaks = [
        {
            "Quantity": b[0],
            "Price": Decimal(b[1]),
            "SalePrice": Decimal(b[2]) if len(b) > 2 else None,  # type: ignore[misc]
            "SubscriptionPrice": None,
            "BundlePrice": None,
        }
        for b in breaks
    ]
    await insert(
        api,
        "priceschedule",
        {
            "ID": schedule_id,
            "OwnerID": None,
            "Name": schedule_id,
            "ApplyTax": False,
            "ApplyShipping": False,
            "MinQuantity": min_quantity,
            "MaxQuantity": max_quantity,
            "UseCumulativeQuantity": cumulative,
            "RestrictedQuantity": restricted,
            "PriceBreaks": price_breaks,
            "Currency": currency,
            "SaleStart": sale_start,
            "SaleEnd": sale_end,
            "IsOnSale": False,
            "xp": None,
        },
    )


async def product(
    api: Api,
    product_id: str,
    *,
    price: str | None = "10.00",
    schedule_id: str | None = None,
    buyers: Sequence[str] = ("b1", "b2"),
    active: bool = True,
    supplier: str | None = None,
    inventory: dict[str, Any] | None = None,
    variant_count: int = 0,
) -> dict[str, Any]:
    """A product assigned to `buyers`, priced by `schedule_id` or a one-break schedule at `price`."""
    if schedule_id is None and price is not None:
        schedule_id = f"ps-{product_id}"
        await price_schedule(api, schedule_id, [(1, price)])
    doc = {
        "OwnerID": None,
        "DefaultPriceScheduleID": schedule_id,
        "AutoForward": False,
        "ID": product_id,
        "ParentID": None,
        "IsParent": False,
        "IsBundle": False,
        "Name": f"Product {product_id}",
        "Description": "A product",
        "QuantityMultiplier": 1,
        "ShipWeight": Decimal("1.5"),
        "ShipHeight": None,
        "ShipWidth": None,
        "ShipLength": None,
        "Active": active,
        "SpecCount": 0,
        "VariantCount": variant_count,
        "ShipFromAddressID": None,
        "Inventory": inventory,
        "DefaultSupplierID": supplier,
        "AllSuppliersCanSell": False,
        "Returnable": True,
        "DateCreated": "2024-01-01T00:00:00.000+00:00",
        "xp": {"Color": "red"},
    }
    await insert(api, "product", doc)
    for buyer in buyers:
        await assign(api, product_id, buyer)
    return doc


async def assign(
    api: Api, product_id: str, buyer_id: str, *, group_id: str | None = None, schedule_id: str | None = None
) -> None:
    await insert(
        api,
        "productassignment",
        {
            "ID": f"{product_id}:{buyer_id}:{group_id or ''}",
            "ProductID": product_id,
            "BuyerID": buyer_id,
            "UserGroupID": group_id,
            "PriceScheduleID": schedule_id,
        },
    )


def inventory(quantity: int, *, can_exceed: bool = False, variant_level: bool = False) -> dict[str, Any]:
    return {
        "Enabled": True,
        "NotificationPoint": None,
        "VariantLevelTracking": variant_level,
        "OrderCanExceed": can_exceed,
        "QuantityAvailable": quantity,
        "LastUpdated": None,
    }


async def spec(api: Api, spec_id: str, options: Sequence[dict[str, Any]], *, embedded: bool = False) -> None:
    """A spec whose options are `specoption` documents, or embedded under `Options`."""
    doc: dict[str, Any] = {
        "OwnerID": None,
        "ID": spec_id,
        "ListOrder": 1,
        "Name": f"Spec {spec_id}",
        "DefaultValue": None,
        "Required": False,
        "AllowOpenText": False,
        "DefaultOptionID": None,
        "DefinesVariant": True,
        "xp": None,
        "OptionCount": len(options),
        "Options": [dict(o) for o in options] if embedded else [],
    }
    await insert(api, "spec", doc)
    if not embedded:
        for option in options:
            await insert(api, "specoption", dict(option), spec_id)


async def variant(
    api: Api, product_id: str, variant_id: str, specs: Sequence[tuple[str, str]], *, stock: int | None = None
) -> None:
    await insert(
        api,
        "variant",
        {
            "ID": variant_id,
            "Name": f"Variant {variant_id}",
            "Description": None,
            "Active": True,
            "ShipWeight": None,
            "ShipHeight": None,
            "ShipWidth": None,
            "ShipLength": None,
            "Inventory": {"QuantityAvailable": stock, "NotificationPoint": None, "LastUpdated": None},
            "Specs": [{"SpecID": s, "OptionID": o} for s, o in specs],
            "xp": None,
        },
        product_id,
    )


async def inventory_record(api: Api, product_id: str, record_id: str, quantity: int) -> None:
    await insert(
        api,
        "inventoryrecord",
        {
            "ID": record_id,
            "OwnerID": None,
            "AllowAllBuyers": True,
            "AddressID": "wh1",
            "OrderCanExceed": False,
            "QuantityAvailable": quantity,
            "NotificationPoint": None,
            "LastUpdated": None,
            "xp": None,
        },
        product_id,
    )
