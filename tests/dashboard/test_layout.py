"""Chromium walks every page each role may open, with every provider's objects in place, on a
phone (390 × 844) and on a laptop (1366 × 768): nothing scrolls sideways, the main menu is
reachable, and (through the `page` fixture) no page breaks the Content-Security-Policy or has
a serious accessibility violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns.sandbox.models import SandboxCampaign
from campaigns.sandbox.simulation import simulate
from campaigns.stats import process_events
from campaigns.sync import sync_campaigns
from tests.campaigns.conftest import engagelab, regular_payload  # noqa: F401 (fixture)
from tests.contacts.conftest import audience, claire, project  # noqa: F401 (fixtures)
from tests.dashboard.test_access import NAV
from tests.dashboard.test_get_is_safe import QUERIES, everything, get_urls  # noqa: F401
from tests.dialer.conftest import ccai, synced  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def pages_of(client, user, samples) -> list[str]:
    """The full pages `user` may open (not their htmx fragments, JSON or files)."""
    client.force_login(user)
    found = []
    for route, url in get_urls(samples):
        query = QUERIES.get(route)
        response = client.get(url, query)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        if b"<html" not in response.content:
            continue  # a fragment
        found.append(url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))
    client.logout()
    return found


def overflowing(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def charts_too(everything, engagelab):  # noqa: F811
    """A campaign sending, with statistics, so that the charts draw too."""
    sending = engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    SandboxCampaign.objects.filter(pk=sending.campaign_id).update(audience=5000)
    simulate(batch=200)
    process_events()
    sync_campaigns()
    return everything | {"campaign_id": [*everything["campaign_id"], sending.campaign_id]}


@pytest.mark.parametrize("role", sorted(NAV))
def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(
    role, role_users, charts_too, client, login
):
    user = role_users[role]
    urls = pages_of(client, user, charts_too)
    assert len(urls) >= {"admin": 20, "manager": 20, "marketer": 15, "dialer": 5}[role]
    page = login(user)
    wide = {}
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if over := overflowing(page):
                wide[(viewport["width"], url)] = over
    assert wide == {}, "\n".join(
        f"{w} px: {url} is {px} px too wide" for (w, url), px in wide.items()
    )


def test_the_main_menu_folds_on_a_phone_and_opens_with_the_keyboard(marketer, login):
    page = login(marketer)
    page.set_viewport_size(PHONE)
    nav = page.get_by_role("navigation", name="Main")
    log_out = page.get_by_role("button", name="Log out mia.marketer")
    expect(log_out).to_be_hidden()
    menu = nav.locator("summary", has_text="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    expect(log_out).to_be_visible()
    expect(nav.get_by_role("link", name="Campaigns")).to_be_visible()
    assert overflowing(page) == 0
    page.set_viewport_size(LAPTOP)  # wide: no menu button, every link beside the name
    page.reload()
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Audit")).to_be_visible()
    expect(log_out).to_be_in_viewport()


def test_the_campaign_list_shows_every_column_on_a_laptop(charts_too, marketer, login):
    """The rates are the list's point: on a laptop they are in view, not behind a sideways
    scroll of the table."""
    page = login(marketer)
    page.set_viewport_size(LAPTOP)
    page.goto("/campaigns/")
    expect(page.locator("#table-campaigns td.number").first).to_be_visible()
    assert (
        page.evaluate(
            "(() => { const wrap = document.querySelector('#table-campaigns').parentElement;"
            " return wrap.scrollWidth - wrap.clientWidth; })()"
        )
        == 0
    )
    expect(
        page.get_by_role("columnheader", name="Unique click rate, over delivered")
    ).to_be_in_viewport()
