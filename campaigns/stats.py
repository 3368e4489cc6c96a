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

from campaigns.models import AbPhase, CampaignStats, StatBucket, StatRecipient, WebhookEvent

BATCH = 2000
STATUS_FIELDS = {
    "sent": "sent",
    "delivered": "delivered",
    "soft_bounce": "bounced",
    "invalid_email": "bounced",
}
RESPONSE_FIELDS = {
    "open": "opens",
    "click": "clicks",
    "unsubscribe": "unsubscribes",
    "report_spam": "spam_reports",
}


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
    value = _custom_args(event).get("campaign_id")
    value = value if value is not None else event.get("campaign_id")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON Infinity
        return None
    # Outside a 64-bit column the row could not be stored, and the receiver would answer 500
    # to every resend of the batch.
    return number if -(2**63) <= number < 2**63 else None


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


def _itime_ms(event: WebhookEvent) -> float:
    """The event's time for ordering; an unreadable one sorts first instead of making the
    whole batch unsortable (a string beside numbers would stop processing for good)."""
    try:
        return float(event.payload.get("itime") or 0)
    except (TypeError, ValueError):
        return 0.0


def _instant(itime: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(itime) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


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
        _aggregate(sorted(events, key=lambda e: (_itime_ms(e), e.pk)))
    return len(events)


def _custom_args(payload: dict[str, Any]) -> dict[str, Any]:
    args = payload.get("custom_args")
    if isinstance(args, str):
        try:
            args = json.loads(args, parse_constant=lambda _constant: None)
        except ValueError:
            args = {}
    return args if isinstance(args, dict) else {}


class _Phases:
    """Which part of an A/B test each event belongs to. The events say whether a recipient
    was in the test share or in the winner's send (`custom_args.ab_phase`); the first event
    of the winner's send marks when EngageLab had decided, so the test share's later events
    are kept apart: EngageLab picked without them."""

    def __init__(self, campaign_ids: set[int]) -> None:
        self.started = {
            row.campaign_id: row.winner_sent_at
            for row in CampaignStats.objects.filter(
                campaign_id__in=campaign_ids, winner_sent_at__isnull=False
            )
        }
        self.winners: dict[int, tuple[str, datetime]] = {}

    def of(self, cid: int, args: dict[str, Any], variant: str, at: datetime) -> str:
        marked = args.get("ab_phase")
        if marked == AbPhase.WINNER:
            if cid not in self.started:
                self.started[cid] = at
                self.winners[cid] = (variant, at)
            return AbPhase.WINNER
        if marked == AbPhase.TEST:
            started = self.started.get(cid)
            return AbPhase.LATE if started is not None and at >= started else AbPhase.TEST
        return AbPhase.NONE


def _aggregate(events: list[WebhookEvent]) -> None:
    increments: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    phases = _Phases({e.campaign_id for e in events if e.campaign_id is not None})
    parsed = []
    for e in events:
        cid = e.campaign_id
        if cid is None:
            continue
        p = e.payload
        email = event_email(p)
        args = _custom_args(p)
        variant = str(args.get("variant") or "")[:16]
        domain = email.rsplit("@", 1)[-1][:100] if email else ""
        at = _instant(p.get("itime"))
        phase = phases.of(cid, args, variant, at)
        key = (cid, variant, phase, domain, at.replace(second=0, microsecond=0))
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
                flag, count = ("opened", "opens") if kind == "open" else ("clicked", "clicks")
                if not getattr(r, flag):
                    setattr(r, flag, True)
                    counts[f"unique_{count}"] += 1
                # The recipient's count squared grows by 2c + 1.
                counts[f"{count}_sq"] += 2 * getattr(r, count) + 1
                setattr(r, count, getattr(r, count) + 1)
                touched[(cid, email)] = r
    for r in touched.values():
        if r.pk:
            StatRecipient.objects.filter(pk=r.pk).update(
                opened=r.opened, clicked=r.clicked, opens=r.opens, clicks=r.clicks
            )
    StatRecipient.objects.bulk_create([r for r in touched.values() if not r.pk])
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (cid, variant, phase, domain, start), counts in increments.items():
        if not counts:
            continue
        for f in COUNT_FIELDS:
            totals[cid][f] += counts.get(f, 0)
        bucket, created = StatBucket.objects.get_or_create(
            campaign_id=cid,
            variant=variant,
            phase=phase,
            domain=domain,
            start=start,
            defaults=dict(counts),
        )
        if not created:
            StatBucket.objects.filter(pk=bucket.pk).update(
                updated_at=timezone.now(), **{f: F(f) + n for f, n in counts.items()}
            )
    _add_to_campaign_totals(totals, phases.winners)


def _add_to_campaign_totals(
    totals: dict[int, dict[str, int]], winners: dict[int, tuple[str, datetime]]
) -> None:
    for cid in totals.keys() | winners.keys():
        add = {f: F(f) + n for f, n in totals.get(cid, {}).items() if n}
        CampaignStats.objects.get_or_create(campaign_id=cid)
        CampaignStats.objects.filter(campaign_id=cid).update(updated_at=timezone.now(), **add)
        if cid in winners:
            variant, at = winners[cid]
            CampaignStats.objects.filter(campaign_id=cid, winner_sent_at__isnull=True).update(
                winner_variant=variant, winner_sent_at=at
            )


# --- reads for the charts (pre-aggregated buckets only) ----------------------------------------
COUNT_FIELDS = (
    "sent",
    "delivered",
    "bounced",
    "opens",
    "unique_opens",
    "clicks",
    "unique_clicks",
    "unsubscribes",
    "spam_reports",
)


SPREAD_FIELDS = ("opens_sq", "clicks_sq")


def _sums(fields: tuple[str, ...] = COUNT_FIELDS) -> dict[str, Any]:
    from django.db.models import Sum

    return {f: Sum(f) for f in fields}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    counts = COUNT_FIELDS + SPREAD_FIELDS
    return {k: (v or 0) if k in counts else v for k, v in row.items()}


def rates(row: dict[str, Any]) -> dict[str, float]:
    """Rates over delivered, as EngageLab computes them; delivery over sent."""
    delivered = row.get("delivered") or 0

    def over(n: int) -> float:
        return n / delivered if delivered else 0.0

    return {
        "delivered_rate": delivered / row["sent"] if row.get("sent") else 0.0,
        "open_rate": over(row.get("opens", 0)),
        "unique_open_rate": over(row.get("unique_opens", 0)),
        "click_rate": over(row.get("clicks", 0)),
        "unique_click_rate": over(row.get("unique_clicks", 0)),
    }


def campaign_timeline(campaign_id: int) -> list[dict[str, Any]]:
    """Per minute, summed over variants and domains, with running totals."""
    rows = (
        StatBucket.objects.filter(campaign_id=campaign_id)
        .values("start")
        .annotate(**_sums())
        .order_by("start")
    )
    running = dict.fromkeys(COUNT_FIELDS, 0)
    out = []
    for row in rows:
        row = _clean(row)
        for f in COUNT_FIELDS:
            running[f] += row[f]
        out.append({"start": row["start"], **{f"cum_{f}": running[f] for f in COUNT_FIELDS}})
    return out


def campaign_totals(
    campaign_id: int, by: str | tuple[str, ...] = (), **filters: Any
) -> list[dict[str, Any]]:
    """Totals for the campaign's buckets (those matching `filters`), or one row per `by`
    ("domain", "variant", ("variant", "phase")), with the spread fields and rates."""
    qs = StatBucket.objects.filter(campaign_id=campaign_id, **filters)
    fields = (by,) if isinstance(by, str) else by
    sums = _sums(COUNT_FIELDS + SPREAD_FIELDS)
    rows = (
        qs.values(*fields).annotate(**sums).order_by(*fields) if fields else [qs.aggregate(**sums)]
    )
    return [{**(r := _clean(dict(row))), **rates(r)} for row in rows]


def campaign_summary(campaign_id: int) -> dict[str, Any]:
    """The campaign's totals and rates from its one row of stored totals, and the variant
    EngageLab sent to the rest of the list (an A/B test), when it has."""
    row = CampaignStats.objects.filter(campaign_id=campaign_id).first()
    totals = {f: getattr(row, f) if row else 0 for f in COUNT_FIELDS}
    return {
        **totals,
        **rates(totals),
        "winner_variant": row.winner_variant if row else "",
        "winner_sent_at": row.winner_sent_at if row else None,
    }


def data_version(campaign_ids: list[int] | None = None) -> str:
    """Changes whenever a bucket the reader cares about changes: the ETag of chart data. The
    global form reads one indexed MAX, so a poll that finds nothing new costs almost nothing."""
    from django.db.models import Count, Max

    if campaign_ids is None:
        at = StatBucket.objects.order_by("-updated_at").values_list("updated_at", flat=True)
        latest = at.first()
        return f"{latest.timestamp() if latest else 0:.6f}"
    agg = StatBucket.objects.filter(campaign_id__in=campaign_ids).aggregate(
        at=Max("updated_at"), n=Count("id")
    )
    stamp = agg["at"].timestamp() if agg["at"] else 0
    return f"{stamp:.6f}-{agg['n']}"


PERIODS = {
    # label, length, points every N minutes
    "1h": ("last hour", 60, 1),
    "6h": ("last 6 hours", 360, 5),
    "24h": ("last 24 hours", 1440, 15),
    "7d": ("last 7 days", 10080, 60),
}
OVERVIEW_CAMPAIGNS = 5


def overview(period: str, now: datetime | None = None) -> dict[str, Any]:
    """The latest campaigns' cumulative unique open and click rates over the period, and the
    period's key numbers over every campaign."""
    from datetime import timedelta

    from django.db.models import Max, Sum

    from campaigns.models import Campaign

    _, minutes, step = PERIODS.get(period, PERIODS["24h"])
    now = now or timezone.now()
    since = (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    in_period = StatBucket.objects.filter(start__gte=since)
    latest = list(
        in_period.values("campaign_id")
        .annotate(last=Max("start"))
        .order_by("-last", "-campaign_id")[:OVERVIEW_CAMPAIGNS]
    )
    ids = [r["campaign_id"] for r in latest]
    sums = {"d": Sum("delivered"), "o": Sum("unique_opens"), "c": Sum("unique_clicks")}
    before = {
        r["campaign_id"]: r
        for r in StatBucket.objects.filter(campaign_id__in=ids, start__lt=since)
        .values("campaign_id")
        .annotate(**sums)
    }
    rows = (
        in_period.filter(campaign_id__in=ids)
        .values("campaign_id", "start")
        .annotate(**sums)
        .order_by("campaign_id", "start")
    )
    names = dict(Campaign.objects.filter(campaign_id__in=ids).values_list("campaign_id", "name"))
    series: dict[int, dict[str, Any]] = {}
    for r in rows:
        cid = r["campaign_id"]
        s = series.get(cid)
        if s is None:
            base = before.get(cid, {})
            s = series[cid] = {
                "campaign_id": cid,
                "name": names.get(cid, f"Campaign #{cid}"),
                "d": base.get("d") or 0,
                "o": base.get("o") or 0,
                "c": base.get("c") or 0,
                "x": [],
                "open_rate": [],
                "click_rate": [],
            }
        s["d"] += r["d"] or 0
        s["o"] += r["o"] or 0
        s["c"] += r["c"] or 0
        start = r["start"]
        point = start - timedelta(minutes=(start.minute % step) if step < 60 else start.minute)
        label = point.isoformat()
        rate_o = s["o"] / s["d"] if s["d"] else 0
        rate_c = s["c"] / s["d"] if s["d"] else 0
        if s["x"] and s["x"][-1] == label:
            s["open_rate"][-1], s["click_rate"][-1] = rate_o, rate_c
        else:
            s["x"].append(label)
            s["open_rate"].append(rate_o)
            s["click_rate"].append(rate_c)
    totals = _clean(in_period.aggregate(**_sums()))
    return {
        "period": period,
        "since": since,
        "series": [series[cid] for cid in ids if cid in series],
        "totals": {**totals, **rates(totals)},
    }


def daily_report(days: int = 7) -> list[dict[str, Any]]:
    """EngageLab's own account-wide daily totals (polled), newest first, with rates."""
    from django.db.models import Sum

    from campaigns.models import DailyDomainStat

    fields = ("sent", "delivered", "opens", "clicks")
    rows = (
        DailyDomainStat.objects.values("day")
        .annotate(**{f: Sum(f) for f in fields})
        .order_by("-day")[:days]
    )
    out = []
    for row in rows:
        delivered = row["delivered"] or 0
        out.append(
            {
                **row,
                "open_rate": (row["opens"] or 0) / delivered if delivered else 0,
                "click_rate": (row["clicks"] or 0) / delivered if delivered else 0,
            }
        )
    return out
