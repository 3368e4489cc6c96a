"""Nothing is sent by accident: sending a campaign at once is a choice of its own, confirmed on
a second step that names the audience; an edit keeps the schedule Switchboard sent, even when
EngageLab's answer does not carry it. Django's test client, EngageLab's sandbox behind it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Campaign, StatBucket
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sync import sync_references
from dashboard.models import KeptUpload
from tests.campaigns.conftest import digest, received_attachments
from tests.campaigns.test_pages import ab_post, mirror, regular_post
from tests.conftest import living_in
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db(transaction=True)


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


@pytest.fixture
def ready(client, marketer, engagelab):
    sync_references()
    client.force_login(marketer)
    return client


def press(response, button: dict[str, str], **files) -> dict:
    """The confirmation page's form as the browser sends it when `button` is pressed."""
    return {**form_data(response.content.decode(), "confirmed"), **button, **files}


CONFIRM = {"_action": "save"}
BACK = {"back": "1"}


# --- 1. the campaign form: "when" is an explicit choice, sending now is confirmed -----------
def test_the_buttons_name_the_act(ready):
    body = ready.get("/campaigns/new/").content.decode()
    assert ">Schedule campaign</button>" in body and ">Send now…</button>" in body
    assert "Create campaign" not in body
    assert 'name="when"' in body and "checked" not in re.search(
        r"<legend[^>]*>When</legend>.*?</fieldset>", body, re.S
    ).group(0)  # nothing chosen for the user


@pytest.mark.parametrize(
    ("post", "field_message"),
    [
        (regular_post(when="", send_time=""), "Choose when it is sent"),
        (regular_post(when=""), "Choose when it is sent"),
        (regular_post(when="schedule", send_time=""), "Choose the date and time it is sent"),
        (regular_post(when="soon"), "Select a valid choice"),
        (ab_post(when="", send_time=""), "Choose when it is sent"),
    ],
    ids=["nothing-chosen", "a-date-but-no-choice", "schedule-without-date", "junk", "ab-test"],
)
def test_no_choice_is_an_error_on_the_field_never_a_send(ready, post, field_message):
    response = ready.post("/campaigns/new/", post)
    assert response.status_code == 422
    assert field_message in text(response)
    assert f'value="{post["name"]}"' in response.content.decode()  # as typed
    assert not SandboxCampaign.objects.exists()


def test_send_now_is_confirmed_first_with_the_audience_then_sent(ready):
    first = ready.post("/campaigns/new/", regular_post(when="now", token="send-now-1"))
    assert first.status_code == 200
    page = text(first)
    assert "Send now to Tags: newsletter, customers (size unknown)?" in page
    assert "“Winter newsletter” is sent as soon as you confirm." in page
    assert not SandboxCampaign.objects.exists()  # nothing sent before the confirmation
    # Everything typed rides along; "Send … now" sends it, once.
    confirm = press(first, CONFIRM)
    assert confirm["warmup-1-domain"] == ["outlook.com"] and confirm["when"] == ["now"]
    response = ready.post("/campaigns/new/", confirm)
    created = SandboxCampaign.objects.get()
    assert response.status_code == 302 and response.url == f"/campaigns/{created.id}/"
    assert "send_time" not in created.data and created.status == 1  # sending
    assert [w["domain"] for w in created.data["warm_up"]] == ["gmail.com", "outlook.com"]
    assert ready.post("/campaigns/new/", confirm).status_code == 302  # a second click
    assert SandboxCampaign.objects.count() == 1


def test_the_confirmation_says_about_how_many_when_a_campaign_went_to_that_audience(ready):
    past = mirror(
        900, "Autumn newsletter", status=2, audience_type="tag", audience_values=["customers",
        "newsletter"], complete_time=timezone.now(),
    )  # fmt: skip
    for domain, sent in (("gmail.com", 9000), ("outlook.com", 3400)):
        StatBucket.objects.create(
            campaign_id=past.provider_id, domain=domain, start=timezone.now(), sent=sent
        )
    page = text(ready.post("/campaigns/new/", regular_post(when="now")))
    assert "Send now to Tags: newsletter, customers (about 12,400 contacts)?" in page
    assert "“Autumn newsletter”, the last finished campaign sent to this audience" in page


def test_change_something_goes_back_with_everything_typed(ready):
    first = ready.post("/campaigns/new/", regular_post(when="now", subject="Kept subject"))
    back = ready.post("/campaigns/new/", press(first, BACK))
    body = back.content.decode()
    assert back.status_code == 200 and "errorlist" not in body
    assert 'value="Kept subject"' in body and 'value="outlook.com"' in body
    assert re.search(r'<input type="radio" name="when" value="now"[^>]*checked', body)
    assert not SandboxCampaign.objects.exists()


