"""The webhook receiver and the sandbox's simulated sending: signed events in, each stored once,
processed into buckets; wrong signatures out."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from campaigns.models import StatBucket, WebhookEvent
from campaigns.sandbox.models import SandboxCampaign, SandboxWebhook
from campaigns.sandbox.simulation import signed_headers, simulate, webhook_url
from campaigns.signing import hmac_signature, md5_signature
from campaigns.stats import process_events
from tests.campaigns.conftest import ab_payload, regular_payload

pytestmark = pytest.mark.django_db(transaction=True)


def event(message_id="m1", kind="open", itime=1_700_000_000_000, cid=7, email="a@gmail.com"):
    body = {
        "message_id": message_id,
        "itime": itime,
        "custom_args": {"campaign_id": cid, "variant": ""},
    }
    if kind in ("sent", "delivered", "soft_bounce", "invalid_email"):
        body["status"] = {"message_status": kind, "status_data": {"email": email}}
    else:
        body["event"] = kind
        body["response_data"] = {"email_id": message_id, "email": email}
    return body


def post(payload, headers=None):
    return requests.post(
        webhook_url(),
        data=json.dumps(payload),
        headers=signed_headers() if headers is None else headers,
        timeout=3,
    )


def test_md5_signed_events_are_stored_once_and_counted_once(sandbox):
    events = [
        event("m1", "delivered"),
        event("m1", "open"),
        event("m1", "open", itime=1_700_000_030_000),
    ]
    assert post(events).status_code == 200
    assert post(events).json() == {"received": 3, "new": 0}  # a resend is harmless
    assert WebhookEvent.objects.count() == 3
    assert process_events() == 3
    bucket = StatBucket.objects.get()
    assert (bucket.delivered, bucket.opens, bucket.unique_opens) == (1, 2, 1)
    assert bucket.domain == "gmail.com" and bucket.campaign_id == 7


def test_hmac_sha256_signature_is_accepted(sandbox):
    ts, secret = str(int(time.time())), settings.SANDBOX_CREDENTIALS["engagelab"]["webhook_secret"]
    headers = {
        "X-WebHook-Timestamp": ts,
        "X-WebHook-AppKey": "email",
        "X-WebHook-Signature": hmac_signature(ts, "email", secret),
    }
    assert post(event(), headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-WebHook-Timestamp": "1", "X-WebHook-AppKey": "email", "X-WebHook-Signature": "0" * 32},
        "wrong-secret",
    ],
)
def test_anything_unsigned_or_wrongly_signed_is_rejected(sandbox, headers):
    if headers == "wrong-secret":
        headers = signed_headers(secret="not-the-secret")
    assert post(event(), headers).status_code == 401
    assert not WebhookEvent.objects.exists()


def test_the_live_secret_is_used_outside_the_sandbox(live_server, settings):
    settings.SANDBOX = False
    settings.ENGAGELAB_API_USER, settings.ENGAGELAB_API_KEY = "u", "k"
    settings.ENGAGELAB_WEBHOOK_SECRET = "live-secret"
    settings.SWITCHBOARD_URL = live_server.url
    sandbox_secret = settings.SANDBOX_CREDENTIALS["engagelab"]["webhook_secret"]
    assert post(event(), signed_headers(secret=sandbox_secret)).status_code == 401
    assert post(event(), signed_headers(secret="live-secret")).status_code == 200


def test_out_of_order_and_duplicate_events_count_uniques_once(sandbox):
    later, earlier = (
        event("m2", "click", itime=1_700_000_120_000),
        event("m2", "open", itime=1_700_000_060_000),
    )
    post([later])
    post([earlier, later])
    process_events()
    totals = StatBucket.objects.aggregate(
        clicks=Sum("clicks"), uc=Sum("unique_clicks"), opens=Sum("opens"), uo=Sum("unique_opens")
    )
    assert totals == {"clicks": 1, "uc": 1, "opens": 1, "uo": 1}


def test_the_sandbox_simulates_a_running_campaign_and_delivers_signed_events(engagelab):
    created = engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    campaign = SandboxCampaign.objects.get(pk=created.campaign_id)
    SandboxCampaign.objects.filter(pk=campaign.pk).update(audience=120)
    assert simulate(batch=60) == 60
    assert simulate(batch=60) == 60
    assert engagelab.campaign_get(created.campaign_id).status == 2  # finished
    assert not SandboxWebhook.objects.exists()  # all acknowledged by the receiver
    process_events()
    buckets = StatBucket.objects.filter(campaign_id=created.campaign_id)
    totals = buckets.aggregate(sent=Sum("sent"), delivered=Sum("delivered"), uo=Sum("unique_opens"))
    assert totals["sent"] == 120
    assert 100 <= totals["delivered"] <= 120
    assert 10 <= totals["uo"] <= 60
    assert buckets.values("domain").distinct().count() >= 3
    today = timezone.now().date()
    rows = engagelab.daily_stat_list(
        start_date=(today - timedelta(days=1)).isoformat(),
        end_date=(today + timedelta(days=1)).isoformat(),
    )
    assert sum(r.sent for r in rows) == 120
    assert sum(r.delivered for r in rows) == totals["delivered"]


def test_the_simulation_is_deterministic_and_ab_variants_differ(engagelab):
    from campaigns.sandbox.simulation import _variants, recipient

    created = engagelab.campaign_create(ab_payload(send_time="2020-01-01 00:00:00"))
    SandboxCampaign.objects.filter(pk=created.campaign_id).update(audience=30000)
    c = SandboxCampaign.objects.get(pk=created.campaign_id)
    people = [recipient(c, n, _variants(c)) for n in range(4500)]
    assert people == [recipient(c, n, _variants(c)) for n in range(4500)]  # seeded
    assert {r["variant"] for r in people} == {"A", "B", "C"}
    opens = {v: sum(bool(r["opens"]) for r in people if r["variant"] == v) for v in "ABC"}
    # Variant B's subject is the stronger one, C's the weaker (1500 recipients each).
    assert opens["B"] > opens["A"] > opens["C"]


def test_an_unreachable_receiver_keeps_events_for_the_next_tick(engagelab, settings):
    created = engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    settings.SWITCHBOARD_URL = "http://127.0.0.1:9"  # nothing listens there
    simulate(batch=10)
    assert SandboxWebhook.objects.filter(attempts=1).count() == 1
    settings.SWITCHBOARD_URL = engagelab.base_url.rsplit("/sandbox/", 1)[0]
    simulate(batch=0)
    assert not SandboxWebhook.objects.exists()
    assert WebhookEvent.objects.filter(campaign_id=created.campaign_id).exists()


def test_stats_day_refuses_more_than_three_months(engagelab):
    with pytest.raises(Exception) as info:
        engagelab.daily_stat_list(start_date="2020-01-01", end_date="2020-06-01")
    assert info.value.code == 32700


# --- Replays: the signed timestamp must be close to now ---------------------------------------
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
NOW_S = int(NOW.timestamp())


def signed_at(timestamp: int | str) -> dict[str, str]:
    timestamp = str(timestamp)
    return {
        "Content-Type": "application/json",
        "X-WebHook-Timestamp": timestamp,
        "X-WebHook-AppKey": "email",
        "X-WebHook-Signature": md5_signature(
            timestamp, "email", settings.SANDBOX_CREDENTIALS["engagelab"]["webhook_secret"]
        ),
    }


@pytest.mark.parametrize(
    ("timestamp", "status"),
    [
        (NOW_S, 200),
        (NOW_S - 600, 200),  # ten minutes old: just inside
        (NOW_S - 601, 401),
        (NOW_S + 600, 200),  # a sender's clock ten minutes ahead: just inside
        (NOW_S + 601, 401),
        # The contract does not say seconds or milliseconds: both are read.
        (NOW_S * 1000 - 600_000, 200),
        (NOW_S * 1000 - 600_001, 401),
        (NOW_S * 1000 + 600_000, 200),
        (NOW_S * 1000 + 600_001, 401),
        (978_307_200, 401),  # 2001, validly signed: a captured signature replayed
        (978_307_200_000, 401),
        ("0", 401),
        ("soon", 401),
    ],
)
def test_a_signature_made_too_far_from_now_is_refused(sandbox, timestamp, status):
    with time_machine.travel(NOW, tick=False):
        response = post(event("replayed", "click"), signed_at(timestamp))
    assert response.status_code == status, response.content
    assert WebhookEvent.objects.exists() == (status == 200)


def test_the_window_is_a_setting(sandbox, settings):
    settings.ENGAGELAB_WEBHOOK_MAX_AGE = 60
    with time_machine.travel(NOW, tick=False):
        assert post(event("m1"), signed_at(NOW_S - 60)).status_code == 200
        assert post(event("m2"), signed_at(NOW_S - 61)).status_code == 401


def test_a_resent_event_inside_the_window_is_still_counted_once(sandbox):
    events = [event("m1", "delivered"), event("m1", "open")]
    with time_machine.travel(NOW, tick=False):
        assert post(events, signed_at(NOW_S - 30)).json() == {"received": 2, "new": 2}
        assert post(events, signed_at(NOW_S)).json() == {"received": 2, "new": 0}
    process_events()
    bucket = StatBucket.objects.get()
    assert (bucket.delivered, bucket.opens, bucket.unique_opens) == (1, 1, 1)
