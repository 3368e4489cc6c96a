"""The statistics pipeline: stored webhook events → one-minute buckets per campaign, A/B
variant and recipient domain, totals and uniques. Charts read buckets, never raw events."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from campaigns.models import (
    SERIES_STEPS,
    AbPhase,
    Campaign,
    CampaignStats,
    DailyDomainStat,
    StatBucket,
    StatRecipient,
    StatSeries,
    StatTotal,
    WebhookEvent,
)
from dashboard.numbers import share

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
    _add_to_rollups(StatBucket, increments, ("variant", "phase", "domain", "start"), stamp=True)
    totals, series, campaigns = _rollups(increments)
    _add_to_rollups(StatTotal, totals, ("variant", "phase", "domain"))
    _add_to_rollups(StatSeries, series, ("minutes", "start_minute"))
    _add_to_rollups(CampaignStats, campaigns, (), stamp=True)
    _widen_spans(increments)
    for cid, (variant, at) in phases.winners.items():
        CampaignStats.objects.get_or_create(campaign_id=cid)
        CampaignStats.objects.filter(campaign_id=cid, winner_sent_at__isnull=True).update(
            winner_variant=variant, winner_sent_at=at, updated_at=timezone.now()
        )


Counts = dict[tuple, dict[str, int]]


def _widen_spans(minute_counts: Counts) -> None:
    """Each campaign's first and last minutes with events, stretched to this batch's."""
    spans: dict[int, list[datetime]] = {}
    for (cid, *_, minute), counts in minute_counts.items():
        if any(counts.values()):
            span = spans.setdefault(cid, [minute, minute])
            span[0], span[1] = min(span[0], minute), max(span[1], minute)
    for cid, (first, last) in spans.items():
        first_at = Value(first, output_field=DateTimeField())
        last_at = Value(last, output_field=DateTimeField())
        CampaignStats.objects.filter(campaign_id=cid).update(
            first_minute=Least(Coalesce("first_minute", first_at), first_at),
            last_minute=Greatest(Coalesce("last_minute", last_at), last_at),
        )


def _step_start(at: datetime, minutes: int) -> int:
    """The start of the `minutes`-long step holding `at`, in minutes since the Unix epoch
    (steps count from it)."""
    since_epoch = int(at.timestamp()) // 60
    return since_epoch - since_epoch % minutes


def _minute_label(minute: int) -> str:
    """A minute since the Unix epoch as the charts' x value (ISO 8601, UTC)."""
    return datetime.fromtimestamp(minute * 60, tz=UTC).isoformat()


def _rollups(minute_counts: Counts) -> tuple[Counts, Counts, Counts]:
    """From counts keyed (campaign, variant, phase, domain, minute): the campaign's totals per
    variant, phase and domain; its series at every step; its grand totals."""
    totals: Counts = defaultdict(lambda: defaultdict(int))
    series: Counts = defaultdict(lambda: defaultdict(int))
    campaigns: Counts = defaultdict(lambda: defaultdict(int))
    for (cid, variant, phase, domain, minute), counts in minute_counts.items():
        for f, n in counts.items():
            totals[(cid, variant, phase, domain)][f] += n
            if f in COUNT_FIELDS:
                campaigns[(cid,)][f] += n
                for step in SERIES_STEPS:
                    series[(cid, step, _step_start(minute, step))][f] += n
    return totals, series, campaigns


def _add_to_rollups(model: Any, counts: Counts, key: tuple[str, ...], stamp: bool = False) -> None:
    """Add counts keyed (campaign_id, *key) to `model`'s rows, creating what is missing."""
    for values, add in counts.items():
        add = {f: n for f, n in add.items() if n}
        if not add:
            continue
        lookup = dict(zip(("campaign_id", *key), values, strict=True))
        increase = {f: F(f) + n for f, n in add.items()}
        if stamp:
            increase["updated_at"] = timezone.now()
        # Most rows exist already: one UPDATE; the first time, a get_or_create (another
        # worker may be creating the same row).
        if model.objects.filter(**lookup).update(**increase):
            continue
        row, created = model.objects.get_or_create(**lookup, defaults=add)
        if not created:
            model.objects.filter(pk=row.pk).update(**increase)


