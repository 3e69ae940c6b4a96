from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from integrations.callouts import (
    ERROR_BAD_RESPONSE,
    ERROR_CONNECTION_FAILED,
    ERROR_RESPONSE_TOO_LARGE,
    ERROR_TIMEOUT,
    CalloutResult,
    IntegrationEventFailed,
    call_integration_event,
    raise_for_callout,
)
from tests.integration.receivers import (
    HASH_KEY,
    ReceiverPool,
    Reply,
    answer,
    expected_oc_hash,
    json_reply,
    unused_port,
)

PAYLOAD = json.dumps(
    {"OrderWorksheet": {"Order": {"ID": "o1"}}, "Environment": "Sandbox", "ConfigData": {}}
).encode()


async def call(
    client: httpx.AsyncClient,
    base_url: str,
    *,
    path: str = "/ordercalculate",
    timeout: float | None = 2.0,
    max_bytes: int = 1024 * 1024,
    custom_auth_header: tuple[str, str] | None = None,
) -> CalloutResult:
    return await call_integration_event(
        client,
        base_url=base_url,
        path=path,
        hash_key=HASH_KEY,
        body=PAYLOAD,
        custom_auth_header=custom_auth_header,
        timeout=timeout,
        max_bytes=max_bytes,
    )


@pytest.mark.parametrize(
    "path", ["/shippingrates", "/ordercalculate", "/ordersubmit", "/ordersubmitforapproval", "/orderapproved"]
)
async def test_success_posts_signed_json(
    receivers: ReceiverPool, http_client: httpx.AsyncClient, path: str
) -> None:
    rx = receivers.recording(json_reply({"TaxTotal": 123.45}))
    result = await call(
        http_client, rx.url + "/middleware/", path=path, custom_auth_header=("Authorization", "Bearer s3cret")
    )
    assert result.ok and result.error_code is None and result.message is None
    assert result.status_code == 200
    assert result.json == {"TaxTotal": Decimal("123.45")}  # money stays exact
    assert result.raw_body == '{"TaxTotal": 123.45}'
    assert result.url == rx.url + "/middleware" + path
    assert result.duration_ms > 0
    (req,) = rx.requests
    assert req.method == "POST"
    assert req.path == "/middleware" + path
    assert req.body == PAYLOAD
    assert req.oc_hash_valid is True
    assert req.header("x-oc-hash") == expected_oc_hash(PAYLOAD)
    assert req.header("Content-Type") == "application/json"
    assert req.header("Authorization") == "Bearer s3cret"
    raise_for_callout(result)  # no-op


