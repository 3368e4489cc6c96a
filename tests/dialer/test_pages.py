"""The dialer pages through the test client, with the sandbox behind them over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from dashboard.models import AuditEvent
from dashboard.sandbox import set_fault
from dialer import selectors
from dialer import statuses as st
from dialer.models import DialerCampaign, DialerContact, DialerStatusCount
from dialer.sandbox.models import SandboxCampaign, SandboxContact
from tests.campaigns.test_sync import FROZEN_INSTANTS
from tests.dialer.conftest import make_campaign, make_contact

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


class _StatusChoices(HTMLParser):
    """The board's status picker (its groups and options) and its chips, as parsed by a
    browser: attributes unescaped, each chip's text as a screen reader reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.options: list[tuple[str, str, str, bool]] = []  # group, value, text, selected
        self.chips: list[dict[str, str]] = []
        self.group = ""
        self.option: dict[str, str] | None = None
        self.chip: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "optgroup":
            self.group = a["label"]
        elif tag == "option":
            self.option = {**a, "text": ""}
        elif tag == "a" and "chip" in a.get("class", "").split():
            self.chip = {**a, "text": ""}

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            o = self.option
            self.options.append((self.group, o["value"], o["text"], "selected" in o))
            self.option = None
        elif tag == "a" and self.chip is not None:
            self.chips.append(self.chip)
            self.chip = None

    def handle_data(self, data):
        for open_element in (self.option, self.chip):
            if open_element is not None:
                open_element["text"] += data


def test_the_status_picker_and_chips_keep_the_search_and_mark_the_status_shown(
    client, dialer_staff, synced
):
    client.force_login(dialer_staff)
    board_url = reverse("dialer:campaign_detail", args=[synced.provider_id])
    q = 'Bo & "Chen" <x>'
    page = _StatusChoices()
    page.feed(client.get(board_url, {"status": "finished", "q": q}).content.decode())

    # Every status once, in its group's order, with the counts of the whole campaign.
    expected = []
    for group in st.GROUPS:
        members = [s for s in st.STATUSES if s.group == group.key]
        total = sum(count_of(synced, s.name) for s in members)
        for s in members:
            label = f"{s.label} ({count_of(synced, s.name)})"
            expected.append((f"{group.label} ({total})", s.slug, label, s.slug == "finished"))
    assert page.options == [("", "", "All statuses (2)", False), *expected]
    assert [chip["id"] for chip in page.chips] == [f"chip-{e[1]}" for e in expected]
    for chip in page.chips:
        status = st.STATUS_BY_SLUG[chip["id"].removeprefix("chip-")]
        query = urlencode({"status": status.slug, "q": q})
        assert chip["href"] == f"?{query}" and chip["hx-get"] == f"{board_url}?{query}"
        assert chip["title"] == status.description
        assert " ".join(chip["text"].split()) == (
            f"{status.label}: {status.description} {count_of(synced, status.name)}"
        )
        shown = status.slug == "finished"
        assert ("active" in chip["class"].split()) is shown
        assert (chip.get("aria-current") == "true") is shown
        assert ("zero" in chip["class"].split()) is (count_of(synced, status.name) == 0)


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


def test_a_far_page_shows_its_own_contacts_in_order_with_or_without_a_status(
    client, dialer_staff, synced
):
    campaign = synced
    campaign.contacts.all().delete()
    DialerContact.objects.bulk_create(
        DialerContact(
            campaign=campaign,
            provider_id=5000 + i,
            name=f"P{i:04d}",
            phone_e164=f"+1514666{i:04d}",
            status="Finished" if i % 2 else "Upcoming",
        )
        for i in range(2100)
    )
    DialerStatusCount.objects.filter(campaign=campaign).delete()
    for status in ("Upcoming", "Finished"):
        DialerStatusCount.objects.create(campaign=campaign, status=status, count=1050)
    client.force_login(dialer_staff)
    url = reverse("dialer:campaign_detail", args=[campaign.provider_id])

    def names(**query) -> list[str]:
        page = client.get(url, query).content.decode()
        return re.findall(r">(P\d{4})<", page)

    assert selectors.FAR_PAGE_OFFSET < 50 * 30
    assert names(page=30) == [f"P{i:04d}" for i in range(1450, 1500)]  # all contacts
    assert names(page=42) == [f"P{i:04d}" for i in range(2050, 2100)]  # the last
    upcoming = [f"P{i:04d}" for i in range(0, 2100, 2)]
    assert names(status="upcoming", page=21) == upcoming[1000:1050]  # the status's last page
    assert names(status="upcoming", page=5) == upcoming[200:250]  # a near page, read at once