def rebuild_rollups(get_model: Any = None) -> None:
    """Rebuild the totals and series from the minute buckets (what a migration adds for the
    buckets stored before, and what the benchmark seeds), keeping each campaign's winner."""
    get_model = get_model or apps.get_model
    bucket, stats = get_model("campaigns", "StatBucket"), get_model("campaigns", "CampaignStats")
    total, series = get_model("campaigns", "StatTotal"), get_model("campaigns", "StatSeries")

    def grouped(*keys: str, fields: tuple[str, ...] = COUNT_FIELDS):
        sums = {f: Sum(f) for f in fields}
        return bucket.objects.values(*keys).annotate(**sums).order_by(*keys).iterator()

    total.objects.all().delete()
    total.objects.bulk_create(
        (
            total(**_clean(r))
            for r in grouped(
                "campaign_id", "variant", "phase", "domain", fields=COUNT_FIELDS + SPREAD_FIELDS
            )
        ),
        batch_size=2000,
    )
    steps: Counts = defaultdict(lambda: defaultdict(int))
    spans: dict[int, dict[str, datetime]] = {}
    for r in grouped("campaign_id", "start"):  # in order of time, per campaign
        span = spans.setdefault(r["campaign_id"], {"first_minute": r["start"]})
        span["last_minute"] = r["start"]
        for step in SERIES_STEPS:
            point = steps[(r["campaign_id"], step, _step_start(r["start"], step))]
            for f in COUNT_FIELDS:
                point[f] += r[f] or 0
    series.objects.all().delete()
    series.objects.bulk_create(
        (
            series(campaign_id=cid, minutes=step, start_minute=start, **counts)
            for (cid, step, start), counts in steps.items()
        ),
        batch_size=2000,
    )
    for r in grouped("campaign_id"):
        cid = r.pop("campaign_id")
        stats.objects.update_or_create(campaign_id=cid, defaults={**_clean(r), **spans[cid]})


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
    return {f: Sum(f) for f in fields}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    counts = COUNT_FIELDS + SPREAD_FIELDS
    return {k: (v or 0) if k in counts else v for k, v in row.items()}


