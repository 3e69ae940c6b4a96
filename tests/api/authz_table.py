"""The authorization matrix: one row per (route, target), and who may call it.

A cell (row, principal) is expected to be allowed when
- the principal carries a role the route requires (OrderCloud's API reference, `authz_roles.py`,
  unless the row names its own `roles`; FullAccess passes every role check), and
- the row's `who` admits the principal's company for the object the path names (`seller`: the
  marketplace's own users only; `of("bA")`: the seller or buyer A's users; `anyone`: lists and
  `/me` routes that every caller may use, answering only what is theirs; `only(...)`: the named
  principals, for objects private to one user),
- or the row lists the principal in `allow` (a documented ordercore choice); `deny` the reverse.
Anyone without a token is refused everywhere but on `public` rows.

`ok="auth"` marks writes whose success depends on state the shared marketplace cannot offer every
principal at once (submitting an already submitted order, ...): there an allowed cell must get past
authorization (not 401/403/404) and be answered cleanly (no 5xx), which is what this matrix is
about; the business rules have their own tests.

`xfail` maps a principal to the branch that fixes that cell (`pytest.mark.xfail(strict=True)`):
when the fix is merged the cell XPASSes, the run fails, and the mark is removed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.api.authz_market import SHIP_TO, STALE, STOREFRONT, Principal
from tests.api.authz_roles import OPENAPI_ROLES
from tests.api.org_setup import address_body, user_body

Who = Callable[[Principal], bool]
Arg = str | Callable[[Principal], str]


def seller(p: Principal) -> bool:
    return p.is_seller


def anyone(p: Principal) -> bool:
    return True


def buyers(p: Principal) -> bool:
    return p.kind == "buyer"


def of(company: str) -> Who:
    return lambda p: p.is_seller or p.company == company


def only(*names: str) -> Who:
    return lambda p: p.name in names


def mine(p: Principal) -> str:
    """The direction in which the principal sees buyer A's order: buyers sent it (Outgoing), the
    seller received it (Incoming); suppliers try Incoming (they only see their forwarded copy)."""
    return "Outgoing" if p.kind in ("buyer", "anon") else "Incoming"


def supplier_side(p: Principal) -> str:
    """The forwarded order `bA-order-sS`: the seller sent it, the supplier received it."""
    return "Outgoing" if p.is_seller else "Incoming"


@dataclass(frozen=True)
class Row:
    method: str
    route: str  # the template as registered, without the /v1 prefix
    who: Who
    args: Mapping[str, Arg] = field(default_factory=dict)
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] | None = None
    ok: str = "2xx"
    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    xfail: Mapping[str, str] = field(default_factory=dict)
    case: str = ""
    public: bool = False
    tokens_ok: bool = False  # the answer is a token (sign-in, impersonation)
    # Principals the row is about (None: all). A row about buyer users' own orders has no cell for
    # the seller, whose "own order" is another thing.
    only_for: frozenset[str] | None = None
    # 4xx error codes that count as a refusal here (a documented refusal that is not 401/403/404).
    deny_codes: frozenset[str] = frozenset()
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.case}]" if self.case else "")

    def required_roles(self) -> tuple[str, ...]:
        if self.roles is not None:
            return self.roles
        return OPENAPI_ROLES[f"{self.method} {self.route.lower()}"][1]

    def path_for(self, p: Principal, refs: Mapping[str, str]) -> str:
        """The concrete path; an `@name` argument is an ID the marketplace only knows once built."""
        values = {k: (v(p) if callable(v) else v) for k, v in self.args.items()}
        values = {k: refs[v[1:]] if v.startswith("@") else v for k, v in values.items()}
        return self.route.format(**values)

    def expects_allow(self, p: Principal) -> bool:
        if self.public:
            return True
        if p.kind == "anon" or p.stale:
            return False
        if p.name in self.allow:
            return True
        if p.name in self.deny:
            return False
        roles = self.required_roles()
        has_role = "FullAccess" in p.roles or not roles or any(r in p.roles for r in roles)
        return has_role and self.who(p)


ROWS: list[Row] = []

# ordercore refuses some calls OrderCloud's reference would let through (never the reverse without
# a note): these choices are listed in docs/security.md.
SELLER_ONLY = "ordercore: seller users only (docs/security.md)"


def row(method: str, route: str, who: Who, **kw: Any) -> None:
    ROWS.append(Row(method, route, who, **kw))


def crud(
    base: str,
    item: str,
    who: Who,
    args: Mapping[str, Arg],
    new: dict[str, Any],
    put: dict[str, Any] | None = None,
    *,
    list_who: Who | None = None,
    secret: str = "",
    **kw: Any,
) -> None:
    """The six routes of one resource: list, create, get, save, patch, delete. `secret` names what
    the reads must not show a reader (their cells are marked for branch sec-orders, #10 item 4)."""
    item_route = f"{base}/{item}"
    reads: dict[str, Any] = {"case": secret} if secret else {}
    row("GET", base, list_who or who, args=args, **reads, **kw)
    row("POST", base, who, args=args, body=new, **kw)
    row("GET", item_route, who, args=args, **reads, **kw)
    row("PUT", item_route, who, args=args, body=put if put is not None else new, **kw)
    row("PATCH", item_route, who, args=args, body={}, **kw)
    row("DELETE", item_route, who, args=args, **kw)


def user(uid: str) -> dict[str, Any]:
    return user_body(uid)


def addr(aid: str) -> dict[str, Any]:
    return address_body(aid, **SHIP_TO)


# --- OAuth ---------------------------------------------------------------------------------------
row("GET", "/oauth/certs", anyone, public=True)
# ordercore's own OpenAPI document and its reference page: public, as OrderCloud serves its own.
for route in ("/openapi/v3", "/openapi.json", "/docs"):
    row("GET", route, anyone, public=True, note="the API's description, open to all")
row("GET", "/oauth/certs/{kid}", anyone, args={"kid": "@kid"}, public=True)
row(
    "POST",
    "/oauth/token",
    anyone,
    public=True,
    ok="auth",
    note="sign-in is open to all; the grant decides (form bodies are tested in test_auth.py)",
)

# Forgotten credentials: open to all, the same answer whoever asks (docs/forgotten-credentials.md).
FORGOTTEN = "open to all; 204 whether or not the user exists, rate-limited per address"
row("POST", "/password/reset", anyone, public=True, ok="auth", body={"ClientID": "zz-nope"}, note=FORGOTTEN)
row(
    "PUT",
    "/password/reset/{verificationCode}",
    anyone,
    args={"verificationCode": "zz-not-a-code"},
    public=True,
    ok="auth",
    body={"ClientID": "zz-nope", "Password": "Matrix-pass-1"},
    note="open to all; only a valid, unexpired code of that client resets a password",
)
row(
    "POST",
    "/username/retrieve",
    anyone,
    public=True,
    ok="auth",
    query={"clientID": "zz-nope"},
    note=FORGOTTEN,
)

# --- The seller's own configuration --------------------------------------------------------------
crud("/addresses", "{addressID}", seller, {"addressID": "mk-addr"}, addr("mk-new"), addr("mk-addr"))
crud("/adminusers", "{userID}", seller, {"userID": "mk-spare"}, user("mk-new"), user("mk-spare"))
row("DELETE", "/adminusers/{userID}/tokens", seller, args={"userID": "mk-spare"}, roles=("AdminUserAdmin",))
row("POST", "/adminusers/{userID}/unlock", seller, args={"userID": "mk-spare"}, roles=("AdminUserAdmin",))
crud(
    "/usergroups",
    "{userGroupID}",
    seller,
    {"userGroupID": "mk-agroup"},
    {"ID": "mk-new", "Name": "n"},
    {"ID": "mk-agroup", "Name": "n"},
)
row("GET", "/usergroups/assignments", seller)
row("POST", "/usergroups/assignments", seller, body={"UserGroupID": "mk-agroup", "UserID": "mk-spare"})
row(
    "DELETE",
    "/usergroups/{userGroupID}/assignments/{userID}",
    seller,
    args={"userGroupID": "mk-agroup", "userID": "mk-spare"},
)

APICLIENT = {"ID": "mk-new", "AppName": "n", "AccessTokenDuration": 600, "Active": True}
crud(
    "/apiclients",
    "{apiClientID}",
    seller,
    {"apiClientID": "mk-client"},
    APICLIENT,
    {**APICLIENT, "ID": "mk-client"},
    secret="ClientSecret only to ApiClientAdmin",
)
row("GET", "/apiclients/assignments", seller)
row("POST", "/apiclients/assignments", seller, body={"ApiClientID": "mk-client", "BuyerID": "bA"})
row(
    "DELETE",
    "/buyers/{buyerID}/apiclients/assignments/{apiClientID}",
    seller,
    args={"buyerID": "bA", "apiClientID": "mk-client"},
)
row(
    "DELETE",
    "/suppliers/{supplierID}/apiclients/assignments/{apiClientID}",
    seller,
    args={"supplierID": "sS", "apiClientID": "mk-client"},
)
SECRETS = {"apiClientID": "mk-client", "apiClientSecretID": "mk-secret"}
row(
    "GET",
    "/apiclients/{apiClientID}/secrets",
    seller,
    args=SECRETS,
    roles=("ApiClientAdmin", "ApiClientReader"),
)
row(
    "POST",
    "/apiclients/{apiClientID}/secrets",
    seller,
    args=SECRETS,
    body={"Name": "n"},
    roles=("ApiClientAdmin",),
    tokens_ok=True,
    note="the one answer that shows a new secret",
)
row(
    "GET",
    "/apiclients/{apiClientID}/secrets/{apiClientSecretID}",
    seller,
    args=SECRETS,
    roles=("ApiClientAdmin", "ApiClientReader"),
)
row(
    "PATCH",
    "/apiclients/{apiClientID}/secrets/{apiClientSecretID}",
    seller,
    args=SECRETS,
    body={},
    roles=("ApiClientAdmin",),
)
row(
    "DELETE",
    "/apiclients/{apiClientID}/secrets/{apiClientSecretID}",
    seller,
    args=SECRETS,
    roles=("ApiClientAdmin",),
)

HOOK = {
    "ID": "mk-new",
    "Name": "n",
    "Url": "https://middleware.example.com/new",
    "HashKey": "k",
    "ApiClientIDs": [],
    "WebhookRoutes": [],
    "ElevatedRoles": [],
}
crud(
    "/webhooks",
    "{webhookID}",
    seller,
    {"webhookID": "mk-hook"},
    HOOK,
    {**HOOK, "ID": "mk-hook"},
    secret="HashKey only to WebhookAdmin",
)
EVENTS = {"Url": "https://middleware.example.com/new", "EventTypes": ["order.canceled"]}
EVS = {"eventSubscriptionID": "mk-evs"}
EVS_READ = ("WebhookAdmin", "WebhookReader")
EVS_NOTE = "ordercore: business-event subscriptions are the seller's webhook configuration"
row("GET", "/eventsubscriptions", seller, roles=EVS_READ, case="Secret only to WebhookAdmin", note=EVS_NOTE)
row("POST", "/eventsubscriptions", seller, roles=("WebhookAdmin",), body={**EVENTS, "ID": "mk-new"})
EVS_ITEM = "/eventsubscriptions/{eventSubscriptionID}"
row("GET", EVS_ITEM, seller, args=EVS, roles=EVS_READ, case="Secret only to WebhookAdmin")
row("PUT", EVS_ITEM, seller, args=EVS, roles=("WebhookAdmin",), body={**EVENTS, "ID": "mk-evs"})
row("PATCH", EVS_ITEM, seller, args=EVS, roles=("WebhookAdmin",), body={})
row("DELETE", EVS_ITEM, seller, args=EVS, roles=("WebhookAdmin",))
row("GET", EVS_ITEM + "/deliveries", seller, args=EVS, roles=EVS_READ)
DELIVERIES = {"webhookID": "mk-hook", "deliveryID": "@delivery"}
row(
    "GET",
    "/webhooks/{webhookID}/deliveries",
    seller,
    args={"webhookID": "mk-hook"},
    roles=("WebhookAdmin", "WebhookReader"),
    case="no UserToken in the log",
)
row(
    "GET",
    "/webhooks/{webhookID}/deliveries/{deliveryID}",
    seller,
    args=DELIVERIES,
    roles=("WebhookAdmin", "WebhookReader"),
    case="no UserToken in the log",
)
row(
    "POST",
    "/webhooks/{webhookID}/deliveries/{deliveryID}/retry",
    seller,
    args=DELIVERIES,
    roles=("WebhookAdmin",),
)
for url, case in (
    ("file:///etc/passwd", "Url file://"),
    ("http://169.254.169.254/latest/meta-data", "Url metadata"),
):
    row(
        "POST",
        "/webhooks",
        seller,
        body={**HOOK, "Url": url},
        case=case,
        deny=frozenset({"admin"}),
        deny_codes=frozenset({"ValidationFailure"}),
        note="refused for everyone: no caller may aim ordercore at it",
    )
    row(
        "POST",
        "/integrationevents",
        seller,
        case=case,
        deny=frozenset({"admin"}),
        deny_codes=frozenset({"ValidationFailure"}),
        body={
            "ID": "mk-bad",
            "Name": "n",
            "EventType": "OrderCheckout",
            "CustomImplementationUrl": url,
            "HashKey": "k",
            "ElevatedRoles": [],
        },
    )
EVENT = {
    "ID": "mk-new",
    "Name": "n",
    "EventType": "OrderCheckout",
    "CustomImplementationUrl": "https://middleware.example.com/new",
    "HashKey": "k",
    "ElevatedRoles": [],
}
crud(
    "/integrationevents",
    "{integrationEventID}",
    seller,
    {"integrationEventID": "mk-ie"},
    EVENT,
    {**EVENT, "ID": "mk-ie"},
    secret="HashKey, CustomAuthHeaderValue only to IntegrationEventAdmin",
)

OIDC = {
    "ID": "mk-new",
    "OrderCloudApiClientID": STOREFRONT,
    "ConnectClientID": "c",
    "ConnectClientSecret": "s",
    "AppStartUrl": "https://shop.example.com/signin?token={0}",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
}
crud(
    "/openidconnects",
    "{openidconnectID}",
    seller,
    {"openidconnectID": "mk-oidc"},
    OIDC,
    {**OIDC, "ID": "mk-oidc"},
    secret="ConnectClientSecret only to OpenIDConnectAdmin",
)
# OpenID Connect sign-in (docs/openid-connect.md): open to all, as OrderCloud's; the state token
# and its cookie decide the callback, the configuration and the IdP's id_token decide who signs in.
row(
    "GET",
    "/ocrplogin",
    anyone,
    public=True,
    ok="auth",
    query={"id": "mk-oidc"},
    note="open to all; redirects to the IdP",
)
row(
    "GET",
    "/ocrpcode",
    anyone,
    public=True,
    ok="auth",
    query={"code": "zz", "state": "zz"},
    note="open to all; only a state this server signed, with its cookie, once, reaches the IdP",
)

PROFILE = {"ID": "mk-new", "Name": "n", "Roles": ["Shopper"]}
crud(
    "/securityprofiles",
    "{securityProfileID}",
    seller,
    {"securityProfileID": "mk-profile"},
    PROFILE,
    {**PROFILE, "ID": "mk-profile"},
)
row(
    "GET",
    "/securityprofiles/assignments",
    seller,
    roles=("SecurityProfileAdmin", "SecurityProfileReader"),
    note="ordercore lets SecurityProfileReader read assignments too (they hold no secret)",
)
row(
    "POST", "/securityprofiles/assignments", seller, body={"SecurityProfileID": "mk-profile", "BuyerID": "bA"}
)
row(
    "DELETE",
    "/securityprofiles/{securityProfileID}/assignments",
    seller,
    args={"securityProfileID": "mk-profile"},
    query={"userID": "mk-spare"},
)

SENDER = {
    "ID": "mk-new",
    "Name": "n",
    "MessageTypes": ["OrderSubmitted"],
    "URL": "mailto:",
    "SharedKey": "k",
}
crud(
    "/messagesenders",
    "{messageSenderID}",
    seller,
    {"messageSenderID": "mk-sender"},
    SENDER,
    {**SENDER, "ID": "mk-sender"},
    secret="SharedKey only to MessageSenderAdmin",
)
row("GET", "/messagesenders/assignments", seller)
row("POST", "/messagesenders/assignments", seller, body={"MessageSenderID": "mk-sender", "BuyerID": "bB"})
row(
    "DELETE",
    "/messagesenders/{messageSenderID}/assignments",
    seller,
    args={"messageSenderID": "mk-sender"},
    query={"buyerID": "bA"},
)
row("GET", "/messagesenders/cclistenerassignments", seller)
row(
    "POST",
    "/messagesenders/cclistenerassignments",
    seller,
    body={
        "MessageSenderAssignment": {"MessageSenderID": "mk-sender", "BuyerID": "bA"},
        "MessageType": "OrderSubmitted",
        "BuyerID": "bA",
        "UserGroupID": "bA-group",
    },
)

RULE = {
    "ID": "mk-new",
    "Name": "n",
    "ApprovalType": "OrderReturn",
    "RuleExpression": "order.Total > 1",
    "ApprovingGroupID": "mk-agroup",
}
crud(
    "/approvalrules",
    "{approvalRuleID}",
    seller,
    {"approvalRuleID": "mk-rule"},
    RULE,
    {**RULE, "ID": "mk-rule"},
)

# --- Catalog -------------------------------------------------------------------------------------
PRODUCT = {"ID": "mk-new", "Name": "n", "Active": True}
crud(
    "/products",
    "{productID}",
    seller,
    {"productID": "mk-prod"},
    PRODUCT,
    {**PRODUCT, "ID": "mk-prod"},
    note=SELLER_ONLY,
)
row(
    "GET",
    "/products/{productID}",
    seller,
    args={"productID": "sS-prod"},
    case="supplier's own product",
    note=SELLER_ONLY,
)
row(
    "PATCH",
    "/products/{productID}",
    seller,
    args={"productID": "sS-prod"},
    body={},
    case="supplier's own product",
    note=SELLER_ONLY,
)
row("GET", "/products/assignments", seller)
row("POST", "/products/assignments", seller, body={"ProductID": "mk-prod", "BuyerID": "bB"})
row(
    "DELETE",
    "/products/{productID}/assignments/{buyerID}",
    seller,
    args={"productID": "mk-prod", "buyerID": "bA"},
    ok="auth",
)
row("GET", "/products/{productID}/specs", seller, args={"productID": "mk-vprod"})
row("GET", "/products/{productID}/suppliers", seller, args={"productID": "mk-prod"})
row(
    "PUT",
    "/products/{productID}/suppliers/{supplierID}",
    seller,
    args={"productID": "mk-prod", "supplierID": "sS"},
    ok="auth",
)
row(
    "DELETE",
    "/products/{productID}/suppliers/{supplierID}",
    seller,
    args={"productID": "mk-prod", "supplierID": "sS"},
    ok="auth",
)
VARIANT = {"productID": "mk-vprod", "variantID": "mk-var"}
row("GET", "/products/{productID}/variants", seller, args=VARIANT)
row("POST", "/products/{productID}/variants/generate", seller, args=VARIANT, ok="auth")
row("GET", "/products/{productID}/variants/{variantID}", seller, args=VARIANT)
row(
    "PUT",
    "/products/{productID}/variants/{variantID}",
    seller,
    args=VARIANT,
    body={"ID": "mk-var", "Name": "v", "Active": True},
)
row("PATCH", "/products/{productID}/variants/{variantID}", seller, args=VARIANT, body={})
INV = {"productID": "mk-prod", "inventoryRecordID": "mk-inv"}
INV_BODY = {"ID": "mk-inv2", "AddressID": "mk-addr", "QuantityAvailable": 5}
crud(
    "/products/{productID}/inventoryrecords",
    "{inventoryRecordID}",
    seller,
    INV,
    INV_BODY,
    {**INV_BODY, "ID": "mk-inv"},
)
VINV = {**VARIANT, "inventoryRecordID": "mk-vinv"}
crud(
    "/products/{productID}/variants/{variantID}/inventoryrecords",
    "{inventoryRecordID}",
    seller,
    VINV,
    {**INV_BODY, "ID": "mk-vinv2"},
    {**INV_BODY, "ID": "mk-vinv"},
)
PS = {"ID": "mk-new", "Name": "n", "PriceBreaks": [{"Quantity": 1, "Price": 1}]}
crud("/priceschedules", "{priceScheduleID}", seller, {"priceScheduleID": "mk-ps"}, PS, {**PS, "ID": "mk-ps"})
row(
    "POST",
    "/priceschedules/{priceScheduleID}/pricebreaks",
    seller,
    args={"priceScheduleID": "mk-ps"},
    body={"Quantity": 5, "Price": 2},
)
row(
    "DELETE",
    "/priceschedules/{priceScheduleID}/pricebreaks",
    seller,
    args={"priceScheduleID": "mk-ps"},
    ok="auth",
)
SPEC = {"ID": "mk-new", "Name": "n"}
crud("/specs", "{specID}", seller, {"specID": "mk-spec"}, SPEC, {**SPEC, "ID": "mk-spec"})
OPTION = {"specID": "mk-spec", "optionID": "mk-opt"}
crud(
    "/specs/{specID}/options",
    "{optionID}",
    seller,
    OPTION,
    {"ID": "mk-opt2", "Value": "Blue"},
    {"ID": "mk-opt", "Value": "Red"},
)
row("GET", "/specs/productassignments", seller)
row("POST", "/specs/productassignments", seller, body={"SpecID": "mk-spec", "ProductID": "mk-prod"})
row(
    "DELETE",
    "/specs/{specID}/productassignments/{productID}",
    seller,
    args={"specID": "mk-spec", "productID": "mk-vprod"},
    ok="auth",
)
CATALOG = {"ID": "mk-new", "Name": "n", "Active": True}
crud("/catalogs", "{catalogID}", seller, {"catalogID": "mk-cat"}, CATALOG, {**CATALOG, "ID": "mk-cat"})
row("GET", "/catalogs/assignments", seller)
row("POST", "/catalogs/assignments", seller, body={"CatalogID": "mk-cat", "BuyerID": "bB"})
row("DELETE", "/catalogs/{catalogID}/assignments", seller, args={"catalogID": "mk-cat"}, ok="auth")
CATEGORY = {"ID": "mk-newcateg", "Name": "New category", "Active": True}
IN_CATALOG = {"catalogID": "mk-cat", "categoryID": "mk-categ", "productID": "mk-prod"}
crud(
    "/catalogs/{catalogID}/categories",
    "{categoryID}",
    seller,
    IN_CATALOG,
    CATEGORY,
    {**CATEGORY, "ID": "mk-categ"},
)
row("GET", "/catalogs/{catalogID}/categories/assignments", seller, args=IN_CATALOG)
row(
    "POST",
    "/catalogs/{catalogID}/categories/assignments",
    seller,
    args=IN_CATALOG,
    body={"CategoryID": "mk-categ", "BuyerID": "bB"},
)
row(
    "DELETE",
    "/catalogs/{catalogID}/categories/{categoryID}/assignments",
    seller,
    args=IN_CATALOG,
    query={"buyerID": "bA"},
    ok="auth",
)
row("GET", "/catalogs/{catalogID}/categories/productassignments", seller, args=IN_CATALOG)
row(
    "POST",
    "/catalogs/{catalogID}/categories/productassignments",
    seller,
    args=IN_CATALOG,
    body={"CategoryID": "mk-categ", "ProductID": "mk-vprod"},
)
row(
    "DELETE",
    "/catalogs/{catalogID}/categories/{categoryID}/productassignments/{productID}",
    seller,
    args=IN_CATALOG,
)
row("GET", "/catalogs/productassignments", seller)
row("POST", "/catalogs/productassignments", seller, body={"CatalogID": "mk-cat", "ProductID": "mk-vprod"})
row(
    "DELETE",
    "/catalogs/{catalogID}/productassignments/{productID}",
    seller,
    args={"catalogID": "mk-cat", "productID": "mk-prod"},
)
# --- Bundles (issue #14): docs/catalog.md, "Bundles" --------------------------------------------
BUNDLE_READ = ("BundleReader", "BundleAdmin", "ProductReader", "ProductAdmin")
BUNDLE_WRITE = ("BundleAdmin", "ProductAdmin")
BUNDLE_ASSIGN = ("BundleAssignmentAdmin", "ProductAssignmentAdmin")
BUNDLE = {"bundleID": "mk-bundle", "buyerID": "bA", "productID": "mk-bprod"}
BUNDLE_BODY = {"ID": "mk-bundle", "Name": "Bundle", "Active": True}
row("GET", "/bundles", seller, roles=BUNDLE_READ)
row("POST", "/bundles", seller, body={"ID": "mk-newbundle", "Name": "n"}, roles=BUNDLE_WRITE)
row("GET", "/bundles/{bundleID}", seller, args=BUNDLE, roles=BUNDLE_READ)
row("PUT", "/bundles/{bundleID}", seller, args=BUNDLE, body=BUNDLE_BODY, roles=BUNDLE_WRITE)
row("PATCH", "/bundles/{bundleID}", seller, args=BUNDLE, body={}, roles=BUNDLE_WRITE)
row("DELETE", "/bundles/{bundleID}", seller, args=BUNDLE, roles=BUNDLE_WRITE)
row("GET", "/bundles/assignments", seller, roles=(*BUNDLE_READ, *BUNDLE_ASSIGN))
row(
    "POST",
    "/bundles/assignments",
    seller,
    body={"BundleID": "mk-bundle", "BuyerID": "bB"},
    roles=BUNDLE_ASSIGN,
)
row("DELETE", "/bundles/{bundleID}/assignments/{buyerID}", seller, args=BUNDLE, roles=BUNDLE_ASSIGN)
row("GET", "/bundles/productassignments", seller, roles=BUNDLE_READ)
row(
    "POST",
    "/bundles/productassignments",
    seller,
    body={"BundleID": "mk-bundle", "ProductID": "mk-vprod", "Required": False},
    roles=BUNDLE_WRITE,
)
row(
    "DELETE",
    "/bundles/{bundleID}/productassignments/{productID}",
    seller,
    args=BUNDLE,
    roles=BUNDLE_WRITE,
)
row("GET", "/catalogs/bundleassignments", seller, roles=("CatalogReader", "CatalogAdmin"))
row(
    "POST",
    "/catalogs/bundleassignments",
    seller,
    body={"CatalogID": "mk-cat", "BundleID": "mk-bundle"},
    roles=("CatalogAdmin",),
)
row(
    "DELETE",
    "/catalogs/{catalogID}/bundleassignments/{bundleID}",
    seller,
    args={"catalogID": "mk-cat", "bundleID": "mk-bundle"},
    roles=("CatalogAdmin",),
)
IN_CATEGORY = {**IN_CATALOG, "bundleID": "mk-bundle"}
row(
    "GET",
    "/catalogs/{catalogID}/categories/bundleassignments",
    seller,
    args=IN_CATEGORY,
    roles=("CategoryReader", "CategoryAdmin"),
)
row(
    "POST",
    "/catalogs/{catalogID}/categories/bundleassignments",
    seller,
    args=IN_CATEGORY,
    body={"CategoryID": "mk-categ", "BundleID": "mk-bundle", "ListOrder": 1},
    roles=("CategoryAdmin",),
)
row(
    "DELETE",
    "/catalogs/{catalogID}/categories/{categoryID}/bundleassignments/{bundleID}",
    seller,
    args=IN_CATEGORY,
    roles=("CategoryAdmin",),
)
# --- Marketplace configuration (issue #14): docs/catalog-config.md -------------------------------
INCR = {"ID": "mk-newincr", "Name": "n", "LastNumber": 0, "LeftPaddingCount": 0}
crud(
    "/incrementors", "{incrementorID}", seller, {"incrementorID": "mk-incr"}, INCR, {**INCR, "ID": "mk-incr"}
)
LOCALE = {"ID": "mk-newlocale", "Currency": "EUR", "Language": "de-DE"}
crud(
    "/locales",
    "{localeID}",
    seller,
    {"localeID": "mk-locale"},
    LOCALE,
    {"ID": "mk-locale", "Currency": "USD", "Language": "en-US"},
)
row("GET", "/locales/assignments", seller)
row("POST", "/locales/assignments", seller, body={"LocaleID": "mk-locale", "BuyerID": "bB"})
row(
    "DELETE",
    "/locales/{localeID}/assignments",
    seller,
    args={"localeID": "mk-locale"},
    query={"buyerID": "bA"},
    ok="auth",
)
FACET = {"ID": "mk-newfacet", "Name": "Size", "XpPath": "Size"}
crud(
    "/productfacets",
    "{productFacetID}",
    seller,
    {"productFacetID": "mk-facet"},
    FACET,
    {"ID": "mk-facet", "Name": "Color", "XpPath": "Facets.Color"},
)
row("GET", "/xpindices", seller)
row("PUT", "/xpindices", seller, body={"ThingType": "Order", "Key": "Channel"})
row("DELETE", "/xpindices/{thingType}/{key}", seller, args={"thingType": "Order", "key": "Region"})
IMP = {"BuyerID": "bB", "SecurityProfileID": "bA-shopper-profile", "ClientID": STOREFRONT}
crud(
    "/impersonationconfig",
    "{impersonationConfigID}",
    seller,
    {"impersonationConfigID": "mk-imp"},
    {**IMP, "ID": "mk-newimp"},
    {**IMP, "BuyerID": "bA", "ID": "mk-imp"},
)
# Not in OrderCloud's OpenAPI document (the SDK has them): the inventory records' own roles.
INV_READ = ("ProductReader", "ProductAdmin")
for level, record in (
    ("/products/{productID}/inventoryrecords", {**INV}),
    ("/products/{productID}/variants/{variantID}/inventoryrecords", {**VINV}),
):
    row("GET", f"{level}/assignments", seller, args=record, roles=INV_READ)
    row(
        "POST",
        f"{level}/assignments",
        seller,
        args=record,
        body={"InventoryRecordID": record["inventoryRecordID"], "BuyerID": "bB"},
        roles=("ProductAdmin",),
    )
    row(
        "DELETE",
        f"{level}/{{inventoryRecordID}}/assignments",
        seller,
        args=record,
        query={"buyerID": "bA"},
        roles=("ProductAdmin",),
        ok="auth",
    )
PROMO = {"ID": "mk-new", "Code": "NEWCODE", "Name": "n", "EligibleExpression": "true", "ValueExpression": "1"}
crud(
    "/promotions",
    "{promotionID}",
    seller,
    {"promotionID": "mk-promo"},
    PROMO,
    {**PROMO, "ID": "mk-promo", "Code": "MKPROMO"},
)
row("GET", "/promotions/assignments", seller)
row("POST", "/promotions/assignments", seller, body={"PromotionID": "mk-promo", "BuyerID": "bA"})
row("DELETE", "/promotions/{promotionID}/assignments", seller, args={"promotionID": "mk-promo"}, ok="auth")

# --- Buyers and what they own --------------------------------------------------------------------
A = {"buyerID": "bA"}
row("GET", "/buyers", seller, note=SELLER_ONLY)
row("POST", "/buyers", seller, body={"ID": "bN-new", "Name": "n"})
row("GET", "/buyers/{buyerID}", seller, args=A, note=SELLER_ONLY)
row("PUT", "/buyers/{buyerID}", of("bA"), args=A, body={"ID": "bA", "Name": "A", "Active": True})
row("PATCH", "/buyers/{buyerID}", of("bA"), args=A, body={})
row("DELETE", "/buyers/{buyerID}", of("bA"), args=A)
row(
    "GET",
    "/buyers/{buyerID}/sellers",
    of("bA"),
    args=A,
    note="a buyer user cannot hold BuyerReader or BuyerAdmin (docs/security.md): it uses /me/sellers",
)
row("GET", "/buyerusers", seller, roles=("BuyerUserAdmin", "BuyerUserReader"))
crud(
    "/buyers/{buyerID}/users",
    "{userID}",
    of("bA"),
    {**A, "userID": "bA-other"},
    user("bA-new"),
    user("bA-other"),
)
USER_A = {**A, "userID": "bA-other"}
row(
    "POST",
    "/buyers/{buyerID}/users/{userID}/accesstoken",
    of("bA"),
    args=USER_A,
    body={"ClientID": STOREFRONT, "Roles": ["Shopper"]},
    tokens_ok=True,
)
row(
    "POST",
    "/buyers/{buyerID}/users/{userID}/moveto/{newBuyerID}",
    of("bA"),
    args={**USER_A, "newBuyerID": "bB"},
    ok="auth",
    deny=frozenset({"badmA"}),
    note=SELLER_ONLY,
)
row("DELETE", "/buyers/{buyerID}/users/{userID}/tokens", of("bA"), args=USER_A, roles=("BuyerUserAdmin",))
row("POST", "/buyers/{buyerID}/users/{userID}/unlock", of("bA"), args=USER_A, roles=("BuyerUserAdmin",))
crud(
    "/buyers/{buyerID}/usergroups",
    "{userGroupID}",
    of("bA"),
    {**A, "userGroupID": "bA-spare"},
    {"ID": "bA-new", "Name": "n"},
    {"ID": "bA-spare", "Name": "n"},
)
row("GET", "/buyers/{buyerID}/usergroups/assignments", of("bA"), args=A)
row(
    "POST",
    "/buyers/{buyerID}/usergroups/assignments",
    of("bA"),
    args=A,
    body={"UserGroupID": "bA-group", "UserID": "bA-other"},
)
row(
    "DELETE",
    "/buyers/{buyerID}/usergroups/{userGroupID}/assignments/{userID}",
    of("bA"),
    args={**A, "userGroupID": "bA-group", "userID": "bA-shopper"},
)
crud(
    "/buyers/{buyerID}/addresses",
    "{addressID}",
    of("bA"),
    {**A, "addressID": "bA-addr"},
    addr("bA-new"),
    addr("bA-addr"),
)
row("GET", "/buyers/{buyerID}/addresses/assignments", of("bA"), args=A)
row(
    "POST",
    "/buyers/{buyerID}/addresses/assignments",
    of("bA"),
    args=A,
    body={"AddressID": "bA-addr", "UserGroupID": "bA-group", "IsShipping": True},
)
row(
    "DELETE",
    "/buyers/{buyerID}/addresses/{addressID}/assignments",
    of("bA"),
    args={**A, "addressID": "bA-addr"},
    ok="auth",
)
for kind, param, sample, body in (
    ("costcenters", "costCenterID", "bA-cc", {"Name": "n"}),
    ("creditcards", "creditCardID", "bA-card", {"Token": "t"}),
    ("spendingaccounts", "spendingAccountID", "bA-spend", {"Name": "n", "Balance": 5}),
):
    crud(
        f"/buyers/{{buyerID}}/{kind}",
        f"{{{param}}}",
        of("bA"),
        {**A, param: sample},
        {"ID": "bA-new", **body},
        {"ID": sample, **body},
    )
    row("GET", f"/buyers/{{buyerID}}/{kind}/assignments", of("bA"), args=A)
    row(
        "POST",
        f"/buyers/{{buyerID}}/{kind}/assignments",
        of("bA"),
        args=A,
        body={param[0].upper() + param[1:]: sample, "UserGroupID": "bA-group"},
    )
    row(
        "DELETE",
        f"/buyers/{{buyerID}}/{kind}/{{{param}}}/assignments",
        of("bA"),
        args={**A, param: sample},
        query={"userGroupID": "bA-group"} if kind == "costcenters" else {"userID": "bA-shopper"},
    )
BUYER_RULE = {
    "ID": "bA-new",
    "Name": "n",
    "RuleExpression": "order.Total > 1",
    "ApprovingGroupID": "bA-group",
}
crud(
    "/buyers/{buyerID}/approvalrules",
    "{approvalRuleID}",
    of("bA"),
    {**A, "approvalRuleID": "bA-rule"},
    BUYER_RULE,
    {**BUYER_RULE, "ID": "bA-rule"},
)

# --- Suppliers and what they own -----------------------------------------------------------------
S = {"supplierID": "sS"}
row("GET", "/suppliers", seller, note=SELLER_ONLY)
row("POST", "/suppliers", seller, body={"ID": "sN-new", "Name": "n"})
row("GET", "/suppliers/{supplierID}", seller, args=S, note=SELLER_ONLY)
row(
    "PUT",
    "/suppliers/{supplierID}",
    seller,
    args=S,
    body={"ID": "sS", "Name": "S", "Active": True},
    note=SELLER_ONLY,
)
row("PATCH", "/suppliers/{supplierID}", seller, args=S, body={}, note=SELLER_ONLY)
row("DELETE", "/suppliers/{supplierID}", seller, args=S, note=SELLER_ONLY)
row("GET", "/suppliers/{supplierID}/buyers", of("sS"), args=S)
row("PUT", "/suppliers/{supplierID}/buyers/{buyerID}", seller, args={**S, "buyerID": "bB"}, note=SELLER_ONLY)
row(
    "DELETE",
    "/suppliers/{supplierID}/buyers/{buyerID}",
    seller,
    args={**S, "buyerID": "bA"},
    note=SELLER_ONLY,
)
crud(
    "/suppliers/{supplierID}/users",
    "{userID}",
    of("sS"),
    {**S, "userID": "sS-other"},
    user("sS-new"),
    user("sS-other"),
)
row(
    "DELETE",
    "/suppliers/{supplierID}/users/{userID}/tokens",
    of("sS"),
    args={**S, "userID": "sS-other"},
    roles=("SupplierUserAdmin",),
)
row(
    "POST",
    "/suppliers/{supplierID}/users/{userID}/unlock",
    of("sS"),
    args={**S, "userID": "sS-other"},
    roles=("SupplierUserAdmin",),
)
crud(
    "/suppliers/{supplierID}/usergroups",
    "{userGroupID}",
    of("sS"),
    {**S, "userGroupID": "sS-group"},
    {"ID": "sS-new", "Name": "n"},
    {"ID": "sS-group", "Name": "n"},
)
row("GET", "/suppliers/{supplierID}/usergroups/assignments", of("sS"), args=S)
row(
    "POST",
    "/suppliers/{supplierID}/usergroups/assignments",
    of("sS"),
    args=S,
    body={"UserGroupID": "sS-group", "UserID": "sS-other"},
)
row(
    "DELETE",
    "/suppliers/{supplierID}/usergroups/{userGroupID}/assignments/{userID}",
    of("sS"),
    args={**S, "userGroupID": "sS-group", "userID": "sS-other"},
)
crud(
    "/suppliers/{supplierID}/addresses",
    "{addressID}",
    of("sS"),
    {**S, "addressID": "sS-addr"},
    addr("sS-new"),
    addr("sS-addr"),
)

# --- Orders, each direction, and every order action ----------------------------------------------


def a_order(p: Principal) -> bool:
    """Buyer A's submitted order: its seller, the user who placed it, and A's OrderAdmin/Reader."""
    return p.is_seller or p.name in ("shopA", "badmA")


ORDER = {"direction": mine, "orderID": "bA-order"}
CART = {"direction": mine, "orderID": "bA-cart"}
SHOPPERS = ("OrderAdmin", "OrderReader", "Shopper")
row(
    "GET",
    "/orders/{direction}",
    anyone,
    args={"direction": mine},
    roles=SHOPPERS,
    note="Shopper lists its own orders (a documented difference: docs/orders.md)",
)
row("POST", "/orders/{direction}", anyone, args={"direction": mine}, body={"ID": "zz-new"}, ok="auth")
row(
    "POST",
    "/orders/{direction}",
    seller,
    args={"direction": "Incoming"},
    case="on behalf of buyer B's user",
    body={"ID": "zz-obo", "FromUserID": "bB-user"},
    note="only the seller creates an order on behalf of a buyer user",
)
row(
    "POST",
    "/orders/{direction}",
    only("userB"),
    args={"direction": "Outgoing"},
    case="with buyer B's user's private address",
    body={"ID": "zz-addr", "ShippingAddressID": "bB-meaddr"},
    only_for=frozenset({"anonshop", "shopA", "badmA", "userB"}),
)
row(
    "POST",
    "/orders/{direction}",
    only("shopA"),
    args={"direction": "Outgoing"},
    case="with shopA's private address",
    body={"ID": "zz-addr", "ShippingAddressID": "bA-meaddr"},
    only_for=frozenset({"anonshop", "shopA", "badmA", "userB"}),
)
OWN_CART = {
    "direction": "Outgoing",
    "orderID": lambda p: {"badmA": "bA-admcart", "userB": "bB-cart"}.get(p.name, "bA-cart"),
}
row(
    "POST",
    "/orders/{direction}/{orderID}/payments",
    only("shopA"),
    args=OWN_CART,
    case="with shopA's spending account",
    body={"Type": "SpendingAccount", "SpendingAccountID": "bA-spend"},
    # Another user's account answers like a missing one (no existence leak).
    deny_codes=frozenset({"Payment.InvalidSpendingAccountID"}),
)
row("GET", "/orders/{direction}/{orderID}", a_order, args=ORDER)
row(
    "GET",
    "/orders/{direction}/{orderID}",
    only("supS", "admin", "reader"),
    args={"direction": supplier_side, "orderID": "bA-order-sS"},
    case="supplier's forwarded order",
)
row("PUT", "/orders/{direction}/{orderID}", a_order, args=CART, body={"ID": "bA-cart"})
row("PATCH", "/orders/{direction}/{orderID}", a_order, args=CART, body={})
row("DELETE", "/orders/{direction}/{orderID}", a_order, args=CART)
for action in (
    "approve",
    "decline",
    "cancel",
    "complete",
    "forward",
    "ship",
    "split",
    "submit",
    "validate",
    "calculate",
    "estimateshipping",
    "shipmethods",
    "applypromotions",
    "refreshpromotions",
):
    roles = ("OrderAdmin", "Shopper") if action in ("applypromotions", "refreshpromotions") else None
    row(
        "POST",
        f"/orders/{{direction}}/{{orderID}}/{action}",
        a_order,
        args=ORDER,
        ok="auth",
        roles=roles,
        body={"ShipMethodSelections": []} if action == "shipmethods" else None,
        deny=frozenset({"reader"})
        if action == "validate"
        else (frozenset({"badmA"}) if action == "ship" else frozenset()),
        deny_codes=frozenset({"Order.CannotSplitWrongUserType"})
        if action in ("forward", "split")
        else frozenset(),
        note={
            "validate": "ordercore: validating needs OrderAdmin or Shopper (it runs the checkout checks)",
            "ship": "ordercore: only the seller or the supplier that owns the goods ships",
        }.get(action, ""),
    )
row("GET", "/orders/{direction}/{orderID}/eligiblepromotions", a_order, args=ORDER, roles=SHOPPERS)
# The order timeline and archiving (ordercore extensions; docs/orders.md).
row("GET", "/orders/{direction}/{orderID}/activities", a_order, args=ORDER, roles=SHOPPERS)
row(
    "POST",
    "/orders/{direction}/{orderID}/activities",
    a_order,
    args=ORDER,
    roles=("OrderAdmin", "Shopper"),
    body={"Text": "a note"},
    note="ordercore: a note is a write (OrderAdmin, or the Shopper who placed the order)",
)
for action in ("archive", "unarchive"):
    row(
        "POST",
        f"/orders/{{direction}}/{{orderID}}/{action}",
        seller,
        args=ORDER,
        roles=("OrderAdmin",),
        note="ordercore: only the company receiving the order archives it",
    )
for sub in ("approvals", "eligibleapprovers", "worksheet", "shipments", "promotions"):
    row(
        "GET",
        f"/orders/{{direction}}/{{orderID}}/{sub}",
        a_order,
        args=ORDER,
        allow=frozenset({"shopA"}) if sub == "shipments" else frozenset(),
        note="the buyer sees the shipments of its own order" if sub == "shipments" else "",
    )
for verb in ("PUT", "PATCH"):
    for where in ("billto", "shipto"):
        row(
            verb,
            f"/orders/{{direction}}/{{orderID}}/{where}",
            a_order,
            args=CART,
            body=dict(SHIP_TO),
            ok="auth" if verb == "PATCH" else "2xx",
        )
row("PATCH", "/orders/{direction}/{orderID}/fromuser", a_order, args=CART, body={}, ok="auth")
row(
    "POST",
    "/orders/{direction}/{orderID}/promotions/{promoCode}",
    a_order,
    args={**CART, "promoCode": "MKPROMO"},
    ok="auth",
)
row(
    "DELETE",
    "/orders/{direction}/{orderID}/promotions/{promoCode}",
    a_order,
    args={**CART, "promoCode": "MKPROMO"},
    ok="auth",
)
BUNDLE_LINE = {**CART, "bundleID": "mk-bundle", "bundleItemID": "bA-cartbundle"}
row(
    "POST",
    "/orders/{direction}/{orderID}/bundles/{bundleID}",
    a_order,
    args=BUNDLE_LINE,
    body={"LineItems": [{"ID": "zz-bundle", "ProductID": "mk-bprod", "Quantity": 1}]},
    roles=("OrderAdmin", "Shopper"),
)
row(
    "DELETE",
    "/orders/{direction}/{orderID}/bundles/{bundleID}/{bundleItemID}",
    a_order,
    args=BUNDLE_LINE,
    roles=("OrderAdmin", "Shopper"),
)
LINE = {**CART, "lineItemID": "bA-cartline"}
row("GET", "/orders/{direction}/{orderID}/lineitems", a_order, args=ORDER)
row(
    "POST",
    "/orders/{direction}/{orderID}/lineitems",
    a_order,
    args=CART,
    body={"ID": "zz-line", "ProductID": "mk-prod", "Quantity": 1},
)
row("GET", "/orders/{direction}/{orderID}/lineitems/{lineItemID}", a_order, args=LINE)
row(
    "PUT",
    "/orders/{direction}/{orderID}/lineitems/{lineItemID}",
    a_order,
    args=LINE,
    body={"ProductID": "mk-prod", "Quantity": 3},
)
row("PATCH", "/orders/{direction}/{orderID}/lineitems/{lineItemID}", a_order, args=LINE, body={})
row("DELETE", "/orders/{direction}/{orderID}/lineitems/{lineItemID}", a_order, args=LINE)
for verb in ("PUT", "PATCH"):
    row(
        verb,
        "/orders/{direction}/{orderID}/lineitems/{lineItemID}/shipto",
        a_order,
        args=LINE,
        body=dict(SHIP_TO),
        ok="auth" if verb == "PATCH" else "2xx",
    )
PAY = {**CART, "paymentID": "bA-cartpay"}
row("GET", "/orders/{direction}/{orderID}/payments", a_order, args=ORDER)
row(
    "POST",
    "/orders/{direction}/{orderID}/payments",
    a_order,
    args=CART,
    body={"ID": "zz-pay", "Type": "PurchaseOrder"},
    ok="auth",
)
row("GET", "/orders/{direction}/{orderID}/payments/{paymentID}", a_order, args=PAY)
row("PATCH", "/orders/{direction}/{orderID}/payments/{paymentID}", a_order, args=PAY, body={})
row("DELETE", "/orders/{direction}/{orderID}/payments/{paymentID}", a_order, args=PAY)
row(
    "POST",
    "/orders/{direction}/{orderID}/payments/{paymentID}/transactions",
    a_order,
    args={**ORDER, "paymentID": "bA-pay"},
    body={"ID": "zz-tx", "Type": "Manual", "Succeeded": True},
    ok="auth",
)
row(
    "DELETE",
    "/orders/{direction}/{orderID}/payments/{paymentID}/transactions/{transactionID}",
    a_order,
    args={**ORDER, "paymentID": "bA-pay", "transactionID": "bA-tx"},
    ok="auth",
)
row(
    "GET",
    "/lineitems/{direction}",
    anyone,
    args={"direction": mine},
    roles=SHOPPERS,
    note="a Shopper lists the lines of its own orders, as with orders",
)

# --- The cart (the buyer user's unsubmitted order) -----------------------------------------------
SHOP = ("Shopper",)
CART_CALLS: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/cart", None),
    ("PUT", "/cart", {}),
    ("PATCH", "/cart", {}),
    ("DELETE", "/cart", None),
    ("GET", "/cart/lineitems", None),
    ("POST", "/cart/lineitems", {"ProductID": "mk-prod", "Quantity": 1}),
    ("GET", "/cart/payments", None),
    ("POST", "/cart/payments", {"Type": "PurchaseOrder"}),
    ("PUT", "/cart/billto", dict(SHIP_TO)),
    ("PATCH", "/cart/billto", dict(SHIP_TO)),
    ("PUT", "/cart/shipto", dict(SHIP_TO)),
    ("PATCH", "/cart/shipto", dict(SHIP_TO)),
    ("POST", "/cart/calculate", None),
    ("POST", "/cart/estimateshipping", None),
    ("POST", "/cart/shipmethods", {"ShipMethodSelections": []}),
    ("POST", "/cart/validate", None),
    ("POST", "/cart/submit", None),
    ("GET", "/cart/worksheet", None),
    ("PATCH", "/cart/fromuser", {}),
    ("GET", "/cart/promotions", None),
    ("GET", "/cart/eligiblepromotions", None),
    ("POST", "/cart/promotions/{promoCode}", None),
    ("POST", "/cart/applypromotions", None),
    ("POST", "/cart/refreshpromotions", None),
)
for verb, route, body in CART_CALLS:
    row(
        verb,
        route,
        buyers,
        args={"orderID": "bA-cart", "promoCode": "MKPROMO"},
        body=body,
        roles=SHOP,
        ok="2xx" if verb == "GET" else "auth",
    )
