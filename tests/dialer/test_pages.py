"""The dialer pages through the test client, with the sandbox behind them over HTTP."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from dashboard.models import AuditEvent
from dashboard.sandbox import set_fault
from dialer import statuses as st
from dialer.models import DialerCampaign, DialerContact, DialerStatusCount
from dialer.sandbox.models import SandboxContact
from tests.dialer.conftest import make_contact

pytestmark = pytest.mark.django_db(transaction=True)


def count_of(campaign, status):
    row = DialerStatusCount.objects.filter(campaign=campaign, status=status).first()
    return row.count if row else 0


def test_campaign_list_shows_mode_status_and_status_bar(client, manager, synced):
    client.force_login(manager)
    page = client.get(reverse("dialer:campaign_list")).content.decode()
    assert "Spring renewals" in page
    assert "Progressive" in page and "Paused" in page
    assert 'title="Waiting: 1"' in page and 'title="Done: 1"' in page


def test_board_shows_every_status_grouped_with_its_description(client, manager, synced):
    client.force_login(manager)
    page = client.get(reverse("dialer:campaign_detail", args=[synced.provider_id])).content.decode()
    for status in st.STATUSES:
        assert f'title="{escape(status.description)}" data-status="{escape(status.name)}"' in page
    for group in ("Waiting", "Live", "Done", "Unreached", "Errors", "Excluded"):
        assert group in page
    assert "Ana Lima" in page and "Bo Chen" in page
    # Managers look but do not touch.
    assert "Add contact" not in page and "Edit" not in page


def test_clicking_a_status_filters_the_table(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    url = reverse("dialer:campaign_detail", args=[synced.provider_id]) + "?status=finished"
    page = client.get(url).content.decode()
    assert "Bo Chen" in page and "Ana Lima" not in page
    assert "The call has ended." in page


@pytest.mark.parametrize(
    ("q", "found", "missing"),
    [
        ("ana", "Ana Lima", "Bo Chen"),
        ("+1 (514) 555-0102", "Bo Chen", "Ana Lima"),
        ("5550101", "Ana Lima", "Bo Chen"),
        ("CRM-1", "Ana Lima", "Bo Chen"),
    ],
)
def test_search_by_name_phone_or_external_id(client, dialer_staff, synced, q, found, missing):
    client.force_login(dialer_staff)
    response = client.get(
        reverse("dialer:campaign_detail", args=[synced.provider_id]),
        {"q": q},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="board"')
    assert found in page and missing not in page


def test_board_pages_without_counting_the_contacts(client, dialer_staff, synced):
    campaign = synced
    DialerContact.objects.bulk_create(
        DialerContact(
            campaign=campaign, provider_id=1000 + i, name=f"P{i}", phone_e164=f"+1514666{i:04d}"
        )
        for i in range(120)
    )
    DialerStatusCount.objects.filter(campaign=campaign, status="Upcoming").update(count=121)
    client.force_login(dialer_staff)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(
            reverse("dialer:campaign_detail", args=[campaign.provider_id]), {"page": 2}
        ).content.decode()
    assert "Page 2 of 3" in page
    assert not [
        q for q in ctx.captured_queries if "COUNT(" in q["sql"] and "dialercontact" in q["sql"]
    ]


def test_running_campaign_board_polls_and_a_stopped_one_does_not(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    url = reverse("dialer:campaign_detail", args=[synced.provider_id])
    assert "every 3s" not in client.get(url).content.decode()
    DialerCampaign.objects.filter(pk=synced.pk).update(status="dialing")
    page = client.get(url, {"status": "upcoming"}).content.decode()
    assert f'hx-get="{url}?status=upcoming" hx-trigger="every 3s' in page


# --- Add ------------------------------------------------------------------------------------


def test_add_contact_reaches_the_provider_mirror_counts_and_audit(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    response = client.post(
        reverse("dialer:contact_add", args=[synced.provider_id]),
        {"name": "Cy Diaz", "phone_number": "+1 (438) 555-0199", "email": "cy@example.com"},
        follow=True,
    )
    assert "Added Cy Diaz (+14385550199) to Spring renewals." in response.content.decode()
    sent = SandboxContact.objects.get(name="Cy Diaz")
    assert sent.phone_number == "+14385550199"
    assert DialerContact.objects.get(name="Cy Diaz").status == "Upcoming"
    assert count_of(synced, "Upcoming") == 2
    event = AuditEvent.objects.get(action="add")
    assert (event.username, event.outcome) == ("dana.dialer", "ok")


def test_add_when_the_provider_fails_keeps_the_form(client, dialer_staff, synced):
    set_fault("ccai", "error", status=503)
    client.force_login(dialer_staff)
    response = client.post(
        reverse("dialer:contact_add", args=[synced.provider_id]),
        {"name": "Cy Diaz", "phone_number": "+14385550199", "email": "cy@example.com"},
    )
    page = response.content.decode()
    assert "CCAI Platform is having trouble (HTTP 503)" in page
    assert 'value="cy@example.com"' in page
    assert not DialerContact.objects.filter(name="Cy Diaz").exists()
    assert AuditEvent.objects.get(action="add").outcome == "error"


def test_add_refused_in_invalid_contacts_is_explained(client, dialer_staff, synced):
    # The provider has a number Switchboard's copy does not know about yet.
    make_contact(_sandbox(synced), "+14385550199")
    client.force_login(dialer_staff)
    response = client.post(
        reverse("dialer:contact_add", args=[synced.provider_id]),
        {"name": "Cy Diaz", "phone_number": "+14385550199", "email": "cy@example.com"},
    )
    assert "CCAI Platform refused the contact: Phone number has already been taken" in (
        response.content.decode()
    )


def _sandbox(mirror):
    from dialer.sandbox.models import SandboxCampaign

    return SandboxCampaign.objects.get(pk=mirror.provider_id)


# --- Inline edit ----------------------------------------------------------------------------


def test_inline_edit_row_then_save(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    ana = DialerContact.objects.get(name="Ana Lima")
    url = reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk])
    row = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert row.lstrip().startswith(f'<tr id="contact-{ana.pk}" class="editing"')
    assert 'value="Ana Lima"' in row

    def save(phone: str, email: str) -> str:
        data = {"name": "Ana Souza", "phone_number": phone, "email": email}
        return client.post(url, data, HTTP_HX_REQUEST="true").content.decode()

    bad = save("+1 514 555 0101", "not-an-email")
    assert 'class="editing"' in bad and "Enter a valid email address." in bad
    assert 'value="Ana Souza"' in bad

    saved = save("+1 514-555-0111", "ana@souza.com")
    assert "editing" not in saved and "Ana Souza" in saved and "+15145550111" in saved
    remote = SandboxContact.objects.get(pk=ana.provider_id)
    assert (remote.name, remote.phone_number, remote.email) == (
        "Ana Souza",
        "+15145550111",
        "ana@souza.com",
    )
    event = AuditEvent.objects.get(action="edit")
    assert event.username == "dana.dialer" and "Was Ana Lima +1 514 555 0101" in event.detail


def test_inline_edit_shows_the_providers_refusal(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    ana = DialerContact.objects.get(name="Ana Lima")
    SandboxContact.objects.filter(pk=ana.provider_id).delete()
    row = client.post(
        reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk]),
        {"name": "Ana Souza", "phone_number": "+15145550101", "email": "ana@example.com"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "CCAI Platform: Resource not found" in row and 'value="Ana Souza"' in row
    assert AuditEvent.objects.get(action="edit").outcome == "error"


# --- Delete ---------------------------------------------------------------------------------


def test_delete_asks_then_deletes(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    bo = DialerContact.objects.get(name="Bo Chen")
    url = reverse("dialer:contact_delete", args=[synced.provider_id, bo.pk])
    confirm = client.get(url).content.decode()
    assert "Delete Bo Chen?" in confirm and SandboxContact.objects.filter(name="Bo Chen").exists()
    done = client.post(url, follow=True).content.decode()
    assert "Deleted Bo Chen (+1 514 555 0102)." in done
    assert not SandboxContact.objects.filter(name="Bo Chen").exists()
    assert not DialerContact.objects.filter(pk=bo.pk).exists()
    assert count_of(synced, "Finished") == 0
    assert AuditEvent.objects.get(action="delete").username == "dana.dialer"


def test_delete_failure_keeps_the_contact(client, dialer_staff, synced):
    set_fault("ccai", "error", status=500)
    client.force_login(dialer_staff)
    bo = DialerContact.objects.get(name="Bo Chen")
    page = client.post(
        reverse("dialer:contact_delete", args=[synced.provider_id, bo.pk]), follow=True
    )
    assert "Bo Chen was not deleted. CCAI Platform is having trouble" in page.content.decode()
    assert DialerContact.objects.filter(pk=bo.pk).exists()


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "view", "change"),
    [("marketer", 403, 403), ("manager", 200, 403), ("dialer", 200, 200), ("admin", 200, 200)],
)
def test_who_may_view_and_change(client, role_users, synced, role, view, change):
    client.force_login(role_users[role])
    ana = DialerContact.objects.get(name="Ana Lima")
    assert client.get(reverse("dialer:campaign_list")).status_code == view
    assert (
        client.get(reverse("dialer:campaign_detail", args=[synced.provider_id])).status_code == view
    )
    for name, args in [
        ("dialer:contact_add", [synced.provider_id]),
        ("dialer:contact_edit", [synced.provider_id, ana.pk]),
        ("dialer:contact_delete", [synced.provider_id, ana.pk]),
        ("dialer:import_create", [synced.provider_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == change, name
    if change == 403:
        response = client.post(reverse("dialer:contact_delete", args=[synced.provider_id, ana.pk]))
        assert response.status_code == 403
        assert SandboxContact.objects.filter(name="Ana Lima").exists()


def test_overview_card_reads_the_mirror(client, manager, synced):
    DialerCampaign.objects.filter(pk=synced.pk).update(status="dialing")
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "CCAI Platform" in page and reverse("dialer:campaign_list") in page
    from dialer.selectors import overview_card

    stats = dict(overview_card()["stats"])
    assert stats == {"Campaigns": 1, "Dialling now": 1, "Contacts": "2", "Imports running": 0}
