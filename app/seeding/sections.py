"""The sections of a seeding file, as the official tool knows them: the name of each list
under `Objects` or `Assignments`, the API operations that list and create its records, the
route parameters a record names its parents by, and the tool's create priority.

`SECTIONS` is in the tool's directory order (ordercloud-seed, src/models/oc-resource-directory.ts).
Import runs the sections by create priority, ties in directory order (`import_order`); export
writes top-level sections in directory order, each followed by its children (`export_order`),
as the tool's `download` does."""

from __future__ import annotations

from dataclasses import dataclass

OBJECTS = "Objects"
ASSIGNMENTS = "Assignments"

# What the tool writes in place of a secret, and in place of the marketplace's own ID.
REDACTED = "<Redacted. Leave unchanged.>"
MARKETPLACE_PLACEHOLDER = "<MarketplaceID placeholder>"

# Names older versions of the tool wrote (the published templates use them).
ALIASES = {"PromotionAssignment": "PromotionAssignments"}


@dataclass(frozen=True)
class Section:
    name: str
    group: str  # OBJECTS or ASSIGNMENTS
    priority: int
    # The collection's path (`/buyers/{buyerID}/users`); list is GET on it, create POST.
    path: str
    # For objects: the item's route parameter (`userID`): save is PUT on `path/{id_param}`.
    id_param: str | None = None
    # Route parameters a record names its parents by: (parameter, record field).
    parents: tuple[tuple[str, str], ...] = ()
    # The section whose records are the parents listed through (children only).
    parent_section: str | None = None
    # Secrets the tool redacts on download (and the importer replaces with new ones).
    secrets: tuple[str, ...] = ()
    # The field that holds the marketplace's ID when the seller owns the record.
    owner_field: str | None = None
    # The OpenAPI model a record is (its read-only fields are the server's).
    model: str = ""
    # Assignments the API saves with PUT on one item path instead of POST on `path`.
    put_path: str | None = None
    # How a new record is created on `path` (xp indices are PUT there, as the tool does).
    create_verb: str = "POST"

    @property
    def is_child(self) -> bool:
        return self.parent_section is not None

    @property
    def item_path(self) -> str:
        return f"{self.path}/{{{self.id_param}}}"


def _buyer_child(name: str, sub: str, id_param: str | None, priority: int, model: str) -> Section:
    group = ASSIGNMENTS if id_param is None else OBJECTS
    return Section(
        name,
        group,
        priority,
        f"/buyers/{{buyerID}}/{sub}",
        id_param,
        (("buyerID", "BuyerID"),),
        "Buyers",
        model=model,
    )


def _supplier_child(name: str, sub: str, id_param: str | None, priority: int, model: str) -> Section:
    group = ASSIGNMENTS if id_param is None else OBJECTS
    return Section(
        name,
        group,
        priority,
        f"/suppliers/{{supplierID}}/{sub}",
        id_param,
        (("supplierID", "SupplierID"),),
        "Suppliers",
        model=model,
    )


