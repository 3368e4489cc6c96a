from __future__ import annotations

import logging

from django_tasks import task

from dashboard.context import acting
from dashboard.providers import ProviderError, provider_config
from dashboard.sync import run_sync_job, sync_jobs

log = logging.getLogger("switchboard.sync")


@task()
def sync_all() -> dict[str, str]:
    """Refresh every mirror; one provider failing does not stop the others."""
    outcomes = {}
    with acting("worker"):
        for provider, object_type, job in sync_jobs():
            key = f"{provider}.{object_type}"
            if not provider_config(provider).configured:
                # SANDBOX=false and no credentials: the Providers page says so; nothing to call.
                outcomes[key] = "skipped: not configured"
                continue
            try:
                outcomes[key] = str(run_sync_job(provider, object_type, job, wait=5))
            except (ProviderError, TimeoutError) as error:
                outcomes[key] = f"failed: {error}"
                log.warning("sync %s failed: %s", key, error)
    return outcomes
