"""Post-hooks through the real API and a real loopback receiver: what is sent, how it is signed,
and how failures are retried (time is moved forward by passing `now` to the worker)."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import replace
from datetime import timedelta

from app.state import Services
from app.webhooks import start_worker
from app.webhooks.worker import deliver_due
from domain.clock import parse_iso, utcnow
from integrations.signing import verify_standard_webhook
from tests.helpers import Api, error_code
from tests.integration.receivers import HASH_KEY, ReceiverPool, Reply
from tests.integration.webhooks_support import CONFIG, deliveries, make_webhook, only_delivery

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


async def test_webhook_crud(api: Api) -> None:
    created = await make_webhook(api, "https://example.com/hook", ElevatedRoles=["OrderAdmin"])
    assert created["ApiClientIDs"] == ["ordercore-admin"]
    assert created["WebhookRoutes"] == [{"Route": "v1/buyers", "Verb": "POST"}]
    assert created["ConfigData"] == CONFIG and created["BeforeProcessRequest"] is False
    patched = await api.ok("PATCH", "/webhooks/wh1", {"Description": "about", "BeforeProcessRequest": True})
    assert patched["Description"] == "about" and patched["BeforeProcessRequest"] is True
    assert patched["Url"] == "https://example.com/hook"
    page = await api.ok("GET", "/webhooks", params={"search": "about"})
    assert [w["ID"] for w in page["Items"]] == ["wh1"]
    bad = await api.post("/webhooks", {"Name": "x", "ElevatedRoles": ["NotARole"]})
    assert bad.status_code == 400 and error_code(bad) == "ValidationFailure"
    nameless = await api.post("/webhooks", {"Url": "https://example.com"})
    assert nameless.status_code == 400
    await api.ok("DELETE", "/webhooks/wh1")
    assert (await api.get("/webhooks/wh1")).status_code == 404


async def test_post_hook_payload_and_signatures(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    # The route is matched however it is written: leading slash, no v1/, any case.
    await make_webhook(api, rx.url + "/hook", routes=[("v1/buyers", "POST"), ("/Buyers/{buyerid}", "patch")])
    created = await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer One", "xp": {"Price": 12.5}})
    await api.ok("PATCH", "/buyers/b1", {"Name": "Renamed"})
    await api.ok("POST", "/suppliers", {"ID": "s1", "Name": "Not hooked"})
    assert (await api.post("/buyers", {"ID": "b1", "Name": "dup"})).status_code == 409

    assert await deliver_due(services) == 2
    assert len(rx.requests) == 2
    by_verb = {r.json()["Verb"]: r for r in rx.requests}
    post, patch = by_verb["POST"], by_verb["PATCH"]
    for req in (post, patch):
        assert req.path == "/hook" and req.oc_hash_valid is True
        assert verify_standard_webhook(dict(req.headers), req.body, HASH_KEY)
    assert post.header("webhook-id") != patch.header("webhook-id")

    sent = post.json()
    assert list(sent) == [
        "Route",
        "RouteParams",
        "QueryParams",
        "Verb",
        "Date",
        "LogID",
        "UserToken",
        "Request",
        "Response",
        "ConfigData",
    ]
    assert sent["Route"] == "v1/buyers" and sent["RouteParams"] == {} and sent["QueryParams"] == {}
    assert DATE.match(sent["Date"]) and uuid.UUID(sent["LogID"])
    assert sent["UserToken"] == api.admin_token
    assert sent["Request"] == {
        "Body": {"ID": "b1", "Name": "Buyer One", "xp": {"Price": 12.5}},
        "Headers": None,
    }
    assert sent["Response"] == {"Body": created, "Headers": None}
    assert sent["ConfigData"] == CONFIG

    sent = patch.json()
    assert sent["Route"] == "v1/buyers/{buyerID}" and sent["RouteParams"] == {"buyerID": "b1"}
    assert sent["Request"]["Body"] == {"Name": "Renamed"}
    assert sent["Response"]["Body"]["Name"] == "Renamed"

    items = await deliveries(api)
    assert [(d["Verb"], d["Status"], d["Attempts"]) for d in items] == [
        ("PATCH", "Delivered", 1),
        ("POST", "Delivered", 1),
    ]
    assert items[0]["AttemptLog"][0]["StatusCode"] == 200 and items[0]["NextAttemptDate"] is None
    one = await api.ok("GET", f"/webhooks/wh1/deliveries/{items[1]['ID']}")
    # The log shows what was sent except the caller's token (docs/security-orders.md).
    assert one["Payload"] == {**post.json(), "UserToken": None}
    assert await deliver_due(services) == 0


async def test_only_listed_api_clients_fire(api: Api, services: Services, receivers: ReceiverPool) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url, clients=["some-other-client"])
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    assert await deliver_due(services) == 0 and rx.requests == []


async def test_flaky_receiver_gets_it_once_it_recovers(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.flaky(3)
    await make_webhook(api, rx.url)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    now = utcnow()
    assert await deliver_due(services, now=now) == 1
    first = await only_delivery(api)
    assert first["Status"] == "Pending" and first["Attempts"] == 1 and first["LastError"] == "HTTP 500"
    # The first retry waits 5 s (+-20 %): not due 3 s later, due 7 s later.
    wait = parse_iso(first["NextAttemptDate"]) - now
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)
    assert await deliver_due(services, now=now + timedelta(seconds=3)) == 0
    for step in range(1, 4):
        now += timedelta(hours=1)
        assert await deliver_due(services, now=now) == 1, step
    done = await only_delivery(api)
    assert done["Status"] == "Delivered" and done["Attempts"] == 4 and done["LastError"] is None
    assert [a["StatusCode"] for a in done["AttemptLog"]] == [500, 500, 500, 200]
    assert all(a["DurationMs"] >= 0 and DATE.match(a["Date"]) for a in done["AttemptLog"])
    assert len({r.header("webhook-id") for r in rx.requests}) == 1 and len(rx.requests) == 4
    assert await deliver_due(services, now=now + timedelta(days=3)) == 0


async def test_hanging_receiver_times_out_and_is_retried(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.hanging()
    await make_webhook(api, rx.url)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    assert await deliver_due(services, timeout=0.3) == 1
    first = await only_delivery(api)
    assert first["Status"] == "Pending" and first["LastError"] == "Timeout"
    assert first["AttemptLog"][0]["StatusCode"] is None and first["AttemptLog"][0]["Error"] == "Timeout"
    assert await deliver_due(services, now=utcnow() + timedelta(hours=1), timeout=0.3) == 1
    again = await only_delivery(api)
    assert again["Attempts"] == 2 and again["Status"] == "Pending"
    assert len(rx.requests) == 2 and rx.requests[0].header("webhook-id") == rx.requests[1].header(
        "webhook-id"
    )


async def test_rejecting_receiver_is_not_retried(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    gone, bad = receivers.status(410), receivers.status(400, b'{"error":"no"}')
    await make_webhook(api, gone.url, id="gone")
    await make_webhook(api, bad.url, id="bad")
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    assert await deliver_due(services) == 2
    for webhook_id, code in (("gone", 410), ("bad", 400)):
        failed = await only_delivery(api, webhook_id)
        assert failed["Status"] == "Failed" and failed["Attempts"] == 1
        assert failed["LastError"] == f"HTTP {code}" and failed["NextAttemptDate"] is None
    assert (await only_delivery(api, "bad"))["AttemptLog"][0]["ResponseBody"] == '{"error":"no"}'
    assert await deliver_due(services, now=utcnow() + timedelta(days=2)) == 0
    assert len(gone.requests) == 1 and len(bad.requests) == 1
    gone_id = (await only_delivery(api, "gone"))["ID"]
    assert [d["ID"] for d in await deliveries(api, "gone", Status="Failed")] == [gone_id]
    assert await deliveries(api, "gone", Status="Pending") == []


async def test_retry_after_is_honoured(api: Api, services: Services, receivers: ReceiverPool) -> None:
    rx = receivers.status(429, headers={"Retry-After": "3600"})
    await make_webhook(api, rx.url)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    now = utcnow()
    assert await deliver_due(services, now=now) == 1
    pending = await only_delivery(api)
    assert pending["Status"] == "Pending"
    assert parse_iso(pending["NextAttemptDate"]) >= now + timedelta(seconds=3600) - timedelta(milliseconds=1)
    assert await deliver_due(services, now=now + timedelta(minutes=30)) == 0
    assert await deliver_due(services, now=now + timedelta(seconds=3601)) == 1
    assert len(rx.requests) == 2


async def test_manual_retry_of_a_failed_delivery(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    answers = iter([Reply(status=400), Reply(status=200)])
    rx = receivers.custom(lambda _req, _i: next(answers))
    await make_webhook(api, rx.url)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    await deliver_due(services)
    failed = await only_delivery(api)
    assert failed["Status"] == "Failed"
    missing = await api.post("/webhooks/wh1/deliveries/nope/retry")
    assert missing.status_code == 404
    reset = await api.ok("POST", f"/webhooks/wh1/deliveries/{failed['ID']}/retry", status=200)
    assert reset["Status"] == "Pending" and reset["Attempts"] == 0 and len(reset["AttemptLog"]) == 1
    assert await deliver_due(services) == 1
    done = await only_delivery(api)
    assert done["Status"] == "Delivered" and [a["StatusCode"] for a in done["AttemptLog"]] == [400, 200]


async def test_deliveries_need_webhook_roles_and_paginate(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url)
    for i in range(3):
        await api.ok("POST", "/buyers", {"ID": f"b{i}", "Name": "Buyer"})
    page = await api.ok("GET", "/webhooks/wh1/deliveries", params={"pageSize": 2, "page": 2})
    assert page["Meta"]["TotalCount"] == 3 and page["Meta"]["TotalPages"] == 2 and len(page["Items"]) == 1
    assert page["Items"][0]["Status"] == "Pending" and page["Items"][0]["NextAttemptDate"]
    assert (await api.get("/webhooks/nope/deliveries")).status_code == 404
    bad = await api.get("/webhooks/wh1/deliveries", params={"Verb": "POST"})
    assert bad.status_code == 400


async def test_background_worker_delivers_soon_after_commit(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url)
    # A long poll interval: only the wake-up after the commit can explain a quick delivery.
    services.settings = replace(services.settings, webhook_worker=True, webhook_poll_interval=30.0)
    await start_worker(services)
    await asyncio.sleep(0.05)  # let the first, empty poll pass
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    for _ in range(100):
        if rx.requests:
            break
        await asyncio.sleep(0.02)
    assert len(rx.requests) == 1
    for _ in range(100):
        if (await only_delivery(api))["Status"] == "Delivered":
            break
        await asyncio.sleep(0.02)
    assert (await only_delivery(api))["Status"] == "Delivered"
