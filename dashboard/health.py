"""What the load balancer and on-call ask.

- `readiness()`: can this web process serve pages — database reachable, migrations applied.
  It never depends on the task workers: a load balancer polling `/readyz` would otherwise
  take the whole web tier out when the workers stop.
- `worker_status()`: is a task worker alive, reported on its own (`/healthz/workers`, the
  Providers page, `manage.py check_workers` for cron alerts).

Answers say what is wrong, never how things are configured.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.models import WorkerHeartbeat

# Loading the migration graph reads every migration file: re-checked at most this often.
MIGRATIONS_CHECK_SECONDS = 10
# A worker beats every few seconds (`manage.py worker --tick`, 5 s by default).
WORKER_WINDOW = timedelta(seconds=60)

_migrations_lock = threading.Lock()
_migrations_checked: tuple[float, bool] | None = None  # (when, applied)


def _migrations_applied(connection) -> bool:
    global _migrations_checked
    with _migrations_lock:
        now = time.time()
        if _migrations_checked and now - _migrations_checked[0] < MIGRATIONS_CHECK_SECONDS:
            return _migrations_checked[1]
        executor = MigrationExecutor(connection)
        applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        _migrations_checked = (now, applied)
        return applied


def readiness(connection) -> dict[str, str]:
    """Database reachable and migrations applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return {"database": "unreachable", "migrations": "unknown"}
    return {
        "database": "ok",
        "migrations": "ok" if _migrations_applied(connection) else "pending",
    }


@dataclass(frozen=True)
class WorkerStatus:
    alive: int  # workers seen within WORKER_WINDOW
    last_seen: datetime | None

    @property
    def ok(self) -> bool:
        return self.alive > 0

    def describe(self) -> str:
        window = int(WORKER_WINDOW.total_seconds())
        if self.ok:
            return ngettext(
                "%(count)s task worker seen in the last %(window)s s.",
                "%(count)s task workers seen in the last %(window)s s.",
                self.alive,
            ) % {"count": self.alive, "window": window}
        if self.last_seen is None:  # heartbeats older than an hour are pruned
            return _(
                "No task worker seen in the last hour: mirrors and statistics are not refreshed."
            )
        ago = int((timezone.now() - self.last_seen).total_seconds())
        return _(
            "No task worker seen in the last %(window)s s (last one %(ago)s s ago): mirrors "
            "and statistics are not refreshed."
        ) % {"window": window, "ago": ago}


def worker_status() -> WorkerStatus:
    since = timezone.now() - WORKER_WINDOW
    seen = WorkerHeartbeat.objects.aggregate(
        alive=Count("id", filter=Q(seen_at__gte=since)), last_seen=Max("seen_at")
    )
    return WorkerStatus(alive=seen["alive"], last_seen=seen["last_seen"])
