"""The team guide's "bad input and failures" promise, page by page, for EngageLab campaigns.

Each case goes through Django's test client with EngageLab's sandbox behind it over HTTP and one
fault injected: the page is never a 500, it names EngageLab and says what happened, the form
keeps what was typed, a failed write leaves the mirror as it was with an "error" audit event,
and a create is sent once. The 503-on-create, 500-on-delete and 503-on-refresh cases live in
test_pages.py; these are the other kinds and the junk inputs.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import requests
import responses
from django.utils import timezone

from campaigns.models import Campaign, WebhookEvent
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sandbox.simulation import signed_headers, webhook_url
from campaigns.stats import process_events
from campaigns.sync import sync_references
from dashboard.models import AuditEvent, ProviderCall
from dashboard.sandbox import clear_faults, set_fault
from tests.campaigns.conftest import digest, received_attachments
from tests.campaigns.test_pages import ab_post, mirror, regular_post
from tests.concurrency import eventually
from tests.html_forms import form_data, outcome_choices

pytestmark = pytest.mark.django_db(transaction=True)


def text(response) -> str:
    """What a user reads: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


FAULTS = {
    "429": ("rate_limit", {"retry_after": 60}, "EngageLab is rate limiting Switchboard's calls."),
    "malformed": ("malformed", {}, "EngageLab answered with something that is not JSON"),
    "503": ("error", {"status": 503}, "EngageLab is having trouble (HTTP 503)."),
}


@pytest.fixture
def ready(client, marketer, engagelab):
    sync_references()
    client.force_login(marketer)
    return client


def _created(client) -> int:
    assert client.post("/campaigns/new/", regular_post()).status_code == 302
    AuditEvent.objects.all().delete()
    return SandboxCampaign.objects.get().id


@pytest.mark.parametrize("fault", ["429", "malformed"])
def test_create_failure_keeps_the_form_and_sends_once(ready, fault):
    kind, options, message = FAULTS[fault]
    set_fault("engagelab", kind, **options)
    response = ready.post("/campaigns/new/", regular_post())
    body = response.content.decode()
    assert response.status_code == 422
    assert message in text(response)
    assert 'value="Winter newsletter"' in body and 'value="outlook.com"' in body
    assert not Campaign.objects.exists()
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("created", "error")]
    assert ProviderCall.objects.filter(method="POST", path="/v1/marketing/campaigns").count() == 1


@pytest.mark.parametrize("fault", ["timeout", "malformed"])
def test_an_unknown_outcome_keeps_the_form_and_offers_two_honest_choices(ready, fault):
    # No answer in time (or a 2xx that cannot be read) leaves EngageLab's side unknown.
    set_fault("engagelab", fault, remaining=1)
    response = ready.post("/campaigns/new/", regular_post(token="lost-answer"))
    page = text(response)
    assert response.status_code == 422
    assert "EngageLab may have created it anyway." in page
    assert "Check EngageLab" in page and "Create it anyway" in page
    assert "Schedule campaign" not in page  # the two choices replace the usual button
    assert 'value="Winter newsletter"' in response.content.decode()
    assert not Campaign.objects.exists()
    # Saving the same form again (Enter in a field) neither creates nor throws it away.
    again = ready.post("/campaigns/new/", {**outcome_choices(response), "_action": "save"})
    assert again.status_code == 409
    assert "Switchboard does not know whether it was created" in text(again)
    assert 'value="outlook.com"' in again.content.decode()
    assert "not created a second time" not in text(again)
    # "Check EngageLab" refreshes the list and says what is there.
    checked = ready.post("/campaigns/new/", {**outcome_choices(again), "_outcome": "check"})
    assert "EngageLab, refreshed just now, has no campaign named “Winter newsletter”." in text(
        checked
    )
    assert 'value="Winter newsletter"' in checked.content.decode()
    # "Create it anyway" creates it, once however often that choice is sent.
    anyway = {**outcome_choices(checked), "_outcome": "retry"}
    first = ready.post("/campaigns/new/", anyway)
    second = ready.post("/campaigns/new/", anyway)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert SandboxCampaign.objects.count() == 1
    assert ProviderCall.objects.filter(method="POST").count() == 2  # lost one, then one


