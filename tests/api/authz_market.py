"""The small marketplace the authorization matrix runs against, and the principals who call it.

Every object's ID starts with its owner's tag, so an answer can be checked for objects of
another company by looking at its strings: `mk-` the seller (marketplace), `bA-` / `bB-` buyers
A and B, `sS-` / `sT-` suppliers S and T. Buyer A trades with the seller and supplier S; buyer B
and supplier T have no business with A or S."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.auth.roles import ALL_ROLES
from app.store.repo import Docs
from app.store.tables import outbox
from tests.api import catalog_fixtures as cat
from tests.api.org_setup import PASSWORD, address_body, user_body
from tests.helpers import ADMIN_CLIENT, Api

STOREFRONT = "mk-storefront"
ANON_CLIENT = "mk-anon"
SECRET = "SECRET-"  # every secret the marketplace holds starts with this

SHOPPER_ROLES = [
    "Shopper",
    "MeAdmin",
    "MeAddressAdmin",
    "MeCreditCardAdmin",
    "MeXpAdmin",
    "MeSubscriptionAdmin",
]
# A buyer user with the buyer-side administration roles OrderCloud lets a buyer user hold.
BUYER_ADMIN_ROLES = [
    *SHOPPER_ROLES,
    "BuyerUserAdmin",
    "BuyerUserReader",
    "UserGroupAdmin",
    "UserGroupReader",
    "AddressAdmin",
    "AddressReader",
    "ApprovalRuleAdmin",
    "ApprovalRuleReader",
    "CostCenterAdmin",
    "CostCenterReader",
    "CreditCardAdmin",
    "CreditCardReader",
    "SpendingAccountAdmin",
    "SpendingAccountReader",
    "OrderAdmin",
    "OrderReader",
]
SUPPLIER_ROLES = [
    "MeAdmin",
    "SupplierReader",
    "SupplierAdmin",
    "SupplierUserAdmin",
    "SupplierUserReader",
    "SupplierUserGroupAdmin",
    "SupplierUserGroupReader",
    "SupplierAddressAdmin",
    "SupplierAddressReader",
    "OrderAdmin",
    "OrderReader",
    "ShipmentAdmin",
    "ShipmentReader",
    "ProductAdmin",
    "ProductReader",
    "PriceScheduleAdmin",
    "PriceScheduleReader",
]
# A seller user who may read everything and change nothing (UnsubmittedOrderReader left out: the
# matrix treats carts as their buyers' own).
READER_ROLES = sorted(r for r in ALL_ROLES if r.endswith("Reader") and r != "UnsubmittedOrderReader")


@dataclass(frozen=True)
class Principal:
    """Who calls: `kind` is anon | buyer | supplier | seller; `company` the buyer or supplier ID."""

    name: str
    kind: str
    company: str = ""
    roles: tuple[str, ...] = ()
    # Tags of companies whose objects must never appear in this principal's answers.
    foreign: tuple[str, ...] = ()
    what: str = ""
    # A token that was valid when issued and must no longer be (#10 items 2, 3): such a principal
    # only has cells on the rows that name it in `only_for`, and every one is a refusal.
    stale: bool = False

    @property
    def is_seller(self) -> bool:
        return self.kind == "seller"


PRINCIPALS: dict[str, Principal] = {
    p.name: p
    for p in (
        Principal("anon", "anon", what="no token at all"),
        Principal(
            "anonshop", "buyer", "bA", ("Shopper",), ("bB-", "sT-"), "anonymous shopper (IsAnonBuyer client)"
        ),
        Principal("shopA", "buyer", "bA", tuple(SHOPPER_ROLES), ("bB-", "sT-"), "Shopper of buyer A"),
        Principal("badmA", "buyer", "bA", tuple(BUYER_ADMIN_ROLES), ("bB-", "sT-"), "buyer admin of buyer A"),
        Principal("supS", "supplier", "sS", tuple(SUPPLIER_ROLES), ("bB-", "sT-"), "user of supplier S"),
        Principal("reader", "seller", "", tuple(READER_ROLES), (), "seller user with every *Reader role"),
        Principal("admin", "seller", "", ("FullAccess",), (), "seller user with FullAccess"),
        Principal(
            "userB",
            "buyer",
            "bB",
            tuple(BUYER_ADMIN_ROLES),
            ("bA-", "sS-", "sT-"),
            "buyer B's user (buyer-admin roles) acting on A's objects",
        ),
        Principal(
            "supT",
            "supplier",
            "sT",
            tuple(SUPPLIER_ROLES),
            ("bA-", "bB-", "sS-"),
            "supplier T's user acting on S's objects",
        ),
        *(
            Principal(name, "buyer", "bA", tuple(SHOPPER_ROLES), ("bB-", "sT-"), what, stale=True)
            for name, what in (
                ("offA", "a Shopper of buyer A set Active: false after signing in"),
                ("goneA", "a Shopper of buyer A deleted after signing in"),
                ("renamedA", "a Shopper of buyer A renamed after signing in"),
            )
        ),
        Principal(
            "offC",
            "buyer",
            "bC",
            tuple(SHOPPER_ROLES),
            ("bA-", "bB-"),
            "a Shopper of buyer C, deactivated",
            True,
        ),
    )
}
USER_OF = {
    "shopA": "bA-shopper",
    "badmA": "bA-admin",
    "supS": "sS-user",
    "reader": "mk-reader",
    "admin": "mk-admin",
    "userB": "bB-user",
    "supT": "sT-user",
    "offA": "bA-off",
    "goneA": "bA-gone",
    "renamedA": "bA-renamed",
    "offC": "bC-user",
}
STALE = tuple(name for name, p in PRINCIPALS.items() if p.stale)

SHIP_TO = {
    "FirstName": "Ann",
    "LastName": "Lee",
    "Street1": "1 Main St",
    "City": "Springfield",
    "State": "IL",
    "Zip": "62701",
    "Country": "US",
}


@dataclass
class Market:
    api: Api
    tokens: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # IDs the server chose (delivery IDs)

    def token(self, principal: str) -> str | None:
        return self.tokens.get(principal)


async def _profile(api: Api, profile_id: str, roles: list[str], **assignment: str) -> None:
    await api.ok("POST", "/securityprofiles", {"ID": profile_id, "Name": profile_id, "Roles": roles})
    await api.ok(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": profile_id, **assignment}, status=204
    )


async def _orgs(api: Api) -> None:
    for buyer in ("bA", "bB", "bC"):
        await api.ok("POST", "/buyers", {"ID": buyer, "Name": f"Buyer {buyer}", "Active": True})
    for supplier in ("sS", "sT"):
        await api.ok("POST", "/suppliers", {"ID": supplier, "Name": f"Supplier {supplier}", "Active": True})
    await api.ok("PUT", "/suppliers/sS/buyers/bA", status=204)
    await api.ok(
        "POST",
        "/apiclients",
        {
            "ID": STOREFRONT,
            "AppName": "Storefront",
            "AccessTokenDuration": 600,
            "AllowAnyBuyer": True,
            "AllowAnySupplier": True,
            "Active": True,
        },
    )
    await api.ok(
        "POST",
        "/apiclients",
        {
            "ID": ANON_CLIENT,
            "AppName": "Anonymous shop",
            "AccessTokenDuration": 600,
            "IsAnonBuyer": True,
            "DefaultContextUserName": "bA-anon-name",
            "AllowAnyBuyer": True,
            "Active": True,
        },
    )
    users = [
        ("buyers/bA", "bA-shopper", SHOPPER_ROLES, {"BuyerID": "bA"}),
        ("buyers/bA", "bA-admin", BUYER_ADMIN_ROLES, {"BuyerID": "bA"}),
        ("buyers/bA", "bA-other", SHOPPER_ROLES, {"BuyerID": "bA"}),
        ("buyers/bA", "bA-anon", ["Shopper"], {"BuyerID": "bA"}),
        ("buyers/bB", "bB-user", BUYER_ADMIN_ROLES, {"BuyerID": "bB"}),
        ("buyers/bA", "bA-off", SHOPPER_ROLES, {"BuyerID": "bA"}),
        ("buyers/bA", "bA-gone", SHOPPER_ROLES, {"BuyerID": "bA"}),
        ("buyers/bA", "bA-renamed", SHOPPER_ROLES, {"BuyerID": "bA"}),
        ("buyers/bC", "bC-user", SHOPPER_ROLES, {"BuyerID": "bC"}),
        ("suppliers/sS", "sS-user", SUPPLIER_ROLES, {"SupplierID": "sS"}),
        ("suppliers/sT", "sT-user", SUPPLIER_ROLES, {"SupplierID": "sT"}),
        ("adminusers", "mk-reader", READER_ROLES, {}),
        ("adminusers", "mk-admin", ["FullAccess"], {}),
        ("adminusers", "mk-spare", ["OrderReader"], {}),
        ("suppliers/sS", "sS-other", ["MeAdmin"], {"SupplierID": "sS"}),
    ]
    for path, user_id, roles, where in users:
        await api.ok("POST", f"/{path}" if path == "adminusers" else f"/{path}/users", user_body(user_id))
        await _profile(api, f"{user_id}-profile", roles, UserID=user_id, **where)
    await api.ok("POST", "/buyers/bA/usergroups", {"ID": "bA-group", "Name": "A group"})
    await api.ok(
        "POST",
        "/buyers/bA/usergroups/assignments",
        {"UserGroupID": "bA-group", "UserID": "bA-shopper"},
        status=204,
    )
    await api.ok("POST", "/buyers/bB/usergroups", {"ID": "bB-group", "Name": "B group"})
    for supplier in ("sS", "sT"):
        await api.ok("POST", f"/suppliers/{supplier}/usergroups", {"ID": f"{supplier}-group", "Name": "g"})
        await api.ok("POST", f"/suppliers/{supplier}/addresses", address_body(f"{supplier}-addr"))
    await api.ok("POST", "/usergroups", {"ID": "mk-agroup", "Name": "Admins"})
    await api.ok(
        "POST", "/usergroups/assignments", {"UserGroupID": "mk-agroup", "UserID": "mk-spare"}, status=204
    )
    await api.ok("POST", "/buyers/bA/usergroups", {"ID": "bA-spare", "Name": "spare"})
    await api.ok(
        "POST",
        "/suppliers/sS/usergroups/assignments",
        {"UserGroupID": "sS-group", "UserID": "sS-other"},
        status=204,
    )
    await api.ok("POST", "/addresses", address_body("mk-addr"))
    await api.ok("POST", "/securityprofiles", {"ID": "mk-profile", "Name": "spare", "Roles": ["OrderReader"]})
    await api.ok(
        "POST",
        "/approvalrules",
        {
            "ID": "mk-rule",
            "Name": "r",
            "ApprovalType": "OrderReturn",
            "RuleExpression": "order.Total > 100000",
            "ApprovingGroupID": "mk-agroup",
        },
    )
    await api.ok("POST", "/returnreasons", {"ID": "mk-reason", "Name": "Too big"})


async def _buyer_things(api: Api) -> None:
    for buyer in ("bA", "bB"):
        await api.ok("POST", f"/buyers/{buyer}/addresses", address_body(f"{buyer}-addr", **SHIP_TO))
        await api.ok(
            "POST",
            f"/buyers/{buyer}/addresses/assignments",
            {"AddressID": f"{buyer}-addr", "IsShipping": True, "IsBilling": True},
            status=204,
        )
        await api.ok("POST", f"/buyers/{buyer}/costcenters", {"ID": f"{buyer}-cc", "Name": "cc"})
        await api.ok("POST", f"/buyers/{buyer}/creditcards", {"ID": f"{buyer}-card", "Token": f"{buyer}-tok"})
        await api.ok(
            "POST",
            f"/buyers/{buyer}/spendingaccounts",
            {"ID": f"{buyer}-spend", "Name": "Budget", "Balance": 1000, "AllowAsPaymentMethod": True},
        )
        await api.ok(
            "POST",
            f"/buyers/{buyer}/approvalrules",
            {
                "ID": f"{buyer}-rule",
                "Name": "big",
                "RuleExpression": "order.Total > 100000",
                "ApprovingGroupID": f"{buyer}-group",
            },
        )
    user_of = {"bA": "bA-shopper", "bB": "bB-user"}
    for buyer, user in user_of.items():
        for kind in ("spendingaccounts", "costcenters", "creditcards"):
            key = {
                "spendingaccounts": "SpendingAccountID",
                "costcenters": "CostCenterID",
                "creditcards": "CreditCardID",
            }
            suffix = {"spendingaccounts": "spend", "costcenters": "cc", "creditcards": "card"}[kind]
            await api.ok(
                "POST",
                f"/buyers/{buyer}/{kind}/assignments",
                {key[kind]: f"{buyer}-{suffix}", "UserID": user}
                if kind != "costcenters"
                else {key[kind]: f"{buyer}-{suffix}", "UserGroupID": f"{buyer}-group"},
                status=204,
            )


async def _catalog(api: Api) -> None:
    await cat.product(api, "mk-prod", price="10.00", buyers=("bA", "bB"))
    await cat.product(api, "mk-vprod", price="10.00", buyers=("bA",), variant_count=1)
    await cat.product(api, "sS-prod", price="5.00", buyers=("bA",), supplier="sS")
    await cat.product(api, "sT-prod", price="5.00", buyers=(), supplier="sT")
    for owned in ("sS-prod", "sT-prod"):
        doc = await cat.read(api, "product", owned)
        await cat.replace(api, "product", {**doc, "OwnerID": owned[:2]})
    await cat.price_schedule(api, "mk-ps", [(1, "3.00")])
    await cat.spec(
        api,
        "mk-spec",
        [
            {
                "ID": "mk-opt",
                "Value": "Red",
                "ListOrder": 1,
                "IsOpenText": False,
                "PriceMarkupType": "NoMarkup",
                "PriceMarkup": None,
                "xp": None,
            }
        ],
    )
    await api.ok(
        "POST", "/specs/productassignments", {"SpecID": "mk-spec", "ProductID": "mk-vprod"}, status=204
    )
    await cat.variant(api, "mk-vprod", "mk-var", [("mk-spec", "mk-opt")])
    await api.ok(
        "POST",
        "/products/mk-prod/inventoryrecords",
        {"ID": "mk-inv", "AddressID": "mk-addr", "QuantityAvailable": 50},
    )
    await api.ok(
        "POST",
        "/products/mk-vprod/variants/mk-var/inventoryrecords",
        {"ID": "mk-vinv", "AddressID": "mk-addr", "QuantityAvailable": 5},
    )
    await api.ok("POST", "/catalogs", {"ID": "mk-cat", "Name": "Catalog", "Active": True})
    await api.ok("POST", "/catalogs/assignments", {"CatalogID": "mk-cat", "BuyerID": "bA"}, status=204)
    await api.ok(
        "POST", "/catalogs/productassignments", {"CatalogID": "mk-cat", "ProductID": "mk-prod"}, status=204
    )
    await api.ok(
        "POST", "/catalogs/mk-cat/categories", {"ID": "mk-categ", "Name": "Category", "Active": True}
    )
    await api.ok(
        "POST",
        "/catalogs/mk-cat/categories/assignments",
        {"CategoryID": "mk-categ", "BuyerID": "bA", "Visible": True},
        status=204,
    )
    await api.ok(
        "POST",
        "/catalogs/mk-cat/categories/productassignments",
        {"CategoryID": "mk-categ", "ProductID": "mk-prod"},
        status=204,
    )
    # A bundle of its own product for both buyers, in the catalog and its category (a product a
    # bundle holds cannot be deleted, and DELETE /products/mk-prod is a cell of its own).
    await cat.product(api, "mk-bprod", price="4.00", buyers=("bA", "bB"))
    await api.ok("POST", "/bundles", {"ID": "mk-bundle", "Name": "Bundle", "Active": True})
    in_bundle = {"BundleID": "mk-bundle", "ProductID": "mk-bprod", "Required": False}
    for path, body in (
        ("/bundles/productassignments", in_bundle),
        ("/bundles/assignments", {"BundleID": "mk-bundle", "BuyerID": "bA"}),
        ("/bundles/assignments", {"BundleID": "mk-bundle", "BuyerID": "bB"}),
        ("/catalogs/bundleassignments", {"CatalogID": "mk-cat", "BundleID": "mk-bundle"}),
        (
            "/catalogs/mk-cat/categories/bundleassignments",
            {"CategoryID": "mk-categ", "BundleID": "mk-bundle"},
        ),
    ):
        await api.ok("POST", path, body, status=204)
    await api.ok(
        "POST",
        "/promotions",
        {
            "ID": "mk-promo",
            "Code": "MKPROMO",
            "Name": "Promo",
            "EligibleExpression": "true",
            "ValueExpression": "1",
            "CanCombine": True,
            "AllowAllBuyers": True,
        },
    )


async def _secrets(api: Api) -> None:
    await api.ok(
        "POST",
        "/apiclients",
        {
            "ID": "mk-client",
            "AppName": "Integration",
            "ClientSecret": f"{SECRET}client",
            "AllowSeller": True,
            "AccessTokenDuration": 600,
            "Active": True,
        },
    )
    await api.ok("POST", "/apiclients/mk-client/secrets", {"ID": "mk-secret", "Name": "rotation"})
    for party in ({"BuyerID": "bA"}, {"SupplierID": "sS"}):
        await api.ok("POST", "/apiclients/assignments", {"ApiClientID": "mk-client", **party}, status=204)
    await api.ok(
        "POST",
        "/securityprofiles/assignments",
        {"SecurityProfileID": "mk-profile", "UserID": "mk-spare"},
        status=204,
    )
    await api.ok(
        "POST",
        "/webhooks",
        {
            "ID": "mk-hook",
            "Name": "hook",
            "Url": "https://middleware.example.com/hook",
            "HashKey": f"{SECRET}hook",
            "ElevatedRoles": [],
            "ApiClientIDs": [STOREFRONT],
            "WebhookRoutes": [{"Route": "v1/me/addresses", "Verb": "POST"}],
        },
    )
    await api.ok(
        "POST",
        "/eventsubscriptions",
        {
            "ID": "mk-evs",
            "Url": "https://middleware.example.com/events",
            "Secret": f"{SECRET}events-0123456789",
            "EventTypes": ["order.submitted"],
        },
    )
    await api.ok(
        "POST",
        "/integrationEvents",
        {
            "ID": "mk-ie",
            "Name": "checkout",
            "EventType": "OrderCheckout",
            "CustomImplementationUrl": "https://middleware.example.com/ie",
            "HashKey": f"{SECRET}ie",
            "CustomAuthHeaderName": "X-Key",
            "CustomAuthHeaderValue": f"{SECRET}header",
            "ElevatedRoles": [],
        },
    )
    await api.ok(
        "POST",
        "/openidconnects",
        {
            "ID": "mk-oidc",
            "OrderCloudApiClientID": STOREFRONT,
            "ConnectClientID": "idp-client",
            "ConnectClientSecret": f"{SECRET}oidc",
            "AppStartUrl": "https://shop.example.com/signin?token={0}",
            "AuthorizationEndpoint": "https://idp.example.com/authorize",
            "TokenEndpoint": "https://idp.example.com/token",
        },
    )
    await api.ok(
        "PUT",
        "/integrations/subscription",
        {
            "ApiClientID": STOREFRONT,
            "HashKey": f"{SECRET}subscription",
            "Url": "https://middleware.example.com/sub",
        },
    )
    await api.ok(
        "POST",
        "/messagesenders",
        {
            "ID": "mk-sender",
            "Name": "notifications",
            "MessageTypes": ["OrderSubmitted", "ForgottenPassword"],
            "URL": "https://middleware.example.com/messages",
            "SharedKey": f"{SECRET}sender",
        },
    )
    await api.ok(
        "POST", "/messagesenders/assignments", {"MessageSenderID": "mk-sender", "BuyerID": "bA"}, status=204
    )
    # Channel webhook secrets and the BigCommerce store token: never in any answer.
    await api.ok("PUT", "/channels/shopify/settings", {"WebhookSecret": f"{SECRET}shopify-hmac"})
    await api.ok(
        "PUT",
        "/channels/bigcommerce/settings",
        {
            "WebhookSecret": f"{SECRET}bigcommerce-header",
            "ApiUrl": "https://api.bigcommerce.com/stores/mk",
            "ApiToken": f"{SECRET}bigcommerce-token",
        },
    )


async def _login(api: Api, market: Market) -> None:
    for principal, user_id in USER_OF.items():
        client = ADMIN_CLIENT if user_id.startswith("mk-") else STOREFRONT
        market.tokens[principal] = await api.login(f"{user_id}-name", PASSWORD, client_id=client)
    response = await api.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": ANON_CLIENT, "scope": "Shopper"},
    )
    assert response.status_code == 200, response.text
    market.tokens["anonshop"] = response.json()["access_token"]
    # What happens to the stale principals after they signed in.
    await api.ok("PATCH", "/buyers/bA/users/bA-off", {"Active": False})
    await api.ok("DELETE", "/buyers/bA/users/bA-gone")
    await api.ok("PATCH", "/buyers/bA/users/bA-renamed", {"Username": "bA-renamed-again"})
    await api.ok("PATCH", "/buyers/bC", {"Active": False})


async def _orders(api: Api, market: Market) -> None:
    shop, user_b = market.tokens["shopA"], market.tokens["userB"]
    # shopA's private address and card (through /me, so they belong to the user alone).
    await api.ok(
        "POST",
        "/me/addresses",
        {**address_body("bA-meaddr", **SHIP_TO), "Shipping": True, "Billing": True},
        token=shop,
    )
    await api.ok("POST", "/me/creditcards", {"ID": "bA-mecard", "Token": "bA-metok"}, token=shop)
    await api.ok(
        "POST",
        "/me/addresses",
        {**address_body("bB-meaddr", **SHIP_TO), "Shipping": True, "Billing": True},
        token=user_b,
    )
    for token, buyer, products in ((shop, "bA", ("mk-prod", "sS-prod")), (user_b, "bB", ("mk-prod",))):
        order_id = f"{buyer}-order"
        await api.ok(
            "POST",
            "/orders/Outgoing",
            {"ID": order_id, "ShippingAddressID": f"{buyer}-addr", "BillingAddressID": f"{buyer}-addr"},
            token=token,
        )
        for n, product in enumerate(products):
            await api.ok(
                "POST",
                f"/orders/Outgoing/{order_id}/lineitems",
                {"ID": f"{buyer}-line{n}", "ProductID": product, "Quantity": 2},
                token=token,
            )
        await api.ok(
            "POST",
            f"/orders/Outgoing/{order_id}/payments",
            {"ID": f"{buyer}-pay", "Type": "PurchaseOrder", "Accepted": True},
            token=token,
        )
        await api.ok("POST", f"/orders/Outgoing/{order_id}/submit", token=token, status=201)
    # An unsubmitted order of shopA's: the cart.
    await api.ok("POST", "/orders/Outgoing", {"ID": "bA-cart"}, token=shop)
    await api.ok(
        "POST",
        "/orders/Outgoing/bA-cart/lineitems",
        {"ID": "bA-cartline", "ProductID": "mk-prod", "Quantity": 1},
        token=shop,
    )
    await api.ok(
        "POST", "/orders/Outgoing/bA-cart/payments", {"ID": "bA-cartpay", "Type": "PurchaseOrder"}, token=shop
    )
    await api.ok("POST", "/orders/Outgoing/bA-cart/promotions/MKPROMO", token=shop)
    await api.ok(
        "POST", "/cart/lineitems", {"ProductID": "mk-prod", "Quantity": 1}, token=market.tokens["anonshop"]
    )
    badm = market.tokens["badmA"]
    await api.ok(
        "POST",
        "/orders/Outgoing/bA-cart/bundles/mk-bundle",
        {"LineItems": [{"ID": "bA-cartbundle", "ProductID": "mk-bprod", "Quantity": 1}]},
        token=shop,
    )
    # shopA's saved list (and buyer B's user's), through /me: each belongs to its user alone.
    for token, buyer in ((shop, "bA"), (user_b, "bB")):
        await api.ok("POST", "/me/productcollections", {"ID": f"{buyer}-wish", "Name": "Wish"}, token=token)
        await api.ok("PUT", f"/me/productcollections/{buyer}-wish/mk-prod", token=token, status=204)
    await api.ok(
        "POST", "/me/productcollections/bA-wish/invitations", {"Name": "Invite"}, token=shop, status=201
    )
    await _rename_invitation(api, "bA-wish", "bA-invite")
    await api.ok("POST", "/orders/Outgoing", {"ID": "bA-admcart"}, token=badm)
    await api.ok("POST", "/orders/Outgoing", {"ID": "bB-cart"}, token=user_b)
    await api.ok(
        "POST",
        "/orders/Incoming/bA-order/payments/bA-pay/transactions",
        {"ID": "bA-tx", "Type": "Manual", "Succeeded": True, "Amount": 1},
    )
    # The seller forwards A's order: supplier S gets its part.
    await api.ok("POST", "/orders/Incoming/bA-order/forward", status=200)
    await api.ok(
        "POST",
        "/shipments",
        {"ID": "bA-ship", "BuyerID": "bA", "Shipper": "UPS", "TrackingNumber": "1Z"},
    )
    await api.ok(
        "POST",
        "/shipments/bA-ship/items",
        {"OrderID": "bA-order", "LineItemID": "bA-line0", "QuantityShipped": 2},
        status=200,
    )
    await api.ok(
        "POST",
        "/orderreturns",
        {
            "ID": "bA-return",
            "OrderID": "bA-order",
            "ItemsToReturn": [{"LineItemID": "bA-line0", "Quantity": 1}],
        },
        token=shop,
    )


async def _config(api: Api) -> None:
    """Marketplace configuration (issue #14): an incrementor, a locale assigned to buyer A, an
    impersonation config, an OpenID Connect config, inventory record assignments."""
    await api.ok(
        "POST", "/incrementors", {"ID": "mk-incr", "Name": "Orders", "LastNumber": 0, "LeftPaddingCount": 0}
    )
    await api.ok("POST", "/productfacets", {"ID": "mk-facet", "Name": "Color", "XpPath": "Facets.Color"})
    await api.ok("PUT", "/xpindices", {"ThingType": "Order", "Key": "Region"}, status=204)
    await api.ok("POST", "/locales", {"ID": "mk-locale", "Currency": "USD", "Language": "en-US"})
    await api.ok("POST", "/locales/assignments", {"LocaleID": "mk-locale", "BuyerID": "bA"}, status=204)
    await api.ok(
        "POST",
        "/impersonationconfig",
        {"ID": "mk-imp", "BuyerID": "bA", "SecurityProfileID": "bA-shopper-profile", "ClientID": STOREFRONT},
    )
    for path in ("/products/mk-prod/inventoryrecords", "/products/mk-vprod/variants/mk-var/inventoryrecords"):
        record = "mk-inv" if "variants" not in path else "mk-vinv"
        await api.ok(
            "POST", f"{path}/assignments", {"InventoryRecordID": record, "BuyerID": "bA"}, status=204
        )


async def _subscriptions(api: Api) -> None:
    """shopA's weekly subscription to mk-prod (made by the seller for the user)."""
    body = {"ID": "bA-sub", "Frequency": 1, "Interval": "Weeks", "NextOrderDate": "2031-01-01T00:00:00Z"}
    await api.ok("POST", "/subscriptions", {**body, "FromUserID": "bA-shopper", "FromCompanyID": "bA"})
    await api.ok("POST", "/subscriptions/bA-sub/items", {"ID": "bA-subitem", "ProductID": "mk-prod"})
    bundle = {"LineItems": [{"ID": "bA-subbundle", "ProductID": "mk-bprod", "Quantity": 1}]}
    await api.ok("POST", "/subscriptions/bA-sub/bundles/mk-bundle", bundle)


async def _group_orders(api: Api, market: Market) -> None:
    """shopA invites others to its cart (docs/group-orders.md); the server chose the ID."""
    body = {"OrderID": "bA-cart", "ExpirationDate": "2031-01-01T00:00:00Z", "Name": "bA-invitation"}
    invitation = await api.ok("POST", "/me/orderinvitations", body, token=market.tokens["shopA"])
    market.refs["invitation"] = invitation["ID"]


async def _rename_invitation(api: Api, collection_id: str, new_id: str) -> None:
    """Invitation IDs are the server's to make; the matrix needs a known one."""
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        (found,) = await docs.all_stored(
            "productcollectioninvitation", *docs.eq(ProductCollectionID=collection_id), scope="bA"
        )
        await docs.replace(
            "productcollectioninvitation", found.doc["ID"], {**found.doc, "ID": new_id}, "bA", new_id=new_id
        )


async def build_market(api: Api) -> Market:
    market = Market(api)
    await _orgs(api)
    await _buyer_things(api)
    await _catalog(api)
    await _config(api)
    await _secrets(api)
    await _login(api, market)
    await _orders(api, market)
    await _subscriptions(api)
    await _group_orders(api, market)
    # A channel SKU map entry (docs/channels.md), for the /channels/{channel}/skumap/{sku} rows.
    await api.ok("PUT", "/channels/shopify/skumap/mk-sku", {"ProductID": "mk-prod"})
    async with api.services.db.reader() as conn:
        # A webhook's delivery (mk-sender's notifications share the outbox).
        webhook_rows = select(outbox.c.delivery_id).where(
            outbox.c.kind == "webhook", outbox.c.webhook_id == "mk-hook"
        )
        delivery = (await conn.execute(webhook_rows)).scalars().first()
    assert delivery, "the webhook on POST /me/addresses queued a delivery"
    market.refs["delivery"] = str(delivery)
    certs = (await api.client.get("/oauth/certs")).json()
    market.refs["kid"] = certs["keys"][0]["kid"]
    return market
