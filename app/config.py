"""Configuration from flags and ORDERCORE_* environment variables (flags win)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _default_db_url() -> str:
    return f"sqlite+aiosqlite:///{Path('data') / 'ordercore.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_db_url)
    # PostgreSQL only: the schema ordercore's tables live in (default: the search_path's).
    database_schema: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # The base URL callers and middleware reach this server at; the `aud`/`iss` of tokens.
    public_url: str = ""
    marketplace_id: str = "ordercore"
    marketplace_name: str = "ordercore marketplace"
    environment: str = "Production"
    integration_connect_timeout: float = 5.0
    integration_read_timeout: float = 10.0
    integration_max_response_bytes: int = 1_048_576
    webhook_timeout: float = 10.0
    # Let webhooks and integration events call private and loopback addresses (middleware on
    # localhost or the LAN). Link-local and cloud metadata addresses stay refused. See
    # docs/security-orders.md ("Outbound URLs"); ORDERCORE_OUTBOUND_ALLOW_PRIVATE=true.
    outbound_allow_private: bool = False
    webhook_worker: bool = True
    webhook_poll_interval: float = 0.5
    demo: bool = False
    log_level: str = "info"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"ORDERCORE_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _coerce(raw, type(getattr(cls(), f.name)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _coerce(raw: str, typ: type) -> Any:
    if typ is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if typ is int:
        return int(raw)
    if typ is float:
        return float(raw)
    return raw
