"""Throughput of the overview's chart-data endpoint under concurrent polling, as when hundreds
of managers keep the overview open (each polls every 5 s). Run after `make bench` seeded
bench.sqlite3: `DATABASE_URL=sqlite:///bench.sqlite3 manage.py bench_chart_polling`."""

from __future__ import annotations

import logging
import statistics
import threading
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from campaigns.bench import chart_timings
from dashboard.bench import figure, record

URL = "/campaigns/overview/data.json?period=24h"


class Command(BaseCommand):
    help = "Measure polling throughput of the overview chart data (304 and 200 answers)."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--seconds", type=float, default=8.0)

    def handle(self, *args, threads: int, seconds: float, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(f"Run against the bench database, not {name!r}.")
        logging.disable(logging.CRITICAL)  # one log line per request would drown the result
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        user = get_user_model().objects.filter(username="bench").first()
        if user is None:
            raise CommandError("Seed first: make bench.")
        probe = Client()
        probe.force_login(user)
        for row in chart_timings(probe):
            self.stdout.write(
                f"{row['label']:<38} {row['status']}  p50 {row['p50_ms']:6.1f} ms  "
                f"p95 {row['p95_ms']:6.1f} ms  (CPU p95 {row['cpu_p95_ms']:6.1f} ms)"
            )
        first = probe.get(URL)
        etag = first["ETag"]
        figures = []
        for label, headers, key in (
            ("unchanged (304)", {"HTTP_IF_NONE_MATCH": etag}, "304"),
            ("full answer (200)", {}, "200"),
        ):
            counts: list[int] = []
            timings: list[float] = []
            lock = threading.Lock()
            stop = time.monotonic() + seconds
            pool = [
                threading.Thread(target=_poll, args=(user, headers, stop, lock, counts, timings))
                for _ in range(threads)
            ]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            timings.sort()
            rate = sum(counts) / seconds
            self.stdout.write(
                f"{label:<18} {rate:8.1f} req/s with {threads} threads, "
                f"p50 {statistics.median(timings):.1f} ms, "
                f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms "
                f"→ serves ~{int(rate * 5)} managers polling every 5 s"
            )
            figures.append(
                figure(
                    f"campaigns.overview_data.poll_{key}.req_s",
                    f"Overview chart data polled, {label}, {threads} threads",
                    "req_s",
                    rate,
                )
            )
        record(figures)


def _poll(user, headers: dict, stop: float, lock, counts: list, timings: list) -> None:
    client = Client()
    client.force_login(user)
    done, mine = 0, []
    while time.monotonic() < stop:
        started = time.perf_counter()
        client.get(URL, **headers)
        mine.append((time.perf_counter() - started) * 1000)
        done += 1
    with lock:
        counts.append(done)
        timings.extend(mine)
    connection.close()
