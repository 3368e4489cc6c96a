from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import (
    condition,
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from campaigns import charts, describe, selectors, services, stats
from campaigns.forms import CampaignBuilder, CampaignFilterForm, initial_from
from campaigns.models import Campaign
from dashboard.csvsafe import spreadsheet_safe
from dashboard.providers import ProviderError
from dashboard.submissions import (
    Checked,
    Confirmation,
    OutcomeUnknown,
    carried,
    checking,
    confirmed,
    resubmitted,
)

VIEW = "dashboard.view_campaigns"
CHANGE = "dashboard.change_campaigns"
PAGE_SIZE = 25


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None)
    campaigns = selectors.campaign_list(form.cleaned_data if form.is_valid() else {})
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_numbers(list(page.object_list))
    template = "campaigns/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    synced_at = selectors.last_synced()
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "synced_at": synced_at,
            "synced_ago": selectors.synced_ago(synced_at),
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def campaign_refresh(request: HttpRequest) -> HttpResponse:
    try:
        summary = services.campaign_refresh(user=request.user)
    except services.PartlyRefreshed as partly:
        messages.warning(
            request,
            f"Campaigns refreshed from EngageLab ({partly.summary}). {' '.join(partly.problems)}",
        )
    except ProviderError as error:
        messages.error(request, f"Could not refresh from EngageLab. {error}")
    else:
        messages.success(request, f"Refreshed from EngageLab ({summary}).")
    back = reverse("campaigns:list")
    if query := request.POST.get("query"):
        back += f"?{query}"
    return redirect(back)


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, campaign_id=campaign_id)
    return render(request, "campaigns/detail.html", selectors.campaign_detail(campaign))