def test_sending_now_anyway_is_confirmed_then_created_once(ready):
    set_fault("engagelab", "timeout", remaining=1)
    response = ready.post("/campaigns/new/", regular_post(when="now", confirmed="on", token="a"))
    assert "EngageLab may have created it anyway." in text(response)
    anyway = ready.post("/campaigns/new/", {**outcome_choices(response), "_outcome": "retry"})
    assert "Send now to Tags: customers, newsletter (size unknown)?" in text(anyway)
    confirm = {**form_data(anyway.content.decode(), "confirmed"), "_action": "save"}
    assert confirm["token"] != ["a"]  # the fresh one "Create it anyway" carried
    first, second = (ready.post("/campaigns/new/", confirm) for _ in range(2))
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert SandboxCampaign.objects.count() == 1


def test_check_links_the_campaign_engagelab_made_without_answering(ready):
    # EngageLab is slow: Switchboard gives up after 2 s, EngageLab creates it at 2.5 s.
    set_fault("engagelab", "latency", latency_ms=2500, remaining=1)
    response = ready.post("/campaigns/new/", regular_post(token="slow"))
    assert "EngageLab may have created it anyway." in text(response)
    eventually(SandboxCampaign.objects.exists)  # the sandbox answers nobody now
    created = SandboxCampaign.objects.get()
    checked = ready.post("/campaigns/new/", {**outcome_choices(response), "_outcome": "check"})
    assert "EngageLab has a campaign named “Winter newsletter”, created" in text(checked)
    assert f'href="/campaigns/{created.id}/">open “Winter newsletter”</a>' in (
        checked.content.decode()
    )
    assert SandboxCampaign.objects.count() == 1


def _token(client) -> str:
    page = client.get("/campaigns/new/").content.decode()
    return re.search(r'name="token" value="(\w+)"', page)[1]


def test_one_builder_creates_one_campaign_however_often_it_is_submitted(ready):
    post = regular_post(token=_token(ready))
    first = ready.post("/campaigns/new/", post)
    again = ready.post("/campaigns/new/", post)  # double click, or the browser resends it
    assert first.status_code == again.status_code == 302
    assert again.url == first.url  # to the campaign the first one created
    assert SandboxCampaign.objects.count() == 1 and Campaign.objects.count() == 1
    page = text(ready.get(again.url))
    assert "This campaign was already submitted; it was not created a second time." in page


def test_a_refused_create_may_be_saved_again_from_the_same_form(ready):
    post = regular_post(token=_token(ready))
    set_fault("engagelab", "error", status=503, remaining=1)
    assert ready.post("/campaigns/new/", post).status_code == 422
    assert ready.post("/campaigns/new/", post).status_code == 302
    assert SandboxCampaign.objects.count() == 1


def test_a_refused_create_does_not_claim_it_may_exist(ready):
    set_fault("engagelab", "rate_limit", retry_after=60)
    assert "may have created it" not in text(ready.post("/campaigns/new/", regular_post()))


@pytest.mark.parametrize("fault", ["429", "malformed", "503"])
def test_edit_failure_keeps_the_form_and_the_mirror(ready, fault):
    cid = _created(ready)
    kind, options, message = FAULTS[fault]
    set_fault("engagelab", kind, **options)
    response = ready.post(f"/campaigns/{cid}/edit/", regular_post(name="Renamed in the form"))
    assert response.status_code == 422
    assert message in text(response)
    assert 'value="Renamed in the form"' in response.content.decode()
    assert Campaign.objects.get().name == "Winter newsletter"
    assert SandboxCampaign.objects.get().name == "Winter newsletter"
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("updated", "error")]


def test_edit_of_a_campaign_deleted_on_engagelab_says_so(ready):
    cid = _created(ready)
    SandboxCampaign.objects.all().delete()
    response = ready.post(f"/campaigns/{cid}/edit/", regular_post(name="Renamed in the form"))
    assert response.status_code == 422
    assert f"EngageLab: campaign {cid} does not exist" in text(response)
    assert 'value="Renamed in the form"' in response.content.decode()


@pytest.mark.parametrize("fault", ["429", "malformed"])
def test_delete_failure_keeps_the_campaign(ready, fault):
    cid = _created(ready)
    kind, options, message = FAULTS[fault]
    set_fault("engagelab", kind, **options)
    response = ready.post(f"/campaigns/{cid}/delete/")
    assert response.status_code == 502
    assert "“Winter newsletter” was not deleted." in text(response) and message in text(response)
    assert Campaign.objects.exists() and SandboxCampaign.objects.exists()
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("deleted", "error")]


@pytest.mark.parametrize("fault", ["429", "malformed"])
def test_refresh_failure_is_a_message(ready, fault):
    mirror(77, "Kept while EngageLab fails")
    kind, options, message = FAULTS[fault]
    set_fault("engagelab", kind, **options)
    response = ready.post("/campaigns/refresh/", follow=True)
    assert response.status_code == 200
    assert "Could not refresh from EngageLab." in text(response) and message in text(response)
    assert Campaign.objects.filter(provider_id=77).exists()


