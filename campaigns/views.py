"""Campaign pages: check the permission, read a form, call one service (or a sync, for the
refresh buttons) or one selector, render. Each view is named like its URL."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import (
    condition,
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from campaigns import charts, describe, exports, selectors, services, stats, sync
from campaigns.forms import CampaignBuilder, CampaignFilterForm, initial_from
from campaigns.models import Campaign
from dashboard import clock, submissions
from dashboard.http import HtmxHttpRequest
from dashboard.providers import ProviderError
from dashboard.views import refreshed

VIEW = "dashboard.view_campaigns"
CHANGE = "dashboard.change_campaigns"
PAGE_SIZE = 25
# The builder's parts an htmx request may ask for alone (`X-Builder-Partial`).
BUILDER_PARTIALS = {
    "ab_builder",
    "ab_sentence",
    "warmup_builder",
    "warmup_preview",
    "schedule_preview",
}


def _redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """To `url`, whether the form was posted by htmx or by the browser itself."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _campaign(campaign_id: int) -> Campaign:
    return get_object_or_404(Campaign, provider_id=campaign_id)


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_list(request: HtmxHttpRequest) -> HttpResponse:
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
            "rows_version": selectors.rows_version(page.object_list),
            "synced_at": synced_at,
            "synced_ago": selectors.synced_ago(synced_at),
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def campaign_list_refresh(request: HtmxHttpRequest) -> HttpResponse:
    try:
        refreshed(
            request,
            sync.campaign_list_refresh,
            done=gettext("Refreshed from EngageLab (%(summary)s)."),
            failed=gettext("Could not refresh from EngageLab. %(error)s"),
        )
    except sync.PartlyRefreshed as partly:
        messages.warning(
            request,
            gettext("Campaigns refreshed from EngageLab (%(summary)s). %(problems)s")
            % {"summary": partly.summary, "problems": " ".join(partly.problems)},
        )
    back = reverse("campaigns:campaign_list")
    if query := request.POST.get("query"):
        back += f"?{query}"
    return redirect(back)


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_detail(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    context = selectors.campaign_detail(_campaign(campaign_id))
    return render(request, "campaigns/detail.html", context)


# --- the builder ---------------------------------------------------------------------------
def _render_builder(
    request: HtmxHttpRequest,
    builder: CampaignBuilder,
    campaign: Campaign | None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    template = "campaigns/form.html"
    builder.keep_uploads()  # not done: what was just chosen stays chosen
    partial = request.headers.get("X-Builder-Partial", "")
    if request.htmx and partial in BUILDER_PARTIALS:
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
    request: HtmxHttpRequest, builder: CampaignBuilder, campaign: Campaign | None
) -> HttpResponse:
    """A valid builder: sending at once is confirmed first."""
    if builder.sends_now and not submissions.confirmed(request.POST):
        return _confirm_send(request, builder, campaign)
    return _save(request, builder, campaign)


def _confirm_send(
    request: HtmxHttpRequest, builder: CampaignBuilder, campaign: Campaign | None
) -> HttpResponse:
    kind, values = builder.audience
    name = builder.form.cleaned_data["name"]
    schedule = campaign.schedule if campaign else None
    return _render_builder(
        request,
        builder,
        campaign,
        confirm=submissions.Confirmation(
            # What the builder read: after "Create it anyway", with its fresh token.
            submissions.carried(builder.form.data),
            gettext("Send “%(name)s” now") % {"name": name},
        ),
        audience=describe.audience_text(kind, values),
        estimate=selectors.audience_estimate(kind, values),
        replaces=describe.local_time(schedule.at, schedule.time_zone) if schedule else "",
    )


def _outcome_unknown() -> submissions.OutcomeUnknown:
    return submissions.OutcomeUnknown(provider="EngageLab", noun="campaign", done="created")


def _save(
    request: HtmxHttpRequest, builder: CampaignBuilder, campaign: Campaign | None
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
            request,
            gettext("This campaign was already submitted; it was not created a second time."),
        )
        if Campaign.objects.filter(provider_id=done.object_id).exists():
            return _redirect(request, reverse("campaigns:campaign_detail", args=[done.object_id]))
        return _redirect(request, reverse("campaigns:campaign_list"))
    except services.CampaignLocked:
        messages.error(
            request, gettext("This campaign has started; EngageLab no longer accepts changes.")
        )
        return redirect("campaigns:campaign_detail", campaign_id=campaign.provider_id)
    except ProviderError as error:
        if campaign is not None and error.code == 32110:
            # It started sending while the form was open.
            messages.error(
                request,
                gettext("“%(name)s” has started sending. %(error)s")
                % {"name": campaign.name, "error": error},
            )
            return redirect("campaigns:campaign_detail", campaign_id=campaign.provider_id)
        unknown = _outcome_unknown().after(error) if campaign is None else None
        if unknown is None:
            builder.form.apply_provider_error(error)
        return _render_builder(request, builder, campaign, status=422, unknown=unknown)
    submissions.uploads_done(builder.token)  # they were sent
    if campaign is None:
        done = gettext("Campaign “%(name)s” created.")
    else:
        done = gettext("Campaign “%(name)s” saved.")
    messages.success(request, done % {"name": saved.name})
    return _redirect(request, reverse("campaigns:campaign_detail", args=[saved.provider_id]))


def _check(request: HtmxHttpRequest, builder: CampaignBuilder) -> HttpResponse:
    """After an unknown outcome, "Check EngageLab": refresh, and say whether it exists."""
    builder.is_valid()  # the form as typed, with anything that no longer holds
    name = str(request.POST.get("name", "")).strip()

    def find() -> submissions.Checked:
        sync.sync_campaigns()
        found = selectors.campaign_latest_named(name)
        if found is None:
            return submissions.Checked(
                gettext("EngageLab, refreshed just now, has no campaign named “%(name)s”.")
                % {"name": name}
            )
        created = describe.local_time(found.create_time, found.time_zone)
        return submissions.Checked(
            gettext("EngageLab has a campaign named “%(name)s”, created %(created)s:")
            % {"name": name, "created": created},
            url=reverse("campaigns:campaign_detail", args=[found.provider_id]),
            link=gettext("open “%(name)s”") % {"name": found.name},
        )

    unknown = _outcome_unknown().check(find)
    return _render_builder(request, builder, None, unknown=unknown)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def campaign_create(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        builder = CampaignBuilder(submissions.resubmitted(request.POST), request.FILES)
        if submissions.checking(request.POST):
            return _check(request, builder)
        if builder.is_valid():
            return _submit(request, builder, None)
        return _render_builder(request, builder, None, status=200 if builder.action else 422)
    if not selectors.references_loaded():
        # A GET fetches nothing: the list's refresh (a POST) or the worker's sync loads them.
        messages.warning(
            request,
            gettext(
                "Senders, templates and tags have not been loaded from EngageLab yet: “Refresh "
                "now” on the campaign list loads them."
            ),
        )
    return _render_builder(request, CampaignBuilder(), None)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def campaign_edit(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
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
def campaign_delete(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    if request.method == "POST":
        try:
            services.campaign_delete(user=request.user, campaign=campaign)
        except ProviderError as error:
            messages.error(
                request,
                gettext("“%(name)s” was not deleted. %(error)s")
                % {"name": campaign.name, "error": error},
            )
            return render(request, "campaigns/delete.html", {"campaign": campaign}, status=502)
        messages.success(request, gettext("Campaign “%(name)s” deleted.") % {"name": campaign.name})
        return redirect("campaigns:campaign_list")
    return render(request, "campaigns/delete.html", {"campaign": campaign})


# --- statistics: chart data, table, CSV --------------------------------------------------------
# A chart's answer is kept for everyone under its version (its ETag) while it is polled.
CHART_PAYLOAD_SECONDS = 120


def _campaign_etag(request: HtmxHttpRequest, campaign_id: int) -> str:
    # Read once per request: the ETag check and the cache key share it. The same data drawn in
    # another zone, or written in another language, is another answer.
    if not hasattr(request, "chart_etag"):
        request.chart_stats = stats.campaign_stats(campaign_id)  # the answer's numbers too
        version = stats.campaign_version(request.chart_stats)
        request.chart_etag = f"{version}:{clock.zone_name()}:{get_language()}"
    return request.chart_etag


def _chart_data(payload: dict[str, Any]) -> JsonResponse:
    """What a chart box fetches to refresh (`static/js/charts.js`), revalidated every time."""
    response = JsonResponse(payload)
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@permission_required(VIEW, raise_exception=True)
@condition(etag_func=_campaign_etag)
def campaign_chart_data(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    """Only the charts' data (traces), the verdict and the numbers; 304 when unchanged, and
    a changed answer built once per version for everyone watching the campaign."""

    def payload() -> dict[str, Any]:
        data = charts.campaign_charts(_campaign(campaign_id), request.chart_stats)
        return {
            "figures": {key: fig["data"] for key, fig in data["figures"].items()},
            "verdict": data["verdict"],
            "numbers": data["numbers"],
            # The tables beside the charts, refreshed with them (one formatting rule: the
            # page's own template).
            "tables": render_to_string("campaigns/charts.html#tables", {"charts": data}),
        }

    key = f"campaigns:chart-payload:{campaign_id}:{_campaign_etag(request, campaign_id)}"
    return _chart_data(cache.get_or_set(key, payload, CHART_PAYLOAD_SECONDS))


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_stats_csv(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    return exports.campaign_csv(_campaign(campaign_id), request.GET.get("table", ""))


# --- the overview's chart (the home page includes the fragment) -------------------------------
def _period(request: HtmxHttpRequest) -> str:
    return selectors.overview_period(request.GET.get("period"))


def _every(request: HtmxHttpRequest) -> bool:
    """Every campaign of the period on the chart, not only the latest few (?campaigns=all)."""
    return request.GET.get("campaigns") == "all"


def _overview_etag(request: HtmxHttpRequest) -> str:
    # Read once per request: the ETag check and the cache keys share it.
    if not hasattr(request, "overview_etag"):
        version = selectors.overview_version(_period(request), _every(request))
        # Its times in the user's zone, its words in their language.
        request.overview_etag = f"{version}:{clock.zone_name()}:{get_language()}"
    return request.overview_etag


def _overview_data(request: HtmxHttpRequest) -> dict[str, Any]:
    return selectors.overview_data(_period(request), _overview_etag(request), _every(request))


@require_GET
@permission_required(VIEW, raise_exception=True)
def overview_chart(request: HtmxHttpRequest) -> HttpResponse:
    data = _overview_data(request)
    return render(
        request,
        "campaigns/overview_chart.html",
        {
            "figure": charts.with_template(charts.overview_figure(data["series"])),
            "numbers": charts.format_numbers(data["totals"]),
            "series": selectors.overview_rows(data),
            "daily": stats.daily_report(),
            "period": _period(request),
            "every": _every(request),
            "periods": [(key, label) for key, (label, _, _) in stats.PERIODS.items()],
            "etag": _overview_etag(request),
        },
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
@condition(etag_func=_overview_etag)
def overview_data(request: HtmxHttpRequest) -> HttpResponse:
    """Polled every 5 s by every manager's overview: unchanged data is a 304 from one indexed
    query, and a changed answer is computed once per version for all of them."""
    if request.GET.get("format") == "csv":
        return exports.overview_csv(_period(request), _overview_data(request))

    def payload() -> dict[str, Any]:  # the figures and the tables too
        data = _overview_data(request)
        series = selectors.overview_rows(data)
        return {
            "figures": {"overview": charts.overview_traces(data["series"])},
            "numbers": charts.format_numbers(data["totals"]),
            "series": series,
            "tables": render_to_string("campaigns/overview_chart.html#tables", {"series": series}),
        }

    # The ETag names the language: the payload carries words (trace names, tables' headers).
    key = f"campaigns:overview-payload:{_overview_etag(request)}"
    return _chart_data(cache.get_or_set(key, payload, CHART_PAYLOAD_SECONDS))
