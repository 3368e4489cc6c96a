from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.checks import check_connection
from dashboard.context import acting
from dashboard.providers import PROVIDER_NAMES, provider_config


class Command(BaseCommand):
    help = "Check each provider connection (the Providers page's checks); non-zero exit on failure."

    def add_arguments(self, parser):
        parser.add_argument("--provider", choices=sorted(PROVIDER_NAMES))

    def handle(self, *args, provider=None, **options):
        failed = 0
        with acting("check-providers"):
            for name in [provider] if provider else list(PROVIDER_NAMES):
                config = provider_config(name)
                mode = _("sandbox") if config.sandbox else _("live")
                result = check_connection(name)
                ok, failed_ = _("ok"), _("FAILED")
                status = self.style.SUCCESS(ok) if result.ok else self.style.ERROR(failed_)
                self.stdout.write(
                    f"{PROVIDER_NAMES[name]:<15} {mode:<8} {config.base_url or '-'}  {status}  "
                    f"{result.message} ({result.duration_ms} ms)"
                )
                failed += not result.ok
        if failed:
            raise CommandError(
                ngettext(
                    "%(count)s provider connection failed.",
                    "%(count)s provider connections failed.",
                    failed,
                )
                % {"count": failed}
            )
