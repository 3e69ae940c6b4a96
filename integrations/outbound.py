"""Where ordercore may send requests: the one outbound-URL policy (docs/security-orders.md,
"Outbound URLs").

* Only absolute `http://` or `https://` URLs with a host are accepted (webhook `Url`, integration
  event `CustomImplementationUrl`), checked when they are saved (`url_refusal`).
* Link-local addresses (169.254.0.0/16, fe80::/10, which hold the cloud metadata services),
  the other known metadata addresses and hostnames, unspecified and multicast addresses are
  refused always.
* Private, loopback, shared (CGNAT) and other non-global addresses are refused unless
  `allow_private` (`ORDERCORE_OUTBOUND_ALLOW_PRIVATE=true`): self-hosted middleware often runs on
  localhost or a private network, which the operator must allow on purpose.
* The same rule runs again at call time on every address the host name resolves to, and the
  connection goes to an address that passed (`GuardedBackend`), so a name that resolves to
  169.254.169.254 when ordercore calls it (DNS rebinding) is refused however it resolved when the
  URL was saved.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from domain.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services outside 169.254.0.0/16: AWS over IPv6, Alibaba Cloud.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200"))
METADATA_HOSTS = frozenset(("metadata", "metadata.google.internal", "metadata.goog", "instance-data"))
LOCAL_HOSTS = frozenset(("localhost", "localhost.localdomain"))


class OutboundRefused(httpcore.ConnectError):
    """A call to an address the policy refuses; httpx reports it as a `ConnectError`."""


def address_refusal(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why `ip` may not be called, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES or ip.is_link_local:
        return "link-local and cloud metadata addresses are never called"
    if ip.is_unspecified or ip.is_multicast:
        return "unspecified and multicast addresses are never called"
    if ip.is_global or allow_private:
        return None
    return "private and loopback addresses are refused unless ORDERCORE_OUTBOUND_ALLOW_PRIVATE is set"


def _host_refusal(host: str, *, allow_private: bool) -> str | None:
    name = host.strip("[]").rstrip(".").lower()
    try:
        return address_refusal(ipaddress.ip_address(name), allow_private=allow_private)
    except ValueError:
        pass
    if name in METADATA_HOSTS:
        return "cloud metadata hosts are never called"
    if (name in LOCAL_HOSTS or name.endswith(".localhost")) and not allow_private:
        return "loopback hosts are refused unless ORDERCORE_OUTBOUND_ALLOW_PRIVATE is set"
    return None


def url_refusal(url: Any, *, allow_private: bool) -> str | None:
    """Why `url` is not an acceptable outbound URL, or None when it is (before any DNS lookup)."""
    if not isinstance(url, str) or not url.strip():
        return "must be an absolute http or https URL"
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return "must be an absolute http or https URL"
    if parts.scheme.lower() not in ("http", "https") or not host:
        return "must be an absolute http or https URL"
    return _host_refusal(host, allow_private=allow_private)


def require_url(url: Any, field: str, *, allow_private: bool) -> None:
    """400 `ValidationFailure` (Data.Field) for a URL the policy refuses."""
    reason = url_refusal(url, allow_private=allow_private)
    if reason is not None:
        raise ValidationFailed(f"{field} {reason}", "ValidationFailure", {"Field": field})


def resolved_refusal(addresses: Iterable[str], *, allow_private: bool) -> str | None:
    """Why any of a host's resolved addresses may not be called (one bad answer spoils the name:
    which address a connection would get is the resolver's choice)."""
    for address in addresses:
        reason = address_refusal(ipaddress.ip_address(address.split("%")[0]), allow_private=allow_private)
        if reason is not None:
            return reason
    return None


async def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, in the resolver's order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the policy applied where the connection is made: the
    host is resolved here, every address is checked, and the socket goes to a checked address
    (TLS still verifies the host name: httpcore passes it as SNI separately)."""

    def __init__(self, *, allow_private: bool, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.allow_private = allow_private
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        reason = _host_refusal(host, allow_private=self.allow_private)
        if reason is not None:
            raise OutboundRefused(f"outbound call refused: {reason}")
        try:
            addresses = await resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"could not resolve the host: {exc}") from exc
        reason = resolved_refusal(addresses, allow_private=self.allow_private)
        if reason is not None:
            raise OutboundRefused(f"outbound call refused: {reason}")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundRefused("outbound calls go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
