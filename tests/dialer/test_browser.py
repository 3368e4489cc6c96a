"""Dialer staff in Chromium: import a file with bad rows, read the check report, send it, watch
the job complete, find the contacts on the board, edit one inline and delete one; and a board
that follows a running campaign without a reload."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from dialer.models import DialerCampaign
from dialer.sandbox import simulation
from dialer.sandbox.models import SandboxCampaign, SandboxContact
from dialer.sync import sync_running
from tests.dialer.conftest import worker_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Full name,Mobile,E-mail,Customer id\n"
    "Cy Diaz,+1 438 555 0101,cy@example.com,CRM-9001\n"
    "Dee Roy,+1 (438) 555-0102,dee@example.com,CRM-9002\n"
    "Eli Ford,+1-438-555-0103,eli@example.com,CRM-9003\n"
    "Bad Phone,call me,bad@example.com,CRM-9004\n"
    "Emergency,911,sos@example.com,CRM-9005\n"
    "Cy Twin,+14385550101,twin@example.com,CRM-9006\n"
)


def test_import_then_work_the_contacts_on_the_board(synced, dialer_staff, login, tmp_path, clock):
    page = login(dialer_staff)
    page.goto(f"/dialer/{synced.provider_id}/")
    page.get_by_role("button", name="Import contacts").click()
    file = tmp_path / "spring.csv"
    file.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV or JSON file").set_input_files(str(file))
    page.get_by_role("button", name="Upload and choose columns").click()

    # Columns are proposed from the header; the user confirms.
    expect(page.get_by_role("heading", name="Which column is which?")).to_be_visible()
    expect(page.get_by_label("Phone")).to_have_value("Mobile")
    expect(page.get_by_label("External id")).to_have_value("Customer id")
    expect(page.locator("#read-as")).to_have_text("UTF-8, comma-separated")
    page.get_by_role("button", name="Check the rows").click()

    # The report, before anything is sent.
    expect(page.get_by_role("heading", name="Check before sending")).to_be_visible()
    report = page.locator(".report")
    expect(report).to_contain_text("Valid, to import3")
    expect(report).to_contain_text("Invalid2")
    expect(report).to_contain_text("Phone repeated in the file1")
    rejected = page.locator("table.rejected")
    expect(rejected).to_contain_text("'call me' is not a phone number.")
    expect(rejected).to_contain_text("911 is an emergency number")
    expect(rejected).to_contain_text("Same phone as line 2.")
    assert SandboxContact.objects.filter(name="Cy Diaz").count() == 0

    # One rejected row corrected in place; the counts and the button follow.
    page.get_by_role("link", name="Correct line 5").click()
    fixing = page.locator("tr.editing")
    fixing.get_by_label("Phone").fill("+1 438 555 0104")
    fixing.get_by_role("button", name="Check this row again").click()
    expect(page.locator("tr", has_text="Bad Phone")).to_contain_text("Corrected")
    expect(report).to_contain_text("Valid, to import4")
    page.get_by_role("button", name="Import 4 contacts").click()
    expect(page.get_by_text("Importing 4 contacts at CCAI Platform")).to_be_visible()
    # The page's polls only read; the worker's poll follows the job, which CCAI runs a second
    # after it took it.
    worker_poll()
    clock.shift(1)
    worker_poll()
    expect(page.get_by_text("Completed.")).to_be_visible()
    expect(page.locator("#import-progress")).to_contain_text(
        "4 contacts imported into Spring renewals"
    )

    page.get_by_role("button", name="See them on the board").click()
    page.get_by_role("button", name="Refresh").click()  # learn the new contacts' CCAI ids
    expect(page.locator(".toast").first).to_contain_text("Refreshed from CCAI Platform")
    page.get_by_label("Search contacts by name, phone, email or external id").fill("CRM-9001")
    row = page.locator("tr", has_text="Cy Diaz")
    expect(row).to_contain_text("+1 438-555-0101")
    expect(page.locator("tbody tr")).to_have_count(1)

    # Inline edit: a typo first, then a good value.
    row.get_by_role("link", name="Edit Cy Diaz").click()
    editing = page.locator("tr.editing")
    editing.get_by_label("Email").fill("cy@")
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_contain_text("Enter a valid email address.")
    page.locator("tr.editing").get_by_label("Name").fill("Cyrus Diaz")
    page.locator("tr.editing").get_by_label("Email").fill("cyrus@example.com")
    page.locator("tr.editing").get_by_label("Email").press("Enter")  # Enter saves, any field
    expect(page.locator("tr.editing")).to_have_count(0)
    expect(page.locator("tbody tr").first).to_contain_text("Cyrus Diaz")
    assert SandboxContact.objects.get(phone_number="+14385550101").email == "cyrus@example.com"

    # Delete, after confirming.
    page.get_by_label("Search contacts by name, phone, email or external id").fill("Dee")
    page.get_by_role("link", name="Delete Dee Roy").click()
    expect(page.get_by_role("heading", name="Delete Dee Roy?")).to_be_visible()
    page.get_by_role("button", name="Delete contact").click()
    expect(page.locator(".toast").first).to_contain_text("Deleted Dee Roy")
    expect(page.locator("#board")).not_to_contain_text("Dee Roy")
    assert not SandboxContact.objects.filter(name="Dee Roy").exists()


def test_board_follows_a_running_campaign_live(ccai, dialer_staff, login):
    from dialer.sync import sync_campaigns, sync_contacts

    campaign = SandboxCampaign.objects.create(name="Live one", mode="predictive", status="dialing")
    SandboxContact.objects.bulk_create(
        SandboxContact(
            campaign=campaign,
            name=f"Person {i}",
            email=f"p{i}@example.com",
            phone_number=f"+1438555{i:04d}",
            phone_key=f"1438555{i:04d}",
        )
        for i in range(1, 41)
    )
    sync_campaigns()
    sync_contacts()
    mirror = DialerCampaign.objects.get()
    page = login(dialer_staff)
    polls = []
    board_url = f"/dialer/{mirror.provider_id}/"
    page.on(
        "response",
        lambda r: (
            polls.append(r.status)
            if board_url in r.url and r.request.headers.get("hx-request")
            else None
        ),
    )
    page.goto(board_url)
    upcoming = page.locator('a.chip[data-status="Upcoming"] b')
    expect(upcoming).to_have_text("40")
    # Nothing changes: each re-read of the board is a 304, nothing downloaded.
    with page.expect_response(lambda r: board_url in r.url and r.status == 304, timeout=8_000):
        pass
    # The keyboard is on the Upcoming chip, the page scrolled, when calls progress.
    page.locator('a.chip[data-status="Upcoming"]').focus()
    page.evaluate("window.scrollTo(0, 300)")
    rng = random.Random(3)
    for _ in range(3):
        simulation.tick(rng)
    sync_running()
    # The page refreshes itself: fewer contacts waiting, some being dialled, no reload; the
    # focus stays where it was (only what changed was swapped).
    expect(upcoming).not_to_have_text("40", timeout=8_000)
    expect(page.locator('a.chip[data-status="Dialing"] b')).not_to_have_text("0")
    assert page.evaluate("document.activeElement.dataset.status") == "Upcoming"
    assert page.evaluate("window.scrollY") == 300
    assert re.search(r"/dialer/\d+/$", page.url)
    assert 304 in polls and 200 in polls


def test_the_board_on_a_phone(synced, dialer_staff, login):
    """390 px wide: no sideways scrolling, the statuses folded into one control, each contact a
    card with its whole phone, its status and its actions."""
    page = login(dialer_staff)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/dialer/{synced.provider_id}/")
    expect(page.locator("#board")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator(".dialer-groups")).to_be_hidden()
    card = page.locator("#board tbody tr", has_text="Ana Lima")
    assert card.bounding_box()["y"] < 844  # on the first screen, not below 21 chips
    phone = card.locator("td.phone")
    expect(phone).to_have_text("+1 514-555-0101")
    assert phone.evaluate(WHOLE), "the phone number is cut"
    box = phone.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    name = card.locator("td.c-name")
    assert name.bounding_box()["height"] < 40  # one line, not a letter per line
    expect(card.locator("td", has_text="Upcoming")).to_be_visible()
    expect(card.get_by_role("link", name="Edit Ana Lima")).to_be_visible()
    expect(card.get_by_role("link", name="Delete Ana Lima")).to_be_visible()
    # One control for the 21 statuses.
    page.get_by_label("Status", exact=True).select_option("finished")
    expect(page.locator("#board tbody tr")).to_have_count(1)
    expect(page.locator("#board tbody tr")).to_contain_text("Bo Chen")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# A cell's text fits the cell's box (nothing cut off, nothing spilling out).
WHOLE = """cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const style = getComputedStyle(cell);
  const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return range.getBoundingClientRect().width <= room + 0.5;
}"""


@pytest.mark.parametrize("width", [1024, 1440])
def test_every_phone_number_is_whole_on_a_desktop(synced, dialer_staff, login, width):
    from dialer.mirror import contacts_add_pending

    contacts_add_pending(synced.pk, [("Long", "l@example.com", "+442079460958", "", "")])
    page = login(dialer_staff)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/dialer/{synced.provider_id}/")
    phones = page.locator("#board td.phone")
    expect(phones).to_have_count(3)
    expect(page.locator("#board tr", has_text="Long").locator("td.phone")).to_have_text(
        "+44 20 7946 0958"
    )
    for i in range(3):
        assert phones.nth(i).evaluate(WHOLE), phones.nth(i).inner_text()


def test_the_check_report_appears_by_itself_when_a_worker_finishes(
    synced, dialer_staff, login, tmp_path, monkeypatch
):
    from dialer import imports, tasks
    from dialer.models import DialerImport

    monkeypatch.setattr(imports, "INLINE_CHECK_ROWS", 1)  # this file goes to a worker
    page = login(dialer_staff)
    page.goto(f"/dialer/{synced.provider_id}/import/")
    file = tmp_path / "spring.csv"
    file.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV or JSON file").set_input_files(str(file))
    page.get_by_role("button", name="Upload and choose columns").click()
    page.get_by_role("button", name="Check the rows").click()
    expect(page.get_by_text("Checking 0 of 6 rows…")).to_be_visible()
    loads = []
    page.on("load", lambda: loads.append(page.url))
    tasks.check_import.func(DialerImport.objects.get().pk)  # the worker
    # The page's next poll brings the whole report: no reload, no click.
    expect(page.get_by_role("heading", name="Check before sending")).to_be_visible()
    expect(page.locator(".report")).to_contain_text("Valid, to import3")
    expect(page.get_by_role("button", name="Import 3 contacts")).to_be_visible()
    assert loads == []
