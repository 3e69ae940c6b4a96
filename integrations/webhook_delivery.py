"""Webhook delivery: one attempt of a post-hook, and the blocking pre-hook call.

Each request carries the OrderCloud ``X-oc-hash`` and the Standard Webhooks headers
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), both keyed by the webhook's
HashKey (see `integrations.signing` for the key rule). ``webhook-id`` is the delivery ID and stays
the same on every retry, so receivers can drop duplicates; ``webhook-timestamp`` is the time of
the attempt, so each retry is signed afresh.

Retrying is not done here: the outbox worker records each `AttemptResult` and asks
`domain.retry` when (and whether) to try again.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import httpx

from domain.retry import is_retryable
from integrations.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    ResponseTooLarge,
    classify_transport_error,
    send_capped,
)
from integrations.signing import OC_HASH_HEADER, oc_hash, standard_webhook_headers
from integrations.webhook_client import TransportFailure, WebhookClient

RESPONSE_EXCERPT_BYTES = 2 * 1024
REQUEST_ID_HEADER = "X-Request-ID"

# Pre-hook failures beyond the transport ones (Timeout, ConnectionFailed, ProtocolError,
# InvalidUrl from integrations.http).
ERROR_BAD_STATUS = "BadStatus"
ERROR_BAD_RESPONSE = "BadResponse"
ERROR_RESPONSE_TOO_LARGE = "ResponseTooLarge"

_DELAY_SECONDS = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class AttemptResult:
    status_code: int | None
    duration_ms: float
    # Transport failure name (see integrations.http) when no HTTP answer arrived.
    error: str | None
    # Seconds the receiver asked us to wait, from Retry-After.
    retry_after: float | None
    # First 2 KiB of the answer, for the delivery log.
    response_body: str | None
    succeeded: bool
    retryable: bool


@dataclass(frozen=True, slots=True)
class PrehookDecision:
    proceed: bool
    # The hook's "body": returned to the caller when it blocks the request.
    body: Any
    status_code: int | None
    # Set when the hook could not be asked or answered unusably (the request is then blocked);
    # None when the hook decided, either way.
    error: str | None
    duration_ms: float = 0.0


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 10.2.3).

    A date in the past gives 0; anything unparseable gives None (treated as absent).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if _DELAY_SECONDS.match(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # HTTP-dates are always GMT; parsedate_to_datetime leaves "-0000" zones naive.
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _headers(
    body: bytes,
    hash_key: str,
    delivery_id: str,
    timestamp: int,
    custom_auth_header: tuple[str, str] | None,
    request_id: str | None = None,
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if custom_auth_header is not None:
        headers[custom_auth_header[0]] = custom_auth_header[1]
    if request_id is not None:
        # The request that caused the delivery, so both sides' logs can be matched up.
        headers[REQUEST_ID_HEADER] = request_id
    # Protocol headers go last so a custom header with a clashing name cannot replace them.
    headers["Content-Type"] = "application/json"
    headers[OC_HASH_HEADER] = oc_hash(hash_key, body)
    headers.update(standard_webhook_headers(delivery_id, timestamp, body, hash_key))
    return headers


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


async def send_webhook(
    client: httpx.AsyncClient | WebhookClient,
    *,
    url: str,
    body: bytes,
    hash_key: str,
    delivery_id: str,
    timestamp: int,
    custom_auth_header: tuple[str, str] | None,
    timeout: float,
    request_id: str | None = None,
) -> AttemptResult:
    """Make one delivery attempt. Never raises for network or receiver problems.

    `timeout` is the deadline in seconds for the whole exchange. Only the first 2 KiB of the
    answer are read: the reply to a post-hook carries no meaning, and reading more would let a
    receiver tie up the worker. The worker passes its `WebhookClient`; any httpx client works too.
    """
    headers = _headers(body, hash_key, delivery_id, timestamp, custom_auth_header, request_id)
    started = time.perf_counter()
    try:
        if isinstance(client, WebhookClient):
            response = await client.post_capped(
                url, content=body, headers=headers, timeout=timeout, max_bytes=RESPONSE_EXCERPT_BYTES
            )
        else:
            response = await send_capped(
                client,
                "POST",
                url,
                content=body,
                headers=headers,
                timeout=timeout,
                max_bytes=RESPONSE_EXCERPT_BYTES,
                overflow="truncate",
            )
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, TransportFailure) as exc:
        error = exc.name if isinstance(exc, TransportFailure) else classify_transport_error(exc)
        error = error or type(exc).__name__
        return AttemptResult(
            status_code=None,
            duration_ms=_elapsed_ms(started),
            error=error,
            retry_after=None,
            response_body=None,
            succeeded=False,
            retryable=is_retryable(None, error),
        )
    status = response.status_code
    return AttemptResult(
        status_code=status,
        duration_ms=_elapsed_ms(started),
        error=None,
        # Most answers carry no headers worth a look (the worker's client keeps only Retry-After).
        retry_after=parse_retry_after(response.headers.get("retry-after")) if response.headers else None,
        response_body=response.body.decode("utf-8", errors="replace"),
        succeeded=200 <= status < 300,
        retryable=is_retryable(status, None),
    )


def _get_ci(obj: dict[str, Any], key: str) -> tuple[bool, Any]:
    if key in obj:
        return True, obj[key]
    for k, v in obj.items():
        if isinstance(k, str) and k.lower() == key:
            return True, v
    return False, None


async def call_prehook(
    client: httpx.AsyncClient,
    *,
    url: str,
    body: bytes,
    hash_key: str,
    delivery_id: str,
    timestamp: int,
    custom_auth_header: tuple[str, str] | None,
    timeout: float,
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> PrehookDecision:
    """Ask a pre-hook whether the request may go ahead. Fails closed.

    The hook answers ``{"proceed": true}`` or ``{"proceed": false, "body": <any>}``; keys are
    matched case-insensitively and ``proceed`` must be a JSON boolean. A pre-hook is a gate the
    merchant put in front of a state change, so when it cannot be asked (timeout, connection
    failure), answers non-2xx, answers too much, or answers something else, the request is
    blocked (proceed False) with `error` set, rather than let through unchecked.
    """
    headers = _headers(body, hash_key, delivery_id, timestamp, custom_auth_header)
    started = time.perf_counter()

    def blocked(error: str, status_code: int | None, answer: Any = None) -> PrehookDecision:
        return PrehookDecision(False, answer, status_code, error, _elapsed_ms(started))

    try:
        response = await send_capped(
            client, "POST", url, content=body, headers=headers, timeout=timeout, max_bytes=max_bytes
        )
    except ResponseTooLarge as exc:
        return blocked(ERROR_RESPONSE_TOO_LARGE, exc.status_code)
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as exc:
        return blocked(classify_transport_error(exc) or type(exc).__name__, None)

    status = response.status_code
    if not 200 <= status < 300:
        return blocked(ERROR_BAD_STATUS, status)
    try:
        answer = json.loads(response.body)
    except (ValueError, RecursionError):
        return blocked(ERROR_BAD_RESPONSE, status)
    if not isinstance(answer, dict):
        return blocked(ERROR_BAD_RESPONSE, status)
    found, proceed = _get_ci(answer, "proceed")
    if not found or not isinstance(proceed, bool):
        return blocked(ERROR_BAD_RESPONSE, status)
    _, hook_body = _get_ci(answer, "body")
    return PrehookDecision(proceed, hook_body, status, None, _elapsed_ms(started))
