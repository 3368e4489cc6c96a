"""A campaign's schedule is typed in a named zone (the user's own by default) and sent to
EngageLab as its whole-hour `time_zone` and the `send_time` of that instant, right on either
side of a daylight-saving change and of midnight; what it will use is said before sending, and
an edit shows the schedule back in the user's zone."""

from __future__ import annotations

import re

import pytest
import time_machine

from campaigns.models import Campaign
from campaigns.sandbox.models import SandboxCampaign
from tests.campaigns.test_pages import builder_ready, regular_post  # noqa: F401 - fixture
from tests.campaigns.test_send_choice import text
from tests.conftest import living_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builder_ready")]

PREVIEW = {"HX-Request": "true", "X-Builder-Partial": "schedule_preview"}


def selected_zone(body: str) -> str:
    select = re.search(r'<select name="time_zone".*?</select>', body, re.S).group(0)
    return re.search(r'<option value="([^"]+)"[^>]*selected', select).group(1)


@pytest.mark.parametrize(
    "typed, hours, offset",
    [
        # America/Toronto goes from UTC−5 to UTC−4 at 02:00 on 2026-03-08, and back on
        # 2026-11-01: each date gets its own offset.
        ("2026-03-07T09:30", -5, "UTC−05:00"),
        ("2026-03-08T09:30", -4, "UTC−04:00"),
        ("2026-10-31T09:30", -4, "UTC−04:00"),
        ("2026-11-01T09:30", -5, "UTC−05:00"),
    ],
)
def test_a_toronto_schedule_gets_the_offset_of_its_date(typed, hours, offset, client, marketer):
    client.force_login(living_in(marketer, "America/Toronto"))
    with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
        form = client.get("/campaigns/new/").content.decode()
        assert selected_zone(form) == "America/Toronto"  # the user's zone, by default
        post = regular_post(send_time=typed, time_zone="America/Toronto")
        preview = client.post("/campaigns/new/", {**post, "_action": "preview"}, headers=PREVIEW)
        wall = typed.replace("T", " ")
        assert preview.content.decode() == (
            f"America/Toronto is {offset} on that date: EngageLab receives {wall} at UTC−{-hours}."
        )
        assert client.post("/campaigns/new/", post).status_code == 302
    sent = SandboxCampaign.objects.get().data
    assert (sent["send_time"], sent["time_zone"]) == (f"{wall}:00", hours)


def test_the_hour_the_clocks_skip_is_refused_and_the_twice_hour_is_the_first(client, marketer):
    client.force_login(living_in(marketer, "America/Toronto"))
    with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
        skipped = client.post("/campaigns/new/", regular_post(send_time="2026-03-08T02:30"))
        assert skipped.status_code == 422 and not SandboxCampaign.objects.exists()
        assert (
            "2026-03-08 02:30 does not exist in America/Toronto: the clocks go forward at that "
            "time. Choose another time." in text(skipped)
        )
        assert 'value="2026-03-08T02:30"' in skipped.content.decode()  # kept as typed
        twice = client.post("/campaigns/new/", regular_post(send_time="2026-11-01T01:30"))
        assert twice.status_code == 302
    sent = SandboxCampaign.objects.get().data
    assert (sent["send_time"], sent["time_zone"]) == ("2026-11-01 01:30:00", -4)  # still EDT


@pytest.mark.parametrize(
    "instant", ["2026-12-01T15:59:50+00:00", "2026-12-01T16:00:10+00:00"]
)  # 23:59:50 and 00:00:10 in Shanghai
def test_a_shanghai_user_schedules_across_midnight_in_utc_plus_8(instant, client, marketer):
    client.force_login(living_in(marketer, "Asia/Shanghai"))
    with time_machine.travel(instant, tick=False):
        assert selected_zone(client.get("/campaigns/new/").content.decode()) == "Asia/Shanghai"
        midnight = regular_post(send_time="2026-12-02T00:00", time_zone="Asia/Shanghai")
        past = client.post("/campaigns/new/", midnight)
        passed = instant.startswith("2026-12-01T16")  # Shanghai's midnight is behind
        assert ("has already passed" in text(past)) is passed
        if not passed:
            SandboxCampaign.objects.all().delete()
            Campaign.objects.all().delete()
        assert (
            client.post(
                "/campaigns/new/",
                regular_post(send_time="2026-12-02T00:30", time_zone="Asia/Shanghai"),
            ).status_code
            == 302
        )
    sent = SandboxCampaign.objects.get().data
    assert (sent["send_time"], sent["time_zone"]) == ("2026-12-02 00:30:00", 8)


def test_a_half_hour_zone_sends_its_whole_hours_and_the_same_instant(client, marketer):
    client.force_login(marketer)
    with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
        post = regular_post(send_time="2026-12-01T09:30", time_zone="Asia/Kolkata")
        preview = client.post("/campaigns/new/", {**post, "_action": "preview"}, headers=PREVIEW)
        assert preview.content.decode() == (
            "Asia/Kolkata is UTC+05:30 on that date: EngageLab receives 2026-12-01 09:00 at UTC+5."
        )
        assert client.post("/campaigns/new/", post).status_code == 302
    sent = SandboxCampaign.objects.get().data
    assert (sent["send_time"], sent["time_zone"]) == ("2026-12-01 09:00:00", 5)  # 04:00 UTC


def test_an_edit_shows_the_schedule_in_the_users_zone_and_keeps_its_instant(client, marketer):
    client.force_login(living_in(marketer, "America/Toronto"))
    with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
        client.post("/campaigns/new/", regular_post(send_time="2026-12-01T09:30"))
        cid = SandboxCampaign.objects.get().id
        client.force_login(living_in(marketer, "Asia/Shanghai"))
        edit = client.get(f"/campaigns/{cid}/edit/").content.decode()
        assert 'value="2026-12-01T22:30"' in edit and selected_zone(edit) == "Asia/Shanghai"
        page = text(client.get(f"/campaigns/{cid}/"))
        assert "2026-12-01 22:30 CST (2026-12-01 09:30 UTC−5 at EngageLab)" in page
        assert "Times in your time zone, Asia/Shanghai" in page
        saved = client.post(
            f"/campaigns/{cid}/edit/",
            regular_post(name="Moved", send_time="2026-12-01T22:30", time_zone="Asia/Shanghai"),
        )
        assert saved.status_code == 302
    sent = SandboxCampaign.objects.get().data
    assert (sent["send_time"], sent["time_zone"]) == ("2026-12-01 22:30:00", 8)  # 14:30 UTC
    row = Campaign.objects.get()
    assert (row.sent_send_time, row.sent_time_zone) == ("2026-12-01 22:30:00", 8)
