"""An adversarial table of bad input and provider failures on every dialer form and action,
through the test client with CCAI's sandbox over real HTTP: never a 500, a clear message that
names CCAI Platform, what the user typed kept, nothing half written, no write sent twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEvent, ProviderCall
from dashboard.sandbox import clear_faults, set_fault
from dialer.models import DialerCampaign, DialerContact, DialerImport
from dialer.sandbox.models import SandboxCampaign, SandboxContact, SandboxImportJob
from tests.dialer.conftest import make_contact, worker_poll

pytestmark = pytest.mark.django_db(transaction=True)

# What each injected fault looks like to the user (the timeout case is in its own test: slow).
FAULTS = {
    "500": ({"kind": "error", "status": 500}, "CCAI Platform is having trouble (HTTP 500)"),
    "503": ({"kind": "error", "status": 503}, "CCAI Platform is having trouble (HTTP 503)"),
    "429": (
        {"kind": "rate_limit", "retry_after": 60},
        "CCAI Platform is rate limiting Switchboard&#x27;s calls. Try again in 60 s.",
    ),
    "malformed": (
        {"kind": "malformed"},
        "CCAI Platform answered with something that is not JSON (HTTP 200).",
    ),
}
TIMEOUT = "CCAI Platform did not answer within 2 s."
NOT_CSV = "This is not a CSV or JSON file"


def fault(name: str, **where) -> str:
    options, message = FAULTS[name]
    set_fault("ccai", **options, **where)
    return message


def calls(method: str, path_end: str) -> int:
    return ProviderCall.objects.filter(
        provider="ccai", method=method, path__endswith=path_end
    ).count()


def outcomes(action: str) -> list[str]:
    return list(AuditEvent.objects.filter(action=action).values_list("outcome", flat=True))


# --- Add a contact --------------------------------------------------------------------------

TYPED = {"name": "Cy Diaz", "phone_number": "+1 (438) 555-0199", "email": "cy@example.com"}


def _add(client, campaign):
    return client.post(reverse("dialer:contact_add", args=[campaign.provider_id]), TYPED)


def _assert_add_failed(response, message):
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    for value in ('value="Cy Diaz"', 'value="+1 (438) 555-0199"', 'value="cy@example.com"'):
        assert value in page
    assert not DialerContact.objects.filter(name="Cy Diaz").exists()
    assert outcomes("add") == ["error"]
    # A POST that creates is never re-sent by Switchboard, whatever the failure.
    assert calls("POST", "/contacts") == 1


# 503 and 429 are the statuses a read would be retried on: an add must still go out once.
@pytest.mark.parametrize("name", ["500", "503", "429", "malformed"])
def test_add_contact_provider_failure(client, dialer_staff, synced, name):
    message = fault(name)
    client.force_login(dialer_staff)
    _assert_add_failed(_add(client, synced), message)
    assert not SandboxContact.objects.filter(name="Cy Diaz").exists()


def test_add_contact_to_a_campaign_gone_at_the_provider(client, dialer_staff, synced):
    SandboxCampaign.objects.filter(pk=synced.provider_id).delete()
    client.force_login(dialer_staff)
    _assert_add_failed(_add(client, synced), "CCAI Platform: Resource not found")


def test_add_contact_refused_in_invalid_contacts_writes_nothing(client, dialer_staff, synced):
    make_contact(SandboxCampaign.objects.get(pk=synced.provider_id), "+14385550199")
    client.force_login(dialer_staff)
    _assert_add_failed(
        _add(client, synced),
        "CCAI Platform refused the contact: Phone number has already been taken",
    )


@responses.activate
def test_add_contact_answered_with_lists_that_are_not_lists(client, dialer_staff, settings):
    settings.SANDBOX, settings.SWITCHBOARD_URL = True, "http://ccai.test"
    campaign = DialerCampaign.objects.create(provider_id=5, name="Spring renewals")
    responses.post(
        "http://ccai.test/sandbox/ccai/apps/api/v1/outbound_dialer/campaigns/5/contacts",
        json={"valid_contacts": 1, "invalid_contacts": 5},
    )
    client.force_login(dialer_staff)
    response = _add(client, campaign)
    assert response.status_code == 200
    assert "CCAI Platform refused the contact: no contact was accepted" in (
        response.content.decode()
    )
    assert not DialerContact.objects.exists() and outcomes("add") == ["error"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "This field is required."),
        ("name", "x" * 256, "at most 255 characters"),
        ("phone_number", "+1 438 555 0199" + "9" * 30, "at most 40 characters"),
        ("email", "", "This field is required."),
        ("outbound_number", "112", "emergency number"),
        ("phone_number", "911", "911 is an emergency number"),
        ("phone_number", "514 555 0199", "has no country code"),
        ("phone_number", "call me", "is not a phone number"),
        ("phone_number", "+1 514 555 0101", "already in this campaign (Ana Lima)"),
        ("email", "cy@", "Enter a valid email address."),
    ],
)
def test_add_contact_bad_input_stays_on_the_field(
    client, dialer_staff, synced, field, value, message
):
    client.force_login(dialer_staff)
    response = client.post(
        reverse("dialer:contact_add", args=[synced.provider_id]), {**TYPED, field: value}
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'id="id_{field}_error"' in page
    assert 'value="cy@example.com"' in page or field == "email"
    assert 'value="Cy Diaz"' in page or field == "name"
    assert calls("POST", "/contacts") == 0
    assert SandboxContact.objects.count() == 2  # Ana Lima and Bo Chen only


# --- Inline edit (htmx) ---------------------------------------------------------------------

EDIT = {"name": "Ana Souza", "phone_number": "+1 514-555-0111", "email": "ana@souza.com"}


def _edit(client, campaign):
    ana = DialerContact.objects.get(name="Ana Lima")
    url = reverse("dialer:contact_edit", args=[campaign.provider_id, ana.pk])
    return ana, client.post(url, EDIT, HTTP_HX_REQUEST="true")


def _assert_edit_failed(ana, response, message):
    row = response.content.decode()
    assert response.status_code == 200
    assert row.lstrip().startswith(f'<tr id="contact-{ana.pk}" class="editing"')
    assert message in row
    for value in ('value="Ana Souza"', 'value="+1 514-555-0111"', 'value="ana@souza.com"'):
        assert value in row
    ana.refresh_from_db()
    assert (ana.name, ana.email) == ("Ana Lima", "ana@example.com")
    assert SandboxContact.objects.get(pk=ana.provider_id).name == "Ana Lima"
    assert outcomes("edit") == ["error"]


def test_a_field_in_error_is_described_by_its_help_and_its_message(client, dialer_staff, synced):
    """The add form's fields render like every Switchboard field: a field in error is
    aria-invalid, and each id its aria-describedby names is on the page (its help, its
    message); a required field's label keeps its asterisk."""
    client.force_login(dialer_staff)
    page = client.post(
        reverse("dialer:contact_add", args=[synced.provider_id]), {**TYPED, "phone_number": "911"}
    ).content.decode()
    phone = re.search(r'<input[^>]*\bid="id_phone_number"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in phone
    described = re.search(r'aria-describedby="([^"]*)"', phone).group(1).split()
    assert described == ["id_phone_number_helptext", "id_phone_number_error"]
    assert all(f'id="{target}"' in page for target in described)
    assert "With + and the country code" in page and "911 is an emergency number" in page
    assert 'for="id_name">Name <span aria-hidden="true">*</span></label>' in page
    assert 'for="id_external_unique_id">External id</label>' in page


@pytest.mark.parametrize("name", ["503", "429", "malformed"])
def test_inline_edit_provider_failure_keeps_the_row_in_edit_mode(
    client, dialer_staff, synced, name
):
    message = fault(name)
    client.force_login(dialer_staff)
    ana, response = _edit(client, synced)
    _assert_edit_failed(ana, response, message)


def test_inline_edit_refused_with_a_422_message_body(client, dialer_staff, synced):
    # The provider has this number on another contact Switchboard's copy does not know yet.
    make_contact(SandboxCampaign.objects.get(pk=synced.provider_id), "+15145550111", "Zed")
    client.force_login(dialer_staff)
    ana, response = _edit(client, synced)
    _assert_edit_failed(ana, response, "CCAI Platform: Phone number has already been taken")


def test_edit_without_javascript_keeps_the_page_and_what_was_typed(client, dialer_staff, synced):
    message = fault("429")
    client.force_login(dialer_staff)
    ana = DialerContact.objects.get(name="Ana Lima")
    url = reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk])
    response = client.post(url, EDIT)
    page = response.content.decode()
    assert response.status_code == 200 and message in page and 'role="alert"' in page
    assert 'value="Ana Souza"' in page and 'value="+1 514-555-0111"' in page
    assert outcomes("edit") == ["error"]


