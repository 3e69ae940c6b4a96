"""Request IDs and metrics on outbound calls, and webhook endpoints that answer again getting
their waiting deliveries at once (docs/operations.md)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.state import Services
from app.store.tables import outbox
from app.webhooks import store as outbox_store
from app.webhooks.worker import BackgroundWorker, deliver_due
from domain.clock import utcnow
from tests.api.test_operations import metrics_text, sample
from tests.helpers import Api
from tests.integration.checkout_support import fill_cart, make_event, make_shop, middleware
from tests.integration.receivers import ReceiverPool, RecordedRequest, Reply, json_reply
from tests.integration.webhooks_support import make_webhook


async def test_a_webhook_delivery_carries_the_request_id_of_the_write(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url)
    response = await api.client.post(
        "/v1/buyers",
        json={"ID": "b1", "Name": "Buyer"},
        headers={"Authorization": f"Bearer {api.admin_token}", "X-Request-ID": "write-77"},
    )
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "write-77"
    async with services.db.reader() as conn:
        stored = (await conn.execute(select(outbox.c.request_id))).scalars().all()
    assert stored == ["write-77"]
    # Every attempt (a retry included) sends the original request's ID.
    assert await deliver_due(services) == 1
    assert [r.header("X-Request-ID") for r in rx.requests] == ["write-77"]


async def test_a_prehook_call_carries_the_request_id(api: Api, receivers: ReceiverPool) -> None:
    gate = receivers.custom(lambda _req, _i: json_reply({"proceed": True}))
    await make_webhook(api, gate.url, before=True)
    response = await api.client.post(
        "/v1/buyers",
        json={"ID": "b1", "Name": "Buyer"},
        headers={"Authorization": f"Bearer {api.admin_token}", "X-Request-ID": "gate-9"},
    )
    assert response.status_code == 201
    assert [r.header("X-Request-ID") for r in gate.requests] == ["gate-9"]


async def test_integration_event_calls_carry_the_request_id_and_are_measured(
    api: Api, receivers: ReceiverPool
) -> None:
    shop = await make_shop(api)
    rx = receivers.custom(middleware)
    await make_event(api, rx.url + "/api/checkout/")
    token = await shop.token("alice")
    await fill_cart(shop, token)
    before = sample(
        await metrics_text(api), "ordercore_integration_event_duration_seconds_count", event="shippingrates"
    )
    response = await api.client.post(
        "/v1/cart/estimateshipping", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "est-1"}
    )
    assert response.status_code == 200, response.text
    assert rx.requests[-1].path.endswith("/shippingrates")
    assert rx.requests[-1].header("X-Request-ID") == "est-1"
    after = sample(
        await metrics_text(api), "ordercore_integration_event_duration_seconds_count", event="shippingrates"
    )
    assert after == before + 1


async def test_a_failed_integration_event_is_counted_by_error(api: Api, receivers: ReceiverPool) -> None:
    shop = await make_shop(api)
    rx = receivers.status(500, b'{"error":"down"}')
    await make_event(api, rx.url)
    token = await shop.token("alice")
    await fill_cart(shop, token)
    labels = {"event": "shippingrates", "error": "IntegrationEvent.BadResponse"}
    before = sample(await metrics_text(api), "ordercore_integration_event_failures_total", **labels)
    assert (await api.post("/cart/estimateshipping", token=token)).status_code == 502
    assert (
        sample(await metrics_text(api), "ordercore_integration_event_failures_total", **labels) == before + 1
    )


async def _enqueue(services: Services, name: str, key: str | None) -> None:
    async with services.db.transaction() as conn:
        await outbox_store.enqueue(
            conn,
            webhook_id="wh1",
            delivery_id=f"{name}-{uuid.uuid4()}",
            ordering_key=key,
            body=json.dumps({"Name": name}),
            now=utcnow(),
        )


async def test_deliveries_waiting_out_a_backoff_go_as_soon_as_the_endpoint_answers(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    """A receiver was down long enough for its deliveries to reach the 10-minute retry; once a
    delivery to it succeeds, the waiting ones go within moments, per-order order kept."""
    down = True

    def responder(request: RecordedRequest, _index: int) -> Reply:
        return Reply(status=503) if down else Reply()

    rx = receivers.custom(responder)
    await make_webhook(api, rx.url)
    for name, key in (("A1", "o1"), ("A2", "o1"), ("B1", "o2")):
        await _enqueue(services, name, key)
    # Four failed attempts (the clock moved past each backoff) leave them waiting ~10 minutes.
    now = utcnow()
    for _ in range(4):
        now += timedelta(hours=1)
        await deliver_due(services, now=now)
    assert sorted(r.json()["Name"] for r in rx.requests) == ["A1"] * 4 + ["B1"] * 4
    async with services.db.reader() as conn:
        waits = (
            (await conn.execute(select(outbox.c.next_attempt_at).where(outbox.c.attempts > 0)))
            .scalars()
            .all()
        )
    assert len(waits) == 2 and all(outbox_store.aware(w) > utcnow() + timedelta(minutes=30) for w in waits)

    down = False
    worker = BackgroundWorker(services)
    await worker.start()
    try:
        started = time.monotonic()
        await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})  # a fresh delivery
        worker.wake()
        while len(rx.requests) < 8 + 4 and time.monotonic() - started < 5:
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    later = [r.json().get("Name") or "buyer" for r in rx.requests[8:]]
    assert sorted(later) == ["A1", "A2", "B1", "buyer"], later
    assert later.index("A1") < later.index("A2")
    assert time.monotonic() - started < 5
    text = await metrics_text(api)
    assert sample(text, "ordercore_webhook_flushed_deliveries_total") >= 2
    assert sample(text, "ordercore_webhook_deliveries_total", outcome="Delivered") >= 4
