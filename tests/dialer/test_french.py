"""The dialer in French: dialer staff work through the campaign list, the live board (chips, a
status picked, a search, the inline edit with an error), the add form and an import through its
steps to the outcome; a manager reads the board; nothing English is left, and the board still
fits a phone. The same walk in English reads as it always did. Plus the plural forms of the
import's counts, and the language a worker writes an import's problems in."""

from __future__ import annotations

import io

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from playwright.sync_api import expect

from dashboard.models import Preferences
from dialer import imports, tasks
from dialer.models import DialerCampaign, DialerImport
from dialer.views import sent_message
from tests.dialer.conftest import worker_poll
from tests.i18n.english import english_left

CSV = (
    "Nom complet,Cellulaire,Courriel,No client\n"
    "Cy Diaz,+1 438 555 0101,cy@example.com,CRM-9001\n"
    "Dee Roy,+1 (438) 555-0102,dee@example.com,CRM-9002\n"
    "Eli Ford,+1-438-555-0103,eli@example.com,CRM-9003\n"
    "Léo Faux,appelez-moi,bad@example.com,CRM-9004\n"
    "Emergency,911,sos@example.com,CRM-9005\n"
    "Cy Twin,+14385550101,twin@example.com,CRM-9006\n"
)


def speaks(user, language: str) -> None:
    Preferences.objects.update_or_create(user=user, defaults={"language": language})


