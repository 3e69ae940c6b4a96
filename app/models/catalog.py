"""Products, price schedules, catalogs, specs, variants, inventory records and their assignments."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from app.models.common import AddressSnapshot, Price, Str100, Str2000, Xp
from app.wire import Wire, WireID

MarkupType = Literal["NoMarkup", "AmountPerQuantity", "AmountTotal", "Percentage"]


class Inventory(Wire, kw_only=True):
    enabled: bool = False
    notification_point: int | None = None
    variant_level_tracking: bool = False
    order_can_exceed: bool = False
    quantity_available: int | None = None
    last_updated: str | None = None


class Product(Wire, kw_only=True):
    owner_id: WireID | None = None
    default_price_schedule_id: WireID | None = None
    auto_forward: bool = False
    id: WireID | None = None
    parent_id: WireID | None = None
    is_parent: bool = False
    is_bundle: bool | None = None
    name: Str100
    description: Str2000 | None = None
    quantity_multiplier: Annotated[int, msgspec.Meta(ge=1)] = 1
    ship_weight: Decimal | None = None
    ship_height: Decimal | None = None
    ship_width: Decimal | None = None
    ship_length: Decimal | None = None
    active: bool = False
    spec_count: int | None = None
    variant_count: int | None = None
    ship_from_address_id: WireID | None = None
    inventory: Inventory | None = None
    default_supplier_id: WireID | None = None
    all_suppliers_can_sell: bool = False
    returnable: bool = False
    date_created: str | None = None
    xp: Xp = None


class PriceBreak(Wire, kw_only=True):
    quantity: Annotated[int, msgspec.Meta(ge=0)]
    price: Price
    sale_price: Price | None = None
    subscription_price: Price | None = None
    bundle_price: Price | None = None


class PriceSchedule(Wire, kw_only=True):
    owner_id: WireID | None = None
    id: WireID | None = None
    name: Str100
    apply_tax: bool = False
    apply_shipping: bool = False
    # MinQuantity and the sale window are checked by app.catalog with OrderCloud's own codes.
    min_quantity: int | None = 1
    max_quantity: int | None = None
    use_cumulative_quantity: bool = False
    restricted_quantity: bool = False
    price_breaks: list[PriceBreak] = []
    currency: Str100 | None = None
    sale_start: str | None = None
    sale_end: str | None = None
    is_on_sale: bool | None = None
    xp: Xp = None


class Catalog(Wire, kw_only=True):
    id: WireID | None = None
    owner_id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    active: bool = False
    category_count: int | None = None
    xp: Xp = None


class CatalogAssignment(Wire, kw_only=True):
    catalog_id: WireID
    buyer_id: WireID
    view_all_categories: bool = False
    view_all_products: bool = False


class ProductCatalogAssignment(Wire, kw_only=True):
    catalog_id: WireID
    product_id: WireID


NonNegative = Annotated[int, msgspec.Meta(ge=0)]


class Category(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    list_order: NonNegative | None = None
    active: bool = False
    parent_id: WireID | None = None
    child_count: int | None = None
    xp: Xp = None


class CategoryAssignment(Wire, kw_only=True):
    category_id: WireID
    buyer_id: WireID | None = None
    user_group_id: WireID | None = None
    visible: bool | None = None
    view_all_products: bool | None = None


class CategoryProductAssignment(Wire, kw_only=True):
    category_id: WireID
    product_id: WireID
    list_order: int | None = None


class ProductAssignment(Wire, kw_only=True):
    seller_id: WireID | None = None
    product_id: WireID
    buyer_id: WireID
    user_group_id: WireID | None = None
    price_schedule_id: WireID | None = None


class SpecOption(Wire, kw_only=True):
    id: WireID | None = None
    value: Str2000
    list_order: int = 0
    is_open_text: bool = False
    price_markup_type: MarkupType = "NoMarkup"
    price_markup: Decimal | None = None
    xp: Xp = None


class Spec(Wire, kw_only=True):
    owner_id: WireID | None = None
    id: WireID | None = None
    list_order: int = 0
    name: Str100
    default_value: Str2000 | None = None
    required: bool = False
    allow_open_text: bool = False
    default_option_id: WireID | None = None
    defines_variant: bool = False
    xp: Xp = None
    option_count: int | None = None
    options: list[dict[str, Any]] | None = None


class SpecProductAssignment(Wire, kw_only=True):
    spec_id: WireID
    product_id: WireID
    default_value: Str2000 | None = None
    default_option_id: WireID | None = None


class VariantInventory(Wire, kw_only=True):
    quantity_available: int | None = None
    notification_point: int | None = None
    last_updated: str | None = None


class Variant(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100 | None = None
    description: Str2000 | None = None
    active: bool = False
    ship_weight: Decimal | None = None
    ship_height: Decimal | None = None
    ship_width: Decimal | None = None
    ship_length: Decimal | None = None
    inventory: VariantInventory | None = None
    specs: list[dict[str, Any]] | None = None
    xp: Xp = None


class VariantOverrides(Wire, kw_only=True):
    active: bool | None = None


class InventoryRecord(Wire, kw_only=True):
    id: WireID | None = None
    owner_id: WireID | None = None
    allow_all_buyers: bool = False
    address: AddressSnapshot | None = None
    address_id: WireID
    order_can_exceed: bool = False
    quantity_available: int = 0
    notification_point: int | None = None
    last_updated: str | None = None
    xp: Xp = None


class ProductSupplier(Wire, kw_only=True):
    """What `GET /products/{id}/suppliers` returns: the supplier plus the schedule it sells at."""

    default_price_schedule_id: WireID | None = None
    id: WireID | None = None
    name: Str100 | None = None
    active: bool = False
    date_created: str | None = None
    all_buyers_can_order: bool = False
    xp: Xp = None


# --------------------------------------------------------------------------- bundles


class Bundle(Wire, kw_only=True):
    id: WireID | None = None
    owner_id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    active: bool = False
    xp: Xp = None


class BundleAssignment(Wire, kw_only=True):
    seller_id: WireID | None = None
    bundle_id: WireID
    buyer_id: WireID
    user_group_id: WireID | None = None


class BundleProductAssignment(Wire, kw_only=True):
    product_id: WireID
    bundle_id: WireID
    required: bool
    default_quantity: Annotated[int, msgspec.Meta(ge=1)] | None = None


class BundleCatalogAssignment(Wire, kw_only=True):
    catalog_id: WireID
    bundle_id: WireID


class CategoryBundleAssignment(Wire, kw_only=True):
    category_id: WireID
    bundle_id: WireID
    list_order: NonNegative | None = None


# --------------------------------------------------------------------------- product collections

AccessLevel = Literal["Private", "Public", "Shareable"]


class ProductCollection(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100 | None = None
    xp: Xp = None
    access_level: AccessLevel = "Private"


class ProductCollectionEntry(Wire, kw_only=True):
    product_id: WireID
    list_order: NonNegative | None = None


class ProductCollectionInvitation(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100 | None = None
    admin: bool = False
    accepted: bool | None = None
    expiration_date: str | None = None
    xp: Xp = None
