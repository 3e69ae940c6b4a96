"""A thin test client speaking OrderCloud's wire format, with tokens per user."""

from __future__ import annotations

from typing import Any

import httpx

from app.state import Services

ADMIN_CLIENT = "ordercore-admin"


class Api:
    def __init__(self, client: Any, services: Services) -> None:
        self.client = client
        self.services = services
        self.admin_token = ""

    async def token(
        self, username: str, password: str, client_id: str = ADMIN_CLIENT, scope: str | None = None
    ) -> httpx.Response:
        form = {"grant_type": "password", "username": username, "password": password, "client_id": client_id}
        if scope is not None:
            form["scope"] = scope
        return await self.client.post("/oauth/token", data=form)

    async def login(
        self, username: str, password: str, client_id: str = ADMIN_CLIENT, scope: str | None = None
    ) -> str:
        response = await self.token(username, password, client_id, scope)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def login_admin(self, password: str) -> None:
        self.admin_token = await self.login("admin", password)

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        params: Any = None,
        raw: bytes | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        kwargs: dict[str, Any] = {"headers": headers, "params": params}
        if raw is not None:
            kwargs["content"] = raw
            headers["Content-Type"] = "application/json"
        elif body is not None:
            kwargs["json"] = body
        return await self.client.request(method, "/v1" + path, **kwargs)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("POST", path, body, **kw)

    async def put(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("PUT", path, body, **kw)

    async def patch(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("PATCH", path, body, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.call("DELETE", path, **kw)

    async def ok(
        self, method: str, path: str, body: Any = None, *, status: int | None = None, **kw: Any
    ) -> Any:
        """Call and insist on success; returns the parsed body (None for 204)."""
        response = await self.call(method, path, body, **kw)
        expected = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


def error_code(response: httpx.Response) -> str:
    return str(response.json()["Errors"][0]["ErrorCode"])
