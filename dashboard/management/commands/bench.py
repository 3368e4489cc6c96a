from __future__ import annotations

import importlib
import json
import logging
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard.providers import sandbox_apps

APPS = ["dashboard", "campaigns", "contacts", "dialer"]


def _bench_modules():
    # An emulator's `bench.py` seeds the provider-side data the product's pages ask for.
    for app in [*APPS, *(sandbox.name for sandbox in sandbox_apps())]:
        try:
            yield app, importlib.import_module(f"{app}.bench")
        except ModuleNotFoundError:
            continue


class Command(BaseCommand):
    help = (
        "Seed synthetic data at --scale into the configured database (use a scratch one: "
        "`make bench` uses bench.sqlite3), then measure each page's server time and queries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument("--reseed", action="store_true", help="Seed even if seeded before.")

    def handle(self, *args, scale, runs, output, reseed, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name and "test" not in name:
            raise CommandError(f"Refusing to seed synthetic data into {name!r}.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        call_command("migrate", verbosity=0)
        User = get_user_model()
        seeded = User.objects.filter(username="bench").exists()
        user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
            "bench", password="bench-only"
        )
        modules = list(_bench_modules())
        if reseed or not seeded:
            for app, module in modules:
                if hasattr(module, "seed"):
                    started = time.monotonic()
                    self.stdout.write(f"seeding {app} at scale {scale} …", ending="")
                    self.stdout.flush()
                    module.seed(scale)
                    self.stdout.write(f" {time.monotonic() - started:.1f} s")
        logging.disable(logging.CRITICAL)  # request logs would drown the table
        client = Client(SERVER_NAME="testserver", secure=False)
        client.force_login(user)
        results = []
        for app, module in modules:
            for label, url in getattr(module, "pages", list)():
                for _ in range(2):  # warm caches and connections
                    client.get(url)
                timings, queries, status = [], 0, None
                for _ in range(runs):
                    with CaptureQueriesContext(connection) as ctx:
                        started = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - started) * 1000)
                    queries, status = len(ctx.captured_queries), response.status_code
                timings.sort()
                results.append(
                    {
                        "app": app,
                        "page": label,
                        "url": url,
                        "status": status,
                        "p50_ms": round(statistics.median(timings), 1),
                        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
                        "queries": queries,
                    }
                )
        width = max(len(r["page"]) for r in results) + 2
        self.stdout.write(
            f"\n{'page':<{width}}{'status':>7}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}"
        )
        for r in results:
            self.stdout.write(
                f"{r['page']:<{width}}{r['status']:>7}{r['p50_ms']:>10}{r['p95_ms']:>10}"
                f"{r['queries']:>9}"
            )
        Path(output).write_text(json.dumps({"scale": scale, "results": results}, indent=2))
        self.stdout.write(f"\nwritten to {output}")
