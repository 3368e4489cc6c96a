"""Mirror syncs, shared shape. Each app lists its jobs in `<app>/sync.py` as
`SYNC_JOBS = [("campaigns", callable), ...]`; a job takes no argument and returns a
`SyncResult`. `manage.py sync`, the periodic tasks and the pages' refresh buttons run them."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

APP_PROVIDERS = {"campaigns": "engagelab", "contacts": "dialoginsight", "dialer": "ccai"}

# Every mirror is refreshed by the worker through the same leased path as `manage.py sync`.
PERIODIC = [("dashboard.tasks.sync_all", 120)]


@dataclass
class SyncResult:
    object_type: str
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.object_type}: {self.created} created, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )
        return f"{text}; not loaded: {'; '.join(self.errors)}" if self.errors else text


def record_outcome(
    provider: str, object_type: str, *, summary: str = "", error: Exception | None = None
) -> None:
    """Record how one mirror (or one list of a sync job) last fared, for the Providers page and
    for the pages that say what could not be loaded."""
    from dashboard.models import SyncState

    now = timezone.now()
    if error is None:
        values = {"last_success_at": now, "last_summary": summary[:300]}
    else:
        values = {"last_error_at": now, "last_error": str(error)[:500]}
    SyncState.objects.update_or_create(provider=provider, object_type=object_type, defaults=values)


def sync_jobs(
    provider: str | None = None, only: str | None = None
) -> list[tuple[str, str, Callable]]:
    """[(provider, object type, job)] for the selected providers and object types."""
    jobs = []
    for app, app_provider in APP_PROVIDERS.items():
        if provider and provider != app_provider:
            continue
        try:
            module = importlib.import_module(f"{app}.sync")
        except ModuleNotFoundError:
            continue
        for object_type, job in getattr(module, "SYNC_JOBS", []):
            if only and only != object_type:
                continue
            jobs.append((app_provider, object_type, job))
    return jobs


LEASE = timedelta(minutes=15)


def run_sync_job(
    provider: str, object_type: str, job: Callable, *, wait: float = 600
) -> SyncResult:
    """Run one mirror sync under its lease: a second run of the same mirror waits for the
    first to finish (so two overlapping runs leave the mirror as one run would), and the
    outcome is recorded for the Providers page. Provider errors propagate after recording."""
    from dashboard.models import SyncState

    state, _ = SyncState.objects.get_or_create(provider=provider, object_type=object_type)
    holder = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while True:
        now = timezone.now()
        claimed = (
            SyncState.objects.filter(pk=state.pk)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(lease_holder=holder, lease_until=now + LEASE)
        )
        if claimed:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{provider} {object_type} sync is still running elsewhere")
        time.sleep(0.2)
    mine = SyncState.objects.filter(pk=state.pk, lease_holder=holder)
    try:
        result = job()
    except Exception as error:
        mine.update(
            lease_until=None,
            lease_holder="",
            last_error_at=timezone.now(),
            last_error=str(error)[:500],
        )
        raise
    mine.update(
        lease_until=None,
        lease_holder="",
        last_success_at=timezone.now(),
        last_summary=str(result)[:300],
    )
    return result
