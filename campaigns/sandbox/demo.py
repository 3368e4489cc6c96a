"""Demo data for the EngageLab sandbox: about thirty plausible campaigns in every state, some
running so the charts move, some finished with their history already sent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.sandbox.models import SandboxCampaign
from campaigns.sandbox.rules import advance, campaign_store, ensure_account, validate
from campaigns.sandbox.simulation import simulate_campaign

DEMO_MARK = "_demo"
NAMES = [
    "Black Friday early access",
    "Winter newsletter — December",
    "Holiday gift guide",
    "Boxing Day clearance",
    "New Year, new plan",
    "January sales reminder",
    "Valentine's Day picks",
    "Spring collection preview",
    "Easter weekend offers",
    "Mother's Day gift ideas",
    "Summer camp registrations",
    "Back to school essentials",
    "Fall loyalty rewards",
    "Customer survey — thank you",
    "Webinar: smarter email",
    "Product launch: Switchboard Go",
    "Quebec store opening",
    "Montreal event invitation",
    "Renewal reminder — 30 days",
    "Win-back: we miss you",
    "VIP preview night",
    "Monthly newsletter — October",
    "Monthly newsletter — November",
    "Flash sale 48 h",
    "Referral programme launch",
    "App update announcement",
    "Abandoned cart follow-up",
    "Partner offers roundup",
    "Year in review",
    "Free shipping weekend",
]
SUBJECT_SETS = [
    ["Your early access starts now", "Black Friday, a week early", "Members first: save 30%"],
    ["Open for a winter surprise", "Winter deals inside"],
    ["A gift for every list", "Still looking for the perfect gift?", "Gifts they will love"],
]


def _body(i: int, now) -> dict:
    ab = i % 4 == 1
    body: dict = {
        "campaign_type": 1 if ab else 2,
        "name": NAMES[i % len(NAMES)],
        "to": [
            [{"type": "list", "value": ["all"]}],
            [{"type": "tag", "value": ["newsletter"]}],
            [{"type": "tag", "value": ["customers", "quebec"]}],
            [{"type": "segment", "value": ["VIP customers"]}],
        ][i % 4],
        "sender_id": str([21, 53, 77][i % 3]),
        "template_invoke_name": ["newsletter", "promo_season", "launch", "winback"][i % 4],
        "reply_to": "care@switchboard.test" if i % 2 else "",
        "time_zone": [-5, -5, 1, 8][i % 4],
    }
    if ab:
        body["ab_test"] = {
            "percent": [20, 30, 10][i % 3],
            "win_condition": {
                "time_unit": "hour",
                "after_time": [4, 12, 18][i % 3],
                "compare": ["open_percent", "uni_click_percent", "uni_open_percent"][i % 3],
            },
            "subjects": SUBJECT_SETS[i % 3],
        }
    else:
        body["subject"] = f"{NAMES[i % len(NAMES)]} from Switchboard"
        if i % 3 == 0:
            body["warm_up"] = [
                {
                    "domain": "gmail.com",
                    "rate": 2,
                    "upgrade_value": "0.95",
                    "downgrade_value": "0.8",
                },
                {
                    "domain": "outlook.com",
                    "rate": 1,
                    "upgrade_value": "0.92",
                    "downgrade_value": "0.75",
                },
                {
                    "domain": "yahoo.com",
                    "rate": 1,
                    "upgrade_value": "0.9",
                    "downgrade_value": "0.7",
                },
            ]
        if i % 2 == 0:
            body["google_track"] = {
                "campaign_name": body["name"].lower().replace(" ", "-")[:60],
                "campaign_source": "engagelab",
                "campaign_medium": "email",
            }
    return body


def seed() -> str:
    ensure_account()
    if SandboxCampaign.objects.filter(data__has_key=DEMO_MARK).exists():
        return "EngageLab sandbox: demo campaigns already there."
    now = timezone.now()
    plan = (["finished"] * 9) + (["running"] * 5) + (["pending"] * 14) + (["failed"] * 2)
    counts: dict[str, int] = {}
    for i, state in enumerate(plan):
        body = validate(_body(i, now))
        body[DEMO_MARK] = True
        offset = {
            "finished": -timedelta(days=30 - i * 3, hours=i),
            "running": -timedelta(minutes=20 + i),
            "pending": timedelta(days=i - 12, hours=i % 7),
            "failed": -timedelta(days=2 + i % 5),
        }[state]
        local = now + offset + timedelta(hours=body["time_zone"])
        body["send_time"] = local.strftime("%Y-%m-%d %H:%M:%S")
        with transaction.atomic():
            created = now + min(offset, timedelta(0)) - timedelta(days=2)
            c = campaign_store(
                SandboxCampaign(created_at=created), body, at=created + timedelta(days=1)
            )
            if state == "finished":
                c.audience //= 8
            if state == "failed":
                c.status = -1
            c.save()
        if state in ("finished", "running"):
            c = advance(c, c.send_at)
            steps = 12 if state == "finished" else 6
            batch = -(-c.audience // steps) if state == "finished" else 60
            for step in range(steps * 3):
                if c.status != 1:
                    break
                at = c.send_at + timedelta(minutes=3 * step + 1)
                if at >= now:
                    break
                simulate_campaign(c, at, batch=batch)
                c.refresh_from_db()
            advance(c, now)
        counts[state] = counts.get(state, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    return f"EngageLab sandbox: {len(plan)} demo campaigns ({summary})."
