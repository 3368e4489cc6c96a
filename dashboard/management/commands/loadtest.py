"""Throughput under the production web server: gunicorn as the README's Production section
starts it, on a free loopback port, driven by wrk (Debian's `wrk`, a C load generator that
costs the two cores little next to a Python one) with a logged-in session, for a fixed time:
the `/healthz` ceiling, then a mix of the pages people keep open, then each of them alone.
Run after `manage.py bench` seeded the bench database (`make bench` runs both)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from campaigns.bench import CHART_CAMPAIGN
from dashboard.bench import Ratio, figure, record
from dialer.bench import BIG, board_url
from dialer.models import DialerCampaign

SCRIPT = Path(__file__).resolve().parents[2] / "loadtest" / "mix.lua"
RATIOS = [Ratio("http.mix.req_s", "http.healthz.req_s", on="req_s", goal=(">=", 0.35))]
GOALS = {"p95_ms": 1000, "errors": 0}


def mix() -> list[tuple[str, str, str]]:
    """(id, label, path) of what the load asks for in turn; `hx:` marks an htmx request."""
    big = DialerCampaign.objects.filter(name=BIG).first()
    if big is None:
        raise CommandError("Seed first: make bench.")
    board = board_url(big)
    return [
        ("overview", "Overview", "/"),
        ("campaigns", "Campaign list", "/campaigns/"),
        ("chart_data", "Campaign chart data", f"/campaigns/{CHART_CAMPAIGN}/charts/data.json"),
        ("board", "Dialer board", board),
        ("board_refresh", "Dialer board, live refresh", f"hx:{board}?status=upcoming"),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = "Requests per second, p95 and errors under gunicorn, beside the /healthz ceiling."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=20.0)
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-pages", action="store_true", help="Skip the runs of each page alone."
        )

    def handle(self, *args, seconds, clients, workers, threads, no_pages, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(f"Run against the bench database, not {name!r}.")
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is missing: apt-get install wrk (make bench does).")
        user = get_user_model().objects.filter(username="bench").first()
        if user is None:
            raise CommandError("Seed first: make bench.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        login = Client()
        login.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={login.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        paths = mix()
        connection.close()  # the server's processes use the database from now on

        address = f"127.0.0.1:{_free_port()}"
        base = f"http://{address}"
        log = tempfile.NamedTemporaryFile(prefix="loadtest-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        run_dir = tempfile.mkdtemp(prefix="loadtest-run-")  # its own pid file and socket
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "SWITCHBOARD_RUN_DIR": run_dir,
        }
        # Production's configuration file (dashboard/gunicorn.conf.py), on loopback, with the
        # bench's process and thread counts.
        config = str(Path(settings.BASE_DIR) / "dashboard" / "gunicorn.conf.py")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            config,
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            address,
        ]
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_ready(base, server, log.name)
            for _, label, path in paths:
                self._preflight(base, path, cookie, label)

            def run(targets: list[str], duration: float) -> dict:
                out = subprocess.run(
                    [
                        wrk,
                        "-t2",
                        f"-c{clients}",
                        f"-d{duration:g}s",
                        "--timeout",
                        "30s",
                        "-H",
                        f"Cookie: {cookie}",
                        "-s",
                        str(SCRIPT),
                        base,
                        "--",
                        *targets,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                line = next(x for x in out.splitlines() if x.startswith("WRK_RESULT "))
                r = json.loads(line.removeprefix("WRK_RESULT "))
                r["req_s"] = r["requests"] / (r["duration_us"] / 1e6)
                r["errors"] = sum(r[k] for k in ("connect", "read", "write", "status", "timeout"))
                return r

            every = [p for _, _, p in paths]
            run(every, 3)  # warm each worker: imports, templates, connections, caches
            rows = [
                ("healthz", "/healthz (ceiling)", run(["/healthz"], seconds)),
                ("mix", f"mix of {len(paths)} pages", run(every, seconds)),
            ]
            if not no_pages:
                rows += [
                    (pid, f"  {label} alone", run([p], seconds / 2)) for pid, label, p in paths
                ]
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        self._report(rows, clients, workers, threads, seconds, log.name)

    def _wait_ready(self, base: str, server: subprocess.Popen, log: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped: see {log}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise CommandError(f"gunicorn did not answer /healthz in 90 s: see {log}")

    def _preflight(self, base: str, path: str, cookie: str, label: str) -> None:
        """Each page must answer 200 to the session (not a redirect to the login page, which
        wrk would count as a success)."""
        headers = {"Cookie": cookie}
        if path.startswith("hx:"):
            path, headers["HX-Request"] = path[3:], "true"
        request = urllib.request.Request(f"{base}{path}", headers=headers)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            raise CommandError(f"{label} ({path}) answered {status} to the bench session.")

    def _report(self, rows, clients, workers, threads, seconds, log) -> None:
        self.stdout.write(
            f"\n== Throughput: gunicorn {workers} workers × {threads} threads (gthread) on "
            f"{connection.vendor}, wrk with {clients} connections, {seconds:g} s a run "
            f"({seconds / 2:g} s a page alone) =="
        )
        self.stdout.write(
            f"{'what':<36}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        )
        entries = []
        for rid, label, r in rows:
            p50, p95, p99 = (r[k] / 1000 for k in ("p50_us", "p95_us", "p99_us"))
            self.stdout.write(
                f"{label:<36}{r['req_s']:>9.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{r['errors']:>8}"
            )
            key = f"http.{rid}"
            entries += [
                figure(
                    f"{key}.req_s",
                    f"HTTP {label.strip()}, req/s",
                    "req_s",
                    r["req_s"],
                    clients=clients,
                    errors=r["errors"],
                ),
                figure(f"{key}.p95_ms", f"HTTP {label.strip()}, p95", "ms", p95),
            ]
        data = record(entries, RATIOS)
        mix = next(r for rid, _, r in rows if rid == "mix")
        ratio = data["ratios"][RATIOS[0].id]
        p95 = mix["p95_us"] / 1000

        def met(ok: bool) -> str:
            return "met" if ok else "NOT MET"

        verdicts = [
            f"mix ÷ healthz {ratio['value']:.2f}× (goal ≥ 0.35: {met(ratio['met'])})",
            f"mix p95 {p95:.0f} ms (goal ≤ {GOALS['p95_ms']} ms: {met(p95 <= GOALS['p95_ms'])})",
            f"errors {mix['errors']} (goal 0: {met(mix['errors'] == 0)})",
        ]
        self.stdout.write("; ".join(verdicts))
        self.stdout.write(f"gunicorn's log: {log}")
