"""Contacts in a real Chromium, against the sandbox over HTTP."""

from __future__ import annotations

import pytest

from contacts.client import DialogInsightClient
from tests.contacts.conftest import merge_one

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_and_subscribe_to_the_newsletter(login, marketer, claire):
    merge_one(DialogInsightClient(), "bob@example.com", f_FirstName="Bob", f_LastName="Stone")
    page = login(marketer)
    page.goto("/contacts/")
    page.get_by_label("Email or name").fill("claire")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#results")
    results.get_by_role("link", name="claire@example.com").click()
    page.wait_for_url(f"**/contacts/{claire}/?key=claire%40example.com")
    assert page.get_by_role("heading", name="claire@example.com").is_visible()
    row = page.get_by_role("row", name="Newsletter")
    assert row.get_by_text("Not subscribed").is_visible()
    row.get_by_role("button", name="Subscribe to Newsletter").click()
    page.get_by_role("button", name="Unsubscribe from Newsletter").wait_for()
    assert (
        page.get_by_role("row", name="Newsletter")
        .get_by_text("Subscribed", exact=True)
        .is_visible()
    )
    assert page.locator("#toasts").get_by_text("subscribed to Newsletter").is_visible()
    page.reload()  # it is stored at the provider, not only on the page
    assert (
        page.get_by_role("row", name="Newsletter")
        .get_by_text("Subscribed", exact=True)
        .is_visible()
    )
    assert DialogInsightClient().contact_get(claire).optins["Newsletter"] is True


@pytest.fixture
def newsletter(project):
    from contacts import nomenclature, sync

    di = DialogInsightClient()
    merge_one(di, "laval@example.com", f_LastName="Laval", f_City="Laval")
    di.segment_merge(
        name="Laval", clause=nomenclature.field_clause("City", "Equal", "Laval"), segment_id=None
    )
    di.message_create(name="Spring news", subject="Spring", sender="n@example.com", html="x")
    di.message_create(
        name="Cart reminder", subject="Cart", sender="s@example.com", html="[[CartUrl]]"
    )
    sync.sync_segments()
    sync.sync_messages()


def test_schedule_a_sending_to_a_segment_and_see_it_scheduled(login, marketer, newsletter):
    page = login(marketer)
    page.goto("/contacts/mailings/")
    page.get_by_role("button", name="Schedule a sending").click()
    page.get_by_label("Message").select_option(label="Spring news")
    page.get_by_label("Audience").select_option(label="Laval")
    page.get_by_label("Schedule for later").check()
    page.get_by_label("Launch at").fill("2031-05-01T08:00")
    page.get_by_label("Time zone").select_option("America/Toronto")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("will be sent to").wait_for()
    assert "1 contact" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Schedule the sending").click()
    page.wait_for_url("**/contacts/mailings/")
    row = page.get_by_role("row").filter(has_text="Spring news")
    assert row.get_by_text("Scheduled").is_visible()
    assert row.get_by_text("2031-05-01 12:00").is_visible()  # 08:00 in Toronto, shown in UTC


def test_trigger_a_message_and_see_it_in_the_history(login, marketer, newsletter):
    contact_id = DialogInsightClient().contact_search(max_rows=1)[0].id
    page = login(marketer)
    page.goto(f"/contacts/{contact_id}/")
    history = page.get_by_role("article").filter(has_text="Mailing history")
    assert history.get_by_text("No mailing sent to this contact yet.").is_visible()
    page.get_by_label("Message").select_option(label="Cart reminder")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("This message needs a value for: CartUrl.").wait_for()
    page.get_by_label("Parameters").fill("CartUrl=https://shop.example/cart/42")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("“Cart reminder” sent to laval@example.com.").wait_for()
    history = page.get_by_role("article").filter(has_text="Mailing history")
    assert history.get_by_role("cell", name="Cart reminder").is_visible()
