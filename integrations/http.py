"""The one shared outbound HTTP client and a size-capped way to read answers with it.

One `httpx.AsyncClient` per process keeps connection pools (and TLS sessions) to merchant
middleware warm; create it at startup with `create_client` and close it at shutdown.

Defaults and why:

* connect timeout 5 s: a host that has not accepted a TCP/TLS connection in 5 s is down or
  unreachable; waiting longer only holds the caller's request open.
* read timeout 10 s: integration events run while a buyer waits for checkout, and OrderCloud
  documents no timeout of its own; 10 s per read is generous for a tax or shipping call. Per-call
  overrides go through the `timeout` argument of the helpers below.
* no redirects: a signed request must reach exactly the configured URL; following a redirect
  would send the signature (and custom auth header) wherever the receiver points.
* `trust_env=False`: proxy environment variables must not silently reroute merchant traffic; pass
  `proxy=` explicitly when one is needed.
* responses are read through `send_capped`, which stops reading at `max_bytes` (default 1 MiB)
  so a misbehaving receiver cannot make the service buffer unbounded data.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import httpcore
import httpx

from domain.retry import ERROR_CONNECTION_FAILED, ERROR_INVALID_URL, ERROR_PROTOCOL, ERROR_TIMEOUT
from integrations.outbound import GuardedBackend

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
USER_AGENT = "ordercore/0.1"


def create_client(
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    max_connections: int = 100,
    max_keepalive_connections: int = 20,
    proxy: str | None = None,
    allow_private: bool = False,
) -> httpx.AsyncClient:
    """Build the process-wide client. The caller owns it and must `aclose()` it. Every connection
    it opens goes through the outbound policy (`integrations.outbound`); `allow_private` lets it
    reach private and loopback addresses. Through a `proxy` the proxy sees the target, not us,
    so the policy then rests on the URL checks made when URLs are saved."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_keepalive_connections
    )
    transport = None
    if proxy is None:
        transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
        # httpx has no public way to choose httpcore's network backend: give the transport a pool
        # with the same settings whose connections are made by the guarded backend.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allow_private=allow_private),
        )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=False,
        trust_env=False,
        proxy=proxy,
        transport=transport,
        limits=limits,
        headers={"User-Agent": USER_AGENT},
    )


class ResponseTooLarge(Exception):
    """The answer's body exceeded the allowed size."""

    def __init__(self, limit: int, status_code: int) -> None:
        super().__init__(f"response body exceeds {limit} bytes")
        self.limit = limit
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class CappedResponse:
    status_code: int
    headers: httpx.Headers
    body: bytes
    # True when the body was cut at max_bytes (only with overflow="truncate").
    truncated: bool


def request_timeout(client: httpx.AsyncClient, timeout: float | None) -> tuple[httpx.Timeout, float]:
    """Per-phase httpx timeouts and the overall deadline for one exchange.

    httpx timeouts apply per network operation, so a receiver trickling one byte every few
    seconds would never trip them; the overall deadline bounds the whole exchange. With
    `timeout=None` the client's own settings apply and the deadline is connect + read.
    With a number, it is the deadline for the whole exchange and no phase may take longer.
    """
    base = client.timeout
    connect = base.connect if base.connect is not None else DEFAULT_CONNECT_TIMEOUT
    read = base.read if base.read is not None else DEFAULT_READ_TIMEOUT
    if timeout is None:
        return base, connect + read
    return httpx.Timeout(timeout, connect=min(connect, timeout)), timeout


async def send_capped(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout: float | None,
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    overflow: Literal["error", "truncate"] = "error",
) -> CappedResponse:
    """Send one request and read at most `max_bytes` of the answer.

    `overflow="error"` raises `ResponseTooLarge` (early when Content-Length already says so);
    `overflow="truncate"` keeps the first `max_bytes` and stops reading, for callers that only
    want a diagnostic excerpt. Transport errors propagate as httpx exceptions; an exceeded overall
    deadline propagates as `TimeoutError`. Use `classify_transport_error` to name them.
    """
    phase_timeout, deadline = request_timeout(client, timeout)
    request = client.build_request(method, url, content=content, headers=headers, timeout=phase_timeout)
    async with asyncio.timeout(deadline):
        response = await client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length")
            too_long = declared is not None and declared.isdigit() and int(declared) > max_bytes
            if overflow == "error" and too_long:
                raise ResponseTooLarge(max_bytes, response.status_code)
            chunks: list[bytes] = []
            size = 0
            truncated = False
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    if overflow == "error":
                        raise ResponseTooLarge(max_bytes, response.status_code)
                    chunks.append(chunk[: len(chunk) - (size - max_bytes)])
                    truncated = True
                    break
                chunks.append(chunk)
        finally:
            # Closing mid-body drops the connection instead of draining the rest of a huge answer.
            await response.aclose()
    return CappedResponse(response.status_code, response.headers, b"".join(chunks), truncated)


# Names for transport failures, shared by integration events and webhooks; the retry policy
# owns the vocabulary because it decides what each one means.
TIMEOUT = ERROR_TIMEOUT
CONNECTION_FAILED = ERROR_CONNECTION_FAILED
PROTOCOL_ERROR = ERROR_PROTOCOL
INVALID_URL = ERROR_INVALID_URL


def classify_transport_error(exc: BaseException) -> str | None:
    """Name a failure that produced no usable HTTP answer, or None if it is not one.

    Timeouts (connect, read, write, pool, or the overall deadline) -> "Timeout"; refused
    connections, DNS failures and dropped sockets -> "ConnectionFailed"; malformed HTTP from the
    peer -> "ProtocolError"; a URL httpx cannot request -> "InvalidUrl".
    """
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return TIMEOUT
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return INVALID_URL
    if isinstance(exc, httpx.NetworkError):
        return CONNECTION_FAILED
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError):
        return PROTOCOL_ERROR
    if isinstance(exc, httpx.TransportError):
        return CONNECTION_FAILED
    return None