def test_attachments_are_kept_through_the_confirmation(ready):
    pdf = SimpleUploadedFile("terms.pdf", b"%PDF-1.4 hello")
    first = ready.post(
        "/campaigns/new/", {**regular_post(when="now", token="t-now"), "attachments": [pdf]}
    )
    assert "Attachments: terms.pdf." in text(first)
    assert 'type="file"' not in first.content.decode()  # nothing to choose again
    assert not SandboxCampaign.objects.exists()
    response = ready.post("/campaigns/new/", press(first, CONFIRM))
    assert response.status_code == 302
    assert received_attachments() == {"terms.pdf": digest(b"%PDF-1.4 hello")}
    assert not KeptUpload.objects.exists()  # sent: nothing left behind


def test_an_ab_test_started_now_is_confirmed_too(ready):
    first = ready.post("/campaigns/new/", ab_post(when="now"))
    page = text(first)
    assert "Send now to Tags: newsletter, customers (size unknown)?" in page
    assert "“Subject test” starts its A/B test as soon as you confirm." in page
    assert "20% get the test, split evenly between 3 subjects" in page
    assert not SandboxCampaign.objects.exists()
    assert ready.post("/campaigns/new/", press(first, CONFIRM)).status_code == 302
    assert SandboxCampaign.objects.get().data["ab_test"]["percent"] == 20


def test_an_ab_test_on_send_times_is_scheduled_by_its_variants(ready):
    post = ab_post(
        when="",
        send_time="",
        ab_dimension="send_times",
        **{"variant-TOTAL_FORMS": "2", "variant-0-value": "2099-01-01T10:00",
           "variant-1-value": "2099-01-01T16:00"},
    )  # fmt: skip
    assert ready.post("/campaigns/new/", post).status_code == 302
    created = SandboxCampaign.objects.get()
    assert created.data["ab_test"]["send_times"] == ["2099-01-01 10:00:00", "2099-01-01 16:00:00"]
    assert created.status == 0  # waits for its first variant's time


# --- 2. an edit never drops the schedule ---------------------------------------------------
@pytest.fixture
def no_run_time(settings):
    """EngageLab's answer without the schedule in `run_time` (the contract does not
    promise it before the campaign starts)."""
    settings.SANDBOX_ENGAGELAB_NO_SCHEDULE_IN_RUN_TIME = True


def test_an_edit_sends_the_schedule_engagelab_does_not_echo(ready, marketer, no_run_time):
    ready.force_login(living_in(marketer, "America/Toronto"))
    assert ready.post("/campaigns/new/", regular_post()).status_code == 302
    created = SandboxCampaign.objects.get()
    row = Campaign.objects.get()
    assert row.run_time is None  # EngageLab said nothing about when
    detail = text(ready.get(f"/campaigns/{created.id}/"))
    assert "Sends 2099-12-01 09:30 EST (UTC−5)" in detail
    assert "As Switchboard scheduled it" in detail
    # Edit the name only, as a browser would submit the prefilled form.
    edit = ready.get(f"/campaigns/{created.id}/edit/").content.decode()
    post = {**form_data(edit, "name"), "name": ["Winter newsletter v2"], "_action": "save"}
    assert post["when"] == ["schedule"] and post["send_time"] == ["2099-12-01T09:30"]
    assert ready.post(f"/campaigns/{created.id}/edit/", post).status_code == 302
    created.refresh_from_db()
    assert created.name == "Winter newsletter v2"
    assert created.data["send_time"] == "2099-12-01 09:30:00" and created.data["time_zone"] == -5
    assert created.status == 0  # still waiting for its time, not sending
    row.refresh_from_db()
    assert (row.sent_send_time, row.sent_time_zone) == ("2099-12-01 09:30:00", -5)


def test_turning_a_schedule_into_send_now_is_confirmed(ready, no_run_time):
    ready.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    first = ready.post(f"/campaigns/{cid}/edit/", regular_post(when="now"))
    page = text(first)
    assert "Send now to Tags: newsletter, customers (size unknown)?" in page
    assert (
        "instead of 2099-12-01 14:30 UTC (2099-12-01 09:30 UTC−5 at EngageLab) as scheduled" in page
    )
    assert SandboxCampaign.objects.get().status == 0
    assert ready.post(f"/campaigns/{cid}/edit/", press(first, CONFIRM)).status_code == 302
    sent = SandboxCampaign.objects.get()
    assert "send_time" not in sent.data and sent.status == 1
    assert Campaign.objects.get().sent_send_time == ""


def test_a_campaign_with_no_known_schedule_makes_the_user_choose(ready):
    mirror(31, "From the EngageLab console", audience_type="list", audience_values=["all"])
    body = ready.get("/campaigns/31/edit/").content.decode()
    when = re.search(r"<legend[^>]*>When</legend>.*?</fieldset>", body, re.S).group(0)
    assert "checked" not in when
