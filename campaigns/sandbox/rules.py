"""The emulated EngageLab account's reference data and the contract's rules: what a campaign
body must hold (each rule with its error code), when a campaign starts and finishes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.sandbox.models import SandboxCampaign, SandboxTag

MAX_NAME = 64
MAX_WARM_UP = 20
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
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
UTC8 = dt_timezone(timedelta(hours=8))  # the account's own time zone

# The emulated account's fixed reference data.
SENDERS = [
    {
        "sender_id": 21,
        "name": "Switchboard News",
        "email": "news@mail.switchboard.test",
        "domain_name": "mail.switchboard.test",
        "api_user": "sandbox",
    },
    {
        "sender_id": 53,
        "name": "Switchboard Offers",
        "email": "offers@mail.switchboard.test",
        "domain_name": "mail.switchboard.test",
        "api_user": "sandbox",
    },
    {
        "sender_id": 77,
        "name": "Customer Care",
        "email": "care@mail.switchboard.test",
        "domain_name": "mail.switchboard.test",
        "api_user": "sandbox",
    },
]
TEMPLATES = [
    {
        "template_id": 101,
        "name": "Monthly newsletter",
        "template_invoke_name": "newsletter",
        "template_type": 1,
        "subject": "What's new this month",
    },
    {
        "template_id": 102,
        "name": "Seasonal promotion",
        "template_invoke_name": "promo_season",
        "template_type": 1,
        "subject": "Our season offers are here",
    },
    {
        "template_id": 103,
        "name": "Product launch",
        "template_invoke_name": "launch",
        "template_type": 1,
        "subject": "Meet our newest product",
    },
    {
        "template_id": 104,
        "name": "Win-back",
        "template_invoke_name": "winback",
        "template_type": 1,
        "subject": "We miss you",
    },
]
SEGMENTS = [
    {"segment_id": 1, "segment_name": "Active last 30 days"},
    {"segment_id": 2, "segment_name": "VIP customers"},
    {"segment_id": 3, "segment_name": "Newsletter subscribers Quebec"},
]
DEFAULT_TAGS = ["newsletter", "customers", "prospects", "quebec", "events"]
# The counters `/v1/stats_day` serves, kept per day, A/B variant and recipient domain.
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


def ensure_account() -> None:
    """The emulated account's default tags."""
    for name in DEFAULT_TAGS:
        SandboxTag.objects.get_or_create(name=name)


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


def campaign_store(c: SandboxCampaign, data: dict[str, Any], *, at: datetime) -> SandboxCampaign:
    """Store a validated create or update body in `c` (new, or as it was), changed `at`: the
    columns read from the body, and the audience it reaches (which depends on the id)."""
    c.data, c.campaign_type, c.name = data, data["campaign_type"], data["name"]
    c.time_zone, c.send_at, c.updated_at = data["time_zone"], send_at_of(data), at
    with transaction.atomic():
        if c.pk is None:
            c.save()
        c.audience = audience_size(data["to"], c.id)
        c.save()
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


def integer(value: Any, code: int, what: str) -> int:
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
    ctype = integer(data["campaign_type"], 32102, "campaign_type")
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
    tz = integer(tz if tz not in (None, "") else 8, 32115, "time_zone")
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
        percent = integer(ab.get("percent"), 32106, "ab_test.percent")
        if not 1 <= percent <= 100:
            raise Rejected(32106, "ab_test.percent must be between 1 and 100")
        win = ab.get("win_condition")
        if not isinstance(win, dict):
            raise Rejected(32106, "ab_test.win_condition is required")
        unit = win.get("time_unit")
        if unit not in ("hour", "day"):
            raise Rejected(32106, "win_condition.time_unit must be hour or day")
        after = integer(win.get("after_time"), 32106, "win_condition.after_time")
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

    too_many = f"warm_up cannot have more than {MAX_WARM_UP} items"
    for item in _array(data, "warm_up", 32107, MAX_WARM_UP, too_many):
        if not isinstance(item, dict) or not str(item.get("domain") or "").strip():
            raise Rejected(32107, "each warm_up item needs a domain")
        rate = integer(item.get("rate"), 32107, "warm_up rate")
        if rate < 1:
            raise Rejected(32107, "warm_up rate must be at least 1")
        _threshold(item.get("upgrade_value"), "upgrade_value")
        _threshold(item.get("downgrade_value"), "downgrade_value")

    too_many = f"no more than {MAX_ATTACHMENTS} attachments"
    if attachments := _array(data, "attachments", 32108, MAX_ATTACHMENTS, too_many):
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
        # Keep names, sizes and a digest of the content (what a test checks was received):
        # the emulator has no use for the files themselves.
        out["attachments"] = [
            {
                "filename": a.get("filename") or a.get("file_name"),
                "size": len(a.get("content", "")),
                "sha256": hashlib.sha256(base64.b64decode(a.get("content") or "")).hexdigest(),
            }
            for a in attachments
        ]
    return out


def _array(data: dict[str, Any], key: str, code: int, most: int, too_many: str) -> list:
    """The body's optional array `key` (empty when absent), of `most` items at the most."""
    values = data.get(key) or []
    if not isinstance(values, list):
        raise Rejected(code, f"{key} must be an array")
    if len(values) > most:
        raise Rejected(code, too_many)
    return values


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
