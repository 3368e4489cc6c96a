"""EngageLab's webhook signature, both documented forms (contract → Webhooks):
`md5(timestamp + appkey + secret)` as 32 hex characters (seen in real traffic), or an
HMAC-SHA256 keyed with the secret over `timestamp + appkey`. The sandbox signs with the first;
the receiver accepts either.

The signature covers the timestamp, so a fresh timestamp proves a fresh signature: the receiver
refuses one too far from now, or a signature captured once would be replayable for ever. The
contract does not say whether `X-WebHook-Timestamp` counts seconds or milliseconds (the body's
`itime` counts milliseconds; the sandbox sends seconds): both are read, told apart by size."""

from __future__ import annotations

import hashlib
import hmac
import re

APP_KEY = "email"
# Milliseconds since 1970 passed 10**11 in 1973; seconds will only in the year 5138.
MILLISECONDS_FROM = 10**11
DIGITS = re.compile(r"[0-9]{1,16}")


def md5_signature(timestamp: str, app_key: str, secret: str) -> str:
    return hashlib.md5(f"{timestamp}{app_key}{secret}".encode()).hexdigest()  # noqa: S324


def hmac_signature(timestamp: str, app_key: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}{app_key}".encode(), hashlib.sha256).hexdigest()


def signature_valid(timestamp: str, app_key: str, signature: str, secret: str) -> bool:
    if not (timestamp and app_key and signature and secret):
        return False
    signature = signature.strip().lower()
    return any(
        hmac.compare_digest(signature, expected)
        for expected in (
            md5_signature(timestamp, app_key, secret),
            hmac_signature(timestamp, app_key, secret),
        )
    )


def timestamp_fresh(timestamp: str, *, now: float, max_age: float) -> bool:
    """Whether `timestamp` (seconds or milliseconds since 1970) is within `max_age` seconds of
    `now`, before or after it (clocks drift both ways)."""
    if not DIGITS.fullmatch(timestamp):
        return False
    value = int(timestamp)
    seconds = value / 1000 if value >= MILLISECONDS_FROM else value
    return abs(now - seconds) <= max_age
