"""CCAI Platform's outbound dialer, emulated (served under /sandbox/ccai/ at the provider's own
paths; see dashboard/sandbox.py).

It keeps campaigns, contacts and import jobs in the `Sandbox…` tables and enforces what the
contract documents: Basic auth with the API credential (401 otherwise), `{"message"}` errors,
phone numbers with `+` and a country code in loose formatting (non-numbers and emergency numbers
refused), at most 10 calls a second per customer (429 with Retry-After beyond), an invalid
contact answered in `invalid_contacts` with HTTP 200, imports as
asynchronous jobs that fail whole with `DuplicateContactPhoneOnCampaign` when a phone is already
in the campaign. `tick()` moves the contacts of running campaigns through plausible call
outcomes, so that boards change while a campaign runs.

Sandbox conventions (not provider behaviour): a number ending in 0000 is on the do-not-call
list; an import job runs `DIALER_SANDBOX_IMPORT_SECONDS` (default 1) after it was accepted.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.sandbox import basic_auth, credentials, json_response, read_json, sandbox_endpoint
from dialer import statuses as st
from dialer.models import SandboxCampaign, SandboxContact, SandboxImportJob

PROVIDER = "ccai"
RUNNING = ("started", "dialing")
_LOOSE = re.compile(r"[\s\-().]")
_E164ISH = re.compile(r"^\+\d{8,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMERGENCY = {"911", "112", "999", "000", "110", "119", "15", "17", "18", "100", "101", "102"}
DUPLICATE_ERROR = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"


def _error(message: str, status: int) -> HttpResponse:
    response = json_response({"message": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="CCAI Platform"'
    return response


def _authorised(request: HttpRequest) -> bool:
    creds = credentials(PROVIDER)
    return basic_auth(request) == (creds["username"], creds["api_token"])


# Documented: 10 requests per second per customer. A token bucket per customer and process,
# with a burst of two more than the rate so that network jitter alone never trips a client
# that keeps to 10 a second.
RATE_PER_SECOND = 10
_BURST = RATE_PER_SECOND + 2
_buckets: dict[str, tuple[float, float]] = {}
_buckets_lock = threading.Lock()


def _over_rate(customer: str) -> bool:
    now = time.monotonic()
    with _buckets_lock:
        tokens, at = _buckets.get(customer, (float(_BURST), now))
        tokens = min(float(_BURST), tokens + (now - at) * RATE_PER_SECOND)
        if tokens < 1:
            _buckets[customer] = (tokens, now)
            return True
        _buckets[customer] = (tokens - 1, now)
        return False


def _refused(request: HttpRequest) -> HttpResponse | None:
    """The provider's answer when a call is not allowed: 401, or 429 over the rate."""
    if not _authorised(request):
        return _error("Unauthorized", 401)
    if _over_rate(credentials(PROVIDER)["username"]):
        response = _error("Too Many Requests", 429)
        response["Retry-After"] = "1"
        return response
    return None


def phone_problem(raw: Any) -> str | None:
    """The sandbox's reading of the contract's rule (looser than Switchboard's own check)."""
    if not isinstance(raw, str) or not raw.strip():
        return "Phone number is required"
    compact = _LOOSE.sub("", raw.strip())
    if compact.lstrip("+") in EMERGENCY:
        return "Emergency numbers cannot be dialed"
    if not _E164ISH.match(compact):
        return "Phone number is invalid"
    return None


def phone_key(raw: str) -> str:
    return re.sub(r"\D", "", raw or "")


def _iso(value) -> str | None:
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


@sandbox_endpoint(PROVIDER)
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    campaign = SandboxCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return _error("Resource not found", 404)
    return json_response(campaign_json(campaign, _stats_for([campaign.id])[campaign.id]))


# --- Apps API: contacts -------------------------------------------------------------------


def _contact_problems(data: dict[str, Any], campaign: SandboxCampaign) -> list[str]:
    problems = []
    problem = phone_problem(data.get("phone_number"))
    if problem:
        problems.append(problem)
    elif SandboxContact.objects.filter(
        campaign=campaign, phone_key=phone_key(data["phone_number"])
    ).exists():
        problems.append("Phone number has already been taken")
    if not str(data.get("name") or "").strip():
        problems.append("Name is required")
    email = str(data.get("email") or "").strip()
    if not email:
        problems.append("Email is required")
    elif not _EMAIL.match(email):
        problems.append("Email is invalid")
    return problems


