"""Periodic work for `manage.py worker`: a heartbeat for `/readyz`, and the recurring tasks
(mirror syncs, statistics polling, the sandbox's simulated activity) enqueued once per
interval however many workers run, by claiming each job's next run with one UPDATE."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from dashboard.models import PeriodicJob, WorkerHeartbeat
from dashboard.sync import APP_PROVIDERS

log = logging.getLogger("switchboard.worker")


def periodic_jobs() -> list[tuple[str, int]]:
    """(task path, seconds) from each app's `<app>/sync.py`: `PERIODIC` always,
    `SANDBOX_PERIODIC` (the emulators' simulated activity) only when a sandbox is on."""
    from dashboard.providers import all_provider_configs

    jobs: list[tuple[str, int]] = []
    configs = {c.name: c for c in all_provider_configs()}
    sandbox = any(c.sandbox for c in configs.values())
    for app in ("dashboard", *APP_PROVIDERS):
        if app in APP_PROVIDERS and not configs[APP_PROVIDERS[app]].configured:
            continue  # SANDBOX=false and no credentials: nothing to call, every run would fail
        try:
            module = importlib.import_module(f"{app}.sync")
        except ModuleNotFoundError:
            continue
        jobs += list(getattr(module, "PERIODIC", []))
        if sandbox:
            jobs += list(getattr(module, "SANDBOX_PERIODIC", []))
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
