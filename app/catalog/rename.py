"""OrderCloud lets a caller change a resource's ID with PUT or PATCH. What hangs off the old ID
(documents scoped to it, assignments and references naming it) moves to the new one in the same
transaction, so a rename never leaves orphans behind.

One table, `REFERENCES`, says for every kind of resource what names it; `propagate_rename`
(called by the generic CRUD in `app.resources` for every `ResourceSpec`) applies it. Assignments
have no ID of their own: their synthetic ID is made of the IDs they join (`ASSIGNMENT_KEYS`), so
a reference changing in one re-keys it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from app.catalog.assignments import synthetic_id
from app.store.repo import Docs

# kind -> the fields making up its synthetic ID
ASSIGNMENT_KEYS: dict[str, tuple[str, ...]] = {
    "productassignment": ("ProductID", "BuyerID", "UserGroupID"),
    "productcatalogassignment": ("CatalogID", "ProductID"),
    "catalogassignment": ("CatalogID", "BuyerID"),
    "specproductassignment": ("SpecID", "ProductID"),
    "usergroupassignment": ("UserGroupID", "UserID"),
    "supplierusergroupassignment": ("UserGroupID", "UserID"),
    "adminusergroupassignment": ("UserGroupID", "UserID"),
    "securityprofileassignment": ("SecurityProfileID", "BuyerID", "SupplierID", "UserID", "UserGroupID"),
    "addressassignment": ("AddressID", "UserID", "UserGroupID"),
    "creditcardassignment": ("CreditCardID", "UserID", "UserGroupID"),
    "spendingaccountassignment": ("SpendingAccountID", "UserID", "UserGroupID"),
    "costcenterassignment": ("CostCenterID", "UserID", "UserGroupID"),
    "promotionassignment": ("PromotionID", "BuyerID", "UserGroupID"),
    "apiclientassignment": ("ApiClientID", "BuyerID", "SupplierID"),
    "supplierbuyer": ("SupplierID", "BuyerID"),
    "productsupplier": ("SupplierID",),
    "categoryassignment": ("CategoryID", "BuyerID", "UserGroupID"),
    "categoryproductassignment": ("CategoryID", "ProductID"),
    "bundleproductassignment": ("BundleID", "ProductID"),
    "bundleassignment": ("BundleID", "BuyerID", "UserGroupID"),
    "bundlecatalogassignment": ("CatalogID", "BundleID"),
    "categorybundleassignment": ("CategoryID", "BundleID"),
    "productcollectionentry": ("ProductCollectionID", "ProductID"),
}

# Which rows of a marketplace-wide kind belong to the company (scope) of the renamed document.
Owner = Callable[[Docs, str], list[ColumnElement[bool]]]


def _buyer(docs: Docs, scope: str) -> list[ColumnElement[bool]]:
    return docs.eq(BuyerID=scope)


def _supplier(docs: Docs, scope: str) -> list[ColumnElement[bool]]:
    return docs.eq(SupplierID=scope)


def _marketplace(docs: Docs, scope: str) -> list[ColumnElement[bool]]:
    return docs.eq(BuyerID=None, SupplierID=None)


@dataclass(frozen=True)
class Ref:
    """`kind` documents name the renamed one in `field`. They live in the renamed document's own
    scope (`owner` None), or anywhere, narrowed by `owner` to the renamed document's company."""

    kind: str
    field: str
    owner: Owner | None = None
    anywhere: bool = False


_INSTRUMENT_ASSIGNMENTS = ("creditcardassignment", "spendingaccountassignment", "costcenterassignment")

