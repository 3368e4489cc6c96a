"""Every French catalogue (`<app>/locale/fr/LC_MESSAGES/django.po`) is complete and current:
every entry has its French (each plural form too), none is fuzzy (gettext would not use it),
the French carries the same placeholders as the English (a missing `%(count)s` shows the
wrong number, an extra one crashes the page), and no string marked in the code is missing
from its catalogue: `makemessages -l fr`, run into a copy of the project, finds the same
msgids as the committed catalogue. Each catalogue is compared with its own app's strings
only, so a catalogue is judged by what its app marks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import polib
import pytest
from django.utils import translation

from tests.i18n.english import ROOT, catalogues

# What makemessages needs to find every marked string: the apps, the templates, and settings
# to run it with (tests.settings: production's, with what they require filled in).
PROJECT = ["campaigns", "contacts", "dashboard", "dialer", "templates", "manage.py"]
SETTINGS = ["tests/__init__.py", "tests/settings.py"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")

CATALOGUES = catalogues()


def app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def live(path: Path) -> list[polib.POEntry]:
    """The catalogue's entries, without the header and the obsolete ones (`#~`)."""
    return [e for e in polib.pofile(str(path)) if e.msgid and not e.obsolete]


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text.replace("%%", "")))


@cache
def fresh_catalogues(tmp: Path) -> dict[str, set]:
    """{app: the msgids makemessages files in its catalogue}, from a copy of the project
    without any catalogue (so nothing committed can hide a missing string)."""
    for name in PROJECT + SETTINGS:
        source, target = ROOT / name, tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(
                source, target, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo")
            )
        else:
            shutil.copy(source, target)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(tmp)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-v", "0"],
        cwd=tmp,
        env=env,
        check=True,
        capture_output=True,
    )
    return {
        path.relative_to(tmp).parts[0]: {key(e) for e in live(path)}
        for path in tmp.glob("*/locale/fr/LC_MESSAGES/django.po")
    }


def test_there_is_a_french_catalogue():
    assert "dashboard" in {app_of(path) for path in CATALOGUES}


@pytest.mark.parametrize("path", CATALOGUES, ids=app_of)
def test_every_entry_has_its_french_and_no_entry_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert catalogue.metadata.get("Language") == "fr"
    assert "fuzzy" not in catalogue.metadata_is_fuzzy
    untranslated = []
    for entry in live(path):
        # French has two forms: the singular (0 and 1) and the plural.
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if len(forms) != (2 if entry.msgid_plural else 1) or not all(f.strip() for f in forms):
            untranslated.append(entry.msgid)
    assert untranslated == []
    assert [e.msgid for e in live(path) if "fuzzy" in e.flags] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=app_of)
def test_the_french_has_the_placeholders_of_the_english(path):
    wrong = []
    for entry in live(path):
        english = placeholders(entry.msgid)
        if entry.msgid_plural:
            # The singular may be used for 0 and 1 in French: both forms name the same values.
            english = sorted(set(english) | set(placeholders(entry.msgid_plural)))
            for form in entry.msgstr_plural.values():
                if sorted(set(placeholders(form))) != english:
                    wrong.append((entry.msgid, form))
        elif "python-format" in entry.flags and placeholders(entry.msgstr) != english:
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=app_of)
def test_the_catalogue_holds_what_the_code_marks_and_nothing_else(path, tmp_path_factory):
    fresh = fresh_catalogues(tmp_path_factory.getbasetemp() / "makemessages")
    committed = {key(e) for e in live(path)}
    marked = fresh.get(app_of(path), set())
    assert sorted(marked - committed, key=str) == [], "marked, missing: run makemessages -l fr"
    assert sorted(committed - marked, key=str) == [], "no longer marked: run makemessages -l fr"


@pytest.mark.parametrize("path", CATALOGUES, ids=app_of)
def test_what_a_french_reader_sees_is_what_the_catalogue_says(path):
    """Django merges every app's catalogue into one: a msgid that Django's own apps (listed
    first) or another of Switchboard's apps translate differently would show their French,
    not this one's. Give such a string a context (`{% translate "Filter" context "verb" %}`,
    `pgettext`), or the same French. Reads the compiled catalogues (`make messages`)."""
    differ = []
    with translation.override("fr"):
        for entry in live(path):
            if entry.msgid_plural:
                seen = [
                    translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    for n in (1, 2)
                ]
                wanted = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
            else:
                seen = [
                    translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt
                    else translation.gettext(entry.msgid)
                ]
                wanted = [entry.msgstr]
            if seen != wanted:
                differ.append((entry.msgid, wanted, seen))
    assert differ == [], "translated elsewhere, or not compiled (make messages)"
