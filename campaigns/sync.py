"""Mirror syncs for EngageLab: campaigns, the builder's reference lists, the daily statistics;
and the campaign list's "Refresh now", which runs the first two at once."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.utils import timezone

from campaigns import client as api
from campaigns.mirror import mirror_fields
from campaigns.models import Campaign, DailyDomainStat, ReferenceItem, SyncStamp
from campaigns.selectors import reference_problems
from dashboard.providers import ProviderError
from dashboard.sync import SyncResult, record_outcome, upsert_mirror

PROVIDER = api.EngageLabClient.provider


def _stamp(name: str) -> None:
    SyncStamp.objects.update_or_create(name=name, defaults={"finished_at": timezone.now()})


def sync_campaigns() -> SyncResult:
    """Every campaign by its EngageLab id; a campaign no longer listed is removed unless
    Switchboard stored it after the listing was asked for (a write made meanwhile survives)."""
    started = timezone.now()
    campaigns = api.EngageLabClient().campaign_list()  # walks every page or raises
    result = upsert_mirror(
        Campaign,
        {c.campaign_id: mirror_fields(c) for c in campaigns},
        result=SyncResult("campaigns"),
        compare=["raw"],  # everything else is read from it
        listed_at=started,
    )
    _stamp("campaigns")
    return result


def _reference_rows(client: api.EngageLabClient, kind: str) -> dict[str, dict]:
    """{key: {label, data}} of one builder list, as EngageLab gives it now."""
    if kind == ReferenceItem.Kind.SENDER:
        rows = [
            (str(s.sender_id), f"{s.name} <{s.email}>", {"email": s.email})
            for s in client.sender_list()
        ]
    elif kind == ReferenceItem.Kind.TEMPLATE:
        rows = [
            (t.template_invoke_name, t.name, {"subject": t.subject}) for t in client.template_list()
        ]
    elif kind == ReferenceItem.Kind.TAG:
        rows = [(tag.name, tag.name, {}) for tag in client.tag_list()]
    else:
        rows = [(s.name, s.name, {"segment_id": s.segment_id}) for s in client.segment_list()]
    return {key: {"label": label, "data": data} for key, label, data in rows}


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
        listed_at = timezone.now()
        try:
            rows = _reference_rows(client, kind)
        except ProviderError as error:
            failures.append(error)
            result.errors.append(f"{kind.value}s ({error})")
            record_outcome(PROVIDER, object_type, error=error)
            continue
        upsert_mirror(
            ReferenceItem, rows, result=result, key="key", scope={"kind": kind}, listed_at=listed_at
        )
        record_outcome(PROVIDER, object_type, summary=f"{len(rows)} listed")
    if len(failures) == len(ReferenceItem.Kind):
        raise failures[0]
    _stamp("references")
    return result


def sync_daily_stats(days: int = 7) -> SyncResult:
    """Poll EngageLab's daily statistics (one call; the endpoint allows 60 a minute) for the
    last `days` days and upsert them by day and domain. Days are EngageLab's default UTC+8."""
    today = api.stats_today(timezone.now())
    rows = api.EngageLabClient().daily_stat_list(
        start_date=(today - timedelta(days=days - 1)).isoformat(),
        end_date=today.isoformat(),
        time_zone=api.STATS_TIME_ZONE,
    )
    result = upsert_mirror(
        DailyDomainStat,
        {
            (row.send_date, row.domain): {f: getattr(row, f) for f in api.STAT_COUNTS}
            for row in rows
        },
        result=SyncResult("campaign daily statistics"),
        key=("day", "domain"),
    )  # the last days only: older days stay as they were
    _stamp("daily statistics")
    return result


class PartlyRefreshed(Exception):
    """The campaigns were refreshed, some of the builder's choices (senders, templates…) were
    not: `problems` says which, and why."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = problems


def campaign_list_refresh() -> str:
    """The list's "Refresh now": the campaign and reference syncs, now. A failure of the
    second is not reported as if the campaigns had not been refreshed either."""
    summary = str(sync_campaigns())
    # Each list's failure is recorded on its own, and told from that record.
    with contextlib.suppress(ProviderError):
        summary += f"; {sync_references()}"
    if problems := reference_problems():
        raise PartlyRefreshed(summary, problems)
    return summary


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
