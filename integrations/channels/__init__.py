"""Sales-channel adapters (an ordercore extension): each maps one channel's order JSON to the
common order shape (`app.models.channels.UnifiedOrder`). Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.channels import bigcommerce, shopify, wix, woocommerce

# Channels whose orders can be imported; `ordercloud` orders are the marketplace's own.
IMPORTERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    shopify.CHANNEL: shopify.to_unified,
    woocommerce.CHANNEL: woocommerce.to_unified,
    wix.CHANNEL: wix.to_unified,
    bigcommerce.CHANNEL: bigcommerce.to_unified,
}
