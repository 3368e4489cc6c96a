"""The statistics pipeline: stored webhook events → one-minute buckets per campaign, A/B
variant and recipient domain, totals and uniques. Charts read buckets, never raw events."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import StatBucket, StatRecipient, WebhookEvent

BATCH = 2000
STATUS_FIELDS = {
    "sent": "sent",
    "delivered": "delivered",
    "soft_bounce": "bounced",
    "invalid_email": "bounced",
}
RESPONSE_FIELDS = {"open": "opens", "click": "clicks", "unsubscribe": "unsubscribes",
                   "report_spam": "spam_reports"}  # fmt: skip


def event_kind(event: dict[str, Any]) -> str:
    status = event.get("status")
    if isinstance(status, dict) and status.get("message_status"):
        return str(status["message_status"])[:20]
    return str(event.get("event") or "unknown")[:20]


def event_key(event: dict[str, Any]) -> str:
    """The same event re-sent has the same key: message, kind and time identify it."""
    basis = [
        event.get("message_id") or event.get("email_id"),
        event_kind(event),
        event.get("itime"),
    ]
    if basis[0] is None:
        basis = [json.dumps(event, sort_keys=True, default=str)]
    return hashlib.sha256(json.dumps(basis, default=str).encode()).hexdigest()


def event_campaign_id(event: dict[str, Any]) -> int | None:
    args = event.get("custom_args")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = {}
    value = (args or {}).get("campaign_id") if isinstance(args, dict) else None
    value = value if value is not None else event.get("campaign_id")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def event_email(event: dict[str, Any]) -> str:
    for holder in (
        event,
        event.get("status", {}).get("status_data")
        if isinstance(event.get("status"), dict)
        else None,
        event.get("response_data"),
    ):
        if isinstance(holder, dict):
            for key in ("to", "email", "recipient"):
                if isinstance(holder.get(key), str) and "@" in holder[key]:
                    return holder[key].lower()
    return ""


def store_events(events: list[dict[str, Any]]) -> int:
    """Store each event once (a re-sent one is ignored); returns how many were new."""
    rows = [
        WebhookEvent(
            key=event_key(e), kind=event_kind(e), campaign_id=event_campaign_id(e), payload=e
        )
        for e in events
        if isinstance(e, dict)
    ]
    keys = [r.key for r in rows]
    before = WebhookEvent.objects.filter(key__in=keys).count()
    WebhookEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return len(set(keys)) - before


def _minute(itime: Any) -> datetime:
    try:
        at = datetime.fromtimestamp(int(itime) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        at = timezone.now()
    return at.replace(second=0, microsecond=0)


def process_events(limit: int = BATCH) -> int:
    """Turn up to `limit` unprocessed events into buckets, in one transaction: either the
    counts and the "processed" marks are both written, or neither."""
    with transaction.atomic():
        qs = WebhookEvent.objects.filter(processed_at__isnull=True).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        events = list(qs[:limit])
        if not events:
            return 0
        claimed = WebhookEvent.objects.filter(
            pk__in=[e.pk for e in events], processed_at__isnull=True
        ).update(processed_at=timezone.now())
        if claimed != len(events):  # another worker got here first; let it finish
            transaction.set_rollback(True)
            return 0
        _aggregate(sorted(events, key=lambda e: (e.payload.get("itime") or 0, e.pk)))
    return len(events)


def _aggregate(events: list[WebhookEvent]) -> None:
    increments: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    parsed = []
    for e in events:
        cid = e.campaign_id
        if cid is None:
            continue
        p = e.payload
        email = event_email(p)
        args = p.get("custom_args") if isinstance(p.get("custom_args"), dict) else {}
        variant = str(args.get("variant") or "")[:16]
        domain = email.rsplit("@", 1)[-1][:100] if email else ""
        key = (cid, variant, domain, _minute(p.get("itime")))
        parsed.append((e.kind, cid, email, key))
    emails = {(cid, email) for kind, cid, email, _ in parsed if kind in ("open", "click") and email}
    seen = {
        (r.campaign_id, r.email): r
        for r in StatRecipient.objects.filter(
            campaign_id__in={c for c, _ in emails}, email__in={m for _, m in emails}
        )
    }
    touched: dict[tuple[int, str], StatRecipient] = {}
    for kind, cid, email, key in parsed:
        counts = increments[key]
        if kind in STATUS_FIELDS:
            counts[STATUS_FIELDS[kind]] += 1
        elif kind in RESPONSE_FIELDS:
            counts[RESPONSE_FIELDS[kind]] += 1
            if kind in ("open", "click") and email:
                r = seen.get((cid, email))
                if r is None:
                    r = seen[(cid, email)] = StatRecipient(campaign_id=cid, email=email)
                flag = "opened" if kind == "open" else "clicked"
                if not getattr(r, flag):
                    setattr(r, flag, True)
                    counts["unique_opens" if kind == "open" else "unique_clicks"] += 1
                    touched[(cid, email)] = r
    for r in touched.values():
        if r.pk:
            StatRecipient.objects.filter(pk=r.pk).update(opened=r.opened, clicked=r.clicked)
    StatRecipient.objects.bulk_create([r for r in touched.values() if not r.pk])
    for (cid, variant, domain, start), counts in increments.items():
        if not counts:
            continue
        bucket, created = StatBucket.objects.get_or_create(
            campaign_id=cid, variant=variant, domain=domain, start=start, defaults=dict(counts)
        )
        if not created:
            StatBucket.objects.filter(pk=bucket.pk).update(
                updated_at=timezone.now(), **{f: F(f) + n for f, n in counts.items()}
            )
