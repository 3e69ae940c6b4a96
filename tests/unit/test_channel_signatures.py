"""Platform webhook signatures: base64 HMAC-SHA256 of the raw body (Shopify, WooCommerce)."""

from __future__ import annotations

from integrations.channels.signatures import sign, verify

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
