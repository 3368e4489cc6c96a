"""Connection checks for the Providers page and `manage.py check_providers`: each provider's
cheapest authenticated call (its client's `check_connection()`), read into plain words."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from dashboard.providers import PROVIDER_NAMES, ProviderError, provider_config


def _engagelab() -> str:
    from campaigns.client import EngageLabClient

    page = EngageLabClient().list_campaigns_page(limit=1)  # a one-item list
    return f"{page.total} campaigns on the account."


def _dialoginsight() -> str:
    from contacts.client import DialogInsightClient

    client = DialogInsightClient()
    projects = client.projects_list()  # documented as the credential check
    wanted = str(client.config.credentials.get("project_id", ""))
    if wanted and wanted not in {str(pid) for pid, _ in projects}:
        return f"Key works, but project {wanted} is not among its {len(projects)} projects."
    return f"Key works; {len(projects)} project(s) visible."


def _ccai() -> str:
    from dialer.client import CCAIClient

    return f"{len(CCAIClient().campaign_list())} dialer campaigns visible."


CHECKS = {"engagelab": _engagelab, "dialoginsight": _dialoginsight, "ccai": _ccai}


def slow_ms() -> float:
    # Slow: more than half the time a call is allowed (2 s with the default 10 s timeout
    # would be 5 s; cap at 2 s, which users already feel).
    return min(2000, settings.PROVIDER_TIMEOUT * 1000 / 2)


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
    auth_codes = {"30000", "InvalidAuthKey"}
    if error.status in (401, 403) or str(error.code) in auth_codes:
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
    check = CHECKS[provider]
    started = time.monotonic()
    try:
        summary = check()
    except ProviderError as error:
        return CheckResult(
            provider, False, explain(provider, error), round((time.monotonic() - started) * 1000)
        )
    duration = round((time.monotonic() - started) * 1000)
    if duration > slow_ms():
        return CheckResult(provider, True, f"Works, but slow: {summary}", duration)
    return CheckResult(provider, True, summary, duration)
