"""Switchboard writes a select's options itself (templates/django/forms/widgets/select.html),
not through two templates per option: the markup stays Django's own, to the character but for
the blank lines between options."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import timezone, translation

from dashboard.forms import FormRenderer

ZONES = [
    ("", "The installation's"),
    ("Europe", [("Europe/Paris", "Paris"), ("Europe/Lisbon", "Lisbon")]),
    ("America/Toronto", 'Toronto & "Montréal" <region>'),
]


def _without_blank_lines(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (
            forms.Select(choices=ZONES, attrs={"id": "id_zone", "aria-invalid": "true"}),
            "Europe/Lisbon",
        ),
        (forms.Select(choices=ZONES), None),
        (forms.SelectMultiple(choices=ZONES), ["Europe/Paris", "America/Toronto"]),
        (forms.NullBooleanSelect(), True),
        # Labels that are not text are localised as a template writes them.
        (
            forms.Select(
                choices=[
                    (1, 1234.5),
                    (2, date(2026, 12, 2)),
                    (3, Decimal("0.25")),
                    (4, datetime(2026, 12, 2, 23, 30, tzinfo=UTC)),  # in the reader's zone
                ]
            ),
            2,
        ),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_select_is_written_as_django_writes_it(widget, value, language):
    with translation.override(language), timezone.override("Asia/Shanghai"):
        ours = widget.render("zone", value, renderer=FormRenderer())
        djangos = widget.render("zone", value, renderer=DjangoTemplates())
    assert " selected>" in ours
    assert _without_blank_lines(ours) == _without_blank_lines(djangos)
