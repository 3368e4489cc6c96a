"""The EngageLab emulator's HTTP endpoints, at the provider's own paths (see urls.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from campaigns.sandbox.models import SandboxCampaign, SandboxStat, SandboxTag
from campaigns.sandbox.rules import (
    SEGMENTS,
    SENDERS,
    STAT_FIELDS,
    TEMPLATES,
    UTC8,
    Rejected,
    advance,
    campaign_store,
    integer,
    validate,
)
from dashboard.sandbox import basic_auth, credentials, json_response, read_json, sandbox_endpoint

MAX_BODY_BYTES = 16 * 1024 * 1024  # 10 MB of files grow by a third in base64


# --- answers -------------------------------------------------------------------------------
def error(code: int, message: str, status: int = 400) -> HttpResponse:
    return json_response({"code": code, "message": message}, status=status)


def authenticate(request: HttpRequest) -> HttpResponse | None:
    """Every call sends Basic base64(api_user:api_key); anything else → 401, code 30000."""
    creds = credentials("engagelab")
    if basic_auth(request) != (creds["api_user"], creds["api_key"]):
        return error(30000, "authentication failed", status=401)
    return None


def format_time(value: datetime | None) -> str | None:
    return value.astimezone(UTC8).strftime("%Y-%m-%dT%H:%M:%S%z") if value else None


def serialize(c: SandboxCampaign) -> dict[str, Any]:
    data = c.data
    sender = next((s for s in SENDERS if str(s["sender_id"]) == str(data.get("sender_id"))), None)
    # Before it starts, a campaign's run time is when it is scheduled to start; the contract
    # does not promise it, and SANDBOX_ENGAGELAB_NO_SCHEDULE_IN_RUN_TIME leaves it out.
    unpromised = getattr(settings, "SANDBOX_ENGAGELAB_NO_SCHEDULE_IN_RUN_TIME", False)
    result: dict[str, Any] = {
        "campaign_id": c.id,
        "campaign_type": c.campaign_type,
        "name": c.name,
        "to": data.get("to"),
        "template_invoke_name": data.get("template_invoke_name") or "",
        "reply_to": data.get("reply_to") or "",
        "status": c.status,
        "from_email": sender["email"] if sender else "",
        "from_name": sender["name"] if sender else "",
        "sender_id": sender["sender_id"] if sender else None,
        "create_time": format_time(c.created_at),
        "update_time": format_time(c.updated_at),
        # Before it starts, a campaign's run time is when it is scheduled to start.
        "run_time": format_time(c.run_at or (None if unpromised else c.send_at)),
        "complete_time": format_time(c.completed_at),
        "time_zone": f"{c.time_zone:+d}",
        "google_track": data.get("google_track") or None,
        "warm_up": data.get("warm_up") or None,
    }
    if c.campaign_type == 1:
        result["ab_test"] = data.get("ab_test")
    return result


def _body_or_error(request: HttpRequest) -> dict[str, Any]:
    # Read the stream directly: a body with 10 MB of base64 attachments is legitimate here,
    # far over Django's DATA_UPLOAD_MAX_MEMORY_SIZE guard meant for Switchboard's own forms.
    raw = request.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise Rejected(32108, "the request body is too large")
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Rejected(32100, "the request body must be a JSON object")
    return body


# --- endpoints ---------------------------------------------------------------------------------
@sandbox_endpoint("engagelab")
def campaigns_view(request: HttpRequest) -> HttpResponse:
    if denied := authenticate(request):
        return denied
    try:
        if request.method == "POST":
            return _create(request)
        if request.method == "GET":
            return _list(request)
    except Rejected as rejected:
        return error(rejected.code, rejected.message)
    return error(32100, "method not allowed", status=405)


def _create(request: HttpRequest) -> HttpResponse:
    data = validate(_body_or_error(request))
    now = timezone.now()
    campaign = campaign_store(SandboxCampaign(created_at=now), data, at=now)
    return json_response({"result": serialize(advance(campaign, now))})


def _query_int(request: HttpRequest, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    value = integer(raw, 32100, name)
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Rejected(32100, f"{name} must be {bounds}")
    return value


def _list(request: HttpRequest) -> HttpResponse:
    limit = _query_int(request, "limit", 10, 1, 100)
    offset = _query_int(request, "offset", 0, 0, None)
    now = timezone.now()
    for c in SandboxCampaign.objects.filter(
        Q(status=0, send_at__lte=now) | Q(status=0, send_at=None)
    ):
        advance(c, now)
    qs = SandboxCampaign.objects.all()
    if request.GET.get("campaign_type"):
        qs = qs.filter(campaign_type=integer(request.GET["campaign_type"], 32100, "campaign_type"))
    if request.GET.get("status"):
        qs = qs.filter(status=integer(request.GET["status"], 32100, "status"))
    if request.GET.get("name"):
        qs = qs.filter(name__icontains=request.GET["name"])
    total = qs.count()
    rows = [serialize(c) for c in qs.order_by("-id")[offset : offset + limit]]
    return json_response({"result": rows, "total": total})


@sandbox_endpoint("engagelab")
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if denied := authenticate(request):
        return denied
    campaign = SandboxCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return error(32111, f"campaign {campaign_id} does not exist", status=404)
    campaign = advance(campaign)
    try:
        if request.method == "GET":
            return json_response({"result": serialize(campaign)})
        if request.method == "PUT":
            return _update(request, campaign)
        if request.method == "DELETE":
            campaign.delete()
            return json_response({"count": 1})
    except Rejected as rejected:
        return error(rejected.code, rejected.message)
    return error(32100, "method not allowed", status=405)


def _update(request: HttpRequest, campaign: SandboxCampaign) -> HttpResponse:
    body = _body_or_error(request)
    if campaign.status != 0:
        raise Rejected(32110, "the campaign has already run and cannot be modified")
    # Partial bodies are accepted (the seed's example sends only `name`).
    merged = {**campaign.data, **body}
    # A campaign that changes kind leaves the other kind's settings behind.
    if int(merged.get("campaign_type") or 0) == 2 and "ab_test" not in body:
        merged.pop("ab_test", None)
    if int(merged.get("campaign_type") or 0) == 1 and "warm_up" not in body:
        merged.pop("warm_up", None)
    if "attachments" not in body:
        merged.pop("attachments", None)
    if "send_time" not in body:  # no send time means at once, as on create
        merged.pop("send_time", None)
    data = validate(merged)
    if "attachments" not in body and campaign.data.get("attachments"):
        data["attachments"] = campaign.data["attachments"]
    if data["campaign_type"] == 2:
        data.pop("ab_test", None)
    advance(campaign_store(campaign, data, at=timezone.now()))
    return json_response({"count": 1})


def _page(request: HttpRequest, rows: list[dict]) -> HttpResponse:
    try:
        limit = _query_int(request, "limit", 10, 1, 100)
        offset = _query_int(request, "offset", 0, 0, None)
    except Rejected as rejected:
        return error(rejected.code, rejected.message)
    page = rows[offset : offset + limit]
    return json_response({"result": page, "count": len(page), "total": len(rows)})


@sandbox_endpoint("engagelab")
def tags_view(request: HttpRequest) -> HttpResponse:
    if denied := authenticate(request):
        return denied
    if request.method == "POST":
        body = read_json(request)
        names = body.get("tag_names") if isinstance(body, dict) else None
        if not isinstance(names, list) or not names:
            return error(32601, "tag_names must be a non-empty array")
        for name in names:
            if not isinstance(name, str) or not name.strip() or len(name) > 64:
                return error(32601, "each tag name must have 1 to 64 characters")
        if len(set(names)) != len(names) or SandboxTag.objects.filter(name__in=names).exists():
            return error(32603, "tag name already exists")
        if SandboxTag.objects.count() + len(names) > 100:
            return error(32602, "an account cannot have more than 100 tags")
        SandboxTag.objects.bulk_create([SandboxTag(name=n) for n in names])
        return json_response({"count": len(names)})
    qs = SandboxTag.objects.order_by("id")
    if request.GET.get("tag_name"):
        qs = qs.filter(name__icontains=request.GET["tag_name"])
    return _page(request, [{"tag_id": t.id, "tag_name": t.name} for t in qs])


@sandbox_endpoint("engagelab")
def senders_view(request: HttpRequest) -> HttpResponse:
    return authenticate(request) or _page(request, SENDERS)


@sandbox_endpoint("engagelab")
def templates_view(request: HttpRequest) -> HttpResponse:
    return authenticate(request) or _page(request, TEMPLATES)


@sandbox_endpoint("engagelab")
def segments_view(request: HttpRequest) -> HttpResponse:
    return authenticate(request) or _page(request, SEGMENTS)


@sandbox_endpoint("engagelab")
def stats_day_view(request: HttpRequest) -> HttpResponse:
    """Statistics: rows per day and recipient domain, percents over delivered."""
    if denied := authenticate(request):
        return denied
    try:
        start = date.fromisoformat(request.GET.get("start_date", ""))
        end = date.fromisoformat(request.GET.get("end_date", ""))
    except ValueError:
        return error(32700, "start_date and end_date are required, formatted yyyy-MM-dd")
    if end < start or (end - start).days > 92:
        return error(32700, "the date range must be at most 3 months")
    qs = SandboxStat.objects.filter(day__gte=start, day__lte=end)
    if request.GET.get("domain_names"):
        qs = qs.filter(domain__in=request.GET["domain_names"].split(";"))
    sums = {f: Sum(f) for f in STAT_FIELDS}
    user = credentials("engagelab")["api_user"]
    if request.GET.get("aggregate_by") == "1":
        return json_response({"result": _with_percents(qs.aggregate(**sums), user)})
    rows = [
        _with_percents({**row, "send_date": row["day"].isoformat()}, user)
        for row in qs.values("day", "domain").annotate(**sums).order_by("day", "domain")
    ]
    return json_response({"result": rows, "count": len(rows), "total": len(rows)})


def _with_percents(row: dict, api_user: str) -> dict:
    row = {k: (v or 0) if k in STAT_FIELDS else v for k, v in row.items()}
    row.pop("day", None)
    delivered = row.get("delivered") or 0

    def pct(n: int) -> float:
        return round(100 * n / delivered, 2) if delivered else 0.0

    return {
        **row,
        "api_user": api_user,
        "label_id": 0,
        "label_name": "",
        "delivered_percent": round(100 * delivered / row["sent"], 2) if row.get("sent") else 0.0,
        "open_percent": pct(row.get("total_opens", 0)),
        "uni_open_percent": pct(row.get("opens", 0)),
        "click_percent": pct(row.get("total_clicks", 0)),
        "uni_click_percent": pct(row.get("clicks", 0)),
    }
