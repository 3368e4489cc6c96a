"""Mirror syncs for EngageLab: campaigns and the builder's reference lists."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from campaigns import client as api
from campaigns.models import Campaign, ReferenceItem, SyncStamp
from campaigns.services import mirror_fields
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult, record_outcome


def _stamp(name: str) -> None:
    SyncStamp.objects.update_or_create(name=name, defaults={"finished_at": timezone.now()})


def sync_campaigns() -> SyncResult:
    """Upsert every campaign by its EngageLab id; remove only rows absent from a complete
    listing that were synced before this run began (a write made meanwhile survives)."""
    started = timezone.now()
    campaigns = api.EngageLabClient().list_campaigns()  # walks every page or raises
    result = SyncResult("campaigns")
    seen = {c.campaign_id for c in campaigns}
    with transaction.atomic():
        existing = {
            row.campaign_id: row
            for row in Campaign.objects.filter(campaign_id__in=seen).only("campaign_id", "raw")
        }
        for c in campaigns:
            row = existing.get(c.campaign_id)
            if row is not None and row.raw == c.raw:
                result.unchanged += 1
                continue
            fields = {**mirror_fields(c), "synced_at": timezone.now()}
            if row is None:
                Campaign.objects.update_or_create(campaign_id=c.campaign_id, defaults=fields)
                result.created += 1
            else:
                Campaign.objects.filter(campaign_id=c.campaign_id).update(**fields)
                result.updated += 1
        Campaign.objects.filter(campaign_id__in=seen).update(synced_at=timezone.now())
        removed, _ = (
            Campaign.objects.exclude(campaign_id__in=seen).filter(synced_at__lt=started).delete()
        )
        result.removed = removed
    _stamp("campaigns")
    return result


def _reference_rows(client: api.EngageLabClient, kind: str) -> list[tuple[str, str, dict]]:
    """[(key, label, data)] of one builder list, as EngageLab gives it now."""
    if kind == ReferenceItem.Kind.SENDER:
        return [
            (str(s.sender_id), f"{s.name} <{s.email}>", {"email": s.email})
            for s in client.list_senders()
        ]
    if kind == ReferenceItem.Kind.TEMPLATE:
        return [
            (t.template_invoke_name, t.name, {"subject": t.subject})
            for t in client.list_templates()
        ]
    if kind == ReferenceItem.Kind.TAG:
        return [(tag.name, tag.name, {}) for tag in client.list_tags()]
    return [(s.name, s.name, {"segment_id": s.segment_id}) for s in client.list_segments()]


def _store_references(kind: str, rows: list[tuple[str, str, dict]], result: SyncResult) -> None:
    """Make the mirror hold exactly `rows` for `kind`, leaving the other lists alone."""
    now = timezone.now()
    with transaction.atomic():
        existing = {r.key: r for r in ReferenceItem.objects.filter(kind=kind)}
        for key, label, data in rows:
            row = existing.pop(key, None)
            if row is None:
                ReferenceItem.objects.create(
                    kind=kind, key=key, label=label, data=data, synced_at=now
                )
                result.created += 1
            elif row.label != label or row.data != data:
                ReferenceItem.objects.filter(pk=row.pk).update(
                    label=label, data=data, synced_at=now
                )
                result.updated += 1
            else:
                result.unchanged += 1
        ReferenceItem.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
        result.removed += len(existing)


def sync_references() -> SyncResult:
    """Senders, templates, tags and segments for the builder's choices, each list stored on
    its own: a list EngageLab cannot give (the sender and segment listings are inferred, and
    an account may refuse them) keeps its last rows, is named in the result and recorded for
    the builder to say so, and the others are stored all the same. Raises only when no list
    could be read."""
    client = api.EngageLabClient()
    result = SyncResult("campaign references")
    failures: list[ProviderError] = []
    for kind in ReferenceItem.Kind:
        object_type = ReferenceItem.list_name(kind)
        try:
            rows = _reference_rows(client, kind)
        except ProviderError as error:
            failures.append(error)
            result.errors.append(f"{kind.value}s ({error})")
            record_outcome(api.EngageLabClient.provider, object_type, error=error)
            continue
        _store_references(kind, rows, result)
        record_outcome(api.EngageLabClient.provider, object_type, summary=f"{len(rows)} listed")
    if len(failures) == len(ReferenceItem.Kind):
        raise failures[0]
    _stamp("references")
    return result


STAT_FIELDS = (
    "sent",
    "delivered",
    "invalid_email",
    "soft_bounce",
    "total_opens",
    "opens",
    "total_clicks",
    "clicks",
    "unsubscribe",
    "report_spam",
)


def sync_daily_stats(days: int = 7) -> SyncResult:
    """Poll EngageLab's daily statistics (one call; the endpoint allows 60 a minute) for the
    last `days` days and upsert them by day and domain. Days are EngageLab's default UTC+8."""
    from datetime import date as date_type
    from datetime import timedelta

    from campaigns.models import DailyDomainStat

    today = api.stats_today(timezone.now())
    rows = api.EngageLabClient().stats_day(
        start_date=(today - timedelta(days=days - 1)).isoformat(),
        end_date=today.isoformat(),
        time_zone=api.STATS_TIME_ZONE,
    )
    result = SyncResult("campaign daily statistics")
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            values = {f: getattr(row, f) for f in STAT_FIELDS}
            day = date_type.fromisoformat(row.send_date)
            current = DailyDomainStat.objects.filter(day=day, domain=row.domain).first()
            if current is None:
                DailyDomainStat.objects.create(day=day, domain=row.domain, synced_at=now, **values)
                result.created += 1
            elif any(getattr(current, f) != v for f, v in values.items()):
                DailyDomainStat.objects.filter(pk=current.pk).update(synced_at=now, **values)
                result.updated += 1
            else:
                result.unchanged += 1
    _stamp("daily statistics")
    return result


SYNC_JOBS = [
    ("campaigns", sync_campaigns),
    ("campaign references", sync_references),
    ("campaign daily statistics", sync_daily_stats),
]
PERIODIC = [
    ("campaigns.tasks.sync_campaigns_task", 60),
    ("campaigns.tasks.poll_daily_stats_task", 300),
    # A safety net: the receiver enqueues processing itself, this catches anything left.
    ("campaigns.tasks.process_webhooks_task", 15),
]