row("PUT", "/cart/{orderID}", only("shopA"), args={"orderID": "bA-cart"}, roles=SHOP, ok="auth")
row("DELETE", "/cart/promotions/{promoCode}", only("shopA"), args={"promoCode": "MKPROMO"}, roles=SHOP)
row(
    "PUT",
    "/cart/lineitems/{lineItemID}",
    buyers,
    args={"lineItemID": "zz-line"},
    roles=SHOP,
    body={"ProductID": "mk-prod", "Quantity": 2},
    note="PUT creates the line in the caller's own cart",
)
row(
    "POST",
    "/cart/bundles/{bundleID}",
    buyers,
    args={"bundleID": "mk-bundle"},
    roles=SHOP,
    body={"LineItems": []},
    ok="auth",
    note="the bundle's lines go to the caller's own cart",
)
row(
    "DELETE",
    "/cart/bundles/{bundleID}/{bundleItemID}",
    only("shopA"),
    args={"bundleID": "mk-bundle", "bundleItemID": "bA-cartbundle"},
    roles=SHOP,
)
CART_LINE = {"lineItemID": "bA-cartline"}
for verb in ("GET", "PATCH", "DELETE"):
    row(
        verb,
        "/cart/lineitems/{lineItemID}",
        only("shopA"),
        args=CART_LINE,
        roles=SHOP,
        body={} if verb == "PATCH" else None,
    )
