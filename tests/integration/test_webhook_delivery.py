from __future__ import annotations

import email.utils
import json
import random
import time

import httpx
import pytest

from domain.retry import next_delay
from integrations.http import classify_transport_error
from integrations.signing import verify_standard_webhook
from integrations.webhook_delivery import (
    ERROR_BAD_RESPONSE,
    ERROR_BAD_STATUS,
    ERROR_RESPONSE_TOO_LARGE,
    AttemptResult,
    PrehookDecision,
    call_prehook,
    parse_retry_after,
    send_webhook,
)
from tests.integration.receivers import (
    HASH_KEY,
    ReceiverPool,
    Reply,
    expected_oc_hash,
    json_reply,
    unused_port,
)

BODY = json.dumps(
    {"Route": "v1/orders/{direction}/{orderID}/submit", "RouteParams": {"direction": "Outgoing"}}
).encode()


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    *,
    delivery_id: str = "dlv_1",
    timestamp: int | None = None,
    timeout: float = 2.0,
    custom_auth_header: tuple[str, str] | None = None,
) -> AttemptResult:
    return await send_webhook(
        client,
        url=url,
        body=BODY,
        hash_key=HASH_KEY,
        delivery_id=delivery_id,
        timestamp=int(time.time()) if timestamp is None else timestamp,
        custom_auth_header=custom_auth_header,
        timeout=timeout,
    )


async def prehook(client: httpx.AsyncClient, url: str, *, timeout: float = 2.0) -> PrehookDecision:
    return await call_prehook(
        client,
        url=url,
        body=BODY,
        hash_key=HASH_KEY,
        delivery_id="dlv_pre",
        timestamp=int(time.time()),
        custom_auth_header=None,
        timeout=timeout,
    )