# --- junk the user (or a crafted link) sends ------------------------------------------------
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/campaigns/?q=%C2%B2", "No campaign"),  # "²" counts as a digit for str.isdigit()
        ("/campaigns/?q=99999999999999999999999", "No campaign"),
        ("/campaigns/?page=abc&status=zz&sort=../..&campaign_type=9", "Winter sale"),
        ("/campaigns/?page=99999999999999999999", "Winter sale"),
        ("/campaigns/overview/data.json?period=../&format=csv", "campaign_id"),
    ],
)
def test_junk_query_strings_are_not_an_error_page(client, manager, url, shown):
    mirror(1, "Winter sale")
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_a_junk_statistics_table_name_downloads_the_timeline(client, manager):
    mirror(1, "Winter sale")
    client.force_login(manager)
    response = client.get("/campaigns/1/stats.csv", {"table": 'x"\r\nSet-Cookie: a=b'})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="campaign-1-timeline.csv"'
    assert response.content.decode().startswith("minute_utc,")


@pytest.mark.parametrize(
    ("post", "field_message"),
    [
        (regular_post(send_time="9999-12-31T23:59"), "is too far ahead"),
        (
            ab_post(
                ab_dimension="send_times",
                **{"variant-0-value": "9999-12-31T23:59", "variant-1-value": "2099-01-01T10:00"},
            ),
            "is too far ahead",
        ),
        (regular_post(campaign_type="abc", time_zone="zz"), "Select a valid choice"),
        (regular_post(**{"warmup-TOTAL_FORMS": "abc"}), "ManagementForm data is missing"),
    ],
    ids=["send-time-year-9999", "ab-send-time-year-9999", "junk-choices", "junk-formset"],
)
def test_junk_form_values_are_refused_on_the_form(ready, post, field_message):
    response = ready.post("/campaigns/new/", post)
    assert response.status_code == 422
    assert field_message in text(response)
    assert not ProviderCall.objects.filter(method="POST").exists()


# --- the webhook receiver: whatever EngageLab sends, never a 500 (it would resend forever) ----
@pytest.mark.parametrize(
    "events",
    [
        [{"message_id": "m1", "event": "open", "custom_args": {"campaign_id": 10**30}}],
        '[{"message_id": "m2", "event": "open", "custom_args": {"campaign_id": Infinity}}]',
        [{"message_id": "m3", "event": "open", "campaign_id": 1e300}],
        [1, "two", None],
    ],
    ids=["id-too-large", "id-infinity", "id-float-huge", "not-objects"],
)
def test_webhook_with_an_impossible_campaign_id_is_stored_without_one(sandbox, events):
    body = events if isinstance(events, str) else json.dumps(events)
    response = requests.post(webhook_url(), data=body, headers=signed_headers(), timeout=5)
    assert response.status_code == 200
    assert all(e.campaign_id is None for e in WebhookEvent.objects.all())


def test_one_event_with_a_text_time_does_not_stop_statistics(sandbox):
    events = [
        {"message_id": "a", "event": "open", "itime": "soon", "custom_args": {"campaign_id": 5}},
        {"message_id": "b", "event": "open", "itime": 1_700_000_000_000,
         "custom_args": {"campaign_id": 5}, "response_data": {"email": "x@gmail.com"}},
    ]  # fmt: skip
    assert requests.post(
        webhook_url(), data=json.dumps(events), headers=signed_headers(), timeout=5
    ).json() == {"received": 2, "new": 2}
    assert process_events() == 2
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()


def test_mirror_row_is_untouched_when_a_started_campaign_is_posted(client, marketer):
    mirror(9, "Already sending", status=1, run_time=timezone.now())
    client.force_login(marketer)
    response = client.post("/campaigns/9/edit/", regular_post(name="Too late"))
    assert response.status_code == 409
    assert Campaign.objects.get().name == "Already sending"
    assert not AuditEvent.objects.exists()


def test_an_update_that_worked_is_saved_when_the_reread_fails(ready, monkeypatch):
    # EngageLab takes the change, then fails the read that refreshes the mirror: the user is
    # told it was saved and the mirror carries what was sent until the next sync.
    from campaigns.client import EngageLabClient

    cid = _created(ready)
    update = EngageLabClient.campaign_update

    def update_then_break(self, *args, **kwargs):
        count = update(self, *args, **kwargs)
        set_fault("engagelab", "rate_limit", retry_after=60)  # 429: not retried, no wait
        return count

    monkeypatch.setattr(EngageLabClient, "campaign_update", update_then_break)
    response = ready.post(
        f"/campaigns/{cid}/edit/", regular_post(name="Renamed", subject="New subject")
    )
    assert response.status_code == 302
    assert SandboxCampaign.objects.get().name == "Renamed"
    row = Campaign.objects.get()
    assert (row.name, row.subject) == ("Renamed", "New subject")
    assert list(AuditEvent.objects.values_list("action", "outcome")) == [("updated", "ok")]


