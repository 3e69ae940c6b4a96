"""Request signing for integration events and webhooks.

Two schemes are produced for every outgoing request:

* OrderCloud's `X-oc-hash`: ``base64(HMAC-SHA256(key=UTF8(HashKey), msg=raw body))``, standard
  base64 with padding. Receivers built on the OrderCloud catalysts (.NET and JS) check exactly this,
  so it must match byte for byte.
* Standard Webhooks (https://www.standardwebhooks.com): headers ``webhook-id``,
  ``webhook-timestamp`` and ``webhook-signature = "v1," + base64(HMAC-SHA256(key,
  f"{id}.{timestamp}.{body}"))``. This lets receivers use the off-the-shelf Standard Webhooks
  libraries, which also give replay protection through the timestamp.

Standard Webhooks key derivation (see `standard_webhook_key`): the spec's secrets look like
``whsec_<base64 of the key bytes>``; for those the key is the base64-decoded remainder. An
OrderCloud HashKey is an arbitrary string, so any other secret is used as its UTF-8 bytes, the
same key bytes `X-oc-hash` uses. A receiver using a Standard Webhooks library with a plain HashKey
therefore has to pass ``"whsec_" + base64(HashKey)`` as its secret.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import time
from collections.abc import Mapping

OC_HASH_HEADER = "X-oc-hash"
WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"

STANDARD_WEBHOOK_SECRET_PREFIX = "whsec_"
# The Standard Webhooks spec recommends rejecting messages whose timestamp is more than five
# minutes away from the receiver's clock.
DEFAULT_TIMESTAMP_TOLERANCE_S = 300


@functools.lru_cache(maxsize=1024)
def _keyed(key: bytes) -> hmac.HMAC:
    # An HMAC already keyed (its inner and outer pads hashed): each signature copies it and
    # hashes only the message. One-shot `hmac.digest` sets the key up again on every call,
    # which cost several times the hashing of a webhook body.
    return hmac.new(key, digestmod=hashlib.sha256)


def _hmac_b64(key: bytes, message: bytes) -> str:
    mac = _keyed(key).copy()
    mac.update(message)
    return base64.b64encode(mac.digest()).decode("ascii")


def oc_hash(hash_key: str, body: bytes) -> str:
    """The `X-oc-hash` value: base64(HMAC-SHA256(key=UTF8(hash_key), msg=body)), padded."""
    return _hmac_b64(hash_key.encode("utf-8"), body)


def verify_oc_hash(hash_key: str, body: bytes, header_value: str | None) -> bool:
    """Check an `X-oc-hash` header against the raw body in constant time.

    The body must be the raw bytes as received: re-serialised JSON would not match.
    """
    if not header_value:
        return False
    return hmac.compare_digest(oc_hash(hash_key, body).encode("ascii"), header_value.strip().encode("utf-8"))


@functools.lru_cache(maxsize=1024)
def standard_webhook_key(secret: str) -> bytes:
    """The HMAC key for Standard Webhooks signatures.

    ``whsec_<base64>`` secrets decode to their key bytes, as the spec defines; any other secret
    (an OrderCloud HashKey) is used as its UTF-8 bytes.

    Raises ValueError when a ``whsec_`` secret is not valid base64, because signing with a
    silently different key would produce signatures no receiver can check.
    """
    if secret.startswith(STANDARD_WEBHOOK_SECRET_PREFIX):
        encoded = secret[len(STANDARD_WEBHOOK_SECRET_PREFIX) :]
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("whsec_ secret is not valid base64") from exc
    return secret.encode("utf-8")


def standard_webhook_signature(msg_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """One ``v1,<base64 signature>`` entry over ``{msg_id}.{timestamp}.{body}``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + _hmac_b64(standard_webhook_key(secret), signed)


def standard_webhook_headers(msg_id: str, timestamp: int, body: bytes, secret: str) -> dict[str, str]:
    """The three Standard Webhooks headers for one message.

    `msg_id` must stay the same across retries of one delivery so receivers can deduplicate;
    `timestamp` is Unix seconds of this attempt.
    """
    return {
        WEBHOOK_ID_HEADER: msg_id,
        WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        WEBHOOK_SIGNATURE_HEADER: standard_webhook_signature(msg_id, timestamp, body, secret),
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # HTTP header names are case-insensitive, and callers pass plain dicts as often as
    # case-insensitive mappings.
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


def verify_standard_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    tolerance_s: int = DEFAULT_TIMESTAMP_TOLERANCE_S,
    now: int | None = None,
) -> bool:
    """Check Standard Webhooks headers against the raw body.

    True when the timestamp is within `tolerance_s` of `now` (default: the current time) and any
    of the space-separated ``v1,`` signatures matches. Other signature versions are ignored, as
    the spec requires, so that future schemes can be added alongside.
    """
    msg_id = _header(headers, WEBHOOK_ID_HEADER)
    ts_raw = _header(headers, WEBHOOK_TIMESTAMP_HEADER)
    sig_raw = _header(headers, WEBHOOK_SIGNATURE_HEADER)
    if not msg_id or not ts_raw or not sig_raw:
        return False
    try:
        timestamp = int(ts_raw)
    except ValueError:
        return False
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    try:
        expected = standard_webhook_signature(msg_id, timestamp, body, secret).encode("ascii")
    except ValueError:
        return False
    matched = False
    for candidate in sig_raw.split():
        if not candidate.startswith("v1,"):
            continue
        # No early exit: the comparison count should not reveal which entry matched.
        if hmac.compare_digest(expected, candidate.encode("utf-8")):
            matched = True
    return matched
