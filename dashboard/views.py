from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dashboard import capabilities, charts, checks, health, selectors
from dashboard.forms import AuditFilterForm
from dashboard.logs import expected
from dashboard.models import Preferences
from dashboard.preferences import LanguageForm, PreferencesForm, remember
from dashboard.providers import PROVIDER_NAMES, ProviderError, all_provider_configs
from dashboard.roles import viewable_providers


def refreshed(request: HttpRequest, refresh: Callable[[], Any], *, done: str, failed: str) -> None:
    """Run a provider's refresh button and say how it went: `done` with what it refreshed
    (`%(summary)s`), or `failed` with why (`%(error)s`)."""
    try:
        summary = refresh()
    except ProviderError as error:
        messages.error(request, failed % {"error": error})
    else:
        messages.success(request, done % {"summary": summary})


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboard/overview.html",
        {"cards": selectors.overview_cards(request.user), **_sendings(request)},
    )


@require_GET
def overview_sendings(request: HttpRequest) -> HttpResponse:
    """The overview's cross-provider table and chart, re-fetched by the page every 30 s."""
    return render(request, "dashboard/overview.html#sendings", _sendings(request))


def _sendings(request: HttpRequest) -> dict:
    rows = selectors.latest_sendings(request.user)
    return {"sendings": rows, "sendings_figure": charts.latest_sendings_figure(rows)}


@require_GET
@permission_required("dashboard.view_audit", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, providers=viewable_providers(request.user))
    events = selectors.audit_events(request.user, form.cleaned_data if form.is_valid() else {})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "dashboard/audit.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {"form": form, "page": page})


@require_GET
@permission_required("dashboard.view_operations", raise_exception=True)
def providers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboard/providers.html",
        {
            "providers": selectors.provider_statuses(all_provider_configs()),
            "workers": health.worker_status(),
        },
    )


@require_POST
@permission_required("dashboard.view_operations", raise_exception=True)
def provider_check(request: HttpRequest, name: str) -> HttpResponse:
    if name not in PROVIDER_NAMES:
        raise Http404
    check = checks.check_connection(name)
    if request.htmx:
        return render(request, "dashboard/provider_check.html", {"check": check})
    level = messages.SUCCESS if check.ok else messages.ERROR
    text = _("%(provider)s: %(message)s") % {
        "provider": check.display_name,
        "message": check.message,
    }
    messages.add_message(request, level, text)
    return redirect("providers")


@require_POST
@permission_required("dashboard.view_operations", raise_exception=True)
def capability_forget(request: HttpRequest, name: str, capability: str) -> HttpResponse:
    """Try an unpublished call again at its next use, not in a few hours."""
    if capabilities.forget(name, capability):
        messages.success(request, _("Switchboard will try it again the next time it is needed."))
    return redirect("providers")


@require_GET
@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@login_not_required
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Can this web process serve pages (database, migrations)? The task workers are not
    part of it: see `workers_health`."""
    checks = health.readiness(connection)
    ok = all(c == "ok" for c in checks.values())
    return expected(
        JsonResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status=200 if ok else 503,
        )
    )


@require_GET
@login_not_required
@never_cache
def workers_health(request: HttpRequest) -> HttpResponse:
    """Is a task worker alive? For monitoring, never for a load balancer's pool."""
    status = health.worker_status()
    return expected(
        JsonResponse(
            {
                "status": "ok" if status.ok else "unavailable",
                "workers_seen": status.alive,
                "last_seen": status.last_seen.isoformat() if status.last_seen else None,
            },
            status=200 if status.ok else 503,
        )
    )


@require_GET
@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    # For what asks /favicon.ico anyway (the admin's pages, a JSON answer opened in a tab).
    return redirect(static("favicon.svg"))


def _with_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    """The language also in Django's cookie: the login page speaks it after logging out."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


def preferences(request: HttpRequest) -> HttpResponse:
    """The user's language and time zone."""
    # Read on GET (a page that is opened writes nothing); created when first saved.
    mine = Preferences.objects.filter(user=request.user).first() or Preferences(user=request.user)
    form = PreferencesForm(request.POST or None, instance=mine)
    if request.method == "POST" and form.is_valid():
        remember(request, form.save())
        messages.success(request, _("Your preferences are saved."))
        return _with_language_cookie(redirect("preferences"), mine.language)
    return render(request, "dashboard/preferences.html", {"form": form})


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The navigation's language switcher: back to the page it was used on."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return redirect("preferences")
    mine, _created = Preferences.objects.get_or_create(user=request.user)
    mine.language = form.cleaned_data["language"]
    mine.save(update_fields=["language"])
    remember(request, mine)
    back = form.cleaned_data["next"]
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    return _with_language_cookie(redirect(back if safe and back else "overview"), mine.language)
