"""Chart data stays cheap however old the campaign and however many events: the answers read
the stored rollups (a few hundred rows at most), never the minute buckets, and the rollups
say what the buckets say."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import CampaignStats, StatSeries, StatTotal
from campaigns.stats import rebuild_rollups
from tests.campaigns.test_charts import deliver, ev, mirror

pytestmark = pytest.mark.django_db
NOW = "2026-12-01T16:00:10+00:00"  # EngageLab's day changes (UTC+8 midnight)


@pytest.fixture(autouse=True)
def on_sandbox(settings):
    settings.SANDBOX = True


def _campaign(client, cid: int, minutes: list[int]) -> None:
    """One recipient delivered and opened at each of `minutes` (from 30 minutes ago)."""
    mirror(cid=cid)
    events = []
    for i, minute in enumerate(minutes):
        n = cid * 100_000 + i
        events += [ev(n, "sent", minute, cid=cid), ev(n, "delivered", minute, cid=cid)]
        events += [ev(n, "open", minute, cid=cid, domain="gmail.com")]
    deliver(client, events)


def _chart_data(client, cid: int):
    with CaptureQueriesContext(connection) as ctx:
        data = client.get(f"/campaigns/{cid}/charts/data.json").json()
    return data, [q["sql"] for q in ctx.captured_queries]


def test_campaign_chart_data_costs_the_same_for_an_hour_or_a_month_of_events(client, manager):
    with time_machine.travel(NOW, tick=False):
        _campaign(client, 1, list(range(0, 60)))  # an hour, a point a minute
        month = 30 * 24 * 60
        _campaign(client, 2, list(range(-month, 30, 97)))  # a month, one every 97 minutes
        client.force_login(manager)
        young, young_sql = _chart_data(client, 1)
        old, old_sql = _chart_data(client, 2)
    assert len(young_sql) == len(old_sql)
    for sql in young_sql + old_sql:
        assert "campaigns_statbucket" not in sql  # the minute buckets are never summed
    young_curve = {t["name"]: t for t in young["figures"]["cumulative"]}["Unique opens"]
    old_curve = {t["name"]: t for t in old["figures"]["cumulative"]}["Unique opens"]
    assert len(young_curve["x"]) == 60 and young_curve["y"][-1] == 60  # every minute
    assert len(old_curve["x"]) <= 300 and old_curve["y"][-1] == len(range(-month, 30, 97))


def test_overview_data_reads_the_series_not_the_buckets(client, manager):
    with time_machine.travel(NOW, tick=False):
        _campaign(client, 1, list(range(0, 30)))
        client.force_login(manager)
        with CaptureQueriesContext(connection) as ctx:
            data = client.get("/campaigns/overview/data.json?period=24h").json()
    bucket_reads = [q["sql"] for q in ctx.captured_queries if "campaigns_statbucket" in q["sql"]]
    # Only the version of the data (one indexed row), for the ETag.
    assert len(bucket_reads) == 1 and "LIMIT 1" in bucket_reads[0]
    assert data["numbers"]["sent"] == "30" and data["numbers"]["unique_open_rate"] == "100.0%"


def test_rebuilt_rollups_equal_the_ones_kept_while_processing(client):
    with time_machine.travel(NOW, tick=False):
        _campaign(client, 1, list(range(0, 200, 7)))
        _campaign(client, 2, list(range(-3000, 30, 61)))

    def snapshot():
        return (
            sorted(StatTotal.objects.values_list("campaign_id", "domain", "sent", "opens_sq")),
            sorted(
                StatSeries.objects.values_list("campaign_id", "minutes", "start_minute", "opens")
            ),
            sorted(
                CampaignStats.objects.values_list(
                    "campaign_id", "sent", "unique_opens", "first_minute", "last_minute"
                )
            ),
        )

    kept = snapshot()
    rebuild_rollups()
    assert snapshot() == kept


def test_campaign_chart_data_is_built_once_per_version_and_language_for_every_watcher(
    client, manager
):
    with time_machine.travel(NOW, tick=False):
        _campaign(client, 1, list(range(0, 10)))
        client.force_login(manager)
        first, _ = _chart_data(client, 1)
        again, sql = _chart_data(client, 1)  # a second watcher, no ETag of its own yet
        assert again == first
        assert not [q for q in sql if "campaigns_statseries" in q or "campaigns_stattotal" in q]
        english = client.get("/campaigns/1/charts/data.json")
        # The same version read in French is another answer, not a 304 of the English words.
        client.cookies["django_language"] = "fr"
        french = client.get("/campaigns/1/charts/data.json", HTTP_IF_NONE_MATCH=english["ETag"])
        assert french.status_code == 200 and french["ETag"] != english["ETag"]
        client.cookies["django_language"] = "en"
        n = 999  # one more recipient opens: a new version, drawn afresh
        deliver(client, [ev(n, "sent", 20, cid=1), ev(n, "delivered", 20, cid=1)])
        deliver(client, [ev(n, "open", 20, cid=1, domain="gmail.com")])
        latest, _ = _chart_data(client, 1)
    curve = {t["name"]: t for t in latest["figures"]["cumulative"]}["Unique opens"]
    assert curve["y"][-1] == 11
