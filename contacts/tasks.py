"""Background work for Dialog Insight: bulk syncs of uploaded CRM files."""

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
