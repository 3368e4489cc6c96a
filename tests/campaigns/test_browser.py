"""Chromium, as a marketer: build an A/B campaign with three subject variants and a warm-up
with two domains, save, find it in the list by search, open it, delete it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sync import sync_references
from tests.campaigns.conftest import digest, received_attachments
from tests.conftest import living_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_build_find_open_and_delete_an_ab_campaign(marketer, login, engagelab):
    sync_references()
    page = login(living_in(marketer, "America/Toronto"))
    page.goto("/campaigns/")
    page.get_by_role("button", name="New campaign").click()

    # Start as a regular campaign to build the warm-up, which A/B tests do not have.
    page.get_by_label("Name", exact=True).fill("Holiday subject test")
    page.get_by_label("Contacts with tags").check()
    page.get_by_label("newsletter", exact=True).check()
    page.get_by_label("Sender", exact=True).select_option(
        label="Switchboard News <news@mail.switchboard.test>"
    )
    page.get_by_label("Template", exact=True).select_option(label="Seasonal promotion")
    page.get_by_label("Schedule for…").check()
    page.get_by_label("Send at").fill("2099-12-01T09:30")
    page.get_by_label("Time zone").select_option("America/Toronto")

    rows = page.locator("#warmup-builder .row")
    for count in (1, 2):
        page.get_by_role("button", name="Add a domain").click()
        expect(rows).to_have_count(count)
    rows.nth(0).get_by_label("Recipient domain").fill("gmail.com")
    rows.nth(1).get_by_label("Recipient domain").fill("outlook.com")
    rows.nth(1).get_by_label("Rate level").fill("2")
    expect(page.locator("#warmup-preview")).to_contain_text(
        "outlook.com: starts at rate level 2; the rate goes up when at least 95%"
    )

    # Switch to an A/B test on the subject: three variants.
    page.get_by_label("A/B test").check()
    expect(page.locator("#warmup-builder")).to_be_hidden()
    page.get_by_role("button", name="Add a variant").click()
    variants = page.locator("#ab-builder .variants input")
    expect(variants).to_have_count(3)
    for i, subject in enumerate(["Ho ho ho!", "Your holiday offers", "Last days to order"]):
        variants.nth(i).fill(subject)
    page.get_by_label("Share of contacts in the test (%)").fill("30")
    page.get_by_label("Decide after").fill("12")
    expect(page.locator("#ab-sentence")).to_have_text(
        "30% get the test, split evenly between 3 subjects; after 12 hours the subject with "
        "the best open rate (every open counted) goes to the other 70%."
    )
    page.get_by_role("button", name="Schedule campaign").click()

    expect(page.get_by_role("heading", name="Holiday subject test")).to_be_visible()
    expect(page.locator(".toast")).to_contain_text("Campaign “Holiday subject test” created.")
    sent = SandboxCampaign.objects.get().data
    assert sent["ab_test"]["subjects"] == ["Ho ho ho!", "Your holiday offers", "Last days to order"]
    assert "warm_up" not in sent or not sent["warm_up"]  # A/B tests carry no warm-up

    # Find it in the list by searching; the URL keeps the search.
    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_label("Search by name").fill("holiday subj")
    expect(page).to_have_url(re.compile(r"q=holiday(%20|\+)subj"))
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Holiday subject test").click()
    expect(page.get_by_text("after 12 hours the subject with the best open rate")).to_be_visible()
    expect(page.get_by_text("Sends 2099-12-01 09:30 EST (UTC−5)")).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “Holiday subject test”?")).to_be_visible()
    page.get_by_role("button", name="Delete “Holiday subject test”").click()
    expect(page.locator(".toast")).to_contain_text("Campaign “Holiday subject test” deleted.")
    assert not SandboxCampaign.objects.exists() and not Campaign.objects.exists()


def _new_campaign(page, name: str, template: str = "newsletter") -> None:
    """The builder, with a name, the sender and a template chosen."""
    page.goto("/campaigns/new/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Sender", exact=True).select_option(value="21")
    page.get_by_label("Template", exact=True).select_option(value=template)


def test_regular_campaign_with_two_warm_up_domains(marketer, login, engagelab):
    sync_references()
    page = login(living_in(marketer, "America/Toronto"))
    _new_campaign(page, "Warm-up check")
    page.get_by_label("Schedule for…").check()
    page.get_by_label("Send at").fill("2099-12-01T09:30")
    rows = page.locator("#warmup-builder .row")
    for count in (1, 2):
        page.get_by_role("button", name="Add a domain").click()
        expect(rows).to_have_count(count)
    rows.nth(0).get_by_label("Recipient domain").fill("gmail.com")
    rows.nth(1).get_by_label("Recipient domain").fill("GMAIL.com")
    page.get_by_role("button", name="Schedule campaign").click()
    expect(page.get_by_text("gmail.com is already in the warm-up.", exact=True)).to_be_visible()
    rows.nth(1).get_by_label("Recipient domain").fill("yahoo.com")
    page.get_by_role("button", name="Schedule campaign").click()
    expect(page.get_by_role("heading", name="Warm-up check")).to_be_visible()
    assert [w["domain"] for w in SandboxCampaign.objects.get().data["warm_up"]] == [
        "gmail.com",
        "yahoo.com",
    ]


def test_send_now_is_an_explicit_choice_confirmed_with_its_audience(marketer, login, engagelab):
    sync_references()
    page = login(living_in(marketer, "America/Toronto"))
    _new_campaign(page, "Flash sale", template="promo_season")
    page.get_by_label("Contacts with tags").check()
    page.get_by_label("newsletter", exact=True).check()
    # Nothing chosen: a message on the field, nothing sent.
    expect(page.get_by_role("button", name="Send now…")).to_be_hidden()
    page.get_by_role("button", name="Schedule campaign").click()
    when_error = page.locator("#id_when_error")
    expect(when_error.get_by_text("Choose when it is sent: schedule it")).to_be_visible()
    assert not SandboxCampaign.objects.exists()
    # Send now: the date goes, the button says what it does, a confirmation comes first.
    page.get_by_label("Send now").check()
    expect(page.get_by_label("Send at")).to_be_hidden()
    expect(page.get_by_role("button", name="Schedule campaign")).to_be_hidden()
    page.get_by_role("button", name="Send now…").click()
    expect(page.get_by_text("Send now to Tag: newsletter (size unknown)?")).to_be_visible()
    assert not SandboxCampaign.objects.exists()
    # Change something: back with everything as typed.
    page.get_by_role("button", name="Change something").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Flash sale")
    expect(page.get_by_label("Send now")).to_be_checked()
    expect(page.get_by_label("Template", exact=True)).to_have_value("promo_season")
    page.get_by_role("button", name="Send now…").click()
    page.get_by_role("button", name="Send “Flash sale” now").click()
    expect(page.get_by_role("heading", name="Flash sale")).to_be_visible()
    expect(page.locator(".toast")).to_contain_text("Campaign “Flash sale” created.")
    sent = SandboxCampaign.objects.get()
    assert "send_time" not in sent.data and sent.status == 1


def test_an_edit_keeps_the_schedule_engagelab_does_not_echo(marketer, login, engagelab, settings):
    settings.SANDBOX_ENGAGELAB_NO_SCHEDULE_IN_RUN_TIME = True  # no schedule in `run_time`
    sync_references()
    page = login(living_in(marketer, "America/Toronto"))
    _new_campaign(page, "Winter letter")
    page.get_by_label("Schedule for…").check()
    page.get_by_label("Send at").fill("2099-12-01T09:30")
    page.get_by_label("Time zone").select_option("America/Toronto")
    page.get_by_role("button", name="Schedule campaign").click()
    expect(page.get_by_text("Sends 2099-12-01 09:30 EST (UTC−5)")).to_be_visible()
    assert Campaign.objects.get().run_time is None
    # Rename it, nothing else.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Schedule for…")).to_be_checked()
    expect(page.get_by_label("Send at")).to_have_value("2099-12-01T09:30")
    page.get_by_label("Name", exact=True).fill("Winter letter, final")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".toast")).to_contain_text("Campaign “Winter letter, final” saved.")
    expect(page.get_by_text("Sends 2099-12-01 09:30 EST (UTC−5)")).to_be_visible()
    sent = SandboxCampaign.objects.get()
    assert sent.data["send_time"] == "2099-12-01 09:30:00" and sent.data["time_zone"] == -5
    assert sent.status == 0 and sent.name == "Winter letter, final"


TERMS = b"Terms and conditions of the winter sale."


def test_a_file_chosen_once_is_sent_after_an_error_elsewhere(marketer, login, engagelab):
    sync_references()
    page = login(living_in(marketer, "America/Toronto"))
    _new_campaign(page, "")  # no name: an error in another field than the file's
    page.get_by_label("Schedule for…").check()
    page.get_by_label("Send at").fill("2099-12-01T09:30")
    page.get_by_label("Attachments").set_input_files(
        {"name": "terms.txt", "mimeType": "text/plain", "buffer": TERMS}
    )
    page.get_by_role("button", name="Schedule campaign").click()
    expect(page.get_by_text("This field is required.", exact=True)).to_be_visible()
    expect(page.get_by_text("Kept: terms.txt")).to_be_visible()
    assert not SandboxCampaign.objects.exists()
    page.get_by_label("Name", exact=True).fill("Winter terms")
    page.get_by_role("button", name="Schedule campaign").click()
    expect(page.get_by_role("heading", name="Winter terms")).to_be_visible()
    expect(page.get_by_text("terms.txt (40 bytes)")).to_be_visible()
    assert received_attachments() == {"terms.txt": digest(TERMS)}


def test_warm_up_thresholds_are_percentages(marketer, login, engagelab):
    sync_references()
    page = login(living_in(marketer, "America/Toronto"))
    _new_campaign(page, "Warm in percent")
    page.get_by_label("Schedule for…").check()
    page.get_by_label("Send at").fill("2099-12-01T09:30")
    page.get_by_role("button", name="Add a domain").click()
    row = page.locator("#warmup-builder .row").first
    row.get_by_label("Recipient domain").fill("gmail.com")
    raise_at = row.locator(".percent-input").first  # the sign follows the number
    expect(raise_at.locator("input")).to_have_value("95")
    expect(raise_at.locator("span")).to_have_text("%")
    row.get_by_label("Raise the rate at").fill("92.5")
    expect(page.locator("#warmup-preview")).to_contain_text(
        "gmail.com: starts at rate level 1; the rate goes up when at least 92.5% of messages "
        "are delivered, and down when fewer than 75% are."
    )
    page.get_by_role("button", name="Schedule campaign").click()
    expect(page.get_by_role("heading", name="Warm in percent")).to_be_visible()
    [sent] = SandboxCampaign.objects.get().data["warm_up"]
    assert (sent["upgrade_value"], sent["downgrade_value"]) == ("0.925", "0.75")
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Raise the rate at")).to_have_value("92.5")
    expect(page.get_by_label("Lower the rate below")).to_have_value("75")


@pytest.fixture
def page_without_javascript(browser, sandbox, client, marketer):
    """The builder in a browser that runs no script, the marketer's session given to it: the
    CSS alone decides what shows."""
    client.force_login(marketer)
    context = browser.new_context(base_url=sandbox.url, java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": sandbox.url}])  # fmt: skip
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_an_ab_test_hides_what_it_compares_even_without_javascript(
    page_without_javascript, engagelab
):
    sync_references()
    page = page_without_javascript
    page.goto("/campaigns/new/")
    subject = page.get_by_label("Subject", exact=True)
    sender = page.get_by_label("Sender", exact=True)
    why = page.get_by_text("Warm-up and link tracking (UTM) are not offered for an A/B test")
    expect(subject).to_be_visible()
    expect(page.locator("#warmup-builder")).to_be_visible()
    expect(why).to_be_hidden()

    page.get_by_label("A/B test").check()
    expect(subject).to_be_hidden()
    expect(page.get_by_text("The subject is what the A/B test below compares")).to_be_visible()
    expect(page.locator("#warmup-builder")).to_be_hidden()
    expect(page.get_by_role("group", name="Link tracking (UTM) (optional)")).to_be_hidden()
    expect(why).to_be_visible()

    page.get_by_label("What to test").select_option(label="Sender")
    expect(sender).to_be_hidden()
    expect(page.get_by_text("The sender is what the A/B test below compares")).to_be_visible()
    expect(subject).to_be_visible()