def test_a_board_re_reads_itself_quickly_while_dialling_and_slowly_otherwise(
    client, dialer_staff, synced
):
    client.force_login(dialer_staff)
    url = reverse("dialer:campaign_detail", args=[synced.provider_id])
    idle = client.get(url, {"status": "upcoming"}).content.decode()
    assert f'id="board" hx-get="{url}?status=upcoming" hx-trigger="every 1s"' in idle
    assert 'data-poll-seconds="10"' in idle  # an idle campaign may start at any time
    DialerCampaign.objects.filter(pk=synced.pk).update(status="dialing")
    assert 'data-poll-seconds="3"' in client.get(url).content.decode()


# --- Add ------------------------------------------------------------------------------------


def test_add_contact_reaches_the_provider_mirror_counts_and_audit(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    response = client.post(
        reverse("dialer:contact_add", args=[synced.provider_id]),
        {"name": "Cy Diaz", "phone_number": "+1 (438) 555-0199", "email": "cy@example.com"},
        follow=True,
    )
    assert "Added Cy Diaz (+1 438-555-0199) to Spring renewals." in response.content.decode()
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
    assert "editing" not in saved and "Ana Souza" in saved and "+1 514-555-0111" in saved
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
    assert "Deleted Bo Chen (+1 514-555-0102)." in done
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


def test_the_overview_counts_once_for_everyone_and_shows_a_change_within_15_seconds(
    client, manager, synced
):
    import time_machine

    def dialling_now() -> str:
        page = client.get("/").content.decode()
        card = page[page.index(f'{reverse("dialer:campaign_list")}">Dialer</a>') :]
        return re.search(r"<dt>Dialling now</dt><dd>([^<]*)</dd>", card).group(1)

    client.force_login(manager)
    with time_machine.travel("2026-12-01T15:45:00+00:00", tick=False) as clock:
        assert dialling_now() == "0"
        DialerCampaign.objects.filter(pk=synced.pk).update(status="dialing")
        with CaptureQueriesContext(connection) as ctx:
            assert dialling_now() == "0"  # the count everyone read a moment ago
        assert not [q for q in ctx.captured_queries if "dialer_dialercampaign" in q["sql"]]
        clock.shift(16)
        assert dialling_now() == "1"


def test_row_links_are_the_contact_pages_on_the_board_and_on_a_row_alone(
    client, dialer_staff, synced
):
    client.force_login(dialer_staff)
    contact = DialerContact.objects.get(campaign=synced, name="Ana Lima")
    edit = reverse("dialer:contact_edit", args=[synced.provider_id, contact.pk])
    delete = reverse("dialer:contact_delete", args=[synced.provider_id, contact.pk])
    board = client.get(reverse("dialer:campaign_detail", args=[synced.provider_id]))
    row = client.get(reverse("dialer:contact_row", args=[synced.provider_id, contact.pk]))
    for page in (board.content.decode(), row.content.decode()):
        assert f'href="{edit}" hx-get="{edit}"' in page
        assert f'href="{delete}" class="danger"' in page


# --- The live board ---------------------------------------------------------------------------


def poll(client, campaign, etag=None, **query):
    """The board as its page re-reads it (htmx, with the ETag it holds)."""
    headers = {"HTTP_HX_REQUEST": "true"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    url = reverse("dialer:campaign_detail", args=[campaign.provider_id])
    return client.get(url, query, **headers)


def test_an_unchanged_board_is_a_304_and_a_changed_one_comes_whole(client, dialer_staff, synced):
    from dashboard.models import ProviderCall
    from dialer.sync import sync_running

    client.force_login(dialer_staff)
    first = poll(client, synced)
    etag = first["ETag"]
    assert first.status_code == 200 and f'data-etag="{escape(etag)}"' in first.content.decode()
    calls = ProviderCall.objects.count()
    again = poll(client, synced, etag)
    assert again.status_code == 304 and again.content == b""
    assert again["X-Board-As-Of"] and again["ETag"] == etag
    assert ProviderCall.objects.count() == calls  # a poll reads the mirror only
    # The worker's poll finds nothing new: still a 304.
    sync_running()
    assert poll(client, synced, etag).status_code == 304
    # Another view of the board is another document.
    assert poll(client, synced, etag, status="finished").status_code == 200
    # Something changes at CCAI: the next poll has it.
    SandboxContact.objects.filter(name="Ana Lima").update(status="Finished")
    DialerCampaign.objects.filter(pk=synced.pk).update(status="dialing")
    sync_running()
    changed = poll(client, synced, etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert 'data-status="Finished"' in changed.content.decode()
    # A full page load is never a 304 (the browser asked for the page, not a refresh).
    page = client.get(reverse("dialer:campaign_detail", args=[synced.provider_id]))
    assert page.status_code == 200


def test_each_write_moves_the_boards_version(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    etag = poll(client, synced)["ETag"]
    ana = DialerContact.objects.get(name="Ana Lima")
    client.post(
        reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk]),
        {"name": "Ana Souza", "phone_number": "+1 514 555 0101", "email": "ana@example.com"},
        HTTP_HX_REQUEST="true",
    )
    after_edit = poll(client, synced, etag)
    assert after_edit.status_code == 200 and "Ana Souza" in after_edit.content.decode()
    client.post(reverse("dialer:contact_delete", args=[synced.provider_id, ana.pk]))
    assert poll(client, synced, after_edit["ETag"]).status_code == 200


@pytest.mark.parametrize("instant", FROZEN_INSTANTS)
def test_the_board_says_when_ccai_last_confirmed_it(client, dialer_staff, ccai, settings, instant):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dialer.sync import sync_campaigns

    settings.TIME_ZONE = "America/Toronto"
    make_campaign("Autumn", status="paused")
    with time_machine.travel(instant, tick=False) as clock:
        sync_campaigns()
        campaign = DialerCampaign.objects.get()
        client.force_login(dialer_staff)
        local = datetime.fromisoformat(instant).astimezone(ZoneInfo("America/Toronto"))
        shown = poll(client, campaign)
        assert f'as of <time id="board-as-of">{local:%H:%M:%S}</time>' in shown.content.decode()
        assert "has not answered since" not in shown.content.decode()
        clock.shift(7)
        sync_campaigns()  # nothing changed, but CCAI confirmed it again
        again = poll(client, campaign, shown["ETag"])
        assert again.status_code == 304
        assert again["X-Board-As-Of"] == f"{local + timedelta(seconds=7):%H:%M:%S}"
        clock.shift(selectors.STALE_AFTER.total_seconds() + 1)  # the worker stopped
        stale = poll(client, campaign, shown["ETag"])
        assert stale.status_code == 200 and "has not answered since" in stale.content.decode()


def test_a_campaign_started_at_ccai_is_noticed_by_the_next_status_poll(
    client, dialer_staff, synced
):
    from dashboard.models import ProviderCall
    from dialer import tasks
    from dialer.sync import PERIODIC

    client.force_login(dialer_staff)
    idle = poll(client, synced)
    assert 'data-poll-seconds="10"' in idle.content.decode()
    ProviderCall.objects.all().delete()
    tasks.sync_running_campaigns.func()  # an idle account: one call, the campaign list
    assert list(ProviderCall.objects.values_list("method", "path")) == [
        ("GET", "/manager/api/v1/outbound_dialer/campaigns")
    ]
    SandboxCampaign.objects.filter(pk=synced.provider_id).update(status="dialing")
    tasks.sync_running_campaigns.func()
    synced.refresh_from_db()
    assert synced.is_running and synced.contacts_synced_at is not None
    started = poll(client, synced, idle["ETag"])
    assert started.status_code == 200 and 'data-poll-seconds="3"' in started.content.decode()
    assert dict(PERIODIC)["dialer.tasks.sync_running_campaigns"] <= 10


@pytest.mark.parametrize(
    ("q", "found", "missing"),
    [
        ("CRM", "Ana Lima", "Bo Chen"),  # the beginning of an external id
        ("CR", "Ana Lima", "Bo Chen"),  # shorter than a trigram: its beginning
        ("bo@exam", "Bo Chen", "Ana Lima"),  # the beginning of an e-mail
        ("BO@", "Bo Chen", "Ana Lima"),
        ("ima", "Ana Lima", "Bo Chen"),  # a part of a name
        ("Chen", "Bo Chen", "Ana Lima"),
    ],
)
def test_search_finds_parts_of_ids_emails_and_names(
    client, dialer_staff, synced, q, found, missing
):
    client.force_login(dialer_staff)
    page = poll(client, synced, q=q).content.decode()
    assert found in page and missing not in page


def test_search_within_a_status_and_a_campaign_only(client, dialer_staff, synced):
    other = DialerCampaign.objects.create(provider_id=999, name="Other")
    DialerContact.objects.create(campaign=other, name="Ana Other", email="ana@other.com")
    client.force_login(dialer_staff)
    page = poll(client, synced, q="Ana").content.decode()
    assert "Ana Lima" in page and "Ana Other" not in page
    assert "Ana Lima" not in poll(client, synced, q="Ana", status="finished").content.decode()
    page = poll(client, synced, q="Chen", status="finished").content.decode()
    assert "Bo Chen" in page


def test_a_number_finds_its_phone_and_the_ids_it_begins_once_each_in_order(
    client, dialer_staff, synced
):
    # A phone and an external id made of the same digits: each side of the search finds one,
    # a contact found by both is listed once, in id order, within the status asked for.
    DialerContact.objects.create(
        campaign=synced, name="Digits Id", external_unique_id="15145550101-7"
    )
    DialerContact.objects.create(
        campaign=synced,
        name="Both Ways",
        phone_e164="+15145550177",
        external_unique_id="15145550177",
    )
    client.force_login(dialer_staff)
    page = poll(client, synced, q="15145550101").content.decode()
    assert page.index("Ana Lima") < page.index("Digits Id")  # by phone, then by id, in id order
    assert "Both Ways" not in page
    page = poll(client, synced, q="15145550177").content.decode()
    assert page.count("Both Ways</td>") == 1
    assert (
        "Digits Id" not in poll(client, synced, q="15145550101", status="finished").content.decode()
    )


def test_every_phone_is_shown_whole_in_one_international_format(client, dialer_staff, synced):
    from dialer.mirror import contacts_add_pending

    contacts_add_pending(synced.pk, [("Imported", "i@example.com", "+14385550199", "", "")])
    client.force_login(dialer_staff)
    page = poll(client, synced).content.decode()
    # CCAI wrote one "+1 514 555 0101", an import "+14385550199": both read alike.
    assert '<td class="mono phone" data-label="Phone">+1 514-555-0101</td>' in page
    assert '<td class="mono phone" data-label="Phone">+1 438-555-0199</td>' in page


def test_the_inline_edit_row_is_one_form_enter_submits_from_any_field(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    ana = DialerContact.objects.get(name="Ana Lima")
    url = reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk])
    row = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'<form id="edit-{ana.pk}" method="post" action="{url}" hx-post="{url}"' in row
    inputs = re.findall(r'<input type="(?!hidden)[^>]*>', row)
    assert len(inputs) == 4 and all(f'form="edit-{ana.pk}"' in i for i in inputs)
    assert '<button type="submit" class="small">Save</button>' in row


def test_everyone_watching_a_board_shares_one_rendering_until_it_changes(
    client, dialer_staff, manager, synced
):
    """Each person watching re-reads the board every few seconds: the second reads what the
    first one's request rendered (no contact query), and a change is seen at once."""
    from django.test import Client

    from dashboard.models import Preferences

    url = reverse("dialer:campaign_detail", args=[synced.provider_id])
    client.force_login(dialer_staff)
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    colleague = Client()
    colleague.force_login(dialer_staff)
    with CaptureQueriesContext(connection) as queries:
        again = colleague.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert again == first and "Ana Lima" in again
    assert not any("dialer_dialercontact" in q["sql"] for q in queries.captured_queries)
    # Someone without the right to change contacts reads a board without the row actions.
    client.force_login(manager)
    assert "Ana Lima" in client.get(url).content.decode()
    assert ">Edit</a>" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    # A change reaches every reader at once.
    ana = DialerContact.objects.get(name="Ana Lima")
    client.force_login(dialer_staff)
    client.post(
        reverse("dialer:contact_edit", args=[synced.provider_id, ana.pk]),
        {"name": "Ana Souza", "phone_number": "+1 514 555 0101", "email": "ana@example.com"},
        HTTP_HX_REQUEST="true",
    )
    changed = colleague.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Ana Souza" in changed and "Ana Lima" not in changed
    # The same board read in French is its own rendering.
    Preferences.objects.update_or_create(user=manager, defaults={"language": "fr"})
    french = Client()
    french.force_login(manager)
    assert "Tous les statuts" in french.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "All statuses" in colleague.get(url, HTTP_HX_REQUEST="true").content.decode()
