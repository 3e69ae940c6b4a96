"""What a webhook payload may keep at rest and show in the delivery log (docs/security-orders.md,
"Secrets").

The caller's bearer token (`UserToken`), `Authorization` headers and any field named like a secret
(passwords, client secrets, hash keys, custom auth header values, OAuth tokens) are nulled before
a payload is stored in the outbox, so neither the delivery log nor a read of the database shows
them. The receiver still gets the real `UserToken`, as OrderCloud sends it: the token is kept
apart (`app.webhooks.store`, only while the delivery is pending) and put back at send time.
"""

from __future__ import annotations

from typing import Any

from app.wire import decode_json, encode

USER_TOKEN = "UserToken"
SECRET_KEYS = frozenset(
    k.lower()
    for k in (
        USER_TOKEN,
        "Authorization",
        "Password",
        "NewPassword",
        "ExistingPassword",
        "CurrentPassword",
        "ClientSecret",
        "HashKey",
        "CustomAuthHeaderValue",
        "access_token",
        "refresh_token",
        "anonUserToken",
        "client_secret",
    )
)
MASK = "***"


def redacted(value: Any) -> Any:
    """`value` with every secret-named key's value nulled, at any depth."""
    if isinstance(value, dict):
        return {k: None if str(k).lower() in SECRET_KEYS else redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def with_user_token(stored_body: str, token: str | None) -> bytes:
    """The body a receiver gets: the stored (redacted) payload with its real UserToken."""
    if not token:
        return stored_body.encode("utf-8")
    payload = decode_json(stored_body.encode("utf-8"))
    if not isinstance(payload, dict) or USER_TOKEN not in payload:
        return stored_body.encode("utf-8")
    payload[USER_TOKEN] = token
    return encode(payload)


def scrub_text(text: str | None, *secrets: str | None) -> str | None:
    """A receiver's answer (or an error) as logged: any secret it echoes is masked."""
    if text is None:
        return None
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
