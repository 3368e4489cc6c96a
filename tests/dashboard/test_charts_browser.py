"""Chromium on the chart pages: plotly.js's basic bundle is enough (lines and bars draw), the
page's JavaScript stays under 1.5 MB, and the overview keeps its place while its campaign
chart loads."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.campaigns.conftest import engagelab  # noqa: F401 (fixture)
from tests.campaigns.test_browser_charts import _running_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT_BYTES = """() => performance.getEntriesByType("resource")
    .filter((r) => r.initiatorType === "script")
    .reduce((total, r) => total + r.decodedBodySize, 0)"""


def test_chart_pages_draw_lines_and_bars_with_under_1_5_mb_of_javascript(
    manager,
    login,
    engagelab,  # noqa: F811
):
    campaign_id = _running_campaign(engagelab, 200)
    page = login(manager)
    for url, lines, bars in (
        ("/", "#campaign-overview-chart", "#latest-sendings"),
        (f"/campaigns/{campaign_id}/", "#campaign-charts", "#campaign-charts"),
    ):
        page.goto(url)
        # (a campaign only minutes old may have a single point: a line of no length)
        expect(page.locator(f"{lines} .scatterlayer path.js-line").first).to_be_attached()
        expect(page.locator(f"{lines} .scatterlayer .point").first).to_be_visible()
        # A bar is drawn with an area (the first may stand for a count that is still 0).
        page.wait_for_function(
            """sel => [...document.querySelectorAll(sel)].some(p => {
                 const box = p.getBBox(); return box.width > 0 && box.height > 0; })""",
            arg=f"{bars} .barlayer .point path",
        )
        assert 0 < page.evaluate(SCRIPT_BYTES) <= 1_500_000, url


def test_the_overview_does_not_move_when_its_campaign_chart_arrives(
    manager,
    login,
    engagelab,  # noqa: F811
):
    _running_campaign(engagelab, 200)
    page = login(manager)
    # Where the next section stands while the page shows "Loading campaign charts…": just
    # before htmx puts the chart in.
    page.add_init_script(
        """document.addEventListener("htmx:beforeSwap", (e) => {
          if (e.target.id !== "campaign-overview-chart" || window.__belowAtFirst) return;
          const below = document.getElementById("latest-sendings");
          window.__belowAtFirst = below.getBoundingClientRect().top + scrollY;
        });"""
    )
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        expect(page.get_by_text("Loading campaign charts…")).to_have_count(0)
        chart = page.locator("#campaign-overview-chart .main-svg").first
        expect(chart).to_be_visible()
        moved = page.evaluate(
            """() => document.getElementById("latest-sendings").getBoundingClientRect().top
               + scrollY - window.__belowAtFirst"""
        )
        assert abs(moved) <= 1, (width, moved)