def test_edit_of_a_contact_ccai_has_not_numbered_yet_is_not_sent(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    ana = DialerContact.objects.get(name="Ana Lima")
    DialerContact.objects.filter(pk=ana.pk).update(provider_id=None)
    _, response = _edit(client, synced)
    row = response.content.decode()
    assert 'class="editing"' in row and 'value="Ana Souza"' in row
    assert "still being registered at CCAI Platform; edit it in a moment." in row
    assert calls("PATCH", "/contact") == 0


# --- Delete ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["503", "429", "malformed"])
def test_delete_provider_failure_keeps_the_contact(client, dialer_staff, synced, name):
    message = fault(name)
    client.force_login(dialer_staff)
    bo = DialerContact.objects.get(name="Bo Chen")
    response = client.post(
        reverse("dialer:contact_delete", args=[synced.provider_id, bo.pk]), follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bo Chen was not deleted." in page and message in page
    assert DialerContact.objects.filter(pk=bo.pk).exists()
    assert SandboxContact.objects.filter(name="Bo Chen").exists()
    assert outcomes("delete") == ["error"]


def test_delete_of_a_contact_ccai_no_longer_has_cleans_the_mirror(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    bo = DialerContact.objects.get(name="Bo Chen")
    SandboxContact.objects.filter(pk=bo.provider_id).delete()
    page = client.post(
        reverse("dialer:contact_delete", args=[synced.provider_id, bo.pk]), follow=True
    ).content.decode()
    assert "Deleted Bo Chen (+1 514-555-0102) (CCAI Platform no longer had it)." in page
    assert not DialerContact.objects.filter(pk=bo.pk).exists()
    assert outcomes("delete") == ["ok"]


# --- Refresh actions ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["500", "429", "malformed"])
@pytest.mark.parametrize(
    "action", ["dialer:campaign_list_refresh", "dialer:campaign_contacts_refresh"]
)
def test_refresh_failure_is_a_message_and_keeps_the_mirror(client, manager, synced, action, name):
    message = fault(name)
    client.force_login(manager)
    args = [synced.provider_id] if action == "dialer:campaign_contacts_refresh" else []
    response = client.post(reverse(action, args=args), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Could not refresh from CCAI Platform." in page and message in page
    assert DialerContact.objects.filter(campaign=synced).count() == 2


def test_board_refresh_of_a_campaign_gone_at_the_provider(client, manager, synced):
    SandboxCampaign.objects.filter(pk=synced.provider_id).delete()
    client.force_login(manager)
    response = client.post(
        reverse("dialer:campaign_contacts_refresh", args=[synced.provider_id]), follow=True
    )
    assert response.status_code == 200
    assert "CCAI Platform: Resource not found" in response.content.decode()


@responses.activate
@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ({"message": "Campaign is being updated"}, "sent the campaign without its id"),
        ({"id": "abc"}, "sent the campaign without its id"),
        ([], "sent an unexpected answer for the campaign"),
    ],
)
def test_board_refresh_when_ccai_answers_200_without_a_campaign(
    client, manager, settings, body, sentence
):
    settings.SANDBOX, settings.SWITCHBOARD_URL = True, "http://ccai.test"
    campaign = DialerCampaign.objects.create(provider_id=5, name="Spring renewals")
    responses.get(
        "http://ccai.test/sandbox/ccai/manager/api/v1/outbound_dialer/campaigns/5", json=body
    )
    client.force_login(manager)
    response = client.post(
        reverse("dialer:campaign_contacts_refresh", args=[campaign.provider_id]), follow=True
    )
    assert response.status_code == 200
    assert f"Could not refresh from CCAI Platform. CCAI Platform {sentence}" in (
        response.content.decode()
    )
    campaign.refresh_from_db()
    assert campaign.name == "Spring renewals"


@responses.activate
def test_refresh_of_a_listing_with_an_unidentified_campaign_removes_nothing(
    client, manager, settings
):
    settings.SANDBOX, settings.SWITCHBOARD_URL = True, "http://ccai.test"
    kept = DialerCampaign.objects.create(provider_id=6, name="Autumn follow-up")
    responses.get(
        "http://ccai.test/sandbox/ccai/manager/api/v1/outbound_dialer/campaigns",
        json=[{"id": 5, "name": "Spring renewals"}, {"id": None, "name": "Autumn follow-up"}],
    )
    client.force_login(manager)
    page = client.post(reverse("dialer:campaign_list_refresh"), follow=True).content.decode()
    assert (
        "Could not refresh from CCAI Platform. CCAI Platform sent a campaign without its id; "
        "nothing was changed." in page
    )
    assert DialerCampaign.objects.filter(pk=kept.pk).exists()


@responses.activate
def test_a_listing_with_a_contact_without_its_status_changes_no_contact(client, manager, settings):
    """The board counts contacts by status: a listing whose contact has none is refused, and
    the mirror keeps what it had (not a contact in the total and in none of the 21 chips)."""
    settings.SANDBOX, settings.SWITCHBOARD_URL = True, "http://ccai.test"
    campaign = DialerCampaign.objects.create(provider_id=5, name="Spring renewals")
    DialerContact.objects.create(campaign=campaign, provider_id=1, name="Ana Lima",
                                 phone_number="+15145550101", status="Upcoming")  # fmt: skip
    base = "http://ccai.test/sandbox/ccai"
    responses.get(f"{base}/manager/api/v1/outbound_dialer/campaigns/5",
                  json={"id": 5, "name": "Spring renewals"})  # fmt: skip
    responses.get(
        f"{base}/apps/api/v1/outbound_dialer/campaigns/5/contacts",
        json=[{"id": 1, "name": "Ana Lima", "status": "Finished"}, {"id": 2, "name": "Bo Chen"}],
    )
    client.force_login(manager)
    response = client.post(reverse("dialer:campaign_contacts_refresh", args=[5]), follow=True)
    assert "CCAI Platform sent a contact without its status; nothing was changed." in (
        response.content.decode()
    )
    assert list(DialerContact.objects.values_list("name", "status")) == [("Ana Lima", "Upcoming")]


# --- Import: send and follow ----------------------------------------------------------------

CSV = b"name,phone,email\nCy Diaz,+1 438 555 0101,cy@ex.com\n"
MAPPING = {"name": "name", "phone_number": "phone", "email": "email"}


def _previewed(client, campaign) -> DialerImport:
    client.post(
        reverse("dialer:import_create", args=[campaign.provider_id]),
        {"file": SimpleUploadedFile("contacts.csv", CSV, content_type="text/csv")},
    )
    staged = DialerImport.objects.get()
    client.post(reverse("dialer:import_map", args=[staged.pk]), MAPPING)
    staged.refresh_from_db()
    assert staged.state == "previewed"
    return staged


def _assert_send_failed(client, staged, response, message):
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    staged.refresh_from_db()
    assert staged.state == "previewed" and "Import 1 contact" in page
    assert calls("POST", "/contacts/import") == 1
    assert outcomes("send") == ["error"]
    assert not DialerContact.objects.filter(name="Cy Diaz").exists()


@pytest.mark.parametrize("name", ["503", "429"])
def test_import_send_failure_keeps_it_ready_and_sends_once(client, dialer_staff, synced, name):
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    message = fault(name)
    response = client.post(reverse("dialer:import_send", args=[staged.pk]), follow=True)
    _assert_send_failed(client, staged, response, message)
    assert "Nothing was imported." in response.content.decode()
    assert SandboxImportJob.objects.count() == 0


@pytest.mark.parametrize("name", ["malformed", "timeout"])
def test_import_send_with_an_unknown_outcome_does_not_claim_nothing_was_imported(
    client, dialer_staff, synced, name
):
    """An unreadable 200 or no answer at all: CCAI may have started the job. Saying "Nothing
    was imported" would invite a resend of contacts that are already there."""
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    if name == "timeout":
        set_fault("ccai", "timeout")
        message = TIMEOUT
    else:
        message = fault(name)
    response = client.post(reverse("dialer:import_send", args=[staged.pk]), follow=True)
    _assert_send_failed(client, staged, response, message)
    page = response.content.decode()
    assert "Nothing was imported" not in page
    assert "may have started" in page and "before sending again" in page


def test_import_send_to_a_campaign_gone_at_the_provider(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    SandboxCampaign.objects.filter(pk=synced.provider_id).delete()
    response = client.post(reverse("dialer:import_send", args=[staged.pk]), follow=True)
    _assert_send_failed(client, staged, response, "CCAI Platform: Resource not found")


@pytest.mark.parametrize("name", ["503", "429", "malformed"])
def test_import_progress_failure_keeps_polling_with_a_message(
    client, dialer_staff, synced, clock, name
):
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    message = fault(name, path_contains="/jobs/")
    worker_poll()
    response = client.get(reverse("dialer:import_progress", args=[staged.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Could not ask for the job's status just now" in page and message in page
    assert "every 1s" in page
    staged.refresh_from_db()
    assert staged.state == "in_progress" and not DialerContact.objects.filter(name="Cy Diaz")


def test_the_progress_poll_asks_ccai_nothing_and_changes_nothing(
    client, dialer_staff, synced, clock
):
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    url = reverse("dialer:import_progress", args=[staged.pk])
    before = DialerImport.objects.values().get()
    for _ in range(3):
        assert "every 1s" in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert not ProviderCall.objects.filter(path__contains="/jobs/").exists()
    assert DialerImport.objects.values().get() == before
    worker_poll()
    assert ProviderCall.objects.filter(path__contains="/jobs/").count() == 1


def test_progress_polls_wait_for_a_429s_retry_after(client, dialer_staff, synced, clock):
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    message = fault("429", path_contains="/jobs/")
    url = reverse("dialer:import_progress", args=[staged.pk])
    worker_poll()
    assert message in client.get(url).content.decode()
    clear_faults("ccai")
    # Five seconds later (past the usual one-second spacing, well within the 60 s asked for).
    DialerImport.objects.filter(pk=staged.pk).update(
        checked_at=F("checked_at") - timedelta(seconds=5)
    )
    worker_poll()
    page = client.get(url).content.decode()
    assert message in page and "every 1s" in page
    assert ProviderCall.objects.filter(path__contains="/contacts/jobs/").count() == 1


def test_an_interrupted_send_polled_back_to_ready_offers_the_send_button(
    client, dialer_staff, synced
):
    client.force_login(dialer_staff)
    staged = _previewed(client, synced)
    DialerImport.objects.filter(pk=staged.pk).update(  # its request died: the lease ran out
        state="submitting", submitted_at=timezone.now(), lease_until=timezone.now()
    )
    url = reverse("dialer:import_progress", args=[staged.pk])
    assert "Sending was interrupted" not in client.get(url).content.decode()
    worker_poll()  # the worker puts the interrupted send back to ready
    page = client.get(url).content.decode()
    assert "Sending was interrupted before CCAI Platform answered." in page
    assert "Import 1 contact" in page and "every 1s" not in page


# --- Import: garbage uploads and mapping ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff\xe0" * 50, NOT_CSV),
        ("contacts.csv", b"\x1f\x8b\x08\x00\xff\xfe\x00\x00" * 50, NOT_CSV),
        ("contacts.csv", bytes(range(256)) * 40, NOT_CSV),
        ("contacts.csv", b"name,phone\n" + b"x" * 200_000 + b",+1\n", "is not valid CSV"),
        ("contacts.json", b'{"name": "Ana", "phone": "+15145550101"}', "must hold an array"),
        ("contacts.json", b"[[1, 2]]", "holds no contact objects"),
        ("contacts.json", b"42", "must hold an array"),
        ("<img src=x onerror=alert(1)>.json", b"42", "&lt;img src=x onerror=alert(1)&gt;.json:"),
        ("deep.json", b"[" * 100_000, "Item 1 of the JSON is nested too deeply"),
        ("deep.json", b'[{"a": 1}, {"a": ' + b"[" * 100_000, "Item 2 of the JSON is nested"),
        ("contacts.csv", b"name,phone,email\n", "no contacts"),
    ],
)
def test_garbage_upload_is_refused_on_the_field(
    client, dialer_staff, synced, name, content, message
):
    client.force_login(dialer_staff)
    response = client.post(
        reverse("dialer:import_create", args=[synced.provider_id]),
        {"file": SimpleUploadedFile(name, content)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_file_error"' in page and message in page
    assert "<img" not in page
    assert not DialerImport.objects.exists()


def test_upload_over_the_size_limit(client, dialer_staff, synced, monkeypatch):
    client.force_login(dialer_staff)
    url = reverse("dialer:import_create", args=[synced.provider_id])
    monkeypatch.setattr("dialer.forms.MAX_UPLOAD_BYTES", len(CSV) - 1)
    page = client.post(url, {"file": SimpleUploadedFile("c.csv", CSV)}).content.decode()
    assert "The file is larger than 50 MB; split it." in page
    assert not DialerImport.objects.exists()


def test_one_column_csv_cannot_be_mapped_and_says_why(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    client.post(
        reverse("dialer:import_create", args=[synced.provider_id]),
        {"file": SimpleUploadedFile("phones.csv", b"phone\n+15145550199\n+15145550198\n")},
    )
    staged = DialerImport.objects.get()
    url = reverse("dialer:import_map", args=[staged.pk])
    response = client.post(url, {"name": "phone", "phone_number": "phone"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“phone” is already used for Name." in page
    assert "Choose the column holding the email." in page
    junk = client.post(url, {"name": "nope", "phone_number": "<b>x</b>", "email": "phone"})
    assert junk.status_code == 200
    assert "Select a valid choice. nope is not one of the available choices." in (
        junk.content.decode()
    )
    staged.refresh_from_db()
    assert staged.state == "uploaded" and calls("POST", "/contacts/import") == 0


# --- Board: junk query strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc", "status": "zz", "q": "<script>alert(1)</script>"},
        {"page": "99999999999999999999999"},
        {"page": "99999999999999999999999", "q": "Ana"},
        {"page": "99999999999999999999999", "q": "+1 514"},
        {"page": "-4", "status": "upcoming", "q": "x" * 5000},
        {"q": "\x00 Ana", "page": "1e9"},
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_board_survives_junk_query_strings(client, manager, synced, query, htmx):
    client.force_login(manager)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(
        reverse("dialer:campaign_detail", args=[synced.provider_id]), query, **headers
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in page


# --- Ids that do not exist, or do not belong together ----------------------------------------


def test_unknown_or_mismatched_ids_are_404(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    before = ProviderCall.objects.count()
    other = DialerCampaign.objects.create(provider_id=999, name="Other")
    ana = DialerContact.objects.get(name="Ana Lima")
    gets = [
        ("dialer:campaign_detail", [12345]),
        ("dialer:contact_add", [12345]),
        ("dialer:import_create", [12345]),
        ("dialer:contact_row", [other.provider_id, ana.pk]),
        ("dialer:contact_edit", [other.provider_id, ana.pk]),
        ("dialer:contact_delete", [other.provider_id, ana.pk]),
        ("dialer:contact_edit", [synced.provider_id, 12345]),
        ("dialer:import_detail", [12345]),
        ("dialer:import_map", [12345]),
        ("dialer:import_progress", [12345]),
        ("dialer:import_rejected", [12345]),
        ("dialer:import_row_fix", [12345]),
    ]
    for name, args in gets:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    posts = gets[1:3] + gets[4:7] + [("dialer:campaign_contacts_refresh", [12345])]
    posts += [("dialer:import_map", [12345]), ("dialer:import_send", [12345])]
    posts += [("dialer:import_reformat", [12345]), ("dialer:import_check_restart", [12345])]
    for name, args in posts:
        assert client.post(reverse(name, args=args), TYPED).status_code == 404, name
    assert SandboxContact.objects.filter(name="Ana Lima").exists()
    assert ProviderCall.objects.count() == before


# --- Who may do what, and CSRF ---------------------------------------------------------------


def _urls(campaign, staged):
    ana = DialerContact.objects.get(name="Ana Lima")
    views = [
        ("dialer:campaign_list", []),
        ("dialer:campaign_detail", [campaign.provider_id]),
        ("dialer:contact_row", [campaign.provider_id, ana.pk]),
        ("dialer:import_detail", [staged.pk]),
        ("dialer:import_progress", [staged.pk]),
        ("dialer:import_rejected", [staged.pk]),
    ]
    changes = [
        ("dialer:contact_add", [campaign.provider_id]),
        ("dialer:contact_edit", [campaign.provider_id, ana.pk]),
        ("dialer:contact_delete", [campaign.provider_id, ana.pk]),
        ("dialer:import_create", [campaign.provider_id]),
        ("dialer:import_map", [staged.pk]),
        ("dialer:import_row_fix", [staged.rows.get().pk]),
    ]
    # POST-only: a GET is 405 before anything else.
    posts = [
        ("dialer:import_send", [staged.pk]),
        ("dialer:import_reformat", [staged.pk]),
        ("dialer:import_check_restart", [staged.pk]),
        ("dialer:campaign_list_refresh", []),
        ("dialer:campaign_contacts_refresh", [campaign.provider_id]),
    ]
    return (
        [reverse(n, args=a) for n, a in views],
        [reverse(n, args=a) for n, a in changes],
        [reverse(n, args=a) for n, a in posts],
    )


def test_login_roles_and_csrf_on_every_dialer_url(client, role_users, synced):
    client.force_login(role_users["dialer"])
    staged = _previewed(client, synced)
    views, changes, posts = _urls(synced, staged)
    client.logout()
    for url in views + changes:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for url in changes + posts:
        assert client.post(url, TYPED).status_code == 302, url
        assert client.get(url).status_code in (302, 405), url

    client.force_login(role_users["marketer"])
    for url in views + changes:
        assert client.get(url).status_code == 403, url
    for url in changes + posts:
        assert client.post(url, TYPED).status_code == 403, url

    client.force_login(role_users["manager"])
    for url in views:
        assert client.get(url).status_code == 200, url
    for url in changes + posts[:3]:  # the refreshes are reads
        assert client.post(url, EDIT).status_code == 403, url

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(role_users["admin"])
    for url in changes + posts:
        assert strict.post(url, EDIT).status_code == 403, url

    assert not ProviderCall.objects.filter(method__in=["POST", "PATCH", "DELETE"]).exists()
    assert SandboxContact.objects.filter(name="Ana Lima").exists()
    staged.refresh_from_db()
    assert staged.state == "previewed"


# --- An empty POST (htmx sends the CSRF token as a header, so a body can be empty) ---------


def test_an_empty_post_gets_the_required_messages_not_a_silent_form(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    add = client.post(reverse("dialer:contact_add", args=[synced.provider_id]), {}).content.decode()
    assert 'id="id_name_error"' in add and "This field is required." in add
    ana = DialerContact.objects.get(name="Ana Lima")
    row = client.post(
        reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk]),
        {},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'class="editing"' in row and "This field is required." in row
    upload_url = reverse("dialer:import_create", args=[synced.provider_id])
    assert "This field is required." in client.post(upload_url, {}).content.decode()
    client.post(upload_url, {"file": SimpleUploadedFile("contacts.csv", CSV)})
    staged = DialerImport.objects.get()
    mapping = client.post(reverse("dialer:import_map", args=[staged.pk]), {}).content.decode()
    assert "Choose the column holding the name." in mapping
    assert calls("POST", "/contacts") == 0 and calls("PATCH", "/contact") == 0
