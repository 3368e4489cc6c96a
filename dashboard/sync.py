"""Mirror syncs, shared shape. Each app lists its jobs in `<app>/sync.py` as
`SYNC_JOBS = [("campaigns", callable), ...]`; a job takes no argument and returns a
`SyncResult`. `manage.py sync`, the periodic tasks and the pages' refresh buttons run them."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
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


BATCH = 500  # rows a statement writes or names at most (SQLite's limit on parameters)


def upsert_mirror(
    model: type[models.Model],
    listing: Mapping[Any, dict[str, Any]],
    *,
    result: SyncResult,
    key: str | tuple[str, ...] = "provider_id",
    scope: dict[str, Any] | None = None,
    compare: Iterable[str] | None = None,
    listed_at: datetime | None = None,
) -> SyncResult:
    """Make a mirror agree with what a provider listed, counting into `result`.

    `listing` maps each object's provider key (a tuple for a `key` of several fields) to the
    mirror's values for it; `scope` narrows the table to the part the listing covers (one kind
    of reference list) and is written into new rows. A key not yet mirrored is created; a row
    whose values differ — only the `compare` fields, when one of them tells every change — is
    updated; either way `synced_at` says when the provider last showed it. With `listed_at`,
    the instant a complete listing was asked for, rows absent from it that were synced before
    then are removed, so a row a user's write stored meanwhile survives; without it the
    listing is partial and nothing is removed. One transaction; rows written in batches of one
    upsert each, which needs the key (with `scope`) to be unique in the table."""
    keys = (key,) if isinstance(key, str) else key
    scope = scope or {}
    fields = list(next(iter(listing.values()), {}))
    compared = list(compare) if compare is not None else fields
    now = timezone.now()
    with transaction.atomic():
        rows = model.objects.filter(**scope).only("pk", *keys, *compared)
        existing = {
            (getattr(row, keys[0]) if len(keys) == 1 else tuple(getattr(row, k) for k in keys)): row
            for row in rows.iterator(BATCH)
        }
        write: list[models.Model] = []
        unchanged: list[Any] = []
        for ident, values in listing.items():
            row = existing.get(ident)
            if row is not None and all(getattr(row, f) == values[f] for f in compared):
                unchanged.append(row.pk)
                continue
            idents = dict(zip(keys, ident if len(keys) > 1 else (ident,), strict=True))
            write.append(model(**scope, **idents, **values, synced_at=now))
            if row is None:
                result.created += 1
            else:
                result.updated += 1
        result.unchanged += len(unchanged)
        model.objects.bulk_create(
            write,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=[*scope, *keys],
            update_fields=[*fields, "synced_at"],
        )
        for i in range(0, len(unchanged), BATCH):
            model.objects.filter(pk__in=unchanged[i : i + BATCH]).update(synced_at=now)
        if listed_at is not None:
            gone = [row.pk for ident, row in existing.items() if ident not in listing]
            for i in range(0, len(gone), BATCH):
                _, per_model = model.objects.filter(
                    pk__in=gone[i : i + BATCH], synced_at__lt=listed_at
                ).delete()
                # `delete()` counts cascaded rows too: only the mirror's own are removed objects.
                result.removed += per_model.get(model._meta.label, 0)
    return result


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
