"""OpenID Connect sign-in, at the root as OrderCloud serves it (its auth host, not `/v1`):
`GET /ocrplogin?id=&cid=&roles=&appstartpath=` sends the browser to the identity provider and
`GET /ocrpcode` (the redirect URI to register at the IdP) brings it back to the AppStartUrl with
an ordercore token. The rules: app.auth.openid, docs/openid-connect.md. Mounted by
app/routes/oauth.py (outside `/v1`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import Cookie

from app.auth import openid
from app.auth.grants import OAuthError
from app.errors import envelope
from app.state import Services
from app.wire import check_text
from domain.errors import ValidationFailed


def _query(request: Request[Any, Any, Any], name: str) -> str:
    for key, value in request.query_params.items():
        if key.lower() == name:
            return str(value)
    return ""


def _refusal(exc: OAuthError | ValidationFailed) -> Response[bytes]:
    if isinstance(exc, OAuthError):
        return envelope(exc.status, exc.code, exc.message, None, **exc.extra)
    return envelope(exc.status, exc.code, exc.message, exc.data)


def _cookie(request: Request[Any, Any, Any], value: str | None) -> Cookie:
    return Cookie(
        key=openid.COOKIE,
        value=value or "",
        path=openid.CALLBACK_PATH,
        max_age=openid.STATE_SECONDS if value else 0,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
    )


@get("/ocrplogin")
async def ocrp_login(request: Request[Any, Any, Any]) -> Response[bytes]:
    services: Services = request.app.state.services
    try:
        for key, value in request.query_params.items():
            check_text(str(value), key)
        redirect = await openid.start(
            services,
            _query(request, "id"),
            _query(request, "cid"),
            _query(request, "roles"),
            _query(request, "appstartpath"),
        )
    except (OAuthError, ValidationFailed) as exc:
        return _refusal(exc)
    return Response(
        content=b"",
        status_code=302,
        headers={"Location": redirect.location},
        cookies=[_cookie(request, redirect.cookie)],
    )


@get("/ocrpcode")
async def ocrp_code(request: Request[Any, Any, Any]) -> Response[bytes]:
    services: Services = request.app.state.services
    try:
        for key, value in request.query_params.items():
            check_text(str(value), key)
        redirect = await openid.finish(
            services,
            _query(request, "code"),
            _query(request, "state"),
            request.cookies.get(openid.COOKIE),
            _query(request, "error") or None,
        )
    except (OAuthError, ValidationFailed) as exc:
        return _refusal(exc)
    return Response(
        content=b"",
        status_code=302,
        headers={"Location": redirect.location, "Cache-Control": "no-store"},
        cookies=[_cookie(request, None)],
    )


SIGNIN_ROUTES = [ocrp_login, ocrp_code]
