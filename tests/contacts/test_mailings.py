"""Mailings: schedule or launch a sending with a confirmation, trigger a message to one
contact, statistics mirrored for the Mailings page and the overview."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contacts import nomenclature, sync
from contacts.client import DialogInsightClient
from contacts.models import Mailing, Message
from contacts.sandbox.models import SandboxBatch, SandboxDelivery
from contacts.sandbox.tasks import sandbox_tick
from contacts.selectors import mailing_series, overview_card
from dashboard.models import AuditEvent
from dashboard.sandbox import set_fault
from tests.conftest import living_in
from tests.contacts.conftest import text

pytestmark = pytest.mark.django_db(transaction=True)


def test_launch_now_asks_for_confirmation_with_the_audience_size(client, marketer, audience):
    client.force_login(marketer)
    choice = {"message": audience["message_id"], "segment": audience["segment_id"], "when": "now",
              "time_zone": "UTC"}  # fmt: skip
    confirm = client.post(reverse("contacts:mailing_send"), choice)
    page = text(confirm)
    assert "“Spring news” will be sent to 3 contacts (segment “Laval”), right now." in page
    assert not SandboxBatch.objects.exists()  # nothing sent before the confirmation
    token = re.search(r'name="token" value="(\w+)"', confirm.content.decode())[1]
    response = client.post(
        reverse("contacts:mailing_send"), {**choice, "confirmed": "on", "token": token}
    )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert (mailing.audience, mailing.status, mailing.sent) == ("Laval", "Sent", 3)
    listed = client.get(reverse("contacts:mailing_list")).content.decode()
    assert "Spring news" in listed and "Laval" in listed
    assert AuditEvent.objects.filter(object_type="mailing", action="launched").exists()


@time_machine.travel("2026-03-06T04:30:00+00:00", tick=True)  # 3 days on: across Toronto's DST
def test_schedule_later_in_the_users_time_zone(client, marketer, audience):
    client.force_login(marketer)
    local = (timezone.now() + dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=-5)))
    choice = {"message": audience["message_id"], "segment": "", "when": "later",
              "launch_at": local.strftime("%Y-%m-%dT%H:%M"), "time_zone": "America/Bogota",
              "confirmed": "on", "token": "schedule-1"}  # fmt: skip
    response = client.post(reverse("contacts:mailing_send"), choice)
    assert response.status_code == 302
    batch = SandboxBatch.objects.get()
    assert batch.status == "Scheduled" and batch.mode == "All"
    assert batch.launch_at == local.replace(second=0, microsecond=0).astimezone(dt.UTC)
    mailing = Mailing.objects.get()
    assert mailing.status == "Scheduled" and mailing.audience == "Everyone"
    html = client.get(reverse("contacts:mailing_list"), {"status": "Scheduled"}).content.decode()
    assert "Scheduled" in html and "Not sent yet" in html
    # When its time comes, the sandbox's periodic tick sends it.
    SandboxBatch.objects.update(launch_at=timezone.now() - dt.timedelta(seconds=1))
    assert sandbox_tick.func() == 1
    sync.sync_mailings()
    assert Mailing.objects.get().sent == 4


@pytest.fixture
def sent_batches(monkeypatch):
    """The SendBatch bodies the sandbox receives."""
    from contacts.sandbox import views as sandbox

    bodies: list[dict] = []
    handler = sandbox.METHODS[("sendings", "sendbatch")]

    def received(body: dict) -> dict:
        bodies.append(body)
        return handler(body)

    monkeypatch.setitem(sandbox.METHODS, ("sendings", "sendbatch"), received)
    return bodies


def test_dtlaunch_is_a_wall_time_in_dialog_insights_time_zone(
    client, marketer, audience, settings, sent_batches
):
    # Toronto's clocks go back at 06:00 UTC on 2026-11-01: 13:00 UTC that day is 08:00 EST,
    # while "now" (the evening before) is still EDT (UTC−4).
    settings.DIALOG_INSIGHT_TIME_ZONE = "America/Toronto"
    client.force_login(marketer)
    choice = {"message": audience["message_id"], "segment": "", "when": "later",
              "launch_at": "2026-11-01T13:00", "time_zone": "Europe/London"}  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 10, 31, 22, 0, tzinfo=dt.UTC)):
        confirm = client.post(reverse("contacts:mailing_send"), choice)
        page = text(confirm)
        assert "on 2026-11-01 13:00 (Europe/London)." in page
        assert "Sent to Dialog Insight as 2026-11-01 08:00 America/Toronto" in page
        token = re.search(r'name="token" value="(\w+)"', confirm.content.decode())[1]
        response = client.post(
            reverse("contacts:mailing_send"), {**choice, "confirmed": "on", "token": token}
        )
        assert response.status_code == 302
        assert sent_batches[0]["sendBatchOptions"] == {
            "isDelayed": True,
            "dtLaunch": "2026.11.01 08:00:00",
        }
        # Read back (Sendings.GetBatches) as the same instant.
        launch = dt.datetime(2026, 11, 1, 13, 0, tzinfo=dt.UTC)
        assert SandboxBatch.objects.get().launch_at == launch
        assert Mailing.objects.get().launch_at == launch


@pytest.mark.parametrize(
    "typed, sent",
    [
        # Frozen at 23:00 EST in Toronto on 2026-03-07, three hours before its clocks go
        # forward: 15:30 in Shanghai (UTC+8) is 07:30 UTC, already 03:30 EDT there.
        ("2026-03-08T15:30", "2026.03.08 03:30:00"),
        # 13:00 in Shanghai is 05:00 UTC: midnight, EST, in Toronto.
        ("2026-03-08T13:00", "2026.03.08 00:00:00"),
        ("2026-03-08T12:30", "2026.03.07 23:30:00"),  # the evening before, in Toronto
    ],
)
def test_a_launch_typed_in_shanghai_reaches_dialog_insight_in_its_zone_across_dst(
    typed, sent, client, marketer, audience, settings, sent_batches
):
    settings.DIALOG_INSIGHT_TIME_ZONE = "America/Toronto"
    client.force_login(living_in(marketer, "Asia/Shanghai"))
    with time_machine.travel(dt.datetime(2026, 3, 8, 4, 0, tzinfo=dt.UTC), tick=False):
        form = client.get(reverse("contacts:mailing_send")).content.decode()
        assert re.search(r'<option value="Asia/Shanghai"[^>]*selected', form)  # the user's zone
        choice = {"message": audience["message_id"], "segment": "", "when": "later",
                  "launch_at": typed, "time_zone": "Asia/Shanghai"}  # fmt: skip
        confirm = client.post(reverse("contacts:mailing_send"), choice)
        wall = sent.replace(".", "-")[:16]
        assert f"Sent to Dialog Insight as {wall} America/Toronto" in text(confirm)
        token = re.search(r'name="token" value="(\w+)"', confirm.content.decode())[1]
        client.post(reverse("contacts:mailing_send"), {**choice, "confirmed": "on", "token": token})
    assert sent_batches[0]["sendBatchOptions"] == {"isDelayed": True, "dtLaunch": sent}


def test_a_launch_at_an_hour_the_clocks_skip_is_refused(client, marketer, audience):
    client.force_login(living_in(marketer, "America/Toronto"))
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        choice = {"message": audience["message_id"], "segment": "", "when": "later",
                  "launch_at": "2026-03-08T02:30", "time_zone": "America/Toronto"}  # fmt: skip
        page = text(client.post(reverse("contacts:mailing_send"), choice))
    assert "2026-03-08 02:30 does not exist in America/Toronto: the clocks go forward" in page
    assert not SandboxBatch.objects.exists()


def test_the_mailing_form_says_which_time_zone_dialog_insight_reads(client, marketer, settings):
    settings.DIALOG_INSIGHT_TIME_ZONE = "America/Toronto"
    client.force_login(marketer)
    page = text(client.get(reverse("contacts:mailing_send")))
    assert "Dialog Insight reads launch times in America/Toronto" in page


def test_a_time_zone_that_does_not_exist_is_refused_at_start(monkeypatch):
    import importlib

    import environ

    from dashboard import settings as project_settings

    monkeypatch.setenv("DIALOG_INSIGHT_TIME_ZONE", "Mars/Olympus_Mons")
    with pytest.raises(environ.ImproperlyConfigured, match="not an IANA time zone name"):
        importlib.reload(project_settings)
    monkeypatch.delenv("DIALOG_INSIGHT_TIME_ZONE")
    importlib.reload(project_settings)


def test_schedule_in_the_past_is_refused_on_the_field(client, marketer, audience):
    client.force_login(marketer)
    html = client.post(
        reverse("contacts:mailing_send"),
        {"message": audience["message_id"], "when": "later", "launch_at": "2020-01-01T08:00",
         "time_zone": "UTC"},
    ).content.decode()  # fmt: skip
    assert "Choose a time in the future." in html and 'value="2020-01-01T08:00"' in html


def test_send_failure_says_nothing_was_sent_and_keeps_choices(client, marketer, audience):
    client.force_login(marketer)
    set_fault("dialoginsight", "error", status=502, path_contains="SendBatch")
    html = unescape(
        client.post(
            reverse("contacts:mailing_send"),
            {"message": audience["message_id"], "segment": audience["segment_id"], "when": "now",
             "time_zone": "UTC", "confirmed": "on", "token": "fail-1"},
        ).content.decode()
    )  # fmt: skip
    assert "Nothing was sent." in html and "HTTP 502" in html
    assert f'value="{audience["message_id"]}" selected' in html
    assert not SandboxBatch.objects.exists()
    assert AuditEvent.objects.filter(object_type="mailing", outcome="error").exists()


def test_trigger_a_message_to_one_contact(client, marketer, audience):
    contact_id = (
        DialogInsightClient()
        .contact_search(nomenclature.field_clause("EMail", "Equal", "toronto@example.com"))[0]
        .id
    )
    client.force_login(marketer)
    page = client.get(reverse("contacts:contact_detail", args=[contact_id])).content.decode()
    assert "parameter-" not in page  # no message chosen, nothing to fill
    # Choosing the message swaps in one labelled input per [[placeholder]] of it.
    inputs = client.get(
        reverse("contacts:message_send_one_parameters", args=[contact_id]),
        {"message": audience["cart_id"], "parameter-Coupon": "kept if typed before"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert re.findall(r'<label for="id_parameter-(\w+)">(\w+)</label>', inputs) == [
        ("CartUrl", "CartUrl"),
        ("Coupon", "Coupon"),
    ]
    assert "Replaces [[CartUrl]] in the message." in unescape(inputs)
    assert 'value="kept if typed before"' in inputs and "form-error" not in inputs
    assert (
        "parameter-"
        not in client.get(
            reverse("contacts:message_send_one_parameters", args=[contact_id]),
            {"message": audience["message_id"]},
        ).content.decode()
    )
    url = reverse("contacts:message_send_one", args=[contact_id])
    refused = client.post(
        url,
        {"message": audience["cart_id"], "parameter-CartUrl": "", "parameter-Coupon": "SPRING",
         "label": "toronto@example.com"},
        HTTP_HX_REQUEST="true",
    ).content.decode()  # fmt: skip
    assert "Enter the value that replaces [[CartUrl]]." in unescape(refused)
    assert 'value="SPRING"' in refused and not SandboxBatch.objects.exists()
    sent = client.post(
        url,
        {"message": audience["cart_id"], "parameter-CartUrl": "https://shop.example/c/1",
         "parameter-Coupon": "SPRING", "label": "toronto@example.com"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert SandboxBatch.objects.get().parameters == {
        "CartUrl": "https://shop.example/c/1",
        "Coupon": "SPRING",
    }
    # In place: the history and the changes come back with the answer, no reload.
    assert "HX-Redirect" not in sent
    history = re.search(r'<article id="history" hx-swap-oob="true">.*?</article>',
                        sent.content.decode(), re.S)[0]  # fmt: skip
    assert "Cart reminder" in text(history)
    activity = re.search(r'<article id="activity" hx-swap-oob="true">.*?</article>',
                         sent.content.decode(), re.S)[0]  # fmt: skip
    assert "sent message Cart reminder → toronto@example.com" in text(activity)
    assert 'name="parameter-' not in sent.content.decode().split('id="history"')[0]  # fresh form
    event = AuditEvent.objects.get(action="sent message", outcome="ok")
    assert event.object_id == str(contact_id)


def test_managers_cannot_send(client, manager, audience):
    client.force_login(manager)
    assert client.get(reverse("contacts:mailing_list")).status_code == 200
    assert client.get(reverse("contacts:mailing_send")).status_code == 403
    response = client.post(
        reverse("contacts:message_send_one", args=[1]), {"message": audience["message_id"]}
    )
    assert response.status_code == 403
    assert not SandboxBatch.objects.exists()


def test_statistics_mirror_feeds_the_overview(client, manager, audience):
    di = DialogInsightClient()
    di.mailing_send(message_id=audience["message_id"], segment_ids=None, launch_at=None)
    sync.sync_mailings()
    mailing = Mailing.objects.get()
    assert mailing.sent == 4 and mailing.stats_at is not None
    # Opens come over time: move them into the past, sync again, the series grows.
    delivered = SandboxDelivery.objects.filter(delivered=True)
    delivered.update(opened_at=timezone.now() - dt.timedelta(seconds=1))
    sync.sync_mailings()
    sync.sync_mailings()  # unchanged numbers add no point
    series = mailing_series([mailing.pk])[mailing.pk]
    assert [p[2] for p in series] == [0, delivered.count()]
    mailing.refresh_from_db()
    rate = f"{mailing.unique_opens / mailing.delivered:.0%}"
    card = overview_card()
    assert ("Latest open rate", rate) in card["stats"]
    assert ("Sent in 30 days", 1) in card["stats"]
    client.force_login(manager)
    assert "Latest open rate" in text(client.get("/"))


def test_create_a_message_with_parameters(client, marketer, project):
    client.force_login(marketer)
    bad = client.post(reverse("contacts:message_create"), {"name": "Cart", "sender": "shop@"})
    assert "Enter a valid email address." in text(bad)
    assert 'value="Cart"' in bad.content.decode()
    response = client.post(
        reverse("contacts:message_create"),
        {"name": "Cart", "subject": "Your cart", "sender": "shop@example.com",
         "html": "<a href='[[CartUrl]]'>Back to [[Shop]]</a>"},
    )  # fmt: skip
    assert response.status_code == 302
    listed = text(client.get(reverse("contacts:message_list")))
    assert "Cart" in listed and "CartUrl Shop" in listed
    assert AuditEvent.objects.filter(object_type="message", action="created").exists()


def test_managers_cannot_create_messages(client, manager, project):
    client.force_login(manager)
    assert client.get(reverse("contacts:message_list")).status_code == 200
    assert client.get(reverse("contacts:message_create")).status_code == 403


def test_mailing_page_shows_numbers_and_the_rates_over_time(client, manager, audience):
    di = DialogInsightClient()
    mailing_id = di.mailing_send(
        message_id=audience["message_id"], segment_ids=None, launch_at=None
    )
    sync.sync_mailings()
    SandboxDelivery.objects.filter(delivered=True).update(
        opened_at=timezone.now() - dt.timedelta(seconds=1)
    )
    sync.sync_mailings()
    client.force_login(manager)
    listed = client.get(reverse("contacts:mailing_list")).content.decode()
    assert reverse("contacts:mailing_detail", args=[mailing_id]) in listed
    response = client.get(reverse("contacts:mailing_detail", args=[mailing_id]))
    page = text(response)
    delivered = SandboxDelivery.objects.filter(delivered=True).count()
    assert f"Delivered{delivered}" in page and "Open rate100.0%" in page
    figure = response.context["figure"]
    assert [t["name"] for t in figure["data"]] == ["Unique open rate", "Unique click rate"]
    assert figure["data"][0]["y"] == [0, 1]


def test_a_message_keeps_its_placeholders_on_an_account_without_the_listing(
    client, marketer, claire
):
    set_fault("dialoginsight", "error", status=404, path_contains="messages.ashx?method=List")
    client.force_login(marketer)
    client.post(
        reverse("contacts:message_create"),
        {"name": "Cart", "subject": "Your cart", "sender": "shop@example.com",
         "html": "<a href='[[CartUrl]]'>Back</a> [[Coupon]] [[CartUrl]]"},
    )  # fmt: skip
    message = Message.objects.get()
    assert message.parameters == ["CartUrl", "Coupon"]
    inputs = client.get(
        reverse("contacts:message_send_one_parameters", args=[claire]),
        {"message": message.provider_id},
    ).content.decode()
    assert 'name="parameter-CartUrl"' in inputs and 'name="parameter-Coupon"' in inputs


def test_a_mailing_whose_statistics_were_never_read_shows_no_numbers(client, manager):
    """Sent, but Dialog Insight's statistics not read yet (or refused by the account): no
    page shows it as sent to nobody and opened by nobody."""
    from tests.pages import tables

    Mailing.objects.create(provider_id=9, message_id=3, message_name="Spring", mode="All",
                           status="Sent", launch_at=timezone.now() - dt.timedelta(hours=1),
                           synced_at=timezone.now())  # fmt: skip
    client.force_login(manager)
    [row] = tables(client.get(reverse("contacts:mailing_list")).content.decode())["table-mailings"]
    assert row[-1] == "No statistics read yet" and "0" not in row[2:]
    detail = text(client.get(reverse("contacts:mailing_detail", args=[9])))
    assert "No statistics have been read from Dialog Insight for this mailing yet" in detail
    assert "Delivered" not in detail
    [sending] = tables(client.get("/").content.decode())["table-sendings"]
    assert sending[0] == "Spring" and sending[3:] == ["—"] * 6
