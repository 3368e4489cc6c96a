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
    page.wait_for_url(f"**/contacts/{claire}/")
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
