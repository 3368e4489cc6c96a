"""Cells for CSV files people open in spreadsheets: a value that came from a provider or an
uploaded file must not run there as a formula (CSV injection). Phone numbers such as
`+1 415-555-0100` and negative numbers stay as they are, so a corrected file can be uploaded
again."""

from __future__ import annotations

import re

_NUMBER_LIKE = re.compile(r"^[+-][\d\s().-]*$")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in {"=", "@", "\t", "\r"} or (
        text[:1] in {"+", "-"} and not _NUMBER_LIKE.match(text)
    ):
        return "'" + text
    return text
