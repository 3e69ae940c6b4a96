"""`POST /oauth/token` (form-encoded, OrderCloud's grant types, decided in `app.auth.grants`)
and `GET /oauth/certs/{kid}`."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from app.auth.grants import OAuthError, token_response
from app.auth.throttle import source_address
from app.errors import envelope
from app.routes.openid_signin import SIGNIN_ROUTES
from app.state import Services
from app.wire import check_text, encode
from domain.errors import ValidationFailed


@post("/oauth/token", status_code=200)
async def token(request: Request[Any, Any, Any]) -> Response[bytes]:
    services: Services = request.app.state.services
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        for key, value in form.items():
            # A NUL in a username reaches a PostgreSQL query: refuse it on both databases alike.
            check_text(key, key)
            check_text(value, key)
        body = await token_response(services, form, _source_address(request, services))
    except OAuthError as exc:
        response = envelope(exc.status, exc.code, exc.message, None, **exc.extra)
        response.headers.update(exc.headers)
        return response
    except ValidationFailed as exc:
        return envelope(exc.status, exc.code, exc.message, exc.data)
    return Response(content=encode(body), media_type="application/json")


def _source_address(request: Request[Any, Any, Any], services: Services) -> str:
    return source_address(request, trust_forwarded=services.settings.trust_forwarded_for)


@get("/oauth/certs/{kid:str}")
async def certs(request: Request[Any, Any, Any]) -> Response[bytes]:
    services: Services = request.app.state.services
    kid = str(request.path_params["kid"])
    jwk = await services.tokens.public_jwk(kid)
    if jwk is None:
        return envelope(404, "NotFound", f"Key {kid} not found", {"ObjectType": "Key", "ObjectID": kid})
    return Response(content=encode(jwk), media_type="application/json")


@get("/oauth/certs")
async def cert_set(request: Request[Any, Any, Any]) -> Response[bytes]:
    services: Services = request.app.state.services
    key = await services.tokens.current_key()
    return Response(content=encode({"keys": [key.public_jwk]}), media_type="application/json")


# OpenID Connect sign-in lives at the root too (app/routes/openid_signin.py).
ROUTES = [token, certs, cert_set, *SIGNIN_ROUTES]
