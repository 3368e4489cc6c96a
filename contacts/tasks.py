"""Background work for Dialog Insight: bulk syncs of uploaded CRM files, and the sandbox's
simulated activity."""

from __future__ import annotations

from django_tasks import task

from dashboard.context import acting


@task()
def bulk_sync_run(job_id: int) -> dict[str, int]:
    """Merge the pending rows of a bulk sync in batches (see services.bulk_sync_run)."""
    from contacts import services

    with acting("worker"):
        job = services.bulk_sync_run(job_id=job_id)
    return {"processed": job.processed, "rejected": job.rejected}


@task()
def sandbox_tick() -> int:
    """Launch the sandbox's scheduled sendings whose time has come."""
    from contacts.sandbox import process_due

    return process_due()
