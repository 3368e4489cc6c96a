"""Receive EngageLab events: verify the signature (both documented forms) and that it was made
within ENGAGELAB_WEBHOOK_MAX_AGE of now (no replay), store each event once, answer at once
(EngageLab resends anything not acknowledged within 3 s) and leave the statistics to a
background task."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from campaigns import stats
from campaigns.signing import signature_valid, timestamp_fresh
from campaigns.tasks import process_webhooks_task
from dashboard.providers import provider_config

log = logging.getLogger("switchboard.webhooks")
MAX_BODY_BYTES = 5 * 1024 * 1024


def webhook_secret() -> str:
    # The sandbox's secret while EngageLab is on its sandbox, ENGAGELAB_WEBHOOK_SECRET otherwise.
    return provider_config("engagelab").credentials.get("webhook_secret") or ""


def _without_nul(value: Any) -> Any:
    """The payload with NUL characters removed from its strings: PostgreSQL refuses them in
    text and JSON columns, and one such event would make every resend of its batch fail."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


@csrf_exempt
@login_not_required
@require_POST
def webhook_receive(request: HttpRequest) -> HttpResponse:
    secret = webhook_secret()
    if not secret:
        log.error("EngageLab webhook refused: no webhook secret is configured")
        return JsonResponse({"error": "webhook secret not configured"}, status=503)
    timestamp = request.headers.get("X-WebHook-Timestamp", "")
    if not signature_valid(
        timestamp,
        request.headers.get("X-WebHook-AppKey", ""),
        request.headers.get("X-WebHook-Signature", ""),
        secret,
    ):
        log.warning("EngageLab webhook refused: bad signature")
        return JsonResponse({"error": "invalid signature"}, status=401)
    if not timestamp_fresh(timestamp, now=time.time(), max_age=settings.ENGAGELAB_WEBHOOK_MAX_AGE):
        log.warning("EngageLab webhook refused: signed too far from now (a replay?)")
        return JsonResponse({"error": "timestamp outside the accepted window"}, status=401)
    raw = request.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        # NaN/Infinity are not JSON (PostgreSQL's jsonb refuses them): read them as null.
        body = _without_nul(json.loads(raw, parse_constant=lambda _constant: None))
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    events = body if isinstance(body, list) else [body]
    new = stats.store_events(events)
    # One processing task per burst, not per POST: a task drains everything pending, and the
    # periodic job picks up whatever arrives between two bursts.
    if new and cache.add("campaigns:webhooks:enqueued", True, timeout=2):
        process_webhooks_task.enqueue()
    return JsonResponse({"received": len(events), "new": new})
