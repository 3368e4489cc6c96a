"""Switchboard's shared pages in French: a manager who chose French reads the overview (its
chart with plotly's French month names and decimal comma), the audit log, the Providers page
and a form with an error in French, then switches back to English; someone not logged in
whose browser asks for French gets the login page in French. Numbers follow the language:
"31,9 %" and "1 234" in French, "31.9%" and "1,234" in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from contacts.models import Mailing, MailingSnapshot
from dashboard import context_processors
from dashboard.health import WorkerStatus
from dashboard.models import AuditEvent, Preferences
from dashboard.numbers import number, rate
from dashboard.providers import PROVIDER_NAMES, ProviderConfig
from tests.i18n.english import english_left

LAUNCHED = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)  # February: "Feb" in English, "Fév" in French


@pytest.fixture
def mailing(db):
    """A Dialog Insight mailing of February, 200 delivered, 50 opened, 10 clicked, whose
    numbers changed over four days (the chart's time axis)."""
    mailing = Mailing.objects.create(
        provider_id=7, message_id=3, message_name="Monthly newsletter", mode="All",
        status="Sent", launch_at=LAUNCHED, sent=200, delivered=200, unique_opens=50,
        unique_clicks=10, synced_at=LAUNCHED, stats_at=LAUNCHED + timedelta(days=4),
    )  # fmt: skip
    for day, opens, clicks in ((0, 20, 2), (1, 35, 6), (2, 45, 9), (4, 50, 10)):
        MailingSnapshot.objects.create(
            mailing=mailing, at=LAUNCHED + timedelta(days=day), sent=200, delivered=200,
            unique_opens=opens, unique_clicks=clicks,
        )  # fmt: skip
    AuditEvent.objects.create(
        username="marketer", provider="dialoginsight", object_type="mailing", object_id="7",
        object_label="Monthly newsletter", action="send", outcome=AuditEvent.Outcome.ERROR,
    )  # fmt: skip
    return mailing


def french_left(page, *parts: str) -> list[str]:
    """Switchboard's English strings left on the page (or in its `parts`, selectors)."""
    if not parts:
        return english_left(page.inner_text("body"))
    return english_left(" ".join(page.locator(", ".join(parts)).all_inner_texts()))


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def ticks(page) -> str:
    """The time axis's tick labels of the page's chart."""
    return " ".join(page.locator(".xtick text").all_text_contents())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_the_shared_pages_in_french_and_switches_back(manager, mailing, login):
    Preferences.objects.create(user=manager, language="fr")
    page = login(manager)

    # The overview: its own words, and its chart's bar labels with a decimal comma.
    expect(page.get_by_role("heading", name="Vue d'ensemble", exact=True)).to_be_visible()
    assert html_lang(page) == "fr"
    nav = page.get_by_role("navigation", name="Principale")
    assert "Fournisseurs" in nav.get_by_role("link").all_inner_texts()
    bars = page.locator("#latest-sendings .bartext")
    expect(bars.first).to_be_visible()
    assert sorted(bars.all_text_contents()) == ["25,0%", "5,0%"]
    page.get_by_text("Afficher ces chiffres dans un tableau").click()
    expect(page.locator("#table-sendings")).to_contain_text("25,0\u00a0%")
    # The summary cards and the campaign chart are each app's own (their catalogues).
    assert (
        french_left(
            page,
            ".skip-link",
            ".sandbox-banner",
            ".site-header",
            "main > hgroup",
            "#latest-sendings",
        )
        == []
    )

    # A chart with a time axis: plotly's French month abbreviations.
    page.goto(reverse("contacts:mailing_detail", args=[mailing.provider_id]))
    expect(page.locator(".xtick text").first).to_be_visible()
    assert "Fév" in ticks(page) and "Feb" not in ticks(page)

    page.goto(reverse("audit"))
    expect(page.get_by_role("heading", name="Journal d'audit")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Échoué")
    assert french_left(page) == []

    page.goto(reverse("providers"))
    expect(page.get_by_role("heading", name="Fournisseurs", exact=True)).to_be_visible()
    page.locator("#provider-ccai").get_by_role("button", name="Vérifier la connexion").click()
    expect(page.locator("#check-ccai")).to_contain_text("Connecté")
    expect(page.locator("#check-ccai")).to_contain_text("campagne")
    assert french_left(page) == []

    # A form with an error: the summary and the field say it in French, the choice kept.
    page.goto(reverse("preferences"))
    page.locator("#id_time_zone").evaluate(
        "(s) => { s.add(new Option('Mars/Olympus', 'Mars/Olympus')); s.value = 'Mars/Olympus'; }"
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("Fuseau horaire\u00a0: Sélectionnez")
    expect(page.locator("#id_language")).to_have_value("fr")
    assert french_left(page) == []

    # The switcher: back to English, on the same page, for good.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Preferences")).to_be_visible()
    assert html_lang(page) == "en"
    assert Preferences.objects.get(user=manager).language == "en"
    page.goto("/")
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.locator("#latest-sendings .bartext").first).to_have_text("25.0%")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_english_the_shared_pages_read_as_before(manager, mailing, login):
    page = login(manager)
    assert html_lang(page) == "en"
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.get_by_text("Latest sendings, EngageLab and Dialog Insight")).to_be_visible()
    page.get_by_text("Show these numbers as a table").click()
    expect(page.locator("#table-sendings")).to_contain_text("25.0%")
    page.goto(reverse("contacts:mailing_detail", args=[mailing.provider_id]))
    expect(page.locator(".xtick text").first).to_be_visible()
    assert "Feb" in ticks(page)
    page.goto(reverse("audit"))
    expect(page.locator("#results")).to_contain_text("Failed")
    page.goto(reverse("providers"))
    expect(page.get_by_text("Where each connection points")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_login_page_speaks_the_browsers_french(page):
    page.set_extra_http_headers({"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    page.goto("/login/")
    assert html_lang(page) == "fr"
    expect(page.get_by_role("button", name="Connexion")).to_be_visible()
    page.get_by_label("Nom d’utilisateur").fill("nobody")
    page.get_by_label("Mot de passe").fill("wrong")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    assert french_left(page) == []


@pytest.mark.parametrize(
    "language, shares, counts",
    [
        ("en", ["31.9%", "100.0%", "0.0%", "—"], ["1,234", "1,234,567", "12.5"]),
        (
            "fr",
            ["31,9\u00a0%", "100,0\u00a0%", "0,0\u00a0%", "—"],
            ["1\u00a0234", "1\u00a0234\u00a0567", "12,5"],
        ),
    ],
)  # fmt: skip
def test_rates_and_counts_are_written_in_the_readers_language(language, shares, counts):
    with translation.override(language):
        assert [rate(0.3191), rate(1), rate(0), rate(None)] == shares
        assert [number(1234), number(1234567), number(12.54, 1)] == counts


def test_a_rate_in_a_template_follows_the_language():
    from django.template import engines

    template = engines["django"].from_string(
        "{% load numbers humanize %}{{ r|rate }} {{ n|intcomma }}"
    )
    with translation.override("fr"):
        assert template.render({"r": 0.319, "n": 1234}) == "31,9\u00a0% 1\u00a0234"
    with translation.override("en"):
        assert template.render({"r": 0.319, "n": 1234}) == "31.9% 1,234"


@pytest.mark.parametrize(
    "alive, english, french",
    [
        (1, "1 task worker seen in the last 60 s.", "1 processus de tâches vu dans les"),
        (2, "2 task workers seen in the last 60 s.", "2 processus de tâches vus dans les"),
    ],
)  # fmt: skip
def test_worker_counts_have_their_plural(alive, english, french):
    status = WorkerStatus(alive=alive, last_seen=LAUNCHED)
    with translation.override("en"):
        assert status.describe() == english
    with translation.override("fr"):
        assert status.describe() == f"{french} dernières 60 s."


@pytest.mark.parametrize(
    "sandboxed, french",
    [
        (["ccai"], "CCAI Platform est un bac à sable\u00a0: rien ici n'atteint un vrai compte."),
        (
            ["engagelab", "ccai"],
            "EngageLab et CCAI Platform sont des bacs à sable\u00a0: rien ici n'atteint un "
            "vrai compte.",
        ),
    ],
)  # fmt: skip
def test_the_sandbox_banner_names_one_or_several_in_french(monkeypatch, sandboxed, french):
    configs = [
        ProviderConfig(name=name, base_url="", sandbox=name in sandboxed, credentials={})
        for name in PROVIDER_NAMES
    ]
    monkeypatch.setattr(context_processors, "all_provider_configs", lambda: configs)
    with translation.override("fr"):
        assert context_processors.sandbox_banner(None)["sandbox_banner"] == french
