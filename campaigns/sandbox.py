"""The EngageLab emulator, served under `/sandbox/engagelab/` at the provider's own paths.

It follows /work/shared/providers/engagelab.md: Basic auth against the sandbox credentials
(401, code 30000), every documented rule of the create/update body with the provider's error
shape `{"code", "message"}`, the status lifecycle (pending → running at send time → finished)
with 32110 on editing a campaign that has started, tags, senders, templates, segments and
`/v1/stats_day`. While a campaign runs, `simulate()` (a periodic task) sends it to a
deterministic, seeded audience: deliveries, opens and clicks per recipient domain, A/B variants
that differ; the counters feed `/v1/stats_day` and signed webhook events go to Switchboard's
receiver, resent until it answers 2xx, as EngageLab does.

Codes the contract documents: 30000, 32110, 32112, 32603. The other 321xx codes are the
sandbox's own, one per rule, always with a message that names the rule.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import random
import re
import time
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from campaigns.models import SandboxCampaign, SandboxStat, SandboxTag, SandboxWebhook
from campaigns.signing import APP_KEY, md5_signature
from dashboard.sandbox import basic_auth, credentials, json_response, read_json, sandbox_endpoint

log = logging.getLogger("switchboard.sandbox.engagelab")

MAX_NAME = 64
MAX_WARM_UP = 20
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024  # 10 MB of files grow by a third in base64
COMPARE_VALUES = (
    "open_percent",
    "click_percent",
    "uni_open_percent",
    "uni_click_percent",
    "delivered_percent",
)
AB_DIMENSIONS = ("subjects", "template_invoke_names", "sender_ids", "send_times")
GOOGLE_TRACK_FIELDS = (
    "campaign_name",
    "campaign_source",
    "campaign_medium",
    "campaign_term",
    "campaign_content",
)
SEND_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UTC8 = dt_timezone(timedelta(hours=8))

# The emulated account's fixed reference data.
SENDERS = [
    {"sender_id": 21, "name": "Switchboard News", "email": "news@mail.switchboard.test",
     "domain_name": "mail.switchboard.test", "api_user": "sandbox"},
    {"sender_id": 53, "name": "Switchboard Offers", "email": "offers@mail.switchboard.test",
     "domain_name": "mail.switchboard.test", "api_user": "sandbox"},
    {"sender_id": 77, "name": "Customer Care", "email": "care@mail.switchboard.test",
     "domain_name": "mail.switchboard.test", "api_user": "sandbox"},
]  # fmt: skip
TEMPLATES = [
    {"template_id": 101, "name": "Monthly newsletter", "template_invoke_name": "newsletter",
     "template_type": 1, "subject": "What's new this month"},
    {"template_id": 102, "name": "Seasonal promotion", "template_invoke_name": "promo_season",
     "template_type": 1, "subject": "Our season offers are here"},
    {"template_id": 103, "name": "Product launch", "template_invoke_name": "launch",
     "template_type": 1, "subject": "Meet our newest product"},
    {"template_id": 104, "name": "Win-back", "template_invoke_name": "winback",
     "template_type": 1, "subject": "We miss you"},
]  # fmt: skip
SEGMENTS = [
    {"segment_id": 1, "segment_name": "Active last 30 days"},
    {"segment_id": 2, "segment_name": "VIP customers"},
    {"segment_id": 3, "segment_name": "Newsletter subscribers Quebec"},
]
DEFAULT_TAGS = ["newsletter", "customers", "prospects", "quebec", "events"]

# The simulated audience: recipient domains and how each behaves.
DOMAINS = [
    # domain, weight, delivered probability, open factor
    ("gmail.com", 38, 0.975, 1.0),
    ("outlook.com", 16, 0.93, 0.85),
    ("hotmail.com", 10, 0.91, 0.8),
    ("yahoo.com", 12, 0.89, 0.9),
    ("videotron.ca", 9, 0.96, 1.15),
    ("icloud.com", 8, 0.95, 1.05),
    ("example-corp.com", 7, 0.84, 0.7),
]
VARIANT_OPEN = [1.0, 1.3, 0.82, 1.12, 0.9]
VARIANT_CLICK = [1.0, 0.92, 1.25, 1.05, 0.88]
BASE_OPEN = 0.27
BASE_CLICK = 0.17  # of those who open
RECIPIENTS_PER_TICK = 40
EVENTS_PER_POST = 500


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
        "run_time": format_time(c.run_at or c.send_at),
        "complete_time": format_time(c.completed_at),
        "time_zone": f"{c.time_zone:+d}",
        "google_track": data.get("google_track") or None,
        "warm_up": data.get("warm_up") or None,
    }
    if c.campaign_type == 1:
        result["ab_test"] = data.get("ab_test")
    return result


# --- the lifecycle ----------------------------------------------------------------------------
def advance(c: SandboxCampaign, now: datetime | None = None) -> SandboxCampaign:
    """Pending → running once the send time has come; running → finished once every
    recipient has been sent to."""
    now = now or timezone.now()
    changed = False
    if c.status == 0 and (c.send_at is None or c.send_at <= now):
        c.status, c.run_at, changed = 1, max(c.send_at or now, c.created_at), True
    if c.status == 1 and c.processed >= c.audience:
        c.status, c.completed_at, changed = 2, now, True
    if changed:
        SandboxCampaign.objects.filter(pk=c.pk).update(
            status=c.status, run_at=c.run_at, completed_at=c.completed_at
        )
    return c


def audience_size(to: list[dict], campaign_id: int) -> int:
    item = to[0]
    base = {"list": 6000, "tag": 1800, "segment": 2500}[item["type"]]
    return base * max(1, len(item["value"])) // 2 + (campaign_id * 37) % 900


# --- the rules of the create/update body ----------------------------------------------------
class Rejected(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _int(value: Any, code: int, what: str) -> int:
    if isinstance(value, bool):
        raise Rejected(code, f"{what} must be an integer")
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise Rejected(code, f"{what} must be an integer") from None


def _send_time(value: Any, what: str = "send_time") -> datetime:
    try:
        return datetime.strptime(str(value), SEND_TIME_FORMAT)
    except ValueError:
        raise Rejected(32109, f"{what} must be formatted YYYY-MM-DD HH:mm:ss") from None


def _threshold(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Rejected(32107, f"warm_up {what} must be a number in (0, 1]") from None
    if not 0 < number <= 1:
        raise Rejected(32107, f"warm_up {what} must be in (0, 1]")
    return number


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """Check a full campaign body against the contract; returns the normalised body."""
    out = dict(data)
    if "campaign_type" not in data:
        raise Rejected(32102, "campaign_type is required")
    ctype = _int(data["campaign_type"], 32102, "campaign_type")
    if ctype not in (1, 2):
        raise Rejected(32102, "campaign_type must be 1 (A/B test) or 2 (regular)")
    out["campaign_type"] = ctype
    name = str(data.get("name") or "").strip()
    if not name:
        raise Rejected(32112, "name cannot be empty")
    if len(name) > MAX_NAME:
        raise Rejected(32101, f"name cannot be longer than {MAX_NAME} characters")
    out["name"] = name

    to = data.get("to")
    if not isinstance(to, list) or len(to) != 1 or not isinstance(to[0], dict):
        raise Rejected(32103, "to must be an array of exactly one item")
    kind, values = to[0].get("type"), to[0].get("value")
    if kind not in ("list", "tag", "segment"):
        raise Rejected(32103, "to.type must be list, tag or segment")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise Rejected(32103, "to.value must be a non-empty array of strings")
    if kind == "list" and values != ["all"]:
        raise Rejected(32103, 'to.value for a list must be ["all"]')
    if kind == "tag":
        known = set(SandboxTag.objects.filter(name__in=values).values_list("name", flat=True))
        if missing := [v for v in values if v not in known]:
            raise Rejected(32103, f"tag does not exist: {missing[0]}")
    if kind == "segment":
        names = {s["segment_name"] for s in SEGMENTS}
        if missing := [v for v in values if v not in names]:
            raise Rejected(32103, f"segment does not exist: {missing[0]}")

    reply_to = data.get("reply_to") or ""
    if reply_to and not EMAIL_RE.match(str(reply_to)):
        raise Rejected(32114, "reply_to must be an email address")

    tz = data.get("time_zone", 8)
    tz = _int(tz if tz not in (None, "") else 8, 32115, "time_zone")
    if not -12 <= tz <= 14:
        raise Rejected(32115, "time_zone must be an hour offset between -12 and +14")
    out["time_zone"] = tz
    if data.get("send_time"):
        _send_time(data["send_time"])

    ab = data.get("ab_test")
    dimension = None
    if ctype == 1:
        if not isinstance(ab, dict):
            raise Rejected(32106, "ab_test is required for an A/B test campaign")
        percent = _int(ab.get("percent"), 32106, "ab_test.percent")
        if not 1 <= percent <= 100:
            raise Rejected(32106, "ab_test.percent must be between 1 and 100")
        win = ab.get("win_condition")
        if not isinstance(win, dict):
            raise Rejected(32106, "ab_test.win_condition is required")
        unit = win.get("time_unit")
        if unit not in ("hour", "day"):
            raise Rejected(32106, "win_condition.time_unit must be hour or day")
        after = _int(win.get("after_time"), 32106, "win_condition.after_time")
        high = 23 if unit == "hour" else 10
        if not 0 <= after <= high:
            raise Rejected(32106, f"win_condition.after_time must be between 0 and {high} ({unit})")
        if win.get("compare") not in COMPARE_VALUES:
            raise Rejected(
                32106, "win_condition.compare must be one of " + ", ".join(COMPARE_VALUES)
            )
        present = [d for d in AB_DIMENSIONS if ab.get(d)]
        if len(present) != 1:
            raise Rejected(32106, "ab_test must test exactly one of " + ", ".join(AB_DIMENSIONS))
        dimension = present[0]
        variants = ab[dimension]
        if not isinstance(variants, list) or not all(isinstance(v, str | int) for v in variants):
            raise Rejected(32106, f"ab_test.{dimension} must be an array")
        if dimension == "template_invoke_names":
            if not data.get("subject"):
                raise Rejected(32106, "subject is required when testing templates")
            _check_templates(variants)
        if dimension == "sender_ids":
            _check_senders(variants)
        if dimension == "send_times":
            for value in variants:
                _send_time(value, "ab_test.send_times")
        out["ab_test"] = {
            "percent": percent,
            "win_condition": {"time_unit": unit, "after_time": after, "compare": win["compare"]},
            dimension: [str(v) for v in variants],
        }
        if data.get("warm_up"):
            raise Rejected(32107, "warm_up is only for regular campaigns")
    elif ab:
        raise Rejected(32106, "ab_test is only for A/B test campaigns (campaign_type 1)")

    if dimension != "sender_ids":
        if not data.get("sender_id"):
            raise Rejected(32104, "sender_id is required")
        _check_senders([data["sender_id"]])
    if dimension != "template_invoke_names":
        if not data.get("template_invoke_name"):
            raise Rejected(32105, "template_invoke_name is required")
        _check_templates([data["template_invoke_name"]])

    track = data.get("google_track")
    if track:
        if not isinstance(track, dict):
            raise Rejected(32113, "google_track must be an object")
        for key, value in track.items():
            if key not in GOOGLE_TRACK_FIELDS:
                raise Rejected(32113, f"google_track has no field {key}")
            if len(str(value or "")) > 64:
                raise Rejected(32113, f"google_track.{key} cannot be longer than 64 characters")

    warm_up = data.get("warm_up")
    if warm_up:
        if not isinstance(warm_up, list):
            raise Rejected(32107, "warm_up must be an array")
        if len(warm_up) > MAX_WARM_UP:
            raise Rejected(32107, f"warm_up cannot have more than {MAX_WARM_UP} items")
        for item in warm_up:
            if not isinstance(item, dict) or not str(item.get("domain") or "").strip():
                raise Rejected(32107, "each warm_up item needs a domain")
            rate = _int(item.get("rate"), 32107, "warm_up rate")
            if rate < 1:
                raise Rejected(32107, "warm_up rate must be at least 1")
            _threshold(item.get("upgrade_value"), "upgrade_value")
            _threshold(item.get("downgrade_value"), "downgrade_value")

    attachments = data.get("attachments")
    if attachments:
        if not isinstance(attachments, list):
            raise Rejected(32108, "attachments must be an array")
        if len(attachments) > MAX_ATTACHMENTS:
            raise Rejected(32108, f"no more than {MAX_ATTACHMENTS} attachments")
        total = 0
        for item in attachments:
            name = (item or {}).get("filename") or (item or {}).get("file_name")
            if not name:
                raise Rejected(32108, "each attachment needs a filename")
            try:
                total += len(base64.b64decode(item.get("content") or "", validate=True))
            except (binascii.Error, ValueError):
                raise Rejected(32108, f"attachment {name} is not valid base64") from None
        if total > MAX_ATTACHMENT_BYTES:
            raise Rejected(32108, "attachments cannot total more than 10 MB before base64")
        # Keep names and sizes only: the emulator has no use for the files themselves.
        out["attachments"] = [
            {"filename": a.get("filename") or a.get("file_name"), "size": len(a.get("content", ""))}
            for a in attachments
        ]
    return out


def _check_senders(values: list) -> None:
    ids = {str(s["sender_id"]) for s in SENDERS}
    for value in values:
        if str(value) not in ids:
            raise Rejected(32104, f"sender {value} does not exist")


def _check_templates(values: list) -> None:
    names = {t["template_invoke_name"] for t in TEMPLATES}
    for value in values:
        if value not in names:
            raise Rejected(32105, f"template {value} does not exist")


def send_at_of(data: dict[str, Any]) -> datetime | None:
    """The UTC instant a campaign starts: `send_time` (or the earliest tested send time) read
    in the campaign's hour offset; none means at once."""
    ab = data.get("ab_test") or {}
    values = ab.get("send_times") or ([data["send_time"]] if data.get("send_time") else [])
    if not values:
        return None
    local = min(datetime.strptime(v, SEND_TIME_FORMAT) for v in values)
    return (local - timedelta(hours=int(data.get("time_zone", 8)))).replace(tzinfo=UTC)


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
    with transaction.atomic():
        campaign = SandboxCampaign.objects.create(
            campaign_type=data["campaign_type"],
            name=data["name"],
            data=data,
            time_zone=data["time_zone"],
            send_at=send_at_of(data),
            created_at=now,
            updated_at=now,
        )
        campaign.audience = audience_size(data["to"], campaign.id)
        campaign.save(update_fields=["audience"])
    return json_response({"result": serialize(advance(campaign, now))})