CART_PAY = {"paymentID": "bA-cartpay", "transactionID": "nope"}
for verb in ("GET", "PATCH", "DELETE"):
    row(
        verb,
        "/cart/payments/{paymentID}",
        only("shopA"),
        args=CART_PAY,
        roles=SHOP,
        body={} if verb == "PATCH" else None,
    )
row(
    "POST",
    "/cart/payments/{paymentID}/transactions",
    only("shopA"),
    args=CART_PAY,
    roles=("OrderAdmin",),
    ok="auth",
    body={"Type": "Manual"},
    note="payment transactions are the seller's (OrderAdmin), as in OrderCloud",
)
row(
    "DELETE",
    "/cart/payments/{paymentID}/transactions/{transactionID}",
    only("shopA"),
    args=CART_PAY,
    roles=("OrderAdmin",),
    ok="auth",
)

# --- Shipments -----------------------------------------------------------------------------------
SHIP = {"shipmentID": "bA-ship", "orderID": "bA-order", "lineItemID": "bA-line0"}
SHIPMENT = {"ID": "zz-ship", "BuyerID": "bA", "Shipper": "UPS"}
crud(
    "/shipments",
    "{shipmentID}",
    seller,
    SHIP,
    SHIPMENT,
    {**SHIPMENT, "ID": "bA-ship"},
    list_who=anyone,
    roles=None,
)
SHIP_READERS = ("ShipmentAdmin", "ShipmentReader", "OrderAdmin", "OrderReader")
ROWS[-6] = Row(
    "GET",
    "/shipments",
    anyone,
    roles=SHIP_READERS,
    note="OrderReader/OrderAdmin read shipments too; each caller sees its own company's",
)
ROWS[-5] = Row(
    "POST",
    "/shipments",
    lambda p: p.is_seller or p.kind == "supplier",
    body=SHIPMENT,
    note="a supplier creates its own shipments (OwnerID = the supplier)",
)
ROWS[-4] = Row(
    "GET",
    "/shipments/{shipmentID}",
    lambda p: p.is_seller or p.company == "bA",
    args=SHIP,
    roles=SHIP_READERS,
)
row(
    "GET",
    "/shipments/{shipmentID}/items",
    lambda p: p.is_seller or p.company == "bA",
    args=SHIP,
    roles=SHIP_READERS,
)
row(
    "POST",
    "/shipments/{shipmentID}/items",
    seller,
    args=SHIP,
    body={"OrderID": "bA-order", "LineItemID": "bA-line0", "QuantityShipped": 0},
    ok="auth",
)
row(
    "GET",
    "/shipments/{shipmentID}/items/{orderID}/{lineItemID}",
    lambda p: p.is_seller or p.company == "bA",
    args=SHIP,
    roles=SHIP_READERS,
)
row("DELETE", "/shipments/{shipmentID}/items/{orderID}/{lineItemID}", seller, args=SHIP)
row("PUT", "/shipments/{shipmentID}/shipfrom", seller, args=SHIP, body=dict(SHIP_TO))
row("PUT", "/shipments/{shipmentID}/shipto", seller, args=SHIP, body=dict(SHIP_TO))