def rates(row: dict[str, Any]) -> dict[str, float | None]:
    """Rates over delivered, as EngageLab computes them; delivery over sent."""
    delivered = row.get("delivered")
    return {
        "delivered_rate": share(delivered, row.get("sent")),
        "open_rate": share(row.get("opens"), delivered),
        "unique_open_rate": share(row.get("unique_opens"), delivered),
        "click_rate": share(row.get("clicks"), delivered),
        "unique_click_rate": share(row.get("unique_clicks"), delivered),
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


CURVE_FIELDS = ("unique_opens", "opens", "unique_clicks", "clicks")
MAX_POINTS = 300


def campaign_curve(summary: dict[str, Any], points: int = MAX_POINTS) -> list[dict[str, Any]]:
    """Running totals of opens and clicks over time (`summary` is `campaign_summary()`), at
    the finest step that keeps the curve within `points`: at most `points` rows read,
    whatever the campaign's age."""
    first, last = summary["first_minute"], summary["last_minute"]
    if first is None:
        return []
    span = (last - first).total_seconds() // 60 + 1
    step = next((s for s in SERIES_STEPS if span / s <= points - 1), SERIES_STEPS[-1])
    rows = (
        StatSeries.objects.filter(campaign_id=summary["campaign_id"], minutes=step)
        .order_by("start_minute")
        .values_list("start_minute", *CURVE_FIELDS)
    )
    curve = []
    running = dict.fromkeys(CURVE_FIELDS, 0)
    for start, *counts in rows:
        for f, count in zip(CURVE_FIELDS, counts, strict=True):
            running[f] += count
        curve.append({"x": datetime.fromtimestamp(start * 60, tz=UTC), **running})
    return curve


def total_rows(campaign_id: int) -> list[dict[str, Any]]:
    """The campaign's stored totals per variant, phase and domain: a few rows, one query."""
    keys = ("variant", "phase", "domain")
    fields = keys + COUNT_FIELDS + SPREAD_FIELDS
    rows = StatTotal.objects.filter(campaign_id=campaign_id).values_list(*fields)
    return [dict(zip(fields, row, strict=True)) for row in rows]


def grouped(rows: list[dict[str, Any]], by: str | tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """`total_rows()` summed per `by` ("domain", "variant", ("variant", "phase")), or all
    together, each with its rates."""
    by = (by,) if isinstance(by, str) else by
    sums: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in by)
        group = sums.setdefault(
            key,
            {**dict(zip(by, key, strict=True)), **dict.fromkeys(COUNT_FIELDS + SPREAD_FIELDS, 0)},
        )
        for f in COUNT_FIELDS + SPREAD_FIELDS:
            group[f] += row[f]
    if not by and not sums:
        sums[()] = dict.fromkeys(COUNT_FIELDS + SPREAD_FIELDS, 0)
    return [{**group, **rates(group)} for _, group in sorted(sums.items())]


def campaign_totals(
    campaign_id: int, by: str | tuple[str, ...] = (), **filters: Any
) -> list[dict[str, Any]]:
    """The campaign's totals (those matching `filters`), or one row per `by`."""
    rows = [r for r in total_rows(campaign_id) if all(r[k] == v for k, v in filters.items())]
    return grouped(rows, by)


def campaign_stats(campaign_id: int) -> CampaignStats | None:
    """The campaign's one row of stored totals (None before anything was counted): what its
    summary and its version are read from, once per request."""
    return CampaignStats.objects.filter(campaign_id=campaign_id).first()


def campaign_summary(campaign_id: int, row: CampaignStats | None) -> dict[str, Any]:
    """The campaign's totals and rates from its row of stored totals (`campaign_stats()`), and
    the variant EngageLab sent to the rest of the list (an A/B test), when it has."""
    totals = {f: getattr(row, f) if row else 0 for f in COUNT_FIELDS}
    return {
        **totals,
        **rates(totals),
        "campaign_id": campaign_id,
        **{
            f: getattr(row, f) if row else None
            for f in ("winner_variant", "winner_sent_at", "first_minute", "last_minute")
        },
    }


def campaign_version(row: CampaignStats | None) -> str:
    """Changes whenever the campaign's counts change (`row` is `campaign_stats()`): the ETag of
    its chart data."""
    if row is None:
        return "0"
    return f"{row.updated_at.timestamp():.6f}-{sum(getattr(row, f) for f in COUNT_FIELDS)}"


def data_version() -> str:
    """Changes whenever any bucket changes: the ETag of the overview's chart data. It reads
    one indexed row, so a poll that finds nothing new costs almost nothing."""
    at = StatBucket.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    latest = at.first()
    return f"{latest.timestamp() if latest else 0:.6f}"


PERIODS = {
    # label, length, points every N minutes
    "1h": (gettext_lazy("last hour"), 60, 1),
    "6h": (gettext_lazy("last 6 hours"), 360, 5),
    "24h": (gettext_lazy("last 24 hours"), 1440, 15),
    "7d": (gettext_lazy("last 7 days"), 10080, 60),
}
OVERVIEW_CAMPAIGNS = 5  # the lines a manager sees first (the chart's note says five)
OVERVIEW_EVERY = 50  # "every campaign in the period": a readable chart's most


def overview(period: str, now: datetime | None = None, *, every: bool = False) -> dict[str, Any]:
    """The latest campaigns' (`every`: all of the period's, up to OVERVIEW_EVERY) cumulative
    unique open and click rates over the period, and the period's key numbers over every
    campaign: read from the series at the period's step (the period starts at a step's start),
    a few thousand rows whatever the number of events."""
    _, minutes, step = PERIODS.get(period, PERIODS["24h"])
    now = now or timezone.now()
    since = _step_start(now - timedelta(minutes=minutes), step)
    since_at = datetime.fromtimestamp(since * 60, tz=UTC)
    in_period = StatSeries.objects.filter(minutes=step, start_minute__gte=since)
    # The latest active campaigns, with their totals (running totals start from them).
    latest = list(
        CampaignStats.objects.filter(last_minute__gte=since_at)
        .order_by("-last_minute", "-campaign_id")
        .values_list("campaign_id", "delivered", "unique_opens", "unique_clicks")[
            : OVERVIEW_EVERY if every else OVERVIEW_CAMPAIGNS
        ]
    )
    ids = [cid for cid, *_ in latest]
    rows = list(
        in_period.filter(campaign_id__in=ids)
        .order_by("campaign_id", "start_minute")
        .values_list("campaign_id", "start_minute", "delivered", "unique_opens", "unique_clicks")
    )
    # Running totals start from what came before the period: the totals less the period's.
    before = {cid: counts for cid, *counts in latest}
    for cid, _start, *counts in rows:
        before[cid] = [max(0, b - c) for b, c in zip(before[cid], counts, strict=True)]
    names = dict(Campaign.objects.filter(provider_id__in=ids).values_list("provider_id", "name"))
    series: dict[int, dict[str, Any]] = {}
    labels: dict[int, str] = {}  # the campaigns share their steps
    for cid, start, *counts in rows:
        s = series.get(cid)
        if s is None:
            s = series[cid] = {
                "campaign_id": cid,
                "name": names[cid] if cid in names else gettext("Campaign #%(id)s") % {"id": cid},
                "running": before.get(cid, [0, 0, 0]),
                "x": [],
                "open_rate": [],
                "click_rate": [],
            }
        d, o, c = s["running"] = [r + n for r, n in zip(s["running"], counts, strict=True)]
        label = labels.get(start) or labels.setdefault(start, _minute_label(start))
        s["x"].append(label)
        s["open_rate"].append(share(o, d))
        s["click_rate"].append(share(c, d))
    shown = ("sent", "delivered", "opens", "unique_opens", "clicks", "unique_clicks")
    totals = _clean(in_period.aggregate(**{f: Sum(f) for f in shown}))
    return {
        "period": period,
        "since": since_at,
        "series": [series[cid] for cid in ids if cid in series],
        "totals": {**totals, **rates(totals)},
    }


def daily_report(days: int = 7) -> list[dict[str, Any]]:
    """EngageLab's own account-wide daily totals (polled), newest first, with rates."""
    fields = ("sent", "delivered", "opens", "clicks")
    rows = (
        DailyDomainStat.objects.values("day")
        .annotate(**{f: Sum(f) for f in fields})
        .order_by("-day")[:days]
    )
    return [
        {
            **row,
            "open_rate": share(row["opens"], row["delivered"]),
            "click_rate": share(row["clicks"], row["delivered"]),
        }
        for row in rows
    ]
