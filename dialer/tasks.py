"""The dialer's background work (django-tasks): syncs, the import poll, large checks. Tasks call
services and syncs; nothing there enqueues a task (the views and these tasks do)."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task
from django_tasks.base import Task

from dashboard.context import acting
from dialer import imports, sync
from dialer.models import DialerCampaign, DialerImport

log = logging.getLogger("switchboard.dialer")


def enqueue(job: Task, *args: Any) -> None:
    """Queue `job`; a queue that refuses is logged, not raised: the worker's periodic syncs and
    import poll catch up with whatever was not queued."""
    try:
        job.enqueue(*args)
    except Exception:
        log.exception("could not enqueue %s", job.name)


@task()
def sync_running_campaigns() -> int:
    with acting("dialer-sync"):
        return sync.sync_running()


@task()
def sync_campaign_contacts(campaign_id: int) -> str:
    campaign = DialerCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return "campaign gone"
    with acting("dialer-sync"):
        return str(sync.sync_campaign_contacts(campaign))


@task()
def poll_imports() -> int:
    with acting("dialer-imports"):
        polled = imports.poll_pending_imports()
    # Imported contacts learn their CCAI ids from the next contacts sync: run it now.
    for campaign_id in {u.campaign_id for u in polled if u.state == DialerImport.State.COMPLETED}:
        enqueue(sync_campaign_contacts, campaign_id)
    return len(polled)


@task()
def clean_imports() -> int:
    return imports.clean_old_imports()


@task()
def check_import(import_id: int) -> bool:
    upload = DialerImport.objects.filter(pk=import_id).first()
    if upload is None:
        return False
    with imports.in_uploader_language(upload):
        return imports.import_check(upload=upload)