async def test_custom_header_cannot_replace_signature(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    rx = receivers.recording()
    result = await call(http_client, rx.url, custom_auth_header=("X-oc-hash", "forged"))
    assert result.ok
    assert rx.requests[0].oc_hash_valid is True


async def test_timeout(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.hanging()
    result = await call(http_client, rx.url, timeout=0.3)
    assert not result.ok
    assert result.error_code == ERROR_TIMEOUT
    assert result.status_code is None and result.json is None
    assert 250 < result.duration_ms < 2000


async def test_timeout_from_client_defaults(receivers: ReceiverPool) -> None:
    from integrations.http import create_client

    rx = receivers.hanging()
    async with create_client(connect_timeout=0.2, read_timeout=0.2, allow_private=True) as client:
        result = await call(client, rx.url, timeout=None)
    assert result.error_code == ERROR_TIMEOUT


async def test_connection_refused(http_client: httpx.AsyncClient) -> None:
    result = await call(http_client, f"http://127.0.0.1:{unused_port()}")
    assert not result.ok
    assert result.error_code == ERROR_CONNECTION_FAILED
    assert result.status_code is None


async def test_dns_failure(http_client: httpx.AsyncClient) -> None:
    result = await call(http_client, "http://ordercore-test.invalid")
    assert result.error_code == ERROR_CONNECTION_FAILED


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_non_2xx_is_bad_response(
    receivers: ReceiverPool, http_client: httpx.AsyncClient, status: int
) -> None:
    rx = receivers.status(status, b'{"Errors":[{"Message":"nope"}]}')
    result = await call(http_client, rx.url)
    assert not result.ok
    assert result.error_code == ERROR_BAD_RESPONSE
    assert result.status_code == status
    assert result.json is None
    assert result.raw_body == '{"Errors":[{"Message":"nope"}]}'


async def test_redirect_is_not_followed(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    target = receivers.recording()
    rx = receivers.status(307, headers={"Location": target.url + "/ordercalculate"})
    result = await call(http_client, rx.url)
    assert result.error_code == ERROR_BAD_RESPONSE and result.status_code == 307
    assert target.requests == []


@pytest.mark.parametrize("body", [b"<html>this is not json</html>", b"", b"NaN", b"[" * 100_000])
async def test_body_not_json(receivers: ReceiverPool, http_client: httpx.AsyncClient, body: bytes) -> None:
    rx = receivers.garbage(body)
    result = await call(http_client, rx.url)
    assert result.error_code == ERROR_BAD_RESPONSE
    assert result.status_code == 200
    assert result.raw_body is not None and len(result.raw_body) <= 4096


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
async def test_json_not_object(receivers: ReceiverPool, http_client: httpx.AsyncClient, body: bytes) -> None:
    rx = receivers.garbage(body)
    result = await call(http_client, rx.url)
    assert result.error_code == ERROR_BAD_RESPONSE
    assert result.message is not None and "not an object" in result.message


async def test_huge_streamed_body(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.huge(8 * 1024 * 1024)
    result = await call(http_client, rx.url, max_bytes=64 * 1024)
    assert result.error_code == ERROR_RESPONSE_TOO_LARGE
    assert result.status_code == 200
    assert result.raw_body is None


async def test_huge_declared_length(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.huge(10 * 1024 * 1024, declare_length=True)
    result = await call(http_client, rx.url)
    assert result.error_code == ERROR_RESPONSE_TOO_LARGE


async def test_body_at_exact_cap_is_fine(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    body = b'{"a":"' + b"x" * 1000 + b'"}'
    rx = receivers.recording(Reply(body=body))
    result = await call(http_client, rx.url, max_bytes=len(body))
    assert result.ok
    assert result.raw_body is not None and len(result.raw_body) == 1008


async def test_raw_body_excerpt_is_4_kib(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.status(500, b"e" * 10_000)
    result = await call(http_client, rx.url)
    assert result.raw_body == "e" * 4096


async def test_raise_for_callout(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.status(500, b"boom")
    result = await call(http_client, rx.url, path="/ordersubmit")
    with pytest.raises(IntegrationEventFailed) as info:
        raise_for_callout(result)
    err = info.value
    assert err.status == 502
    assert err.code == ERROR_BAD_RESPONSE
    # The caller gets the status only; URL and answer are the merchant's (docs/security-orders.md).
    assert err.data == {"StatusCode": 500}
    assert rx.url not in err.message and "boom" not in err.message
    assert (
        result.raw_body == "boom" and result.url == rx.url + "/ordersubmit"
    )  # kept for the worksheet and logs


async def test_raise_for_callout_timeout(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.hanging()
    result = await call(http_client, rx.url, timeout=0.2)
    with pytest.raises(IntegrationEventFailed) as info:
        raise_for_callout(result)
    assert info.value.code == ERROR_TIMEOUT
    assert info.value.data["StatusCode"] is None


async def test_trickling_answer_hits_the_overall_deadline(
    receivers: ReceiverPool, http_client: httpx.AsyncClient
) -> None:
    # Each 64 KiB piece arrives well within the per-read timeout; only the deadline stops it.
    rx = receivers.custom(answer(Reply(stream_bytes=2 * 1024 * 1024, chunk_delay=0.1)))
    result = await call(http_client, rx.url, timeout=0.5)
    assert result.error_code == ERROR_TIMEOUT
    assert result.duration_ms < 1500
