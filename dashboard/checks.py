"""Connection checks for the Providers page and `manage.py check_providers`: each provider's
cheapest authenticated call (its client's `check_connection()`), read into plain words."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils.module_loading import import_string

from dashboard.providers import PROVIDER_NAMES, ProviderError, provider_config

CHECKS = {
    "engagelab": "campaigns.client.check_connection",
    "dialoginsight": "contacts.client.check_connection",
    "ccai": "dialer.client.check_connection",
}
SLOW_MS = 2000


@dataclass
class CheckResult:
    provider: str
    ok: bool
    message: str
    duration_ms: int = 0

    @property
    def display_name(self) -> str:
        return PROVIDER_NAMES[self.provider]


def explain(provider: str, error: ProviderError) -> str:
    name = PROVIDER_NAMES[provider]
    if error.status in (401, 403) or str(error.code) in {"30000"}:
        hint = (
            " If they are right, the account may live in the other data center "
            "(ENGAGELAB_BASE_URL)."
            if provider == "engagelab"
            else ""
        )
        return f"{name} refused the credentials: check them.{hint} ({error})"
    if error.status is None:
        return f"{error} Check the base URL and the network."
    return str(error)


def check_connection(provider: str) -> CheckResult:
    config = provider_config(provider)
    if not config.configured:
        return CheckResult(provider, False, f"{PROVIDER_NAMES[provider]} is not configured.")
    try:
        check = import_string(CHECKS[provider])
    except ImportError:
        return CheckResult(provider, False, "No connection check is available yet.")
    started = time.monotonic()
    try:
        summary = check()
    except ProviderError as error:
        return CheckResult(
            provider, False, explain(provider, error), round((time.monotonic() - started) * 1000)
        )
    duration = round((time.monotonic() - started) * 1000)
    if duration > SLOW_MS:
        return CheckResult(provider, True, f"Works, but slow: {summary}", duration)
    return CheckResult(provider, True, summary, duration)