def _query_int(request: HttpRequest, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    value = _int(raw, 32100, name)
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
        qs = qs.filter(campaign_type=_int(request.GET["campaign_type"], 32100, "campaign_type"))
    if request.GET.get("status"):
        qs = qs.filter(status=_int(request.GET["status"], 32100, "status"))
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
    data = validate(merged)
    if "attachments" not in body and campaign.data.get("attachments"):
        data["attachments"] = campaign.data["attachments"]
    if data["campaign_type"] == 2:
        data.pop("ab_test", None)
    campaign.data = data
    campaign.campaign_type = data["campaign_type"]
    campaign.name = data["name"]
    campaign.time_zone = data["time_zone"]
    campaign.send_at = send_at_of(data)
    campaign.updated_at = timezone.now()
    campaign.audience = audience_size(data["to"], campaign.id)
    campaign.save()
    advance(campaign)
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


STAT_FIELDS = (
    "targets",
    "sent",
    "delivered",
    "invalid_email",
    "soft_bounce",
    "total_opens",
    "opens",
    "total_clicks",
    "clicks",
    "unsubscribe",
    "report_spam",
)


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


urlpatterns = [
    path("v1/marketing/campaigns", campaigns_view),
    path("v1/marketing/campaigns/tags", tags_view),
    path("v1/marketing/campaigns/<int:campaign_id>", campaign_view),
    path("v1/marketing/senders", senders_view),
    path("v1/marketing/lists/segments", segments_view),
    path("v1/templates", templates_view),
    path("v1/stats_day", stats_day_view),
]


# --- the simulated sending ------------------------------------------------------------------
def ensure_account() -> None:
    """The emulated account's default tags."""
    for name in DEFAULT_TAGS:
        SandboxTag.objects.get_or_create(name=name)


def _variants(c: SandboxCampaign) -> list[str]:
    ab = c.data.get("ab_test") or {}
    for dimension in AB_DIMENSIONS:
        if ab.get(dimension):
            return [chr(ord("A") + i) for i in range(len(ab[dimension]))]
    return [""]


def _winner(c: SandboxCampaign, variants: list[str]) -> str:
    """The variant that leads under the win condition, from the counters so far."""
    compare = ((c.data.get("ab_test") or {}).get("win_condition") or {}).get("compare")
    numerator = {
        "open_percent": "total_opens",
        "uni_open_percent": "opens",
        "click_percent": "total_clicks",
        "uni_click_percent": "clicks",
        "delivered_percent": "delivered",
    }.get(compare, "opens")
    denominator = "sent" if compare == "delivered_percent" else "delivered"
    rows = c.stats.values("variant").annotate(n=Sum(numerator), d=Sum(denominator))
    rates = {r["variant"]: (r["n"] or 0) / r["d"] for r in rows if r["d"]}
    return max(variants, key=lambda v: rates.get(v, 0))


def recipient(c: SandboxCampaign, n: int, variants: list[str]) -> dict[str, Any]:
    """What happens to recipient `n` of campaign `c`: seeded by both, so it is the same
    whatever the tick, and plausible (delivery per domain, opens, clicks, A/B effects)."""
    rng = random.Random(c.id * 1_000_003 + n)
    domain, _, delivered_p, open_factor = rng.choices(DOMAINS, weights=[d[1] for d in DOMAINS])[0]
    warm = {w["domain"]: w for w in c.data.get("warm_up") or []}
    if domain in warm:
        # A faster warm-up level costs a little deliverability.
        delivered_p -= 0.012 * (int(warm[domain]["rate"]) - 1)
    ab = c.data.get("ab_test") or {}
    test_count = c.audience * int(ab.get("percent") or 100) // 100
    phase = ""
    if len(variants) > 1 and n < test_count:
        index, phase = n % len(variants), "test"
    elif len(variants) > 1:
        index, phase = variants.index(c.data.get("_winner") or variants[0]), "winner"
    else:
        index = 0
    roll = rng.random()
    invalid = roll > 0.995
    delivered = not invalid and roll < delivered_p
    opened = delivered and rng.random() < BASE_OPEN * open_factor * VARIANT_OPEN[index % 5]
    clicked = opened and rng.random() < BASE_CLICK * VARIANT_CLICK[index % 5]
    return {
        "email": f"r{n}.{c.id}@{domain}",
        "domain": domain,
        "variant": variants[index],
        "phase": phase,
        "invalid": invalid,
        "delivered": delivered,
        "opens": (1 + (rng.random() < 0.35) + (rng.random() < 0.1)) if opened else 0,
        "clicks": (1 + (rng.random() < 0.25)) if clicked else 0,
        "unsubscribe": delivered and rng.random() < 0.004,
        "offsets": sorted(rng.random() for _ in range(6)),
    }


def _event(c: SandboxCampaign, r: dict, n: int, itime: int, **kind: Any) -> dict[str, Any]:
    return {
        "message_id": f"sb-{c.id}-{n}",
        "email_id": f"sb-{c.id}-{n}",
        "itime": itime,
        "api_user": credentials("engagelab")["api_user"],
        "to": r["email"],
        # An A/B test's events say which variant and which send (the test share or the
        # winner's) they belong to: Switchboard judges the test on the test share alone.
        "custom_args": {"campaign_id": c.id, "variant": r["variant"]}
        | ({"ab_phase": r["phase"]} if r["phase"] else {}),
        **kind,
    }


def events_for(c: SandboxCampaign, r: dict, n: int, start_ms: int, span_ms: int) -> list[dict]:
    at = [start_ms + int(o * span_ms) for o in r["offsets"]]
    status = "invalid_email" if r["invalid"] else "delivered" if r["delivered"] else "soft_bounce"
    data = {"email": r["email"]}
    events = [
        _event(c, r, n, at[0], status={"message_status": "sent", "status_data": data}),
        _event(c, r, n, at[1], status={"message_status": status, "status_data": data}),
    ]
    response = {"email_id": f"sb-{c.id}-{n}", "email": r["email"]}
    for i in range(r["opens"]):
        events.append(_event(c, r, n, at[2 + min(i, 1)] + i, event="open", response_data=response))
    for i in range(r["clicks"]):
        url = {**response, "url": "https://www.switchboard.test/offers"}
        events.append(_event(c, r, n, at[4] + i, event="click", response_data=url))
    if r["unsubscribe"]:
        events.append(_event(c, r, n, at[5], event="unsubscribe", response_data=response))
    return events


def simulate_campaign(c: SandboxCampaign, now: datetime, batch: int = RECIPIENTS_PER_TICK) -> int:
    """Send the next `batch` recipients of a running campaign; returns how many."""
    variants = _variants(c)
    ab = c.data.get("ab_test") or {}
    test_count = c.audience * int(ab.get("percent") or 100) // 100
    end = min(c.audience, c.processed + batch)
    if len(variants) > 1 and c.processed < test_count <= end and "_winner" not in c.data:
        end = test_count  # stop at the end of the test, pick the winner, then go on
    day = now.astimezone(UTC8).date()
    counters: dict[tuple[str, str], dict[str, int]] = {}
    events: list[dict] = []
    start_ms = int(now.timestamp() * 1000) - 4000
    for n in range(c.processed, end):
        r = recipient(c, n, variants)
        k = counters.setdefault((r["variant"], r["domain"]), dict.fromkeys(STAT_FIELDS, 0))
        k["targets"] += 1
        k["sent"] += 1
        k["invalid_email"] += r["invalid"]
        k["soft_bounce"] += not r["invalid"] and not r["delivered"]
        k["delivered"] += r["delivered"]
        k["total_opens"] += r["opens"]
        k["opens"] += bool(r["opens"])
        k["total_clicks"] += r["clicks"]
        k["clicks"] += bool(r["clicks"])
        k["unsubscribe"] += r["unsubscribe"]
        events += events_for(c, r, n, start_ms, 4000)
    with transaction.atomic():
        claimed = SandboxCampaign.objects.filter(pk=c.pk, processed=c.processed, status=1).update(
            processed=end, step=F("step") + 1
        )
        if not claimed:  # another worker took this batch
            return 0
        for (variant, domain), k in counters.items():
            stat, _ = SandboxStat.objects.get_or_create(
                campaign=c, day=day, variant=variant, domain=domain
            )
            SandboxStat.objects.filter(pk=stat.pk).update(**{f: F(f) + v for f, v in k.items()})
        for i in range(0, len(events), EVENTS_PER_POST):
            SandboxWebhook.objects.create(payload=events[i : i + EVENTS_PER_POST])
        if len(variants) > 1 and end == test_count and "_winner" not in c.data:
            c.data["_winner"] = _winner(c, variants)
            SandboxCampaign.objects.filter(pk=c.pk).update(data=c.data)
    count = end - c.processed
    c.processed = end
    advance(c, now)
    return count


def simulate(now: datetime | None = None, batch: int = RECIPIENTS_PER_TICK) -> int:
    """One tick of the emulated account: start what is due, send the next recipients of
    every running campaign, then deliver pending webhook events. Returns recipients sent."""
    now = now or timezone.now()
    sent = 0
    for c in SandboxCampaign.objects.filter(status__in=(0, 1)):
        c = advance(c, now)
        if c.status == 1:
            sent += simulate_campaign(c, now, batch)
    deliver_webhooks()
    return sent


def webhook_url() -> str:
    return f"{settings.SWITCHBOARD_URL}/campaigns/webhooks/engagelab"


def signed_headers(secret: str | None = None) -> dict[str, str]:
    timestamp = str(int(time.time()))
    secret = secret if secret is not None else credentials("engagelab")["webhook_secret"]
    return {
        "Content-Type": "application/json",
        "X-WebHook-Timestamp": timestamp,
        "X-WebHook-AppKey": APP_KEY,
        "X-WebHook-Signature": md5_signature(timestamp, APP_KEY, secret),
    }


def deliver_webhooks(limit: int = 20) -> int:
    """POST pending events to Switchboard; keep what was not acknowledged within 3 s."""
    delivered = 0
    session = requests.Session()
    for hook in SandboxWebhook.objects.order_by("id")[:limit]:
        try:
            response = session.post(
                webhook_url(), json=hook.payload, headers=signed_headers(), timeout=3
            )
            ok = 200 <= response.status_code < 300
        except requests.RequestException:
            ok = False
        if ok:
            hook.delete()
            delivered += 1
        else:
            SandboxWebhook.objects.filter(pk=hook.pk).update(attempts=F("attempts") + 1)
            break  # the receiver is down or refusing: try again next tick
    return delivered
