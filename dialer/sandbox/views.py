"""CCAI Platform's Manager API (campaigns) and Apps API (contacts, imports), emulated."""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.sandbox import basic_auth, credentials, json_response, read_json, sandbox_endpoint
from dialer import statuses as st
from dialer.sandbox.models import SandboxCampaign, SandboxContact, SandboxImportJob
from dialer.sandbox.rules import (
    EMAIL_RE,
    PROVIDER,
    contact_problems,
    new_contact,
    over_rate,
    phone_key,
    phone_problem,
    run_import_job,
)


def _error(message: str, status: int) -> HttpResponse:
    response = json_response({"message": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="CCAI Platform"'
    return response


def _authorised(request: HttpRequest) -> bool:
    creds = credentials(PROVIDER)
    return basic_auth(request) == (creds["username"], creds["api_token"])


def _refused(request: HttpRequest) -> HttpResponse | None:
    """The provider's answer when a call is not allowed: 401, or 429 over the rate."""
    if not _authorised(request):
        return _error("Unauthorized", 401)
    if over_rate(credentials(PROVIDER)["username"]):
        response = _error("Too Many Requests", 429)
        response["Retry-After"] = "1"
        return response
    return None


def _campaign_endpoint(*methods: str) -> Callable:
    """One of the calls about one campaign (`methods`): the view is given the campaign, or
    the provider refuses first (401, 429, 404)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable:
        @sandbox_endpoint(PROVIDER)
        @require_http_methods(list(methods))
        @functools.wraps(view)
        def endpoint(request: HttpRequest, campaign_id: int) -> HttpResponse:
            if refused := _refused(request):
                return refused
            campaign = SandboxCampaign.objects.filter(pk=campaign_id).first()
            if campaign is None:
                return _error("Resource not found", 404)
            return view(request, campaign)

        return endpoint

    return decorator


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def contact_json(c: SandboxContact) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "campaign_id": c.campaign_id,
        "assigned_call_id": c.assigned_call_id,
        "assigned_participant_id": None,
        "outbound_number": c.outbound_number or None,
        "priority": c.priority,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "status": c.status,
        "user_custom_metadata": {
            "NAME (REQUIRED)": c.name,
            "PHONE (REQUIRED)": c.phone_number,
            "EMAIL (REQUIRED)": c.email,
        },
        # The listing example shows these at the top level too.
        "email": c.email,
        "phone_number": c.phone_number,
        "external_unique_id": c.external_unique_id or None,
    }


def contact_stats(counts: dict[str, int], redials: int) -> dict[str, int]:
    stats = {name: counts.get(name, 0) for name in st.STATUS_NAMES}
    group_total = Counter()
    for name, n in counts.items():
        group_total[st.group_of(name)] += n
    stats.update(
        {
            "Contacts": sum(counts.values()),
            "Completed": group_total["done"],
            "Remaining": group_total["waiting"] + group_total["live"],
            "Redials": redials,
            "Not yet reached": counts.get(st.UPCOMING, 0),
        }
    )
    return stats


def campaign_json(c: SandboxCampaign, stats: dict[str, int]) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "campaign_type": c.campaign_type,
        "mode": c.mode,
        "status": c.status,
        "max_redial_count": c.max_redial_count,
        "redial_interval_minutes": c.redial_interval_minutes,
        "max_abandonment_percent": c.max_abandonment_percent,
        "target_number_to_process": c.target_number_to_process,
        "queue": {"id": c.queue_id, "name": c.queue_name, "type": "outbound"},
        "created_at": _iso(c.created_at),
        "starts_at": _iso(c.starts_at),
        "ends_at": _iso(c.ends_at),
        "updated_at": _iso(c.updated_at),
        "contact_stats": stats,
        "dialer_settings": {"caller_id_strategy": "campaign"},  # a key clients must ignore
    }


def _stats_for(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        SandboxContact.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id", "status")
        .annotate(n=Count("id"))
    ):
        counts[row["campaign_id"]][row["status"]] = row["n"]
    redials = dict(
        SandboxContact.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id")
        .annotate(r=Sum("redials"))
        .values_list("campaign_id", "r")
    )
    return {cid: contact_stats(counts.get(cid, {}), redials.get(cid) or 0) for cid in campaign_ids}


# --- Manager API: campaigns ---------------------------------------------------------------


@sandbox_endpoint(PROVIDER)
@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    if refused := _refused(request):
        return refused
    items = list(SandboxCampaign.objects.order_by("id"))
    stats = _stats_for([c.id for c in items])
    return json_response([campaign_json(c, stats[c.id]) for c in items])


@_campaign_endpoint("GET")
def campaign_detail(request: HttpRequest, campaign: SandboxCampaign) -> HttpResponse:
    return json_response(campaign_json(campaign, _stats_for([campaign.id])[campaign.id]))


# --- Apps API: contacts -------------------------------------------------------------------


@_campaign_endpoint("GET", "POST")
def contacts(request: HttpRequest, campaign: SandboxCampaign) -> HttpResponse:
    if request.method == "GET":
        rows = SandboxContact.objects.filter(campaign=campaign).order_by("id")
        return json_response([contact_json(c) for c in rows.iterator(chunk_size=2000)])
    data = read_json(request)
    if not isinstance(data, dict):
        return _error("Request body must be a JSON object", 400)
    with transaction.atomic():
        problems = contact_problems(data, campaign)
        if problems:
            return json_response(
                {"valid_contacts": [], "invalid_contacts": [{**data, "errors": problems}]}
            )
        new_contact(campaign, data).save()
    return json_response({"valid_contacts": [data], "invalid_contacts": []})


@_campaign_endpoint("POST")
def contacts_import(request: HttpRequest, campaign: SandboxCampaign) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _error("file is required", 400)
    try:
        payload = json.loads(upload.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return _error("file must be a JSON array of contacts", 400)
    if not isinstance(payload, list) or not all(isinstance(c, dict) for c in payload):
        return _error("file must be a JSON array of contacts", 400)
    delay = getattr(settings, "DIALER_SANDBOX_IMPORT_SECONDS", 1.0)
    job = SandboxImportJob.objects.create(
        campaign=campaign,
        payload=json.dumps(payload),
        run_after=timezone.now() + timedelta(seconds=delay),
    )
    response = HttpResponse(status=202)
    response["Location"] = (
        f"/apps/api/v1/outbound_dialer/campaigns/{campaign.id}/contacts/jobs/{job.id}"
    )
    return response


@sandbox_endpoint(PROVIDER)
@require_GET
def import_job(request: HttpRequest, campaign_id: int, job_id: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    job = SandboxImportJob.objects.filter(pk=job_id, campaign_id=campaign_id).first()
    if job is None:
        return _error("Resource not found", 404)
    if job.status == "in_progress" and job.run_after <= timezone.now():
        run_import_job(job)
        job.refresh_from_db()
    body: dict[str, Any] = {
        "id": job.id,
        "status": "in_progress" if job.status == "running" else job.status,
        "type": job.job_type,
    }
    if job.status == "failed":
        body.update(error_message=job.error_message, error_details=job.error_details)
    return json_response(body)


def _find_contact(campaign: SandboxCampaign, data: dict[str, Any]) -> SandboxContact | None:
    qs = SandboxContact.objects.filter(campaign=campaign)
    if data.get("contact_id") not in (None, ""):
        try:
            return qs.filter(pk=int(data["contact_id"])).first()
        except (TypeError, ValueError):
            return None
    if data.get("phone_number"):
        return qs.filter(phone_key=phone_key(str(data["phone_number"]))).first()
    if data.get("external_unique_id"):
        return qs.filter(external_unique_id=str(data["external_unique_id"])).first()
    return None


@_campaign_endpoint("PATCH", "DELETE")
def contact(request: HttpRequest, campaign: SandboxCampaign) -> HttpResponse:
    data = read_json(request)
    if not isinstance(data, dict):
        return _error("Request body must be a JSON object", 400)
    if request.method == "DELETE":
        if not any(data.get(k) for k in ("contact_id", "phone_number", "external_unique_id")):
            return _error("contact_id, phone_number or external_unique_id is required", 422)
        with transaction.atomic():
            found = _find_contact(campaign, data)
            if found is None:
                return _error("Resource not found", 404)
            body = contact_json(found)
            found.delete()
        return json_response(body)
    if data.get("contact_id") in (None, ""):
        return _error("contact_id is required", 422)
    with transaction.atomic():
        found = _find_contact(campaign, {"contact_id": data["contact_id"]})
        if found is None:
            return _error("Resource not found", 404)
        if "phone_number" in data:
            problem = phone_problem(data["phone_number"])
            if problem:
                return _error(problem, 400)
            key = phone_key(data["phone_number"])
            taken = SandboxContact.objects.filter(campaign=campaign, phone_key=key)
            if taken.exclude(pk=found.pk).exists():
                return _error("Phone number has already been taken", 422)
            found.phone_number, found.phone_key = str(data["phone_number"]).strip(), key
        if "email" in data:
            email = str(data["email"] or "").strip()
            if email and not EMAIL_RE.match(email):
                return _error("Email is invalid", 400)
            found.email = email
        if "name" in data:
            found.name = str(data["name"] or "").strip()
        if "external_unique_id" in data:
            found.external_unique_id = str(data["external_unique_id"] or "").strip()
        found.save()
    return json_response(contact_json(found))
