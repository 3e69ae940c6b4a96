"""Platform webhook signatures: base64 HMAC-SHA256 of the raw body (Shopify, WooCommerce) and
Wix's RS256-signed JWT bodies."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from integrations.channels.signatures import sign, verify, wix_event, wix_order

# Computed independently: printf '{"id":1}' | openssl dgst -sha256 -hmac hush -binary | base64
VECTOR = (b'{"id":1}', "hush", "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=")


def test_signature_matches_an_independent_computation() -> None:
    body, secret, expected = VECTOR
    assert sign(secret, body) == expected
    assert verify(secret, body, expected)


def test_anything_else_is_refused() -> None:
    body, secret, expected = VECTOR
    assert not verify(secret, body + b" ", expected)  # one byte more: the raw body is what is signed
    assert not verify("other", body, expected)
    assert not verify(None, body, expected)  # no secret configured: nothing is accepted
    assert not verify(secret, body, None)
    assert not verify(secret, body, "")


def _keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def wix_jwt(private: str, data: dict[str, Any], *, exp: int | None = None) -> bytes:
    """Wix's envelope: claims {data, iat, exp}; `data` and its `data` are JSON strings."""
    envelope = {"eventType": "wix.ecom.v1.order_created", "instanceId": "inst-1", "data": json.dumps(data)}
    now = int(time.time())
    claims = {"data": json.dumps(envelope), "iat": now, "exp": exp if exp is not None else now + 300}
    return jwt.encode(claims, private, algorithm="RS256").encode()


def test_wix_jwt_is_checked_with_the_app_public_key() -> None:
    private, public = _keys()
    other_private, other_public = _keys()
    order = {"id": "o-1"}
    body = wix_jwt(private, {"id": "evt", "slug": "created", "createdEvent": {"entity": order}})
    event = wix_event(public, body)
    assert event is not None and event["eventType"] == "wix.ecom.v1.order_created"
    assert wix_order(event) == order
    assert wix_event(other_public, body) is None  # another key
    assert wix_event(None, body) is None
    head, claims, sig = body.split(b".")
    assert wix_event(public, b".".join([head, claims, sig[:-2] + b"AA"])) is None  # tampered
    assert wix_event(public, wix_jwt(private, {"createdEvent": {"entity": order}}, exp=1)) is None  # expired
    assert wix_event(public, b"not a jwt") is None
    # An HS256 token made with the public key as secret (algorithm confusion) is refused.
    forged = jwt.encode({"data": "{}"}, "k" * 32, algorithm="HS256").encode()
    assert wix_event(public, forged) is None
    # Updated and action events carry the order too; other events carry none.
    updated = wix_event(public, wix_jwt(other_private, {}))
    assert updated is None
    assert wix_order({"data": {"updatedEvent": {"currentEntity": order}}}) == order
    assert wix_order({"data": {"actionEvent": {"body": {"order": order}}}}) == order
    assert wix_order({"data": {"deletedEvent": {}}}) is None