def _render_builder(
    request: HttpRequest,
    builder: CampaignBuilder,
    campaign: Campaign | None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    template = "campaigns/form.html"
    # Files chosen before a confirmation step, to choose again (browsers cannot carry them).
    context.setdefault("files", request.POST.getlist("attachments_expected"))
    partial = request.headers.get("X-Builder-Partial", "")
    if request.htmx and partial in {
        "ab_builder",
        "ab_sentence",
        "warmup_builder",
        "warmup_preview",
    }:
        template += f"#{partial}"
    return render(
        request,
        template,
        {
            "builder": builder,
            "form": builder.form,
            "campaign": campaign,
            "reference_problems": selectors.reference_problems(),
            **context,
        },
        status=status,
    )


def _submit(
    request: HttpRequest, builder: CampaignBuilder, campaign: Campaign | None
) -> HttpResponse:
    """A valid builder: sending at once is confirmed first, with the files chosen again."""
    if builder.sends_now:
        chosen = sorted(f.name for f in builder.form.cleaned_data.get("attachments") or [])
        expected = sorted(request.POST.getlist("attachments_expected"))
        if not confirmed(request.POST) or chosen != expected:
            return _confirm_send(request, builder, campaign, files=expected or chosen)
    return _save(request, builder, campaign)


def _confirm_send(
    request: HttpRequest, builder: CampaignBuilder, campaign: Campaign | None, files: list[str]
) -> HttpResponse:
    kind, values = builder.audience
    name = builder.form.cleaned_data["name"]
    schedule = campaign.schedule if campaign else None
    return _render_builder(
        request,
        builder,
        campaign,
        confirm=Confirmation(
            # What the builder read: after "Create it anyway", with its fresh token.
            carried(builder.form.data, skip=("attachments_expected",)),
            f"Send “{name}” now",
        ),
        audience=describe.audience_text(kind, values),
        estimate=selectors.audience_estimate(kind, values),
        replaces=describe.wall_time(*schedule[:2]) if schedule else "",
        files=files,
        files_again=confirmed(request.POST),  # the confirmation came back without them
    )


def _outcome_unknown() -> OutcomeUnknown:
    return OutcomeUnknown(provider="EngageLab", noun="campaign", done="created")


def _save(
    request: HttpRequest, builder: CampaignBuilder, campaign: Campaign | None
) -> HttpResponse:
    payload, attachments = builder.payload()
    try:
        if campaign is None:
            saved = services.campaign_create(
                user=request.user,
                payload=payload,
                attachments=attachments,
                token=builder.form.cleaned_data.get("token") or "",
            )
        else:
            saved = services.campaign_update(
                user=request.user, campaign=campaign, payload=payload, attachments=attachments
            )
    except services.AlreadySubmitted as done:
        if unknown := _outcome_unknown().after(done):
            return _render_builder(request, builder, None, status=409, unknown=unknown)
        messages.warning(
            request, "This campaign was already submitted; it was not created a second time."
        )
        if Campaign.objects.filter(campaign_id=done.object_id).exists():
            url = reverse("campaigns:detail", args=[done.object_id])
        else:
            url = reverse("campaigns:list")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    except services.CampaignLocked:
        messages.error(request, "This campaign has started; EngageLab no longer accepts changes.")
        return redirect("campaigns:detail", campaign_id=campaign.campaign_id)
    except ProviderError as error:
        if campaign is not None and error.code == 32110:
            # It started sending while the form was open.
            messages.error(request, f"“{campaign.name}” has started sending. {error}")
            return redirect("campaigns:detail", campaign_id=campaign.campaign_id)
        unknown = _outcome_unknown().after(error) if campaign is None else None
        if unknown is None:
            builder.form.apply_provider_error(error)
        if attachments:
            builder.form.add_error(
                "attachments", "Browsers cannot keep chosen files: choose them again."
            )
        return _render_builder(request, builder, campaign, status=422, unknown=unknown)
    verb = "created" if campaign is None else "saved"
    messages.success(request, f"Campaign “{saved.name}” {verb}.")
    url = reverse("campaigns:detail", args=[saved.campaign_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _check(request: HttpRequest, builder: CampaignBuilder) -> HttpResponse:
    """After an unknown outcome, "Check EngageLab": refresh, and say whether it exists."""
    builder.is_valid()  # the form as typed, with anything that no longer holds
    name = str(request.POST.get("name", "")).strip()

    def find() -> Checked:
        found = services.campaign_look_up(name=name)
        if found is None:
            return Checked(f"EngageLab, refreshed just now, has no campaign named “{name}”.")
        created = describe.local_time(found.create_time, found.time_zone)
        return Checked(
            f"EngageLab has a campaign named “{name}”, created {created}:",
            url=reverse("campaigns:detail", args=[found.campaign_id]),
            link=f"open “{found.name}”",
        )

    unknown = _outcome_unknown().check(find)
    return _render_builder(request, builder, None, unknown=unknown)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        builder = CampaignBuilder(resubmitted(request.POST), request.FILES)
        if checking(request.POST):
            return _check(request, builder)
        if builder.is_valid():
            return _submit(request, builder, None)
        return _render_builder(request, builder, None, status=200 if builder.action else 422)
    if not selectors.references_loaded():
        # A GET fetches nothing: the list's refresh (a POST) or the worker's sync loads them.
        messages.warning(
            request,
            "Senders, templates and tags have not been loaded from EngageLab yet: “Refresh "
            "now” on the campaign list loads them.",
        )
    return _render_builder(request, CampaignBuilder(), None)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, campaign_id=campaign_id)
    if campaign.has_started:
        # Refused before anything is filled in: EngageLab answers 32110 to any change.
        return render(request, "campaigns/locked.html", {"campaign": campaign}, status=409)
    if request.method == "POST":
        builder = CampaignBuilder(request.POST, request.FILES)
        if builder.is_valid():
            return _submit(request, builder, campaign)
        return _render_builder(request, builder, campaign, status=200 if builder.action else 422)
    initial, variants, warm_up = initial_from(campaign)
    builder = CampaignBuilder(initial=initial, variants=variants, warm_up=warm_up)
    return _render_builder(request, builder, campaign)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def campaign_delete(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, campaign_id=campaign_id)
    if request.method == "POST":
        try:
            services.campaign_delete(user=request.user, campaign=campaign)
        except ProviderError as error:
            messages.error(request, f"“{campaign.name}” was not deleted. {error}")
            return render(request, "campaigns/delete.html", {"campaign": campaign}, status=502)
        messages.success(request, f"Campaign “{campaign.name}” deleted.")
        return redirect("campaigns:list")
    return render(request, "campaigns/delete.html", {"campaign": campaign})


# --- statistics: chart data, table, CSV --------------------------------------------------------
def _campaign_etag(request: HttpRequest, campaign_id: int) -> str:
    return stats.data_version([campaign_id])


@require_GET
@permission_required(VIEW, raise_exception=True)
@condition(etag_func=_campaign_etag)
def campaign_chart_data(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Only the charts' data (traces), the verdict and the numbers; 304 when unchanged."""
    campaign = get_object_or_404(Campaign, campaign_id=campaign_id)
    data = charts.campaign_charts(campaign)
    response = JsonResponse(
        {
            "figures": {key: fig["data"] for key, fig in data["figures"].items()},
            "verdict": data["verdict"],
            "numbers": _numbers(data["totals"]),
            # The tables beside the charts, refreshed with them (one formatting rule: the
            # page's own template).
            "tables": render_to_string("campaigns/charts.html#tables", {"charts": data}),
        }
    )
    response["Cache-Control"] = "private, no-cache"
    return response


_numbers = charts.format_numbers


CSV_FIELDS = stats.COUNT_FIELDS  # the CSV has every stored count, in the same order


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_stats_csv(request: HttpRequest, campaign_id: int) -> HttpResponse:
    import csv

    campaign = get_object_or_404(Campaign, campaign_id=campaign_id)
    table = request.GET.get("table", "timeline")
    if table not in ("domain", "variant"):
        # Anything else is the timeline; the raw value never reaches the file name header.
        table = "timeline"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign_id}-{table}.csv"'
    writer = csv.writer(response)
    if table == "domain":
        rates = ("delivered_rate", "unique_open_rate", "unique_click_rate")
        writer.writerow(["domain", *CSV_FIELDS, *rates])
        for r in stats.campaign_totals(campaign.campaign_id, by="domain"):
            writer.writerow(
                [r["domain"], *(r[f] for f in CSV_FIELDS), *map(_csv_rate, (r[k] for k in rates))]
            )
    elif table == "variant":
        # One row per variant and A/B phase: the test share (what the test is judged on),
        # the test share after the winner's send began, the winner's send.
        rates = (
            "delivered_rate",
            "open_rate",
            "unique_open_rate",
            "click_rate",
            "unique_click_rate",
        )
        writer.writerow(["variant", "phase", *CSV_FIELDS, *rates])
        for r in stats.campaign_totals(campaign.campaign_id, by=("variant", "phase")):
            writer.writerow(
                [
                    r["variant"],
                    r["phase"],
                    *(r[f] for f in CSV_FIELDS),
                    *map(_csv_rate, (r[k] for k in rates)),
                ]
            )
    else:
        writer.writerow(["minute_utc", *(f"cumulative_{f}" for f in CSV_FIELDS)])
        for r in stats.campaign_timeline(campaign.campaign_id):
            writer.writerow([r["start"].isoformat(), *(r[f"cum_{f}"] for f in CSV_FIELDS)])
    return response


def _csv_rate(value: float) -> str:
    """A rate as a share for spreadsheets, precise enough that it rounds to what the page shows."""
    return f"{value:.6f}"


# --- the overview's chart (the home page includes the fragment) -------------------------------
def _period(request: HttpRequest) -> str:
    period = request.GET.get("period", "24h")
    return period if period in stats.PERIODS else "24h"


def _overview_etag(request: HttpRequest) -> str:
    # The window slides every minute even when nothing new arrives. Read once per request:
    # the ETag check and the cache keys share it.
    if not hasattr(request, "overview_etag"):
        minute = int(time.time() // 60)
        request.overview_etag = f"{_period(request)}-{minute}-{stats.data_version()}"
    return request.overview_etag


def _overview_rows(data: dict) -> list[dict]:
    """Each line's latest point: the table beside the chart."""
    return [
        {
            "name": s["name"],
            "campaign_id": s["campaign_id"],
            "open_rate": s["open_rate"][-1] if s["open_rate"] else 0,
            "click_rate": s["click_rate"][-1] if s["click_rate"] else 0,
        }
        for s in data["series"]
    ]


def _overview_payload(period: str, data: dict | None = None) -> dict:
    data = data or stats.overview(period)
    series = _overview_rows(data)
    return {
        "figures": {"overview": charts.overview_traces(data["series"])},
        "numbers": _numbers(data["totals"]),
        "series": series,
        "tables": render_to_string("campaigns/overview_chart.html#tables", {"series": series}),
    }


def _overview_data(request: HttpRequest) -> dict:
    """The overview's numbers for this data version, computed once for every poller."""
    key = f"campaigns:overview-data:{_overview_etag(request)}"
    data = cache.get(key)
    if data is None:
        data = stats.overview(_period(request))
        cache.set(key, data, 120)
    return data


@require_GET
@permission_required(VIEW, raise_exception=True)
def overview_chart(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    data = _overview_data(request)
    figure = charts.with_template(charts.overview_figure(data["series"]))
    return render(
        request,
        "campaigns/overview_chart.html",
        {
            "figure": figure,
            "numbers": _numbers(data["totals"]),
            "series": _overview_rows(data),
            "daily": stats.daily_report(),
            "period": period,
            "periods": [(key, label) for key, (label, _, _) in stats.PERIODS.items()],
            "etag": _overview_etag(request),
        },
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
@condition(etag_func=_overview_etag)
def overview_data(request: HttpRequest) -> HttpResponse:
    """Polled every 5 s by every manager's overview: unchanged data is a 304 from one indexed
    query, and a changed answer is computed once per version for all of them."""
    period = _period(request)
    if request.GET.get("format") == "csv":
        return _overview_csv(period)
    key = f"campaigns:overview-payload:{_overview_etag(request)}"
    payload = cache.get(key)
    if payload is None:  # the figures and the tables too, once per version for all pollers
        payload = _overview_payload(period, _overview_data(request))
        cache.set(key, payload, 120)
    response = JsonResponse(payload)
    response["Cache-Control"] = "private, no-cache"
    return response


def _overview_csv(period: str) -> HttpResponse:
    import csv

    data = stats.overview(period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-rates-{period}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["campaign_id", "campaign", "time_utc", "unique_open_rate", "unique_click_rate"]
    )
    for s in data["series"]:
        for x, o, c in zip(s["x"], s["open_rate"], s["click_rate"], strict=True):
            name = spreadsheet_safe(s["name"])
            writer.writerow([s["campaign_id"], name, x, _csv_rate(o), _csv_rate(c)])
    return response
