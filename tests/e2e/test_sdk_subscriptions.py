"""A subscription with the official SDK (js/subscriptions.mjs) produces an order on a server of
its own, whose scheduler polls often and whose email goes to an SMTP server in this process: the
OrderSubmitted email for the subscription's order arrives there. The subscription integration's
SDK methods (SubscriptionIntegrations.*) round-trip on the same server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.harness import Server, node_available, run_node, start_server, stop_server
from tests.integration.smtp_server import SmtpServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Server]:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("e2e-subscriptions")
    extra = {
        "ORDERCORE_SMTP_URL": smtp.url,
        "ORDERCORE_SMTP_FROM": "shop@example.com",
        "ORDERCORE_SUBSCRIPTION_POLL_INTERVAL": "0.2",
    }
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        running = start_server(workdir, ["--database-url", f"sqlite+aiosqlite:///{workdir / 'e2e.db'}"])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    yield running
    stop_server(running)


def test_a_subscription_orders_and_the_buyer_is_emailed(own_server: Server, smtp: SmtpServer) -> None:
    result: dict[str, Any] = run_node("subscriptions", own_server.env())
    assert result["items"] == [[result["items"][0][0], 2]]
    assert len(result["orders"]) == 1, result
    order = result["orders"][0]
    assert order["Status"] == "Open" and float(order["Subtotal"]) == 15.0
    assert result["lastOrderID"] == order["ID"] and result["advanced"] is True
    client_id, active, days, patched_days, gone = result["integration"]
    assert client_id and active is False and days == patched_days == 3 and gone == 404
    arrived = [m for m in smtp.inbox.wait(1, timeout=20) if result["email"] in m.rcpt_tos]
    assert arrived, [m.rcpt_tos for m in smtp.inbox.messages]
    assert order["ID"] in arrived[0].part("plain")