def test_a_refused_create_keeps_its_attachments_for_the_next_try(ready):
    from django.core.files.uploadedfile import SimpleUploadedFile

    set_fault("engagelab", "rate_limit", retry_after=60)
    files = [SimpleUploadedFile("terms.pdf", b"%PDF-1.4 hello")]
    response = ready.post("/campaigns/new/", {**regular_post(token="t-429"), "attachments": files})
    assert response.status_code == 422
    assert "Kept: terms.pdf" in text(response)
    assert 'value="Winter newsletter"' in response.content.decode()
    clear_faults()
    again = ready.post("/campaigns/new/", {**form_data(response.content.decode(), "token")})
    assert again.status_code == 302
    assert received_attachments() == {"terms.pdf": digest(b"%PDF-1.4 hello")}


# --- answers the sandbox never gives: a success without the fields Switchboard reads -------
@pytest.fixture
def engagelab_offline(settings, client, marketer):
    """EngageLab at a fake address answered by `responses`, the builder's choices mirrored."""
    from campaigns.models import ReferenceItem

    settings.SANDBOX = False
    settings.ENGAGELAB_BASE_URL = "https://el.example"
    settings.ENGAGELAB_API_USER, settings.ENGAGELAB_API_KEY = "user", "key"
    for kind, key in [("sender", "21"), ("template", "newsletter"), ("tag", "newsletter"),
                      ("tag", "customers")]:  # fmt: skip
        ReferenceItem.objects.create(kind=kind, key=key, label=key, synced_at=timezone.now())
    client.force_login(marketer)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_created_campaign_without_an_id_is_a_message_not_a_500(client, engagelab_offline):
    engagelab_offline.post(
        "https://el.example/v1/marketing/campaigns", json={"result": {"name": "Winter newsletter"}}
    )
    response = client.post("/campaigns/new/", regular_post())
    page = text(response)
    assert response.status_code == 422
    assert "EngageLab did not confirm the campaign; check it there before trying again." in page
    assert "EngageLab may have created it anyway" in page
    assert not Campaign.objects.exists()
    assert len(engagelab_offline.calls) == 1


def test_a_listing_row_without_an_id_refreshes_nothing(client, engagelab_offline):
    mirror(77, "Kept")
    engagelab_offline.get(
        "https://el.example/v1/marketing/campaigns",
        json={"result": [{"name": "No id", "campaign_type": "x"}], "count": 1, "total": 1},
    )
    response = client.post("/campaigns/refresh/", follow=True)
    assert response.status_code == 200
    assert "Could not refresh from EngageLab." in text(response)
    assert list(Campaign.objects.values_list("provider_id", flat=True)) == [77]


def test_nul_characters_in_an_event_are_dropped_before_it_is_stored(sandbox):
    # PostgreSQL refuses NUL in text and JSON: stored as sent, the batch would fail forever.
    events = [{"message_id": "m\u0000", "event": "click\u0000", "itime": 1_700_000_000_000,
               "custom_args": {"campaign_id": 5}, "response_data": {"email": "a\u0000@gmail.com"},
               "url\u0000": "https://shop.example/\u0000"}]  # fmt: skip
    response = requests.post(
        webhook_url(), data=json.dumps(events), headers=signed_headers(), timeout=5
    )
    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert "\\u0000" not in json.dumps(stored.payload) and stored.kind == "click"
    assert process_events() == 1


def test_refresh_says_what_was_refreshed_when_only_the_choices_fail(ready, engagelab):
    engagelab.campaign_create(
        {
            "campaign_type": 2,
            "name": "Made on EngageLab",
            "to": [{"type": "list", "value": ["all"]}],
            "sender_id": "21",
            "template_invoke_name": "newsletter",
        }  # fmt: skip
    )
    set_fault("engagelab", "error", status=503, path_contains="/v1/templates")
    page = text(ready.post("/campaigns/refresh/", follow=True))
    assert "Made on EngageLab" in page
    assert "Campaigns refreshed from EngageLab (" in page
    assert "Templates could not be loaded from EngageLab: EngageLab is having trouble" in page
    assert "Could not refresh" not in page
