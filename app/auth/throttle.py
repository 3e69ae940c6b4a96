"""Rate limit of `POST /oauth/token`, per source address and per API client: at most N requests
within a sliding window (`Settings.token_rate_per_address`, `token_rate_per_client`,
`token_rate_window`; 0 turns a limit off). Kept in process memory: with several server processes
each one limits on its own, so the effective limit is N times the number of processes."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from litestar import Request

# Above this many tracked keys, keys whose requests all left the window are dropped, so a flood
# from many addresses cannot grow memory without bound.
PRUNE_ABOVE = 10_000


@dataclass
class SlidingWindow:
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> int:
        """Count one request for `key`; 0 if allowed, else seconds until one is (Retry-After).
        A refused request is not counted, so a client that waits is let in."""
        if limit <= 0:
            return 0
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return max(1, math.ceil(hits[0] + window - now))
        hits.append(now)
        if len(self._hits) > PRUNE_ABOVE:
            self._prune(now, window)
        return 0

    def _prune(self, now: float, window: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - window]:
            del self._hits[key]

    def clear(self) -> None:
        self._hits.clear()


@dataclass
class TokenThrottle:
    """The two windows of the token endpoint."""

    by_address: SlidingWindow = field(default_factory=SlidingWindow)
    by_client: SlidingWindow = field(default_factory=SlidingWindow)

    def check(self, address: str, client_id: str, *, per_address: int, per_client: int, window: float) -> int:
        """0 if the request may go on, else the seconds to wait."""
        wait = self.by_address.hit(address, per_address, window)
        if wait:
            return wait
        return self.by_client.hit(client_id, per_client, window)

    def clear(self) -> None:
        self.by_address.clear()
        self.by_client.clear()


def source_address(request: Request[Any, Any, Any], *, trust_forwarded: bool) -> str:
    """The address a limit counts against: the first `X-Forwarded-For` hop behind a trusted proxy,
    else the socket's peer."""
    if trust_forwarded:
        first = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if first:
            return first
    return request.client.host if request.client else ""
