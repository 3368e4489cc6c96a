"""What a French page must not show: Switchboard's own English strings (every msgid of the
French catalogues whose French differs), looked for as whole words in the page's visible text.
Data (a campaign's name, a contact's city) and provider messages are not msgids, so they do not
count, nor do words inside a path or URL; placeholders are matched as "anything"."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("*/locale/fr/LC_MESSAGES/django.po"))


@cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    patterns = []
    for path in catalogues():
        for entry in polib.pofile(str(path)):
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                french = entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
                parts = re.split(r"%\(\w+\)[sd]|%[sd]", msgid.replace("%%", "%"))
                words = "".join(parts)
                if french == msgid or len(words) < 4 or not re.search(r"[A-Za-z]{3}", words):
                    continue
                # English whose every word the French uses too ("%(count)s contacts."): a French
                # page may show those words; the check cannot tell them apart.
                everything_french = " ".join([entry.msgstr, *entry.msgstr_plural.values()])
                if set(re.findall(r"\w+", words.lower())) <= set(
                    re.findall(r"\w+", everything_french.lower())
                ):
                    continue
                # Spaces beside a placeholder stay: "Import %(file)s" is not "Importer",
                # "%(ago)s ago" is not "Chicago".
                pieces = [re.escape(re.sub(r"\s+", " ", p)) for p in parts]
                body = r".+?".join(pieces)
                # A whole word, not part of a path or URL ("/sandbox/ccai").
                patterns.append((msgid, re.compile(rf"(?<![\w/.-]){body}(?![\w/-])")))
    return patterns


def english_left(text: str) -> list[str]:
    """The English msgids found in `text` (a page's visible text, e.g. Playwright's
    `page.inner_text("body")`)."""
    text = " ".join(text.split())
    return [msgid for msgid, pattern in _patterns() if pattern.search(text)]