REFERENCES: dict[str, tuple[Ref, ...]] = {
    "user": (
        Ref("usergroupassignment", "UserID"),
        Ref("securityprofileassignment", "UserID", _buyer),
        Ref("addressassignment", "UserID"),
        *(Ref(kind, "UserID") for kind in _INSTRUMENT_ASSIGNMENTS),
        # What the user created through /me (private addresses and cards) stays the user's.
        Ref("address", "_OwnerUserID"),
        Ref("creditcard", "_OwnerUserID"),
        Ref("productcollection", "_OwnerUserID"),
        Ref("productcollectioninvitation", "_AcceptedBy"),
    ),
    "supplieruser": (
        Ref("supplierusergroupassignment", "UserID"),
        Ref("securityprofileassignment", "UserID", _supplier),
    ),
    "adminuser": (
        Ref("adminusergroupassignment", "UserID"),
        Ref("securityprofileassignment", "UserID", _marketplace),
    ),
    "usergroup": (
        Ref("usergroupassignment", "UserGroupID"),
        Ref("securityprofileassignment", "UserGroupID", _buyer),
        Ref("addressassignment", "UserGroupID"),
        *(Ref(kind, "UserGroupID") for kind in _INSTRUMENT_ASSIGNMENTS),
        Ref("productassignment", "UserGroupID", _buyer),
        Ref("promotionassignment", "UserGroupID", _buyer),
        Ref("categoryassignment", "UserGroupID", _buyer),
        Ref("bundleassignment", "UserGroupID", _buyer),
        Ref("approvalrule", "ApprovingGroupID"),
    ),
    "supplierusergroup": (
        Ref("supplierusergroupassignment", "UserGroupID"),
        Ref("securityprofileassignment", "UserGroupID", _supplier),
    ),
    "adminusergroup": (
        Ref("adminusergroupassignment", "UserGroupID"),
        Ref("securityprofileassignment", "UserGroupID", _marketplace),
    ),
    "securityprofile": (
        Ref("securityprofileassignment", "SecurityProfileID", anywhere=True),
        Ref("impersonationconfig", "SecurityProfileID", anywhere=True),
    ),
    "apiclient": (
        Ref("impersonationconfig", "ClientID", anywhere=True),
        Ref("openidconnect", "OrderCloudApiClientID", anywhere=True),
    ),
    "productcollection": (
        Ref("productcollectionentry", "ProductCollectionID"),
        Ref("productcollectioninvitation", "ProductCollectionID"),
    ),
    "locale": (Ref("localeassignment", "LocaleID", anywhere=True),),
    # Inventory record assignments live in the product's scope, as the records do.
    "inventoryrecord": (Ref("inventoryrecordassignment", "InventoryRecordID"),),
    "address": (Ref("addressassignment", "AddressID"),),
    "creditcard": (Ref("creditcardassignment", "CreditCardID"),),
    "spendingaccount": (Ref("spendingaccountassignment", "SpendingAccountID"),),
    "costcenter": (Ref("costcenterassignment", "CostCenterID"),),
    "promotion": (Ref("promotionassignment", "PromotionID", anywhere=True),),
    "product": tuple(
        Ref(kind, "ProductID", anywhere=True)
        for kind in (
            "productassignment",
            "productcatalogassignment",
            "specproductassignment",
            "categoryproductassignment",
            "bundleproductassignment",
            "productcollectionentry",
        )
    ),
    "bundle": (
        *(
            Ref(kind, "BundleID", anywhere=True)
            for kind in (
                "bundleproductassignment",
                "bundleassignment",
                "bundlecatalogassignment",
                "categorybundleassignment",
            )
        ),
        # Lines bought in the bundle and subscription items added in it stay removable together
        # under the new ID (services.bundle_lines, services.bundle_subscription_items).
        Ref("lineitem", "_BundleID", anywhere=True),
        Ref("subscriptionitem", "_BundleID", anywhere=True),
    ),
    "catalog": (
        Ref("catalogassignment", "CatalogID", anywhere=True),
        Ref("productcatalogassignment", "CatalogID", anywhere=True),
        Ref("bundlecatalogassignment", "CatalogID", anywhere=True),
    ),
    "spec": (Ref("specproductassignment", "SpecID", anywhere=True),),
    "priceschedule": (
        Ref("productassignment", "PriceScheduleID", anywhere=True),
        Ref("product", "DefaultPriceScheduleID", anywhere=True),
    ),
    # A variant's inventory records live in its product's scope, as the variant does.
    "variant": (Ref("inventoryrecord", "_VariantID"), Ref("inventoryrecordassignment", "_VariantID")),
    # Orders keep the company IDs they were placed with (a record, like an invoice).
    "buyer": (
        *(
            Ref(kind, "BuyerID", anywhere=True)
            for kind in (
                "catalogassignment",
                "categoryassignment",
                "productassignment",
                "bundleassignment",
                "promotionassignment",
                "securityprofileassignment",
                "apiclientassignment",
                "supplierbuyer",
                "localeassignment",
                "inventoryrecordassignment",
                "impersonationconfig",
            )
        ),
        Ref("impersonationconfig", "ImpersonationBuyerID", anywhere=True),
        Ref("user", "CompanyID", anywhere=True),
    ),
    "supplier": (
        *(
            Ref(kind, "SupplierID", anywhere=True)
            for kind in (
                "securityprofileassignment",
                "apiclientassignment",
                "supplierbuyer",
                "productsupplier",
            )
        ),
        Ref("product", "DefaultSupplierID", anywhere=True),
        Ref("supplieruser", "CompanyID", anywhere=True),
    ),
}

