"""Orders from other sales channels (an ordercore extension; docs/channels.md): import one,
idempotently by (channel, external ID), and read every order in the common shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.resources import public
from app.services import unified_orders
from app.store.repo import Docs
from domain.clock import iso, utcnow
from domain.errors import NotFound, ValidationFailed
from integrations.channels import IMPORTERS
from integrations.channels.common import unified_id
from integrations.channels.ordercloud import CHANNEL as NATIVE

SOURCE_KIND = "channelorder"
CHANNELS = (NATIVE, *IMPORTERS)


def channel_name(raw: str) -> str:
    """Channel names match in any case; an unknown one is refused with the known ones listed."""
    name = raw.lower()
    if name not in CHANNELS:
        raise ValidationFailed(
            f"Unknown channel: {raw}", "Channels.UnknownChannel", {"Channel": raw, "Channels": list(CHANNELS)}
        )
    return name


async def import_order(
    docs: Docs, channel: str, body: dict[str, Any], marketplace_id: str
) -> tuple[dict[str, Any], bool]:
    """Store the channel's order and its common-shape projection. Returns (the order in the
    common shape, created?). A second import of the same order updates both documents, unless it
    is older (DateUpdated) than what is stored: webhooks can arrive out of order."""
    importer = IMPORTERS.get(channel)
    if importer is None:
        raise ValidationFailed(
            f"Orders of channel {channel} are not imported: they are the marketplace's own",
            "Channels.NotImportable",
            {"Channel": channel, "Importable": sorted(IMPORTERS)},
        )
    unified = importer(body)  # refuses a malformed payload before anything is written
    unified[unified_orders.TO_COMPANY] = marketplace_id
    external_id = unified["ExternalID"]
    now = iso(utcnow())
    source = {
        "ID": external_id,
        "Channel": channel,
        "DateImported": now,
        "LastImported": now,
        "Payload": body,
    }
    stored = await docs.get(SOURCE_KIND, external_id, channel, lock=True)
    if stored is None:
        await docs.insert(SOURCE_KIND, source, channel, object_type="ChannelOrder")
        await unified_orders.put(docs, unified)
        return public(unified), True
    current = await docs.get(unified_orders.KIND, unified["ID"], channel)
    if current is not None and _older(unified, current.doc):
        return public(current.doc), False
    source["DateImported"] = stored.doc.get("DateImported") or now
    await docs.replace(SOURCE_KIND, external_id, source, channel, version=stored.version)
    await unified_orders.put(docs, unified)
    return public(unified), False


def _older(new: dict[str, Any], current: dict[str, Any]) -> bool:
    before, after = current.get("DateUpdated"), new.get("DateUpdated")
    return bool(before and after and after < before)


async def get_order(docs: Docs, channel: str, external_id: str, marketplace_id: str) -> dict[str, Any]:
    found = await docs.get(unified_orders.KIND, unified_id(channel, external_id), channel)
    if found is None or found.doc.get(unified_orders.TO_COMPANY) != marketplace_id:
        raise NotFound("ChannelOrder", external_id)
    return public(found.doc)


def received_conds(docs: Docs, marketplace_id: str) -> list[ColumnElement[bool]]:
    """The unified orders the marketplace received (the channel order list)."""
    return docs.eq(**{unified_orders.TO_COMPANY: marketplace_id})
