"""Background work for campaigns (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from campaigns.stats import process_events
from campaigns.sync import sync_campaigns, sync_daily_stats
from dashboard.sync import run_sync_job


@task()
def sync_campaigns_task() -> str:
    # Under the mirror's lease, so it takes turns with `manage.py sync` and the full sync.
    return str(run_sync_job("engagelab", "campaigns", sync_campaigns, wait=30))


@task()
def poll_daily_stats_task() -> str:
    return str(sync_daily_stats())


@task()
def process_webhooks_task() -> int:
    total = 0
    while processed := process_events():
        total += processed
    return total
