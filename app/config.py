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
    # How often the subscription scheduler looks for due subscriptions (docs/subscriptions.md).
    subscription_poll_interval: float = 30.0
    demo: bool = False
    log_level: str = "info"
    # Browser origins allowed to call the API (comma-separated; `*` any, empty: none): app/cors.py.
    cors_origins: str = "*"
    # Seconds a browser may cache a preflight answer (Chromium caps it at 7200).
    cors_max_age: int = 7200
    # "text" (key=value lines) or "json" (one object per line); docs/operations.md.
    log_format: str = "text"
    # Who may read GET /metrics: "loopback" (callers on this host), "on" (anyone), "off".
    metrics: str = "loopback"
    # Seconds a client is told to wait (Retry-After) while the database is unreachable.
    db_retry_after: int = 5
    # Threads that hash and verify passwords (argon2), so sign-ins never block the event loop;
    # further sign-ins wait for a free thread. 0: one per 4 CPUs (at least one), since one
    # production argon2 call already runs 4 lanes in parallel (docs/security-tokens.md).
    password_workers: int = 0
    # Lockout when no security profile of the user sets PasswordConfig.AllowedFailedAttempts /
    # LockoutDuration: this many wrong passwords in a row lock the account for this many minutes.
    lockout_attempts: int = 10
    lockout_minutes: int = 15
    # `POST /oauth/token` requests allowed per source address and per API client within
    # `token_rate_window` seconds (0: no limit); each server process counts on its own.
    token_rate_per_address: int = 60
    token_rate_per_client: int = 600
    token_rate_window: float = 60.0
    # Behind a reverse proxy: take the source address from the first X-Forwarded-For entry.
    trust_forwarded_for: bool = False
    # Per-process caches of token standing and webhook configuration (docs/performance.md).
    # ORDERCORE_CACHES=false reads them from the database on every request instead: for several
    # server processes on one SQLite file, where no process hears another's changes.
    caches: bool = True
    # Notifications (docs/notifications.md): the SMTP server email goes through
    # (smtp://user:password@host:port?starttls=true; empty: email cannot be sent), the From
    # address and name, and a directory of templates overriding the defaults.
    smtp_url: str = ""
    smtp_from: str = ""
    smtp_from_name: str = ""
    message_templates: str = ""
    # Forgotten credentials (docs/forgotten-credentials.md): minutes a verification code (and its
    # reset token) works, and requests allowed per source address and per user within
    # `token_rate_window` seconds (0: no limit).
    password_reset_minutes: int = 30
    password_reset_rate_per_address: int = 10
    password_reset_rate_per_user: int = 3
    # Origins (comma-separated, e.g. https://shop.example.com) a reset request's URL may point at;
    # the emailed link carries the code, so any other URL is refused.
    password_reset_url_origins: str = ""

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