async def test_delivery_headers(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.recording(Reply(status=204, body=b""))
    result = await deliver(
        http_client, rx.url + "/webhooks", timestamp=1700000000, custom_auth_header=("X-Api-Key", "k1")
    )
    assert result.succeeded and not result.retryable
    assert result.status_code == 204 and result.error is None
    (req,) = rx.requests
    assert req.method == "POST" and req.path == "/webhooks" and req.body == BODY
    assert req.oc_hash_valid is True and req.header("X-oc-hash") == expected_oc_hash(BODY)
    assert req.header("content-type") == "application/json"
    assert req.header("x-api-key") == "k1"
    assert req.header("webhook-id") == "dlv_1"
    assert req.header("webhook-timestamp") == "1700000000"
    assert verify_standard_webhook(dict(req.headers), req.body, HASH_KEY, now=1700000000)


async def test_flaky_receiver_retries_keep_webhook_id(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    rx = receivers.flaky(2)
    outcomes = []
    for attempt in range(3):
        outcomes.append(await deliver(http_client, rx.url, timestamp=1700000000 + attempt * 10))
    assert [o.status_code for o in outcomes] == [500, 500, 200]
    assert [o.retryable for o in outcomes] == [True, True, False]
    assert [o.succeeded for o in outcomes] == [False, False, True]
    assert outcomes[0].response_body == '{"error":"temporarily broken"}'
    assert {r.header("webhook-id") for r in rx.requests} == {"dlv_1"}
    # Each retry is signed afresh with its own timestamp.
    assert len({r.header("webhook-signature") for r in rx.requests}) == 3
    assert all(r.oc_hash_valid for r in rx.requests)


async def test_timeout_is_retryable(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.hanging()
    result = await deliver(http_client, rx.url, timeout=0.3)
    assert result.error == "Timeout" and result.status_code is None
    assert result.retryable and not result.succeeded


async def test_connection_refused_is_retryable(http_client: httpx.AsyncClient) -> None:
    result = await deliver(http_client, f"http://127.0.0.1:{unused_port()}/")
    assert result.error == "ConnectionFailed" and result.retryable


async def test_invalid_url_is_not_retryable(http_client: httpx.AsyncClient) -> None:
    result = await deliver(http_client, "ftp://example.invalid/hook")
    assert result.error == "InvalidUrl" and not result.retryable


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (400, False),
        (401, False),
        (404, False),
        (410, False),
        (408, True),
        (429, True),
        (500, True),
        (503, True),
    ],
)
async def test_status_classification(
    receivers: ReceiverPool, http_client: httpx.AsyncClient, status: int, retryable: bool
) -> None:
    rx = receivers.status(status, b"no")
    result = await deliver(http_client, rx.url)
    assert result.status_code == status
    assert not result.succeeded
    assert result.retryable is retryable
    assert result.response_body == "no"


async def test_redirect_is_a_failure_not_followed(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    target = receivers.recording()
    rx = receivers.status(302, headers={"Location": target.url})
    result = await deliver(http_client, rx.url)
    assert result.status_code == 302 and not result.succeeded and not result.retryable
    assert target.requests == []


async def test_429_retry_after_seconds(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.status(429, headers={"Retry-After": "120"})
    result = await deliver(http_client, rx.url)
    assert result.retry_after == 120.0 and result.retryable
    # The policy honours it when it asks for more than the scheduled 5 s.
    assert next_delay(1, retry_after=result.retry_after, rng=random.Random(1)) == 120.0


async def test_503_retry_after_http_date(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    rx = receivers.status(503, headers={"Retry-After": when})
    result = await deliver(http_client, rx.url)
    assert result.retry_after is not None and 590 <= result.retry_after <= 601


async def test_response_body_excerpt_is_2_kib(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    rx = receivers.huge(8 * 1024 * 1024)
    result = await deliver(http_client, rx.url)
    assert result.succeeded
    assert result.response_body == "x" * 2048


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(" 30 ") == 30.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-5") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now=now) == 90.0
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now=now) == 0.0
    # The obsolete RFC 850 format is still an HTTP-date receivers may send.
    assert parse_retry_after("Tuesday, 14-Nov-23 22:13:20 GMT", now=now) == 0.0


def test_classify_transport_errors() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/")
    assert classify_transport_error(httpx.ConnectTimeout("t", request=request)) == "Timeout"
    assert classify_transport_error(httpx.ReadTimeout("t", request=request)) == "Timeout"
    assert classify_transport_error(TimeoutError()) == "Timeout"
    assert classify_transport_error(httpx.ConnectError("refused", request=request)) == "ConnectionFailed"
    assert classify_transport_error(httpx.ReadError("reset", request=request)) == "ConnectionFailed"
    assert classify_transport_error(httpx.RemoteProtocolError("bad", request=request)) == "ProtocolError"
    assert classify_transport_error(httpx.UnsupportedProtocol("ftp", request=request)) == "InvalidUrl"
    assert classify_transport_error(ValueError()) is None


# --- pre-hooks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "proceed", "body"),
    [
        ({"proceed": True}, True, None),
        (
            {"proceed": False, "body": {"Message": "blocked by policy"}},
            False,
            {"Message": "blocked by policy"},
        ),
        ({"Proceed": False, "Body": "nope"}, False, "nope"),
        ({"PROCEED": True, "body": [1]}, True, [1]),
    ],
)
async def test_prehook_decisions(
    receivers: ReceiverPool, http_client: httpx.AsyncClient, answer: object, proceed: bool, body: object
) -> None:
    rx = receivers.recording(json_reply(answer))
    decision = await prehook(http_client, rx.url)
    assert decision.proceed is proceed
    assert decision.body == body
    assert decision.error is None and decision.status_code == 200
    (req,) = rx.requests
    assert req.oc_hash_valid is True and req.header("webhook-id") == "dlv_pre"


async def test_prehook_fails_closed_on_timeout(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    decision = await prehook(http_client, receivers.hanging().url, timeout=0.3)
    assert decision == PrehookDecision(False, None, None, "Timeout", decision.duration_ms)


async def test_prehook_fails_closed_on_connection_error(http_client: httpx.AsyncClient) -> None:
    decision = await prehook(http_client, f"http://127.0.0.1:{unused_port()}")
    assert not decision.proceed and decision.error == "ConnectionFailed"


@pytest.mark.parametrize("status", [302, 400, 500])
async def test_prehook_fails_closed_on_non_2xx(
    receivers: ReceiverPool, http_client: httpx.AsyncClient, status: int
) -> None:
    # Even an answer saying proceed=true does not count when the status is not 2xx.
    rx = receivers.status(status, b'{"proceed": true}')
    decision = await prehook(http_client, rx.url)
    assert not decision.proceed and decision.error == ERROR_BAD_STATUS and decision.status_code == status


@pytest.mark.parametrize(
    "body",
    [b"<html>ok</html>", b"", b"[true]", b"{}", b'{"proceed": "true"}', b'{"proceed": 1}', b'{"body": 1}'],
)
async def test_prehook_fails_closed_on_unparseable_answer(
    receivers: ReceiverPool, http_client: httpx.AsyncClient, body: bytes
) -> None:
    rx = receivers.garbage(body)
    decision = await prehook(http_client, rx.url)
    assert not decision.proceed and decision.error == ERROR_BAD_RESPONSE and decision.status_code == 200


async def test_prehook_fails_closed_on_huge_answer(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    decision = await prehook(http_client, receivers.huge().url)
    assert not decision.proceed and decision.error == ERROR_RESPONSE_TOO_LARGE
