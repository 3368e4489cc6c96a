"""Dialog Insight's pages in French: a marketer and a manager whose language is French walk
them in a real Chromium and read no English sentence of Switchboard's (the provider's own field
labels and the data stay as written); in English the same pages read as before. And the counts
that change the words (0, 1, 2 contacts) say them right in both languages."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from contacts import services, sync
from contacts.client import DialogInsightClient
from contacts.models import ContactImport, ProjectField
from dashboard.models import Preferences
from tests.contacts.conftest import sent_and_opened
from tests.i18n.english import english_left

# What each language's page says at each step (a sentence only Switchboard writes).
SAYS = {
    "en": {
        "found": "1 contact matches at Dialog Insight.",
        "history": "Mailing history",
        "create": "Create contact",
        "required": "This field is required.",
        "builder": "Contacts must match",
        "segments": "Dialog Insight segments (filters) used to target mailings.",
        "segment": "3 contacts.",
        "imports": "Columns the file may have",
        "import": "Row outcomes",
        "continue": "Continue",
        "confirm": "will be sent to 3 contacts (segment “Laval”), right now.",
        "send": "Send now to 3 contacts",
        "sent": "Mailing “Spring news” launched.",
        "numbers": "Rates are over delivered messages and count each contact once.",
        "chart": "Open and click rates over time (over delivered)",
    },
    "fr": {
        "found": "1 contact correspond chez Dialog Insight.",
        "history": "Historique des envois",
        "create": "Créer le contact",
        "required": "Ce champ est obligatoire.",
        "builder": "Les contacts doivent remplir",
        "segments": "Les segments (filtres) Dialog Insight qui servent à cibler les envois.",
        "segment": "3 contacts dans ce segment.",
        "imports": "Colonnes que le fichier peut avoir",
        "import": "Résultat de chaque ligne",
        "continue": "Continuer",
        "confirm": "sera envoyé à 3 contacts (segment «\u00a0Laval\u00a0»), tout de suite.",
        "send": "Envoyer maintenant à 3 contacts",
        "sent": "Envoi «\u00a0Spring news\u00a0» lancé.",
        "numbers": "Les taux portent sur les messages livrés et comptent chaque contact une fois.",
        "chart": "Taux d'ouverture et de clics au fil du temps (sur les livrés)",
    },
}


def _reads(page, language: str, says: str) -> None:
    """The page is in `language`, says `says`, and (in French) shows no English msgid but the
    provider's own labels (data, as Dialog Insight wrote them)."""
    page.wait_for_load_state("networkidle")
    body = " ".join(page.inner_text("body").split())
    assert page.locator("html").get_attribute("lang") == language
    assert " ".join(says.split()) in body, body  # split() takes non-breaking spaces too
    if language == "fr":
        labels = set(ProjectField.objects.values_list("label", flat=True))
        assert [m for m in english_left(body) if m not in labels] == [], page.url


def _speaks(user, language: str):
    Preferences.objects.update_or_create(user=user, defaults={"language": language})
    return user


