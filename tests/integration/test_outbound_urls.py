"""Outbound URL policy (issue #10 item 8, docs/security-orders.md "Outbound URLs"): only absolute
http(s) URLs, never link-local or metadata addresses, private/loopback ones only when the operator
allows them, checked again on the resolved address at call time (DNS rebinding)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from app.state import Services
from app.webhooks.worker import deliver_due
from integrations import outbound
from tests.api.order_fixtures import World
from tests.helpers import Api, error_code
from tests.integration.checkout_support import fill_cart, make_event, make_shop
from tests.integration.receivers import ReceiverPool
from tests.integration.webhooks_support import make_webhook, only_delivery

NEVER = [
    "file:///etc/passwd",
    "gopher://example.com:70/_x",
    "ftp://example.com/x",
    "not a url",
    "/relative/path",
    "http://",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.100.100.200/",
    "http://0.0.0.0:8080/",
]
PRIVATE = [
    "http://127.0.0.1:9000/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "https://192.168.0.5/",
]


async def refused_field(api: Api, path: str, body: dict[str, object]) -> str:
    answer = await api.post(path, body)
    assert answer.status_code == 400, (body, answer.text)
    assert error_code(answer) == "ValidationFailure"
    return str(answer.json()["Errors"][0]["Data"]["Field"])


def event(url: str) -> dict[str, object]:
    return {"Name": "e", "EventType": "OrderCheckout", "CustomImplementationUrl": url, "HashKey": "k"}


def webhook(url: str) -> dict[str, object]:
    return {
        "Name": "w",
        "Url": url,
        "HashKey": "k",
        "WebhookRoutes": [{"Route": "v1/buyers", "Verb": "POST"}],
    }


async def test_only_absolute_http_urls_and_never_metadata_even_when_private_is_allowed(api: Api) -> None:
    assert api.services.settings.outbound_allow_private  # the test suite's receivers are on loopback
    for url in NEVER:
        assert await refused_field(api, "/webhooks", webhook(url)) == "Url"
        assert await refused_field(api, "/integrationEvents", event(url)) == "CustomImplementationUrl"
    for url in PRIVATE:
        await api.ok("POST", "/webhooks", webhook(url))
        await api.ok("POST", "/integrationEvents", event(url))
    created = await api.ok("POST", "/webhooks", {**webhook("https://example.com/hook"), "ID": "wh-ok"})
    patched = await api.patch("/webhooks/wh-ok", {"Url": "http://169.254.169.254/"})
    assert patched.status_code == 400 and created["Url"] == "https://example.com/hook"
    assert (await api.ok("GET", "/webhooks/wh-ok"))["Url"] == "https://example.com/hook"


async def test_private_and_loopback_need_the_setting(api: Api, services: Services) -> None:
    services.settings = replace(services.settings, outbound_allow_private=False)
    for url in PRIVATE:
        assert await refused_field(api, "/webhooks", webhook(url)) == "Url"
        assert await refused_field(api, "/integrationEvents", event(url)) == "CustomImplementationUrl"
    await api.ok("POST", "/webhooks", webhook("https://example.com/hook"))
    await api.ok("POST", "/integrationEvents", event("https://middleware.example.com/oc"))


def resolving_to(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Make every host name resolve to `address`, as a rebinding DNS server would answer."""

    async def fake(host: str, port: int) -> list[str]:
        return [address]

    monkeypatch.setattr(outbound, "resolve", fake)


async def test_a_name_resolving_to_metadata_is_refused_when_delivering(
    api: Api, services: Services, receivers: ReceiverPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rx = receivers.recording()
    port = urlsplit(rx.url).port
    # The name passes the check when saved; what it resolves to is checked at call time.
    await make_webhook(api, f"http://hooks.rebind.test:{port}/hook")
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    resolving_to(monkeypatch, "169.254.169.254")
    assert await deliver_due(services) == 1
    assert rx.requests == []
    failed = await only_delivery(api)
    assert failed["AttemptLog"][0]["StatusCode"] is None and failed["LastError"]

    # Resolving to the receiver's loopback address (allowed in the tests), the same name is
    # delivered: the connection goes to the address that was checked (the name itself does not
    # resolve anywhere).
    await api.ok("POST", "/buyers", {"ID": "b2", "Name": "Buyer"})
    resolving_to(monkeypatch, "127.0.0.1")
    await deliver_due(services)
    assert [r.json()["Response"]["Body"]["ID"] for r in rx.requests] == ["b2"]


async def test_checkout_502_names_no_upstream_url_and_refuses_rebinding(
    api: Api, receivers: ReceiverPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop: World = await make_shop(api)
    rx = receivers.recording()
    port = urlsplit(rx.url).port
    await make_event(api, f"http://middleware.rebind.test:{port}/oc")
    token = await shop.token("alice")
    await fill_cart(shop, token)
    resolving_to(monkeypatch, "169.254.169.254")
    failed = await api.post("/cart/estimateshipping", token=token)
    assert failed.status_code == 502 and error_code(failed) == "IntegrationEvent.ConnectionFailed"
    assert "rebind.test" not in failed.text and "169.254" not in failed.text and str(port) not in failed.text
    assert rx.requests == []
