"""The campaign pages through Django's test client, EngageLab's sandbox behind them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from campaigns.models import Campaign, SyncStamp
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sync import sync_references
from dashboard.models import AuditEvent, ProviderCall, SandboxFault
from dashboard.providers import ProviderError
from dashboard.sandbox import set_fault
from tests.conftest import living_in

pytestmark = pytest.mark.django_db(transaction=True)


def mirror(provider_id=1, name="Spring sale", status=0, campaign_type=2, **extra):
    return Campaign.objects.create(
        provider_id=provider_id,
        name=name,
        status=status,
        campaign_type=campaign_type,
        create_time=timezone.now(),
        synced_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def builder_ready(engagelab):
    sync_references()
    return engagelab


def regular_post(**overrides):
    data = {
        "_action": "save",
        "campaign_type": "2",
        "name": "Winter newsletter",
        "audience_type": "tag",
        "audience_tags": ["newsletter", "customers"],
        "sender_id": "21",
        "template_invoke_name": "newsletter",
        "subject": "Hello winter",
        "reply_to": "care@switchboard.test",
        "when": "schedule",
        "send_time": "2099-12-01T09:30",
        "time_zone": "America/Toronto",
        "ab_dimension": "subjects",
        "ab_percent": "20",
        "ab_compare": "open_percent",
        "ab_after_time": "18",
        "ab_time_unit": "hour",
        "variant-TOTAL_FORMS": "2",
        "variant-INITIAL_FORMS": "0",
        "variant-0-value": "",
        "variant-1-value": "",
        "warmup-TOTAL_FORMS": "2",
        "warmup-INITIAL_FORMS": "0",
        "warmup-0-domain": "gmail.com",
        "warmup-0-rate": "1",
        "warmup-0-upgrade_value": "95",
        "warmup-0-downgrade_value": "75",
        "warmup-1-domain": "outlook.com",
        "warmup-1-rate": "2",
        "warmup-1-upgrade_value": "90",
        "warmup-1-downgrade_value": "70",
        "utm_campaign_name": "winter",
        "utm_source": "engagelab",
    }
    data.update(overrides)
    return data


def ab_post(**overrides):
    data = regular_post(
        campaign_type="1",
        name="Subject test",
        **{
            "variant-TOTAL_FORMS": "3",
            "variant-0-value": "Winter is here",
            "variant-1-value": "Your winter offers",
            "variant-2-value": "Don't miss winter",
            "warmup-TOTAL_FORMS": "0",
        },
    )
    data.update(overrides)
    return data


def test_list_filters_searches_sorts_and_paginates(client, marketer):
    for i in range(30):
        mirror(i + 1, f"Campaign {i:02d}", status=i % 3, campaign_type=1 if i % 2 else 2)
    client.force_login(marketer)
    body = client.get("/campaigns/").content.decode()
    assert "30 campaigns" in body and "Page 1 of 2" in body
    body = client.get("/campaigns/", {"q": "Campaign 07"}).content.decode()
    assert "Campaign 07" in body and "Campaign 08" not in body
    body = client.get("/campaigns/", {"status": "1", "campaign_type": "1"}).content.decode()
    assert "5 campaigns" in body
    body = client.get("/campaigns/", {"sort": "name"}).content.decode()
    assert body.index("Campaign 00") < body.index("Campaign 01")
    partial = client.get(
        "/campaigns/", {"q": "07"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<div id="results">') and "<html" not in partial


def test_list_says_when_it_was_synced_and_refresh_syncs(client, marketer, engagelab):
    client.force_login(marketer)
    assert "Never synced" in client.get("/campaigns/").content.decode()
    engagelab.campaign_create(
        {
            "campaign_type": 2,
            "name": "From EngageLab",
            "to": [{"type": "list", "value": ["all"]}],
            "sender_id": "21",
            "template_invoke_name": "newsletter",
        }
    )
    response = client.post("/campaigns/refresh/", {"query": "q=From"})
    assert response["Location"] == "/campaigns/?q=From"
    synced = SyncStamp.objects.get(name="campaigns").finished_at
    with time_machine.travel(synced + timedelta(seconds=42), tick=False):
        body = client.get("/campaigns/?q=From").content.decode()
    assert "From EngageLab" in body and "Synced 42 s ago" in body


def test_refresh_failure_is_a_message_not_an_error_page(client, marketer, engagelab):
    set_fault("engagelab", "error", status=503)
    client.force_login(marketer)
    response = client.post("/campaigns/refresh/", follow=True)
    assert response.status_code == 200
    assert "EngageLab is having trouble (HTTP 503)" in response.content.decode()


def test_detail_lays_out_the_campaign_for_a_person(client, manager):
    mirror(
        5,
        "Quebec launch",
        campaign_type=1,
        audience_type="tag",
        audience_values=["quebec"],
        run_time=timezone.datetime(
            2099,
            1,
            2,
            14,
            0,
            tzinfo=timezone.UTC if hasattr(timezone, "UTC") else __import__("datetime").UTC,
        ),
        time_zone="-5",
        ab_test={
            "percent": 20,
            "subjects": ["A one", "B two"],
            "win_condition": {"time_unit": "hour", "after_time": 18, "compare": "open_percent"},
        },
        google_track={"campaign_name": "launch"},
    )
    client.force_login(manager)
    body = client.get("/campaigns/5/").content.decode()
    assert (
        "20% get the test, split evenly between 2 subjects; after 18 hours the subject with "
        "the best open rate (every open counted) goes to the other 80%." in body
    )
    # In the manager's zone (the installation's, UTC), and as EngageLab reads it.
    assert "2099-01-02 14:00 UTC (2099-01-02 09:00 UTC−5 at EngageLab)" in body
    assert "Tag: quebec" in body and 'id="campaign-charts"' in body
    assert "launch" in body
    assert "Edit" not in body  # a manager changes nothing


def test_create_regular_campaign_sends_the_payload_and_mirrors_it(client, marketer, builder_ready):
    client.force_login(marketer)
    response = client.post("/campaigns/new/", regular_post())
    created = SandboxCampaign.objects.get()
    assert response.status_code == 302 and response.url == f"/campaigns/{created.id}/"
    data = created.data
    assert data["to"] == [{"type": "tag", "value": ["newsletter", "customers"]}]
    assert data["send_time"] == "2099-12-01 09:30:00" and data["time_zone"] == -5
    assert [w["domain"] for w in data["warm_up"]] == ["gmail.com", "outlook.com"]
    assert data["google_track"]["campaign_name"] == "winter"
    assert "ab_test" not in data
    row = Campaign.objects.get(provider_id=created.id)
    assert row.subject == "Hello winter"
    assert AuditEvent.objects.get().action == "created"
    body = client.get(response.url).content.decode()
    assert "Sends 2099-12-01 14:30 UTC (2099-12-01 09:30 UTC−5 at EngageLab)" in body
    assert "outlook.com: starts at rate level 2" in body


def test_create_ab_campaign(client, marketer, builder_ready):
    client.force_login(marketer)
    response = client.post("/campaigns/new/", ab_post())
    assert response.status_code == 302
    ab = SandboxCampaign.objects.get().data["ab_test"]
    assert ab["subjects"] == ["Winter is here", "Your winter offers", "Don't miss winter"]
    assert ab["percent"] == 20 and ab["win_condition"]["after_time"] == 18


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 65}, "Ensure this value has at most 64 characters"),
        ({"audience_tags": []}, "Choose at least one tag."),
        ({"sender_id": ""}, "Choose who the campaign is sent from."),
        ({"template_invoke_name": ""}, "Choose the template to send."),
        ({"reply_to": "nope"}, "Enter a valid email address."),
        ({"send_time": "2001-01-01T10:00"}, "has already passed"),
        ({"send_time": "tomorrow"}, "Enter a date and time"),
        ({"warmup-1-domain": "gmail.com"}, "gmail.com is already in the warm-up."),
        ({"warmup-1-domain": "not a domain"}, "Enter a recipient domain such as gmail.com."),
        ({"warmup-0-upgrade_value": "0"}, "Enter a percentage above 0 and at most 100"),
        ({"warmup-0-downgrade_value": "150"}, "Enter a percentage above 0 and at most 100"),
        ({"warmup-0-downgrade_value": "99"}, "keep this below the raise threshold"),
        ({"warmup-TOTAL_FORMS": "21"}, "at most 20 warm-up domains"),
        ({"utm_source": "s" * 65}, "at most 64 characters"),
    ],
)
def test_regular_form_rules(client, marketer, builder_ready, overrides, field_message):
    if overrides.get("warmup-TOTAL_FORMS") == "21":
        for i in range(21):
            overrides |= {
                f"warmup-{i}-domain": f"d{i}.com",
                f"warmup-{i}-rate": "1",
                f"warmup-{i}-upgrade_value": "90",
                f"warmup-{i}-downgrade_value": "50",
            }
    client.force_login(marketer)
    response = client.post("/campaigns/new/", regular_post(**overrides))
    body = response.content.decode()
    assert response.status_code == 422
    assert field_message in body
    assert 'value="Hello winter"' in body  # what the user typed stays
    assert not SandboxCampaign.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"variant-TOTAL_FORMS": "1"}, "An A/B test needs at least 2 variants."),
        ({"variant-2-value": "Winter is here"}, "Two variants are the same"),
        ({"variant-1-value": ""}, "Fill in this variant or remove it."),
        ({"ab_percent": "0"}, "greater than or equal to 1"),
        ({"ab_percent": "101"}, "less than or equal to 100"),
        ({"ab_after_time": "24"}, "waits at most 23 hours"),
        ({"ab_time_unit": "day", "ab_after_time": "11"}, "waits at most 10 days"),
        ({"ab_compare": "best"}, "Select a valid choice"),
        (
            {
                "ab_dimension": "template_invoke_names",
                "subject": "",
                "variant-TOTAL_FORMS": "2",
                "variant-0-value": "newsletter",
                "variant-1-value": "launch",
            },
            "the subject is required",
        ),
        (
            {
                "ab_dimension": "sender_ids",
                "variant-TOTAL_FORMS": "2",
                "variant-0-value": "21",
                "variant-1-value": "999",
            },
            "Select a valid choice",
        ),
        (
            {
                "ab_dimension": "send_times",
                "variant-TOTAL_FORMS": "2",
                "variant-0-value": "2099-01-01T10:00",
                "variant-1-value": "2000-01-01T10:00",
            },
            "has already passed",
        ),
    ],
)
def test_ab_form_rules(client, marketer, builder_ready, overrides, field_message):
    client.force_login(marketer)
    response = client.post("/campaigns/new/", ab_post(**overrides))
    assert response.status_code == 422
    assert field_message in response.content.decode()
    assert not SandboxCampaign.objects.exists()


def test_attachment_limits_are_checked_before_anything_is_sent(client, marketer, builder_ready):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(marketer)
    many = [SimpleUploadedFile(f"f{i}.txt", b"hello") for i in range(11)]
    body = client.post("/campaigns/new/", {**regular_post(), "attachments": many}).content.decode()
    assert "11 files chosen; EngageLab accepts at most 10." in body
    big = [
        SimpleUploadedFile("a.bin", b"0" * (6 * 2**20)),
        SimpleUploadedFile("b.bin", b"0" * (5 * 2**20)),
    ]
    body = client.post("/campaigns/new/", {**regular_post(), "attachments": big}).content.decode()
    assert "The files total 11.0 MB; EngageLab accepts at most 10 MB" in body
    assert not SandboxCampaign.objects.exists()
    ok = [SimpleUploadedFile("terms.pdf", b"%PDF-1.4 hello")]
    assert client.post("/campaigns/new/", {**regular_post(), "attachments": ok}).status_code == 302
    assert SandboxCampaign.objects.get().data["attachments"][0]["filename"] == "terms.pdf"
    assert Campaign.objects.get().attachments == [{"filename": "terms.pdf", "size": 14}]


def test_a_provider_error_returns_the_form_with_everything_typed(client, marketer, builder_ready):
    set_fault("engagelab", "error", status=503)
    client.force_login(marketer)
    response = client.post("/campaigns/new/", regular_post())
    body = response.content.decode()
    assert response.status_code == 422
    assert "EngageLab is having trouble (HTTP 503). Nothing was changed; try again." in body
    assert 'value="Winter newsletter"' in body and 'value="outlook.com"' in body
    assert AuditEvent.objects.get().outcome == "error"


def test_a_provider_rule_shows_on_its_field(client, marketer, builder_ready):
    client.force_login(marketer)
    # A tag removed on EngageLab since the last sync: the provider refuses, on the audience.
    from campaigns.models import ReferenceItem

    ReferenceItem.objects.create(kind="tag", key="ghost", label="ghost", synced_at=timezone.now())
    body = client.post("/campaigns/new/", regular_post(audience_tags=["ghost"])).content.decode()
    assert "EngageLab: tag does not exist: ghost (code 32103)" in body


def test_add_and_remove_rows_keep_what_was_typed(client, marketer, builder_ready):
    client.force_login(marketer)
    body = client.post("/campaigns/new/", ab_post(_action="add_variant")).content.decode()
    assert 'name="variant-3-value"' in body and "Your winter offers" in body
    assert "errorlist" not in body
    body = client.post("/campaigns/new/", ab_post(_action="remove_variant-0")).content.decode()
    assert 'value="Your winter offers"' in body and "Winter is here" not in body
    assert 'name="variant-2-value"' not in body
    body = client.post(
        "/campaigns/new/",
        regular_post(_action="remove_warmup-0"),
        headers={"HX-Request": "true", "X-Builder-Partial": "warmup_builder"},
    ).content.decode()
    assert body.lstrip().startswith('<fieldset id="warmup-builder"')
    assert "gmail.com" not in body and "outlook.com: starts at rate level 2" in body
    assert not SandboxCampaign.objects.exists()


def test_the_live_sentence_explains_the_test(client, marketer, builder_ready):
    client.force_login(marketer)
    body = client.post(
        "/campaigns/new/",
        ab_post(_action="preview", ab_percent="30", ab_time_unit="day", ab_after_time="2"),
        headers={"HX-Request": "true", "X-Builder-Partial": "ab_sentence"},
    ).content.decode()
    assert "30% get the test, split evenly between 3 subjects; after 2 days the subject" in body
    assert "goes to the other 70%" in body


def test_edit_prefills_and_saves(client, marketer, builder_ready):
    client.force_login(living_in(marketer, "America/Toronto"))
    client.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    body = client.get(f"/campaigns/{cid}/edit/").content.decode()
    assert 'value="Winter newsletter"' in body and 'value="2099-12-01T09:30"' in body
    assert 'value="outlook.com"' in body
    response = client.post(f"/campaigns/{cid}/edit/", regular_post(name="Winter newsletter v2"))
    assert response.status_code == 302
    assert SandboxCampaign.objects.get().name == "Winter newsletter v2"
    assert Campaign.objects.get().name == "Winter newsletter v2"


def test_editing_a_started_campaign_is_refused_up_front(client, marketer):
    mirror(9, "Already sending", status=1)
    client.force_login(marketer)
    response = client.get("/campaigns/9/edit/")
    assert response.status_code == 409
    assert "can no longer be edited" in response.content.decode()
    assert '<form method="post" enctype' not in response.content.decode()


def test_delete_names_the_campaign_and_deletes_it(client, marketer, builder_ready):
    client.force_login(marketer)
    client.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    body = client.get(f"/campaigns/{cid}/delete/").content.decode()
    assert "Delete “Winter newsletter”?" in body
    response = client.post(f"/campaigns/{cid}/delete/", follow=True)
    assert "Campaign “Winter newsletter” deleted." in response.content.decode()
    assert not SandboxCampaign.objects.exists() and not Campaign.objects.exists()


def test_a_failed_delete_keeps_the_campaign_and_says_why(client, marketer, builder_ready):
    client.force_login(marketer)
    client.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    set_fault("engagelab", "error", status=500)
    response = client.post(f"/campaigns/{cid}/delete/")
    assert response.status_code == 502
    assert "“Winter newsletter” was not deleted." in response.content.decode()
    assert Campaign.objects.exists()


@pytest.mark.parametrize("role", ["manager", "dialer"])
def test_managers_and_dialer_staff_cannot_change_campaigns(client, role_users, role):
    mirror(3, "Protected")
    client.force_login(role_users[role])
    for url in ("/campaigns/new/", "/campaigns/3/edit/", "/campaigns/3/delete/"):
        assert client.get(url).status_code == 403
        assert client.post(url, regular_post()).status_code == 403
    assert Campaign.objects.filter(provider_id=3).exists()


def test_dialer_staff_cannot_see_campaigns_but_managers_can(client, role_users):
    mirror(3, "Protected")
    client.force_login(role_users["dialer"])
    assert client.get("/campaigns/").status_code == 403
    assert client.get("/campaigns/3/").status_code == 403
    client.force_login(role_users["manager"])
    body = client.get("/campaigns/").content.decode()
    assert "Protected" in body and "New campaign" not in body


def test_a_regular_campaign_can_become_an_ab_test_and_back(client, marketer, builder_ready):
    client.force_login(marketer)
    client.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    assert client.post(f"/campaigns/{cid}/edit/", ab_post(name="Now a test")).status_code == 302
    data = SandboxCampaign.objects.get().data
    assert data["campaign_type"] == 1 and not data.get("warm_up") and data["ab_test"]["subjects"]
    assert client.post(f"/campaigns/{cid}/edit/", regular_post()).status_code == 302
    data = SandboxCampaign.objects.get().data
    assert data["campaign_type"] == 2 and "ab_test" not in data and len(data["warm_up"]) == 2
    assert Campaign.objects.get().ab_test is None


def test_a_campaign_that_starts_while_being_edited_sends_the_user_to_it(
    client, marketer, builder_ready
):
    client.force_login(marketer)
    client.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    SandboxCampaign.objects.filter(pk=cid).update(send_at=timezone.now())  # due now
    response = client.post(f"/campaigns/{cid}/edit/", regular_post(name="Too late"), follow=True)
    body = response.content.decode()
    assert "“Winter newsletter” has started sending." in body and "code 32110" in body
    assert SandboxCampaign.objects.get().name == "Winter newsletter"


def test_the_builder_never_fetches_its_choices_itself(client, marketer, engagelab):
    """Opening a page sends nothing to EngageLab: choices never synced are loaded by the
    list's refresh (a POST), and the builder says so meanwhile."""
    client.force_login(marketer)
    body = client.get("/campaigns/new/").content.decode()
    assert "Senders, templates and tags have not been loaded from EngageLab yet" in body
    assert "Seasonal promotion" not in body
    assert not ProviderCall.objects.exists()
    client.post("/campaigns/refresh/")
    body = client.get("/campaigns/new/").content.decode()
    assert "Switchboard News &lt;news@mail.switchboard.test&gt;" in body
    assert "Seasonal promotion" in body and "have not been loaded" not in body


