"""Webhook (post-hook) retry policy. Pure: callers pass the outcome of an attempt and an RNG.

Delivery is at-least-once: a receiver that is down, slow or overloaded gets the same message
(same ``webhook-id``) again later, until it answers 2xx, answers a status that retrying cannot fix,
or the schedule is exhausted and the delivery is marked failed.

The schedule spreads 11 retries (12 attempts) over about 31.7 hours of base delay. With every
delay jittered down by the full 20 % the retries still span more than 24 hours (25.4 h), so a
receiver that is down for a whole day still gets the message when it comes back.
"""

from __future__ import annotations

import random

# Outcome names for attempts that got no HTTP status. `integrations/` reports these in
# `AttemptResult.error`; they live here so the policy does not depend on the transport.
ERROR_TIMEOUT = "Timeout"
ERROR_CONNECTION_FAILED = "ConnectionFailed"
# The server spoke broken HTTP (closed mid-response, malformed status line): usually a crash or a
# restart on the receiver's side, so retrying makes sense.
ERROR_PROTOCOL = "ProtocolError"
# The configured URL cannot be requested at all; retrying only burns the schedule.
ERROR_INVALID_URL = "InvalidUrl"

_NON_RETRYABLE_ERRORS = frozenset({ERROR_INVALID_URL})

MINUTE = 60.0
HOUR = 60 * MINUTE

# Base delay before retry n (index n-1), in seconds. Short at first to ride out blips and
# deploys, then long so a receiver that is down for a day is not hammered meanwhile.
RETRY_SCHEDULE: tuple[float, ...] = (
    5.0,
    30.0,
    2 * MINUTE,
    10 * MINUTE,
    30 * MINUTE,
    1 * HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    8 * HOUR,
    8 * HOUR,
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1

JITTER_FRACTION = 0.2
# A receiver may ask for a longer pause with Retry-After; beyond a day it is more likely a
# misconfiguration than a wish, and parking a delivery longer would hide it.
MAX_RETRY_AFTER = 24 * HOUR


def next_delay(attempt_number: int, *, retry_after: float | None, rng: random.Random) -> float | None:
    """Seconds to wait before the next attempt, or None to give up and mark the delivery failed.

    `attempt_number` is the number of attempts already made (1 after the first failure).
    The delay is the scheduled base delay times a uniform factor in [0.8, 1.2], so that many
    deliveries failing together (receiver outage) do not come back in lockstep. A `retry_after`
    from the receiver is honoured when it asks for more than that (capped at 24 h); it never
    shortens the schedule.
    """
    if attempt_number < 1:
        raise ValueError("attempt_number counts attempts already made and starts at 1")
    if attempt_number > len(RETRY_SCHEDULE):
        return None
    base = RETRY_SCHEDULE[attempt_number - 1]
    delay = base * rng.uniform(1.0 - JITTER_FRACTION, 1.0 + JITTER_FRACTION)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def is_retryable(status_code: int | None, error: str | None) -> bool:
    """Whether an attempt's outcome is worth retrying.

    Retry: no answer (timeout, connection or protocol failure), any 5xx, 408 Request Timeout and
    429 Too Many Requests. Do not retry: 2xx (delivered), 3xx (redirects are not followed, and
    repeating the same request gets the same redirect), any other 4xx (the receiver rejected the
    message; repeating it will not change its mind), or an invalid URL.
    """
    if status_code is None:
        return error is not None and error not in _NON_RETRYABLE_ERRORS
    if status_code >= 500:
        return True
    return status_code in (408, 429)
