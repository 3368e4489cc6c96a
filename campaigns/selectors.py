"""Campaigns' reads that deserve a name: the list, the detail page, the overview's numbers,
what the builder offers. From the mirror and the stored statistics, never from EngageLab."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from campaigns import charts, describe, stats
from campaigns.models import (
    Campaign,
    CampaignStats,
    CampaignStatus,
    ReferenceItem,
    StatBucket,
    SyncStamp,
)
from dashboard import clock
from dashboard.models import SyncState
from dashboard.numbers import share

SORTS = {
    "-created": ("-create_time", "-provider_id"),
    "created": ("create_time", "provider_id"),
    "name": ("name", "provider_id"),
    "-name": ("-name", "-provider_id"),
    "-run": ("-run_time", "-provider_id"),
    "run": ("run_time", "provider_id"),
    "status": ("status", "-create_time"),
}


def campaign_list(filters: dict[str, Any]) -> QuerySet[Campaign]:
    qs = Campaign.objects.defer("raw", "google_track", "warm_up", "ab_test", "attachments")
    if filters.get("campaign_type") not in (None, ""):
        qs = qs.filter(campaign_type=int(filters["campaign_type"]))
    if filters.get("status") not in (None, ""):
        qs = qs.filter(status=int(filters["status"]))
    if q := (filters.get("q") or "").strip():
        # Only ASCII digits are an id: "²".isdigit() is True but int("²") fails.
        by_id = q.isascii() and q.isdigit()
        qs = qs.filter(
            Q(name__icontains=q) | Q(provider_id=int(q)) if by_id else Q(name__icontains=q)
        )
    return qs.order_by(*SORTS.get(filters.get("sort") or "-created", SORTS["-created"]))


def with_numbers(campaigns: list[Campaign]) -> list[Campaign]:
    """Each campaign with its stored totals as `numbers` (sent, unique open and click rates
    over delivered), read in one query whatever the page's length."""
    fields = ("sent", "delivered", "unique_opens", "unique_clicks")
    stored = {
        row.campaign_id: row
        for row in CampaignStats.objects.filter(
            campaign_id__in=[c.provider_id for c in campaigns]
        ).only("campaign_id", *fields)
    }
    for c in campaigns:
        row = stored.get(c.provider_id)
        if row is None:
            c.numbers = None
            continue
        counts = {f: getattr(row, f) for f in fields}
        c.numbers = {**counts, **stats.rates(counts)}  # no rate over nothing delivered
    return campaigns


# Every field of a campaign that a row of the list writes (with its numbers).
ROW_FIELDS = (
    "provider_id",
    "name",
    "campaign_type",
    "status",
    "audience_type",
    "audience_values",
    "run_time",
    "create_time",
)


def rows_version(campaigns: list[Campaign]) -> str:
    """What a page of the list shows, as one key: each row's fields and numbers. The rendered
    rows are kept under it (with the reader's language and zone), so the page everyone keeps
    open is rendered once per change, and any change, whoever wrote it, is another key."""
    shown = [(tuple(getattr(c, f) for f in ROW_FIELDS), c.numbers) for c in campaigns]
    return hashlib.sha1(repr(shown).encode()).hexdigest()


def last_synced(name: str = "campaigns") -> datetime | None:
    stamp = SyncStamp.objects.filter(name=name).first()
    return stamp.finished_at if stamp else None


