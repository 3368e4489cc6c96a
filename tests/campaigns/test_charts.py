"""Statistics to charts: webhook events → stored buckets → chart data (duplicates and
out-of-order events included), ETag/304 polling, table and CSV."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, StatBucket
from campaigns.sandbox.simulation import signed_headers
from campaigns.stats import process_events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(frozen_clock):
    """No test here depends on the hour it runs."""


@pytest.fixture(autouse=True)
def on_sandbox(settings):
    settings.SANDBOX = True


def at(minute: int) -> int:
    base = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    return int((base + timedelta(minutes=minute, seconds=10)).timestamp() * 1000)


def ev(n, kind, minute, cid=42, variant="", domain="gmail.com", phase=None):
    email = f"r{n}@{domain}"
    body = {
        "message_id": f"m{n}",
        "itime": at(minute),
        "to": email,
        "custom_args": {"campaign_id": cid, "variant": variant}
        | ({"ab_phase": phase} if phase else {}),
    }
    if kind in ("sent", "delivered", "soft_bounce"):
        body["status"] = {"message_status": kind, "status_data": {"email": email}}
    else:
        body["event"] = kind
        body["response_data"] = {"email_id": f"m{n}", "email": email}
    return body


def deliver(client, events):
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in signed_headers().items()
        if k != "Content-Type"
    }
    response = client.post(
        "/campaigns/webhooks/engagelab",
        data=json.dumps(events),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    process_events()


def mirror(cid=42, **extra):
    return Campaign.objects.create(
        provider_id=cid,
        name=extra.pop("name", f"Campaign {cid}"),
        status=extra.pop("status", 1),
        campaign_type=extra.pop("campaign_type", 2),
        create_time=timezone.now(),
        synced_at=timezone.now(),
        **extra,
    )


def test_events_become_buckets_and_chart_data(client, marketer):
    mirror()
    events = [
        ev(1, "sent", 0),
        ev(1, "delivered", 0),
        ev(2, "sent", 0),
        ev(2, "delivered", 1),
        ev(1, "open", 2),
        ev(1, "open", 5),
        ev(1, "click", 6),
        ev(2, "open", 6),
    ]
    deliver(client, events[:5])
    deliver(client, events)  # EngageLab resends: nothing is counted twice
    deliver(client, [events[-1], events[-2]])  # and out of order
    totals = {
        f: sum(getattr(b, f) for b in StatBucket.objects.all())
        for f in ("sent", "delivered", "opens", "unique_opens", "clicks", "unique_clicks")
    }
    assert totals == {
        "sent": 2,
        "delivered": 2,
        "opens": 3,
        "unique_opens": 2,
        "clicks": 1,
        "unique_clicks": 1,
    }
    client.force_login(marketer)
    data = client.get("/campaigns/42/charts/data.json").json()
    traces = {t["name"]: t["y"] for t in data["figures"]["cumulative"]}
    assert traces["Unique opens"][-1] == 2 and traces["Total opens"][-1] == 3
    assert traces["Unique clicks"][-1] == 1
    assert data["numbers"]["unique_open_rate"] == "100.0%"  # over delivered
    domains = {t["name"]: t["y"] for t in data["figures"]["domains"]}
    assert domains["Unique click rate"] == [0.5]


def test_warm_up_deliverability_against_thresholds(client, manager):
    mirror(
        warm_up=[
            {"domain": "gmail.com", "rate": 1, "upgrade_value": "0.95", "downgrade_value": "0.8"}
        ]
    )
    events = [ev(n, "sent", 0) for n in range(10)] + [ev(n, "delivered", 0) for n in range(9)]
    deliver(client, events)
    client.force_login(manager)
    body = client.get("/campaigns/42/").content.decode()
    assert "Delivery rate per warm-up domain against its thresholds" in body
    assert "gmail.com: 90.0% delivered, between its thresholds" in body


def test_chart_data_answers_304_until_something_changes(client, manager):
    mirror()
    deliver(client, [ev(1, "delivered", 0)])
    client.force_login(manager)
    first = client.get("/campaigns/42/charts/data.json")
    etag = first["ETag"]
    assert client.get("/campaigns/42/charts/data.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    deliver(client, [ev(1, "open", 3)])
    again = client.get("/campaigns/42/charts/data.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_overview_data_and_fragment(client, manager, django_assert_max_num_queries):
    mirror(name="Launch")
    deliver(client, [ev(1, "sent", 0), ev(1, "delivered", 0), ev(1, "open", 2)])
    client.force_login(manager)
    response = client.get("/campaigns/overview/data.json?period=1h")
    data = response.json()
    assert data["numbers"]["unique_opens"] == "1"
    assert data["numbers"]["unique_open_rate"] == "100.0%"
    names = [t["name"] for t in data["figures"]["overview"]]
    assert names == ["Launch — opens", "Launch — clicks"]
    # session, user, its two permission lookups, one indexed MAX: no recomputation
    with django_assert_max_num_queries(5):
        again = client.get(
            "/campaigns/overview/data.json?period=1h", HTTP_IF_NONE_MATCH=response["ETag"]
        )
    assert again.status_code == 304
    fragment = client.get("/campaigns/overview/chart/?period=1h").content.decode()
    assert (
        "Email campaigns: unique open and click rates" in fragment and 'data-poll="5"' in fragment
    )
    assert "Unique opens" in fragment and "Show as a table" in fragment
    csv = client.get("/campaigns/overview/data.json?period=1h&format=csv").content.decode()
    assert csv.splitlines()[0] == "campaign_id,campaign,time_utc,unique_open_rate,unique_click_rate"


def test_the_overview_draws_the_latest_five_and_every_campaign_on_demand(client, manager):
    for cid in range(1, 8):
        mirror(cid, name=f"Spring {cid}")
    events = [(ev(cid, "sent", cid, cid), ev(cid, "delivered", cid, cid)) for cid in range(1, 8)]
    deliver(client, [e for pair in events for e in pair])
    client.force_login(manager)

    def lines(query):
        data = client.get(f"/campaigns/overview/data.json?period=1h{query}").json()
        return {t["name"].split(" — ")[0] for t in data["figures"]["overview"]}, data

    latest, data = lines("")
    assert latest == {f"Spring {cid}" for cid in range(3, 8)}  # the five latest to report
    every, every_data = lines("&campaigns=all")
    assert every == {f"Spring {cid}" for cid in range(1, 8)}
    assert every_data["numbers"] == data["numbers"]  # the numbers always cover every campaign
    latest_page = client.get("/campaigns/overview/chart/?period=1h").content.decode()
    assert "the lines the latest five." in latest_page
    assert 'name="campaigns" value="all">' in latest_page
    page = client.get("/campaigns/overview/chart/?period=1h&campaigns=all").content.decode()
    assert "the numbers and the lines cover every campaign in the period" in page
    assert 'name="campaigns" value="all" checked>' in page
    # Its live refresh asks for the same lines.
    assert 'data-charts-src="/campaigns/overview/data.json?period=1h&amp;campaigns=all"' in page


def test_campaign_csv_downloads(client, manager):
    mirror()
    deliver(client, [ev(1, "sent", 0), ev(1, "delivered", 0), ev(1, "open", 2)])
    client.force_login(manager)
    rows = client.get("/campaigns/42/stats.csv?table=domain").content.decode().splitlines()
    assert rows[0].startswith("domain,sent,delivered")
    assert rows[1].startswith("gmail.com,1,1,0,1,1")
    timeline = client.get("/campaigns/42/stats.csv").content.decode().splitlines()
    assert timeline[-1].split(",")[1:4] == ["1", "1", "0"]


def test_dialer_staff_cannot_read_statistics(client, dialer_staff):
    mirror()
    client.force_login(dialer_staff)
    for url in (
        "/campaigns/42/charts/data.json",
        "/campaigns/42/stats.csv",
        "/campaigns/overview/data.json",
        "/campaigns/overview/chart/",
    ):
        assert client.get(url).status_code == 403