def test_the_builder_says_when_its_choices_cannot_be_loaded(client, marketer, engagelab):
    set_fault("engagelab", "error", status=503)
    client.force_login(marketer)
    with pytest.raises(ProviderError):  # the worker's sync: every list refused
        sync_references()
    body = client.get("/campaigns/new/").content.decode()
    assert (
        "Senders, templates, tags and segments could not be loaded from EngageLab: EngageLab "
        "is having trouble (HTTP 503)." in body
    )


@pytest.mark.parametrize(
    ("path", "missing", "offered"),
    [
        ("/lists/segments", "Segments", "Switchboard News &lt;news@mail.switchboard.test&gt;"),
        ("/marketing/senders", "Senders", "Seasonal promotion"),
    ],
)
def test_the_builder_works_with_the_lists_it_has_and_names_the_missing_one(
    client, marketer, engagelab, path, missing, offered
):
    # A live account answered 404 to the (inferred) segment listing; either may be refused.
    set_fault("engagelab", "error", status=404, path_contains=path, remaining=1000)
    client.force_login(marketer)
    client.post("/campaigns/refresh/")
    body = client.get("/campaigns/new/").content.decode()
    assert (
        f"{missing} could not be loaded from EngageLab: Listing {missing.lower()} is not "
        "available on this EngageLab account." in body
    )
    assert offered in body and "Seasonal promotion" in body  # the other lists are offered
    client.post("/campaigns/refresh/")
    assert SandboxFault.objects.get().remaining == 999  # remembered, not asked again
    if missing == "Segments":
        response = client.post("/campaigns/new/", regular_post())
        assert response.status_code == 302
        assert SandboxCampaign.objects.get().name == "Winter newsletter"
