from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaigns import describe, selectors, services
from campaigns.forms import CampaignBuilder, CampaignFilterForm, initial_from
from campaigns.models import Campaign
from dashboard.providers import ProviderError

VIEW = "dashboard.view_campaigns"
CHANGE = "dashboard.change_campaigns"
PAGE_SIZE = 25


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None)
    campaigns = selectors.campaign_list(form.cleaned_data if form.is_valid() else {})
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
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
    dimension, variants = describe.ab_dimension(campaign.ab_test)
    labels = (
        selectors.reference_labels("sender")
        if dimension == "sender_ids"
        else selectors.reference_labels("template")
        if dimension == "template_invoke_names"
        else {}
    )
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "audience": describe.audience_text(campaign.audience_type, campaign.audience_values),
            "schedule": describe.local_time(campaign.run_time, campaign.time_zone),
            "tz_label": describe.tz_label(campaign.time_zone),
            "times": [
                (label, describe.local_time(getattr(campaign, field), campaign.time_zone))
                for label, field in (
                    ("Created", "create_time"),
                    ("Last updated", "update_time"),
                    ("Started" if campaign.has_started else "Starts", "run_time"),
                    ("Finished", "complete_time"),
                )
            ],
            "ab_sentence": describe.ab_sentence(campaign.ab_test),
            "ab_dimension": describe.DIMENSIONS.get(dimension, ("variant",))[0],
            "variants": [(chr(ord("A") + i), labels.get(v, v)) for i, v in enumerate(variants)],
            "warm_up": [
                {**row, "sentence": describe.warm_up_sentence(row)}
                for row in campaign.warm_up or []
            ],
            "utm": [
                (label, (campaign.google_track or {}).get(key))
                for key, label in (
                    ("campaign_name", "Campaign name"),
                    ("campaign_source", "Source"),
                    ("campaign_medium", "Medium"),
                    ("campaign_term", "Term"),
                    ("campaign_content", "Content"),
                )
                if (campaign.google_track or {}).get(key)
            ],
            "template_label": selectors.reference_labels("template").get(
                campaign.template_invoke_name, campaign.template_invoke_name
            ),
        },
    )


def _render_builder(
    request: HttpRequest, builder: CampaignBuilder, campaign: Campaign | None, status: int = 200
) -> HttpResponse:
    template = "campaigns/form.html"
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
        {"builder": builder, "form": builder.form, "campaign": campaign},
        status=status,
    )


def _save(
    request: HttpRequest, builder: CampaignBuilder, campaign: Campaign | None
) -> HttpResponse:
    payload, attachments = builder.payload()
    try:
        if campaign is None:
            saved = services.campaign_create(
                user=request.user, payload=payload, attachments=attachments
            )
        else:
            saved = services.campaign_update(
                user=request.user, campaign=campaign, payload=payload, attachments=attachments
            )
    except services.CampaignLocked:
        messages.error(request, "This campaign has started; EngageLab no longer accepts changes.")
        return redirect("campaigns:detail", campaign_id=campaign.campaign_id)
    except ProviderError as error:
        builder.form.apply_provider_error(error)
        if attachments:
            builder.form.add_error(
                "attachments", "Browsers cannot keep chosen files: choose them again."
            )
        return _render_builder(request, builder, campaign, status=422)
    verb = "created" if campaign is None else "saved"
    messages.success(request, f"Campaign “{saved.name}” {verb}.")
    url = reverse("campaigns:detail", args=[saved.campaign_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        builder = CampaignBuilder(request.POST, request.FILES)
        if builder.is_valid():
            return _save(request, builder, None)
        return _render_builder(request, builder, None, status=200 if builder.action else 422)
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
            return _save(request, builder, campaign)
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
