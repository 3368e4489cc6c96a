"""Campaigns in French: a marketer whose language is French walks the campaign list, an A/B
campaign's page with its charts and verdict, a regular one with its warm-up, the builder shown
with errors (and its A/B and warm-up parts), the Send now confirmation; a manager reads the
overview's campaign chart. No English string of Switchboard's is left, and the same walk in
English still reads as before. Plus the sentences whose words follow a count."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from campaigns import charts, describe, significance
from campaigns.models import CampaignStatus
from campaigns.sandbox.models import SandboxCampaign
from campaigns.significance import Arm
from campaigns.sync import sync_references
from dashboard.models import Preferences
from tests.campaigns.conftest import ab_payload, regular_payload, send_to_the_end
from tests.campaigns.test_charts import mirror
from tests.i18n.english import english_left

# What each language's walk must show (the French one must also show no English at all).
SAYS = {
    "fr": {
        "list": "Campagnes courriel EngageLab",
        "verdict": "EngageLab a envoyé l'objet",
        "warm_up": "commence au niveau de débit 1",
        "schedule": "Planifier la campagne",
        "error": "Choisissez l'expéditeur de la campagne.",
        "preview": "gmail.com\xa0: commence au niveau de débit 1\xa0; le débit augmente",
        "ab": "des contacts reçoivent le test, réparti également entre 2 objets",
        "send_now": "Envoyer maintenant…",
        "confirm": "Envoyer maintenant à Toute la liste de contacts (environ",
        "overview": "Taux d'ouverture et de clics uniques des dernières campagnes",
        "a_b": "Test A/B",
        "now": "Envoyer maintenant",
    },
    "en": {
        "list": "EngageLab email campaigns",
        "verdict": "EngageLab sent subject",
        "warm_up": "starts at rate level 1",
        "schedule": "Schedule campaign",
        "error": "Choose who the campaign is sent from.",
        "preview": "gmail.com: starts at rate level 1; the rate goes up",
        "ab": "get the test, split evenly between 2 subjects",
        "send_now": "Send now…",
        "confirm": "Send now to Everyone on the contact list (about",
        "overview": "Unique open and click rates of the latest campaigns",
        "a_b": "A/B test",
        "now": "Send now",
    },
}


def _finished_campaigns(engagelab) -> tuple[int, int]:
    """A regular campaign with a warm-up and an A/B test on three subjects, sent by the
    sandbox to the end (test share, then the winner), their events counted."""
    sync_references()
    # Names and subjects that are no English word of Switchboard's: data, not messages.
    regular = engagelab.campaign_create(
        regular_payload(name="Infolettre d'automne", send_time="2020-01-01 00:00:00")
    )
    ab_test = {**ab_payload()["ab_test"], "subjects": ["Bonjour", "Salut", "Allô"]}
    ab = engagelab.campaign_create(
        ab_payload(name="Essai d'objets", ab_test=ab_test, send_time="2020-01-01 00:00:00")
    )
    SandboxCampaign.objects.filter(pk=regular.campaign_id).update(audience=200)
    SandboxCampaign.objects.filter(pk=ab.campaign_id).update(audience=300)
    send_to_the_end()
    return regular.campaign_id, ab.campaign_id


def _reads(page, language: str, text: str, where: str = "main") -> None:
    """The page is in `language`, says `text`, and (in French) has no English left."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(where)).to_contain_text(text)
    if language == "fr":
        # Only what campaigns own: the navigation and the overview's other cards belong to
        # the dashboard's catalogue.
        assert english_left(page.inner_text(where)) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_marketer_and_a_manager_read_campaigns_in_their_language(
    language, marketer, manager, login, engagelab
):
    says = SAYS[language]
    for user in (marketer, manager):
        Preferences.objects.create(user=user, language=language)
    regular_id, ab_id = _finished_campaigns(engagelab)
    assert SandboxCampaign.objects.get(pk=ab_id).status == CampaignStatus.FINISHED

    page = login(marketer)
    page.goto("/campaigns/")
    _reads(page, language, says["list"])

    page.goto(f"/campaigns/{ab_id}/")
    expect(page.locator("[data-key=variants] .main-svg").first).to_be_visible(timeout=15_000)
    _reads(page, language, says["verdict"])
    page.locator("details.chart-table summary").click()  # the tables, shown
    _reads(page, language, says["verdict"])

    page.goto(f"/campaigns/{regular_id}/")
    expect(page.locator("[data-key=deliverability] .main-svg").first).to_be_visible()
    _reads(page, language, says["warm_up"])

    # The builder with errors, then its warm-up and A/B parts with their live sentences.
    page.goto("/campaigns/new/")
    page.get_by_role("button", name=says["schedule"]).click()
    _reads(page, language, says["error"])
    page.locator("#warmup-builder button[value=add_warmup]").click()
    expect(page.locator("#warmup-builder .row")).to_have_count(1)  # the new row, swapped in
    domain = page.locator("#warmup-builder .row input[name$=domain]")
    domain.fill("gmail.com")
    domain.press("Tab")  # leaving the field, as a person does: its change asks for the sentence
    expect(page.locator("#warmup-preview")).to_contain_text(says["preview"], timeout=10_000)
    _reads(page, language, says["preview"])
    page.get_by_label(says["a_b"], exact=True).check()
    _reads(page, language, says["ab"])

    # Send now: the confirmation names the audience and about how many it reached before.
    page.goto("/campaigns/new/")
    page.locator("#id_name").fill("Vente éclair")
    page.locator("#id_sender_id").select_option(value="21")
    page.locator("#id_template_invoke_name").select_option(value="newsletter")
    page.get_by_label(says["now"], exact=True).check()
    page.get_by_role("button", name=says["send_now"]).click()
    _reads(page, language, says["confirm"])
    assert SandboxCampaign.objects.count() == 2  # nothing sent before the confirmation

    page.context.clear_cookies()
    page = login(manager)  # the overview, with the campaign chart
    chart = page.locator("#campaign-overview-chart")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=15_000)
    _reads(page, language, says["overview"], where="#campaign-overview-chart")