def _new_contact(campaign: SandboxCampaign, data: dict[str, Any]) -> SandboxContact:
    phone = str(data["phone_number"]).strip()
    outbound = str(data.get("outbound_number") or "").strip()
    status = st.UPCOMING
    if phone_problem(phone):
        status = st.INVALID_NUMBER
    elif outbound and phone_problem(outbound):
        status = st.INVALID_OUTBOUND
    elif phone_key(phone).endswith("0000"):
        status = st.DO_NOT_CALL
    return SandboxContact(
        campaign=campaign,
        name=str(data.get("name") or "").strip(),
        email=str(data.get("email") or "").strip(),
        phone_number=phone,
        phone_key=phone_key(phone),
        outbound_number=outbound,
        external_unique_id=str(data.get("external_unique_id") or "").strip(),
        status=status,
    )


@sandbox_endpoint(PROVIDER)
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    campaign = SandboxCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return _error("Resource not found", 404)
    if request.method == "GET":
        rows = SandboxContact.objects.filter(campaign=campaign).order_by("id")
        return json_response([contact_json(c) for c in rows.iterator(chunk_size=2000)])
    data = read_json(request)
    if not isinstance(data, dict):
        return _error("Request body must be a JSON object", 400)
    with transaction.atomic():
        problems = _contact_problems(data, campaign)
        if problems:
            return json_response(
                {"valid_contacts": [], "invalid_contacts": [{**data, "errors": problems}]}
            )
        _new_contact(campaign, data).save()
    return json_response({"valid_contacts": [data], "invalid_contacts": []})


