from __future__ import annotations

import importlib
import logging
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard import bench
from dashboard.bench import Page, ratio_lines, record
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
        parser.add_argument("--runs", type=int, default=60)
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument(
            "--reseed", action="store_true", help="Empty the bench database and seed it again."
        )

    def handle(self, *args, scale, runs, output, reseed, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name and "test" not in name:
            raise CommandError(f"Refusing to seed synthetic data into {name!r}.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.ensure_database(name)
        call_command("migrate", verbosity=0)
        User = get_user_model()
        user = User.objects.filter(username="bench").first()
        # The bench user remembers the scale its data was seeded at: another scale starts over.
        if user is not None and (reseed or user.last_name != f"scale {scale}"):
            self.stdout.write(f"emptying {name} (seeded at {user.last_name or 'another scale'}) …")
            call_command("flush", interactive=False, verbosity=0)
            user = None
        seeded = user is not None
        if user is None:
            user = User.objects.create_superuser(
                "bench", password="bench-only", last_name=f"scale {scale}"
            )
        modules = list(_bench_modules())
        if not seeded:
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
        bench.RESULTS = Path(output)
        data = record([], fresh={"scale": scale, "database": connection.vendor})
        ratios = [r for _, module in modules for r in getattr(module, "RATIOS", [])]
        pages = [
            Page.of(app, item)
            for app, module in modules
            # pages() may measure figures of its own (imports, syncs) and record them.
            for item in getattr(module, "pages", list)()
        ]
        if connection.vendor == "postgresql":
            # Pages are timed as a running database holds their rows: vacuumed and analysed,
            # as autovacuum keeps it, not straight after the bulk writes of seeding and of the
            # figures above (then every index-only read checks each row in the table too).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        # The two sides of a ratio are timed in turns, so that both see the same machine.
        paired = {i for r in ratios if r.on == "p50_ms" for i in (r.numerator, r.denominator)}
        alone = [[page] for page in pages if page.id not in paired]
        machine_before = bench.machine_ms()
        timed = {
            r["id"]: r
            for group in [*alone, [page for page in pages if page.id in paired]]
            for r in self.measure(client, group, runs)
        }
        results = [timed[page.id] for page in pages]
        results.append(
            bench.figure(
                "machine.python_ms",
                "Machine: a fixed Python loop, before the pages",
                "ms",
                machine_before,
                after_ms=round(bench.machine_ms(), 2),
            )
        )
        data = record(results, ratios)
        self.print_table(data, connection.vendor, scale)
        self.stdout.write(f"\nwritten to {output}")

    def ensure_database(self, name: str) -> None:
        """On PostgreSQL, create the bench database when it does not exist yet (`make bench`
        names it after DATABASE_URL's, which the role may create as CI's can)."""
        if connection.vendor != "postgresql":
            return
        try:
            connection.ensure_connection()
        except OperationalError:
            # Django's own way to reach the server without the database (as for test ones).
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
            self.stdout.write(f"created the database {name}")

    def measure(self, client: Client, pages: list[Page], runs: int) -> list[dict]:
        """Time `pages` `runs` times each, one request of each in turn."""
        headers = {}
        for page in pages:
            headers[page.id] = dict(page.headers)
            if page.conditional:
                etag = client.get(page.url, headers=headers[page.id])["ETag"]
                headers[page.id]["If-None-Match"] = etag
            for _ in range(2):  # warm caches and connections
                response = client.get(page.url, headers=headers[page.id])
            # Timing an error page (a 404 after a URL changed) would pass for a fast page.
            expected = 304 if page.conditional else 200
            if response.status_code != expected:
                raise CommandError(
                    f"{page.label} ({page.url}) answered {response.status_code}, not {expected}."
                )
        timings = {page.id: [] for page in pages}
        last = {}
        # Each round times the pages rendered afresh first (each empties the cache), then puts
        # back what the others read from it (untimed), then times those: a cached page is
        # timed as its second reader gets it, never after another page emptied the cache.
        fresh = [page for page in pages if page.uncached]
        shared = [page for page in pages if not page.uncached]
        for _ in range(runs):
            for page in [*fresh, *shared]:
                if page.uncached:
                    cache.clear()
                elif fresh and page is shared[0]:
                    for again in shared:
                        client.get(again.url, headers=headers[again.id])
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(page.url, headers=headers[page.id])
                    timings[page.id].append((time.perf_counter() - started) * 1000)
                last[page.id] = (len(ctx.captured_queries), response.status_code)
        results = []
        for page in pages:
            times = sorted(timings[page.id])
            queries, status = last[page.id]
            results.append(
                {
                    "id": page.id,
                    "label": page.label,
                    "url": page.url,
                    "status": status,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                    "queries": queries,
                }
            )
        return results

    def print_table(self, data: dict, vendor: str, scale: int) -> None:
        pages = [r for r in data["results"] if "p50_ms" in r]
        figures = [r for r in data["results"] if "p50_ms" not in r]
        width = max(len(r["label"]) for r in pages) + 2
        self.stdout.write(f"\n== Switchboard at scale {scale} on {vendor} ==")
        self.stdout.write(
            f"{'page':<{width}}{'status':>7}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}  id"
        )
        for r in pages:
            self.stdout.write(
                f"{r['label']:<{width}}{r['status']:>7}{r['p50_ms']:>10}{r['p95_ms']:>10}"
                f"{r['queries']:>9}  {r['id']}"
            )
        if figures:
            self.stdout.write("\nfigures")
            for r in figures:
                unit, value = next((k, v) for k, v in r.items() if k not in ("id", "label"))
                self.stdout.write(f"{r['label']:<{width}}{value:>17,} {unit:<9} {r['id']}")
        machine = next((r for r in figures if r["id"] == "machine.python_ms"), None)
        if machine:
            self.stdout.write(
                f"(the machine's speed: {machine['ms']} ms before the pages, "
                f"{machine['after_ms']} ms after; absolute times move with it, ratios do not)"
            )
        self.stdout.write("\nratios (same run)")
        for line in ratio_lines(data):
            self.stdout.write(line)
