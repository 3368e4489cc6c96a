"""CCAI's emulator's periodic work (scheduled by the worker while CCAI is on its sandbox, see
apps.py)."""

from __future__ import annotations

from django_tasks import task

from dashboard.providers import provider_config
from dialer.sandbox.simulation import tick


@task()
def sandbox_tick() -> int:
    """One step of the simulated calls; due import jobs run."""
    if not provider_config("ccai").sandbox:
        return 0
    return tick()
