"""Reading PostgreSQL's plans for what a page or a selector asks, with table scans as its last
resort: what an index can answer then shows no Seq Scan, whatever the size of a test's tables
(facing a few rows, a planner would read them whole anyway)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def plan_without_table_scans(queryset) -> str:
    """The plan of `queryset`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def plans_without_table_scans(
    run: Callable[[], Any], *, containing: str, analysed: str = ""
) -> list[str]:
    """The plans of the queries that `run()` sends whose SQL holds `containing`: the queries a
    page or a selector really makes, not a copy of them. With `analysed` (a table just filled
    by the test), its statistics first, as autovacuum keeps them: without, the planner takes
    the table for a row or two, and sorting those costs it nothing."""
    if analysed:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(analysed)}")
    with CaptureQueriesContext(connection) as sent:
        run()
    statements = [q["sql"] for q in sent.captured_queries if containing in q["sql"]]
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans
