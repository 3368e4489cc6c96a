"""`make bench` for campaigns: the list and detail pages at 10,000 campaigns, and the chart
data endpoints over statistics buckets that stand for about a million webhook events."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from campaigns.models import Campaign, StatBucket
from campaigns.stats import rebuild_rollups
from dashboard.bench import Goal, Page

CAMPAIGNS = 10_000
WORDS = [
    "Spring",
    "Summer",
    "Autumn",
    "Winter",
    "VIP",
    "Flash",
    "Weekly",
    "Launch",
    "Renewal",
    "Quebec",
    "Montreal",
    "Loyalty",
    "Survey",
    "Webinar",
    "Holiday",
]
DOMAINS = ["gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "videotron.ca", "icloud.com"]
CHART_CAMPAIGN = 4242


def seed(scale: int) -> None:
    rng = random.Random(3)
    now = timezone.now()
    rows = []
    for i in range(1, CAMPAIGNS * scale + 1):
        ab = i % 4 == 0
        created = now - timedelta(minutes=i * 7)
        rows.append(
            Campaign(
                provider_id=i,
                campaign_type=1 if ab else 2,
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} campaign {i}",
                audience_type="tag",
                audience_values=["newsletter"],
                template_invoke_name="newsletter",
                status=rng.choice([0, 1, 2, 2, 2, -1]),
                sender_id=21,
                from_email="news@mail.switchboard.test",
                from_name="Switchboard News",
                create_time=created,
                update_time=created,
                run_time=created + timedelta(days=1),
                time_zone="-5",
                ab_test={
                    "percent": 20,
                    "subjects": ["A", "B"],
                    "win_condition": {
                        "time_unit": "hour",
                        "after_time": 4,
                        "compare": "open_percent",
                    },
                }
                if ab
                else None,
                warm_up=None
                if ab
                else [
                    {
                        "domain": "gmail.com",
                        "rate": 1,
                        "upgrade_value": "0.95",
                        "downgrade_value": "0.75",
                    }
                ],
                synced_at=now,
            )
        )
        if len(rows) == 5000:
            Campaign.objects.bulk_create(rows)
            rows = []
    Campaign.objects.bulk_create(rows)
    seed_buckets(scale)


def seed_buckets(scale: int) -> None:
    """Minute buckets for the 20 latest campaigns over the last days: ~1,000,000 events each
    way they are counted (sent, delivered, opens, clicks)."""
    rng = random.Random(5)
    now = timezone.now().replace(second=0, microsecond=0)
    batch = []
    campaigns = [CHART_CAMPAIGN, *range(1, 20)]
    for cid in campaigns:
        for minute in range(0, 1800 * scale):
            for domain in DOMAINS[:4]:
                sent = rng.randint(1, 4)
                delivered = sent - (rng.random() < 0.05)
                opens = rng.randint(0, delivered)
                batch.append(
                    StatBucket(
                        campaign_id=cid,
                        variant="AB"[minute % 2] if cid % 4 == 0 else "",
                        domain=domain,
                        start=now - timedelta(minutes=minute),
                        sent=sent,
                        delivered=delivered,
                        opens=opens,
                        unique_opens=opens // 2 + (opens % 2),
                        clicks=opens // 3,
                        unique_clicks=opens // 4,
                    )
                )
                if len(batch) == 10000:
                    StatBucket.objects.bulk_create(batch)
                    batch = []
    StatBucket.objects.bulk_create(batch)
    rebuild_rollups()  # what processing the events would have kept beside the buckets


# A manager's chart waits on this answer (analytics goal: 10 ms at the 95th percentile).
# Held by the answer the first watcher after a change pays (the others read it from the cache).
RATIOS = [Goal("campaigns.chart_data.uncached", "p95_ms", "<=", 10)]


def pages() -> list[Page | tuple[str, str]]:
    return [
        # The list everyone keeps open is timed as its second reader gets it (its rows are
        # kept per version), and as the first reader after a change pays it; a filter, a
        # search, a page far down are one person's: rendered afresh.
        ("Campaigns", "/campaigns/"),
        Page(
            "campaigns.campaigns.uncached",
            "Campaigns, first reader after a change",
            "/campaigns/",
            uncached=True,
        ),
        Page(
            "campaigns.campaigns_filtered",
            "Campaigns, filtered",
            "/campaigns/?campaign_type=1&status=2",
            uncached=True,
        ),
        Page(
            "campaigns.campaigns_search",
            "Campaigns, search",
            "/campaigns/?q=vip+launch",
            uncached=True,
        ),
        Page(
            "campaigns.campaigns_sorted_by_name",
            "Campaigns, sorted by name",
            "/campaigns/?sort=name",
            uncached=True,
        ),
        Page(
            "campaigns.campaigns_page_300",
            "Campaigns, page 300",
            "/campaigns/?page=300",
            uncached=True,
        ),
        ("Campaign detail (with charts)", f"/campaigns/{CHART_CAMPAIGN}/"),
        ("Campaign builder, a new campaign", "/campaigns/new/"),
        Page(
            "campaigns.chart_data",
            "Campaign chart data",
            f"/campaigns/{CHART_CAMPAIGN}/charts/data.json",
        ),
        Page(
            "campaigns.chart_data.uncached",
            "Campaign chart data, first watcher after a change",
            f"/campaigns/{CHART_CAMPAIGN}/charts/data.json",
            uncached=True,
        ),
        Page(
            "campaigns.chart_data.304",
            "Campaign chart data, unchanged (304)",
            f"/campaigns/{CHART_CAMPAIGN}/charts/data.json",
            conditional=True,
        ),
        Page(
            "campaigns.overview_data.uncached",
            "Overview chart data, 24 h, not cached",
            "/campaigns/overview/data.json?period=24h",
            uncached=True,
        ),
        ("Overview chart data, 24 h", "/campaigns/overview/data.json?period=24h"),
        ("Overview chart data, 7 days", "/campaigns/overview/data.json?period=7d"),
        ("Overview chart fragment", "/campaigns/overview/chart/?period=24h"),
    ]


def chart_timings(client, runs: int = 40) -> list[dict]:
    """The chart data answers one manager's page waits on, one request at a time: the
    campaign's full answer and its 304, the overview's answer with nothing cached (the first
    poller after new data pays it) and its 304."""
    import statistics
    import time

    from django.core.cache import cache

    def measure(url: str, *, etag: bool = False, uncached: bool = False) -> dict:
        timings, cpu, status = [], [], None
        headers = {"HTTP_IF_NONE_MATCH": client.get(url)["ETag"]} if etag else {}
        for _ in range(runs):
            if uncached:
                cache.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            status = client.get(url, **headers).status_code
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        timings.sort()
        cpu.sort()
        p95 = max(0, int(len(timings) * 0.95) - 1)
        return {
            "status": status,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[p95], 1),
            # CPU time of this process: what the answer costs, whatever else the machine runs
            "cpu_p95_ms": round(cpu[p95], 1),
        }

    campaign = f"/campaigns/{CHART_CAMPAIGN}/charts/data.json"
    overview = "/campaigns/overview/data.json?period="
    return [
        {"label": "campaign chart data, full answer", **measure(campaign)},
        {"label": "campaign chart data, unchanged (304)", **measure(campaign, etag=True)},
        {"label": "overview data 24 h, uncached", **measure(overview + "24h", uncached=True)},
        {"label": "overview data 7 days, uncached", **measure(overview + "7d", uncached=True)},
        {"label": "overview data 24 h, unchanged (304)", **measure(overview + "24h", etag=True)},
    ]
