from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.models import SandboxFault
from dashboard.providers import PROVIDER_NAMES, provider_config
from dashboard.sandbox import clear_faults, set_fault
from dashboard.targets import describe_database, describe_provider


class Command(BaseCommand):
    help = "Make a provider's sandbox misbehave (latency, 5xx, 429, timeout, malformed body)."

    def add_arguments(self, parser):
        parser.add_argument("provider", nargs="?", choices=sorted(PROVIDER_NAMES))
        parser.add_argument("kind", nargs="?", choices=SandboxFault.Kind.values)
        parser.add_argument("--ms", type=int, default=500, help="Latency in milliseconds.")
        parser.add_argument("--status", type=int, default=503, help="Status for `error`.")
        parser.add_argument("--retry-after", type=int, default=1, help="Seconds, for 429.")
        parser.add_argument("--times", type=int, help="Only the next N calls.")
        parser.add_argument("--path", default="", help="Only calls whose path contains this.")
        parser.add_argument("--clear", action="store_true", help="Remove faults.")

    def handle(self, *args, provider, kind, ms, status, retry_after, times, path, clear, **opts):
        if clear:
            clear_faults(provider)
            self.stdout.write(
                f"Faults cleared for {provider or 'every provider'} in {describe_database()}."
            )
            return
        if not provider or not kind:
            for fault in SandboxFault.objects.all():
                self.stdout.write(str(fault))
            if not provider:
                return
            raise CommandError("Say which fault: " + ", ".join(SandboxFault.Kind.values))
        config = provider_config(provider)
        if not config.sandbox:
            why = " (SANDBOX=false)" if settings.SANDBOX is False else ""
            raise CommandError(
                f"{describe_provider(config)}{why}, not on its sandbox: "
                "a sandbox fault would change nothing."
            )
        if kind == "error" and not 500 <= status <= 599:
            raise CommandError("--status must be a 5xx code.")
        fault = set_fault(
            provider,
            kind,
            latency_ms=ms,
            status=status,
            retry_after=retry_after,
            remaining=times,
            path_contains=path,
        )
        scope = f"the next {times} calls" if times else "every call until cleared"
        self.stdout.write(
            f"{fault} on {scope}: {describe_provider(config)}, set in {describe_database()}."
        )