# --- Order returns -------------------------------------------------------------------------------
RET = {"returnID": "bA-return", "lineItemID": "bA-line0"}
row("GET", "/orderreturns", anyone)
row(
    "POST",
    "/orderreturns",
    a_order,
    ok="auth",
    body={
        "ID": "zz-ret",
        "OrderID": "bA-order",
        "ItemsToReturn": [{"LineItemID": "bA-line0", "Quantity": 1}],
    },
)
row("GET", "/orderreturns/{returnID}", a_order, args=RET)
row(
    "PUT",
    "/orderreturns/{returnID}",
    a_order,
    args=RET,
    ok="auth",
    body={
        "ID": "bA-return",
        "OrderID": "bA-order",
        "ItemsToReturn": [{"LineItemID": "bA-line0", "Quantity": 1}],
    },
)
row("PATCH", "/orderreturns/{returnID}", a_order, args=RET, body={})
row("DELETE", "/orderreturns/{returnID}", a_order, args=RET)
row("DELETE", "/orderreturns/{returnID}/items/{lineItemID}", a_order, args=RET, ok="auth")
for action in ("submit", "approve", "decline", "cancel", "complete"):
    row("POST", f"/orderreturns/{{returnID}}/{action}", a_order, args=RET, ok="auth")
for sub in ("approvals", "eligibleapprovers"):
    row(
        "GET",
        f"/orderreturns/{{returnID}}/{sub}",
        a_order,
        args=RET,
        allow=frozenset({"shopA"}) if sub == "eligibleapprovers" else frozenset(),
        note="the returner sees who may approve its return" if sub == "eligibleapprovers" else "",
    )