@sandbox_endpoint(PROVIDER)
@require_http_methods(["POST"])
def contacts_import(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    campaign = SandboxCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return _error("Resource not found", 404)
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


def run_import_job(job: SandboxImportJob) -> None:
    """Process one due job: all or nothing, as the provider does."""
    with transaction.atomic():
        claimed = SandboxImportJob.objects.filter(pk=job.pk, status="in_progress").update(
            status="running"
        )
        if not claimed:
            return
        contacts_in = json.loads(job.payload)
        keys = [phone_key(str(c.get("phone_number") or "")) for c in contacts_in]
        existing = set(
            SandboxContact.objects.filter(campaign_id=job.campaign_id, phone_key__in=set(keys))
            .values_list("phone_key", flat=True)
            .iterator(chunk_size=2000)
        )
        in_file = Counter(k for k in keys if k)
        if existing or any(n > 1 for n in in_file.values()):
            SandboxImportJob.objects.filter(pk=job.pk).update(
                status="failed",
                job_type="Jobs::Bulk::Campaign::StartImport",
                error_message="Internal Error",
                error_details=DUPLICATE_ERROR,
            )
            return
        campaign = SandboxCampaign.objects.get(pk=job.campaign_id)
        SandboxContact.objects.bulk_create(
            [_new_contact(campaign, c) for c in contacts_in], batch_size=2000
        )
        SandboxImportJob.objects.filter(pk=job.pk).update(status="completed", payload="")


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


@sandbox_endpoint(PROVIDER)
@require_http_methods(["PATCH", "DELETE"])
def contact(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    campaign = SandboxCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return _error("Resource not found", 404)
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
            if email and not _EMAIL.match(email):
                return _error("Email is invalid", 400)
            found.email = email
        if "name" in data:
            found.name = str(data["name"] or "").strip()
        if "external_unique_id" in data:
            found.external_unique_id = str(data["external_unique_id"] or "").strip()
        found.save()
    return json_response(contact_json(found))


# --- Simulated activity ---------------------------------------------------------------------

# (from, [(to, weight), ...]) per mode: what a call in one state becomes a few seconds later.
_COMMON = {
    st.DIALING: [
        (st.CONNECTED, 55),
        (st.NOT_PICKED_UP, 15),
        (st.NOT_REACHED, 5),
        (st.ABANDONED_CONTACT, 5),
        (st.INVALID_NUMBER, 3),
        (st.CARRIER_ERROR, 2),
        (st.BLOCKED, 1),
        (st.DIALER_ERROR, 1),
    ],
    st.QUEUED: [(st.CONNECTED, 70), (st.ABANDONED_DIALER, 30)],
    st.CONNECTED: [(st.FINISHED, 70), (st.TRANSFERRED, 20), (st.CONNECTED, 10)],
    st.TRANSFERRED: [(st.TRANSFERRED_FINISHED, 100)],
}
_BY_MODE = {
    "preview": {st.DIALING: [(st.SKIPPED, 8), (st.SKIPPED_CLOSED, 4)]},
    "progressive": {st.DIALING: [(st.QUEUED, 10)]},
    "predictive": {st.DIALING: [(st.QUEUED, 15), (st.VOICEMAIL, 10)]},
}
_PACE = {"preview": 1, "progressive": 3, "predictive": 6}
_REDIALABLE = (st.NOT_PICKED_UP, st.VOICEMAIL, st.NOT_REACHED)


def _next_status(rng: random.Random, mode: str, status: str) -> str:
    options = _COMMON.get(status, []) + _BY_MODE.get(mode, {}).get(status, [])
    if not options:
        return status
    targets, weights = zip(*options, strict=True)
    return rng.choices(targets, weights)[0]


def tick(rng: random.Random | None = None) -> int:
    """Advance every running campaign by one step; returns how many contacts changed. Due
    import jobs run too, so that imports finish even when nobody asks for their status."""
    rng = rng or random.Random()
    for job in SandboxImportJob.objects.filter(status="in_progress", run_after__lte=timezone.now()):
        run_import_job(job)
    changed = 0
    for campaign in SandboxCampaign.objects.filter(status__in=RUNNING):
        changed += _advance(campaign, rng)
    return changed


def _advance(campaign: SandboxCampaign, rng: random.Random) -> int:
    pace = _PACE.get(campaign.mode, 2)
    moves: dict[str, list[int]] = defaultdict(list)
    redials: list[int] = []
    with transaction.atomic():
        live = SandboxContact.objects.filter(
            campaign=campaign, status__in=[st.DIALING, st.QUEUED, st.CONNECTED, st.TRANSFERRED]
        ).values_list("id", "status")
        for cid, status in live[: pace * 4]:
            target = _next_status(rng, campaign.mode, status)
            if target != status:
                moves[target].append(cid)
        # Unanswered calls come back for another try while redials remain.
        for cid in SandboxContact.objects.filter(
            campaign=campaign, status__in=_REDIALABLE, redials__lt=campaign.max_redial_count
        ).values_list("id", flat=True)[:pace]:
            if rng.random() < 0.5:
                moves[st.REDIAL_SCHEDULED].append(cid)
                redials.append(cid)
        for cid in SandboxContact.objects.filter(
            campaign=campaign, status=st.REDIAL_SCHEDULED
        ).values_list("id", flat=True)[:pace]:
            if rng.random() < 0.5:
                moves[st.UPCOMING].append(cid)
        upcoming = SandboxContact.objects.filter(campaign=campaign, status=st.UPCOMING)
        for cid in upcoming.order_by("id").values_list("id", flat=True)[:pace]:
            moves[st.DIALING].append(cid)
        now = timezone.now()
        changed = 0
        for target, ids in moves.items():
            changed += SandboxContact.objects.filter(pk__in=ids).update(
                status=target, updated_at=now
            )
        if redials:
            SandboxContact.objects.filter(pk__in=redials).update(redials=F("redials") + 1)
        if (
            not moves
            and not SandboxContact.objects.filter(
                campaign=campaign,
                status__in=[st.UPCOMING, st.DIALING, st.QUEUED, st.CONNECTED, st.TRANSFERRED]
                + [st.REDIAL_SCHEDULED],
            ).exists()
        ):
            campaign.status = "completed"
            campaign.ends_at = now
            campaign.save(update_fields=["status", "ends_at", "updated_at"])
        elif changed:
            SandboxCampaign.objects.filter(pk=campaign.pk).update(updated_at=now)
    return changed


_C = "manager/api/v1/outbound_dialer/campaigns"
_A = "apps/api/v1/outbound_dialer/campaigns/<int:campaign_id>"
urlpatterns = [
    path(_C, campaigns, name="ccai-campaigns"),
    path(f"{_C}/<int:campaign_id>", campaign_detail, name="ccai-campaign"),
    path(f"{_A}/contacts", contacts, name="ccai-contacts"),
    path(f"{_A}/contacts/import", contacts_import, name="ccai-contacts-import"),
    path(f"{_A}/contacts/jobs/<int:job_id>", import_job, name="ccai-import-job"),
    path(f"{_A}/contact", contact, name="ccai-contact"),
]
