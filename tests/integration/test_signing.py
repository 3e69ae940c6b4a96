from __future__ import annotations

import base64
import hashlib
import hmac

import httpx

from integrations.signing import (
    oc_hash,
    standard_webhook_headers,
    standard_webhook_key,
    verify_oc_hash,
    verify_standard_webhook,
)
from integrations.webhook_delivery import send_webhook
from tests.integration.receivers import HASH_KEY, ReceiverPool

BODY = b'{"Route":"v1/orders/{direction}/{orderID}/submit","Verb":"POST","Amount":12.50}'


def independent_oc_hash(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def test_oc_hash_matches_independent_computation() -> None:
    assert oc_hash("my-hash-key", BODY) == independent_oc_hash("my-hash-key", BODY)
    # Non-ASCII keys are UTF-8 encoded, as the .NET and JS catalysts do.
    assert oc_hash(HASH_KEY, BODY) == independent_oc_hash(HASH_KEY, BODY)


def test_oc_hash_fixed_vector() -> None:
    # RFC 4231-style check with a literal: HMAC-SHA256(key="key", msg="The quick brown fox jumps
    # over the lazy dog") = f7bc83f4...d8, base64 below.
    expected = base64.b64encode(
        bytes.fromhex("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    ).decode()
    assert oc_hash("key", b"The quick brown fox jumps over the lazy dog") == expected
    assert expected.endswith("=")  # padded standard base64


def test_verify_oc_hash() -> None:
    good = oc_hash(HASH_KEY, BODY)
    assert verify_oc_hash(HASH_KEY, BODY, good)
    assert not verify_oc_hash(HASH_KEY, BODY + b" ", good)
    assert not verify_oc_hash("other", BODY, good)
    assert not verify_oc_hash(HASH_KEY, BODY, None)
    assert not verify_oc_hash(HASH_KEY, BODY, "")
    assert not verify_oc_hash(HASH_KEY, BODY, "ünicode")


def test_standard_webhooks_spec_vector() -> None:
    # Test vector from the Standard Webhooks reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = standard_webhook_headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}', secret
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_standard_webhook_plain_hash_key_uses_utf8_bytes() -> None:
    headers = standard_webhook_headers("d-1", 1700000000, BODY, HASH_KEY)
    signed = b"d-1.1700000000." + BODY
    expected = base64.b64encode(hmac.new(HASH_KEY.encode(), signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == "v1," + expected
    # The same key expressed as a whsec_ secret signs identically.
    as_whsec = "whsec_" + base64.b64encode(HASH_KEY.encode()).decode()
    assert standard_webhook_key(as_whsec) == HASH_KEY.encode()
    assert standard_webhook_headers("d-1", 1700000000, BODY, as_whsec) == headers


def test_verify_standard_webhook() -> None:
    headers = standard_webhook_headers("d-1", 1700000000, BODY, HASH_KEY)
    assert verify_standard_webhook(headers, BODY, HASH_KEY, now=1700000100)
    upper = {k.upper(): v for k, v in headers.items()}
    assert verify_standard_webhook(upper, BODY, HASH_KEY, now=1700000000)
    # Several signatures (key rotation): any v1 match counts, other versions are ignored.
    rotated = dict(headers, **{"webhook-signature": "v2,abc v1,bogus= " + headers["webhook-signature"]})
    assert verify_standard_webhook(rotated, BODY, HASH_KEY, now=1700000000)
    assert not verify_standard_webhook(headers, BODY + b"x", HASH_KEY, now=1700000000)
    assert not verify_standard_webhook(headers, BODY, "wrong", now=1700000000)
    assert not verify_standard_webhook(headers, BODY, HASH_KEY, now=1700000000 + 301)
    assert not verify_standard_webhook(headers, BODY, HASH_KEY, now=1700000000 - 301)
    assert not verify_standard_webhook({}, BODY, HASH_KEY, now=1700000000)
    bad_ts = dict(headers, **{"webhook-timestamp": "soon"})
    assert not verify_standard_webhook(bad_ts, BODY, HASH_KEY, now=1700000000)


async def test_signatures_survive_the_wire(receivers: ReceiverPool, http_client: httpx.AsyncClient) -> None:
    rx = receivers.recording()
    result = await send_webhook(
        http_client,
        url=rx.url + "/hooks/order",
        body=BODY,
        hash_key=HASH_KEY,
        delivery_id="dlv_1",
        timestamp=1700000000,
        custom_auth_header=None,
        timeout=2.0,
    )
    assert result.succeeded
    (req,) = rx.requests
    assert req.oc_hash_valid is True
    assert req.header("X-oc-hash") == independent_oc_hash(HASH_KEY, BODY)
    assert verify_standard_webhook(dict(req.headers), req.body, HASH_KEY, now=1700000000)