# ordercore extension: the seller's return reason codes, read by whoever reads returns.
REASON_ROLES = ("OrderAdmin", "OrderReader", "Shopper")
REASON_BODIES = {
    "POST": {"ID": "zz-reason", "Name": "n"},
    "PUT": {"ID": "mk-reason", "Name": "n"},
    "PATCH": {},
}
row("GET", "/returnreasons", anyone, roles=REASON_ROLES)
row(
    "GET", "/returnreasons/{returnReasonID}", anyone, args={"returnReasonID": "mk-reason"}, roles=REASON_ROLES
)
for method in ("POST", "PUT", "PATCH", "DELETE"):
    row(
        method,
        "/returnreasons" if method == "POST" else "/returnreasons/{returnReasonID}",
        seller,
        args={"returnReasonID": "mk-reason"},
        body=REASON_BODIES.get(method),
        roles=("OrderAdmin",),
    )

# --- Me: the caller's own things -----------------------------------------------------------------
ME_ROLES = ("MeAdmin", "MeXpAdmin", "Shopper")
ME_NOTE = "ordercore: /me needs MeAdmin, MeXpAdmin or Shopper"
row("GET", "/me", anyone, roles=ME_ROLES, note=ME_NOTE)
row("PUT", "/me", anyone, body={"FirstName": "F", "LastName": "L", "Email": "f@example.com"}, ok="auth")
row("PATCH", "/me", anyone, body={})
row("GET", "/me/usergroups", anyone, roles=ME_ROLES, note=ME_NOTE)
row(
    "POST",
    "/me/password",
    anyone,
    body={"NewPassword": "Matrix-pass-1"},
    deny=frozenset({"anonshop"}),
    note="Me.ResetPasswordByToken: a reset token (role PasswordReset) sets its user's password",
)
row(
    "DELETE",
    "/me/tokens",
    anyone,
    roles=(),
    deny=frozenset({"anonshop"}),
    note="an anonymous shopper's token is its identity: nothing to revoke",
)
row(
    "PUT",
    "/me/register",
    lambda p: p.name == "anonshop",
    ok="auth",
    body=user("zz-reg"),
    tokens_ok=True,
    deny_codes=frozenset({"User.IsNotTemp", "Auth.MustPassAnonUserToken"}),
    note="only an anonymous shopper registers; it gets a token for the new user",
)
row(
    "PUT",
    "/me/orders",
    lambda p: p.kind == "buyer" and p.name != "anonshop",
    ok="auth",
    note="a signed-in buyer user takes over an anonymous shopper's order",
)
ME_ORDERS = ("Shopper", "OrderReader", "OrderAdmin")
for route in ("/me/orders", "/me/orders/approvable", "/me/shipments"):
    row(
        "GET",
        route,
        anyone,
        roles=ME_ORDERS if route != "/me/shipments" else (*ME_ORDERS, "ShipmentReader"),
        note="each caller's own orders and shipments only",
    )
