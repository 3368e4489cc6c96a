"""Periodic work for `manage.py worker`: a heartbeat for `/readyz`, and the recurring tasks
(mirror syncs, statistics polling, the emulators' simulated activity while their provider runs
on its sandbox) enqueued once per interval however many workers run, by claiming each job's
next run with one UPDATE."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from dashboard.models import PeriodicJob, WorkerHeartbeat
from dashboard.providers import sandbox_apps
from dashboard.sync import APP_PROVIDERS

log = logging.getLogger("switchboard.worker")


def periodic_jobs() -> list[tuple[str, int]]:
    """(task path, seconds): each app's `PERIODIC` in `<app>/sync.py` (only for a provider
    Switchboard can call), and the `periodic` of each emulator app whose provider runs on its
    sandbox now (see `sandbox_apps`)."""
    from dashboard.providers import all_provider_configs

    jobs: list[tuple[str, int]] = []
    configs = {c.name: c for c in all_provider_configs()}
    for app in ("dashboard", *APP_PROVIDERS):
        if app in APP_PROVIDERS and not configs[APP_PROVIDERS[app]].configured:
            continue  # SANDBOX=false and no credentials: nothing to call, every run would fail
        try:
            module = importlib.import_module(f"{app}.sync")
        except ModuleNotFoundError:
            continue
        jobs += list(getattr(module, "PERIODIC", []))
    for sandbox in sandbox_apps():
        jobs += list(sandbox.periodic)
    return jobs


def beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(hours=1)).delete()


def enqueue_due(now=None) -> list[str]:
    now = now or timezone.now()
    enqueued = []
    for path, interval in periodic_jobs():
        job, _ = PeriodicJob.objects.get_or_create(name=path, defaults={"next_run": now})
        claimed = PeriodicJob.objects.filter(pk=job.pk, next_run__lte=now).update(
            next_run=now + timedelta(seconds=interval)
        )
        if claimed:
            import_string(path).enqueue()
            enqueued.append(path)
    return enqueued


def tick(worker_id: str) -> None:
    try:
        close_old_connections()
        beat(worker_id)
        enqueue_due()
    except Exception:
        log.exception("scheduler tick failed")
