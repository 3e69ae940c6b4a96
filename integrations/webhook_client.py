"""The webhook worker's HTTP client: pyreqwest (Rust reqwest/hyper), long-lived, one per worker.

Why not the shared httpx client (`integrations.http`): a worker keeps tens of deliveries in flight
to the same few receivers, and httpx's connection-pool bookkeeping alone took 28 % of the
worker's CPU. Why not aiohttp (this client until #13's fourth pass): its request machinery was
~55 % of the worker's samples; pyreqwest does the same exchange, under the same rules below,
for about a third of aiohttp's CPU per request against the same receiver
(docs/performance.md, "Webhook delivery, fourth pass"). Pre-hooks and integration events stay on
httpx: they are one call per API request, where that cost does not show.

The same guarantees as the httpx client:

* the outbound URL policy (`integrations.outbound`) runs before every connection is made. The
  URL is parsed by the client's own parser (`pyreqwest.http.Url`), so the host checked is the
  host connected to. An IP-literal host is checked as it is; a host name is resolved through
  `outbound.resolve`, every address it resolves to is checked (one refused address refuses the
  name: DNS rebinding), and the client is *pinned* to a checked address (reqwest's static
  resolution), so it never resolves the name itself. Names are resolved again after
  `DNS_TTL` seconds, as aiohttp's resolver cache did, one lookup per name at a time;
* TLS verifies the receiver's certificate against the system's trust store (rustls with the
  platform verifier) and the host name, as before;
* no redirects, no proxy from the environment, no cookie store, no decompression, a deadline
  for the whole exchange (resolving the name, connecting, sending, and reading the answer),
  and at most `max_bytes` of the answer read (the rest of a longer answer is dropped with the
  connection). A Retry-After that is not UTF-8 text is ignored, not a failed exchange.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
from pyreqwest.client import Client, ClientBuilder
from pyreqwest.exceptions import (
    BuilderError,
    ClientClosedError,
    DecodeError,
    NetworkError,
    PyreqwestError,
    RequestTimeoutError,
)
from pyreqwest.http import Url
from pyreqwest.response import Response

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

# Seconds a name's checked addresses are used before it is resolved again.
DNS_TTL = 10.0
# Clients pinned to addresses a name no longer resolves to, kept open for the deliveries still
# using them; beyond this many the oldest is closed (long past any delivery's deadline).
RETIRED_CLIENTS = 16


class TransportFailure(Exception):
    """No usable HTTP answer; `name` is one of the transport failure names of `integrations.http`."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class _Target:
    """What a URL needs before each request, worked out once per URL."""

    __slots__ = ("domain", "port", "refusal", "url")

    def __init__(self, url: Url, domain: str | None, port: int, refusal: str | None) -> None:
        self.url = url
        self.domain = domain  # None for an IP-literal host
        self.port = port
        self.refusal = refusal


class _Pin:
    """A name's checked address and the client pinned to it."""

    __slots__ = ("address", "client", "expires")

    def __init__(self, address: str, client: Client, expires: float) -> None:
        self.address = address
        self.client = client
        self.expires = expires