for route in (
    "/me/products",
    "/me/catalogs",
    "/me/costcenters",
    "/me/sellers",
    "/me/spendingaccounts",
):
    row("GET", route, buyers, note="the storefront is for buyer users")
row(
    "GET",
    "/me/categories",
    lambda p: p.company == "bA",
    query={"catalogID": "mk-cat"},
    note="categories of a catalog the caller's buyer sees",
)
row(
    "GET",
    "/me/categories/{categoryID}",
    lambda p: p.company == "bA",
    args=IN_CATALOG,
    query={"catalogID": "mk-cat"},
)
row("GET", "/me/promotions", anyone, note="promotions open to the caller (none for seller users)")
ME_PRODUCT = {
    "productID": "mk-vprod",
    "specID": "mk-spec",
    "variantID": "mk-var",
    "catalogID": "mk-cat",
    "promotionID": "mk-promo",
}
for route in (
    "/me/products/{productID}",
    "/me/products/{productID}/specs",
    "/me/products/{productID}/specs/{specID}",
    "/me/products/{productID}/variants",
    "/me/products/{productID}/variants/{variantID}",
    "/me/products/{productID}/inventoryrecords",
    "/me/products/{productID}/variants/{variantID}/inventoryrecords",
    "/me/catalogs/{catalogID}",
    "/me/promotions/{promotionID}",
):
    row(
        "GET",
        route,
        buyers if "promotions" in route else lambda p: p.company == "bA",
        args=ME_PRODUCT,
        roles=SHOP if "inventoryrecords" in route else None,
    )
