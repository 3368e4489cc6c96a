"""How Switchboard writes numbers for people, in the reader's language: one rule for every rate,
in tables, headlines, sentences and chart data alike (the table and the chart beside it must
agree), and one for every count ("1,234" in English, "1 234" in French, by Django's formats).

Templates: `{{ n|intcomma }}` (django.contrib.humanize, which follows the language) and
`{{ share|rate }}` (`{% load numbers %}`). Python: `number(n)` and `rate(share)`, never
f"{n:,}" (always English). Not USE_THOUSAND_SEPARATOR: it would also group the ids that
templates write into URLs and attributes ("/contacts/1 234/edit/")."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext

NO_RATE = "—"


def share(count: int | None, of: int | None) -> float | None:
    """`count` over `of`, or None over nothing: a rate nothing was counted for is shown as
    "—" (a gap in a chart, an empty cell in a CSV), never as a made-up 0%."""
    return (count or 0) / of if of else None


def number(value: int | float, digits: int | None = None) -> str:
    """A count or an amount grouped by thousands in the active language ("1,234.5" in
    English, "1 234,5" in French, with a non-breaking space); `digits` after the decimal
    separator, when given."""
    if digits is not None:
        value = round(value, digits)  # number_format truncates the digits it drops
    return number_format(value, decimal_pos=digits, force_grouping=True)


def rate(value: Any, digits: int = 1) -> str:
    """A share (0.303) as a percentage ("30.3%"), or "—" when there is none. Django's number
    formatting writes the digits (it follows the active locale's decimal separator), and the
    sign's place is a translatable message ("30,3 %" in French, a non-breaking space before
    the sign)."""
    if value is None or value == "":
        return NO_RATE
    try:
        share = float(value)
    except (TypeError, ValueError):
        return NO_RATE
    # number_format truncates the digits it drops: round first.
    digits_text = number_format(round(share * 100, digits), decimal_pos=digits)
    return gettext("%(number)s%%") % {"number": digits_text}
