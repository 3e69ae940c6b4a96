"""Business events delivered over real HTTP to a loopback receiver: the Standard Webhooks envelope
and headers, the signature checked the way the spec defines it (independently of ordercore's own
signing code), order per order, retries keeping the message ID, and deleted subscriptions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta

from app.state import Services
from app.webhooks import store as outbox_store
from app.webhooks.worker import deliver_due
from domain.clock import utcnow
from integrations.signing import verify_standard_webhook
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World, make_world
from tests.helpers import Api
from tests.integration.receivers import ReceiverPool, RecordedRequest


def spec_signature(secret: str, request: RecordedRequest) -> str:
    """`v1,` + base64(HMAC-SHA256(base64-decoded whsec_ secret, "{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.header('webhook-id')}.{request.header('webhook-timestamp')}.".encode() + request.body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def order_world(api: Api) -> World:
    world = await make_world(api)
    await cat.product(api, "p1", price="10.00")
    return world


async def place(world: World, order_id: str) -> None:
    await world.new_order(body={"ID": order_id})
    await world.add_line(order_id, "p1", 1)
    await world.submit(order_id)


async def deliver_all(services: Services) -> int:
    """Deliver until nothing is due (a retry's backoff is skipped by looking far enough ahead)."""
    made = 0
    for day in range(1, 10):
        n = await deliver_due(services, now=utcnow() + timedelta(days=day), chain=16)
        if n == 0:
            return made
        made += n
    return made


async def test_events_arrive_signed_with_the_subscription_secret(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording(hash_key=None)
    world = await order_world(api)
    sub = await api.ok(
        "POST",
        "/eventsubscriptions",
        {"ID": "evs1", "Url": rx.url + "/events", "EventTypes": ["order.submitted", "order.canceled"]},
    )
    secret = sub["Secret"]
    await place(world, "o1")
    await api.ok("POST", "/orders/Incoming/o1/cancel", token=await world.seller())

    assert await deliver_all(services) == 2
    assert [r.json()["type"] for r in rx.requests] == ["order.submitted", "order.canceled"]
    ids = set()
    for request in rx.requests:
        assert request.method == "POST" and request.path == "/events"
        assert request.header("content-type") == "application/json"
        msg_id = request.header("webhook-id")
        assert msg_id and msg_id.startswith("msg_")
        ids.add(msg_id)
        assert abs(int(request.header("webhook-timestamp") or 0) - time.time()) < 60
        signatures = (request.header("webhook-signature") or "").split()
        assert spec_signature(secret, request) in signatures
        headers = {k: v for k, v in request.headers}
        assert verify_standard_webhook(headers, request.body, secret)
        assert not verify_standard_webhook(
            headers, request.body, "whsec_" + base64.b64encode(b"x" * 32).decode()
        )
        body = request.json()
        assert set(body) == {"type", "timestamp", "data"} and body["data"]["OrderID"] == "o1"
    assert len(ids) == 2
    canceled = rx.requests[1].json()["data"]["Order"]
    assert canceled["Status"] == "Canceled" and canceled["ID"] == "o1"
    # The subscription's delivery log, newest first, with the envelope sent.
    log = await api.ok("GET", "/eventsubscriptions/evs1/deliveries")
    assert [d["Payload"]["type"] for d in log["Items"]] == ["order.canceled", "order.submitted"]
    assert {d["Status"] for d in log["Items"]} == {"Delivered"} and log["Meta"]["TotalCount"] == 2
    assert {d["ID"] for d in log["Items"]} == ids and log["Items"][0]["WebhookID"] == "evs1"
    assert log["Items"][0]["AttemptLog"][0]["StatusCode"] == 200
    failed = await api.ok("GET", "/eventsubscriptions/evs1/deliveries", params={"Status": "Failed"})
    assert failed["Items"] == []
    assert (await api.get("/eventsubscriptions/nope/deliveries")).status_code == 404


async def test_a_failed_delivery_is_retried_with_the_same_message_id(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.flaky(fail_times=1)
    world = await order_world(api)
    await api.ok(
        "POST",
        "/eventsubscriptions",
        {"ID": "evs1", "Url": rx.url, "EventTypes": ["order.submitted"], "Secret": "plain-secret-0123456789"},
    )
    await place(world, "o1")
    await deliver_all(services)
    assert len(rx.requests) == 2
    first, second = rx.requests
    assert first.header("webhook-id") == second.header("webhook-id")
    assert first.body == second.body
    # A secret without the whsec_ prefix signs with its UTF-8 bytes, as webhook HashKeys do.
    headers = {k: v for k, v in second.headers}
    assert verify_standard_webhook(headers, second.body, "plain-secret-0123456789")
    async with services.db.reader() as conn:
        [row], _ = await outbox_store.page(conn, "evs:evs1", page=1, page_size=10, status=None)
    assert row.status == outbox_store.DELIVERED and row.attempts == 2


async def test_events_of_a_deleted_subscription_are_not_sent(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording(hash_key=None)
    world = await order_world(api)
    await api.ok(
        "POST", "/eventsubscriptions", {"ID": "evs1", "Url": rx.url, "EventTypes": ["order.submitted"]}
    )
    await place(world, "o1")
    await api.ok("DELETE", "/eventsubscriptions/evs1")
    await deliver_all(services)
    assert rx.requests == []
    async with services.db.reader() as conn:
        [row], _ = await outbox_store.page(conn, "evs:evs1", page=1, page_size=10, status=None)
    assert row.status == outbox_store.FAILED and row.last_error == "WebhookDeleted"
