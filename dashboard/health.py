from __future__ import annotations

from datetime import timedelta

from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

_migrations_ok = False


def readiness(connection) -> dict[str, str]:
    """Database reachable, migrations applied, a task worker seen in the last minute.
    Answers say what is wrong, never how things are configured."""
    global _migrations_ok
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        return {"database": "unreachable", "migrations": "unknown", "worker": "unknown"}
    if not _migrations_ok:
        executor = MigrationExecutor(connection)
        _migrations_ok = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks["migrations"] = "ok" if _migrations_ok else "pending"
    from dashboard.models import WorkerHeartbeat

    seen = WorkerHeartbeat.objects.filter(
        seen_at__gte=timezone.now() - timedelta(minutes=1)
    ).exists()
    checks["worker"] = "ok" if seen else "not seen in the last minute"
    return checks
