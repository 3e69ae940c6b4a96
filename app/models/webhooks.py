"""Webhooks (the SDK's `Webhook` and `WebhookRoute`)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.models.common import Str100, Str2000, Xp
from app.wire import Wire, WireID

HashKey = Annotated[str, msgspec.Meta(max_length=50)]


class WebhookRoute(Wire, kw_only=True):
    route: str | None = None
    verb: str | None = None


class Webhook(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    url: Str2000
    hash_key: HashKey
    elevated_roles: list[str] | None = None
    config_data: Xp = None
    before_process_request: bool = False
    api_client_ids: list[str] | None = None
    webhook_routes: list[WebhookRoute] | None = None
    delivery_config_id: str | None = None
    custom_auth_header_name: str | None = None
    custom_auth_header_value: str | None = None
