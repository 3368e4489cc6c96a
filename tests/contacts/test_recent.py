"""The Contacts page before a search: the contacts changed through Switchboard, newest first,
read from Switchboard's own record (Dialog Insight lists no recent contacts); and a search
that says how many contacts match."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts import services
from contacts.client import DialogInsightClient
from contacts.models import ContactImport, RecentContact
from dashboard.models import ProviderCall
from dashboard.sandbox import set_fault
from tests.contacts.conftest import counting, merge_one, text

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
HTMX = {"HX-Request": "true"}


def _rows(client) -> list[str]:
    """The recent list's rows, as read: contact, name, change, by."""
    html = client.get(reverse("contacts:contact_search")).content.decode()
    section = re.search(r'<section aria-labelledby="recent-title">.*?</section>', html, re.S)[0]
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", section, re.S)
    return [text(row).strip() for row in rows]


def test_the_contacts_page_lists_what_switchboard_changed_newest_first(
    client, marketer, claire, settings
):
    client.force_login(marketer)
    di = DialogInsightClient()
    bob = merge_one(di, "bob@example.com", f_FirstName="Bob", f_LastName="Stone")
    with time_machine.travel(T0, tick=False):
        client.post(
            reverse("contacts:contact_create"),
            {"f_EMail": "nina@example.com", "f_FirstName": "Nina", "f_LastName": "New"},
        )
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        client.post(
            reverse("contacts:contact_edit", args=[claire]),
            {"f_FirstName": "Clara", "f_LastName": "Brown"},
        )
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        client.post(
            reverse("contacts:contact_optin_set", args=[bob, "Newsletter"]), {"subscribed": "1"}
        )
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        client.post(
            reverse("contacts:import_create"),
            {
                "file": SimpleUploadedFile(
                    "crm.csv", b"EMail,FirstName,LastName\nz@ex.com,Zoe,Zed\n"
                )
            },
        )
        services.import_run(import_id=ContactImport.objects.get().pk)
    # Changed at Dialog Insight directly: Switchboard does not know, and does not pretend to.
    merge_one(di, "elsewhere@example.com", f_FirstName="Eve", f_LastName="Else")

    calls = ProviderCall.objects.count()
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        page = text(client.get(reverse("contacts:contact_search")))
        rows = _rows(client)
    assert ProviderCall.objects.count() == calls  # the list never waits on Dialog Insight
    assert "Recently changed through Switchboard" in page
    assert rows == [
        "z@ex.com Zoe Zed imported from crm.csv 7 minutes ago mia.marketer",
        "bob@example.com Bob Stone subscribed to Newsletter 8 minutes ago mia.marketer",
        "claire@example.com Clara Brown updated 9 minutes ago mia.marketer",
        "nina@example.com Nina New created 10 minutes ago mia.marketer",
    ]
    # A contact deleted from Switchboard is not listed any more.
    client.post(reverse("contacts:contact_delete", args=[bob]), {"label": "bob@example.com"})
    assert [r.split()[0] for r in _rows(client)] == [
        "z@ex.com",
        "claire@example.com",
        "nina@example.com",
    ]


def test_each_contact_is_listed_once_and_only_the_latest_are_kept(
    client, marketer, project, monkeypatch
):
    monkeypatch.setattr(RecentContact, "KEEP", 3)
    client.force_login(marketer)
    lines = "".join(f"p{i}@example.com,P{i}\n" for i in range(5))
    for n in range(2):  # the same file twice: created, then updated
        client.post(
            reverse("contacts:import_create"),
            {"file": SimpleUploadedFile(f"crm{n}.csv", f"EMail,LastName\n{lines}".encode())},
        )
        services.import_run(import_id=ContactImport.objects.latest("pk").pk)
    assert RecentContact.objects.count() == 3
    assert {r.change for r in RecentContact.objects.all()} == {"imported from crm1.csv"}


def test_before_anything_changed_the_page_says_so(client, marketer, project):
    client.force_login(marketer)
    page = text(client.get(reverse("contacts:contact_search")))
    assert "No contact was changed through Switchboard yet." in page


def _page_of_people(count: int) -> None:
    DialogInsightClient().contact_merge(
        [(f"p{i:02}@example.com", {"f_LastName": "Page"}) for i in range(count)]
    )


def test_a_search_that_fits_a_page_is_counted_from_its_results(client, marketer, project):
    _page_of_people(3)
    client.force_login(marketer)
    counts = counting("Count")
    page = text(client.get(reverse("contacts:contact_search"), {"q": "page"}))
    assert "3 contacts match at Dialog Insight. Showing 1–3." in page
    assert counts() == 0  # what Contacts.Get returned is all there is
    one = text(client.get(reverse("contacts:contact_search"), {"q": "p01"}))
    assert "1 contact matches at Dialog Insight." in one


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (
            {"kind": "unknown_method"},
            "More than 25 contacts match at Dialog Insight; how many is not known. Counting "
            "contacts is not available on this Dialog Insight account.",
        ),
        (
            {"kind": "error", "status": 503},
            "More than 25 contacts match at Dialog Insight; how many is not known. The count "
            "could not be loaded. Dialog Insight is having trouble (HTTP 503).",
        ),
    ],
)
def test_a_search_beyond_a_page_says_what_is_known_of_its_count(
    client, marketer, project, fault, said
):
    _page_of_people(30)
    client.force_login(marketer)
    set_fault("dialoginsight", **fault, path_contains="method=Count")
    response = client.get(reverse("contacts:contact_search"), {"q": "page"})
    assert response.status_code == 200
    assert "p24@example.com" in response.content.decode()  # the results, at once
    counted = client.get(reverse("contacts:contact_search_count"), {"q": "page"}, headers=HTMX)
    assert counted.status_code == 200
    assert said in text(counted) and text(counted).strip().endswith("Showing 1–25.")


def test_nothing_to_count_asks_nothing(client, marketer, project):
    client.force_login(marketer)
    counts = counting("Count")
    response = client.get(reverse("contacts:contact_search_count"), {"q": ""}, headers=HTMX)
    assert response.status_code == 200 and not response.content and counts() == 0
