"""Platform webhook signatures: base64 HMAC-SHA256 of the raw body (Shopify, WooCommerce) and
Wix's RS256-signed JWT bodies."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from integrations.channels import bigcommerce_api
from integrations.channels.signatures import same_secret, sign, verify, wix_event, wix_order

# Computed independently: printf '{"id":1}' | openssl dgst -sha256 -hmac hush -binary | base64
VECTOR = (b'{"id":1}', "hush", "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=")


def test_signature_matches_an_independent_computation() -> None:
    body, secret, expected = VECTOR
    assert sign(secret, body) == expected
    assert verify(secret, body, expected)


# Shopify's documentation illustrates its HMAC-SHA256 with a published example (secret "hush",
# the OAuth query string without its `hmac`, digest shown in hex); webhooks use the same HMAC over
# the raw body, base64-encoded. WooCommerce publishes no example.
SHOPIFY_DOC = (
    b"code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173",
    "hush",
    "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
)
# RFC 4231, test case 2: HMAC-SHA256 itself.
RFC_4231 = (
    b"what do ya want for nothing?",
    "Jefe",
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
)


@pytest.mark.parametrize("vector", [SHOPIFY_DOC, RFC_4231], ids=["shopify-docs", "rfc4231-2"])
def test_signature_reproduces_published_vectors(vector: tuple[bytes, str, str]) -> None:
    body, secret, hex_digest = vector
    expected = base64.b64encode(bytes.fromhex(hex_digest)).decode()
    assert sign(secret, body) == expected
    assert verify(secret, body, expected) and not verify(secret, body, hex_digest)


def test_bigcommerce_header_secret_is_compared_exactly() -> None:
    assert same_secret("bc-hook-secret", "bc-hook-secret")
    assert not same_secret("bc-hook-secret", "bc-hook-secreT")
    assert not same_secret("bc-hook-secret", "bc-hook-secret ")
    assert not same_secret(None, "anything") and not same_secret("bc-hook-secret", None)
    assert not same_secret("", "")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"scope": "store/order/created", "data": {"type": "order", "id": 250}}, 250),
        ({"scope": "store/order/statusUpdated", "data": {"type": "order", "id": "251"}}, 251),
        ({"scope": "store/order/updated", "data": {"id": 252}}, 252),
        ({"scope": "store/order/archived", "data": {"id": 253}}, None),
        ({"scope": "store/product/updated", "data": {"id": 254}}, None),
        ({"scope": "store/order/created", "data": {"id": True}}, None),
        ({"scope": "store/order/created", "data": {"id": "1; DROP"}}, None),
        ({"scope": "store/order/created", "data": {"id": 0}}, None),
        ({"scope": "store/order/created"}, None),
    ],
)
def test_bigcommerce_order_events_name_their_order(event: dict[str, Any], expected: int | None) -> None:
    assert bigcommerce_api.order_id(event) == expected


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
