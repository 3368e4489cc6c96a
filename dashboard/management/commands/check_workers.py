from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dashboard.health import worker_status


class Command(BaseCommand):
    help = (
        "Say whether a task worker was seen in the last minute; non-zero exit when none was "
        "(for cron or a monitoring agent: `/readyz` deliberately ignores the workers)."
    )

    def handle(self, *args, **options):
        status = worker_status()
        if not status.ok:
            raise CommandError(status.describe())
        self.stdout.write(status.describe())