SECTIONS: tuple[Section, ...] = (
    Section(
        "SecurityProfiles", OBJECTS, 2, "/securityprofiles", "securityProfileID", model="SecurityProfile"
    ),
    Section(
        "ImpersonationConfigs",
        OBJECTS,
        7,
        "/impersonationconfig",
        "impersonationConfigID",
        model="ImpersonationConfig",
    ),
    Section(
        "OpenIdConnects",
        OBJECTS,
        7,
        "/openidconnects",
        "openidconnectID",
        secrets=("ConnectClientSecret",),
        model="OpenIdConnect",
    ),
    Section("AdminUsers", OBJECTS, 2, "/adminusers", "userID", owner_field="CompanyID", model="User"),
    Section("AdminUserGroups", OBJECTS, 2, "/usergroups", "userGroupID", model="UserGroup"),
    Section("AdminAddresses", OBJECTS, 2, "/addresses", "addressID", model="Address"),
    Section(
        "MessageSenders",
        OBJECTS,
        2,
        "/messagesenders",
        "messageSenderID",
        secrets=("SharedKey",),
        model="MessageSender",
    ),
    Section(
        "ApiClients", OBJECTS, 6, "/apiclients", "apiClientID", secrets=("ClientSecret",), model="ApiClient"
    ),
    Section("Locales", OBJECTS, 3, "/locales", "localeID", owner_field="OwnerID", model="Locale"),
    Section("Incrementors", OBJECTS, 1, "/incrementors", "incrementorID", model="Incrementor"),
    Section("Webhooks", OBJECTS, 7, "/webhooks", "webhookID", secrets=("HashKey",), model="Webhook"),
    Section(
        "IntegrationEvents",
        OBJECTS,
        2,
        "/integrationEvents",
        "integrationEventID",
        secrets=("HashKey",),
        model="IntegrationEvent",
    ),
    Section("XpIndices", OBJECTS, 1, "/xpindices", None, model="XpIndex", create_verb="PUT"),
    Section("Buyers", OBJECTS, 4, "/buyers", "buyerID", model="Buyer"),
    _buyer_child("Users", "users", "userID", 5, "User"),
    _buyer_child("UserGroups", "usergroups", "userGroupID", 5, "UserGroup"),
    _buyer_child("Addresses", "addresses", "addressID", 5, "Address"),
    _buyer_child("CostCenters", "costcenters", "costCenterID", 5, "CostCenter"),
    _buyer_child("CreditCards", "creditcards", "creditCardID", 5, "CreditCard"),
    _buyer_child("SpendingAccounts", "spendingaccounts", "spendingAccountID", 5, "SpendingAccount"),
    _buyer_child("ApprovalRules", "approvalrules", "approvalRuleID", 6, "ApprovalRule"),
    Section("Catalogs", OBJECTS, 3, "/catalogs", "catalogID", owner_field="OwnerID", model="Catalog"),
    Section(
        "Categories",
        OBJECTS,
        4,
        "/catalogs/{catalogID}/categories",
        "categoryID",
        (("catalogID", "CatalogID"),),
        "Catalogs",
        model="Category",
    ),
    Section("Suppliers", OBJECTS, 2, "/suppliers", "supplierID", model="Supplier"),
    _supplier_child("SupplierUsers", "users", "userID", 3, "User"),
    _supplier_child("SupplierUserGroups", "usergroups", "userGroupID", 3, "UserGroup"),
    _supplier_child("SupplierAddresses", "addresses", "addressID", 3, "Address"),
    Section("Products", OBJECTS, 4, "/products", "productID", owner_field="OwnerID", model="Product"),
    Section(
        "PriceSchedules",
        OBJECTS,
        3,
        "/priceschedules",
        "priceScheduleID",
        owner_field="OwnerID",
        model="PriceSchedule",
    ),
    Section("Specs", OBJECTS, 3, "/specs", "specID", owner_field="OwnerID", model="Spec"),
    Section(
        "SpecOptions",
        OBJECTS,
        4,
        "/specs/{specID}/options",
        "optionID",
        (("specID", "SpecID"),),
        "Specs",
        model="SpecOption",
    ),
    Section("ProductFacets", OBJECTS, 2, "/productfacets", "productFacetID", model="ProductFacet"),
    Section("Promotions", OBJECTS, 3, "/promotions", "promotionID", owner_field="OwnerID", model="Promotion"),
    Section(
        "Variants",
        OBJECTS,
        6,
        "/products/{productID}/variants",
        "variantID",
        (("productID", "ProductID"),),
        "Products",
        model="Variant",
    ),
    Section(
        "InventoryRecords",
        OBJECTS,
        5,
        "/products/{productID}/inventoryrecords",
        "inventoryRecordID",
        (("productID", "ProductID"),),
        "Products",
        owner_field="OwnerID",
        model="InventoryRecord",
    ),
    Section(
        "VariantInventoryRecords",
        OBJECTS,
        7,
        "/products/{productID}/variants/{variantID}/inventoryrecords",
        "inventoryRecordID",
        (("productID", "ProductID"), ("variantID", "VariantID")),
        "Variants",
        owner_field="OwnerID",
        model="InventoryRecord",
    ),
    Section(
        "SellerApprovalRules",
        OBJECTS,
        4,
        "/approvalrules",
        "approvalRuleID",
        owner_field="OwnerID",
        model="SellerApprovalRule",
    ),
    Section(
        "SecurityProfileAssignments",
        ASSIGNMENTS,
        6,
        "/securityprofiles/assignments",
        model="SecurityProfileAssignment",
    ),
    Section(
        "AdminUserGroupAssignments", ASSIGNMENTS, 3, "/usergroups/assignments", model="UserGroupAssignment"
    ),
    Section("ApiClientAssignments", ASSIGNMENTS, 7, "/apiclients/assignments", model="ApiClientAssignment"),
    Section("LocaleAssignments", ASSIGNMENTS, 6, "/locales/assignments", model="LocaleAssignment"),
    _buyer_child("UserGroupAssignments", "usergroups/assignments", None, 6, "UserGroupAssignment"),
    _buyer_child("AddressAssignments", "addresses/assignments", None, 6, "AddressAssignment"),
    _buyer_child("CostCenterAssignments", "costcenters/assignments", None, 6, "CostCenterAssignment"),
    _buyer_child("CreditCardAssignments", "creditcards/assignments", None, 6, "CreditCardAssignment"),
    _buyer_child(
        "SpendingAccountAssignments", "spendingaccounts/assignments", None, 6, "SpendingAccountAssignment"
    ),
    _supplier_child(
        "SupplierUserGroupsAssignments", "usergroups/assignments", None, 4, "UserGroupAssignment"
    ),
    Section(
        "ProductAssignments",
        ASSIGNMENTS,
        6,
        "/products/assignments",
        owner_field="SellerID",
        model="ProductAssignment",
    ),
    Section("CatalogAssignments", ASSIGNMENTS, 5, "/catalogs/assignments", model="CatalogAssignment"),
    Section(
        "ProductCatalogAssignment",
        ASSIGNMENTS,
        5,
        "/catalogs/productassignments",
        model="ProductCatalogAssignment",
    ),
    Section(
        "CategoryAssignments",
        ASSIGNMENTS,
        6,
        "/catalogs/{catalogID}/categories/assignments",
        None,
        (("catalogID", "CatalogID"),),
        "Catalogs",
        model="CategoryAssignment",
    ),
    Section(
        "CategoryProductAssignments",
        ASSIGNMENTS,
        5,
        "/catalogs/{catalogID}/categories/productassignments",
        None,
        (("catalogID", "CatalogID"),),
        "Catalogs",
        model="CategoryProductAssignment",
    ),
    Section(
        "SpecProductAssignments", ASSIGNMENTS, 5, "/specs/productassignments", model="SpecProductAssignment"
    ),
    Section("PromotionAssignments", ASSIGNMENTS, 6, "/promotions/assignments", model="PromotionAssignment"),
    Section(
        "ProductSupplierAssignments",
        ASSIGNMENTS,
        5,
        "/products/{productID}/suppliers",
        None,
        (("productID", "ProductID"),),
        "Products",
        model="ProductSupplier",
        put_path="/products/{productID}/suppliers/{supplierID}",
    ),
    Section(
        "SupplierBuyerAssignments",
        ASSIGNMENTS,
        5,
        "/suppliers/{supplierID}/buyers",
        None,
        (("supplierID", "SupplierID"),),
        "Suppliers",
        model="SupplierBuyer",
        put_path="/suppliers/{supplierID}/buyers/{buyerID}",
    ),
)