def synced_ago(at: datetime | None) -> str:
    if at is None:
        return gettext("never synced")
    seconds = max(0, int((timezone.now() - at).total_seconds()))
    if seconds < 120:
        return gettext("synced %(count)s s ago") % {"count": seconds}
    if seconds < 7200:
        return gettext("synced %(count)s min ago") % {"count": seconds // 60}
    return gettext("synced %(count)s h ago") % {"count": seconds // 3600}


def references(kind: str) -> list[tuple[str, str]]:
    return list(ReferenceItem.objects.filter(kind=kind).values_list("key", "label"))


def references_loaded() -> bool:
    return ReferenceItem.objects.exists()


def reference_labels(kind: str) -> dict[str, str]:
    return dict(references(kind))


def reference_problems() -> list[str]:
    """What the builder cannot offer: a sentence for each list whose last sync failed and
    has not succeeded since (lists that failed alike are named together)."""
    names = {ReferenceItem.list_name(kind): kind for kind in ReferenceItem.Kind}
    failing: dict[str, list[str]] = {}
    states = SyncState.objects.filter(provider="engagelab", object_type__in=names)
    for state in sorted(states, key=lambda s: list(names).index(s.object_type)):
        if state.last_error_at and (
            state.last_success_at is None or state.last_error_at > state.last_success_at
        ):
            failing.setdefault(state.last_error, []).append(
                str(REFERENCE_LISTS[names[state.object_type]])
            )
    return [
        capfirst(
            gettext("%(lists)s could not be loaded from EngageLab: %(error)s")
            % {"lists": describe.and_list(lists), "error": error}
        )
        for error, lists in failing.items()
    ]


# The builder's lists, as a sentence names them.
REFERENCE_LISTS = {
    ReferenceItem.Kind.SENDER: _("senders"),
    ReferenceItem.Kind.TEMPLATE: _("templates"),
    ReferenceItem.Kind.TAG: _("tags"),
    ReferenceItem.Kind.SEGMENT: _("segments"),
}


def audience_estimate(audience_type: str, values: list[str]) -> tuple[int, Campaign] | None:
    """About how many contacts an audience has. EngageLab does not say; the last finished
    campaign sent to exactly this audience, and how many it was sent to (from its events),
    is the best guess. None: unknown."""
    finished = Campaign.objects.filter(
        audience_type=audience_type, status=CampaignStatus.FINISHED
    ).only("provider_id", "name", "audience_values")
    wanted = sorted(values)
    for campaign in finished.order_by("-complete_time", "-provider_id")[:50]:
        if sorted(campaign.audience_values or []) != wanted:
            continue
        sent = StatBucket.objects.filter(campaign_id=campaign.provider_id).aggregate(n=Sum("sent"))
        return (sent["n"], campaign) if sent["n"] else None
    return None


def overview_card() -> dict:
    counts = dict(Campaign.objects.values_list("status").annotate(n=Count("id")))
    stats = [
        (gettext("Running"), counts.get(CampaignStatus.RUNNING, 0)),
        (gettext("Scheduled"), counts.get(CampaignStatus.PENDING, 0)),
        (gettext("Finished"), counts.get(CampaignStatus.FINISHED, 0)),
    ]
    return {
        "title": gettext("Campaigns"),
        "provider": "EngageLab",
        "url": reverse("campaigns:campaign_list"),
        "stats": stats if any(counts.values()) else [],
        "empty": gettext("No campaigns synced yet."),
    }


def campaign_detail(campaign: Campaign) -> dict[str, Any]:
    """The detail page's content: the campaign in words, in its own time zone, and its charts."""
    dimension, variants = describe.ab_dimension(campaign.ab_test)
    row = stats.campaign_stats(campaign.provider_id)
    labels = (
        reference_labels("sender")
        if dimension == "sender_ids"
        else reference_labels("template")
        if dimension == "template_invoke_names"
        else {}
    )
    track = campaign.google_track or {}
    schedule = campaign.schedule
    return {
        "campaign": campaign,
        "audience": describe.audience_text(campaign.audience_type, campaign.audience_values),
        "schedule": describe.local_time(schedule.at, schedule.time_zone) if schedule else "—",
        "schedule_from_switchboard": schedule is not None and schedule.from_switchboard,
        "tz_label": describe.tz_label(campaign.time_zone),
        "zone": clock.zone_name(),
        "times": [
            (label, describe.local_time(getattr(campaign, field), campaign.time_zone))
            for label, field in (
                (gettext("Created"), "create_time"),
                (gettext("Last updated"), "update_time"),
                (gettext("Started") if campaign.has_started else gettext("Starts"), "run_time"),
                (gettext("Finished"), "complete_time"),
            )
        ],
        "ab_sentence": describe.ab_sentence(campaign.ab_test),
        "ab_dimension": describe.dimension_of(dimension),
        # What the A/B test compares: each variant has its own, the campaign none.
        "tested": dimension if campaign.is_ab else "",
        "variants": [(chr(ord("A") + i), labels.get(v, v)) for i, v in enumerate(variants)],
        "warm_up": [
            {**row, "sentence": describe.warm_up_sentence(row)} for row in campaign.warm_up or []
        ],
        "utm": [
            (label, track[key]) for key, label in describe.UTM_LABELS.items() if track.get(key)
        ],
        "template_label": reference_labels("template").get(
            campaign.template_invoke_name, campaign.template_invoke_name
        ),
        "charts": _with_templates(charts.campaign_charts(campaign, row)),
        "charts_etag": stats.campaign_version(row),
    }


def _with_templates(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "figures": {k: charts.with_template(f) for k, f in data["figures"].items()}}


def latest_campaign_numbers(limit: int = 5) -> list[dict[str, Any]]:
    """The latest campaigns that have started, with their stored totals (two queries whatever
    `limit` is): the overview's cross-provider table."""
    campaigns = list(
        Campaign.objects.filter(run_time__isnull=False)
        .exclude(status=CampaignStatus.PENDING)
        .only("provider_id", "name", "run_time", "status")
        .order_by("-run_time", "-provider_id")[:limit]
    )
    fields = ("sent", "delivered", "unique_opens", "unique_clicks")
    totals = {
        row["campaign_id"]: row
        for row in CampaignStats.objects.filter(
            campaign_id__in=[c.provider_id for c in campaigns]
        ).values("campaign_id", *fields)
    }
    rows = []
    for c in campaigns:
        # No event counted yet: no numbers ("—", as the campaign list shows it), not zeros.
        t = totals.get(c.provider_id) or dict.fromkeys(fields)
        rows.append(
            {
                "provider": "EngageLab",
                "name": c.name,
                "url": reverse("campaigns:campaign_detail", args=[c.provider_id]),
                "launched": c.run_time,
                **{f: t[f] for f in fields},
                "open_rate": share(t["unique_opens"], t["delivered"]),
                "click_rate": share(t["unique_clicks"], t["delivered"]),
            }
        )
    return rows


def campaign_latest_named(name: str) -> Campaign | None:
    """The newest mirrored campaign with this name (what a check after an unknown outcome
    looks for)."""
    return (
        Campaign.objects.filter(name=name.strip()[:64])
        .order_by("-create_time", "-provider_id")
        .first()
    )


# --- the overview's chart ------------------------------------------------------------------
def overview_period(value: str | None) -> str:
    return value if value in stats.PERIODS else "24h"


def overview_version(period: str, every: bool = False) -> str:
    """What the overview's numbers depend on: the period, the lines asked for (the latest
    campaigns or every one), the statistics' version, and the minute (the window slides every
    minute even when nothing new arrives)."""
    lines = "every" if every else "latest"
    return f"{period}-{lines}-{int(time.time() // 60)}-{stats.data_version()}"


def overview_data(period: str, version: str, every: bool = False) -> dict[str, Any]:
    """The overview's numbers for this version, computed once for every poller."""
    key = f"campaigns:overview-data:{get_language()}:{version}"  # names a campaign not mirrored
    data = cache.get(key)
    if data is None:
        data = stats.overview(period, every=every)
        cache.set(key, data, 120)
    return data


def overview_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each line's latest point: the table beside the chart."""
    return [
        {
            "name": s["name"],
            "campaign_id": s["campaign_id"],
            "open_rate": s["open_rate"][-1] if s["open_rate"] else None,
            "click_rate": s["click_rate"][-1] if s["click_rate"] else None,
        }
        for s in data["series"]
    ]