class WebhookClient:
    """A client sized for `concurrency` deliveries in flight to each receiver host. The owner
    must `aclose()` it."""

    def __init__(
        self,
        *,
        concurrency: int,
        allow_private: bool,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> None:
        self.allow_private = allow_private
        self.concurrency = max(1, concurrency)
        self.connect_timeout = connect_timeout
        # IP-literal hosts need no resolution: one client for all of them.
        self._literal = self._build(None)
        self._pins: dict[str, _Pin] = {}
        self._retired: list[Client] = []
        self._resolving: dict[str, asyncio.Lock] = {}
        self._targets: dict[str, _Target] = {}
        self._timeouts: dict[float, timedelta] = {}
        self._closed = False

    def _build(self, pin: tuple[str, str] | None) -> Client:
        builder = (
            ClientBuilder()
            # Connections per receiver host are not capped below the concurrency: deliveries to
            # one busy endpoint are what the pool is for.
            .max_connections(self.concurrency)
            .follow_redirects(False)
            .no_proxy()
            .default_cookie_store(False)
            .gzip(False)
            .brotli(False)
            .zstd(False)
            .deflate(False)
            .user_agent(USER_AGENT)
            .connect_timeout(timedelta(seconds=self.connect_timeout))
        )
        if pin is not None:
            # reqwest ignores the port of a static resolution: the URL's port is used.
            builder = builder.resolve(pin[0], pin[1], 0)
        return builder.build()

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        self._closed = True
        clients = [self._literal, *(pin.client for pin in self._pins.values()), *self._retired]
        self._pins.clear()
        self._retired.clear()
        for client in clients:
            await client.close()

    def _target(self, url: str) -> _Target:
        """The parsed URL and the policy's answer for its host before any lookup (cached by URL:
        a worker posts to the same few URLs over and over)."""
        target = self._targets.get(url)
        if target is not None:
            return target
        try:
            parsed = Url(url)
        except (ValueError, PyreqwestError) as exc:
            raise TransportFailure(INVALID_URL, str(exc) or "invalid URL") from exc
        host = parsed.host_str
        port = parsed.port_or_known_default
        if parsed.scheme not in ("http", "https") or not host or port is None:
            raise TransportFailure(INVALID_URL, "must be an absolute http or https URL")
        target = _Target(
            parsed, parsed.domain, port, outbound._host_refusal(host, allow_private=self.allow_private)
        )
        if len(self._targets) > 1024:
            self._targets.clear()
        self._targets[url] = target
        return target

    async def _client_for(self, target: _Target, timeout: float) -> tuple[Client, timedelta]:
        """The client for `target` and the request's deadline."""
        limit = self._timeout(timeout)
        if target.domain is None:
            return self._literal, limit
        pin = self._pins.get(target.domain)
        if pin is not None and pin.expires > time.monotonic():
            return pin.client, limit
        return await self._resolved(target.domain, target.port, timeout)

    async def _resolved(self, domain: str, port: int, timeout: float) -> tuple[Client, timedelta]:
        """The client for a name due a lookup, and what is left of the deadline for the request.
        The lookup counts against the deadline (as it did under aiohttp's total timeout): a
        stalled resolver must not hold a delivery, and its leased row, past its attempt."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout):
                client = await self._pinned(domain, port)
        except TimeoutError as exc:
            raise TransportFailure(TIMEOUT, "the host was not resolved within the deadline") from exc
        left = timeout - (time.monotonic() - started)
        return client, timedelta(seconds=max(left, 0.001))

    async def _pinned(self, domain: str, port: int) -> Client:
        """One lookup of a name at a time: the deliveries that waited for it use its answer (each
        made its own, and built a client, when a worker started with many in flight)."""
        async with self._resolving.setdefault(domain, asyncio.Lock()):
            pin = self._pins.get(domain)
            now = time.monotonic()
            if pin is not None and pin.expires > now:
                return pin.client
            return await self._pin(domain, port, pin, now)

    async def _pin(self, domain: str, port: int, pin: _Pin | None, now: float) -> Client:
        """Resolve the name, check every address, and pin a client to a checked one (the same
        client while the name still gives its address)."""
        try:
            addresses = await outbound.resolve(domain, port)
        except OSError as exc:
            raise TransportFailure(CONNECTION_FAILED, f"could not resolve the host: {exc}") from exc
        reason = outbound.resolved_refusal(addresses, allow_private=self.allow_private)
        if reason is not None:
            raise TransportFailure(CONNECTION_FAILED, f"outbound call refused: {reason}")
        if not addresses:
            raise TransportFailure(CONNECTION_FAILED, "could not resolve the host")
        if pin is not None and pin.address in addresses:
            pin.expires = now + DNS_TTL  # same answer: keep the warm connections
            return pin.client
        if pin is not None:
            await self._retire(pin.client)
        pin = _Pin(addresses[0], self._build((domain, addresses[0].split("%")[0])), now + DNS_TTL)
        self._pins[domain] = pin
        return pin.client

    async def _retire(self, client: Client) -> None:
        self._retired.append(client)
        if len(self._retired) > RETIRED_CLIENTS:
            await self._retired.pop(0).close()

    def _timeout(self, seconds: float) -> timedelta:
        limit = self._timeouts.get(seconds)
        if limit is None:
            if len(self._timeouts) > 64:
                self._timeouts.clear()
            limit = self._timeouts[seconds] = timedelta(seconds=seconds)
        return limit

    async def post_capped(
        self, url: str, *, content: bytes, headers: dict[str, str], timeout: float, max_bytes: int
    ) -> CappedResponse:
        """POST and read at most `max_bytes` of the answer (the excerpt is `truncated` beyond).
        Raises `TransportFailure` when no HTTP answer arrived."""
        target = self._target(url)
        if target.refusal is not None:
            raise TransportFailure(CONNECTION_FAILED, f"outbound call refused: {target.refusal}")
        client, limit = await self._client_for(target, timeout)
        try:
            request = (
                client.post(target.url)
                .headers(headers)
                .body_bytes(content)
                # The whole exchange's deadline: reqwest keeps it running while the answer is read.
                .timeout(limit)
                .streamed_read_buffer_limit(max_bytes)
                .build_streamed()
            )
            # Leaving the block drops an answer not read to its end, with its connection.
            async with request as response:
                body, truncated = await _read_capped(response, max_bytes)
                return CappedResponse(response.status, _headers(response), body, truncated)
        except Exception as exc:
            name = classify(exc)
            if name is None:
                raise
            raise TransportFailure(name, str(exc) or type(exc).__name__) from exc


async def _read_capped(response: Response, max_bytes: int) -> tuple[bytes, bool]:
    reader = response.body_reader
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        chunk = await reader.read(max_bytes - size)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(bytes(chunk))
        size += len(chunk)
    # Exactly max_bytes read: truncated only when more was coming.
    more = await reader.read(1)
    return b"".join(chunks), bool(more)


_NO_HEADERS = httpx.Headers()


def _headers(response: Response) -> httpx.Headers:
    # Only Retry-After is read from a webhook's answer; keep the shared response type (one
    # shared empty, never modified, set of headers for the usual answer without it).
    try:
        value = response.get_header("retry-after")
    except ValueError:
        # Not text (pyreqwest decodes header values as UTF-8): no delay can be read from it, and
        # the answer's status still stands.
        return _NO_HEADERS
    return httpx.Headers({"retry-after": value}) if value is not None else _NO_HEADERS


def classify(exc: BaseException) -> str | None:
    """Name a pyreqwest failure like `integrations.http.classify_transport_error` names httpx's."""
    if isinstance(exc, RequestTimeoutError | TimeoutError):
        return TIMEOUT
    if isinstance(exc, BuilderError | ValueError):
        return INVALID_URL
    if isinstance(exc, NetworkError | ClientClosedError | OSError):
        return CONNECTION_FAILED
    if isinstance(exc, DecodeError):
        return PROTOCOL_ERROR
    if isinstance(exc, PyreqwestError):
        # Anything else from the exchange (a malformed answer, a broken stream) is the
        # receiver's protocol at fault.
        return PROTOCOL_ERROR
    return None
