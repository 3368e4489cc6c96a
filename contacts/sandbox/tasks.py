"""Dialog Insight's emulator's periodic work (scheduled by the worker while Dialog Insight is
on its sandbox, see apps.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def sandbox_tick() -> int:
    """Launch the sandbox's scheduled sendings whose time has come."""
    from contacts.sandbox.simulation import process_due
    from dashboard.providers import provider_config

    if not provider_config("dialoginsight").sandbox:
        return 0
    return process_due()
