from __future__ import annotations

import pytest

from dashboard.csvsafe import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("+1 415-555-0100", "+1 415-555-0100"),  # a phone number stays re-uploadable
        ("+1-(358)-213-1634", "+1-(358)-213-1634"),
        ("-12.5", "-12.5"),
        ("Claire Brown", "Claire Brown"),
        (None, ""),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert spreadsheet_safe(value) == cell
