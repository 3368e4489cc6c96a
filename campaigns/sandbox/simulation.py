"""The emulated EngageLab account's traffic: while a campaign runs, each tick sends it to the
next recipients of a deterministic, seeded audience (deliveries, opens and clicks per
recipient domain, A/B variants that differ, a winner picked at the end of the test), adds them
to the counters `/v1/stats_day` serves, and posts the events as md5-signed webhooks to
Switchboard's receiver, resent until it answers 2xx, as EngageLab does."""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from campaigns.sandbox.models import SandboxCampaign, SandboxStat, SandboxWebhook
from campaigns.sandbox.rules import AB_DIMENSIONS, STAT_FIELDS, UTC8, advance
from campaigns.signing import APP_KEY, md5_signature
from dashboard.sandbox import credentials

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