BY_NAME = {s.name: s for s in SECTIONS}

# Each parent's children in the order the tool downloads them (its `children` lists).
CHILDREN: dict[str, tuple[str, ...]] = {
    "Buyers": (
        "Users",
        "UserGroups",
        "Addresses",
        "CostCenters",
        "CreditCards",
        "SpendingAccounts",
        "ApprovalRules",
        "UserGroupAssignments",
        "SpendingAccountAssignments",
        "AddressAssignments",
        "CostCenterAssignments",
        "CreditCardAssignments",
    ),
    "Catalogs": ("Categories", "CategoryAssignments", "CategoryProductAssignments"),
    "Suppliers": (
        "SupplierUsers",
        "SupplierUserGroups",
        "SupplierAddresses",
        "SupplierUserGroupsAssignments",
        "SupplierBuyerAssignments",
    ),
    "Products": ("ProductSupplierAssignments", "Variants", "InventoryRecords"),
    "Variants": ("VariantInventoryRecords",),
    "Specs": ("SpecOptions",),
}


def import_order() -> list[Section]:
    """By create priority; ties keep the directory order (the tool's sort is stable)."""
    return sorted(SECTIONS, key=lambda s: s.priority)


def export_order() -> list[Section]:
    """Each top-level section followed by its children (and theirs), as the tool downloads."""
    ordered: list[Section] = []

    def visit(section: Section) -> None:
        ordered.append(section)
        for child in CHILDREN.get(section.name, ()):
            visit(BY_NAME[child])

    for section in SECTIONS:
        if not section.is_child:
            visit(section)
    return ordered
