from __future__ import annotations

from datetime import timedelta
from hashlib import sha256

import pytest

from campaigns.client import EngageLabClient
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sandbox.rules import ensure_account


def regular_payload(**overrides):
    payload = {
        "campaign_type": 2,
        "name": "Autumn newsletter",
        "to": [{"type": "tag", "value": ["newsletter"]}],
        "sender_id": "21",
        "template_invoke_name": "newsletter",
        "subject": "Autumn is here",
        "send_time": "2099-10-26 17:10:20",
        "time_zone": -5,
        "reply_to": "care@switchboard.test",
        "warm_up": [
            {"domain": "gmail.com", "rate": 1, "upgrade_value": "0.95", "downgrade_value": "0.75"}
        ],
        "google_track": {"campaign_name": "autumn", "campaign_source": "engagelab"},
    }
    payload.update(overrides)
    return payload


def ab_payload(**overrides):
    payload = {
        "campaign_type": 1,
        "name": "Subject test",
        "to": [{"type": "list", "value": ["all"]}],
        "sender_id": "21",
        "template_invoke_name": "promo_season",
        "send_time": "2099-10-26 09:00:00",
        "time_zone": 8,
        "ab_test": {
            "percent": 20,
            "win_condition": {"time_unit": "hour", "after_time": 18, "compare": "open_percent"},
            "subjects": ["Subject A", "Subject B", "Subject C"],
        },
    }
    payload.update(overrides)
    return payload


def send_to_the_end() -> None:
    """The sandbox sends every campaign started to its end (an A/B test's share, then its
    winner), from two hours ago, and Switchboard receives and counts the events, then syncs."""
    from django.utils import timezone

    from campaigns.sandbox.simulation import deliver_webhooks, simulate
    from campaigns.stats import process_events
    from campaigns.sync import sync_campaigns

    start = timezone.now() - timedelta(hours=2)
    tick = 0
    while simulate(now=start + timedelta(minutes=5 * tick), batch=300):
        tick += 1
    while deliver_webhooks(limit=50):
        pass
    while process_events():
        pass
    sync_campaigns()


@pytest.fixture
def engagelab(sandbox):
    """An EngageLab client talking over HTTP to the sandbox served by the live server."""
    ensure_account()
    client = EngageLabClient()
    client.backoff = 0.01
    yield client
    # Its kept-alive connection would hold a live-server thread, and that thread's database
    # connection, past the last test: the test database could not be dropped.
    client.session.close()


def received_attachments() -> dict[str, str]:
    """{file name: SHA-256 of its content} of what EngageLab's sandbox received with its one
    campaign."""
    data = SandboxCampaign.objects.get().data
    return {a["filename"]: a["sha256"] for a in data.get("attachments") or []}


def digest(content: bytes) -> str:
    return sha256(content).hexdigest()
