from __future__ import annotations

import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from dashboard import scheduler


class Command(BaseCommand):
    help = (
        "Run a Switchboard task worker: django-tasks' database worker, plus a heartbeat for "
        "/readyz and the periodic jobs (syncs, statistics). Run as many as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between ticks.")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args, tick: float, interval: float, **options):
        worker_id = get_random_string(24)
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                scheduler.tick(worker_id)
                stop.wait(tick)

        threading.Thread(target=loop, name="switchboard-scheduler", daemon=True).start()
        try:
            call_command(
                "db_worker",
                worker_id=worker_id,
                interval=interval,
                reload=False,
                startup_delay=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
