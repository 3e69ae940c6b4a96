"""Checkout integration events: synchronous calls to the merchant's middleware.

OrderCloud POSTs the event payload to ``CustomImplementationUrl`` plus a suffix
(``/shippingrates``, ``/ordercalculate``, ``/ordersubmit``, ``/ordersubmitforapproval``,
``/orderapproved``), signed with ``X-oc-hash``, and needs the JSON object it answers to go on.

`call_integration_event` never raises for network or receiver problems: it returns a
`CalloutResult` whose `error_code` names the failure, because the use case decides whether a
failure blocks the buyer (submit) or is stored in the worksheet (calculate, shipping rates).
`raise_for_callout` turns a failed result into `IntegrationEventFailed` for the blocking case.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

from domain.errors import DomainError
from integrations.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    PROTOCOL_ERROR,
    TIMEOUT,
    ResponseTooLarge,
    classify_transport_error,
    send_capped,
)
from integrations.signing import OC_HASH_HEADER, oc_hash

log = logging.getLogger("ordercore.integrations")

ERROR_TIMEOUT = "IntegrationEvent.Timeout"
ERROR_CONNECTION_FAILED = "IntegrationEvent.ConnectionFailed"
ERROR_BAD_RESPONSE = "IntegrationEvent.BadResponse"
ERROR_RESPONSE_TOO_LARGE = "IntegrationEvent.ResponseTooLarge"

RAW_BODY_EXCERPT_BYTES = 4 * 1024


@dataclass(frozen=True, slots=True)
class CalloutResult:
    ok: bool
    status_code: int | None
    # The parsed JSON object when ok, else None; non-integer numbers are exact Decimals (money).
    json: Any
    # The first 4 KiB of the answer, decoded leniently, for logs and the worksheet's
    # UnhandledErrorBody.
    raw_body: str | None
    error_code: str | None
    message: str | None
    duration_ms: float
    url: str


class IntegrationEventFailed(DomainError):
    """The merchant's integration did not give a usable answer.

    Answered with 502 Bad Gateway: the request was fine and ordercore is fine, the upstream the
    merchant configured failed. OrderCloud's own status and code for this case are not documented
    (reference section 8); the ErrorCode is one of the ``IntegrationEvent.*`` codes of this module
    so the caller can tell a timeout from a rejected answer, and Data carries ``{"StatusCode"}``
    only: the upstream URL and answer are the merchant's business, not the caller's.
    """

    status = 502
    default_code = ERROR_BAD_RESPONSE


def _excerpt(body: bytes) -> str:
    return body[:RAW_BODY_EXCERPT_BYTES].decode("utf-8", errors="replace")


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN/Infinity, which are not JSON and would poison money arithmetic.
    raise ValueError(f"non-standard JSON constant {name}")


def build_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")


async def call_integration_event(
    client: httpx.AsyncClient,
    *,
    base_url: str,
    path: str,
    hash_key: str,
    body: bytes,
    custom_auth_header: tuple[str, str] | None,
    timeout: float | None,
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> CalloutResult:
    """POST `body` (already-encoded JSON) to the integration and classify the answer.

    `timeout` is the deadline in seconds for the whole exchange; None uses the client's
    connect/read timeouts. A non-2xx status, a body that is not JSON, or JSON that is not an
    object is `IntegrationEvent.BadResponse`; an empty 2xx body counts as not JSON, because every
    checkout event is documented to answer at least ``{}``.
    """
    url = build_url(base_url, path)
    headers: dict[str, str] = {}
    if custom_auth_header is not None:
        headers[custom_auth_header[0]] = custom_auth_header[1]
    # Set after the custom header so a misconfigured header name cannot replace the signature.
    headers["Content-Type"] = "application/json"
    headers[OC_HASH_HEADER] = oc_hash(hash_key, body)

    started = time.perf_counter()

    def result(
        *,
        status_code: int | None,
        error_code: str | None,
        message: str | None,
        raw: bytes | None = None,
        parsed: Any = None,
    ) -> CalloutResult:
        return CalloutResult(
            ok=error_code is None,
            status_code=status_code,
            json=parsed,
            raw_body=None if raw is None else _excerpt(raw),
            error_code=error_code,
            message=message,
            duration_ms=(time.perf_counter() - started) * 1000.0,
            url=url,
        )

    try:
        response = await send_capped(
            client, "POST", url, content=body, headers=headers, timeout=timeout, max_bytes=max_bytes
        )
    except ResponseTooLarge as exc:
        return result(
            status_code=exc.status_code,
            error_code=ERROR_RESPONSE_TOO_LARGE,
            message=f"The integration event's response exceeds {max_bytes} bytes",
        )
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as exc:
        kind = classify_transport_error(exc)
        if kind == TIMEOUT:
            return result(
                status_code=None,
                error_code=ERROR_TIMEOUT,
                message="The integration event call timed out",
            )
        if kind == PROTOCOL_ERROR:
            return result(
                status_code=None,
                error_code=ERROR_BAD_RESPONSE,
                message="The integration event sent a malformed HTTP response",
            )
        return result(
            status_code=None,
            error_code=ERROR_CONNECTION_FAILED,
            message="Could not connect to the integration event",
        )

    status = response.status_code
    raw = response.body
    if not 200 <= status < 300:
        return result(
            status_code=status,
            error_code=ERROR_BAD_RESPONSE,
            message=f"The integration event answered HTTP {status}",
            raw=raw,
        )
    try:
        parsed = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        # RecursionError: deeply nested arrays exhaust the parser's stack well within max_bytes.
        return result(
            status_code=status,
            error_code=ERROR_BAD_RESPONSE,
            message="The integration event answered with a body that is not JSON",
            raw=raw,
        )
    if not isinstance(parsed, dict):
        return result(
            status_code=status,
            error_code=ERROR_BAD_RESPONSE,
            message="The integration event answered with JSON that is not an object",
            raw=raw,
        )
    return result(status_code=status, error_code=None, message=None, raw=raw, parsed=parsed)


def raise_for_callout(result: CalloutResult) -> None:
    """Raise `IntegrationEventFailed` (HTTP 502) when the call failed; do nothing when it worked."""
    if result.ok:
        return
    raise failed(result, result.message or "The integration event failed", result.error_code)


def failed(
    result: CalloutResult, message: str, code: str | None = None, *, detail: str | None = None
) -> IntegrationEventFailed:
    """The 502 for a failed call. Whoever triggered it (a Shopper at checkout) learns what kind
    of failure it was and the upstream status, never the upstream URL nor anything from its
    answer: those are the merchant's, and go to the operator's log (`detail` too), not the caller."""
    log.warning(
        "integration event call failed: %s %s (HTTP %s, %.0f ms)%s",
        code or ERROR_BAD_RESPONSE,
        _loggable(result.url),
        result.status_code,
        result.duration_ms,
        f": {detail}" if detail else "",
    )
    return IntegrationEventFailed(message, code or ERROR_BAD_RESPONSE, {"StatusCode": result.status_code})


def _loggable(url: str) -> str:
    """The URL without credentials or query (either may carry a secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
