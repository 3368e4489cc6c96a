"""Chromium: a form that failed says so at its top, where focus lands, each error a link to its
field; fields say they are invalid and what describes them; focus is always visible, and an
added builder row takes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns.sync import sync_references
from tests.campaigns.conftest import engagelab  # noqa: F401 (fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement;
        return {id: el.id, summary: el.hasAttribute("data-error-summary")}; }"""
    )


def test_a_wrong_password_is_said_at_the_top_and_focused(marketer, page):
    page.goto("/login/")
    page.get_by_label("Username").fill(marketer.username)
    page.get_by_label("Password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Log in").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Please enter a correct username and password")
    assert focused(page)["summary"]
    expect(page.get_by_label("Username")).to_have_value(marketer.username)


def test_a_failed_campaign_form_lists_its_errors_at_the_top(marketer, login, engagelab):  # noqa: F811
    sync_references()
    page = login(marketer)
    page.goto("/campaigns/new/")
    page.get_by_role("button", name="Schedule campaign").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert focused(page)["summary"]  # where the page starts for a keyboard or screen reader
    links = summary.get_by_role("link")
    assert links.count() >= 2  # the name missing, and when it is sent
    summary.get_by_role("link", name="Name:").click()
    assert focused(page)["id"] == "id_name"

    name = page.locator("#id_name")
    expect(name).to_have_attribute("aria-invalid", "true")
    described = name.get_attribute("aria-describedby").split()
    assert set(described) == {"id_name_helptext", "id_name_error"}
    expect(page.locator("#id_name_error")).to_contain_text("required")
    expect(page.locator("#id_name_helptext")).to_contain_text("characters")
    for target in summary.get_by_role("link").evaluate_all("els => els.map(a => a.hash)"):
        expect(page.locator(target)).to_have_count(1)  # every link leads to a field


def test_adding_a_warm_up_domain_moves_focus_to_its_first_field(marketer, login, engagelab):  # noqa: F811
    sync_references()
    page = login(marketer)
    page.goto("/campaigns/new/")
    rows = page.locator("#warmup-builder .row")
    for count in (1, 2):
        page.get_by_role("button", name="Add a domain").click()
        expect(rows).to_have_count(count)
        expect(rows.nth(count - 1).get_by_label("Recipient domain")).to_be_focused()


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two `rgb(…)` colours."""

    def luminance(rgb: str) -> float:
        parts = [int(float(v)) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        lin = [
            (c / 255) / 12.92 if c <= 10 else (((c / 255) + 0.055) / 1.055) ** 2.4 for c in parts
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_keyboard_focus_is_visible_on_every_kind_of_control(marketer, login, engagelab):  # noqa: F811
    sync_references()
    page = login(marketer)
    page.goto("/campaigns/new/")
    seen = {}
    for _ in range(80):  # Tab through the whole form
        page.keyboard.press("Tab")
        style = page.evaluate(
            """() => { const el = document.activeElement, s = getComputedStyle(el);
            return {kind: el.type || el.tagName, outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), colour: s.outlineColor}; }"""
        )
        if style["kind"] != "BODY":  # past the last control
            seen.setdefault(style["kind"], style)
    assert {"file", "text", "radio", "select-one", "submit"} <= set(seen)
    for kind, style in seen.items():
        assert style["outline"] == "solid" and style["width"] >= 2, (kind, style)
        assert contrast(style["colour"], "rgb(255, 255, 255)") >= 3, (kind, style)
