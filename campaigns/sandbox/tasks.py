"""The EngageLab emulator's periodic work (scheduled by the worker while EngageLab is on its
sandbox, see apps.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def sandbox_tick() -> int:
    """The simulated sending: start what is due, send, deliver webhook events."""
    from campaigns.sandbox.simulation import simulate
    from dashboard.providers import provider_config

    if not provider_config("engagelab").sandbox:
        return 0
    return simulate()