row(
    "GET",
    "/me/shipments/{shipmentID}",
    lambda p: p.is_seller or p.name in ("shopA", "badmA"),
    args=SHIP,
    roles=(*ME_ORDERS, "ShipmentReader"),
)
row(
    "GET",
    "/me/shipments/{shipmentID}/items",
    lambda p: p.is_seller or p.name in ("shopA", "badmA"),
    args=SHIP,
    roles=(*ME_ORDERS, "ShipmentReader"),
)
row("GET", "/me/spendingaccounts/{spendingAccountID}", only("shopA"), args={"spendingAccountID": "bA-spend"})
crud(
    "/me/addresses",
    "{addressID}",
    only("shopA"),
    {"addressID": "bA-meaddr"},
    addr("zz-meaddr"),
    addr("bA-meaddr"),
    list_who=buyers,
)
crud(
    "/me/creditcards",
    "{creditcardID}",
    only("shopA"),
    {"creditcardID": "bA-mecard"},
    {"ID": "zz-mecard", "Token": "t"},
    {"ID": "bA-mecard", "Token": "t"},
    list_who=buyers,
)
# Product collections (docs/catalog.md): each user's own lists; the seller's readers read them.
WISH = {"productCollectionID": "bA-wish", "productID": "mk-prod", "buyerID": "bA"}
crud(
    "/me/productcollections",
    "{productCollectionID}",
    only("shopA"),
    WISH,
    {"ID": "zz-wish", "Name": "n"},
    {"ID": "bA-wish", "Name": "n"},
    list_who=buyers,
    roles=SHOP,
)
row("GET", "/me/productcollections/{productCollectionID}/products", only("shopA"), args=WISH, roles=SHOP)
row(
    "POST",
    "/me/productcollections/{productCollectionID}/products",
    only("shopA"),
    args=WISH,
    body={"ProductID": "mk-prod", "ListOrder": 2},
    roles=SHOP,
)
for verb in ("PUT", "DELETE"):
    row(
        verb, "/me/productcollections/{productCollectionID}/{productID}", only("shopA"), args=WISH, roles=SHOP
    )
INVITES = "/me/productcollections/{productCollectionID}/invitations"
INVITE = {**WISH, "invitationID": "bA-invite"}
row("GET", INVITES, only("shopA"), args=WISH, roles=SHOP)
row("POST", INVITES, only("shopA"), args=WISH, body={"Name": "n"}, roles=SHOP)
row("GET", INVITES + "/{invitationID}", only("shopA"), args=INVITE, roles=SHOP)
row("PATCH", INVITES + "/{invitationID}", only("shopA"), args=INVITE, body={"Admin": True}, roles=SHOP)
row("DELETE", INVITES + "/{invitationID}", only("shopA"), args=INVITE, roles=SHOP)
for action in ("accept", "decline"):
    row(
        "POST",
        INVITES + f"/{action}/{{invitationID}}",
        only("badmA", "anonshop"),
        args=INVITE,
        roles=SHOP,
        deny_codes=frozenset({"ProductCollection.CannotAcceptOrDeclineOwnInvitation"}),
        note="another user of the collection's buyer who has the invitation's ID",
    )