def french(page) -> None:
    """The page as a French user reads it: in French, with no English string of Switchboard in
    what the dialer writes (its title, its content, its messages; the navigation around it is
    base.html's, checked with it)."""
    assert page.locator("html").get_attribute("lang") == "fr"
    shown = [page.title(), page.inner_text("main"), page.inner_text("#toasts")]
    assert english_left("\n".join(shown)) == [], "\n".join(shown)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dialer_staff_work_in_french(synced, dialer_staff, login, tmp_path, clock):
    speaks(dialer_staff, "fr")
    page = login(dialer_staff)

    page.goto("/dialer/")
    expect(page.get_by_role("heading", name="Composeur")).to_be_visible()
    expect(page.locator(".dialer-campaigns")).to_contain_text("Progressif")
    expect(page.locator(".dialer-campaigns")).to_contain_text("En pause")
    french(page)

    # The board: chips and badges read in French; the provider's value stays the data.
    page.get_by_role("link", name="Spring renewals").click()
    upcoming = page.locator('a.chip[data-status="Upcoming"]')
    expect(upcoming.locator(".chip-name")).to_contain_text("À venir")
    expect(page.locator("#board tbody tr", has_text="Ana Lima")).to_contain_text("À venir")
    expect(page.locator(".board-caption")).to_contain_text("2 contacts en tout")
    french(page)

    # A status picked, then a search.
    page.locator('a.chip[data-status="Finished"]').click()
    expect(page.locator(".board-caption strong")).to_have_text("Terminé")
    expect(page.locator("#board tbody tr")).to_have_count(1)
    assert "status=finished" in page.url  # the slug stays the provider's
    french(page)
    page.get_by_role("link", name="Afficher tous les statuts").click()
    expect(page.locator(".board-caption")).to_contain_text("2 contacts en tout")
    page.get_by_label(
        "Rechercher des contacts par nom, téléphone, courriel ou identifiant externe"
    ).fill("Ana")
    caption = "Contacts correspondant à «\u00a0Ana\u00a0»"  # non-breaking spaces inside « »
    expect(page.locator(".board-caption")).to_contain_text(caption)
    expect(page.locator("#board tbody tr")).to_have_count(1)
    french(page)

    # The inline edit, with an error.
    page.get_by_role("link", name="Modifier Ana Lima").click()
    editing = page.locator("tr.editing")
    editing.get_by_label("Téléphone").fill("5145550101")
    editing.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("tr.editing")).to_contain_text("n’a pas d’indicatif de pays")
    french(page)
    page.locator("tr.editing").get_by_role("button", name="Annuler").click()
    expect(page.locator("tr.editing")).to_have_count(0)

    # The add form, sent empty.
    page.get_by_role("button", name="Ajouter un contact").click()
    page.locator("form.dialer-form").get_by_role("button", name="Ajouter un contact").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    french(page)

    # An import through its steps.
    page.goto(f"/dialer/{synced.provider_id}/import/")
    file = tmp_path / "printemps.csv"
    file.write_text(CSV, encoding="utf-8")
    page.get_by_label("Fichier CSV ou JSON").set_input_files(str(file))
    page.get_by_role("button", name="Téléverser et choisir les colonnes").click()
    expect(page.get_by_role("heading", name="Quelle colonne contient quoi ?")).to_be_visible()
    expect(page.get_by_text("6 lignes, 4 colonnes.")).to_be_visible()
    french(page)
    page.get_by_role("button", name="Vérifier les lignes").click()
    expect(page.get_by_role("heading", name="Vérifier avant d’envoyer")).to_be_visible()
    rejected = page.locator("table.rejected")
    expect(rejected).to_contain_text("'appelez-moi' n’est pas un numéro de téléphone.")
    expect(rejected).to_contain_text("911 est un numéro d’urgence")
    expect(rejected).to_contain_text("Même numéro de téléphone qu’à la ligne 2.")
    french(page)
    page.get_by_role("link", name="Corriger la ligne 5").click()
    fixing = page.locator("tr.editing")
    fixing.get_by_label("Téléphone").fill("+1 438 555 0104")
    fixing.get_by_role("button", name="Vérifier cette ligne de nouveau").click()
    expect(page.locator("tr", has_text="Léo Faux")).to_contain_text("Corrigée")
    french(page)
    page.get_by_role("button", name="Importer 4 contacts").click()
    expect(page.get_by_text("Importation de 4 contacts chez CCAI Platform")).to_be_visible()
    french(page)
    worker_poll()
    clock.shift(1)
    worker_poll()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("4 contacts importés dans Spring renewals.")
    expect(progress).to_contain_text("2 lignes écartées.")
    french(page)

    # The board on a phone, French words and all: no sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/dialer/{synced.provider_id}/?status=upcoming")
    expect(page.locator("#status-picker")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    french(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_the_board_in_french(synced, manager, login):
    speaks(manager, "fr")
    page = login(manager)
    page.goto(f"/dialer/{synced.provider_id}/")
    expect(page.locator('a.chip[data-status="Finished"] .chip-name')).to_contain_text("Terminé")
    expect(page.get_by_role("link", name="Modifier Ana Lima")).to_have_count(0)
    expect(page.get_by_role("button", name="Actualiser")).to_be_visible()
    french(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dialer_still_reads_in_english(synced, dialer_staff, login):
    speaks(dialer_staff, "en")
    page = login(dialer_staff)
    page.goto(f"/dialer/{synced.provider_id}/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator('a.chip[data-status="Upcoming"] .chip-name')).to_contain_text("Upcoming")
    expect(page.locator(".board-caption")).to_contain_text("All 2 contacts")
    expect(page.locator(".dialer-head p")).to_contain_text("Progressive mode")
    page.get_by_role("link", name="Edit Ana Lima").click()
    page.locator("tr.editing").get_by_label("Phone").fill("5145550101")
    page.locator("tr.editing").get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_contain_text(
        "5145550101 has no country code: write it as +<country code> <number>."
    )


# --- Plural forms of the import's counts ----------------------------------------------------


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (0, "Sent 0 contacts to CCAI Platform", "0 contact envoyé à CCAI Platform"),
        (1, "Sent 1 contact to CCAI Platform", "1 contact envoyé à CCAI Platform"),
        (2, "Sent 2 contacts to CCAI Platform", "2 contacts envoyés à CCAI Platform"),
    ],
)
def test_the_sent_message_agrees_with_its_count(count, english, french):
    with translation.override("en"):
        assert sent_message(count).startswith(english)
    with translation.override("fr"):
        assert sent_message(count).startswith(french)


def import_progress(upload: DialerImport, user, language: str) -> str:
    """The import's progress section, as its page renders it in `language`."""
    request = RequestFactory().get("/")
    request.user = user
    context = {"upload": upload, "campaign": upload.campaign, "can_change": True}
    with translation.override(language):
        return render_to_string("dialer/import_detail.html#progress", context, request)


@pytest.mark.parametrize(
    ("count", "ready", "done"),
    [
        (0, "Aucune ligne n’est valide", ["0 contact importé dans Été."]),
        (1, "Importer 1 contact<", ["1 contact importé dans Été.", "1 ligne écartée."]),
        (2, "Importer 2 contacts<", ["2 contacts importés dans Été.", "2 lignes écartées."]),
    ],
)
def test_the_import_counts_agree_with_their_number(db, dialer_staff, count, ready, done):
    campaign = DialerCampaign.objects.create(provider_id=7, name="Été")
    upload = DialerImport.objects.create(
        campaign=campaign, file_name="a.csv", valid_rows=count, invalid_rows=count
    )
    upload.state = DialerImport.State.PREVIEWED
    assert ready in import_progress(upload, dialer_staff, "fr")
    upload.state = DialerImport.State.COMPLETED
    completed = import_progress(upload, dialer_staff, "fr")
    for sentence in done:
        assert sentence in completed
    english = import_progress(upload, dialer_staff, "en")
    assert ("1 contact imported" if count == 1 else f"{count} contacts imported") in english


# --- The language a worker writes in ----------------------------------------------------------


def test_a_worker_writes_an_import_s_problems_in_the_uploader_s_language(db, dialer_staff):
    speaks(dialer_staff, "fr")
    campaign = DialerCampaign.objects.create(provider_id=8, name="Été")
    content = b"name,phone,email\nAna,5145550101,ana@example.com\nBo,,\n"
    staged = imports.import_create(
        user=dialer_staff, campaign=campaign, file=io.BytesIO(content), file_name="a.csv"
    )
    DialerImport.objects.filter(pk=staged.pk).update(
        state=DialerImport.State.CHECKING,
        mapping={"name": "name", "phone_number": "phone", "email": "email"},
    )
    with translation.override("en"):  # the worker's own language
        assert tasks.check_import.func(staged.pk) is True
    problems = list(staged.rows.order_by("line").values_list("problem", flat=True))
    assert problems == [
        "5145550101 n’a pas d’indicatif de pays\u00a0: écrivez-le sous la forme +<indicatif> "
        "<numéro>.",
        "Saisissez un numéro de téléphone. Le courriel manque.",
    ]
