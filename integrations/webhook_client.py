"""The webhook worker's HTTP client: one long-lived aiohttp session per worker.

Why not the shared httpx client (`integrations.http`): a worker keeps tens of deliveries in flight
to the same few receivers, and httpx's connection-pool bookkeeping alone took 28 % of the
worker's CPU (236 deliveries/s against 6,200/s for a plain aiohttp client on the same bodies,
docs/performance.md). Pre-hooks and integration events stay on httpx: they are one call per
API request, where that cost does not show.

The same guarantees as the httpx client:

* the outbound URL policy (`integrations.outbound`) runs where connections are made: host names
  are resolved by `GuardedResolver`, every address is checked, and the socket goes to a checked
  address (DNS rebinding is refused); aiohttp does not resolve IP literals, so their host is
  checked before each request;
* no redirects, no proxy from the environment, a deadline for the whole exchange, and at most
  `max_bytes` of the answer read (the rest of a longer answer is dropped with the connection).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult

from integrations import outbound
from integrations.http import (
    CONNECTION_FAILED,
    DEFAULT_CONNECT_TIMEOUT,
    INVALID_URL,
    PROTOCOL_ERROR,
    TIMEOUT,
    USER_AGENT,
    CappedResponse,
)


class TransportFailure(Exception):
    """No usable HTTP answer; `name` is one of the transport failure names of `integrations.http`."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class GuardedResolver(AbstractResolver):
    """Resolves through `outbound.resolve` and refuses a name when any address it resolves to is
    refused by the policy (the same rule as `outbound.GuardedBackend` for httpx)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        reason = outbound._host_refusal(host, allow_private=self.allow_private)
        if reason is None:
            addresses = await outbound.resolve(host, port)
            reason = outbound.resolved_refusal(addresses, allow_private=self.allow_private)
        if reason is not None:
            raise OSError(f"outbound call refused: {reason}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class WebhookClient:
    """An aiohttp session sized for `concurrency` deliveries in flight. Create it inside the
    event loop that uses it; the owner must `aclose()` it."""

    def __init__(
        self,
        *,
        concurrency: int,
        allow_private: bool,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> None:
        self.allow_private = allow_private
        self.connect_timeout = connect_timeout
        # Connections per receiver host are not capped below the concurrency: deliveries to one
        # busy endpoint are what the pool is for.
        connector = aiohttp.TCPConnector(
            limit=max(1, concurrency),
            limit_per_host=0,
            resolver=GuardedResolver(allow_private=allow_private),
            ttl_dns_cache=10,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # Receivers' cookies are never sent back: no jar to filter and update per request.
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
            skip_auto_headers=("Accept-Encoding",),
            auto_decompress=False,
        )
        self._host_checks: dict[str, str | None] = {}
        # aiohttp timeouts are immutable: one per deadline value, not one per request.
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    @property
    def is_closed(self) -> bool:
        return self._session.closed

    async def aclose(self) -> None:
        await self._session.close()

    def _refusal(self, url: str) -> str | None:
        """The policy's answer for the URL's host before any lookup (cached by URL: it depends
        only on the host text, and a worker posts to the same few URLs over and over); IP
        literals are checked only here."""
        if url in self._host_checks:
            return self._host_checks[url]
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            return None  # aiohttp refuses the URL itself
        if len(self._host_checks) > 1024:
            self._host_checks.clear()
        self._host_checks[url] = outbound._host_refusal(host, allow_private=self.allow_private)
        return self._host_checks[url]

    async def post_capped(
        self, url: str, *, content: bytes, headers: dict[str, str], timeout: float, max_bytes: int
    ) -> CappedResponse:
        """POST and read at most `max_bytes` of the answer (the excerpt is `truncated` beyond).
        Raises `TransportFailure` when no HTTP answer arrived."""
        reason = self._refusal(url)
        if reason is not None:
            raise TransportFailure(CONNECTION_FAILED, f"outbound call refused: {reason}")
        limits = self._timeouts.get(timeout)
        if limits is None:
            if len(self._timeouts) > 64:
                self._timeouts.clear()
            # `total` is the whole exchange's deadline: aiohttp keeps its timer running until the
            # answer is read and the connection released (no second, asyncio, timer per request).
            limits = aiohttp.ClientTimeout(total=timeout, connect=min(self.connect_timeout, timeout))
            self._timeouts[timeout] = limits
        try:
            response = await self._session.post(
                url, data=content, headers=headers, timeout=limits, allow_redirects=False
            )
            try:
                body, truncated = await _read_capped(response, max_bytes)
            except BaseException:
                response.close()
                raise
            if truncated:
                response.close()  # drop the connection rather than drain a huge answer
            else:
                response.release()
        except TransportFailure:
            raise
        except Exception as exc:
            name = classify(exc)
            if name is None:
                raise
            raise TransportFailure(name, str(exc) or type(exc).__name__) from exc
        return CappedResponse(response.status, _headers(response), body, truncated)


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> tuple[bytes, bool]:
    if response.content_length is not None and response.content_length <= max_bytes:
        # The usual short answer of announced length: read whole, in one call.
        return await response.read(), False
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        chunk = await response.content.read(max_bytes - size)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
        if response.content.at_eof():  # the whole answer is in: no further read needed
            return b"".join(chunks), False
    # Exactly max_bytes read: truncated only when more was coming.
    more = await response.content.read(1)
    return b"".join(chunks), bool(more)


_NO_HEADERS = httpx.Headers()


def _headers(response: aiohttp.ClientResponse) -> httpx.Headers:
    # Only Retry-After is read from a webhook's answer; keep the shared response type (one
    # shared empty, never modified, set of headers for the usual answer without it).
    value = response.headers.get("Retry-After")
    return httpx.Headers({"retry-after": value}) if value is not None else _NO_HEADERS


def classify(exc: BaseException) -> str | None:
    """Name an aiohttp failure like `integrations.http.classify_transport_error` names httpx's."""
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return TIMEOUT
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError | ValueError):
        return INVALID_URL
    if isinstance(exc, aiohttp.ClientConnectionError | OSError):
        return CONNECTION_FAILED
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return PROTOCOL_ERROR
    if isinstance(exc, aiohttp.ClientError):
        return CONNECTION_FAILED
    return None