PC_READ = ("ProductCollectionReader",)
row("GET", "/buyers/{buyerID}/productcollections", of("bA"), args=WISH, roles=PC_READ)
row("GET", "/buyers/{buyerID}/productcollections/{productCollectionID}", of("bA"), args=WISH, roles=PC_READ)
row(
    "GET",
    "/buyers/{buyerID}/productcollections/{productCollectionID}/products",
    of("bA"),
    args=WISH,
    roles=PC_READ,
)
# --- Subscriptions (docs/subscriptions.md) ------------------------------------------------------
SUB_READ = ("SubscriptionReader", "SubscriptionAdmin")
SUB_WRITE = ("SubscriptionAdmin",)
ME_SUB = ("MeSubscriptionAdmin",)
SUB_BODY = {
    "Frequency": 1,
    "Interval": "Weeks",
    "NextOrderDate": "2031-01-01T00:00:00Z",
    "FromUserID": "bA-shopper",
}
SUB_ITEM_ARGS = {"subscriptionID": "bA-sub", "subscriptionItemID": "bA-subitem"}
for base, item, args, new, put in (
    (
        "/subscriptions",
        "{subscriptionID}",
        {"subscriptionID": "bA-sub"},
        {**SUB_BODY, "ID": "zz-sub"},
        SUB_BODY,
    ),
    (
        "/subscriptions/{subscriptionID}/items",
        "{subscriptionItemID}",
        SUB_ITEM_ARGS,
        {"ID": "zz-subitem", "ProductID": "mk-prod"},
        {"ProductID": "mk-prod", "Quantity": 2},
    ),
):
    for verb, route, body in (
        ("GET", base, None),
        ("POST", base, new),
        ("GET", f"{base}/{item}", None),
        ("PUT", f"{base}/{item}", put),
        ("PATCH", f"{base}/{item}", {}),
        ("DELETE", f"{base}/{item}", None),
    ):
        row(verb, route, seller, args=args, body=body, roles=SUB_READ if verb == "GET" else SUB_WRITE)
crud(
    "/me/subscriptions",
    "{subscriptionID}",
    only("shopA"),
    {"subscriptionID": "bA-sub"},
    {k: v for k, v in SUB_BODY.items() if k != "FromUserID"},
    {k: v for k, v in SUB_BODY.items() if k != "FromUserID"},
    list_who=buyers,
    roles=ME_SUB,
)
crud(
    "/me/subscriptions/{subscriptionID}/items",
    "{subscriptionItemID}",
    only("shopA"),
    SUB_ITEM_ARGS,
    {"ID": "zz-subitem", "ProductID": "mk-prod"},
    {"ProductID": "mk-prod", "Quantity": 2},
    roles=ME_SUB,
)
SUB_BUNDLE = {"subscriptionID": "bA-sub", "bundleID": "mk-bundle", "bundleItemID": "bA-subbundle"}
SUB_BUNDLE_BODY = {"LineItems": [{"ProductID": "mk-bprod", "Quantity": 1}]}
row(
    "POST",
    "/subscriptions/{subscriptionID}/bundles/{bundleID}",
    seller,
    args=SUB_BUNDLE,
    body=SUB_BUNDLE_BODY,
    roles=SUB_WRITE,
)
row(
    "DELETE",
    "/subscriptions/{subscriptionID}/bundles/{bundleID}/{bundleItemID}",
    seller,
    args=SUB_BUNDLE,
    roles=SUB_WRITE,
)
row(
    "POST",
    "/me/subscriptions/{subscriptionID}/items/bundles/{bundleID}",
    only("shopA"),
    args=SUB_BUNDLE,
    body=SUB_BUNDLE_BODY,
    roles=ME_SUB,
)
row(
    "DELETE",
    "/me/subscriptions/{subscriptionID}/items/bundles/{bundleID}/{bundleItemID}",
    only("shopA"),
    args=SUB_BUNDLE,
    roles=ME_SUB,
)
SUB_INTEGRATION = {"ApiClientID": "mk-client", "HashKey": "k", "Url": "https://middleware.example.com/s"}
for verb, body in (("GET", None), ("PUT", SUB_INTEGRATION), ("PATCH", {"Active": False}), ("DELETE", None)):
    row(verb, "/integrations/subscription", seller, body=body, roles=SUB_READ if verb == "GET" else SUB_WRITE)
for i, r in enumerate(ROWS):
    if r.method == "POST" and r.route in (
        "/me/addresses",
        "/me/creditcards",
        "/me/subscriptions",
        "/me/productcollections",
    ):
        keeps = "every buyer user keeps its own"
        ROWS[i] = Row(r.method, r.route, buyers, body=r.body, roles=r.roles, note=keeps)

# --- Group orders (docs/group-orders.md) ---------------------------------------------------------
GROUP_NOTE = "the order's creator only: another user's invitations answer as missing ones"
INVITATION = {"invitationID": "@invitation"}
row("GET", "/me/orderinvitations", buyers, roles=("Shopper",), note="every buyer user lists its own")
row(
    "POST",
    "/me/orderinvitations",
    only("shopA"),
    body={"OrderID": "bA-cart", "ExpirationDate": "2031-01-01T00:00:00Z"},
    roles=("Shopper",),
    note="on an unsubmitted order the caller placed; anyone else's order answers 404",
)
for verb, body in (("GET", None), ("PATCH", {}), ("DELETE", None)):
    row(
        verb,
        "/me/orderinvitations/{invitationID}",
        only("shopA"),
        args=INVITATION,
        body=body,
        roles=("Shopper",),
        note=GROUP_NOTE,
    )
row(
    "POST",
    "/grouporders/{invitationID}/token",
    lambda p: p.kind == "buyer" and p.company == "bA",
    args=INVITATION,
    roles=("Shopper",),
    tokens_ok=True,
    note="buyer users (anonymous ones too) of the order's company; another company's invitation is 404",
)

# --- Tokens that must have died (#10 items 2, 3) ------------------------------------------------
# shopA is the control: the same calls with a live token of the same kind of user.
STALE_CALLS: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/me", None),
    ("PATCH", "/me", {"Active": True}),
    ("GET", "/me/orders", None),
    ("POST", "/orders/{direction}", {"ID": "zz-stale"}),
    ("GET", "/me/addresses", None),
)
for verb, route, body in STALE_CALLS:
    row(
        verb,
        route,
        only("shopA"),
        args={"direction": "Outgoing"},
        body=body,
        ok="auth" if verb == "PATCH" else "2xx",
        case="tokens of deactivated, deleted, renamed users",
        only_for=frozenset({"shopA", *STALE}),
        note="a token dies with its user's rename, deletion or deactivation (or its company's)",
    )

# --- Channels (an ordercore addition: seller users only) -----------------------------------------
row("GET", "/channels/orders", seller, roles=("OrderAdmin", "OrderReader"))
row(
    "GET",
    "/channels/orders/{channel}/{orderID}",
    seller,
    args={"channel": "ordercloud", "orderID": "bA-order"},
    roles=("OrderAdmin", "OrderReader"),
)
row(
    "POST",
    "/channels/{channel}/orders",
    seller,
    args={"channel": "shopify"},
    body={},
    ok="auth",
    roles=("OrderAdmin",),
)
row(
    "POST",
    "/channels/{channel}/orders/bulk",
    seller,
    args={"channel": "shopify"},
    body=[{}],
    roles=("OrderAdmin",),
    note="per-order results: the refused order is reported in the 200 answer",
)
for verb, body in (("GET", None), ("PUT", {})):
    row(
        verb,
        "/channels/{channel}/settings",
        seller,
        args={"channel": "bigcommerce"},  # the settings holding two secrets (webhook, store token)
        body=body,
        roles=("OrderAdmin",),
    )
row(
    "GET",
    "/channels/{channel}/skumap",
    seller,
    args={"channel": "shopify"},
    roles=("OrderAdmin", "OrderReader"),
)
row(
    "POST",
    "/channels/{channel}/skumap",
    seller,
    args={"channel": "shopify"},
    body={},
    ok="auth",
    roles=("OrderAdmin",),
)
row(
    "GET",
    "/channels/{channel}/skumap/{sku}",
    seller,
    args={"channel": "shopify", "sku": "mk-sku"},
    ok="auth",
    roles=("OrderAdmin", "OrderReader"),
)
for verb in ("PUT", "DELETE"):
    row(
        verb,
        "/channels/{channel}/skumap/{sku}",
        seller,
        args={"channel": "shopify", "sku": "mk-sku"},
        body={"ProductID": "mk-prod"} if verb == "PUT" else None,
        ok="auth",
        roles=("OrderAdmin",),
    )
row(
    "POST",
    "/channels/{channel}/webhook",
    only(),
    args={"channel": "shopify"},
    body={},
    roles=(),
    note="public route authenticated by the platform's signature, not a token: unsigned is 401 for all",
)


COLUMNS = ("anon", "anonshop", "shopA", "badmA", "supS", "reader", "admin", "userB", "supT", *STALE)


def render_markdown() -> str:
    """The matrix as docs/security.md shows it (a test keeps the two equal):
    `✓` allowed, `·` refused, `*` a cell another branch is still fixing, blank: no cell."""
    head = "| Route | Roles (any of; FullAccess always) | " + " | ".join(COLUMNS) + " | Note |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 3)]
    from tests.api.authz_market import PRINCIPALS

    for r in ROWS:
        cells = []
        for name in COLUMNS:
            if r.only_for is not None and name not in r.only_for:
                cells.append("")
                continue
            mark = "✓" if r.expects_allow(PRINCIPALS[name]) else "·"
            cells.append(mark + ("*" if name in r.xfail else ""))
        roles = "public" if r.public else (", ".join(r.required_roles()) or "any signed-in user")
        route = f"`{r.method} {r.route}`" + (f" ({r.case})" if r.case else "")
        lines.append(f"| {route} | {roles} | " + " | ".join(cells) + f" | {r.note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
