"""Connection checks for the Providers page and `manage.py check_providers`: each provider's
cheapest authenticated call (its client's `check_connection()`), read into plain words; and the
Django system check for what would make Switchboard's calls to its own sandboxes fail."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import split_domain_port, validate_host
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.providers import (
    PROVIDER_NAMES,
    ProviderError,
    all_provider_configs,
    provider_config,
)


def _engagelab() -> str:
    from campaigns.client import EngageLabClient

    page = EngageLabClient().campaign_list_page(limit=1)  # a one-item list
    return ngettext(
        "%(count)s campaign on the account.", "%(count)s campaigns on the account.", page.total
    ) % {"count": page.total}


def _dialoginsight() -> str:
    from contacts.client import DialogInsightClient

    client = DialogInsightClient()
    projects = client.project_list()  # documented as the credential check
    wanted = str(client.config.credentials.get("project_id", ""))
    if wanted and wanted not in {str(pid) for pid, _ in projects}:
        return ngettext(
            "Key works, but project %(wanted)s is not among its %(count)s project.",
            "Key works, but project %(wanted)s is not among its %(count)s projects.",
            len(projects),
        ) % {"wanted": wanted, "count": len(projects)}
    return ngettext(
        "Key works; %(count)s project visible.",
        "Key works; %(count)s projects visible.",
        len(projects),
    ) % {"count": len(projects)}


def _ccai() -> str:
    from dialer.client import CCAIClient

    count = len(CCAIClient().campaign_list())
    return ngettext(
        "%(count)s dialer campaign visible.", "%(count)s dialer campaigns visible.", count
    ) % {"count": count}


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


@dataclass(frozen=True)
class SelfCallProblem:
    """Why Switchboard's calls to itself (SWITCHBOARD_URL, while a provider runs on its
    sandbox) cannot work, and how to fix it."""

    id: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"


def self_call_problems() -> list[SelfCallProblem]:
    sandboxed = [c.display_name for c in all_provider_configs() if c.sandbox]
    if not sandboxed:
        return []  # nothing calls SWITCHBOARD_URL
    calls = f"Switchboard's own calls to the sandbox of {', '.join(sandboxed)}"
    url = urlsplit(settings.SWITCHBOARD_URL)
    problems = []
    if settings.SECURE_SSL_REDIRECT and url.scheme == "http":
        problems.append(
            SelfCallProblem(
                "switchboard.W001",
                f"SECURE_SSL_REDIRECT is on and SWITCHBOARD_URL ({settings.SWITCHBOARD_URL}) is "
                f"plain HTTP: {calls} are redirected to https, and fail.",
                "Set SWITCHBOARD_URL to the https:// address your TLS proxy serves (the proxy "
                "sets X-Forwarded-Proto: https, which SECURE_PROXY_SSL_HEADER trusts), or set "
                "SECURE_SSL_REDIRECT=false when the proxy itself redirects HTTP to HTTPS.",
            )
        )
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # what Django allows then
    host, _ = split_domain_port(url.netloc)
    if not validate_host(host, allowed):
        problems.append(
            SelfCallProblem(
                "switchboard.W002",
                f"SWITCHBOARD_URL's host ({url.hostname}) is not in ALLOWED_HOSTS: {calls} are "
                "refused (HTTP 400).",
                "Add it to ALLOWED_HOSTS, or set SWITCHBOARD_URL to an address Switchboard "
                "answers to (its public one, through the proxy).",
            )
        )
    return problems


@checks.register()
def check_self_calls(app_configs, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Warning(p.message, hint=p.hint, id=p.id) for p in self_call_problems()]


def explain(provider: str, error: ProviderError) -> str:
    name = PROVIDER_NAMES[provider]
    if provider_config(provider).sandbox and (problems := self_call_problems()):
        return " ".join([str(error), *map(str, problems)])
    auth_codes = {"30000", "InvalidAuthKey"}
    if error.status in (401, 403) or str(error.code) in auth_codes:
        if provider == "engagelab":
            text = _(
                "%(provider)s refused the credentials: check them. If they are right, the "
                "account may live in the other data center (ENGAGELAB_BASE_URL). (%(error)s)"
            )
        else:
            text = _("%(provider)s refused the credentials: check them. (%(error)s)")
        return text % {"provider": name, "error": error}
    if error.status is None:
        return _("%(error)s Check the base URL and the network.") % {"error": error}
    return str(error)


def check_connection(provider: str) -> CheckResult:
    config = provider_config(provider)
    if not config.configured:
        text = _("%(provider)s is not configured.") % {"provider": PROVIDER_NAMES[provider]}
        return CheckResult(provider, False, text)
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
        text = _("Works, but slow: %(summary)s") % {"summary": summary}
        return CheckResult(provider, True, text, duration)
    return CheckResult(provider, True, summary, duration)
