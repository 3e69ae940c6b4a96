"""CORS for browser storefronts: the official SDK calls the API from another origin.

OrderCloud's API answers any origin: its calls carry a bearer token in `Authorization`, never a
cookie, so a page on another origin gains nothing it could not do with the token itself. ordercore
does the same by default (`ORDERCORE_CORS_ORIGINS=*`) and narrows it with that one setting
(docs/cors.md). Credentials (cookies) are never allowed.

Litestar's CORS middleware wraps the router inside the app's exception handling, so error answers
(401, 404, 400) carry the headers too (a browser hides the body of an answer without them), and it
answers preflights itself before any routing, so case-folded paths and unknown paths preflight alike.
Requests without an `Origin` header (nothing to add to their answers) skip it (`OriginGate`).
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from app.config import Settings

try:  # where this Litestar keeps it; older releases exposed it as litestar.middleware.cors
    from litestar.middleware._internal.cors import CORSMiddleware
except ImportError:  # pragma: no cover
    from litestar.middleware.cors import CORSMiddleware  # type: ignore[no-redef]

# What the official SDK (and axios under it) sends: Authorization on every API call, Content-Type
# application/json on API calls and form-encoded on /oauth/token, Accept on /oauth/token.
# X-Request-ID lets a storefront correlate its calls with the server's log.
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Accept", "X-Request-ID"]
ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Response headers a browser script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = ["X-Request-ID", "Retry-After"]


def parse_origins(raw: str) -> list[str]:
    """`ORDERCORE_CORS_ORIGINS`: comma-separated origins (`*`, `https://shop.example.com`,
    `https://*.example.com`). A trailing slash is dropped: a browser's Origin never has one."""
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip().rstrip("/")]


def cors_config(settings: Settings) -> CORSConfig | None:
    """The CORS configuration, or None (no CORS headers at all) when no origin is allowed."""
    origins = parse_origins(settings.cors_origins)
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=list(ALLOWED_METHODS),  # type: ignore[arg-type]
        allow_headers=list(ALLOWED_HEADERS),
        allow_credentials=False,
        expose_headers=list(EXPOSED_HEADERS),
        max_age=settings.cors_max_age,
    )


class OriginGate:
    """Sends only requests that carry an `Origin` header through Litestar's CORS middleware.

    That middleware builds the request's header mapping (every header decoded, the ~4 KB bearer
    token included) and asks it for `Origin`; without one it passes the request on untouched.
    A same-origin or server-to-server call (no `Origin`) now skips it with one scan of the raw
    header names; every call with `Origin`, preflights included, goes through it exactly as
    before (docs/performance.md, "GET one order, third pass")."""

    def __init__(self, cors: ASGIApp, inner: ASGIApp) -> None:
        self.cors = cors  # Litestar's CORSMiddleware around `inner`
        self.inner = inner  # what that middleware calls: Litestar's exception handling + router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, _ in scope["headers"]:
                if name == b"origin":
                    break
            else:
                await self.inner(scope, receive, send)
                return
        await self.cors(scope, receive, send)


def gate_origins(handler: ASGIApp) -> ASGIApp:
    """`handler` (a Litestar app's `asgi_handler`) behind an `OriginGate` when it is Litestar's
    CORS middleware; as it is otherwise (CORS off)."""
    if isinstance(handler, CORSMiddleware):
        return OriginGate(handler, handler.app)
    return handler
