"""Every time a user is shown is in their own zone and says which: lists, the campaign chart's
time axis, its data on refresh; checked for a user in Shanghai (UTC+8) around its midnight and
one in Toronto on the night its clocks go back."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from tests.campaigns.test_charts import deliver, ev, mirror
from tests.conftest import living_in
from tests.pages import figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_sandbox(settings):
    settings.SANDBOX = True


def test_a_campaign_chart_is_drawn_in_the_users_zone_across_its_midnight(client, manager):
    # 16:30 UTC is 00:30 in Shanghai: events 10 minutes either side of its midnight.
    with time_machine.travel("2026-12-01T16:30:00+00:00", tick=False):
        mirror()
        deliver(client, [ev(1, "delivered", -10), ev(1, "open", -9), ev(2, "delivered", 10)])
        client.force_login(living_in(manager, "Asia/Shanghai"))
        data = client.get("/campaigns/42/charts/data.json").json()
        page = client.get("/campaigns/42/").content.decode()
    x = data["figures"]["cumulative"][0]["x"]
    assert x[0] == "2026-12-01 23:50:00" and x[-1] == "2026-12-02 00:10:00"
    shown = figures(page)["fig-cumulative"]
    assert shown["layout"]["xaxis"]["title"]["text"] == "Time (Asia/Shanghai)"
    assert shown["data"][0]["x"] == x


def test_the_same_chart_is_another_answer_in_another_zone(client, manager, marketer):
    with time_machine.travel("2026-12-01T16:30:00+00:00", tick=False):
        mirror()
        deliver(client, [ev(1, "delivered", 0)])
        client.force_login(living_in(manager, "Asia/Shanghai"))
        etag = client.get("/campaigns/42/charts/data.json")["ETag"]
        client.force_login(living_in(marketer, "America/Toronto"))
        again = client.get("/campaigns/42/charts/data.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200  # not a 304: its times are Toronto's
    assert again.json()["figures"]["cumulative"][0]["x"] == ["2026-12-01 11:00:00"]


@pytest.mark.parametrize(
    "run_time, shown",
    [
        # Toronto's clocks go back at 06:00 UTC on 2026-11-01: the same UTC hour is 09:30
        # the day before and 08:30 the day after.
        (datetime(2026, 10, 31, 13, 30, tzinfo=UTC), "2026-10-31 09:30 EDT"),
        (datetime(2026, 11, 2, 13, 30, tzinfo=UTC), "2026-11-02 08:30 EST"),
    ],
)
def test_the_campaign_list_shows_send_times_in_the_users_zone(client, marketer, run_time, shown):
    with time_machine.travel("2026-10-31T12:00:00+00:00", tick=False):
        mirror(run_time=run_time, status=0)
        client.force_login(living_in(marketer, "America/Toronto"))
        page = client.get("/campaigns/").content.decode()
    assert f">{shown}</time>" in page, re.findall(r"<time[^>]*>[^<]*</time>", page)


def test_the_overview_chart_names_the_users_zone_on_its_axis(client, manager):
    with time_machine.travel("2026-12-01T16:30:00+00:00", tick=False):
        mirror()
        deliver(client, [ev(1, "delivered", -10), ev(1, "open", -9)])
        client.force_login(living_in(manager, "Asia/Shanghai"))
        page = client.get("/campaigns/overview/chart/?period=1h").content.decode()
        data = client.get("/campaigns/overview/data.json?period=1h").json()
    (figure,) = figures(page).values()
    assert figure["layout"]["xaxis"]["title"]["text"] == "Time (Asia/Shanghai)"
    x = data["figures"]["overview"][0]["x"]
    assert x and all(v.startswith(("2026-12-01 23:", "2026-12-02 00:")) for v in x)
