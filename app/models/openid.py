"""Wire struct for OpenID Connect configurations (`/openidconnects`), OrderCloud's fields."""

from __future__ import annotations

import msgspec

from app.wire import Wire, WireID


class OpenIdConnect(Wire, kw_only=True):
    id: WireID | None = None
    order_cloud_api_client_id: str = msgspec.field(name="OrderCloudApiClientID")
    connect_client_id: str
    connect_client_secret: str
    app_start_url: str
    authorization_endpoint: str
    token_endpoint: str
    url_encoded: bool = False
    integration_event_id: str | None = None
    call_sync_user_integration_event: bool = False
    integration_event_name: str | None = None
    additional_idp_scopes: list[str] | None = None
    custom_error_url: str | None = None
