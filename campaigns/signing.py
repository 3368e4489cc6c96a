"""EngageLab's webhook signature, both documented forms (contract → Webhooks):
`md5(timestamp + appkey + secret)` as 32 hex characters (seen in real traffic), or an
HMAC-SHA256 keyed with the secret over `timestamp + appkey`. The sandbox signs with the first;
the receiver accepts either."""

from __future__ import annotations

import hashlib
import hmac

APP_KEY = "email"


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