# --- words that follow a count ---------------------------------------------------------------
def _ab(variants: int, after: int, unit: str = "hour", percent: int = 20) -> dict:
    return {
        "percent": percent,
        "win_condition": {"time_unit": unit, "after_time": after, "compare": "uni_open_percent"},
        "subjects": [f"Subject {n}" for n in range(variants)],
    }


@pytest.mark.parametrize(
    "language, count, variants, wait",
    [
        ("fr", 0, "0 objet", "dès l'envoi du test"),
        ("fr", 1, "1 objet", "après 1 heure"),
        ("fr", 2, "2 objets", "après 2 heures"),
        ("en", 0, "0 subjects", "right after the test is sent"),
        ("en", 1, "1 subject", "after 1 hour"),
        ("en", 2, "2 subjects", "after 2 hours"),
    ],
)
def test_the_ab_sentence_counts_variants_and_hours(language, count, variants, wait):
    with translation.override(language):
        assert describe.DIMENSIONS["subjects"].count(count) == variants
        assert describe.wait_text("hour", count) == wait
        sentence = describe.ab_sentence(_ab(max(count, 1), count))
    assert wait in sentence
    if count:
        assert f" {variants}" in sentence


@pytest.mark.parametrize(
    "language, after, text",
    [
        ("fr", 1, "après 1 jour"),
        ("fr", 2, "après 2 jours"),
        ("en", 1, "after 1 day"),
        ("en", 2, "after 2 days"),
    ],
)
def test_the_ab_sentence_counts_days(language, after, text):
    with translation.override(language):
        assert text in describe.ab_sentence(_ab(2, after, unit="day"))


def test_the_ab_and_warm_up_sentences_in_french():
    with translation.override("fr"):
        assert describe.ab_sentence(_ab(3, 18)) == (
            "20\xa0% des contacts reçoivent le test, réparti également entre 3 objets\xa0; "
            "après 18 heures, les 80\xa0% restants reçoivent l'objet ayant le meilleur taux "
            "d'ouverture unique."
        )
        assert describe.warm_up_sentence(
            {"domain": "gmail.com", "rate": 2, "upgrade_value": "0.925", "downgrade_value": "1"}
        ) == (
            "gmail.com\xa0: commence au niveau de débit 2\xa0; le débit augmente quand au moins "
            "92,5\xa0% des messages sont livrés, et diminue quand moins de 100\xa0% le sont."
        )


@pytest.mark.parametrize(
    "language, values, text",
    [
        ("fr", ["vip"], "Étiquette\xa0: vip"),
        ("fr", ["vip", "news"], "Étiquettes\xa0: vip, news"),
        ("en", ["vip"], "Tag: vip"),
        ("en", ["vip", "news"], "Tags: vip, news"),
    ],
)
def test_an_audience_names_its_tags(language, values, text):
    with translation.override(language):
        assert describe.audience_text("tag", values) == text


@pytest.mark.django_db
def test_the_list_counts_its_campaigns_in_french(client, marketer):
    client.force_login(marketer)

    def count_line() -> str:
        page = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        return page.split('result-count">', 1)[1].split("<", 1)[0]

    assert count_line() == "0 campagne"
    mirror(41)
    assert count_line() == "1 campagne"
    mirror(42)
    assert count_line() == "2 campagnes"


@pytest.mark.parametrize(
    "language, each, apart",
    [
        ("fr", "1\xa0234 livrés par variante", "A 1\xa0234 et B 12\xa0345 livrés"),
        ("en", "1,234 delivered each", "A 1,234 and B 12,345 delivered"),
    ],
)
def test_the_ab_verdict_groups_its_sizes_in_the_readers_language(language, each, apart):
    same = [Arm("A", 1234, 0, 0), Arm("B", 1234, 0, 0)]
    different = [Arm("A", 1234, 0, 0), Arm("B", 12345, 0, 0)]
    with translation.override(language):
        unit = {"fr": "livrés", "en": "delivered"}[language]
        assert significance.sizes_text(same, unit) == each
        assert significance.sizes_text(different, unit) == apart


@pytest.mark.parametrize(
    "language, hover",
    [
        ("fr", "gmail.com\xa0: 30,0\xa0% de 1\xa0234 livrés"),
        ("en", "gmail.com: 30.0% of 1,234 delivered"),
    ],
)
def test_a_domain_bars_hover_groups_its_count_in_the_readers_language(language, hover):
    """The hover's count is written by Switchboard, as in the table beside the chart: plotly's
    own grouping would write 1,234 on a French page."""
    row = {"domain": "gmail.com", "delivered": 1234, "unique_open_rate": 0.3,
           "unique_click_rate": 0.1}  # fmt: skip
    with translation.override(language):
        bars = charts.domain_figure([row], set())["data"][0]
    placeholders = {"%{x}": "gmail.com", "%{text}": bars["text"][0]}
    placeholders["%{customdata}"] = bars["customdata"][0]
    shown = bars["hovertemplate"]
    for placeholder, value in placeholders.items():
        shown = shown.replace(placeholder, value)
    assert shown.startswith(f"{hover}<extra>")
