from __future__ import annotations

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from dashboard import scheduler
from dashboard.targets import describe_database, describe_providers

log = logging.getLogger("switchboard.worker")


class DatabaseWorker(db_worker.Command):
    """django-tasks' database worker, minus its logging set-up: it resets the tasks loggers
    to INFO (one line per task run), and LOGGING already sets them from TASKS_LOG_LEVEL."""

    def configure_logging(self, verbosity: int) -> None:
        if verbosity > 1:  # `-v 2` still asks for everything
            super().configure_logging(verbosity)


class Command(BaseCommand):
    help = (
        "Run a Switchboard task worker: django-tasks' database worker, plus a heartbeat for "
        "/healthz/workers and the periodic jobs (syncs, statistics). Run as many as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between ticks.")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args, tick: float, interval: float, **options):
        worker_id = get_random_string(24)
        log.info(
            "worker %s starting on %s; providers: %s",
            worker_id,
            describe_database(),
            describe_providers(),
        )
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                scheduler.tick(worker_id)
                stop.wait(tick)

        threading.Thread(target=loop, name="switchboard-scheduler", daemon=True).start()
        try:
            call_command(
                DatabaseWorker(),
                worker_id=worker_id,
                interval=interval,
                reload=False,
                startup_delay=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
