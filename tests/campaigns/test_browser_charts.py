"""Chromium, as a manager: the live charts refresh without a reload, and so do the numbers
and tables beside them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns.sandbox.models import SandboxCampaign
from campaigns.sandbox.simulation import simulate
from campaigns.stats import process_events
from campaigns.sync import sync_campaigns
from dashboard.numbers import rate
from tests.campaigns.conftest import regular_payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _running_campaign(engagelab, sent: int) -> int:
    created = engagelab.campaign_create(regular_payload(send_time="2020-01-01 00:00:00"))
    SandboxCampaign.objects.filter(pk=created.campaign_id).update(audience=5000)
    simulate(batch=sent)
    process_events()
    sync_campaigns()
    return created.campaign_id


def _sent_column(page, table: str) -> int:
    cells = page.locator(f"#{table} tbody tr td:nth-child(2)").all_inner_texts()
    return sum(int(c.replace(",", "")) for c in cells)


def test_overview_chart_and_table_move_with_new_events(manager, login, engagelab):
    from campaigns import stats

    _running_campaign(engagelab, 200)
    page = login(manager)  # the overview, which includes the live chart
    chart = page.get_by_role("figure", name="Unique open and click rates of the latest campaigns")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Autumn newsletter — opens")).to_be_visible()
    sent = page.locator('[data-number="sent"]')
    expect(sent).to_have_text("200")
    page.get_by_text("Show as a table").click()
    row = page.locator("#table-overview tbody tr").first
    [series] = stats.overview("24h")["series"]
    expect(row).to_contain_text(rate(series["open_rate"][-1]))

    simulate(batch=300)
    process_events()
    expect(sent).to_have_text("500", timeout=12_000)  # polled every 5 s, no reload
    [series] = stats.overview("24h")["series"]
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text(rate(series["open_rate"][-1]))
    expect(cells.nth(2)).to_have_text(rate(series["click_rate"][-1]))


def test_campaign_tables_refresh_with_the_charts(manager, login, engagelab):
    campaign_id = _running_campaign(engagelab, 120)
    page = login(manager)
    page.goto(f"/campaigns/{campaign_id}/")
    expect(page.locator('[data-number="sent"]')).to_have_text("120")
    page.get_by_text("Show these numbers as tables").click()
    assert _sent_column(page, "table-domains") == 120

    simulate(batch=360)
    process_events()
    expect(page.locator('[data-number="sent"]')).to_have_text("480", timeout=15_000)
    # The table beside the chart says the same as the headline, without a reload.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#table-domains tbody tr td:nth-child(2)')]"
        ".reduce((n, td) => n + Number(td.textContent.replace(/,/g, '')), 0) === 480"
    )
    assert _sent_column(page, "table-domains") == 480


def test_every_chart_is_drawn_by_one_module_and_again_after_an_htmx_swap(manager, login, engagelab):
    """The overview holds two kinds of figure: the live campaign chart (polled) and the
    latest sendings (its article replaced by htmx every 30 s). Both are drawn by
    static/js/charts.js, the sendings again once htmx has swapped in a new article, and no
    page script is written inline."""
    _running_campaign(engagelab, 200)
    page = login(manager)
    campaigns = page.locator("#campaign-overview-chart [data-plotly]")
    sendings = page.locator("#latest-sendings [data-plotly]")
    expect(campaigns.locator(".main-svg").first).to_be_visible(timeout=15_000)
    expect(sendings.locator(".main-svg").first).to_be_visible()
    scripts = page.locator("script:not([src])").evaluate_all(
        "els => els.filter(e => e.type !== 'application/json').length"
    )
    assert scripts == 0

    page.evaluate("document.querySelector('#latest-sendings').dataset.before = 'swap'")
    page.evaluate(
        "htmx.ajax('GET', '/overview/sendings/', {target: '#latest-sendings', swap: 'outerHTML'})"
    )
    swapped = page.locator("#latest-sendings:not([data-before])")
    expect(swapped.locator("[data-plotly] .main-svg").first).to_be_visible()
