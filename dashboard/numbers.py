"""How Switchboard writes numbers for people: one rule for every rate, in tables, headlines,
sentences and chart data alike (the table and the chart beside it must agree)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext

NO_RATE = "—"


def rate(value: Any, digits: int = 1) -> str:
    """A share (0.303) as a percentage ("30.3%"), or "—" when there is none. Django's number
    formatting writes the digits (it follows the active locale's decimal separator), and the
    sign's place is a translatable message ("30,3 %" in French once a catalogue says so)."""
    if value is None or value == "":
        return NO_RATE
    try:
        share = float(value)
    except (TypeError, ValueError):
        return NO_RATE
    # number_format truncates the digits it drops: round first.
    digits_text = number_format(round(share * 100, digits), decimal_pos=digits)
    return gettext("%(number)s%%") % {"number": digits_text}
