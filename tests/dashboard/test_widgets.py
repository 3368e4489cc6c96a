"""Switchboard writes a select's options itself (templates/django/forms/widgets/select.html),
not through two templates per option: the markup stays Django's own, to the character but for
the blank lines between options."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

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
    ],
)
def test_a_select_is_written_as_django_writes_it(widget, value):
    ours = widget.render("zone", value, renderer=FormRenderer())
    djangos = widget.render("zone", value, renderer=DjangoTemplates())
    assert " selected>" in ours
    assert _without_blank_lines(ours) == _without_blank_lines(djangos)