@pytest.fixture
def history(claire, audience):
    """Claire has received a message, and a file of contacts was imported."""
    di = DialogInsightClient()
    di.message_send_one(message_id=audience["message_id"], contact_id=claire)
    job = services.import_create(
        user=None,
        filename="crm.csv",
        raw=b"EMail,FirstName,City\nnew@example.com,Nia,Laval\n,Nobody,Laval\n",
    )
    services.import_run(import_id=job.pk)
    return job


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_marketer_walks_the_contacts_pages_in_their_language(login, marketer, history, language):
    says = SAYS[language]
    page = login(_speaks(marketer, language))
    page.goto("/contacts/?q=claire")
    _reads(page, language, says["found"])
    page.locator("#results").get_by_role("link", name="claire@example.com").click()
    page.locator("#history tbody tr").first.wait_for()
    _reads(page, language, says["history"])

    page.goto("/contacts/new/")
    page.get_by_role("button", name=says["create"]).click()
    page.locator(".errorlist").first.wait_for()
    _reads(page, language, says["required"])

    page.goto("/contacts/segments/")
    _reads(page, language, says["segments"])
    page.get_by_role("link", name="Laval").click()
    _reads(page, language, says["segment"])
    page.goto("/contacts/segments/new/")
    _reads(page, language, says["builder"])

    page.goto("/contacts/imports/")
    _reads(page, language, says["imports"])
    page.goto(f"/contacts/imports/{history.pk}/")
    _reads(page, language, says["import"])

    page.goto("/contacts/mailings/new/")
    page.locator("#id_message").select_option(label="Spring news")
    page.locator("#id_segment").select_option(label="Laval")
    page.get_by_role("button", name=says["continue"]).click()
    page.get_by_role("button", name=says["send"]).wait_for()
    _reads(page, language, says["confirm"])
    page.get_by_role("button", name=says["send"]).click()
    page.wait_for_url("**/contacts/mailings/")
    _reads(page, language, says["sent"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_manager_reads_a_mailing_and_its_chart_in_their_language(
    login, manager, audience, language
):
    mailing_id = sent_and_opened("Spring news")
    page = login(_speaks(manager, language))
    page.goto(f"/contacts/mailings/{mailing_id}/")
    page.locator("#mailing-chart .main-svg").first.wait_for(timeout=15_000)  # plotly, first draw
    _reads(page, language, SAYS[language]["numbers"])
    assert SAYS[language]["chart"] in page.locator("#mailing-chart").inner_text()


# --- Words that follow a count ---------------------------------------------------------------
SEARCH, SEGMENT = "contacts/search.html#count", "contacts/segment_form.html#count"


@pytest.mark.parametrize(
    ("template", "language", "count", "says"),
    [
        (SEARCH, "fr", 0, "0 contact correspond chez Dialog Insight."),
        (SEARCH, "fr", 1, "1 contact correspond chez Dialog Insight."),
        (SEARCH, "fr", 2, "2 contacts correspondent chez Dialog Insight."),
        (SEARCH, "en", 0, "0 contacts match at Dialog Insight."),
        (SEARCH, "en", 1, "1 contact matches at Dialog Insight."),
        (SEARCH, "en", 2, "2 contacts match at Dialog Insight."),
        (SEGMENT, "fr", 0, "Correspond à 0 contact aujourd'hui."),
        (SEGMENT, "fr", 1, "Correspond à 1 contact aujourd'hui."),
        (SEGMENT, "fr", 2, "Correspond à 2 contacts aujourd'hui."),
        (SEGMENT, "en", 1, "Matches 1 contact today."),
        (SEGMENT, "en", 2, "Matches 2 contacts today."),
    ],
)
def test_how_many_contacts_match(template, language, count, says):
    """What a search and the segment builder say of how many contacts match."""
    context = {"total": count, "count": count, "first": 1, "last": count}
    with translation.override(language):
        html = render_to_string(template, context)
    assert says in " ".join(html.replace("<strong>", "").replace("</strong>", "").split())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "segment", "says"),
    [
        ("fr", "Toronto", "Envoyer maintenant à 1 contact"),
        ("fr", "Laval", "Envoyer maintenant à 3 contacts"),
        ("en", "Toronto", "Send now to 1 contact"),
    ],
)
def test_the_send_button_counts_the_audience(client, marketer, audience, language, segment, says):
    from contacts import nomenclature
    from contacts.models import Segment

    DialogInsightClient().segment_merge(
        name="Toronto",
        clause=nomenclature.field_clause("City", "Equal", "Toronto"),
        segment_id=None,
    )
    sync.sync_segments()
    client.force_login(_speaks(marketer, language))
    response = client.post(
        "/contacts/mailings/new/",
        {
            "message": audience["message_id"],
            "segment": Segment.objects.get(name=segment).provider_id,
            "when": "now",
            "time_zone": "UTC",
        },
    )
    assert f">{says}</button>" in response.content.decode()


@pytest.mark.django_db
def test_an_import_row_and_a_recent_change_read_in_french(marketer):
    """What Switchboard stored in English (a row's reason, a contact's latest change) is said
    in the reader's language."""
    from contacts.models import ContactImportRow, RecentContact

    job = ContactImport.objects.create(filename="crm.csv", total=1)
    row = ContactImportRow(job=job, line=2, key="", data={}, message=ContactImportRow.EMPTY_KEY)
    change = RecentContact(provider_id=1, key="a@example.com", change="imported from crm.csv")
    with translation.override("fr"):
        assert row.message_label == "Le courriel est vide."
        assert change.change_label == "importé de crm.csv"
    with translation.override("en"):
        assert row.message_label == "The email is empty."
        assert change.change_label == "imported from crm.csv"
