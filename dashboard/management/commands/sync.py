from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.context import acting
from dashboard.providers import PROVIDER_NAMES, ProviderError, provider_config
from dashboard.sync import run_sync_job, sync_jobs
from dashboard.targets import describe_database, describe_provider


class Command(BaseCommand):
    help = (
        "Refresh Switchboard's local mirrors from the providers. Safe in cron and while the "
        "web app and workers run; exits non-zero when any sync fails. A provider that is not "
        "configured is skipped (refused when named with --provider)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", choices=sorted(PROVIDER_NAMES))
        parser.add_argument("--only", help="One object type, e.g. campaigns, contacts, segments.")
        parser.add_argument(
            "--quiet-if-empty", action="store_true", help="Say nothing when no sync is registered."
        )

    def handle(self, *args, provider=None, only=None, quiet_if_empty=False, **options):
        jobs = sync_jobs(provider, only)
        if not jobs:
            if quiet_if_empty:
                return
            raise CommandError(_("Nothing to sync for that selection."))
        configs = {name: provider_config(name) for name in dict.fromkeys(p for p, _, _ in jobs)}
        if provider and not configs[provider].configured:
            raise CommandError(
                _(
                    "%(provider)s: nothing to sync from. Set its credentials (README, Settings), "
                    "or leave SANDBOX unset for its sandbox."
                )
                % {"provider": describe_provider(configs[provider])}
            )
        self.stdout.write(_("Syncing into %(database)s from:") % {"database": describe_database()})
        for config in configs.values():
            skipped = "" if config.configured else " " + _("(skipped)")
            self.stdout.write(f"  {describe_provider(config)}{skipped}")
        jobs = [job for job in jobs if configs[job[0]].configured]
        if not jobs:
            raise CommandError(_("No provider is configured: nothing to sync."))
        failures = 0
        with acting("sync-command"):
            for index, (prov, object_type, job) in enumerate(jobs, 1):
                label = f"[{index}/{len(jobs)}] {PROVIDER_NAMES[prov]} {object_type}"
                self.stdout.write(f"{label} …", ending="")
                self.stdout.flush()
                started = time.monotonic()
                try:
                    result = run_sync_job(prov, object_type, job)
                except (ProviderError, TimeoutError) as error:
                    failures += 1
                    failed = _("failed: %(error)s") % {"error": error}
                    self.stdout.write(self.style.ERROR(f" {failed}"))
                    continue
                self.stdout.write(f" {result} ({time.monotonic() - started:.1f} s)")
        if failures:
            raise CommandError(
                ngettext(
                    "%(failures)s of %(count)s syncs failed.",
                    "%(failures)s of %(count)s syncs failed.",
                    failures,
                )
                % {"failures": failures, "count": len(jobs)}
            )