# kind -> the kinds of documents scoped to it (their scope is its ID)
SCOPED: dict[str, tuple[str, ...]] = {
    "product": ("variant", "inventoryrecord", "inventoryrecordassignment", "productsupplier"),
    "spec": ("specoption",),
    # Categories and their assignments are scoped to their catalog (a category ID is unique only
    # within it): they move with a renamed catalog.
    "catalog": ("category", "categoryassignment", "categoryproductassignment", "categorybundleassignment"),
    "buyer": (
        "user",
        "usergroup",
        "usergroupassignment",
        "address",
        "addressassignment",
        "costcenter",
        "spendingaccount",
        "approvalrule",
        "creditcard",
        "creditcardassignment",
        "spendingaccountassignment",
        "costcenterassignment",
        # A buyer user's product collections and their entries (docs/catalog.md).
        "productcollection",
        "productcollectionentry",
        "productcollectioninvitation",
    ),
    "supplier": ("supplieruser", "supplierusergroup", "supplierusergroupassignment", "supplieraddress"),
}


async def propagate_rename(docs: Docs, kind: str, scope: str, old: str, new: str) -> None:
    """Everything `SCOPED` and `REFERENCES` list for `kind` follows its rename from `old` to `new`."""
    await rescope(docs, SCOPED.get(kind, ()), old, new)
    for ref in REFERENCES.get(kind, ()):
        if ref.owner is not None:
            await repoint(docs, ref.kind, ref.field, old, new, conds=ref.owner(docs, scope))
        else:
            await repoint(docs, ref.kind, ref.field, old, new, scope=None if ref.anywhere else scope)


async def rescope(docs: Docs, kinds: Sequence[str], old: str, new: str) -> None:
    for kind in kinds:
        await docs.move_scope(kind, old, new)


async def repoint(
    docs: Docs,
    kind: str,
    field: str,
    old: str,
    new: str,
    *,
    scope: str | None = None,
    conds: Sequence[ColumnElement[bool]] = (),
) -> None:
    """Change `field` from `old` to `new` in every `kind` document (in `scope` when given, and
    matching `conds`), re-keying assignments."""
    keys = ASSIGNMENT_KEYS.get(kind)
    for stored in await docs.all_stored(kind, *docs.eq(**{field: old}), *conds, scope=scope):
        doc = {**stored.doc, field: new}
        if keys is None:
            await docs.replace(kind, doc["ID"], doc, stored.scope)
            continue
        await docs.delete(kind, stored.doc["ID"], stored.scope)
        doc["ID"] = synthetic_id(*(doc.get(k) for k in keys))
        if not await docs.exists(kind, doc["ID"], stored.scope):
            await docs.insert(kind, doc, stored.scope)
