"""The dialer's background work (django-tasks): syncs and import-job polling."""

from __future__ import annotations

from django_tasks import task

from dashboard.context import acting


@task()
def sync_running_campaigns() -> int:
    from dialer.sync import sync_running

    with acting("dialer-sync"):
        return sync_running()


@task()
def sync_campaign_contacts(campaign_id: int) -> str:
    from dialer.models import DialerCampaign
    from dialer.sync import sync_campaign_contacts as run

    campaign = DialerCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return "campaign gone"
    with acting("dialer-sync"):
        return str(run(campaign))


@task()
def poll_imports() -> int:
    from dialer.imports import poll_pending_imports

    with acting("dialer-imports"):
        return poll_pending_imports()


@task()
def clean_imports() -> int:
    from dialer.imports import clean_old_imports

    return clean_old_imports()


@task()
def check_import(import_id: int) -> bool:
    from dialer.imports import run_check
    from dialer.models import DialerImport

    upload = DialerImport.objects.filter(pk=import_id).first()
    return bool(upload) and run_check(upload)
