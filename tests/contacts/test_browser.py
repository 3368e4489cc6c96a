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


def _mark(page) -> None:
    """Mark the loaded document: the mark survives htmx swaps, not a page load."""
    page.evaluate("document.documentElement.dataset.unreloaded = 'yes'")


def _not_reloaded(page) -> bool:
    return page.evaluate("document.documentElement.dataset.unreloaded") == "yes"


def _settled(page) -> None:
    """Wait until htmx has no request in flight and nothing left to swap (a row refreshed
    after a field or an operator is chosen), as a person would before typing."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def test_one_input_per_placeholder_and_the_history_updates_in_place(login, marketer, project):
    di = DialogInsightClient()
    contact_id = merge_one(di, "cart@example.com", f_FirstName="Cy", f_LastName="Cart")
    di.message_create(name="Spring news", subject="Spring", sender="n@example.com", html="x")
    di.message_create(
        name="Cart reminder",
        subject="Cart",
        sender="s@example.com",
        html="<a href='[[CartUrl]]'>Your cart</a>, [[Coupon]] off",
    )
    from contacts import sync

    sync.sync_messages()
    page = login(marketer)
    page.goto(f"/contacts/{contact_id}/")
    history = page.locator("#history")
    assert history.get_by_text("No mailing sent to this contact yet.").is_visible()
    _mark(page)
    page.get_by_label("Message").select_option(label="Cart reminder")
    cart_url = page.get_by_label("CartUrl")
    cart_url.wait_for()
    assert page.get_by_label("Coupon").is_visible()
    page.get_by_label("Coupon").fill("SPRING")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Enter the value that replaces [[CartUrl]].").first.wait_for()
    assert page.get_by_label("Coupon").input_value() == "SPRING"  # kept as typed
    page.get_by_label("CartUrl").fill("https://shop.example/cart/42")
    page.get_by_role("button", name="Send now").click()
    page.locator("#toasts").get_by_text("“Cart reminder” sent to cart@example.com.").wait_for()
    history.get_by_role("cell", name="Cart reminder").wait_for()
    assert page.locator("#activity").get_by_text("sent message").is_visible()
    assert page.get_by_label("Message").input_value() == ""  # a fresh form for the next one
    assert _no_inline_script(page)
    # Another message, other placeholders: none for Spring news.
    page.get_by_label("Message").select_option(label="Spring news")
    page.get_by_text("This message has no placeholder to fill.").wait_for()
    assert page.get_by_label("CartUrl").count() == 0
    assert _not_reloaded(page)


def test_the_segment_builder_adds_removes_and_counts_in_place(login, marketer, project):
    di = DialogInsightClient()
    merge_one(di, "a@example.com", f_LastName="A", f_City="Laval", f_LoyaltyPoints="99")
    merge_one(di, "b@example.com", f_LastName="B", f_City="Laval", f_LoyaltyPoints="120")
    merge_one(di, "c@example.com", f_LastName="C", f_City="Laval", f_LoyaltyPoints="1000")
    merge_one(di, "d@example.com", f_LastName="D", f_City="Toronto", f_LoyaltyPoints="500")
    page = login(marketer)
    page.goto("/contacts/segments/new/")
    _mark(page)
    count = page.locator("#segment-count")
    count.get_by_text("Complete the conditions to see how many contacts match.").wait_for()
    page.get_by_label("Segment name").fill("Loyal Laval")
    first = page.get_by_role("group", name="Condition 1")
    first.get_by_label("Field").select_option(label="City")
    _settled(page)  # the row as the field's type wants it
    first.get_by_label("Value").fill("Laval")
    count.get_by_text("Matches 3 contacts today.").wait_for()
    page.get_by_role("button", name="Add a condition").click()
    second = page.get_by_role("group", name="Condition 2")
    second.wait_for()
    _settled(page)
    second.get_by_label("Field").select_option(label="Loyalty points")
    operator = second.get_by_label("Operator")
    second.locator('input[type="number"]').wait_for()  # a number: its own input, operators
    _settled(page)
    assert [o.strip() for o in operator.locator("option").all_inner_texts()] == [
        "is", "more than", "less than", "between",
    ]  # fmt: skip
    operator.select_option(label="more than")
    _settled(page)
    second.get_by_label("Value").fill("100")
    count.get_by_text("Matches 2 contacts today.").wait_for()
    assert page.get_by_role("group", name="Condition 1").get_by_label("Value").input_value() == (
        "Laval"
    )
    page.get_by_role("button", name="Remove condition 1").click()
    count.get_by_text("Matches 3 contacts today.").wait_for()  # 120, 1000 and Toronto's 500
    assert page.get_by_role("group", name="Condition 2").count() == 0
    assert _not_reloaded(page) and _no_inline_script(page)
    page.get_by_role("button", name="Save segment").click()
    page.wait_for_url("**/contacts/segments/*/")
    assert page.get_by_text("Contacts where Loyalty points more than 100").is_visible()


def _no_inline_script(page) -> bool:
    """Nothing a Content-Security-Policy without 'unsafe-inline' would block: no inline
    script (data in json_script is not run) and no on…= handler."""
    return page.evaluate(
        """() => ![...document.querySelectorAll('script:not([src])')]
                .some(s => s.type !== 'application/json')
            && ![...document.querySelectorAll('*')]
                .some(e => [...e.attributes].some(a => a.name.startsWith('on')))"""
    )


def test_the_mailing_chart_is_drawn_from_a_static_script(login, manager, newsletter):
    from tests.contacts.conftest import sent_and_opened

    mailing_id = sent_and_opened("Spring news")
    page = login(manager)
    page.goto(f"/contacts/mailings/{mailing_id}/")
    page.locator("#mailing-chart .main-svg").first.wait_for(timeout=15_000)  # plotly, first draw
    assert _no_inline_script(page)
