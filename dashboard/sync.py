"""Mirror syncs, shared shape. Each app lists its jobs in `<app>/sync.py` as
`SYNC_JOBS = [("campaigns", callable), ...]`; a job takes no argument and returns a
`SyncResult`. `manage.py sync`, the periodic tasks and the pages' refresh buttons run them."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

APP_PROVIDERS = {"campaigns": "engagelab", "contacts": "dialoginsight", "dialer": "ccai"}


@dataclass
class SyncResult:
    object_type: str
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.object_type}: {self.created} created, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )


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
