"""Orders from other sales channels (an ordercore extension; docs/channels.md): import one,
idempotently by (channel, external ID), and read every order in the common shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.services import channel_orders, unified_orders
from app.store.repo import Docs, Stored
from app.unit import Unit
from app.webhooks.client import outbound_client
from app.wire import decode_json, public
from domain.clock import iso, utcnow
from domain.errors import DomainError, NotFound, Unauthorized, ValidationFailed
from integrations.channels import IMPORTERS, bigcommerce_api, signatures
from integrations.channels.common import unified_id
from integrations.channels.ordercloud import CHANNEL as NATIVE
from integrations.outbound import url_refusal

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


def importable(channel: str) -> str:
    """`channel` when orders are imported from it (not the marketplace's own)."""
    if channel not in IMPORTERS:
        raise ValidationFailed(
            f"Orders of channel {channel} are not imported: they are the marketplace's own",
            "Channels.NotImportable",
            {"Channel": channel, "Importable": sorted(IMPORTERS)},
        )
    return channel


BULK_LIMIT = 500


def bulk_items(raw: bytes) -> list[Any]:
    """A bulk import body: a JSON array, or NDJSON (blank lines skipped). A line that is not JSON
    refuses the whole request (400, naming the line): nothing is imported."""
    text = raw.strip()
    if not text:
        raise ValidationFailed(
            "Send a JSON array or NDJSON of orders", "Channels.InvalidBulk", {"Field": "$"}
        )
    if text.startswith(b"["):
        items = decode_json(text)
    else:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(decode_json(line))
            except DomainError:
                raise ValidationFailed(
                    f"NDJSON line {number} is not JSON", "Channels.InvalidBulk", {"Line": number}
                ) from None
    if not isinstance(items, list) or not 1 <= len(items) <= BULK_LIMIT:
        raise ValidationFailed(
            f"Send 1 to {BULK_LIMIT} orders", "Channels.InvalidBulk", {"Limit": BULK_LIMIT}
        )
    return items


def bulk_result(
    index: int, order: dict[str, Any] | None, status: int, error: DomainError | None
) -> dict[str, Any]:
    return {
        "Index": index,
        "Status": status,
        "ID": order["ID"] if order else None,
        "ExternalID": order["ExternalID"] if order else None,
        "Errors": [{"ErrorCode": error.code, "Message": error.message, "Data": error.data}]
        if error
        else None,
    }


async def import_many(
    docs: Docs,
    channel: str,
    items: list[Any],
    marketplace_id: str,
    *,
    caller: Caller,
    as_order: str | None,
) -> list[dict[str, Any]]:
    """Import each order on its own (a savepoint): one refused order does not undo the others.
    One result per order, in the order sent."""
    results = []
    for index, body in enumerate(items):
        try:
            async with docs.conn.begin_nested():
                order, created = await import_order(
                    docs, channel, body, marketplace_id, caller=caller, as_order=as_order
                )
        except DomainError as error:
            results.append(bulk_result(index, None, error.status, error))
        else:
            results.append(bulk_result(index, order, 201 if created else 200, None))
    return results


def _as_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed("An order must be a JSON object", "Channels.InvalidPayload", {"Field": "$"})
    return body


def _bad_signature(channel: str) -> Unauthorized:
    return Unauthorized(
        f"The {channel} webhook signature is missing or does not match the channel's secret",
        "Channels.InvalidSignature",
        {"Channel": channel},
    )


async def receive_webhook(
    ctx: Unit, channel: str, raw: bytes, headers: Mapping[str, str]
) -> tuple[dict[str, Any], int]:
    """A platform's webhook delivery, answered as `POST .../orders` answers (201 new, 200 updated),
    or 200 `{Channel, Ignored: true}` for a delivery that carries no order. Runs in short steps of
    its own: BigCommerce's needs a call to the store's API, which no transaction waits for."""
    marketplace = ctx.services.marketplace_id
    if channel == bigcommerce_api.CHANNEL:
        body = await _bigcommerce_order(ctx, raw, headers)
        if body is None:
            return {"Channel": channel, "Ignored": True}, 200
        async with ctx.write() as unit:
            order, created = await import_order(unit.docs, channel, body, marketplace)
        return order, 201 if created else 200
    async with ctx.write() as unit:
        body = await webhook_order(unit.docs, channel, raw, headers)
        if body is None:
            return {"Channel": channel, "Ignored": True}, 200
        order, created = await import_order(unit.docs, channel, body, marketplace)
    return order, 201 if created else 200


async def _bigcommerce_order(ctx: Unit, raw: bytes, headers: Mapping[str, str]) -> dict[str, Any] | None:
    """The order a BigCommerce webhook names, fetched from the store's API (docs/channels.md,
    "BigCommerce webhooks"); None for an event that names no order. The webhook is authenticated
    by the custom header it was registered with, whose value must be the channel's secret."""
    channel = bigcommerce_api.CHANNEL
    async with ctx.read() as unit:
        config = await channel_orders.settings(unit.docs, channel)
    header = headers.get(channel_orders.webhook_header(config))
    if not signatures.same_secret(config.get("WebhookSecret"), header):
        raise _bad_signature(channel)
    event = decode_json(raw) if raw.strip() else None
    if not isinstance(event, dict):
        raise ValidationFailed("A BigCommerce webhook is a JSON object", "ValidationFailure", {"Field": "$"})
    number = bigcommerce_api.order_id(event)
    if number is None:
        return None
    base, token = config.get("ApiUrl"), config.get("ApiToken")
    if not base or not token:
        raise ValidationFailed(
            "Set ApiUrl and ApiToken of channel bigcommerce (PUT /v1/channels/bigcommerce/settings) "
            "so that its webhooks' orders can be fetched",
            "Channels.ApiNotConfigured",
            {"Channel": channel},
        )
    allow_private = ctx.services.settings.outbound_allow_private
    reason = url_refusal(base, allow_private=allow_private)
    if reason is not None:  # the policy may have changed since the URL was saved
        raise bigcommerce_api.UpstreamFailed(
            f"The BigCommerce ApiUrl {reason}", data={"Channel": channel, "Field": "ApiUrl"}
        )
    return await bigcommerce_api.fetch_order(outbound_client(ctx.services), str(base), str(token), number)


async def webhook_order(
    docs: Docs, channel: str, raw: bytes, headers: Mapping[str, str]
) -> dict[str, Any] | None:
    """The order a platform's webhook delivery carries, once its signature checked out under the
    channel's WebhookSecret (401 `Channels.InvalidSignature` otherwise); None for a delivery that
    carries no order (a ping, another event)."""
    secret = (await channel_orders.settings(docs, channel)).get("WebhookSecret")
    refused = _bad_signature(channel)
    if channel == "wix":
        event = signatures.wix_event(secret, raw)
        if event is None:
            raise refused
        return signatures.wix_order(event)
    header = signatures.HEADERS.get(channel)
    if header is None or not signatures.verify(secret, raw, headers.get(header)):
        raise refused
    if not raw.lstrip().startswith(b"{"):
        return None  # WooCommerce's ping: `webhook_id=12`
    body = decode_json(raw)
    if not isinstance(body, dict):
        raise ValidationFailed("Request body must be a JSON object", "ValidationFailure", {"Field": "$"})
    return body


async def import_order(
    docs: Docs,
    channel: str,
    body: dict[str, Any],
    marketplace_id: str,
    *,
    caller: Caller | None = None,
    as_order: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store the channel's order and its common-shape projection. Returns (the order in the
    common shape, created?). A second import of the same order updates both documents, unless it
    is older (DateUpdated) than what is stored: webhooks can arrive out of order.

    `as_order` (the `asOrder` query value; absent: the channel's `AsOrder` setting): make the
    order a real OrderCloud order (app.services.channel_orders). An order made real once stays
    one: its later imports update it whatever `as_order` says."""
    unified = IMPORTERS[importable(channel)](
        _as_object(body)
    )  # refuses a malformed payload before anything is written
    unified[unified_orders.TO_COMPANY] = marketplace_id
    external_id = unified["ExternalID"]
    now = iso(utcnow())
    source = {
        "ID": external_id,
        "Channel": channel,
        "DateImported": now,
        "LastImported": now,
        "Payload": body,
        "ChannelDateUpdated": unified.get("DateUpdated"),
    }
    stored = await docs.get(SOURCE_KIND, external_id, channel, lock=True)
    real = await channel_orders.find(docs, channel, external_id, lock=True)
    if stored is None:
        if real is None:
            config = await channel_orders.settings(docs, channel)
            if channel_orders.wanted(as_order, config):
                await channel_orders.create(
                    docs, caller, channel, unified, config.get("BuyerID"), marketplace_id
                )
                real = await channel_orders.find(docs, channel, external_id)
        await docs.insert(SOURCE_KIND, source, channel, object_type="ChannelOrder")
        return await _project(docs, real, unified), True
    current = await docs.get(unified_orders.KIND, unified["ID"], channel)
    # What the channel last said (the projection of an order made real carries its own dates).
    seen = stored.doc.get("ChannelDateUpdated") or (current.doc.get("DateUpdated") if current else None)
    if current is not None and _older(unified.get("DateUpdated"), seen):
        return public(current.doc), False
    source["DateImported"] = stored.doc.get("DateImported") or now
    await docs.replace(SOURCE_KIND, external_id, source, channel, version=stored.version)
    if real is not None:
        await channel_orders.update(docs, real, unified)
    return await _project(docs, real, unified), False


async def _project(docs: Docs, real: Stored | None, unified: dict[str, Any]) -> dict[str, Any]:
    """The import's answer: the projection as written. An order made real was projected from its
    OrderCloud order (read back); any other is the channel's own projection, written here."""
    if real is None:
        await unified_orders.put(docs, unified)
        return public(unified)
    found = await docs.get(unified_orders.KIND, unified["ID"], unified["Channel"])
    return public(found.doc if found else unified)


def _older(after: str | None, before: str | None) -> bool:
    return bool(before and after and after < before)


async def get_order(docs: Docs, channel: str, external_id: str, marketplace_id: str) -> dict[str, Any]:
    found = await docs.get(unified_orders.KIND, unified_id(channel, external_id), channel)
    if found is None or found.doc.get(unified_orders.TO_COMPANY) != marketplace_id:
        raise NotFound("ChannelOrder", external_id)
    return public(found.doc)


def received_conds(docs: Docs, marketplace_id: str) -> list[ColumnElement[bool]]:
    """The unified orders the marketplace received (the channel order list)."""
    return docs.eq(**{unified_orders.TO_COMPANY: marketplace_id})
