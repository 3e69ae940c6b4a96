"""API client secrets: besides the client's own `ClientSecret`, any number of named secrets with
an expiration (`/apiclients/{id}/secrets`), so a secret can be rotated without downtime. Only a
SHA-256 digest is stored; the secret itself is shown once, in the answer to its creation."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from app.store.repo import Docs
from domain.clock import parse_iso, utcnow

KIND = "apiclientsecret"


def digest(secret: str) -> str:
    # Secrets are 48 random bytes, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def expired(doc: dict[str, Any]) -> bool:
    expiration = doc.get("Expiration")
    return bool(expiration) and parse_iso(str(expiration)) <= utcnow()


async def secret_matches(docs: Docs, client: dict[str, Any], secret: str) -> bool:
    """The client's `ClientSecret`, or any unexpired secret created for it."""
    own = client.get("ClientSecret")
    if own and hmac.compare_digest(str(own), secret):
        return True
    wanted = digest(secret)
    for doc in await docs.all(KIND, scope=client["ID"]):
        if hmac.compare_digest(doc.get("_Digest", ""), wanted) and not expired(doc):
            return True
    return False


async def has_secret(docs: Docs, client: dict[str, Any]) -> bool:
    """Whether the client has a `ClientSecret` or any unexpired named secret."""
    if client.get("ClientSecret"):
        return True
    return any(not expired(doc) for doc in await docs.all(KIND, scope=client["ID"]))
