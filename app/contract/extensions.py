"""The operations ordercore serves beyond OrderCloud's API, described for the OpenAPI document.

Keyed by `VERB /served/path` (the path as the app serves it, `/v1/...` for API routes). Schemas
of ordercore's own models come from their msgspec structs, under `ordercore.`-prefixed component
names so they never shadow OrderCloud's (`ordercore.Address` is not OrderCloud's `Address`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import msgspec

from app.models.activities import EventSubscription, NewNote, OrderActivity
from app.models.channels import ChannelSettings, SkuMapping, UnifiedOrder
from app.models.returns import ReturnReason
from app.routes.channels import CHANNEL_READ_ROLES
from app.routes.webhooks import READ_ROLES as WEBHOOK_READ_ROLES
from app.routes.webhooks import WRITE_ROLES as WEBHOOK_WRITE_ROLES
from app.services.order_access import ORDER_ADMIN_ROLES, ORDER_READ_ROLES, ORDER_WRITE_ROLES

PREFIX = "ordercore."
JSON = "application/json"


@dataclass(frozen=True)
class Extension:
    operation_id: str
    tag: str
    summary: str
    # None: no token needed; a tuple: one of these roles (FullAccess always counts).
    roles: tuple[str, ...] | None
    description: str = ""
    status: int = 200
    response: dict[str, Any] | None = None
    response_type: str = JSON
    response_description: str = ""
    request: dict[str, Any] | None = None
    request_type: str = JSON
    query: list[dict[str, Any]] = field(default_factory=list)


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{PREFIX}{name}"}


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    """OrderCloud's list page (`Meta` is OrderCloud's own schema)."""
    return {
        "type": "object",
        "properties": {
            "Items": {"type": "array", "items": item},
            "Meta": {"$ref": "#/components/schemas/Meta"},
        },
    }


def _roles(*roles: str) -> tuple[str, ...]:
    return ("FullAccess", *roles)


def _query(name: str, description: str, typ: str = "string") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": typ},
    }


def _crud(
    base: str,
    item: str,
    group: str,
    model: str,
    tag: str,
    what: str,
    *,
    read_roles: tuple[str, ...],
    write_roles: tuple[str, ...],
) -> dict[str, Extension]:
    """The six operations of one ordercore resource (list, create, get, save, patch, delete)."""
    one = _ref(model)
    path = f"{base}/{item}"
    return {
        f"GET {base}": Extension(f"{group}.List", tag, f"List: {what}.", read_roles, response=_page_of(one),
                                 query=SEARCHABLE_LIST_QUERY),
        f"POST {base}": Extension(f"{group}.Create", tag, f"Create {what}.", write_roles, status=201,
                                  response=one, request=one),
        f"GET {path}": Extension(f"{group}.Get", tag, f"Get {what}.", read_roles, response=one),
        f"PUT {path}": Extension(f"{group}.Save", tag, f"Create or update {what}.", write_roles,
                                 response=one, request=one),
        f"PATCH {path}": Extension(f"{group}.Patch", tag, f"Partially update {what}.", write_roles,
                                   response=one, request={"type": "object"}),
        f"DELETE {path}": Extension(f"{group}.Delete", tag, f"Delete {what}.", write_roles, status=204),
    }  # fmt: skip


LIST_QUERY = [
    _query("page", "Page of results to return (1-based).", "integer"),
    _query("pageSize", "Number of results per page (1-100).", "integer"),
]
# A list with a search and a sort besides its paging.
SEARCHABLE_LIST_QUERY = [
    *LIST_QUERY,
    _query("search", "Word or phrase to search for."),
    _query("sortBy", "Sort fields."),
]

_NULLABLE_STR = {"type": "string", "nullable": True}
DELIVERY = {
    "type": "object",
    "properties": {
        "ID": {"type": "string"},
        "WebhookID": {"type": "string"},
        "Route": _NULLABLE_STR,
        "Verb": _NULLABLE_STR,
        "OrderingKey": _NULLABLE_STR,
        "Status": {"type": "string", "enum": ["Pending", "Delivered", "Failed"]},
        "Attempts": {"type": "integer"},
        "DateCreated": {"type": "string", "format": "date-time"},
        "NextAttemptDate": {"type": "string", "format": "date-time", "nullable": True},
        "LastError": _NULLABLE_STR,
        "AttemptLog": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "Date": {"type": "string", "format": "date-time"},
                    "StatusCode": {"type": "integer", "nullable": True},
                    "DurationMs": {"type": "integer", "nullable": True},
                    "Error": _NULLABLE_STR,
                    "ResponseBody": _NULLABLE_STR,
                },
            },
        },
        "Payload": {"type": "object", "description": "The body that was sent (single delivery only)."},
    },
}
ENV = {
    "type": "object",
    "properties": {
        "Environment": {"type": "string"},
        "BuildNumber": {"type": "string", "description": "Equals the OpenAPI document's info.version."},
        "ApiUrl": {"type": "string"},
        "AuthUrl": {"type": "string"},
        "AppName": {"type": "string"},
        "Version": {"type": "string", "description": "ordercore's own package version."},
    },
}
STATUS = {
    "type": "object",
    "properties": {"Status": {"type": "string"}, "Database": {"type": "string"}, "Detail": _NULLABLE_STR},
}
TOKEN_REQUEST = {
    "type": "object",
    "required": ["grant_type", "client_id"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["password", "client_credentials", "refresh_token"]},
        "client_id": {"type": "string"},
        "client_secret": {"type": "string"},
        "username": {"type": "string"},
        "password": {"type": "string"},
        "refresh_token": {"type": "string"},
        "scope": {"type": "string", "description": "Space-separated roles."},
    },
}
SETTINGS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Channel": {"type": "string"},
        "AsOrder": {"type": "boolean"},
        "BuyerID": {"type": "string", "nullable": True},
        "WebhookSecretSet": {"type": "boolean"},
    },
}
BULK_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Channel": {"type": "string"},
        "Results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "Index": {"type": "integer"},
                    "Status": {"type": "integer"},
                    "ID": {"type": "string", "nullable": True},
                    "ExternalID": {"type": "string", "nullable": True},
                    "Errors": {"type": "array", "nullable": True, "items": {"type": "object"}},
                },
            },
        },
    },
}
EXTENSIONS: dict[str, Extension] = {
    "POST /v1/channels/{channel}/orders": Extension(
        "Channels.ImportOrder",
        "Channels",
        "Import (or re-import) an order from a sales channel into the common order list.",
        _roles(*ORDER_ADMIN_ROLES),
        description="201 when created, 200 when an earlier import was updated (docs/channels.md).",
        status=201,
        response=_ref("UnifiedOrder"),
        request={"type": "object", "description": "The channel's own order payload."},
    ),
    **_crud(
        "/v1/returnreasons",
        "{returnReasonID}",
        "ReturnReasons",
        "ReturnReason",
        "Return Reasons",
        "a seller-defined reason code for returned items",
        read_roles=_roles(*ORDER_READ_ROLES),
        write_roles=_roles(*ORDER_ADMIN_ROLES),
    ),
    "POST /v1/channels/{channel}/orders/bulk": Extension(
        "Channels.ImportOrders",
        "Channels",
        "Import many orders of a sales channel (a JSON array or NDJSON), one result per order.",
        _roles(*ORDER_ADMIN_ROLES),
        description="Each order in its own savepoint; refused ones are reported (docs/channels.md).",
        response=BULK_RESULT,
        request={"type": "array", "items": {"type": "object"}},
    ),
    "POST /v1/channels/{channel}/webhook": Extension(
        "Channels.Webhook",
        "Channels",
        "The platform's own webhook delivery, authenticated by its signature, not a token.",
        None,
        description="Shopify/WooCommerce HMAC-SHA256 headers, Wix's RS256 JWT body; 401 when unsigned.",
        status=201,
        response=_ref("UnifiedOrder"),
        request={"type": "object"},
    ),
    "GET /v1/channels/{channel}/settings": Extension(
        "Channels.GetSettings",
        "Channels",
        "The channel's settings (AsOrder, BuyerID, whether a webhook secret is set).",
        _roles("OrderAdmin"),
        response=SETTINGS,
    ),
    "PUT /v1/channels/{channel}/settings": Extension(
        "Channels.SaveSettings",
        "Channels",
        "Save the channel's settings; an absent WebhookSecret keeps the stored one.",
        _roles("OrderAdmin"),
        response=SETTINGS,
        request=_ref("ChannelSettings"),
    ),
    "GET /v1/channels/{channel}/skumap": Extension(
        "Channels.ListSkuMap",
        "Channels",
        "The channel's SKU map.",
        _roles(*CHANNEL_READ_ROLES),
        response=_page_of(_ref("SkuMapping")),
        query=SEARCHABLE_LIST_QUERY,
    ),
    "POST /v1/channels/{channel}/skumap": Extension(
        "Channels.UploadSkuMap",
        "Channels",
        "Save one SKU mapping (an object) or many (an array).",
        _roles("OrderAdmin"),
        status=201,
        response=_ref("SkuMapping"),
        request=_ref("SkuMapping"),
    ),
    "GET /v1/channels/{channel}/skumap/{sku}": Extension(
        "Channels.GetSkuMapping",
        "Channels",
        "One SKU mapping.",
        _roles(*CHANNEL_READ_ROLES),
        response=_ref("SkuMapping"),
    ),
    "PUT /v1/channels/{channel}/skumap/{sku}": Extension(
        "Channels.SaveSkuMapping",
        "Channels",
        "Create or replace one SKU mapping.",
        _roles("OrderAdmin"),
        response=_ref("SkuMapping"),
        request=_ref("SkuMapping"),
    ),
    "DELETE /v1/channels/{channel}/skumap/{sku}": Extension(
        "Channels.DeleteSkuMapping",
        "Channels",
        "Delete one SKU mapping.",
        _roles("OrderAdmin"),
        status=204,
    ),
    "GET /v1/channels/orders": Extension(
        "Channels.ListOrders",
        "Channels",
        "Orders from every sales channel in one common shape.",
        _roles(*CHANNEL_READ_ROLES),
        response=_page_of(_ref("UnifiedOrder")),
        query=SEARCHABLE_LIST_QUERY,
    ),
    "GET /v1/channels/orders/{channel}/{orderID}": Extension(
        "Channels.GetOrder",
        "Channels",
        "One order of a sales channel in the common shape.",
        _roles(*CHANNEL_READ_ROLES),
        response=_ref("UnifiedOrder"),
    ),
    "GET /v1/webhooks/{webhookID}/deliveries": Extension(
        "Webhooks.ListDeliveries",
        "Webhooks",
        "The webhook's delivery log, newest first (docs/webhooks.md).",
        _roles(*WEBHOOK_READ_ROLES),
        response=_page_of(DELIVERY),
        query=[*LIST_QUERY, _query("Status", "Pending, Delivered or Failed.")],
    ),
    "GET /v1/webhooks/{webhookID}/deliveries/{deliveryID}": Extension(
        "Webhooks.GetDelivery",
        "Webhooks",
        "One delivery with its attempts and the payload sent.",
        _roles(*WEBHOOK_READ_ROLES),
        response=DELIVERY,
    ),
    "POST /v1/webhooks/{webhookID}/deliveries/{deliveryID}/retry": Extension(
        "Webhooks.RetryDelivery",
        "Webhooks",
        "Queue a failed delivery again.",
        _roles(*WEBHOOK_WRITE_ROLES),
        response=DELIVERY,
    ),
    "GET /v1/orders/{direction}/{orderID}/activities": Extension(
        "Orders.ListActivities",
        "Orders",
        "The order's timeline: what happened to it, and notes (docs/orders.md, Timeline).",
        _roles(*ORDER_READ_ROLES),
        description="Oldest first; filters on Type, ActorType, ActorUserID, Date; search on Text.",
        response=_page_of(_ref("OrderActivity")),
        query=SEARCHABLE_LIST_QUERY,
    ),
    "POST /v1/orders/{direction}/{orderID}/activities": Extension(
        "Orders.CreateNote",
        "Orders",
        "Write a note on the order's timeline.",
        _roles(*ORDER_WRITE_ROLES),
        status=201,
        response=_ref("OrderActivity"),
        request=_ref("NewNote"),
    ),
    "POST /v1/orders/{direction}/{orderID}/archive": Extension(
        "Orders.Archive",
        "Orders",
        "Archive an order: it leaves the default order lists and stays readable by ID.",
        _roles(*ORDER_ADMIN_ROLES),
        description="The company receiving the order only (docs/orders.md, Archived orders).",
        response={"$ref": "#/components/schemas/Order"},
    ),
    "POST /v1/orders/{direction}/{orderID}/unarchive": Extension(
        "Orders.Unarchive",
        "Orders",
        "Bring an archived order back into the default order lists.",
        _roles(*ORDER_ADMIN_ROLES),
        response={"$ref": "#/components/schemas/Order"},
    ),
    "GET /v1/eventsubscriptions": Extension(
        "EventSubscriptions.List",
        "Event Subscriptions",
        "Business-event subscriptions (docs/events.md).",
        _roles(*WEBHOOK_READ_ROLES),
        response=_page_of(_ref("EventSubscription")),
        query=SEARCHABLE_LIST_QUERY,
    ),
    "POST /v1/eventsubscriptions": Extension(
        "EventSubscriptions.Create",
        "Event Subscriptions",
        "Subscribe a URL to business events; a Secret is generated when none is sent.",
        _roles(*WEBHOOK_WRITE_ROLES),
        status=201,
        response=_ref("EventSubscription"),
        request=_ref("EventSubscription"),
    ),
    "GET /v1/eventsubscriptions/{eventSubscriptionID}": Extension(
        "EventSubscriptions.Get",
        "Event Subscriptions",
        "One business-event subscription (Secret only for WebhookAdmin).",
        _roles(*WEBHOOK_READ_ROLES),
        response=_ref("EventSubscription"),
    ),
    "PUT /v1/eventsubscriptions/{eventSubscriptionID}": Extension(
        "EventSubscriptions.Save",
        "Event Subscriptions",
        "Create or replace a business-event subscription.",
        _roles(*WEBHOOK_WRITE_ROLES),
        response=_ref("EventSubscription"),
        request=_ref("EventSubscription"),
    ),
    "PATCH /v1/eventsubscriptions/{eventSubscriptionID}": Extension(
        "EventSubscriptions.Patch",
        "Event Subscriptions",
        "Change part of a business-event subscription.",
        _roles(*WEBHOOK_WRITE_ROLES),
        response=_ref("EventSubscription"),
        request={"type": "object"},
    ),
    "DELETE /v1/eventsubscriptions/{eventSubscriptionID}": Extension(
        "EventSubscriptions.Delete",
        "Event Subscriptions",
        "Delete a business-event subscription (its pending deliveries then fail).",
        _roles(*WEBHOOK_WRITE_ROLES),
        status=204,
    ),
    "GET /v1/eventsubscriptions/{eventSubscriptionID}/deliveries": Extension(
        "EventSubscriptions.ListDeliveries",
        "Event Subscriptions",
        "The subscription's deliveries, newest first, with the envelope sent (docs/events.md).",
        _roles(*WEBHOOK_READ_ROLES),
        description="WebhookID names the subscription; Payload is the Standard Webhooks envelope.",
        response=_page_of(DELIVERY),
        query=[*LIST_QUERY, _query("Status", "Pending, Delivered or Failed.")],
    ),
    "POST /oauth/token": Extension(
        "Auth.Token",
        "Authentication and Authorization",
        "Get an access token (OAuth2 password, client credentials or refresh token grant).",
        None,
        description="OrderCloud serves this on its auth host, outside its OpenAPI document.",
        response={"$ref": "#/components/schemas/AccessToken"},
        request=TOKEN_REQUEST,
        request_type="application/x-www-form-urlencoded",
    ),
    "GET /ocrplogin": Extension(
        "OpenIdConnects.Login",
        "Authentication and Authorization",
        "Start an OpenID Connect sign-in: redirects to the identity provider (docs/openid-connect.md).",
        None,
        description="OrderCloud serves this on its auth host, outside its OpenAPI document.",
        status=302,
        response_description="Redirect to the configuration's AuthorizationEndpoint.",
        query=[
            _query("id", "ID of the OpenID Connect configuration."),
            _query("cid", "ID of the configuration's API client."),
            _query("roles", "Roles to ask for, space separated."),
            _query("appstartpath", "Replaces {2} in the AppStartUrl."),
        ],
    ),
    "GET /ocrpcode": Extension(
        "OpenIdConnects.Callback",
        "Authentication and Authorization",
        "The redirect URI to register at the identity provider: redirects to the AppStartUrl with a token.",
        None,
        description="OrderCloud serves this on its auth host, outside its OpenAPI document.",
        status=302,
        response_description="Redirect to the AppStartUrl (or the CustomErrorUrl).",
        query=[
            _query("code", "The identity provider's code."),
            _query("state", "The state /ocrplogin sent."),
        ],
    ),
    "GET /oauth/certs": Extension(
        "Certs.List",
        "Authentication and Authorization",
        "The public keys tokens are signed with (a JWK set).",
        None,
        response={"type": "object", "properties": {"keys": {"type": "array", "items": {"type": "object"}}}},
    ),
    "GET /env": Extension(
        "Ordercore.GetEnvironment",
        "Operations",
        "The environment this API runs in, as OrderCloud's /env answers.",
        None,
        description="OrderCloud serves `/env` outside its OpenAPI document; the React SDK compares "
        "`BuildNumber` with the cached document's `info.version` to know when to refetch it.",
        response=ENV,
    ),
    "GET /health": Extension(
        "Ordercore.Health",
        "Operations",
        "The process is up (no database call): for liveness probes.",
        None,
        response=STATUS,
    ),
    "GET /ready": Extension(
        "Ordercore.Ready",
        "Operations",
        "The database answers and its schema is at the newest migration: for readiness probes.",
        None,
        description="503 with the reason when the database is unreachable or not migrated.",
        response=STATUS,
    ),
    "GET /v1/openapi/v3": Extension(
        "Ordercore.GetOpenApi",
        "Operations",
        "This OpenAPI 3 document (where OrderCloud serves its own).",
        None,
        response={"type": "object"},
    ),
    "GET /v1/openapi.json": Extension(
        "Ordercore.GetOpenApiJson",
        "Operations",
        "This OpenAPI 3 document.",
        None,
        response={"type": "object"},
    ),
    "GET /v1/docs": Extension(
        "Ordercore.Docs",
        "Operations",
        "The interactive API reference (an HTML page rendering this document).",
        None,
        response={"type": "string"},
        response_type="text/html",
    ),
}


@cache
def extension_components() -> dict[str, Any]:
    """Component schemas of ordercore's own models, from their msgspec structs."""
    _, components = msgspec.json.schema_components(
        [UnifiedOrder, ChannelSettings, SkuMapping, OrderActivity, NewNote, EventSubscription, ReturnReason],
        ref_template=f"#/components/schemas/{PREFIX}{{name}}",
    )
    return {PREFIX + name: _as_wire(schema) for name, schema in components.items()}


def _as_wire(schema: Any) -> Any:
    """msgspec describes Decimal as a string; ordercore sends money as JSON numbers."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("format") == "decimal":
            return {"type": "number"}
        if "anyOf" in schema and {"type": "null"} in schema["anyOf"]:
            return _nullable(schema)
        # OpenAPI 3.0 wants `required` non-empty when present.
        return {k: _as_wire(v) for k, v in schema.items() if not (k == "required" and not v)}
    if isinstance(schema, list):
        return [_as_wire(v) for v in schema]
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema's `anyOf [X, null]` in OpenAPI 3.0's words: X with `nullable: true`."""
    rest = [_as_wire(s) for s in schema["anyOf"] if s != {"type": "null"}]
    others = {k: _as_wire(v) for k, v in schema.items() if k != "anyOf"}
    if len(rest) == 1 and "$ref" not in rest[0]:
        return {**rest[0], **others, "nullable": True}
    key = "allOf" if len(rest) == 1 else "anyOf"
    return {key: rest, **others, "nullable": True}
